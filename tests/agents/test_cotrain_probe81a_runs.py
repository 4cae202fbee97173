"""Probe 81a: a run's artefacts (config.json, results.json, learning_curve.png, tb/, checkpoint,
ledger) agree with each other at every moment a researcher can read them."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from agents import cotrain as cotrain_module
from agents.cotrain import run_cotrain
from agents.run_callbacks import RunMonitorCallback
from rambo_env import run_io
from rambo_env.ledger import LedgerEntry, read_index, update_ledger
from tests.agents.test_cotrain import tiny_config, tiny_hopper  # noqa: F401
from tests.scripts import load_script


class _Killed(BaseException):
    """Stands for a kill -9 at a chosen point (nothing after it runs; not an ``Exception``,
    which run_cotrain records as the run's failure, probe 85a)."""


def _folder_steps(run_dir, tag: str) -> list[int]:
    """The steps TensorBoard shows for ``tag`` over the whole tb/ folder (purges applied)."""
    acc = EventAccumulator(str(run_dir / "tb"), size_guidance={"scalars": 0})
    acc.Reload()
    return [e.step for e in acc.Scalars(tag)] if tag in acc.Tags()["scalars"] else []


def _results(run_dir) -> dict:
    return run_io.read_json(run_dir / run_io.RESULTS_NAME)


def test_results_json_is_current_while_an_extend_runs_and_after_a_kill(tiny_hopper, tmp_path):  # noqa: F811
    # probe 81 rows 22, 33: was "finished 2/2" during the extend and after its kill, while
    # config.json said 4 and the checkpoint held 3
    cfg = tiny_config(tiny_hopper, n_iterations=2)
    run = tmp_path / "run"
    run_cotrain(cfg, run)
    seen = []

    def kill_at_3(metrics):
        seen.append(_results(run))
        if metrics["iteration"] == 3:
            raise _Killed

    with pytest.raises(_Killed):
        run_cotrain(dataclasses.replace(cfg, n_iterations=4), run, True, on_iteration=kill_at_3)
    (during,) = seen
    assert (during["status"], during["iterations_completed"], during["n_iterations"]) == (
        "running",
        3,
        4,
    )
    after = _results(run)
    state = torch.load(run / run_io.CHECKPOINT_NAME, weights_only=False, map_location="cpu")
    assert after["status"] == "running" and after["iterations_completed"] == state["iteration"]
    assert after["q_history"] == state["history"]["q_history"]
    assert "rewritten after each checkpoint" in after["message"]
    png = run / run_io.CURVE_NAME  # drawn with it (was: the 2-iteration curve)
    assert png.stat().st_mtime >= (run / run_io.RESULTS_NAME).stat().st_mtime
    final = run_cotrain(dataclasses.replace(cfg, n_iterations=4), run, True)
    assert final["status"] == "finished" and _results(run)["status"] == "finished"


def test_a_curve_older_than_results_json_is_drawn_again(tiny_hopper, tmp_path, capsys):  # noqa: F811
    # probe 81 row 21: was kept ("nothing to resume"), the shorter run's curve
    cfg = tiny_config(tiny_hopper, n_iterations=1)
    run_cotrain(cfg, tmp_path / "run")
    png = tmp_path / "run" / run_io.CURVE_NAME
    stamp = (tmp_path / "run" / run_io.RESULTS_NAME).stat().st_mtime
    os.utime(png, (stamp - 5, stamp - 5))
    capsys.readouterr()
    run_cotrain(cfg, tmp_path / "run", True)
    assert "learning_curve.png was older than its results.json" in capsys.readouterr().out
    assert png.stat().st_mtime >= stamp


def test_a_resume_from_checkpoint_0_logs_the_bc_loss_again(tiny_hopper, tmp_path, monkeypatch):  # noqa: F811
    # probe 81 row 12: was purged with step 0 and never logged again (mle/* and eval/* were)
    cfg = tiny_config(tiny_hopper, n_iterations=2)
    real_save, calls = cotrain_module._save, []

    def save_then_die(*args):
        calls.append(1)
        if len(calls) == 2:  # iteration 1's checkpoint: killed before it
            raise _Killed
        real_save(*args)

    monkeypatch.setattr(cotrain_module, "_save", save_then_die)
    with pytest.raises(_Killed):
        run_cotrain(cfg, tmp_path / "run")
    monkeypatch.setattr(cotrain_module, "_save", real_save)
    run_cotrain(cfg, tmp_path / "run", True)
    assert _folder_steps(tmp_path / "run", "bc/final_loss") == [0]


def test_a_row_lost_between_checkpoint_and_tensorboard_is_logged_again(
    tiny_hopper,  # noqa: F811
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 81 row 10: was lost for good (tb steps [1], [3, 4]), the resume silent
    cfg = tiny_config(tiny_hopper, n_iterations=4)
    real_dump = RunMonitorCallback._dump

    def dump_or_die(self, iteration, iteration_s):
        if iteration == 2:
            raise _Killed
        real_dump(self, iteration, iteration_s)

    monkeypatch.setattr(RunMonitorCallback, "_dump", dump_or_die)
    with pytest.raises(_Killed):
        run_cotrain(cfg, tmp_path / "run")
    monkeypatch.setattr(RunMonitorCallback, "_dump", real_dump)
    capsys.readouterr()
    results = run_cotrain(cfg, tmp_path / "run", True)
    assert "lacked the row of 1 iteration (2; killed between a checkpoint" in (
        capsys.readouterr().out
    )
    assert _folder_steps(tmp_path / "run", "time/iterations") == [1, 2, 3, 4]
    assert _folder_steps(tmp_path / "run", "eval/normalized_score") == [0, 2, 4]
    q = dict(
        (e.step, e.value)
        for e in EventAccumulator(str(tmp_path / "run" / "tb"), size_guidance={"scalars": 0})
        .Reload()
        .Scalars("rambo/q_avg")
    )
    assert q[2] == pytest.approx(results["q_history"][1], rel=1e-6)


def test_config_json_records_the_latest_sessions_stop(tiny_hopper, tmp_path):  # noqa: F811
    # probe 81 row 29: was the first session's stop_at_iteration 1 after the run finished 2/2,
    # so load_config + run_cotrain into a new folder reproduced a stopped run
    cfg = tiny_config(tiny_hopper, n_iterations=2)
    run_cotrain(dataclasses.replace(cfg, stop_at_iteration=1), tmp_path / "run")
    assert cotrain_module.load_config(tmp_path / "run").stop_at_iteration == 1
    run_cotrain(cfg, tmp_path / "run", True)
    assert cotrain_module.load_config(tmp_path / "run").stop_at_iteration is None


def test_an_extend_says_its_final_window_holds_the_earlier_schedules_evaluation(
    tiny_hopper,  # noqa: F811
    tmp_path,
    capsys,
):
    # probe 81 row 4: was no word that the final mean covers another set of iterations than an
    # uninterrupted run's (evaluated at [2, 3, 4] vs [2, 4])
    cfg = tiny_config(tiny_hopper, n_iterations=3)
    run_cotrain(cfg, tmp_path / "run")
    capsys.readouterr()
    run_cotrain(dataclasses.replace(cfg, n_iterations=4), tmp_path / "run", True)
    out = capsys.readouterr().out
    assert "note: 1 iteration (3) was evaluated under the run's earlier, shorter schedule" in out
    assert "so it can differ from an uninterrupted 4-iteration run's" in out


def test_the_closing_line_says_whose_time_it_gives(capsys):
    # probe 81 row 17: was "finished: 12/12 iterations …, 3 s", the session's time alone
    cotrain_cli = load_script("cotrain")
    wall = {"session": 3.37, "cotrain_total": 10.2, "session_setup": 1.0}
    assert cotrain_cli._times(wall) == "this session 3 s; the run's co-training 10 s"


def test_the_ledger_line_of_a_run_against_its_own_entry_says_so(tiny_hopper, tmp_path):  # noqa: F811
    # probe 81 row 32: an extended run was set against its own earlier entry as another long run
    cfg = tiny_config(tiny_hopper, n_iterations=2)
    run_cotrain(cfg, tmp_path / "run")
    update_ledger(tmp_path / "run", tmp_path / "ledger")
    results = run_cotrain(dataclasses.replace(cfg, n_iterations=3), tmp_path / "run", True)
    cotrain_cli = load_script("cotrain")
    line = cotrain_cli.standing_lines(results, tmp_path / "ledger", run_dir=tmp_path / "run")[-1]
    assert (
        "results ledger, this run's own entry (recorded at iteration 2; scripts/ledger.py" in line
    )


def test_the_committed_ledger_still_loads():
    # probe 81 row 19: cotrain_wall_s is documented (evaluations excluded, unlike results.json's
    # cotrain_total), its key kept: the committed index.json still loads
    index = read_index(Path(__file__).resolve().parents[2] / "docs/results/ledger")
    assert all(isinstance(e, LedgerEntry) for e in index.values())
