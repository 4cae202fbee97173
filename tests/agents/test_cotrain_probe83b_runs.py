"""Probe 83b: a run's TensorBoard rows, session records and divergence record after kills and
resumes (rechecks of probe 81a's and 82's fixes)."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from agents import cotrain as cotrain_module
from agents.cotrain import load_config, run_cotrain
from agents.run_callbacks import RunMonitorCallback
from rambo_env import run_io
from tests.agents.test_cotrain import tiny_config, tiny_hopper  # noqa: F401


class _Killed(BaseException):
    """Stands for a kill -9 at a chosen point (nothing after it runs; not an ``Exception``,
    which run_cotrain records as the run's failure, probe 85a)."""


def _folder_steps(run_dir, tag: str) -> list[int]:
    """The steps TensorBoard shows for ``tag`` over the whole tb/ folder (purges applied)."""
    acc = EventAccumulator(str(run_dir / "tb"), size_guidance={"scalars": 0})
    acc.Reload()
    return [e.step for e in acc.Scalars(tag)] if tag in acc.Tags()["scalars"] else []


def _kill_at_last_row(cfg, run, monkeypatch) -> None:
    """Train ``cfg`` into ``run``, killed between its last checkpoint and its TensorBoard row."""
    real_dump = RunMonitorCallback._dump

    def dump_or_die(self, iteration, iteration_s):
        if iteration == cfg.n_iterations:
            raise _Killed
        real_dump(self, iteration, iteration_s)

    monkeypatch.setattr(RunMonitorCallback, "_dump", dump_or_die)
    with pytest.raises(_Killed):
        run_cotrain(cfg, run)
    monkeypatch.setattr(RunMonitorCallback, "_dump", real_dump)


def test_the_last_checkpoints_lost_row_is_logged_again_by_the_finishing_resume(
    tiny_hopper,  # noqa: F811
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 83 row 29: was never logged again (the resume finished at once), tb 1..2 for good
    # and scripts/ledger.py refused the run
    cfg = tiny_config(tiny_hopper, n_iterations=3)
    _kill_at_last_row(cfg, tmp_path / "run", monkeypatch)
    assert _folder_steps(tmp_path / "run", "time/iterations") == [1, 2]
    capsys.readouterr()
    assert run_cotrain(cfg, tmp_path / "run", True)["status"] == "finished"
    assert "lacked the row of 1 iteration (3; killed between" in capsys.readouterr().out
    assert _folder_steps(tmp_path / "run", "time/iterations") == [1, 2, 3]
    assert _folder_steps(tmp_path / "run", "eval/normalized_score") == [0, 2, 3]


def test_an_already_finished_run_missing_its_last_row_logs_it_again(
    tiny_hopper,  # noqa: F811
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 83 row 29: the "already finished" path (a run finished by a resume that did not log
    # the row, as before this fix) said "nothing to resume" and left tb/ short for good
    cfg = tiny_config(tiny_hopper, n_iterations=3)
    _kill_at_last_row(cfg, tmp_path / "run", monkeypatch)
    # as before this fix: the finishing resume does not log it (raising=False: old code lacks it)
    monkeypatch.setattr(cotrain_module, "_log_again_at_end", lambda *args: None, raising=False)
    run_cotrain(cfg, tmp_path / "run", True)  # finished, the row still missing
    monkeypatch.undo()
    assert _folder_steps(tmp_path / "run", "time/iterations") == [1, 2]
    capsys.readouterr()
    assert run_cotrain(cfg, tmp_path / "run", True)["already_finished"]
    out = capsys.readouterr().out
    assert "already finished" in out and "lacked the row of 1 iteration (3;" in out
    assert _folder_steps(tmp_path / "run", "time/iterations") == [1, 2, 3]


def test_a_deleted_first_event_file_logs_step_0_again_and_says_the_order(
    tiny_hopper,  # noqa: F811
    tmp_path,
    capsys,
):
    # probe 83 row 27: step 0 (the warm start's evaluation, mle/*, bc/final_loss) was neither
    # logged again nor named, and the note guessed a kill and did not say TensorBoard lists the
    # re-logged rows after the later ones
    cfg = tiny_config(tiny_hopper, n_iterations=4)
    run = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=4, stop_at_iteration=2), run)
    first = sorted((run / "tb").glob("events.out.tfevents.*"))
    run_cotrain(tiny_config(tiny_hopper, n_iterations=4, stop_at_iteration=3), run, True)
    for path in first:
        path.unlink()
    capsys.readouterr()
    run_cotrain(cfg, run, True)
    out = capsys.readouterr().out
    assert "lacked the row of 3 iterations (0, 1, 2; event files deleted or lost?)" in out
    assert "step 0: the MLE and BC summaries" in out
    assert "TensorBoard lists them after the rows already logged (to 3)" in out
    assert 0 in _folder_steps(run, "bc/final_loss")
    assert 0 in _folder_steps(run, "eval/normalized_score")
    from rambo_env.curves import read_curves

    # one run's logs still (step 0 is in one event file only)
    assert [r["iteration"] for r in read_curves(run)] == [0, 1, 2, 3, 4]


def _strip_session_records(run) -> None:
    """Make ``run``'s checkpoint one written before session 38 (no thread counts, no settings)."""
    path = run / run_io.CHECKPOINT_NAME
    state = torch.load(path, weights_only=False, map_location="cpu")
    state.pop("session_settings", None)
    state.pop("torch_threads", None)
    torch.save(state, path)


def test_an_old_run_extended_at_another_thread_count_takes_config_jsons_count(
    tiny_hopper,  # noqa: F811
    tmp_path,
    capsys,
):
    # probe 83 row 16: was no note, and torch_threads [2] recorded for a run whose earlier
    # iterations trained at 1 (config.json's torch_threads 1)
    run = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=2, torch_threads=1), run)
    _strip_session_records(run)
    capsys.readouterr()
    cfg = dataclasses.replace(load_config(run), n_iterations=3, torch_threads=2)
    result = run_cotrain(cfg, run, True)
    assert "this session trains at 2 torch threads, the run's last session at 1" in (
        capsys.readouterr().out
    )
    assert result["torch_threads"] == [1, 2]


def test_the_thread_hint_after_mixed_sessions_promises_no_uninterrupted_numbers(
    tiny_hopper,  # noqa: F811
    tmp_path,
    capsys,
):
    # probe 83 row 35: was "(--torch-threads N keeps them)" after sessions at [1, 2] too
    run = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=3, stop_at_iteration=1), run)
    cfg = dataclasses.replace(load_config(run), stop_at_iteration=2, torch_threads=2)
    run_cotrain(cfg, run, True)
    capsys.readouterr()
    cfg = dataclasses.replace(cfg, stop_at_iteration=None, torch_threads=1)
    run_cotrain(cfg, run, True)
    said = capsys.readouterr().out
    assert "already mixed settings, so no flag gives them now; --torch-threads 2 matches" in said
    assert "keeps them" not in said


def test_a_killed_larger_q_limit_resume_keeps_the_divergence_guard(
    tiny_hopper,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    # probe 83 row 12: was a plain --resume after it back at the run's own limit, which diverged
    # again at the same iteration without a word (results.json "running" hid the divergence)
    run = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, n_iterations=2, q_limit=1e-9)
    assert run_cotrain(cfg, run)["status"] == "diverged"
    real_save = cotrain_module._save

    def die(*args):
        raise _Killed

    monkeypatch.setattr(cotrain_module, "_save", die)  # killed before iteration 1's checkpoint
    with pytest.raises(_Killed):
        run_cotrain(dataclasses.replace(cfg, q_limit=1e9), run, True)
    monkeypatch.setattr(cotrain_module, "_save", real_save)
    saved = run_io.read_json(run / run_io.RESULTS_NAME)
    assert saved["status"] == "running" and saved["diverged_before"]["iterations_completed"] == 0
    with pytest.raises(
        ValueError, match=r"diverged at iteration 1: average Q = .* above the limit"
    ):
        run_cotrain(load_config(run), run, True)
    assert run_cotrain(dataclasses.replace(cfg, q_limit=1e9), run, True)["status"] == "finished"
    assert "diverged_before" not in run_io.read_json(run / run_io.RESULTS_NAME)


def test_readers_name_the_checkpoints_iteration_past_the_logs(
    tiny_hopper,  # noqa: F811
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 83 row 23: was "7 iterations" from ledger.py and curves.py without a word of the
    # checkpoint's 8th (killed between the checkpoint and its row / running results.json)
    from rambo_env.curves import read_curves

    cfg = tiny_config(tiny_hopper, n_iterations=3)
    _kill_at_last_row(cfg, tmp_path / "run", monkeypatch)
    capsys.readouterr()
    assert [r["iteration"] for r in read_curves(tmp_path / "run")] == [0, 1, 2]
    read_curves(tmp_path / "run")  # said once
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1
    assert (
        "checkpoint.pt holds 3 iterations, but the run's TensorBoard logs end at iteration 2"
        in (out)
    )
    assert "iteration 3 is not counted here; python scripts/cotrain.py --resume" in out
    run_cotrain(cfg, tmp_path / "run", True)
    capsys.readouterr()
    read_curves(tmp_path / "run")
    assert "WARNING" not in capsys.readouterr().out


def test_the_ledgers_wall_time_of_a_run_with_lost_curves_covers_every_iteration(
    tiny_hopper,  # noqa: F811
    tmp_path,
):
    # probe 83 row 28: was the sum of only the iterations tb/ logged after CURVES_LOST
    import shutil

    from rambo_env.ledger import update_ledger

    cfg = tiny_config(tiny_hopper, n_iterations=2)
    run = tmp_path / "run"
    run_cotrain(cfg, run)
    shutil.rmtree(run / "tb")
    (run / "tb").mkdir()
    (run / "tb" / run_io.TB_LOST_NAME).touch()
    run_cotrain(dataclasses.replace(cfg, n_iterations=3), run, True)
    saved = run_io.read_json(run / run_io.RESULTS_NAME)
    entry = update_ledger(run, tmp_path / "ledger")
    assert entry.iterations == 3
    assert entry.cotrain_wall_s == pytest.approx(saved["iteration_s_mean"] * 3)


def test_a_reproduction_of_a_run_of_mixed_thread_counts_says_it_parts(
    tiny_hopper,  # noqa: F811
    tmp_path,
    capsys,
):
    # probe 83 row 14: load_config + run_cotrain of a run trained at threads [1, 2] reproduced it
    # at 1 thread without a word (its numbers part from the run's)
    run = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=2, stop_at_iteration=1), run)
    cfg = dataclasses.replace(load_config(run), stop_at_iteration=None, torch_threads=2)
    run_cotrain(cfg, run, True)
    capsys.readouterr()
    run_cotrain(load_config(run), tmp_path / "again")
    out = capsys.readouterr().out
    assert f"note: this config is {run}'s (load_config), whose sessions trained at torch " in out
    assert "threads [1, 2]" in out and "this run trains every iteration at 1 torch thread" in out
    capsys.readouterr()
    run_cotrain(load_config(tmp_path / "again"), tmp_path / "third")  # one setting: quiet
    assert "this config is" not in capsys.readouterr().out
