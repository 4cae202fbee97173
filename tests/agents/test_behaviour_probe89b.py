"""Probe 89 (p89b) row 36: restore_set_aside "put back" a behaviour agent's resume.old while
another live process was between the two renames of its resume save (a false WARNING; that
process then failed with ENOTEMPTY, its note false too, its new save lost); and a second
training in one out_dir ran alongside the first."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest
from stable_baselines3 import SAC

from agents.behaviour import BehaviourConfig, restore_resume, save_resume_state, train_behaviour
from rambo_env.run_io import LOCK_NAME, FolderInUseError, process_start


def _saved_wall(out: pathlib.Path) -> float:
    return json.loads((out / "resume" / "state.json").read_text())["wall_s"]


@pytest.fixture
def live_pid():
    """The PID of a live process other than this one (a sleeping subprocess)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _mid_replacement(out: pathlib.Path, pid: int) -> None:
    """``out`` as a save_resume_state of process ``pid`` leaves it between its two renames."""
    model = SAC("MlpPolicy", "Pendulum-v1", learning_starts=0, buffer_size=10, device="cpu")
    save_resume_state(model, [], 1.0, out, "Pendulum-v1")
    start = process_start(pid)
    (out / "resume.old.pid").write_text(f"{pid}" + (f" {start}" if start else ""))
    (out / "resume").rename(out / "resume.old")


def test_a_save_set_aside_by_a_live_process_is_left_to_it(tmp_path, live_pid, capsys) -> None:
    # probe 89 row 36: was "[rambo_env] WARNING: …/resume was missing after a failed
    # replacement: the previous resume save was put back from …/resume.old" while the writer
    # was alive, between its renames (its own rename then failed: ENOTEMPTY)
    _mid_replacement(tmp_path, live_pid)
    capsys.readouterr()
    restore_resume(tmp_path)
    out = capsys.readouterr().out
    assert "WARNING" not in out and "put back" not in out, out
    assert f"is being replaced by process {live_pid}" in out
    assert not (tmp_path / "resume").exists() and (tmp_path / "resume.old").is_dir()


def test_a_save_set_aside_by_a_process_that_died_is_put_back(tmp_path, capsys) -> None:
    # its writer gone (killed between the renames): put back as before, the marker removed
    _mid_replacement(tmp_path, _dead_pid())
    capsys.readouterr()
    restore_resume(tmp_path)
    assert "was put back from" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["resume"]
    assert _saved_wall(tmp_path) == 1.0


def test_a_second_training_in_a_held_behaviour_dir_is_refused(tmp_path, live_pid) -> None:
    # probe 89 row 36: was B resuming A's save ("put back" under A's feet) and training
    # alongside A in one --behaviour-dir
    _mid_replacement(tmp_path, live_pid)
    (tmp_path / LOCK_NAME).write_text(f"{live_pid} {process_start(live_pid)}")
    cfg = BehaviourConfig("Pendulum-v1", (-2000.0, 0.0), max_steps=7500)
    with pytest.raises(FolderInUseError, match=f"is in use by process {live_pid} "):
        train_behaviour(cfg, tmp_path, progress_bar=False, resume=True)
    assert (tmp_path / "resume.old").is_dir() and not (tmp_path / "resume").exists()


def test_make_dataset_refuses_a_behaviour_dir_another_training_holds(
    tmp_path, live_pid, monkeypatch, capsys
) -> None:
    # probe 89 row 36: make_dataset.py --train-policy (B) on the --behaviour-dir of a live
    # training (A) was "resuming beh2/hopper at step 20", training on alongside A
    from tests.scripts import load_script

    monkeypatch.chdir(tmp_path)
    _mid_replacement(tmp_path / "beh" / "hopper", live_pid)
    (tmp_path / "beh" / "hopper" / LOCK_NAME).write_text(f"{live_pid} {process_start(live_pid)}")
    argv = ["--env", "hopper", "--level", "medium", "--train-policy", "--behaviour-steps"]
    argv += ["12500", "--behaviour-dir", "beh", "--dataset-id", "p89/hopper/medb-v0"]
    assert load_script("make_dataset").main(argv) == 2
    captured = capsys.readouterr()
    assert (
        f"error: --behaviour-dir: beh/hopper is in use by process {live_pid} (a behaviour agent "
        "training there)"
    ) in captured.err, captured
    assert "resuming" not in captured.out and "put back" not in captured.out
    assert (tmp_path / "beh" / "hopper" / "resume.old").is_dir()
