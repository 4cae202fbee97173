"""Probe 86 (rows 2, 4, 6, 9, 12, 13, 22, 25): a Python exception mid-way through a long script
(make_dataset, the MLE pretraining of cotrain, diagnose, mle_quality, toys) ends with what it
kept on disk and how to go on, not a bare traceback; a worker process's traceback is cut to its
own frames; a toy run whose final plot failed gets its final snapshot drawn on the rerun."""

from __future__ import annotations

import concurrent.futures
import json
import time
from pathlib import Path

import pytest

from rambo_env import run_io
from tests.scripts import REPO, load_script, run_python

MAKE_ARGS = ["--env", "hopper", "--level", "random", "--n-transitions", "300", "--no-progress"]


def _worker_fails(kind: str) -> None:
    raise MemoryError("injected MemoryError") if kind == "mem" else RuntimeError("injected bug")


def _pool_error(kind: str) -> BaseException:
    """The exception ``concurrent.futures`` re-raises in this process for a worker's ``kind``."""
    with concurrent.futures.ProcessPoolExecutor(1) as pool:
        try:
            pool.submit(_worker_fails, kind).result()
        except Exception as err:
            return err
    raise AssertionError("the worker did not fail")


def test_make_dataset_out_of_memory_in_collection_says_nothing_saved_and_rerun(monkeypatch, capsys):
    # probe 86 row 2: was a raw MemoryError traceback, no word of what was saved or what to run
    module = load_script("make_dataset")

    def generate(args):
        raise MemoryError("injected MemoryError")

    monkeypatch.setattr(module, "generate", generate)
    assert module.main(MAKE_ARGS) == 1
    err = capsys.readouterr().err
    assert "[make_dataset] error: out of memory (MemoryError: injected MemoryError)" in err
    assert "Traceback" not in err
    assert "no dataset was saved" in err
    assert "rerun the same command with fewer --workers / --n-envs" in err


def test_make_dataset_error_after_the_save_says_the_dataset_is_saved(monkeypatch, capsys):
    # probe 86 row 4: was a raw traceback after the dataset was saved (only its flat cache
    # failed): it looked like a failed generation, and a user was led to rerun
    from rambo_env.data.minari_io import minari_dataset_path

    module = load_script("make_dataset")

    def write_flat_cache():
        raise RuntimeError("injected bug")

    def generate(args):
        minari_dataset_path("rambo/hopper/random-v0").mkdir(parents=True)
        write_flat_cache()

    monkeypatch.setattr(module, "generate", generate)
    assert module.main(MAKE_ARGS) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: injected bug" in err  # a bug keeps it
    assert "the dataset rambo/hopper/random-v0 WAS saved in the Minari root" in err
    assert "it came in writing its flat cache" in err
    assert "load_dataset reads it from its Minari files" in err and "no need to rerun" in err


def test_make_dataset_error_in_behaviour_training_names_what_is_kept(tmp_path, monkeypatch):
    # probe 86 row 22: a RuntimeError at a behaviour checkpoint after 35 s of SAC training was
    # a raw traceback; the actor checkpoints were kept, no resume save yet
    module = load_script("make_dataset")
    args = module.parse_args(
        [*MAKE_ARGS[:2], "--level", "medium", "--train-policy", "--behaviour-dir", str(tmp_path)]
    )
    (tmp_path / "hopper" / "checkpoints").mkdir(parents=True)
    for step in (2500, 5000):
        (tmp_path / "hopper" / "checkpoints" / f"actor_{step}.pt").write_bytes(b"x")
    said = module.failure_left(args, time.time(), RuntimeError("bug"))
    assert said.startswith("no dataset was saved")
    assert f"the medium behaviour agent's folder {tmp_path / 'hopper'} keeps 2 actor" in said
    assert "no resume save yet (one every 25000 SAC steps): the rerun trains it again" in said
    assert said.endswith("rerun the same command")
    (tmp_path / "hopper" / "resume").mkdir()
    said = module.failure_left(args, time.time(), RuntimeError("bug"))
    assert "and its resume save: the rerun continues its training from there" in said


def test_a_worker_process_error_is_its_own_frames_or_one_line(capsys):
    # probe 86 row 25: a collection worker's MemoryError was a 43-line double traceback
    # (concurrent.futures' _RemoteTraceback, then "The above exception was the direct cause")
    assert run_io.report_failure("x", _pool_error("mem"), "left") == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "[x] error: out of memory in a worker process (MemoryError: injected MemoryError)",
        "(RAMBO_ENV_TRACEBACK=1 shows the traceback)",
        "[x] stopped on this error: left",
    ]
    assert run_io.report_failure("x", _pool_error("rt"), lambda e: f"left by {e}") == 1
    err = capsys.readouterr().err
    assert err.startswith("[x] error in a worker process:\nTraceback (most recent call last):")
    assert "concurrent" not in err and "direct cause" not in err and '"""' not in err
    assert "in _worker_fails" in err and "RuntimeError: injected bug" in err
    assert err.endswith("[x] stopped on this error: left by injected bug\n")
    assert len(err.splitlines()) < 10


def _run_failing_script(name: str, exc: str, cwd: Path):
    """``scripts/<name>.py`` run as a script whose argument parsing raises ``exc`` (argparse's
    ``parse_known_args``: ``parse_args`` is the scripts' own since probe 136)."""
    code = (
        "import argparse, runpy, sys\n"
        "def fail(*a, **k):\n"
        f"    raise {exc}('injected')\n"
        "argparse.ArgumentParser.parse_known_args = fail\n"
        f"sys.argv = ['{name}.py']\n"
        f"runpy.run_path({str(REPO / 'scripts' / f'{name}.py')!r}, run_name='__main__')\n"
    )
    return run_python(code, cwd, timeout=300)


def test_diagnose_error_mid_way_says_no_report_and_rerun(tmp_path):
    # probe 86 row 9: a MemoryError in the second Monte-Carlo evaluation was a raw traceback
    done = _run_failing_script("diagnose", "MemoryError", tmp_path)
    assert done.returncode == 1, done.stderr
    assert "[diagnose] error: out of memory (MemoryError: injected)" in done.stderr
    assert "Traceback" not in done.stderr
    assert "[diagnose] stopped on this error: no report written" in done.stderr
    assert "rerun the same command" in done.stderr


def test_mle_quality_error_mid_way_names_the_csv_and_the_resume(tmp_path):
    # probe 86 row 12: a RuntimeError in the second variant was a raw traceback; the Ctrl-C
    # path said the CSV holds the finished variants and the resume
    done = _run_failing_script("mle_quality", "RuntimeError", tmp_path)
    assert done.returncode == 1, done.stderr
    assert "RuntimeError: injected" in done.stderr
    assert "[mle_quality] stopped on this error: the --out CSV holds the variants" in done.stderr
    assert "each variant resumes from its last finished epoch" in done.stderr


def test_exit_on_interrupt_leaves_user_errors_to_the_caller():
    # the failed= path is for bugs / out of memory only: ValueError / OSError stay one line
    with pytest.raises(ValueError, match="bad"):
        run_io.exit_on_interrupt("x", "left", lambda: (_ for _ in ()).throw(ValueError("bad")),
                                 failed="kept")  # fmt: skip


def test_cotrain_error_in_mle_pretraining_names_the_kept_checkpoint():
    # probe 86 row 6: an error in MLE pretraining did not say that its checkpoint was kept
    from rambo_env.dynamics.io import cache_dir

    module = load_script("cotrain")
    assert module.mle_kept_note(module.SessionFiles()) == ""
    cache_dir().mkdir(parents=True, exist_ok=True)
    old, new = cache_dir() / "dynamics-a.partial.pt", cache_dir() / "dynamics-b.partial.pt"
    old.write_bytes(b"x")
    since = module.SessionFiles()  # probe 106 row 19: what was there at the start is not this
    assert module.mle_kept_note(since) == ""  # session's (was: older than its start clock)
    new.write_bytes(b"x")
    assert module.mle_kept_note(since) == f"; the MLE pretraining checkpoint {new} is kept"


def test_toys_rerun_draws_a_missing_final_snapshot(tmp_path, monkeypatch, capsys):
    # probe 86 row 13: the final snapshot's plot failed after results.json said "finished";
    # the rerun said "already finished …; skipped" and q_model_it7.png was never drawn
    module = load_script("toys")
    cfg = module.toy_config("single", 0.03, 0, module.npz_path(tmp_path, "single", 0), 7, 20)
    run_dir = tmp_path / module.run_dir_name("single", 0.03, 0)
    run_dir.mkdir()
    results = {"status": "finished", "final_return": 1.0, "final_score": None, "wall_s": {}}
    (run_dir / run_io.RESULTS_NAME).write_text(json.dumps(results))
    drawn = []
    probed = {"iteration": 7, "mean_action_s0": 0.1, "mean_action_dataset": 0.2}
    monkeypatch.setattr(module, "probe", lambda cfg, run_dir: probed)
    monkeypatch.setattr(module, "plot", lambda p, title, path: drawn.append(Path(path).name))
    entry = module.finished_entry(cfg, run_dir, "single", 0.03, 0)
    assert entry["status"] == "finished" and drawn == ["q_model_it7.png"]
    out = capsys.readouterr().out
    assert "its final snapshot was missing (the run stopped before drawing it): drawn now" in out
    assert "lacks the snapshot(s) q_model_it5.png: their checkpoints are overwritten" in out
