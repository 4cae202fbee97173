"""Probe 102 rows 6, 10, 22, 23: the collection workers' pool under a cluster's limits: a full
/dev/shm, a per-user process limit (``ulimit -u``) that stops a worker process or a pool thread
from starting (a hang), and a scheduler's SIGUSR1 reaching the workers."""

from __future__ import annotations

import concurrent.futures.process as cf_process
import errno
import threading
from concurrent.futures import Future

import pytest

from rambo_env.data import generate
from tests.scripts import REPO, run_python


def test_a_full_dev_shm_is_named_with_workers_1_as_the_way_out(monkeypatch):
    # probe 102 row 10: was "error: [Errno 28] No space left on device", naming nothing
    class FullShm:
        def Value(self, *args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(generate.mp, "get_context", lambda method: FullShm())
    with pytest.raises(OSError, match=r"/dev/shm.*--workers 1") as err:
        generate.collect_episodes_parallel("Hopper-v5", 10, None, seed=0, n_workers=2)
    assert err.value.errno == errno.ENOSPC


def test_a_worker_process_that_cannot_start_names_the_process_limit(monkeypatch):
    # probe 102 row 22: was "error: [Errno 11] Resource temporarily unavailable"
    class NoProcesses:
        def __init__(self, *args, **kwargs):
            self._processes = {}

        def submit(self, *args, **kwargs):
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")

        def shutdown(self, **kwargs):
            pass

    monkeypatch.setattr(generate, "ProcessPoolExecutor", NoProcesses)
    with pytest.raises(OSError, match=r"per-user process limit.*--workers 1") as err:
        generate.collect_episodes_parallel("Hopper-v5", 10, None, seed=0, n_workers=2)
    assert err.value.errno == errno.EAGAIN


def test_a_pool_whose_thread_cannot_start_fails_and_does_not_wait(monkeypatch, capsys):
    # probe 102 row 23: the pool's manager thread died on "can't start new thread" and the main
    # process polled futures that never finished (> 10 minutes, killed by hand)
    def manager_dies():
        raise RuntimeError("can't start new thread")

    class DeadManager:
        def __init__(self, *args, **kwargs):
            self._processes = {}
            self._executor_manager_thread = threading.Thread(target=manager_dies, daemon=True)

        def submit(self, *args, **kwargs):
            if self._executor_manager_thread.ident is None:
                self._executor_manager_thread.start()  # dies at once, as under ulimit -u
            return Future()  # never done

        def shutdown(self, **kwargs):
            pass

    monkeypatch.setattr(generate, "ProcessPoolExecutor", DeadManager)
    outcome: list[BaseException] = []

    def collect() -> None:
        try:
            generate.collect_episodes_parallel(
                "Hopper-v5", 10, None, seed=0, n_workers=2, progress=False
            )
        except BaseException as err:
            outcome.append(err)

    worker = threading.Thread(target=collect, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "the poll waited on a pool that can never finish"
    assert isinstance(outcome[0], OSError) and "ulimit -u" in str(outcome[0]), outcome
    assert "Exception in thread" not in capsys.readouterr().err


def test_a_manager_thread_that_cannot_start_is_one_clear_error(monkeypatch):
    # probe 102 row 23: was "RuntimeError: cannot join thread before it is started" (the
    # shutdown's join of the thread whose start had failed), over the real error
    def no_start(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(cf_process._ExecutorManagerThread, "start", no_start)
    with pytest.raises(OSError, match=r"cannot start the 2 collection worker processes.*ulimit -u"):
        generate.collect_episodes_parallel(
            "Hopper-v5", 10, None, seed=0, n_workers=2, progress=False
        )


def test_a_collection_worker_ignores_sigusr1(tmp_path):
    # probe 102 row 6: a scheduler's SIGUSR1 reaches the whole job step: it killed the workers
    code = (
        "import os, signal\n"
        "from rambo_env.data.generate import _start_worker\n"
        "_start_worker(None)\n"
        "os.kill(os.getpid(), signal.SIGUSR1)\n"
        "print('alive')\n"
    )
    done = run_python(code, cwd=REPO, timeout=120)
    assert done.returncode == 0 and "alive" in done.stdout, done
