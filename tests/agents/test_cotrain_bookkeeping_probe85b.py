"""Probe 85 (b): a run's bookkeeping (its learning curve, TensorBoard logs, the "running"
results.json of a resumed session, config.json, the ledger's files) failing must not end the
training nor leave its files half made."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import agents.cotrain as cotrain_mod
from agents.cotrain import run_cotrain
from agents.cotrain_setup import CotrainConfig
from rambo_env import ledger as ledger_mod
from rambo_env import run_io
from rambo_env.ledger import read_index, update_ledger
from tests.agents.test_cotrain import _shared_model_cache, tiny_config, tiny_hopper  # noqa: F401
from tests.agents.test_cotrain_probe33 import _tiny_argv, cotrain_cli


def _failing(error: BaseException, real, when=lambda *a, **k: True):
    """``real`` raising ``error`` on the calls ``when`` picks."""

    def call(*args, **kwargs):
        if when(*args, **kwargs):
            raise error
        return real(*args, **kwargs)

    return call


def _stopped_run(dataset: str, tmp_path: Path) -> tuple[CotrainConfig, Path]:
    """A 4-iteration run stopped at iteration 1 (its resume writes a "running" results.json)."""
    cfg, run = tiny_config(dataset, n_iterations=4), tmp_path / "run"
    run_cotrain(dataclasses.replace(cfg, stop_at_iteration=1), run)
    assert run_io.read_json(run / run_io.RESULTS_NAME)["status"] == "stopped"
    return cfg, run


def test_a_failing_closing_curve_is_one_warning_and_the_run_ends_normally(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 85 row 9: was rc 1 and a bare traceback after all iterations, no closing lines
    run = tmp_path / "run"
    real = run_io.plot_learning_curve
    monkeypatch.setattr(run_io, "plot_learning_curve", _failing(RuntimeError("font"), real))
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run)) == 0
    out = capsys.readouterr().out
    assert f"[rambo_env] WARNING: {run / 'learning_curve.png'} not drawn" in out
    assert "RuntimeError: font" in out and f"results: {run / 'results.json'}" in out
    assert run_io.read_json(run / run_io.RESULTS_NAME)["status"] == "finished"
    monkeypatch.setattr(run_io, "plot_learning_curve", real)
    assert cotrain_cli.main(["--resume", str(run)]) == 0  # draws it again
    assert "drawn again (or its drawing failed: a WARNING said so" in capsys.readouterr().out
    assert (run / "learning_curve.png").is_file()


def test_a_resumed_sessions_failing_running_writes_warn_once_and_it_trains_on(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 85 rows 11, 27: a MemoryError in the "running" results.json write, or a plot error in
    # its curve redraw, after a resumed session's checkpoint ended the training
    cfg, run = _stopped_run(tiny_hopper, tmp_path)
    real_json, real_plot = run_io.write_json, run_io.plot_learning_curve

    def running(path, data, *_):
        return Path(path).name == run_io.RESULTS_NAME and dict(data).get("status") == "running"

    monkeypatch.setattr(run_io, "write_json", _failing(MemoryError(), real_json, running))
    monkeypatch.setattr(run_io, "plot_learning_curve", _failing(RuntimeError("font"), real_plot))
    capsys.readouterr()
    results = run_cotrain(cfg, run, resume=True)
    out = capsys.readouterr().out
    assert (results["status"], results["iterations_completed"]) == ("finished", 4)
    assert run_io.read_json(run / run_io.RESULTS_NAME)["status"] == "finished"
    said = [line for line in out.splitlines() if "[rambo_env] WARNING" in line]
    assert sum(f"{run / 'results.json'} not rewritten" in line for line in said) == 1
    assert sum("MemoryError" in line for line in said) == 1
    # once while it trained (not said again), once at its end
    assert sum(f"{run / 'learning_curve.png'} not drawn" in line for line in said) == 2


def test_any_error_in_a_tensorboard_write_switches_the_logs_off_and_the_run_goes_on(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 85 row 10: was a raw traceback for any non-OSError error in a log write
    calls = []

    def third(*_):
        calls.append(1)
        return len(calls) == 3

    real = cotrain_mod.TensorBoardOutputFormat.write
    bad = _failing(RuntimeError("bad record"), real, third)
    monkeypatch.setattr(cotrain_mod.TensorBoardOutputFormat, "write", bad)
    run = tmp_path / "run"
    results = run_cotrain(tiny_config(tiny_hopper, n_iterations=3), run)
    assert (results["status"], results["iterations_completed"]) == ("finished", 3)
    out = capsys.readouterr().out
    assert out.count("TensorBoard logs not written") == 1
    assert "(RuntimeError: bad record)" in out and "the run goes on" in out


def test_an_extend_is_recorded_only_once_its_restore_passed(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 85 row 23: was config.json n_iterations 4 beside results.json "finished 2/2" after an
    # error in the restore, and a later plain --resume extended it without a word
    run = tmp_path / "run"
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run)) == 0
    real = cotrain_mod._restore
    monkeypatch.setattr(cotrain_mod, "_restore", _failing(MemoryError(), real))
    with pytest.raises(MemoryError):
        run_cotrain(
            dataclasses.replace(cotrain_mod.load_config(run), n_iterations=4), run, resume=True
        )
    assert run_io.read_json(run / run_io.CONFIG_NAME)["config"]["n_iterations"] == 2
    monkeypatch.setattr(cotrain_mod, "_restore", real)
    # a run an earlier version left so: a plain resume says what it does
    saved = run_io.read_json(run / run_io.CONFIG_NAME)
    saved["config"]["n_iterations"] = 4
    (run / run_io.CONFIG_NAME).write_text(json.dumps(saved))
    capsys.readouterr()
    assert cotrain_cli.main(["--resume", str(run)]) == 0
    out = capsys.readouterr().out
    assert "records n_iterations 4 but" in out and "says the run finished 2/2" in out
    assert "n_iterations 2 -> 4" in out
    assert run_io.read_json(run / run_io.RESULTS_NAME)["iterations_completed"] == 4


def test_a_config_json_deleted_while_the_run_trains_is_written_again(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    # probe 85 row 26: was a run finished without its config.json, without a word; ledger.py
    # then said "(not a run folder?)" and --resume refused it
    run = tmp_path / "run"
    config = run / run_io.CONFIG_NAME

    def delete(metrics):
        if metrics["iteration"] in (1, 3):
            config.unlink()

    run_cotrain(tiny_config(tiny_hopper, n_iterations=3), run, on_iteration=delete)
    out = capsys.readouterr().out
    assert out.count(f"[rambo_env] WARNING: {config} was missing") == 2
    assert cotrain_mod.load_config(run).n_iterations == 3
    update_ledger(run, tmp_path / "ledger")  # enters the ledger
    config.unlink()
    with pytest.raises(FileNotFoundError, match=r"holds a run \(checkpoint.pt, results.json\)"):
        update_ledger(run, tmp_path / "ledger2")


@pytest.mark.parametrize("kept", [False, True])
def test_an_error_in_the_ledgers_index_write_leaves_no_orphan_csv(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    kept,
):
    # probe 85 row 18: was the entry's CSV written and not listed by index.json
    run, ledger = tmp_path / "run", tmp_path / "ledger"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=2), run)
    if kept:  # an entry the ledger holds: its CSV stays as it was
        entry = update_ledger(run, ledger)
        csv = ledger / f"{entry.slug}.csv"
        csv.write_text(csv.read_text() + "\n")
    before = {p.name: p.read_bytes() for p in ledger.glob("*")} if ledger.exists() else {}
    real = ledger_mod.write_json
    monkeypatch.setattr(ledger_mod, "write_json", _failing(MemoryError(), real))
    with pytest.raises(MemoryError):
        update_ledger(run, ledger, replace=True)
    after = {p.name: p.read_bytes() for p in ledger.glob("*")} if ledger.exists() else {}
    assert after == before
    monkeypatch.setattr(ledger_mod, "write_json", real)
    entry = update_ledger(run, ledger, replace=True)
    assert entry.slug in read_index(ledger) and (ledger / f"{entry.slug}.csv").is_file()
