"""Probe 133: failures under an address-space limit (``ulimit -v``) named as such. MuJoCo's
"Caught an unknown exception!" while making the evaluation env was a raw traceback; matplotlib's
"failed to map segment from shared object" was blamed on its install; torch's import was a
32-line traceback ending ``MemoryError``; a collection worker's "Could not allocate memory" named
no limit."""

from __future__ import annotations

import importlib
import os
import resource
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest

from rambo_env import evaluation, requirements
from rambo_env.data import generate
from rambo_env.requirements import BrokenDependencyError, import_dependency
from rambo_env.run_io import out_of_memory
from tests.scripts import REPO, python_path

LIMIT_KB = 1_000_000


@pytest.fixture
def limited(monkeypatch):
    """``ulimit -v 1000000`` as resource.getrlimit reports it (nothing is really limited)."""
    real = resource.getrlimit

    def getrlimit(which):
        if which == resource.RLIMIT_AS:
            return LIMIT_KB * 1024, resource.RLIM_INFINITY
        return real(which)

    monkeypatch.setattr(resource, "getrlimit", getrlimit)


MUJOCO_UNKNOWN = RuntimeError("Caught an unknown exception!")
UNMAPPED = ImportError("_backend_agg.cpython-311-x86_64-linux-gnu.so: failed to map segment from "
                       "shared object")  # fmt: skip


def test_limit_shaped_failures_are_out_of_memory_only_under_a_limit(monkeypatch):
    monkeypatch.setattr(resource, "getrlimit", lambda _: (resource.RLIM_INFINITY,) * 2)
    assert not out_of_memory(MUJOCO_UNKNOWN) and not out_of_memory(UNMAPPED)  # a bug: as it is
    assert out_of_memory(MemoryError())


def test_mujoco_unknown_exception_under_a_limit_is_the_simulator_error(limited, monkeypatch):
    def make(*args, **kwargs):
        raise MUJOCO_UNKNOWN  # MjModel.from_xml_path under ulimit -v 950000

    monkeypatch.setattr(gym, "make", make)
    with pytest.raises(ValueError) as err:
        evaluation._make_env("Hopper-v5")
    said = str(err.value)
    assert said.startswith("not enough memory to create the Hopper-v5 simulator (address-space "
                           f"limit ulimit -v = {LIMIT_KB} kB)")  # fmt: skip
    assert "raise the limit (ulimit -v unlimited" in said


def test_an_unmapped_library_under_a_limit_names_the_limit_not_the_install(limited, monkeypatch):
    def failing(name, package=None):
        raise UNMAPPED

    monkeypatch.setattr(importlib, "import_module", failing)
    with pytest.raises(BrokenDependencyError) as err:
        import_dependency("matplotlib")
    said = str(err.value)
    assert said.startswith(
        f"not enough memory to import matplotlib (address-space limit ulimit -v = {LIMIT_KB} kB)"
    )
    assert "failed to map segment" in said and "ulimit -v unlimited" in said
    assert "reinstall" not in said and "numpy version mismatch" not in said


def test_a_collection_worker_out_of_memory_names_the_limit(limited, monkeypatch):
    class FatalError(Exception):  # mujoco.FatalError
        pass

    def make(*args, **kwargs):
        raise FatalError("Error: engine error: Could not allocate memory")

    monkeypatch.setattr(gym, "make", make)
    with pytest.raises(ValueError) as err:
        generate.collect_episodes(
            "Hopper-v5", 10, lambda obs: obs, rng=np.random.default_rng(0), progress=False
        )
    assert str(err.value).startswith(
        f"not enough memory to create the Hopper-v5 simulator (address-space limit ulimit -v = "
        f"{LIMIT_KB} kB)"
    )


def _limit_as(kb: int):
    def set_limit():
        resource.setrlimit(resource.RLIMIT_AS, (kb * 1024, resource.RLIM_INFINITY))

    return set_limit


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS as Linux keeps it")
def test_a_script_whose_imports_run_out_of_address_space_says_so_in_one_line(tmp_path):
    env = {**os.environ, "PYTHONPATH": python_path(), "OMP_NUM_THREADS": "1"}
    env.pop("RAMBO_ENV_TRACEBACK", None)
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "cotrain.py"), "--help"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
        preexec_fn=_limit_as(300_000),
    )  # fmt: skip
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    if lines[0].startswith("[cotrain] note: the address-space limit"):  # probe 137: said first
        lines = lines[1:]
    assert lines[0].startswith("error: not enough memory to import ")
    assert "(address-space limit ulimit -v = 300000 kB)" in lines[0]
    assert lines[1:] == ["(RAMBO_ENV_TRACEBACK=1 shows the traceback)"]


def test_the_import_window_hands_the_excepthook_back(monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    monkeypatch.setattr(requirements, "_hosted", lambda frame: False)  # as `python cotrain.py`
    requirements.interrupt_quietly_while_importing("cotrain", "__main__")
    assert sys.excepthook is not sys.__excepthook__
    requirements.end_import_window()
    assert sys.excepthook is sys.__excepthook__
