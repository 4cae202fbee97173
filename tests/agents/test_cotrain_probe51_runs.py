"""Probe 51's ledger and curves findings: a hand-edited config.json, runs killed part-way, sweep
folders."""

import json

import pytest
import torch
from stable_baselines3.common.logger import configure

from rambo_env.run_io import TB_DIR
from tests.agents.test_cotrain import _fake_run, ledger_module, tiny_config  # noqa: F401
from tests.agents.test_cotrain_probe50_runs import _dead_pid, _killed_run
from tests.scripts import load_script


def _run_with_checkpoint(run_dir, monkeypatch, *, seed: int, checkpoint_seed: int) -> None:
    """A fake run (:func:`_fake_run`) with cotrain's full config.json (``seed``) and a
    checkpoint.pt whose identity records ``checkpoint_seed``."""
    from agents.cotrain_setup import config_to_dict

    _fake_run(run_dir, 2, monkeypatch, seed=seed)
    saved = json.loads((run_dir / "config.json").read_text())
    saved["config"] = config_to_dict(tiny_config("tiny-hopper.npz", precision="fp32", seed=seed))
    saved["resolved"]["dataset"]["fingerprint"] = "f" * 16
    (run_dir / "config.json").write_text(json.dumps(saved))
    identity = {"config": {"seed": checkpoint_seed}, "dataset_fingerprint": "f" * 16}
    torch.save({"identity": identity, "agent": torch.zeros(4)}, run_dir / "checkpoint.pt")


def test_the_ledger_refuses_a_config_that_disagrees_with_its_checkpoint(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811 (the fixture)
):
    """Probe 51 row 33: config.json's seed edited 0 -> 7 (checkpoint.pt is seed 0's) was entered
    under the edited key (``…_s7``); the ledger now refuses it with ``--resume``'s words, before
    anything is written, and enters the run once the seed is put back."""
    ledger_cli = load_script("ledger")
    run_dir, ledger = tmp_path / "run", tmp_path / "ledger"
    _run_with_checkpoint(run_dir, monkeypatch, seed=7, checkpoint_seed=0)
    with pytest.raises(SystemExit) as exit_info:
        ledger_cli.main([str(run_dir), "--ledger", str(ledger)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err == (
        f"error: {run_dir / 'checkpoint.pt'} and {run_dir / 'config.json'} disagree on seed (0 "
        "in the checkpoint, 7 in config.json): config.json edited by hand, or the checkpoint "
        "copied from another run?; set seed back to 0 in config.json (or put back this run's "
        "own checkpoint) to resume it, or start a new run with the other value\n"
    ), err
    assert not ledger.exists()  # before any write
    run_dir.rename(tmp_path / "gone")
    _run_with_checkpoint(run_dir, monkeypatch, seed=7, checkpoint_seed=7)
    assert ledger_cli.main([str(run_dir), "--ledger", str(ledger)]) == 0
    assert "_s7: 2 iterations" in capsys.readouterr().out


def test_the_ledger_says_a_run_killed_after_its_warm_start_must_be_resumed(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811 (the fixture)
):
    """Probe 51 row 13: a run SIGKILLed after its BC checkpoint (iteration 0, its ``.lock`` left
    naming a dead process) was told "add it once its first iteration is done", as a live run;
    it is now said to have stopped there, and how to continue it."""
    ledger_cli = load_script("ledger")
    run_dir = tmp_path / "run"
    pid = _killed_run(run_dir, monkeypatch, done=0, planned=8)
    with pytest.raises(SystemExit) as exit_info:
        ledger_cli.main([str(run_dir), "--ledger", str(tmp_path / "ledger")])
    err = capsys.readouterr().err
    assert (
        exit_info.value.code == 2
        and (
            f"has logged only its BC warm-start evaluation (iteration 0): its run (process {pid}) "
            "stopped at iteration 0 of 8 (after its BC warm start) without finishing (killed? out "
            f"of memory?); continue it with python scripts/cotrain.py --resume {run_dir}, then run "
            "python scripts/ledger.py again\n"
        )
        in err
    ), err
    (run_dir / ".lock").unlink()  # no lock: the run is still in its first iteration, or gone
    with pytest.raises(SystemExit):
        ledger_cli.main([str(run_dir), "--ledger", str(tmp_path / "ledger")])
    assert "add it once its first iteration is done" in capsys.readouterr().err


def _logged_run(run_dir, iterations: int, planned: int, lock: str | None) -> None:
    """A run folder: config.json (``planned`` iterations), its TensorBoard curves up to
    ``iterations`` (iteration 0: the warm start's evaluation only) and ``lock`` as its .lock."""
    logger = configure(str(run_dir / TB_DIR), ["tensorboard"])
    for step in range(iterations + 1):
        logger.record("eval/normalized_score", float(step))
        logger.record("eval/return_mean", float(step))
        if step:
            logger.record("rambo/q_avg", float(step))
        logger.dump(step=step)
    logger.close()
    (run_dir / "config.json").write_text(json.dumps({"config": {"n_iterations": planned}}))
    if lock is not None:
        (run_dir / ".lock").write_text(lock)


def test_curves_say_where_an_unfinished_run_stands(tmp_path, capsys):
    """Probe 51 rows 36-37: curves.py said nothing of a run killed at iteration 12 of 60, and of
    one killed after its warm start (0 iterations) it blamed the agent ("an agent without it,
    e.g. TD3"); each gets one line saying where its run stands, a live one too."""
    import os

    curves_cli = load_script("curves")
    dead = _dead_pid()
    _logged_run(tmp_path / "k12", 12, 60, f"{dead}\n")
    _logged_run(tmp_path / "k0", 0, 60, f"{dead}\n")
    _logged_run(tmp_path / "live", 3, 60, f"{os.getpid()}\n")
    _logged_run(tmp_path / "done", 3, 3, None)
    _logged_run(tmp_path / "stop", 3, 60, None)
    (tmp_path / "stop" / "results.json").write_text(
        json.dumps({"status": "stopped", "iterations_completed": 3, "n_iterations": 60})
    )
    out = tmp_path / "out" / "cv"
    runs = [f"{name}={tmp_path / name}" for name in ("k12", "k0", "live", "done", "stop")]
    assert curves_cli.main([*runs, "--out", str(out), "--columns", "q_avg"]) == 0
    said = capsys.readouterr().out
    assert (
        f"k12: its run (process {dead}) stopped at iteration 12 of 60 without finishing (killed? "
        f"out of memory?); continue it with python scripts/cotrain.py --resume {tmp_path / 'k12'}\n"
    ) in said, said
    assert (
        f"k0: its run (process {dead}) stopped at iteration 0 of 60 (after its BC warm start) "
        "without finishing (killed? out of memory?); continue it with python scripts/cotrain.py "
        f"--resume {tmp_path / 'k0'}\n"
    ) in said, said
    assert f"live: its run (process {os.getpid()}) is still going (iteration 3 of 60)\n" in said
    assert "done:" not in said
    assert (
        "stop: its run stopped at iteration 3 of 60 (--stop-at-iteration); finish it with "
        f"python scripts/cotrain.py --resume {tmp_path / 'stop'}\n"
    ) in said, said
    assert "k0 has no co-training iteration yet: only iteration 0" in said, said
    assert "an agent without it" not in said


def test_a_run_with_no_iteration_is_not_said_to_lack_a_column_by_its_agent(tmp_path, capsys):
    """Probe 51 row 36 (the library): plot_curves' note on a run with only iteration 0."""
    from rambo_env.curves import empty_columns, plot_curves

    runs = {
        "a": [{"iteration": 0, "normalized_score": 1.0}],
        "b": [{"iteration": 0, "normalized_score": 1.0}, {"iteration": 1, "q_avg": 2.0}],
    }
    plot_curves(tmp_path / "c.png", runs, columns=["q_avg", "normalized_score"])
    said = capsys.readouterr().out
    assert (
        "a has no q_avg value (a has no co-training iteration yet: only iteration 0, the "
        "evaluation after the warm start): not in that panel" in said
    ), said
    assert empty_columns({"a": runs["a"]}, ["q_avg"]) == {
        "q_avg": "a has no co-training iteration yet: only iteration 0, the evaluation after "
        "the warm start"
    }


def test_the_ledger_and_curves_name_the_runs_below_a_sweep_folder(tmp_path, capsys):
    """Probe 51 rows 57-58: a sweep folder given to the ledger / curves.py was "not a run
    folder" without a word of its runs; both now name them, as diagnose.py does."""
    sweep = tmp_path / "sweep"
    run_dir = sweep / "runs" / "hopper" / "k2-lam3e-4" / "s0"
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text("{}")
    (sweep / "sweep.json").write_text("{}")
    hint = (
        "; it holds 1 run folder(s) below it (a sweep folder: one run per trial), e.g. "
        f"{run_dir}: pass one of those\n"
    )
    for script, argv in [
        ("ledger", [str(sweep), "--ledger", str(tmp_path / "ledger")]),
        ("curves", [f"a={sweep}", "--out", str(tmp_path / "out" / "cv")]),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            load_script(script).main(argv)
        err = capsys.readouterr().err
        assert exit_info.value.code == 2 and "not a run folder" in err and err.endswith(hint), err
