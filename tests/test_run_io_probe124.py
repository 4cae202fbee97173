"""Probe 124 (a lab sharing one machine): a full disk under the model cache was a bare
"[Errno 28] No space left on device" naming no file (the PID write into the ``.pt.lock`` failed
and the lock's close() raised again); a ``.lock`` with one word more than a reader knows was read
as no lock, so that reader took over a live run's folder."""

from __future__ import annotations

import errno
import os
import subprocess

import pytest

from rambo_env import run_io
from rambo_env.data.minari_io import _generation_lock_path, generation_lock
from rambo_env.dynamics.io import cache_lock


def _full_disk_for_locks(monkeypatch):
    """Every write into a ``*.lock`` file fails as on a full disk (ENOSPC)."""
    real = os.write

    def write(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".lock"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)


def test_a_full_disk_under_the_model_cache_names_the_lock_file(tmp_path, monkeypatch):
    _full_disk_for_locks(monkeypatch)
    model = tmp_path / "dynamics-0123.pt"
    with pytest.raises(run_io.WriteFailedError) as err, cache_lock(model):
        pytest.fail("the lock was taken on a full disk")
    assert err.value.errno == errno.ENOSPC
    message = str(err.value)
    assert f"{model}.lock: not written: the disk holding {tmp_path} is full" in message
    assert "free some space there (or write elsewhere: RAMBO_ENV_CACHE)" in message
    assert not os.path.lexists(f"{model}.lock")  # nothing left behind
    monkeypatch.undo()  # space freed: the next process takes it
    with cache_lock(model):
        assert os.path.exists(f"{model}.lock")


def test_a_full_disk_under_a_dataset_generation_lock_names_it(tmp_path, monkeypatch):
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path))
    _full_disk_for_locks(monkeypatch)
    with pytest.raises(run_io.WriteFailedError, match="MINARI_DATASETS_PATH") as err:
        with generation_lock("rambo/hopper/random-v0"):
            pytest.fail("the lock was taken on a full disk")
    assert str(_generation_lock_path("rambo/hopper/random-v0")) in str(err.value)
    assert not _generation_lock_path("rambo/hopper/random-v0").exists()


@pytest.mark.parametrize("extra", ["future=1", "future=1 other=x:y"])
def test_a_lock_with_future_key_value_words_still_names_its_process(tmp_path, extra):
    holder = subprocess.Popen(["sleep", "60"])
    try:
        known = (
            f"{holder.pid} {run_io.process_start(holder.pid)} "
            f"{run_io.folder_identity(tmp_path)} {run_io.lock_place()}"
        )
        text = f"{known} {extra}"
        assert run_io._parse_lock(text) == run_io._parse_lock(known)
        assert run_io._live_lock_pid(text) == holder.pid
        lock = tmp_path / run_io.LOCK_NAME
        lock.write_text(text)
        # a live holder whose lock carries words this code does not know is not taken over
        with pytest.raises(run_io.FolderInUseError, match=f"in use by {holder.pid}"):
            with run_io.hold_folder(tmp_path, "in use by {pid}"):
                pytest.fail("a live lock was taken over")
        assert lock.read_text() == text
    finally:
        holder.kill()
        holder.wait()
