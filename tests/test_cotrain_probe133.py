"""Probe 133 (an HPC batch user): a new default-folder run beside an unfinished run of the same
settings and seed names it and how to continue it (row 5); a run beside a running identical one
says it duplicates it (row 16); a run folder held by another process is refused without a
``starting run`` line first (row 17)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agents.cotrain_setup import config_to_dict
from rambo_env import run_io
from tests.scripts import load_script

cotrain = load_script("cotrain")

FLAGS = ["--dataset", "hopper-medium", "--seed", "3", "--iterations", "4", "--no-progress"]


def _cfg(argv):
    parser = cotrain.build_parser()
    cfg, *_ = cotrain.resolve_args(parser.parse_args(argv), parser)
    return cfg


def _run_folder(folder: Path, argv, status="interrupted", done=2, checkpoint=True) -> Path:
    """A run folder as a run of ``argv`` leaves it: config.json as saved (precision resolved),
    a checkpoint, results.json with ``status``."""
    cfg = _cfg(argv)
    saved = dataclasses.replace(cfg, precision="fp32", torch_threads=1, device="cpu")
    folder.mkdir(parents=True)
    (folder / run_io.CONFIG_NAME).write_text(json.dumps({"config": config_to_dict(saved)}))
    if checkpoint:
        (folder / run_io.CHECKPOINT_NAME).write_bytes(b"")
    results = {"status": status, "iterations_completed": done, "n_iterations": cfg.n_iterations}
    (folder / run_io.RESULTS_NAME).write_text(json.dumps(results))
    return folder


@pytest.fixture
def fake_run(monkeypatch):
    """scripts/cotrain.py's main with run_cotrain replaced: it records its arguments and calls
    ``on_iteration`` for iteration 1 after ``before_first`` (nothing is trained)."""
    calls = {"before_first": lambda: None}

    def run(cfg, run_dir, resume=False, on_iteration=None, invocation=None):
        calls["run_dir"] = run_dir
        calls["before_first"]()
        if on_iteration is not None:
            on_iteration({"iteration": 1})
        return {"already_finished": True}

    monkeypatch.setattr(cotrain, "run_cotrain", run)
    return calls


@pytest.fixture
def other_process():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    time.sleep(0.2)
    yield child.pid
    child.kill()
    child.wait()


def _lock(folder: Path, pid: int) -> None:
    """``folder``'s ``.lock`` as process ``pid`` would write it (a live run holds the folder)."""
    start = run_io.process_start(pid)
    ident = run_io.folder_identity(folder)
    (folder / run_io.LOCK_NAME).write_text(f"{pid} {start} {ident} {run_io.lock_place()}")


def test_a_new_default_run_names_an_unfinished_run_of_the_same_settings(
    tmp_path, monkeypatch, capsys, fake_run
):
    monkeypatch.chdir(tmp_path)
    old = _run_folder(tmp_path / "runs" / "hopper-medium-sac-20260101-000000-s3", FLAGS)
    _run_folder(tmp_path / "runs" / "other-seed", [f if f != "3" else "4" for f in FLAGS])
    _run_folder(tmp_path / "runs" / "done", FLAGS, status="finished", done=4)
    _run_folder(tmp_path / "runs" / "other-lam", [*FLAGS, "--lam", "0"])
    assert cotrain.main(FLAGS) == 0
    out = capsys.readouterr().out
    notes = [line for line in out.splitlines() if "note:" in line]
    assert len(notes) == 1, out  # not the finished run, nor those of another seed or λ
    assert (
        f"note: runs/{old.name} holds an unfinished run of the same settings and seed" in notes[0]
    )
    assert "(2 of 4 iterations done; no process runs it)" in notes[0]
    # the script as main() was called here (probe 145: relative to this folder, so it pastes)
    assert f"scripts/cotrain.py --resume runs/{old.name}" in notes[0]
    assert "--run-dir RUN --resume-if-started" in notes[0]
    assert fake_run["run_dir"] != old  # still a new run: the user may want one


def test_no_note_for_an_explicit_run_dir_nor_a_run_without_checkpoint(
    tmp_path, monkeypatch, capsys, fake_run
):
    monkeypatch.chdir(tmp_path)
    _run_folder(tmp_path / "runs" / "a", FLAGS)
    assert cotrain.main([*FLAGS, "--run-dir", "runs/b"]) == 0  # a folder the user chose
    assert "note:" not in capsys.readouterr().out
    (tmp_path / "runs" / "a" / run_io.CHECKPOINT_NAME).unlink()
    assert cotrain.main(FLAGS) == 0  # nothing --resume could continue
    assert "note:" not in capsys.readouterr().out


def test_a_run_beside_a_running_identical_one_says_it_duplicates_it(
    tmp_path, monkeypatch, capsys, fake_run, other_process
):
    monkeypatch.chdir(tmp_path)
    twin = _run_folder(tmp_path / "runs" / "twin", FLAGS, status="running")
    _lock(twin, other_process)
    assert cotrain.main(FLAGS) == 0
    out = capsys.readouterr().out
    assert (
        f"note: an identical run (same settings and seed) is running in runs/twin (process "
        f"{other_process}): this one duplicates it" in out
    )
    assert "unfinished" not in out and out.count("identical run") == 1  # said once


def test_a_twin_still_in_its_setup_at_the_start_is_named_after_iteration_1(
    tmp_path, monkeypatch, capsys, fake_run, other_process
):
    # the array mistake of the probe: both started in the same second; the other one wrote its
    # config.json only after its setup (MLE, BC), so the start saw no settings to compare
    monkeypatch.chdir(tmp_path)
    twin = tmp_path / "runs" / "hopper-medium-sac-20260101-000000-s3"
    twin.mkdir(parents=True)
    _lock(twin, other_process)

    def setup_ends():
        (twin / run_io.LOCK_NAME).unlink()
        twin.rmdir()
        _run_folder(twin, FLAGS, status="running")
        _lock(twin, other_process)

    fake_run["before_first"] = setup_ends
    assert cotrain.main(FLAGS) == 0
    out = capsys.readouterr().out
    assert f"is running in runs/{twin.name} (process {other_process})" in out


def test_a_held_run_dir_is_refused_without_a_starting_line(
    tmp_path, monkeypatch, capsys, other_process
):
    monkeypatch.chdir(tmp_path)
    same = tmp_path / "runs" / "same"
    same.mkdir(parents=True)
    _lock(same, other_process)  # the first job, in its setup
    argv = [*FLAGS, "--run-dir", "runs/same", "--resume-if-started"]
    assert cotrain.main(argv) == 2
    captured = capsys.readouterr()
    assert f"runs/same is in use by process {other_process}" in captured.err
    assert "starting run" not in captured.out and "resuming" not in captured.out
