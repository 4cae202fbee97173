"""Probe 150 row "SubprocVecEnv of RamboModel envs on macOS": the note-once claim was a Linux
abstract socket, and off Linux there was none (``None``), so the main process and the rank-0
worker each said the model-returns note (2x; 4x with a hand-built SubprocVecEnv of 3 workers).
Off Linux the claim is now an ``fcntl.flock`` on a file in the temp folder; tested here on Linux
with the module's platform check patched to macOS."""

from __future__ import annotations

import os
import sys
import types

import pytest

from rambo_env.envs import model_env
from tests.scripts import run_python

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file locks")

AS_MAC = """
import sys, types
from rambo_env.envs import model_env

class _Sys(types.ModuleType):
    def __getattr__(self, name):
        return getattr(sys, name)

fake = _Sys("sys")
fake.platform = "darwin"
model_env.sys = fake
"""


def _as_mac(monkeypatch) -> None:
    class _Sys(types.ModuleType):
        def __getattr__(self, name):
            return getattr(sys, name)

    fake = _Sys("sys")
    fake.platform = "darwin"
    monkeypatch.setattr(model_env, "sys", fake)


def test_off_linux_the_first_claimant_of_a_process_tree_alone_speaks(tmp_path, monkeypatch):
    _as_mac(monkeypatch)
    key = ("returns", f"probe150-{os.getpid()}")
    assert model_env._claim_in_tree(key, os.getpid()) is True  # was: None (no claim off Linux)
    claim = model_env._CLAIMS[key]
    assert os.path.exists(claim.path)
    child = AS_MAC + (
        f"print(model_env._claim_in_tree({key!r}, {os.getpid()}))\n"
        f"print(model_env._claim_in_tree(('returns', 'probe150-other'), {os.getpid()}))\n"
    )
    done = run_python(child, tmp_path)
    assert done.stdout.split() == ["False", "True"], done.stderr  # a worker of this tree: quiet
    model_env._CLAIMS.pop(key).close()
    assert not os.path.exists(claim.path)  # the maker removes its file
    done = run_python(child, tmp_path)
    assert done.stdout.split()[0] == "True", done.stderr  # the claimant gone: claimed anew


def test_off_linux_the_caller_process_and_a_worker_say_the_note_once(tmp_path, monkeypatch):
    _as_mac(monkeypatch)
    key = ("k", f"probe150-{os.getpid()}-said", 200)
    assert model_env._said_in_tree(key) is False  # the caller's process: the first, it speaks
    worker = AS_MAC + (
        "model_env._in_subproc_worker = lambda: True\n"
        f"model_env._tree_root = lambda: {os.getpid()}\n"
        f"print(model_env._said_in_tree({key!r}))\n"
    )
    done = run_python(worker, tmp_path)
    assert done.stdout.split() == ["True"], done.stderr  # was: False (said again by rank 0)
