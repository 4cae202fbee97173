"""Shared fixtures. Tests run torch single-threaded: two busy torch processes on a 2-core machine
collapse (OpenMP spin), and single-threaded results are reproducible."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")

import logging
import signal
import warnings

import numpy as np
import pytest
import torch

torch.set_num_threads(1)


def _cache_bytecode() -> None:
    """Bytecode caches for the suite even where ``PYTHONDONTWRITEBYTECODE`` is set (containers
    and CI images often set it; this project's machines do): without them every pytest-xdist
    worker rewrites and compiles all ~690 test modules again (25 s of each worker's collection,
    11 s with the caches) and each of the suite's ~360 child processes compiles the package's
    modules again (≈ 0.25 s each). The caches are Python's own ``__pycache__`` folders (ignored by
    git, left out of the sdist); child processes inherit the setting through the environment.
    Existing caches are read either way: the variable only stops writing them."""
    if sys.dont_write_bytecode:
        sys.dont_write_bytecode = False
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


_cache_bytecode()

#: Host memory one pytest-xdist worker may need at its peak (a worker holds torch, SB3, Ray's
#: client and compiled graphs; the heaviest tests start child processes of their own; session 57:
#: 1.2 GB the largest process of a whole run).
WORKER_MEMORY_BYTES = 2 * 2**30


@pytest.hookimpl(optionalhook=True)  # probe 57a: without pytest-xdist, an unknown hook stopped
def pytest_xdist_auto_num_workers(config) -> int | None:  # every pytest run (INTERNALERROR)
    """``pytest -n auto`` (the README's test command): one worker per core this process may use
    (its CPU affinity, cgroup CPU quota and ``SLURM_CPUS_PER_TASK``: ``allocated_cores``, which
    the runs' thread choice uses too; xdist's own count is the affinity, or psutil's physical
    cores where psutil is installed), fewer where the memory the workers share (the host's free
    memory, the cgroup's room) does not hold :data:`WORKER_MEMORY_BYTES` each, at least one. Each
    worker runs torch on one thread (``OMP_NUM_THREADS=1`` above), so workers never share a
    core's OpenMP threads. ``PYTEST_XDIST_AUTO_NUM_WORKERS`` set to a number decides, as in
    xdist; set to anything else it is said to be ignored and this count is used."""
    from rambo_env.host_limits import allocated_cores, shared_memory_bytes

    wanted = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS")
    if wanted is not None and wanted.strip():
        try:
            int(wanted.strip())
        except ValueError:
            # probe 57a: xdist's own warning then used its own count (the affinity only)
            warnings.warn(
                pytest.PytestConfigWarning(
                    f"PYTEST_XDIST_AUTO_NUM_WORKERS={wanted!r} is not a number of workers: "
                    "ignored; one worker per allocated core (unset it, or give a number)"
                ),
                stacklevel=1,
            )
        else:
            return None  # xdist's own hook reads it
    workers, _ = allocated_cores()
    room = shared_memory_bytes()
    if room is not None:
        workers = min(workers, room // WORKER_MEMORY_BYTES)
    return max(1, workers)


@pytest.fixture(autouse=True)
def _isolated_storage(tmp_path_factory, monkeypatch):
    """Point Minari's dataset root and the model cache at temporary folders (Minari's own habit),
    and SB3's logger folder too: the tests that build plain SB3 agents (``SAC("MlpPolicy", env)``,
    the mistakes the project's checks refuse) would each leave an empty ``<tmp>/SB3-<date>``
    folder per ``learn`` (issue 14: 1525 in /tmp); child processes inherit it."""
    root = tmp_path_factory.mktemp("storage")
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root / "minari"))
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(root / "cache"))
    monkeypatch.setenv("SB3_LOGDIR", str(root / "sb3"))
    _fresh_once_only_warnings(monkeypatch)
    yield
    torch.set_num_threads(1)  # a main job run in-process picks its own thread count


@pytest.fixture(autouse=True)
def _ctrl_c_as_in_a_terminal():
    """Each test starts with Python's own Ctrl-C handler, whatever the test runner inherited:
    CI starts pytest in the background (``setsid nohup … &``), where SIGINT is ignored, and an
    ignored SIGINT stays ignored in a run (probe 108 row 21), so the tests that send SIGINT would
    otherwise depend on how the suite was started. Child processes a test starts get SIGINT's
    default action, so a Python child gets its Ctrl-C handler too. SIGTERM starts at its default
    action too: an earlier test's ``ray.init`` leaves Ray's own SIGTERM handler (``sys.exit``)
    installed, which a run then leaves alone as a caller's handler (session 43's full run).
    Restored afterwards."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    previous_term = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    yield
    signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
    signal.signal(signal.SIGTERM, signal.SIG_DFL if previous_term is None else previous_term)


def _fresh_once_only_warnings(monkeypatch) -> None:
    """Each test starts with no "said once per process" warning said yet, so whether a test sees
    one does not depend on which tests ran before it in the same process (session 29: the
    env-override warning of a pair an earlier test had used was missing in the full run)."""
    from rambo_env import curves, evaluation, user_paths
    from rambo_env.data import loaders
    from rambo_env.envs import model_env

    monkeypatch.setattr(evaluation, "_WARNED_OTHER_ENV", set())
    monkeypatch.setattr(loaders, "_WARNED_ENV_OVERRIDE", set())
    monkeypatch.setattr(user_paths, "_RELATIVE_SAID", set())  # note_relative's
    monkeypatch.setattr(curves, "_SAID_DAMAGED", set())
    monkeypatch.setattr(model_env, "_SAID_MADE", set())
    # the process's claims of notes (sockets its SubprocVecEnv workers see: probe 139): dropped
    # with the test's dict, so they close after it
    monkeypatch.setattr(model_env, "_CLAIMS", {})


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture
def read_only(monkeypatch):
    """``read_only(folder)``: writing a temp file in ``folder`` fails with EROFS, as on a
    read-only mount (root ignores permission bits, so ``chmod`` cannot make one here)."""
    import errno
    import tempfile
    from pathlib import Path

    folders: set[Path] = set()
    real = tempfile.TemporaryFile

    def temporary_file(*args, dir=None, **kwargs):
        if dir is not None and Path(dir) in folders:
            raise OSError(errno.EROFS, "Read-only file system")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", temporary_file)
    return lambda folder: folders.add(Path(folder))


@pytest.fixture
def inductor_cache_log():
    """The messages torch's ``torch._inductor.codecache`` logger emits during the test (its
    "fx graph cache unable to load compiled graph" warnings: probes 142, 143)."""
    lines: list[str] = []

    class _Shown(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    handler = _Shown()
    log = logging.getLogger("torch._inductor.codecache")
    log.addHandler(handler)
    yield lines
    log.removeHandler(handler)


@pytest.fixture(params=["aot_eager", pytest.param("inductor", marks=pytest.mark.slow)])
def compile_backend(request, monkeypatch) -> str:
    """The ``torch.compile`` backend of the test's compiled functions (``rambo_env.compile``).

    For tests of how and when a function compiles (a setting, a resume, a parameter group, a
    frozen parameter or a shared features extractor inside the step): by default
    ``aot_eager`` — dynamo's graph capture, ``fullgraph`` and AOTAutograd's functionalisation
    run as in a real compile, then eager kernels — and with ``-m slow`` inductor too (the
    ``[inductor]`` cases: ``pytest -m slow -k inductor``). A cold inductor compile of a tiny
    graph costs 5-10 s here (session 61, cold cache, one process: the first four such tests
    160 s with inductor, 27 s with ``aot_eager``; in the suite they held ≈ 150 s of test
    time); what inductor's kernels compute is checked by one test per compiled function
    comparing its numbers with eager ones (the adversary's loss and whole step, fp32 and bf16;
    the MLE loss and step; SAC's fused losses and whole step), which keep it."""
    from rambo_env import compile as compile_mod

    monkeypatch.setattr(compile_mod, "_BACKEND", request.param)
    return request.param
