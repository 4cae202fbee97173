"""Run-folder I/O: atomic writes, JSON safety, checkpoints, RNG states, learning curve."""

from __future__ import annotations

import errno
import io
import json
import math
import os
import random
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from rambo_env.run_io import (
    WriteFailedError,
    atomic_write,
    default_run_dir,
    get_rng_state,
    load_checkpoint,
    plot_learning_curve,
    save_checkpoint,
    set_rng_state,
    write_json,
)
from tests.scripts import load_script, python_path


def test_failed_write_keeps_previous_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "results.json"
    write_json(path, {"a": 1})

    def broken(tmp):
        tmp.write_text("half")
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        atomic_write(path, broken)
    assert json.loads(path.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_a_full_disk_names_the_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = save_checkpoint(tmp_path / "checkpoint.pt", {"step": torch.tensor(1)})

    def disk_full(obj, f):
        f.write(b"half")  # torch.save writes into the open temp file, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m, pytest.raises(WriteFailedError) as info:
        m.setattr(torch, "save", disk_full)
        save_checkpoint(path, {"step": torch.tensor(2)})  # was torch's / the OS's raw message
    message = str(info.value)
    assert message.startswith(f"{path}: not written: the disk holding {tmp_path} is full"), message
    assert "free some space" in message and "[Errno" not in message and "\n" not in message
    assert isinstance(info.value, OSError) and info.value.errno == errno.ENOSPC
    assert load_checkpoint(path)["step"].item() == 1  # the previous file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]  # no temp file

    def no_permission(tmp):
        raise PermissionError(errno.EACCES, "Permission denied")

    with pytest.raises(OSError, match=r"results.json: not written \(Permission denied\); check"):
        atomic_write(tmp_path / "results.json", no_permission)
    with pytest.raises(OSError, match=r"x.json: not written \(.*\); check that .*checkpoint.pt is"):
        write_json(path / "x.json", {})  # a folder that is a file
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
def test_torch_save_into_a_full_device_is_the_os_error():
    from pathlib import Path

    from rambo_env.run_io import _torch_save

    with pytest.raises(OSError) as info:  # torch.save(path) says "unexpected pos 704 vs 598"
        _torch_save({"x": torch.zeros(100_000)}, Path("/dev/full"))
    assert info.value.errno == errno.ENOSPC


def test_a_disk_that_fills_during_a_checkpoint_is_the_os_error(tmp_path, monkeypatch):
    """On a real disk (tmpfs) the first records fit and a later one fails: torch's zip writer then
    raised "[enforce fail at inline_container.cc:672] . unexpected pos …" over the OSError when
    it closed the archive (a raw traceback, exit 1, from cotrain's first checkpoint)."""
    from rambo_env import run_io

    class FillsUp(io.FileIO):
        def write(self, data):
            if self.tell() + len(data) > 4096:
                raise OSError(errno.ENOSPC, "No space left on device")
            return super().write(data)

    monkeypatch.setattr(run_io, "open", lambda path, mode: FillsUp(path, "w"), raising=False)
    with pytest.raises(OSError, match=r"checkpoint.pt: not written: the disk holding .* is full"):
        save_checkpoint(tmp_path / "checkpoint.pt", {"x": torch.zeros(100_000)})
    assert list(tmp_path.iterdir()) == []  # no temp file


def test_json_non_finite_and_numpy_values(tmp_path):
    path = write_json(
        tmp_path / "x.json",
        {"q": [1.0, math.nan, math.inf], "n": np.int64(3), "arr": np.arange(2.0), "p": tmp_path},
    )
    assert json.loads(path.read_text()) == {
        "q": [1.0, None, None],
        "n": 3,
        "arr": [0.0, 1.0],
        "p": str(tmp_path),
    }


def test_rng_state_round_trip_through_weights_only_checkpoint(tmp_path):
    random.seed(1), np.random.seed(2), torch.manual_seed(3)  # noqa: NPY002 (global RNGs SB3 uses)
    gen = np.random.default_rng(4)
    save_checkpoint(tmp_path / "c.pt", {"rng": get_rng_state(), "gen": gen.bit_generator.state})
    expected = (
        random.random(),
        np.random.rand(3),  # noqa: NPY002
        torch.rand(2),
        gen.random(),
    )
    state = load_checkpoint(tmp_path / "c.pt")  # weights_only=True
    set_rng_state(state["rng"])
    gen.bit_generator.state = state["gen"]
    assert random.random() == expected[0]
    np.testing.assert_array_equal(np.random.rand(3), expected[1])  # noqa: NPY002
    assert torch.equal(torch.rand(2), expected[2])
    assert gen.random() == expected[3]
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load_checkpoint(tmp_path / "missing.pt")


def test_learning_curve_png_and_run_dir_name(tmp_path):
    path = plot_learning_curve(
        tmp_path / "curve.png", [0, 10, 20], [1.0, None, 3.0], [1.0, math.nan, None, 2.0], title="t"
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    name = default_run_dir("/data/my-set.npz", "td3", 7).name
    # probe 36: a Minari id's stem "random-v0" dropped the env
    assert default_run_dir("rambo/walker2d/random-v0", "sac", 0).name.startswith(
        "walker2d-random-v0-sac-"
    )
    assert default_run_dir("data/hopper-medium.hdf5", "sac", 0).name.startswith("hopper-medium-sac")
    assert name.startswith("my-set-td3-") and name.endswith("-s7")


def test_a_stale_lock_whose_pid_was_reused_does_not_block_the_folder(tmp_path):
    """Probe 9: a run killed outright (SIGKILL, OOM, a reboot) leaves ``.lock``; once its PID
    belongs to another process the folder was "in use by process N" for good. The lock now
    records the holder's start time, and a live PID that started at another time is stale."""
    import subprocess
    import sys

    from rambo_env.run_io import LOCK_NAME, claim_run_dir, process_start, run_holder

    run = tmp_path / "run"
    run.mkdir()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        start = process_start(other.pid)
        if start is None:
            pytest.skip("no /proc: process start times are unknown here")
        (run / LOCK_NAME).write_text(f"{other.pid} {start}")  # really held by `other`
        assert run_holder(run) == other.pid
        with pytest.raises(ValueError, match=f"in use by process {other.pid}") as err:
            with claim_run_dir(run):
                pass  # probe 29: an old 1-field lock with a reused PID: the file to remove named
        assert f"its PID was reused: remove {run / LOCK_NAME})" in str(err.value)
        (run / LOCK_NAME).write_text(f"{other.pid} {int(start) - 1}")  # its PID, reused
        assert run_holder(run) is None
        with claim_run_dir(run):  # taken over
            assert (run / LOCK_NAME).read_text().split()[0] != str(other.pid)
    finally:
        other.kill()
        other.wait()


def test_a_lock_copied_with_a_live_runs_folder_does_not_block_the_copy(tmp_path, capsys):
    """Probe 28: resuming a ``cp -r`` copy of a run still training said "runs/livecopy is in use
    by process N; wait for it": the copied ``.lock`` named the original's process, which does
    not use the copy. The lock records its folder now; a copied one is taken over, said so."""
    import shutil
    import subprocess
    import sys

    from rambo_env.run_io import LOCK_NAME, claim_run_dir, run_holder

    run, copy = tmp_path / "run", tmp_path / "livecopy"
    holder = (  # a live run holding `run`, with this checkout's code
        "import sys, time\n"
        "from rambo_env.run_io import claim_run_dir\n"
        "with claim_run_dir(sys.argv[1]):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(60)\n"
    )
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    other = subprocess.Popen(
        [sys.executable, "-c", holder, str(run)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert other.stdout.readline().strip() == "held"
        shutil.copytree(run, copy)  # cp -r runs/live runs/livecopy, .lock included
        assert (copy / LOCK_NAME).read_text() == (run / LOCK_NAME).read_text()
        assert run_holder(run) == other.pid and run_holder(copy) is None
        with pytest.raises(ValueError, match=f"in use by process {other.pid}"):
            with claim_run_dir(run):  # the original is still held
                pass
        with claim_run_dir(copy):  # the copy is not: its lock is taken over
            assert (copy / LOCK_NAME).read_text().split()[0] == str(os.getpid())
        assert "was copied with its folder from the run of process" in capsys.readouterr().out
        assert run_holder(run) == other.pid  # the original's lock is untouched
    finally:
        other.kill()
        other.wait()
        other.stdout.close()  # probe 128: was a ResourceWarning (unclosed file) under -W error


def test_claim_run_dir_locks_takes_over_stale_locks_and_cleans_up(tmp_path):
    import os
    import subprocess
    import sys

    from rambo_env.run_io import LOCK_NAME, claim_run_dir

    run = tmp_path / "run"
    with claim_run_dir(run):
        assert (run / LOCK_NAME).read_text().split()[0] == str(os.getpid())
    assert not (run / LOCK_NAME).exists()

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (run / LOCK_NAME).write_text(str(other.pid))
        with pytest.raises(ValueError, match=f"in use by process {other.pid}"):
            with claim_run_dir(run):
                pass
    finally:
        other.kill()
        other.wait()
    (run / ".checkpoint.pt.abc.tmp").write_text("partial")  # a kill -9 during a write
    with claim_run_dir(run):  # the holder is gone: stale lock taken over, strays removed
        assert not (run / ".checkpoint.pt.abc.tmp").exists()

    fresh = tmp_path / "fresh"
    with pytest.raises(RuntimeError):
        with claim_run_dir(fresh):
            raise RuntimeError("failed before writing anything")
    assert not fresh.exists()  # nothing left behind
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(ValueError, match="not a folder"):
        with claim_run_dir(a_file):
            pass


def test_a_folder_where_the_file_goes_is_named_not_blamed_on_the_disk(tmp_path):
    """Probe 12: a folder at a cached model's path (a copy tool, by hand) made every run retrain
    and warn "not written (Is a directory); check that … is a writable folder with free space"."""
    (tmp_path / "x.json").mkdir()
    with pytest.raises(WriteFailedError, match=r"x.json: not written: a folder is where the file"):
        write_json(tmp_path / "x.json", {"a": 1})
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]  # no temp file


def test_atomic_write_gives_files_the_mode_a_plain_write_would(tmp_path):
    """Issue 14 probe: every output (config, checkpoint, dataset, model cache) was 0600
    (mkstemp's mode), unreadable by other users whatever the umask."""
    import os

    from rambo_env.run_io import atomic_write, write_json

    old = os.umask(0o022)
    try:
        assert write_json(tmp_path / "a.json", {}).stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "b.json"
        kept.write_text("{}")
        kept.chmod(0o640)
        atomic_write(kept, lambda tmp: tmp.write_text("[]"))
        assert kept.stat().st_mode & 0o777 == 0o640  # a replaced file keeps its mode
    finally:
        os.umask(old)


def test_claim_run_dir_refuses_a_folder_of_foreign_files_and_leaves_it_untouched(tmp_path):
    """Issue 14: ``--run-dir .`` (or ``--run-dir ''``) in a project folder emptied it."""
    from rambo_env.run_io import claim_run_dir

    (tmp_path / "README.md").write_text("mine")
    (tmp_path / "src").mkdir()
    (tmp_path / ".notes.tmp").write_text("also mine")
    with pytest.raises(ValueError, match=r"holds files that are not a run's \(README.md, src\)"):
        with claim_run_dir(tmp_path):
            pass
    assert sorted(p.name for p in tmp_path.iterdir()) == [".notes.tmp", "README.md", "src"]
    (tmp_path / "config.json").write_text("{}")  # a run folder (e.g. with a user's notes): claimed
    with claim_run_dir(tmp_path):
        pass


def test_claim_run_dir_names_a_dangling_link(tmp_path):
    """Issue 14 probe: it said "cannot create …: File exists"."""
    from rambo_env.run_io import claim_run_dir

    (tmp_path / "run").symlink_to(tmp_path / "gone")
    with pytest.raises(
        ValueError, match=r"run_dir: .*run is a link to .*gone, which does not exist"
    ):
        with claim_run_dir(tmp_path / "run"):
            pass
    # probe 11: a run folder under such a link said "cannot create … (File exists)"
    with pytest.raises(ValueError, match=r"run/x \(its folder .*run\) is a link to .*gone"):
        with claim_run_dir(tmp_path / "run" / "x"):
            pass


def test_claim_run_dir_that_cannot_be_created_is_a_value_error_and_leaves_no_parents(
    tmp_path, monkeypatch
):
    from rambo_env.run_io import claim_run_dir

    a_file = tmp_path / "file"
    a_file.write_text("x")
    for bad in (a_file / "run", tmp_path / ("x" * 300), tmp_path / "ok" / ("y" * 300) / "run"):
        with pytest.raises(ValueError, match="run_dir: cannot create"):
            with claim_run_dir(bad):
                pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # "ok" removed again
    # probe 25: a relative folder (the default runs/…) named neither the cwd nor --run-dir
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=rf"cannot create file/run \(in the current folder "
                       rf"{tmp_path}\) .*pick a folder you can write \(--run-dir\)"):  # fmt: skip
        with claim_run_dir(Path("file/run")):
            pass
    nested = tmp_path / "new1" / "new2" / "run"
    with pytest.raises(RuntimeError):
        with claim_run_dir(nested):
            raise RuntimeError("the dataset failed to load")
    assert not (tmp_path / "new1").exists()  # was: new1/new2 left behind
    (tmp_path / "kept").mkdir()
    with pytest.raises(RuntimeError):
        with claim_run_dir(tmp_path / "kept" / "run"):
            raise RuntimeError("failed")
    assert (tmp_path / "kept").is_dir()  # a folder that was there before stays


def test_claim_run_dir_in_a_read_only_folder_is_a_value_error(tmp_path, monkeypatch):
    import errno

    from rambo_env import run_io

    def read_only(path, flags, *args):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(run_io.os, "open", read_only)  # chmod does not stop root
    with pytest.raises(ValueError, match=r"run_dir: cannot write .*\.lock.*Permission denied"):
        with run_io.claim_run_dir(tmp_path / "new" / "run"):
            pass
    assert not (tmp_path / "new").exists()  # the folders it made are removed again


def test_default_run_dir_skips_a_taken_name(tmp_path):
    from rambo_env.run_io import default_run_dir

    first = default_run_dir("hopper-medium", "sac", 0, root=tmp_path)
    first.mkdir()
    second = default_run_dir("hopper-medium", "sac", 0, root=tmp_path)
    assert second != first and second.name.endswith(("-2", "-s0"))


def test_a_damaged_checkpoint_names_the_file_and_never_advises_an_unsafe_load(tmp_path):
    from rambo_env.run_io import load_checkpoint

    path = tmp_path / "checkpoint.pt"
    path.write_bytes(b"\x80\x04not a torch zip")
    with pytest.raises(ValueError, match=r"checkpoint\.pt: unreadable checkpoint") as info:
        load_checkpoint(path)
    assert "weights_only" not in str(info.value)
    # probe 53: diagnose.py / load_session were told only that the run "cannot resume"
    assert "neither be resumed nor inspected from it (--resume, diagnose.py, load_session)" in (
        str(info.value)
    )


def test_torch_processes_finds_another_torch_process_and_threads_are_shared(monkeypatch):
    import subprocess
    import sys

    from rambo_env import run_io

    child = subprocess.Popen(
        [sys.executable, "-c", "import torch, sys; print('up', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "up"  # torch imported
        assert child.pid in run_io.torch_processes()
        assert os.getpid() not in run_io.torch_processes()
        # the list frozen as found: under `pytest -n auto` the other worker's tests start and end
        # torch processes between two calls (probe 57a: 1 of 385 pairs of counts disagreed)
        from rambo_env import host_limits

        found = run_io.torch_processes()
        assert child.pid in found
        monkeypatch.setattr(host_limits, "torch_processes", lambda: found)
        monkeypatch.setattr(run_io.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
        threads, why = run_io.resolve_torch_threads(None)
        others = len(found)
        assert threads == max(1, 2 // (1 + others)) and f"with {others} other torch" in why
        assert str(child.pid) in why or others > 5  # the first five PIDs are named
    finally:
        child.stdin.close()
        child.wait(timeout=30)
        child.stdout.close()  # probe 128: was a ResourceWarning (unclosed file) under -W error
    monkeypatch.setattr(host_limits, "torch_processes", lambda: [])
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert run_io.resolve_torch_threads(None) == (2, "auto: 2 core(s), no other torch process")
    assert run_io.resolve_torch_threads(2) == (2, "as configured")
    threads, why = run_io.resolve_torch_threads(3)  # still used, but said to be too many
    assert threads == 3 and why.startswith("as configured; more than the 2 usable core(s)")


def test_auto_torch_threads_keep_to_omp_num_threads(monkeypatch):
    """Probe 52: ``OMP_NUM_THREADS=1 cotrain.py`` ran 2 torch threads ("auto: 2 core(s), no
    other torch process") without a word, and ``OMP_NUM_THREADS=abc`` was ignored silently.
    Auto now stays at or below the variable, and says so; an explicit count still wins."""
    from rambo_env import run_io

    monkeypatch.setattr(run_io.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    from rambo_env import host_limits

    monkeypatch.setattr(host_limits, "torch_processes", lambda: [])
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert run_io.resolve_torch_threads(None) == (
        1,
        "OMP_NUM_THREADS=1, below auto's 2 (auto: 2 core(s), no other torch process); "
        "--torch-threads N overrides both",
    )
    assert run_io.resolve_torch_threads(2) == (2, "as configured")
    monkeypatch.setenv("OMP_NUM_THREADS", "8")  # above auto: auto's count, said (probe 64)
    assert run_io.resolve_torch_threads(None)[0] == 2
    monkeypatch.setenv("OMP_NUM_THREADS", "2")  # auto's own count: nothing to say
    assert run_io.resolve_torch_threads(None) == (2, "auto: 2 core(s), no other torch process")
    for bad in ("abc", "0", "-2"):
        monkeypatch.setenv("OMP_NUM_THREADS", bad)
        assert run_io.resolve_torch_threads(None) == (
            2,
            f"auto: 2 core(s), no other torch process; OMP_NUM_THREADS={bad!r} is not a "
            "positive int: ignored",
        )


def test_omp_num_threads_above_auto_is_said(monkeypatch):
    """Probe 64 row 54: ``OMP_NUM_THREADS=4`` above auto's 1 was dropped without a word, while
    a value below auto was said ("OMP_NUM_THREADS=1, below auto's 2")."""
    from rambo_env import run_io

    monkeypatch.setattr(run_io.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    from rambo_env import host_limits

    monkeypatch.setattr(host_limits, "torch_processes", lambda: [30652])
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    assert run_io.resolve_torch_threads(None) == (
        1,
        "auto: 2 core(s) shared with 1 other torch process(es), PID 30652; OMP_NUM_THREADS=4 "
        "is above auto's 1: auto used (--torch-threads 4 to use 4)",
    )


def test_torch_threads_beyond_four_per_core_are_refused(monkeypatch):
    """Issue 14 probe: --torch-threads 100000 made OpenMP fail with EAGAIN, then segfault."""
    from rambo_env import run_io

    monkeypatch.setattr(run_io.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(run_io.os, "cpu_count", lambda: 2)
    assert run_io.resolve_torch_threads(8)[0] == 8
    for bad in (0, 9, 100_000):
        with pytest.raises(ValueError, match=rf"torch_threads: {bad} is not in \[1, 8\]"):
            run_io.resolve_torch_threads(bad)


@pytest.mark.parametrize(
    ("value", "raised"), [("", False), ("0", False), ("off", False), ("1", True)]
)
def test_rambo_env_traceback_0_means_no_traceback(value, raised, monkeypatch, capsys):
    """Issue 14 probe: RAMBO_ENV_TRACEBACK=0 printed the traceback (any non-empty value did)."""
    from rambo_env.run_io import report_user_error

    monkeypatch.setenv("RAMBO_ENV_TRACEBACK", value)
    err = ValueError("seed: expected an int in [0, 2**31), got -1")
    if raised:
        with pytest.raises(ValueError, match="seed"):
            report_user_error(err)
    else:
        assert report_user_error(err) == 2
        assert capsys.readouterr().err.startswith("error: seed: expected an int")


def test_exit_on_interrupt_is_one_line_and_exit_130(capsys):
    """bench.py / mle_quality.py under Ctrl-C or SIGTERM (was: a raw KeyboardInterrupt traceback;
    SIGTERM killed them outright)."""
    import os
    import signal
    import time

    from rambo_env.run_io import exit_on_interrupt

    def killed():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises before this ends
        return "not reached"

    before = signal.getsignal(signal.SIGTERM)
    for call in (killed, lambda: (_ for _ in ()).throw(KeyboardInterrupt)):
        with pytest.raises(SystemExit) as exit_info:
            exit_on_interrupt("bench", "nothing written; rerun the same command", call)
        assert exit_info.value.code == 130
        assert (
            capsys.readouterr().err
            == "[bench] interrupted: nothing written; rerun the same command\n"
        )
    assert signal.getsignal(signal.SIGTERM) == before  # restored
    assert exit_on_interrupt("bench", "-", lambda: 3) == 3


def test_sighup_is_handled_like_sigterm_unless_ignored():
    """Probe 11: SIGHUP (the terminal closed, an ssh session dropped) killed a run outright,
    leaving its .lock and no results.json; it is Ctrl-C now. Under ``nohup``
    (SIGHUP ignored) it stays ignored, so the run goes on."""
    import os
    import signal

    from rambo_env.run_io import interrupts_deferred, sigterm_as_keyboard_interrupt

    before = signal.signal(signal.SIGHUP, signal.SIG_DFL)
    try:
        with pytest.raises(KeyboardInterrupt, match="SIGHUP"):
            with sigterm_as_keyboard_interrupt():
                os.kill(os.getpid(), signal.SIGHUP)
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_DFL  # restored
        with pytest.raises(KeyboardInterrupt, match="SIGHUP"):
            with interrupts_deferred("x", "held", reraise=True):
                os.kill(os.getpid(), signal.SIGHUP)  # held until the block ends
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # nohup
        with sigterm_as_keyboard_interrupt():
            os.kill(os.getpid(), signal.SIGHUP)  # ignored: no KeyboardInterrupt
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, before)


def test_a_lock_path_that_is_not_a_file_is_named_not_called_unwritable(tmp_path):
    """Probe 11: a folder (or a dangling link) at a run's ``.lock`` gave "cannot write …/.lock
    (Is a directory); pick a writable folder", for a writable folder."""
    from rambo_env.run_io import LOCK_NAME, claim_run_dir

    (tmp_path / "a" / LOCK_NAME).mkdir(parents=True)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / LOCK_NAME).symlink_to(tmp_path / "missing")
    for run, what in (("a", "is not a file"), ("b", "is a dangling link")):
        with pytest.raises(ValueError, match=f"{LOCK_NAME} {what}, but a run keeps its process"):
            with claim_run_dir(tmp_path / run):
                pass
    assert (tmp_path / "a" / LOCK_NAME).is_dir()  # left for the user to look at
    from rambo_env.run_io import hold_folder  # probe 29: a sweep folder's (was "make … writable")

    with pytest.raises(ValueError, match=f"{LOCK_NAME} is not a file, but this folder's holder"):
        with hold_folder(tmp_path / "a", "in use by {pid}"):
            pass


def test_a_run_to_resume_on_a_read_only_disk_is_told_to_copy_it(tmp_path, monkeypatch):
    """Probe 11: ``--resume`` of a run on a read-only disk said "pick a writable folder", which
    a resume cannot do; a copy of the run folder resumes (its identity is config + data)."""
    import errno

    from rambo_env import run_io

    def read_only(path, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    (tmp_path / "run").mkdir()
    (tmp_path / "run" / run_io.CONFIG_NAME).write_text("{}")
    monkeypatch.setattr(run_io.os, "open", read_only)
    with pytest.raises(ValueError, match=r"Read-only file system.*copy the run folder somewhere"):
        with run_io.claim_run_dir(tmp_path / "run"):
            pass
    with pytest.raises(ValueError, match=r"Read-only file system\); pick a writable folder"):
        with run_io.claim_run_dir(tmp_path / "new"):
            pass


def test_a_path_flag_with_a_name_too_long_is_argparses_error_naming_the_flag(capsys):
    """Probe 11: ``--ledger`` / ``toys --out`` / ``curves --out`` with a 300-byte name gave a raw
    ``OSError: [Errno 36] File name too long`` traceback; ``--sweep-dir`` / cotrain's
    ``--ledger`` a bare one naming no flag."""
    import argparse

    from rambo_env.run_io import user_path

    parser = argparse.ArgumentParser(prog="x")
    parser.add_argument("--ledger", type=user_path)
    with pytest.raises(SystemExit):
        parser.parse_args(["--ledger", "runs/" + "x" * 300])
    err = capsys.readouterr().err
    assert "argument --ledger: 'runs/xxx" in err and "a name of 300 bytes" in err, err
    assert user_path("runs/" + "x" * 255).name == "x" * 255  # the limit itself is fine


def test_a_path_flag_longer_than_the_systems_path_limit_is_named_with_the_limit(capsys):
    """Probe 31: a 4435-byte ``--run-dir`` (names of 100 bytes) said only "File name too long;
    pick a folder you can write", where a 300-byte name gives the 255-byte limit."""
    import argparse

    from rambo_env.run_io import PATH_MAX, user_path

    parser = argparse.ArgumentParser(prog="x")
    parser.add_argument("--run-dir", type=user_path)
    long = "/tmp/" + "/".join(["y" * 100] * 44)
    with pytest.raises(SystemExit):
        parser.parse_args(["--run-dir", long])
    err = capsys.readouterr().err
    assert f"is {len(long)} bytes long (as an absolute path)" in err, err
    assert f"takes paths of at most {PATH_MAX - 1} bytes; give a shorter path" in err
    assert user_path("/tmp/" + "/".join(["y" * 100] * 40))  # within the limit


def test_scripts_print_on_a_terminal_that_cannot_encode_their_characters():
    """Probe 11: on a latin-1 or ASCII terminal (``PYTHONIOENCODING=ascii``) cotrain stopped in
    its setup with ``'latin-1' codec can't encode character '\\u2014'`` and ``--help`` gave a raw
    UnicodeEncodeError traceback (λ in the help)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONPATH": python_path()}
    done = subprocess.run(
        [sys.executable, str(root / "scripts" / "cotrain.py"), "--help"],
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()[-500:]
    assert b"\\u03bb, weight of the adversarial loss" in done.stdout  # λ as an escape (probe 123)


def test_too_few_torch_threads_are_not_told_to_give_fewer():
    """Probe 11: ``--threads 0`` (``--torch-threads -3``) said "give fewer"."""
    from rambo_env.run_io import resolve_torch_threads

    for bad in (0, -3):
        with pytest.raises(
            ValueError, match=rf"torch_threads: {bad} is not in \[1, .*give at least 1"
        ):
            resolve_torch_threads(bad)


def test_check_writable_names_a_dangling_link_in_the_path(tmp_path):
    """Probe 11: ``RAMBO_ENV_CACHE`` / ``MINARI_DATASETS_PATH`` / ``--ledger`` / ``--out`` naming
    a link whose target is gone (or a folder under one) said "is not writable (File exists)"."""
    from rambo_env.run_io import check_writable

    (tmp_path / "link").symlink_to(tmp_path / "gone")
    for folder, where in ((tmp_path / "link", ""), (tmp_path / "link" / "sub", " (its folder")):
        with pytest.raises(ValueError, match=r"is a link to .*gone, which does not exist") as err:
            check_writable(folder, "X:", "fix X")
        assert where in str(err.value) and "File exists" not in str(err.value)


@pytest.mark.parametrize("text", [" ", "\t", "runs/x ", " runs/x"])
def test_a_path_with_stray_white_space_is_refused(text, monkeypatch):
    """Probe 13: ``RAMBO_ENV_CACHE=' '`` (or ``--run-dir 'runs/x '``) silently made a folder named
    ``' '`` (``'x '``) in the working directory, which a later ``--resume runs/x`` did not find."""
    import argparse

    from rambo_env.data import load_dataset
    from rambo_env.data.d4rl_io import resolve_d4rl_dir
    from rambo_env.data.minari_io import minari_dataset_path
    from rambo_env.dynamics.io import cache_dir
    from rambo_env.run_io import check_torch_compile_cache, user_path

    with pytest.raises(argparse.ArgumentTypeError, match=r"white space \(a stray space"):
        user_path(text)
    with pytest.raises(ValueError, match=r"dataset: .* white space"):  # was: "does not exist"
        load_dataset(text.replace("runs/x", "hopper-medium"), generate=False)
    for name, call in (
        ("RAMBO_ENV_CACHE", cache_dir),
        ("MINARI_DATASETS_PATH", lambda: minari_dataset_path("rambo/hopper/medium-v0")),
        ("D4RL_DATASET_DIR", resolve_d4rl_dir),
        ("TORCHINDUCTOR_CACHE_DIR", check_torch_compile_cache),
    ):
        with monkeypatch.context() as m:
            m.setenv(name, text)
            with pytest.raises(
                ValueError, match=rf"{name}: {re.escape(repr(text))} (is only|begins)"
            ):
                call()


@pytest.mark.parametrize(("text", "char"), [("runs/nl\nx", "'\\n'"), ("runs/a\x1b[Ab", "'\\x1b'")])
def test_a_path_with_a_control_character_is_refused(text, char, monkeypatch):
    """Probe 51: ``--run-dir $'runs/nl\\nx'`` was accepted: a folder with a newline in its name,
    and a "continue with" line split in two. Refused where stray white space is (path flags,
    ``--dataset``, the path variables)."""
    import argparse

    from rambo_env.data import load_dataset
    from rambo_env.data.minari_io import minari_dataset_path
    from rambo_env.dynamics.io import cache_dir
    from rambo_env.run_io import user_path

    said = f"holds a control character ({char}) (a paste accident?); give the path without it"
    with pytest.raises(argparse.ArgumentTypeError) as err:
        user_path(text)
    assert str(err.value) == f"{text!r} {said}"
    with pytest.raises(ValueError, match=rf"dataset: .* {re.escape(said)}"):
        load_dataset(text + ".npz", generate=False)
    for name, call in (
        ("RAMBO_ENV_CACHE", cache_dir),
        ("MINARI_DATASETS_PATH", lambda: minari_dataset_path("rambo/hopper/medium-v0")),
    ):
        with monkeypatch.context() as m:
            m.setenv(name, text)
            with pytest.raises(ValueError) as err:
                call()
            assert str(err.value) == f"{name}: {text!r} {said}"


def test_a_path_with_bytes_the_locale_cannot_decode_is_refused():
    """Probe 15: under ``LC_ALL=C PYTHONUTF8=0`` a non-ASCII ``--run-dir`` (its bytes kept as
    surrogates) ran the dataset load, MLE pretraining and BC, then failed in TensorBoard with
    ``'utf-8' codec can't encode …: surrogates not allowed``, naming no path."""
    import argparse

    from rambo_env.run_io import check_path_text, user_path

    with pytest.raises(argparse.ArgumentTypeError, match=r"not text in this locale.*UTF-8 locale"):
        user_path("runs/r\udcc3\udcbcn")
    # probe 36: bytes that are not UTF-8 at all (in a UTF-8 locale too): the locale advice could
    # not help, and a --dataset was said to be a path TensorBoard cannot write
    for name in ("RAMBO_ENV_CACHE", "dataset"):
        with pytest.raises(ValueError) as info:
            check_path_text("/tmp/c\udcff", name)
        assert str(info.value) == (
            f"{name}: '/tmp/c\\xff' is not valid UTF-8 (byte 0xff: a name from a Latin-1 or "
            "other older system?), and paths are kept as UTF-8 text (config.json, results.json; "
            "TensorBoard writes a run folder's path); no locale setting helps: rename the file or "
            "folder to a UTF-8 name (ASCII is safest), or give a link with such a name (ln -s)"
        )
    with pytest.raises(argparse.ArgumentTypeError, match=r"as UTF-8 it reads 'runs/rün'\)"):
        user_path("runs/r\udcc3\udcbcn")
    assert str(user_path("runs/rün")) == "runs/rün"  # real text is fine


def test_read_json_of_a_file_that_is_not_utf8_is_a_json_error(tmp_path):
    """Probe 15: was a raw ``UnicodeDecodeError``, which callers that name the file on a
    ``JSONDecodeError`` (``sweep.json``) let through as ``'utf-8' codec can't decode …``."""
    from rambo_env.run_io import read_json

    (tmp_path / "x.json").write_bytes(b'{"a": "\xff"}')
    with pytest.raises(json.JSONDecodeError, match=r"not UTF-8 text \(byte 0xff"):
        read_json(tmp_path / "x.json")


def test_read_json_reads_past_a_utf8_byte_order_mark(tmp_path):
    """Issue 14: config.json / results.json re-saved with a BOM (a Windows editor) were called
    "damaged; restore it from a backup"."""
    from rambo_env.run_io import read_json

    (tmp_path / "x.json").write_bytes(b'\xef\xbb\xbf{"a": 1}\r\n')
    assert read_json(tmp_path / "x.json") == {"a": 1}


def test_a_write_failure_can_advise_a_scripts_own_output_flag(tmp_path):
    """Issue 14: diagnose.py / mle_quality.py under ulimit -f advised --run-dir /
    RAMBO_ENV_CACHE, which they do not take."""
    from rambo_env.run_io import with_elsewhere

    err = WriteFailedError(tmp_path / "d.json", OSError(errno.EFBIG, "File too large"))
    assert "(--run-dir, RAMBO_ENV_CACHE)" in str(err)
    moved = with_elsewhere(err, "--out")
    assert str(moved).startswith(f"{tmp_path / 'd.json'}: not written (File too large)")
    assert "write where larger files fit (--out)" in str(moved) and "--run-dir" not in str(moved)
    assert moved.errno == errno.EFBIG


MAKE_DATASET_ARGV = ["--env", "hopper", "--level", "random", "--n-transitions", "10"]


def test_a_seed_of_64_bits_or_more_is_named_before_any_work():
    """Probe 15: ``make_dataset.py --seed 99999999999999999999`` (``mle_quality.py --seed``,
    ``make_mdp(seed=2**64)``, ``MLEConfig(seed=2**64)``) was torch's raw ``Overflow when
    unpacking long long``, naming no field."""
    from rambo_env.data.generate import generate_dataset
    from rambo_env.dynamics.training import MLEConfig
    from rambo_env.model import make_mdp
    from rambo_env.run_io import check_seed

    assert check_seed(2**63 - 1) == 2**63 - 1
    with pytest.raises(ValueError, match=r"seed: 18446744073709551616 is too large: .*2\*\*63"):
        check_seed(2**64)
    with pytest.raises(ValueError, match=r"MLEConfig\.seed"):
        MLEConfig(seed=2**64)
    with pytest.raises(ValueError, match=r"seed: .* is too large"):
        make_mdp("unused.npz", seed=2**64)
    with pytest.raises(ValueError, match=r"seed: .* is too large"):
        generate_dataset("hopper", "random", n_transitions=10, seed=2**64)
    make_dataset, mle_quality = load_script("make_dataset"), load_script("mle_quality")
    with pytest.raises(ValueError, match=r"^seed: 100000000000000000000 is too large"):
        make_dataset.check_args(
            make_dataset.parse_args([*MAKE_DATASET_ARGV, "--seed", "1" + "0" * 20])
        )
    with pytest.raises(ValueError, match=r"^--seed: 100000000000000000000 is too large"):
        mle_quality.main(["--dataset", "unused.npz", "--seed", "1" + "0" * 20])


def test_a_tilde_path_with_an_empty_home_takes_the_passwd_home(monkeypatch, tmp_path):
    """Probe 17: with ``HOME=""``, ``--run-dir=~/runs/x`` (and ``RAMBO_ENV_CACHE=~/c``,
    ``--dataset ~/x.npz``, ``D4RL_DATASET_DIR=~/d``) was ``/runs/x``; now the home folder of the
    passwd entry, as the default folders (``home_dir``)."""
    import pwd

    from rambo_env.data.d4rl_io import resolve_d4rl_dir
    from rambo_env.data.loaders import absolute_dataset
    from rambo_env.dynamics.io import cache_dir
    from rambo_env.run_io import user_path

    home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    monkeypatch.setenv("HOME", "")
    assert user_path("~/runs/x") == home / "runs" / "x"
    assert user_path("~") == home
    monkeypatch.setenv("RAMBO_ENV_CACHE", "~/c")
    assert cache_dir() == home / "c"
    assert resolve_d4rl_dir("~/d") == home / "d"
    assert absolute_dataset("~/x.npz") == str((home / "x.npz").resolve())
    from rambo_env.run_io import expand_home

    monkeypatch.setenv("HOME", str(tmp_path))
    assert expand_home("~/a") == tmp_path / "a" and expand_home("a/~") == Path("a/~")


def _deny_reading(monkeypatch, *denied: Path) -> None:
    """Make ``denied`` files (and folders) unreadable to the checks, as ``chmod 000`` does for a
    user other than root (the tests may run as root, whom file modes do not stop)."""
    from rambo_env import path_checks, run_io, torch_files

    denied_text = {str(p) for p in denied}
    real_open, real_listdir = open, os.listdir

    def guarded_open(path, *args, **kwargs):
        if str(path) in denied_text:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    def guarded_listdir(path="."):
        if str(path) in denied_text:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_listdir(path)

    monkeypatch.setattr(run_io, "open", guarded_open, raising=False)
    # the readers that moved out of run_io look up their own ``open``
    monkeypatch.setattr(path_checks, "open", guarded_open, raising=False)
    monkeypatch.setattr(torch_files, "open", guarded_open, raising=False)
    monkeypatch.setattr(run_io.os, "listdir", guarded_listdir)


def test_files_this_user_may_not_read_are_named_not_taken_for_damaged(tmp_path, monkeypatch):
    """Probe 18 (``chmod 000``, as a user other than the owner): a cached dynamics model was
    "unreadable; removing it and training anew" (another user's model in a shared cache, deleted
    and retrained), an MLE checkpoint "starting MLE pretraining afresh", a dataset "not an npz
    (zip) archive", a run's checkpoint "start a new run", a run's TensorBoard folder "has logged
    no iteration yet" and its event file a raw PermissionError traceback."""
    from rambo_env import load_dataset
    from rambo_env.curves import read_curves
    from rambo_env.dynamics import io as model_io
    from tests.envs.tiny_mdp import make_tiny_dataset, make_tiny_mdp

    dataset = make_tiny_dataset(200, 50)
    npz = dataset.to_npz(tmp_path / "d.npz")
    save_checkpoint(tmp_path / "checkpoint.pt", {"iteration": 1})
    (tmp_path / "run" / "tb").mkdir(parents=True)
    (tmp_path / "run" / "config.json").write_text("{}")
    events = tmp_path / "run" / "tb" / "events.out.tfevents.1"
    events.write_bytes(b"")
    make_tiny_mdp(dataset, cache=True)
    cached = sorted(model_io.cache_dir().glob("dynamics-*.pt"))
    model = next(p for p in cached if not p.name.endswith(".partial.pt"))
    partial = next(p for p in cached if p.name.endswith(".partial.pt"))
    _deny_reading(monkeypatch, npz, tmp_path / "checkpoint.pt", model, partial, events)
    mode = r"\(Permission denied; mode .*, owner uid \d+\); make it readable \(chmod u\+r"
    with pytest.raises(ValueError, match=rf"dataset: .*d\.npz is not readable by this user {mode}"):
        load_dataset(npz)
    with pytest.raises(ValueError, match=r"checkpoint: .*checkpoint\.pt is not readable"):
        load_checkpoint(tmp_path / "checkpoint.pt")
    with pytest.raises(ValueError, match=r"run_dir: .*events.out.tfevents.1 is not readable"):
        read_curves(tmp_path / "run")
    with pytest.raises(ValueError, match=r"RAMBO_ENV_CACHE: .*dynamics-.* is not readable .*own"):
        make_tiny_mdp(dataset, cache=True)
    assert model.is_file()  # was: deleted, and the model trained anew
    model.unlink()  # the shared MLE checkpoint of this trajectory is next: not trained over
    with pytest.raises(ValueError, match=r"RAMBO_ENV_CACHE: .*\.partial\.pt is not readable"):
        make_tiny_mdp(dataset, cache=True)
    _deny_reading(monkeypatch, tmp_path / "run" / "tb")
    with pytest.raises(ValueError, match=r"run_dir: .*tb is not readable .*chmod u\+rx"):
        read_curves(tmp_path / "run")


def test_a_policy_file_ledger_index_or_sweep_json_this_user_may_not_read_is_named(
    tmp_path, monkeypatch
):
    """Probe 18: "not a behaviour actor … re-create it", "not a ledger index … restore it from
    git" and a bare "[Errno 13] Permission denied" for files that were only unreadable."""
    from agents.sweep import load_sweep
    from rambo_env.ledger import read_index
    from rambo_env.policies import load_actor, shipped_policy_path

    policy = tmp_path / "policy.pt"
    policy.write_bytes(shipped_policy_path("hopper").read_bytes())
    (tmp_path / "ledger").mkdir()
    (tmp_path / "ledger" / "index.json").write_text("{}")
    (tmp_path / "sweep").mkdir()
    (tmp_path / "sweep" / "sweep.json").write_text("{}")
    _deny_reading(
        monkeypatch, policy, tmp_path / "ledger" / "index.json", tmp_path / "sweep" / "sweep.json"
    )
    for call, match in (
        (lambda: load_actor(policy), r"policy file: .*policy\.pt is not readable by this user"),
        (lambda: read_index(tmp_path / "ledger"), r"ledger: .*index\.json is not readable"),
        (lambda: load_sweep(tmp_path / "sweep"), r"sweep_dir: .*sweep\.json is not readable"),
    ):
        with pytest.raises(ValueError, match=match):
            call()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_output_that_cannot_be_written_ends_a_script_with_one_line(tmp_path):
    """Probe 18: a script whose output went to a full disk (``> log.txt``; ``/dev/full``) gave
    a raw ``OSError: [Errno 28]`` traceback (ledger, diagnose), blamed ``--out`` (curves) or a
    bare ``[Errno 28]``; one whose reader exited (``| head``) blamed ``--out … (Broken pipe)``
    (curves) or gave a raw ``BrokenPipeError`` traceback."""
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": python_path()}
    script = (
        "from rambo_env.run_io import tolerant_console\n"
        "tolerant_console()\n"
        "for i in range(100000):\n"
        "    print('line', i)\n"
    )
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-c", script], stdout=full, stderr=subprocess.PIPE, env=env,
            timeout=120,
        )  # fmt: skip
    err = done.stderr.decode()
    assert done.returncode == 2 and err.count("\n") == 1, err
    assert err.startswith("error: stdout: this script's output cannot be written (No space left")
    reader = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    reader.stdout.read(10)
    reader.stdout.close()  # the reader exits, as `| head` does
    err = reader.stderr.read().decode()
    reader.stderr.close()  # probe 128: was a ResourceWarning (unclosed file) under -W error
    assert reader.wait(timeout=120) == 2 and "Traceback" not in err, err
    assert err.startswith("error: stdout: the program reading this output exited"), err


def test_a_symbolic_link_loop_is_named_as_one(tmp_path, monkeypatch, capsys):
    """Probe 19: ``ln -s loop loop`` given as a path was "does not exist", "a link to loop, which
    does not exist", "is not a folder", or a raw ``RuntimeError: Symlink loop`` (``--dataset``)."""
    import argparse

    from rambo_env.data.loaders import load_dataset
    from rambo_env.run_io import (
        check_file_or_absent,
        check_run_folder,
        check_writable,
        link_loop,
        user_path,
    )

    monkeypatch.chdir(tmp_path)
    os.symlink("loop", "loop")
    os.symlink("loop.npz", "loop.npz")
    loop = r"loop is a symbolic link loop \(loop -> loop leads back to itself"
    assert link_loop("loop/x/y") == Path("loop") and link_loop(tmp_path) is None
    for text in ("loop", "loop/x"):
        with pytest.raises(argparse.ArgumentTypeError, match=f"^{loop}.*remove the link"):
            user_path(text)
    with pytest.raises(ValueError, match=f"^--out: {loop}.*, or pick a folder"):
        check_writable("loop/sub", "--out:", "pick a folder")
    with pytest.raises(ValueError, match=f"^run_dir: {loop}"):
        check_file_or_absent("loop", "run_dir", "restore it")
    with pytest.raises(FileNotFoundError, match=f"^run_dir: {loop}"):
        check_run_folder("loop")
    with pytest.raises(Exception, match=r"^npz file loop.npz is a symbolic link loop"):
        load_dataset("loop.npz")
    from agents.cotrain import load_config
    from rambo_env.run_io import claim_run_dir

    with pytest.raises(ValueError, match=f"^run_dir: {loop}"):  # the library's run folders
        load_config("loop")
    with pytest.raises(ValueError, match=f"^run_dir: {loop}.*or pick another folder"):
        with claim_run_dir("loop/run"):
            pass
    from rambo_env.ledger import update_ledger

    with pytest.raises(ValueError, match=f"^ledger: {loop}"):  # was a raw "[Errno 17] File exists"
        update_ledger(tmp_path, "loop")
    ledger = load_script("ledger")  # probe 19 A.8: was "loop: run_dir: loop does not exist"
    with pytest.raises(SystemExit) as exit_info:
        ledger.main(["--ledger", "loop", str(tmp_path)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and re.search(f"argument --ledger: {loop}", err), err


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
@pytest.mark.skipif(
    torch.version.cuda is not None,
    reason="a CUDA build of torch aborts at import under a 3 GiB address-space limit (H200, s36)",
)
def test_available_memory_counts_the_address_space_limit():
    """Probe 23: under ``ulimit -v 4000000`` only ``MemAvailable`` (21 GiB) was read, so a 2 GiB
    buffer passed the memory check and then failed as numpy's raw ``MemoryError``."""
    import resource
    import subprocess
    import sys

    limit = 3 << 30

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    code = "from rambo_env.run_io import available_memory_bytes as a; print(a())"
    out = subprocess.run(
        [sys.executable, "-c", code], preexec_fn=cap, capture_output=True, text=True, check=True
    ).stdout
    room = int(out)
    assert 0 < room < limit  # the process's own size is already counted against the limit


def test_too_many_open_files_names_the_limit_and_the_remedy(monkeypatch, capsys):
    """Probe 23: ``make_dataset.py --workers 2`` under ``ulimit -n 12`` printed ``error: [Errno 24]
    Too many open files``, naming neither the limit nor what to do."""
    from rambo_env.run_io import report_user_error

    monkeypatch.delenv("RAMBO_ENV_TRACEBACK", raising=False)
    assert report_user_error(OSError(errno.EMFILE, "Too many open files")) == 2
    err = capsys.readouterr().err
    assert "too many open files in this process" in err and "ulimit -n" in err, err
    assert "--workers 1" in err


def _staged_write(path, write):
    """One file written through :class:`StagedFiles` (as curves.py and the ledger do)."""
    from rambo_env.run_io import StagedFiles

    with StagedFiles("--out") as staged:
        staged.write(path, write)
        return staged.commit()[0]


@pytest.mark.parametrize("how", ["atomic_write", "StagedFiles"])
def test_an_interrupt_hidden_by_a_writers_failed_cleanup_is_raised_as_the_interrupt(tmp_path, how):
    """Probe 24: Ctrl-C inside ``torch.save`` (an MLE checkpoint) made torch's zip writer fail
    while closing the half-written file, and that raw ``RuntimeError: … unexpected pos …`` hid
    the interrupt (a traceback and exit 1, not "interrupted", exit 130). ``atomic_write`` now
    raises the interrupt, and still leaves neither a temp file nor a changed target. Issue 14:
    ``atomic_write`` is one :class:`StagedFiles` now, so staged files (curves.py's, the
    ledger's plot) do the same (was: the raw RuntimeError there)."""
    write_file = _staged_write if how == "StagedFiles" else atomic_write
    target = tmp_path / "model.pt"
    target.write_bytes(b"old")

    def write(tmp):
        tmp.write_bytes(b"half")
        try:
            raise KeyboardInterrupt
        finally:  # torch's _open_zipfile_writer.__exit__ on the cut file
            raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 1 vs 2")

    with pytest.raises(KeyboardInterrupt):
        write_file(target, write)
    assert target.read_bytes() == b"old" and sorted(tmp_path.iterdir()) == [target]
    with pytest.raises(RuntimeError, match="unexpected pos"):  # no interrupt: the error as it is
        write_file(target, lambda tmp: (_ for _ in ()).throw(RuntimeError("unexpected pos")))


def test_a_printed_path_pastes_into_a_shell_even_where_the_console_cannot_print_it(
    monkeypatch,
):
    """Probe 25: under ``PYTHONIOENCODING=ascii`` (or a cp1252 console) ``continue with: …
    --resume 'r\\xfcn \\u03bb'`` printed Python's escapes, which name no folder when pasted."""
    import io
    import shutil
    import subprocess
    import sys

    from rambo_env.run_io import shell_quote

    path = "/tmp/runs/rün λ's"
    assert shell_quote(path) == "'/tmp/runs/rün λ'\"'\"'s'"  # a UTF-8 console: shlex.quote
    for encoding in ("ascii", "cp1252"):
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding=encoding))
        quoted = shell_quote(path)
        quoted.encode(encoding)  # printable there
        assert quoted.startswith("$'")
        if shutil.which("bash"):
            out = subprocess.run(
                ["bash", "-c", f"printf '%s' {quoted}"], capture_output=True, check=True
            ).stdout
            assert out.decode() == path


def test_a_read_only_compile_cache_serves_a_run_that_compiles_nothing(
    tmp_path, monkeypatch, read_only
):
    """Probe 25: ``TORCHINDUCTOR_CACHE_DIR`` on a read-only mount refused an eager run, which
    writes nothing there; a compiled run still needs it writable."""
    from rambo_env.run_io import check_torch_compile_cache

    cache = tmp_path / "inductor"
    cache.mkdir()
    read_only(cache)
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(cache))
    check_torch_compile_cache(compiling=False)
    with pytest.raises(ValueError, match=r"TORCHINDUCTOR_CACHE_DIR: .* is not writable"):
        check_torch_compile_cache(compiling=True)
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(tmp_path / "a_file" / "x"))
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(ValueError, match="TORCHINDUCTOR_CACHE_DIR"):  # cannot be made: refused
        check_torch_compile_cache(compiling=False)


def _assert_scripts_name_mplbackend(
    runs: list[tuple[str, list[str]]], env: dict, cwd: Path, timeout: int
) -> None:
    """Each ``scripts/<script> <args>`` under ``env`` (MPLBACKEND=nonsense) exits 2 with one
    ``error: MPLBACKEND: …`` line and no traceback."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    for script, args in runs:
        done = subprocess.run(
            [sys.executable, str(root / "scripts" / script), *args],
            env=env, capture_output=True, text=True, timeout=timeout, cwd=cwd,
        )  # fmt: skip
        assert done.returncode == 2, (script, done.stderr)
        assert done.stderr.startswith("error: MPLBACKEND: 'nonsense'"), (script, done.stderr)
        assert "Traceback" not in done.stderr


def test_a_bad_mplbackend_is_named_before_any_work(tmp_path):
    """Probe 28: MPLBACKEND=nonsense made `import matplotlib` fail only when the finished run drew
    its learning curve (a raw "Key backend" error, no plot); curves.py printed a traceback and
    ledger.py blamed the run folder. Each now names MPLBACKEND at start; a valid one is fine."""
    import subprocess
    import sys

    env = {**os.environ, "MPLBACKEND": "nonsense", "PYTHONPATH": python_path()}
    snippet = "from rambo_env.run_io import check_matplotlib; check_matplotlib()"
    done = subprocess.run(
        [sys.executable, "-c", snippet], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert "ValueError: MPLBACKEND: 'nonsense' is not a matplotlib backend" in done.stderr
    _assert_scripts_name_mplbackend(
        [
            ("curves.py", ["a=" + str(tmp_path), "--out", str(tmp_path / "c")]),
            ("ledger.py", [str(tmp_path), "--ledger", str(tmp_path / "ledger")]),
        ],
        env,
        tmp_path,
        timeout=120,
    )
    env["MPLBACKEND"] = "Agg"
    done = subprocess.run(
        [sys.executable, "-c", snippet], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_toys_and_sweep_name_a_bad_mplbackend_before_any_work(tmp_path):
    """Probe 29: toys.py imported matplotlib at its top (a raw "Key backend" traceback), and
    sweep.py did not check it before the sweep (each trial's setup failed, or the report)."""

    env = {**os.environ, "MPLBACKEND": "nonsense", "PYTHONPATH": python_path()}
    _assert_scripts_name_mplbackend(
        [
            ("toys.py", ["--out", str(tmp_path / "toys")]),
            ("sweep.py", ["--seeds", "0", "--configs", "2:0", "--sweep-dir", str(tmp_path / "s")]),
            ("sweep.py", ["--report-only", str(tmp_path / "s")]),
        ],
        env,
        tmp_path,
        timeout=300,
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written


def test_cotrain_checks_matplotlib_before_the_dataset(monkeypatch):
    """Probe 28: the main job checks matplotlib with the device, before any dataset work."""
    from agents import cotrain_setup
    from agents.cotrain_setup import CotrainConfig
    from rambo_env import run_io

    def refuse() -> None:
        raise ValueError("MPLBACKEND: 'nonsense' is not a matplotlib backend")

    monkeypatch.setattr(run_io, "check_matplotlib", refuse)
    with pytest.raises(ValueError, match="MPLBACKEND"):
        cotrain_setup.build_session(CotrainConfig(dataset="no-such-dataset-xyz"))


def test_a_lock_that_cannot_be_removed_never_hides_the_error_in_flight(
    tmp_path, monkeypatch, capsys
):
    """Probe 31: a run folder turned read-only mid-run gave only ``error: [Errno 30] Read-only
    file system: '.lock'``: removing the lock on the way out replaced the checkpoint's
    WriteFailedError. Now that error goes through and the lock is a warning."""
    from rambo_env.run_io import LOCK_NAME, WriteFailedError, claim_run_dir

    real_unlink = os.unlink

    def read_only(path, *args, **kwargs):
        if os.fspath(path).endswith(LOCK_NAME):
            raise OSError(errno.EROFS, "Read-only file system", os.fspath(path))
        return real_unlink(path, *args, **kwargs)

    run = tmp_path / "run"
    with claim_run_dir(run):
        pass  # created before the fault
    monkeypatch.setattr(os, "unlink", read_only)
    fault = OSError(errno.EROFS, "Read-only file system")
    with pytest.raises(WriteFailedError, match=r"checkpoint\.pt: not written"):
        with claim_run_dir(run):
            raise WriteFailedError(run / "checkpoint.pt", fault, rerun="--resume")
    err = capsys.readouterr().err
    assert f"{run / LOCK_NAME} could not be removed (Read-only file system)" in err
    with claim_run_dir(run):  # no error in flight: the same warning, not an error
        pass
    assert "could not be removed" in capsys.readouterr().err
    monkeypatch.setattr(os, "unlink", real_unlink)
    with claim_run_dir(run):  # the lock left is this process's own: taken over
        pass
    assert not (run / LOCK_NAME).exists()


def test_only_a_leading_tilde_is_expanded_and_an_unknown_user_is_named(monkeypatch, tmp_path):
    """Probe 33: ``--run-dir ./~/x`` ran in ``$HOME/x`` (pathlib drops the ``./``, then the ``~``
    was expanded), and ``--run-dir '~nosuchuser'`` (or ``RAMBO_ENV_CACHE``) was an uncaught
    ``RuntimeError: Could not determine home directory``."""
    import argparse

    from rambo_env.dynamics.io import cache_dir
    from rambo_env.run_io import expand_home, user_path

    monkeypatch.setenv("HOME", str(tmp_path))
    assert expand_home("./~/x") == Path("~/x") and not expand_home("./~/x").is_absolute()
    assert user_path("./~root") == Path("~root")
    assert expand_home("~/x") == tmp_path / "x"
    with pytest.raises(ValueError, match=r"'~nosuchuser-zz/a': '~nosuchuser-zz' names no user"):
        expand_home("~nosuchuser-zz/a")
    with pytest.raises(argparse.ArgumentTypeError, match=r"names no user .*'\./~nosuchuser-zz'"):
        user_path("~nosuchuser-zz")
    monkeypatch.setenv("RAMBO_ENV_CACHE", "~nosuchuser-zz")
    with pytest.raises(ValueError, match="names no user"):
        cache_dir()


def test_articles_and_counts_in_messages_read_as_english():
    """Probe 41: "a expert dataset", "a EnsembleConfig", "a MLEConfig", "1 iterations", "a batch
    of 1 observations": one helper each for the article and the number of a noun."""
    from rambo_env.run_io import counted, with_article

    for word, article in {
        "expert": "an",
        "EnsembleConfig": "an",
        "MLEConfig": "an",
        "ent_coef": "an",
        "ndarray": "an",
        "fp32": "an",
        "int": "an",
        "medium": "a",
        "random": "a",
        "LearnedMDP": "a",
        "str": "a",
        "float": "a",
        "bf16": "a",
        "uint8": "a",
        "MixedReplayBuffer": "a",
    }.items():
        assert with_article(word) == f"{article} {word}"
    assert [counted(n, "iteration") for n in (0, 1, 2)] == [
        "0 iterations",
        "1 iteration",
        "2 iterations",
    ]
    assert counted(1, "index", "indices") == "1 index"
    assert counted(3, "index", "indices") == "3 indices"


def test_did_you_mean_names_typos_not_loose_matches():
    """Probe 41 row 23: ``autoreset`` (an old gym.make keyword) was "did you mean 'dataset'?"."""
    from rambo_env.run_io import did_you_mean

    keywords = ["dataset", "rollout_length", "device", "mdp", "seed"]
    assert did_you_mean("autoreset", keywords) == ""
    assert did_you_mean("rollout_lenght", keywords) == " (did you mean 'rollout_length'?)"
    assert did_you_mean("devcie", keywords) == " (did you mean 'device'?)"
    assert did_you_mean("tqd", ["sac", "td3", "tqc"]) == " (did you mean 'tqc'?)"
    assert did_you_mean("TD3", ["sac", "td3", "tqc"]) == " (did you mean 'td3'?)"


def _configs_with_numpy_numbers():
    """One maker per config, so that each case builds its own config alone."""
    from agents.bc import BCConfig
    from agents.behaviour import BehaviourConfig
    from agents.cotrain_setup import CotrainConfig
    from agents.run_callbacks import EvalSchedule
    from agents.sweep import SweepResources
    from rambo_env.adversary import AdversaryConfig
    from rambo_env.bench import BenchConfig
    from rambo_env.dynamics.ensemble import EnsembleConfig
    from rambo_env.dynamics.training import MLEConfig

    i, f = np.int64, np.float32
    return [
        lambda: MLEConfig(seed=i(1), max_epochs=i(2), lr=f(1e-3), batch_size=np.int32(64)),
        lambda: EnsembleConfig(n_members=i(3), n_elites=i(2), logvar_penalty=np.float64(1e-3)),
        lambda: AdversaryConfig(f(3e-4), i(5), n_updates=i(10), gamma=f(0.99)),
        lambda: BenchConfig.quick().__class__(seed=i(3), repeats=i(2)),
        lambda: EvalSchedule(i(3), every=i(2), last=i(1)),
        lambda: CotrainConfig(seed=i(1), n_iterations=i(2)),
        lambda: BehaviourConfig(
            "Hopper-v5", (f(0.0), f(1.0)), max_steps=i(10_000), seed=i(2), n_eval_episodes=i(2)
        ),
        lambda: BCConfig(epochs=i(2), seed=i(1), lr=f(1e-4)),
        lambda: SweepResources(cpus_per_trial=f(2.0), max_concurrent=i(2)),
    ]


@pytest.mark.parametrize("index", range(9))
def test_configs_store_numpy_numbers_as_python_ones(index):
    """Probe 61: numpy numbers passed each config's checks and stayed numpy, so the JSON of a run
    folder, a model cache key or dataset metadata failed later ("Object of type int64 is not JSON
    serializable", after the dataset load or a whole collection)."""
    import dataclasses

    cfg = _configs_with_numpy_numbers()[index]()
    for field in dataclasses.fields(cfg):
        assert not isinstance(getattr(cfg, field.name), np.generic), field.name
    json.dumps(
        {f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg) if f.name != "ensemble"}
    )
