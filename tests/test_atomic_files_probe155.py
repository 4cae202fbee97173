"""Probe 155: ``StagedFiles(clear_strays=True)`` (curves.py, the ledger) kept a target's leftover
temp files until they were a minute old, so that another run's live write was not removed; but a
hard-linked aside (``.NAME.oldXXXXX.tmp``) carries its target's old mtime, and two curves.py
runs on one ``--out`` could still mix their files. Now the writer holds a lock of the output
folder while it writes there: leftovers are cleared at any age, and a second writer waits."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from rambo_env.atomic_files import WRITES_LOCK_NAME, StagedFiles

# A writer in another process that stops mid-write (its temp file made) until ``go`` appears.
_WRITER = """
import sys, time
from pathlib import Path
from rambo_env.atomic_files import StagedFiles

folder = Path(sys.argv[1])

def write(tmp):
    Path(tmp).write_text("first")
    (folder.parent / "started").write_text("")
    while not (folder.parent / "go").exists():
        time.sleep(0.05)

with StagedFiles("--out", clear_strays=True) as staged:
    staged.write(folder / "x.png", write)
    staged.commit()
"""


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_leftovers_are_cleared_at_any_age(tmp_path):
    young = tmp_path / ".x.png.abcdefgh.tmp.png"  # a kill -9 a second ago
    young.write_text("left by a kill -9")
    (tmp_path / "x.png").write_text("old")
    (tmp_path / ".x.png.oldabcde.tmp").hardlink_to(tmp_path / "x.png")  # the old mtime
    with StagedFiles("--out", clear_strays=True) as staged:
        staged.write(tmp_path / "x.png", lambda tmp: Path(tmp).write_text("new"))
        assert (tmp_path / WRITES_LOCK_NAME).exists()  # held while it writes
        staged.commit()
    assert (tmp_path / "x.png").read_text() == "new"
    assert _names(tmp_path) == ["x.png"]  # was: the young one kept; no lock file left


def test_a_second_writer_waits_for_the_first_and_keeps_its_temp_file(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    first = subprocess.Popen([sys.executable, "-c", _WRITER, str(out)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "started").exists():
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        done = threading.Event()

        def second() -> None:
            with StagedFiles("--out", clear_strays=True) as staged:
                staged.write(out / "x.png", lambda tmp: Path(tmp).write_text("second"))
                staged.commit()
            done.set()

        thread = threading.Thread(target=second)
        thread.start()
        assert not done.wait(1.5)  # it waits for the first writer's lock
        temps = [n for n in _names(out) if n.startswith(".x.png.")]
        assert len(temps) == 1  # was: the first's live temp file removed under it
        (tmp_path / "go").write_text("")
        assert first.wait(60) == 0
        thread.join(60)
        assert done.is_set()
    finally:
        first.kill()
        first.wait()
    assert (out / "x.png").read_text() == "second"
    assert _names(out) == ["x.png"]


def test_a_folder_this_user_may_not_write_is_left_unlocked(tmp_path, monkeypatch):
    stray = tmp_path / ".x.csv.abcdefgh.tmp.csv"
    stray.write_text("another user's")
    monkeypatch.setattr("os.access", lambda *a, **k: False)
    with StagedFiles("--ledger", clear_strays=True) as staged:
        staged.clear_strays_of(tmp_path / "x.csv")
        assert not (tmp_path / WRITES_LOCK_NAME).exists()
    assert not stray.exists()  # tried all the same (root may): a user's is refused by the OS
