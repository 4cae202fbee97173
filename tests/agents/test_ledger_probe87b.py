"""Probe 87 (readers' part): ledger.py and curves.py on a run its results.json says ``failed``
gave "continue it with --resume" whatever the failure (also for a diverged one), said nothing
of the failure when it came in iteration 1, and entered a run failed after its last iteration
as complete."""

from __future__ import annotations

import dataclasses
import json

import pytest

import agents.cotrain as cotrain_mod
from agents.cotrain import load_config, run_cotrain
from agents.fused import FusedSAC
from rambo_env.ledger import read_index
from tests.agents.test_cotrain import _shared_model_cache, tiny_hopper  # noqa: F401 (fixtures)
from tests.agents.test_cotrain_errors_probe85a import _fail_on_call, diverged_run
from tests.agents.test_cotrain_probe33 import _tiny_argv, cotrain_cli
from tests.scripts import load_script


def _readers(run_dir, tmp_path, capsys) -> tuple[str, str]:
    """What ledger.py (a fresh ledger) and curves.py print of ``run_dir``."""
    ledger = tmp_path / "ledger"
    assert load_script("ledger").main([str(run_dir), "--ledger", str(ledger)]) == 0
    led = capsys.readouterr().out
    assert load_script("curves").main([f"a={run_dir}", "--out", str(tmp_path / "cv")]) == 0
    return led, capsys.readouterr().out


def test_the_readers_of_a_run_that_diverged_on_a_non_finite_actor_give_its_own_advice(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 87 row 12: was "its run failed at iteration 1 of 3: ValueError in iteration 2 (…):
    # Expected parameter loc …; continue it with python scripts/cotrain.py --resume RUN" in both
    # readers: the advice cotrain gave against, and no word that the run diverged
    run_dir = diverged_run(tiny_hopper, tmp_path, monkeypatch)
    capsys.readouterr()
    for said in _readers(run_dir, tmp_path, capsys):
        assert "its run failed at iteration 1 of 3: diverged in iteration 2" in said, said
        assert "the actor's outputs became non-finite" in said
        assert f"scripts/cotrain.py --resume {run_dir} repeats that iteration" in said
        assert "likely diverges again; start a new run with other settings" in said
        assert "continue it with" not in said


def test_the_ledger_says_a_run_failed_in_its_first_iteration_and_how_to_go_on(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 87 row 36: was "has logged only its BC warm-start evaluation (iteration 0), no
    # co-training iteration yet; add it once its first iteration is done": no word that the
    # run failed, and waiting never brings iteration 1
    run_dir = tmp_path / "run"
    _fail_on_call(monkeypatch, FusedSAC, "train", 1, RuntimeError("injected"))
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--iterations", "3")) == 1
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        load_script("ledger").main([str(run_dir), "--ledger", str(tmp_path / "ledger")])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert (
        "has logged only its BC warm-start evaluation (iteration 0): its run failed at "
        "iteration 0 of 3 (after its BC warm start): RuntimeError in iteration 1"
    ) in err, err
    assert f"continue with python scripts/cotrain.py --resume {run_dir}" in err
    assert "add it once its first iteration is done" not in err


def test_a_run_failed_after_its_last_iteration_is_not_entered_as_complete(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    # probe 87 row 40: a caller's on_iteration that raised on the last record (after the last
    # checkpoint) left results.json "failed"; ledger.py entered the run as complete (index
    # status "complete") without a word, while curves.py said "failed … --resume"
    run_dir = tmp_path / "run"
    argv = _tiny_argv(tiny_hopper, run_dir, "--iterations", "2", "--stop-at-iteration", "1")
    assert cotrain_cli.main(argv) == 0

    def plot(record):
        if record["iteration"] == 2:
            raise KeyError("plot_line")  # a bug in the caller's live plot

    cfg = dataclasses.replace(load_config(run_dir, resume=True), stop_at_iteration=None)
    with pytest.raises(KeyError):
        run_cotrain(cfg, run_dir, resume=True, on_iteration=plot)
    assert json.loads((run_dir / "results.json").read_text())["status"] == "failed"
    capsys.readouterr()
    for said in _readers(run_dir, tmp_path, capsys):
        assert "its run failed after its last iteration (2 of 2: KeyError" in said, said
        assert "its closing results were not written (results.json says failed)" in said
        assert f"scripts/cotrain.py --resume {run_dir} writes them" in said
    (entry,) = read_index(tmp_path / "ledger").values()
    assert entry.status == "unfinished" and entry.iterations == 2, entry
    # and --resume writes the closing results: then entered as complete, without a note
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 0
    capsys.readouterr()
    led, _ = _readers(run_dir, tmp_path, capsys)
    assert "failed" not in led, led


def test_a_failed_run_with_an_empty_error_message_leaves_no_trailing_colon(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 87 (minor note): an error with an empty message was "RuntimeError in iteration 2
    # (the evaluation): ; continue it …"
    run_dir = tmp_path / "run"
    argv = _tiny_argv(tiny_hopper, run_dir, "--iterations", "3", "--stop-at-iteration", "1")
    assert cotrain_cli.main(argv) == 0
    _fail_on_call(monkeypatch, cotrain_mod, "_evaluate", 1, RuntimeError())
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 1
    capsys.readouterr()
    for said in _readers(run_dir, tmp_path, capsys):
        assert "RuntimeError in iteration 2 (the evaluation); the last checkpoint" in said, said
        assert ": ;" not in said


def test_a_finished_run_whose_logs_end_early_names_a_switched_off_writer_too(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    # probe 87 (minor note, row 9): a finished run whose TensorBoard writer had switched itself
    # off (a [cotrain] WARNING said so then) was guessed "event files deleted or lost?" only
    run_dir = tmp_path / "run"
    argv = _tiny_argv(tiny_hopper, run_dir, "--iterations", "2", "--stop-at-iteration", "1")
    assert cotrain_cli.main(argv) == 0
    first = set((run_dir / "tb").glob("events.out.tfevents.*"))
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 0
    for path in set((run_dir / "tb").glob("events.out.tfevents.*")) - first:
        path.unlink()  # as a session whose writer wrote nothing
    capsys.readouterr()
    with pytest.raises(SystemExit):
        load_script("ledger").main([str(run_dir), "--ledger", str(tmp_path / "ledger")])
    err = capsys.readouterr().err
    assert "hold only up to iteration 1 (event files deleted or lost, or not written" in err, err
    assert "a [cotrain] WARNING said TensorBoard logging was off?)" in err


def test_a_callback_failure_mid_run_gets_the_resume_command_spelled_out(tmp_path):
    # session 39: the message of a failure in the caller's on_iteration callback says
    # "…; checkpoint 2 is kept: … continue with --resume", which the readers did not split,
    # so its bare "--resume" was left without the command
    from rambo_env.ledger import failed_text

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    message = (
        "failed: KeyError in the caller's on_iteration callback after iteration 2: 'x'; "
        "checkpoint 2 is kept: once the cause is fixed, continue with --resume"
    )
    results = {"status": "failed", "message": message, "iterations_completed": 2}
    (run_dir / "results.json").write_text(json.dumps(results | {"n_iterations": 5}))
    said = failed_text(run_dir, "iteration 2 of 5")
    assert said == (
        "its run failed at iteration 2 of 5: KeyError in the caller's on_iteration callback "
        f"after iteration 2: 'x'; checkpoint 2 is kept: once the cause is fixed, continue with "
        f"python scripts/cotrain.py --resume {run_dir}"
    )
