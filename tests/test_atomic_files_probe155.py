"""Probes 155-156: curves.py and the ledger clear their outputs' leftover temp files
(:func:`clear_stray_writes`) while they hold the output folder (:func:`folder_lock`:
``flock`` on the folder itself). Probe 155: leftovers were kept until a minute old (a hard-linked
aside carries its target's old mtime) and two curves.py runs on one ``--out`` mixed their files;
probe 156: a lock FILE in the output folder could be a planted link, blocked a new ledger once a
kill -9 left it, broke curves.py on a file system without flock, and a waiter died when its
holder removed the folder it had made."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rambo_env.atomic_files import StagedFiles, clear_stray_writes
from rambo_env.file_locks import folder_lock
from tests.scripts import load_script, logged_run, python_path

# Holds ``folder`` (making it) until ``go`` appears beside it; then, as another curves.py call
# would, leaves a manifest naming CSVs of its own (``write``), or removes the folder it made.
_HOLDER = """
import json, sys, time
from pathlib import Path
from rambo_env.curves import CURVE_COLUMNS
from rambo_env.file_locks import folder_lock

folder, mode, signals = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
with folder_lock(folder, "--out", "writing the --out files", "curves", False):
    (signals / "started").write_text("")
    while not (signals / "go").exists():
        time.sleep(0.05)
    if mode == "write":
        for label in ("a", "b"):
            header = ",".join(["iteration", *CURVE_COLUMNS])
            (folder / f"x-{label}.csv").write_text(header + "\\n")
        (folder / "x.curves.json").write_text(json.dumps({"csvs": ["x-a.csv", "x-b.csv"]}))
"""


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _hold(folder: Path, mode: str, signals: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": python_path()}
    argv = [sys.executable, "-c", _HOLDER, str(folder), mode, str(signals)]
    holder = subprocess.Popen(argv, env=env)
    deadline = time.monotonic() + 60
    while not (signals / "started").exists():
        assert holder.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    return holder


def _in_thread(call) -> tuple[threading.Thread, list]:
    done: list = []
    thread = threading.Thread(target=lambda: done.append(call()))
    thread.start()
    return thread, done


def test_leftovers_are_cleared_at_any_age_and_no_lock_file_is_left(tmp_path):
    young = tmp_path / ".x.png.abcdefgh.tmp.png"  # a kill -9 a second ago
    young.write_text("left by a kill -9")
    (tmp_path / "x.png").write_text("old")
    (tmp_path / ".x.png.oldabcde.tmp").hardlink_to(tmp_path / "x.png")  # the old mtime
    with folder_lock(tmp_path, "--out", "writing the --out files") as held:
        assert held
        clear_stray_writes(tmp_path, "x.png")
        with StagedFiles("--out") as staged:
            staged.write(tmp_path / "x.png", lambda tmp: Path(tmp).write_text("new"))
            staged.commit()
    assert (tmp_path / "x.png").read_text() == "new"
    assert _names(tmp_path) == ["x.png"]  # was: the young one kept (probe 155)


def test_two_curves_calls_on_one_out_leave_one_calls_set(tmp_path, capsys):
    out = tmp_path / "o"
    run = logged_run(tmp_path / "r1")
    curves = load_script("curves")
    holder = _hold(out, "write", tmp_path)  # another curves.py call, mid-write
    try:
        thread, done = _in_thread(lambda: curves.main(["--out", str(out / "x"), f"c={run}"]))
        said, deadline = "", time.monotonic() + 120
        while "[curves] waiting for another process to let go of" not in said:
            assert time.monotonic() < deadline, said
            time.sleep(0.1)
            said += capsys.readouterr().out
        assert not done  # it waits before reading the earlier call's manifest
        (tmp_path / "go").write_text("")
        assert holder.wait(60) == 0
        thread.join(300)
    finally:
        holder.kill()
        holder.wait()
    assert done == [0]
    assert _names(out) == ["x-c.csv", "x.curves.json", "x.png"]  # was: x-a.csv, x-b.csv left
    assert json.loads((out / "x.curves.json").read_text()) == {"csvs": ["x-c.csv"]}


def test_a_waiter_whose_holder_removed_the_folder_makes_it_again(tmp_path):
    folder = tmp_path / "new" / "sub"
    holder = _hold(folder, "remove", tmp_path)  # made it; removes it, empty, on release

    def wait_then_write() -> list[str]:
        with folder_lock(folder, "--out", "writing the --out files", "curves", False):
            with StagedFiles("--out") as staged:
                staged.write(folder / "x.png", lambda tmp: Path(tmp).write_text("mine"))
                staged.commit()
        return _names(folder)

    try:
        thread, done = _in_thread(wait_then_write)
        time.sleep(1.0)
        (tmp_path / "go").write_text("")
        assert holder.wait(60) == 0
        thread.join(60)
    finally:
        holder.kill()
        holder.wait()
    assert done == [["x.png"]]  # was: ValueError "…/sub/.rambo_env.writes.lock cannot be made"


def test_folders_made_for_a_write_that_wrote_nothing_are_removed(tmp_path):
    with folder_lock(tmp_path / "a" / "b", "--out", "writing the --out files") as held:
        assert held and (tmp_path / "a" / "b").is_dir()
    assert _names(tmp_path) == []


@pytest.mark.parametrize("code", [errno.ENOSYS, errno.ENOLCK])
def test_curves_writes_on_a_file_system_without_flock(tmp_path, monkeypatch, code):
    import fcntl

    def no_flock(fd, operation):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fcntl, "flock", no_flock)
    run = logged_run(tmp_path / "r1")
    stray = tmp_path / "o" / ".x.png.abcdefgh.tmp.png"
    stray.parent.mkdir()
    stray.write_text("maybe another run's live write")
    curves = load_script("curves")
    assert curves.main(["--out", str(tmp_path / "o" / "x"), f"a={run}"]) == 0  # was: rc 1
    assert _names(tmp_path / "o") == [stray.name, "x-a.csv", "x.curves.json", "x.png"]
    with pytest.raises(ValueError, match="does not support flock"):  # the ledger: refused
        with folder_lock(tmp_path / "led", "--ledger", "updating the ledger"):
            pass


def test_ctrl_c_while_waiting_is_the_interrupt_not_a_closed_descriptor(tmp_path, monkeypatch):
    import fcntl

    def held_elsewhere(fd, operation):
        if operation & fcntl.LOCK_NB:
            raise BlockingIOError(errno.EWOULDBLOCK, "held")
        raise KeyboardInterrupt  # Ctrl-C during the blocking wait

    monkeypatch.setattr(fcntl, "flock", held_elsewhere)
    with pytest.raises(KeyboardInterrupt):  # probe 158: was OSError [Errno 9] Bad file descriptor
        with folder_lock(tmp_path / "new", "--out", "writing the --out files", "curves", False):
            pass
    assert _names(tmp_path) == ["new"]  # probe 159: its holder's now, not this waiter's to remove


def test_a_folder_another_process_made_first_is_not_removed(tmp_path, monkeypatch):
    folder, mkdir = tmp_path / "new", Path.mkdir

    def made_by_another(self, *args, **kwargs):
        mkdir(self, *args, **kwargs)  # the other curves.py's mkdir, between look and make
        if self == folder:
            raise FileExistsError(errno.EEXIST, "File exists", str(self))

    monkeypatch.setattr(Path, "mkdir", made_by_another)
    with folder_lock(folder, "--out", "writing the --out files") as held:
        assert held
    assert _names(tmp_path) == ["new"]  # probe 159: was removed, as if this process made it


def test_a_folder_made_for_nothing_is_removed_before_the_lock_is_let_go(tmp_path, monkeypatch):
    folder, seen = tmp_path / "new", []
    close = os.close

    def watched_close(fd):
        seen.append(folder.exists())
        close(fd)

    with folder_lock(folder, "--out", "writing the --out files"):
        monkeypatch.setattr(os, "close", watched_close)
    assert seen == [False]  # probe 158: was True: a waiter took the lock on a folder then removed
