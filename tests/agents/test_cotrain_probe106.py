"""Probe 106 (runs that live for days): a Ctrl-C / SIGTERM right after an iteration's checkpoint,
or after a resumed session marked results.json "running", and a wall clock that went back."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import time

import pytest

from agents import cotrain
from agents.cotrain import RunInterrupted, run_cotrain
from rambo_env import run_io
from rambo_env.run_io import load_checkpoint
from tests.agents.test_cotrain import _tb_scalars, tiny_config, tiny_hopper  # noqa: F401


def _signal_after_write(monkeypatch, n: int, sig: int) -> None:
    """Send ``sig`` to this process right after the ``n``-th checkpoint.pt has landed."""
    real, count = run_io.save_checkpoint, [0]

    def save(path, state, *args, **kwargs):
        out = real(path, state, *args, **kwargs)
        count[0] += 1
        if count[0] == n:
            os.kill(os.getpid(), sig)
        return out

    monkeypatch.setattr(cotrain.run_io, "save_checkpoint", save)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_right_after_a_checkpoint_keeps_that_iteration(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
    sig,
):
    # probe 106 rows 3, 9, 17: was "interrupted; the checkpoint of iteration 1 is kept" and
    # results.json 1 while checkpoint.pt held iteration 2, whose TensorBoard row was lost
    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, n_iterations=4)
    _signal_after_write(monkeypatch, 3, sig)  # writes: iteration 0, 1, 2
    with pytest.raises(RunInterrupted):
        run_cotrain(cfg, run_dir)
    out = capsys.readouterr().out
    assert load_checkpoint(run_dir / "checkpoint.pt")["iteration"] == 2
    results = json.loads((run_dir / "results.json").read_text())
    assert (results["status"], results["iterations_completed"]) == ("interrupted", 2)
    assert len(results["q_history"]) == 2
    assert results["message"] == "interrupted; the checkpoint of iteration 2 is kept"
    assert "right after iteration 2's checkpoint" in out
    assert [step for step, _ in _tb_scalars(run_dir, "train/critic_loss")] == [1, 2]


def test_a_signal_after_a_resumed_sessions_checkpoint_keeps_its_results(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 106 rows 9, 14, 17: in a resumed session (results.json rewritten after each
    # checkpoint) the last iteration's was "interrupted: 2/3"; the next session planned from
    # results.json was refused ("stop_at_iteration: 3 <= iterations done 3")
    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, n_iterations=3, stop_at_iteration=1)
    run_cotrain(cfg, run_dir)
    _signal_after_write(monkeypatch, 2, signal.SIGTERM)  # iterations 2, 3
    with pytest.raises(RunInterrupted):
        run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), run_dir, resume=True)
    out = capsys.readouterr().out
    assert load_checkpoint(run_dir / "checkpoint.pt")["iteration"] == 3
    results = json.loads((run_dir / "results.json").read_text())
    assert (results["status"], results["iterations_completed"]) == ("interrupted", 3)
    assert results["message"] == "interrupted; the checkpoint of iteration 3 is kept"
    assert "SIGTERM right after iteration 3's checkpoint" in out
    assert [step for step, _ in _tb_scalars(run_dir, "train/critic_loss")] == [1, 2, 3]


def test_a_signal_before_a_resumed_session_trains_records_the_interrupt(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
):
    # probe 106 row 24: a SIGTERM while the resumed session opened its TensorBoard writer (after
    # results.json said "running") left results.json "running … it was killed"
    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, n_iterations=3, stop_at_iteration=1)
    run_cotrain(cfg, run_dir)
    real = cotrain.tensorboard_logger

    def logger(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        return real(*args, **kwargs)

    monkeypatch.setattr(cotrain, "tensorboard_logger", logger)
    with pytest.raises(KeyboardInterrupt):  # was a bare one, not RunInterrupted
        run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), run_dir, resume=True)
    results = json.loads((run_dir / "results.json").read_text())
    assert (results["status"], results["iterations_completed"]) == ("interrupted", 1)
    assert results["message"] == "interrupted; the checkpoint of iteration 1 is kept"


def test_an_event_file_named_in_the_future_is_told(tmp_path, capsys):
    # probe 106 row 4: the clock went back between sessions: the new event file sorted before
    # the earlier session's and TensorBoard drew steps [4, 5, 6, 1, 2, 3], without a word
    ahead = int(time.time()) + 3600
    (tmp_path / f"events.out.tfevents.{ahead}.host.1.0").write_bytes(b"")
    cotrain._wait_past_newest_event_file(tmp_path)
    out = capsys.readouterr().out
    assert out.startswith(f"[rambo_env] WARNING: {tmp_path} holds an event file named 60 min ")
    assert "TensorBoard draws the curves out of step order" in out


def test_an_event_file_of_this_second_is_waited_for_without_a_word(tmp_path, capsys):
    (tmp_path / f"events.out.tfevents.{int(time.time())}.host.1.0").write_bytes(b"")
    cotrain._wait_past_newest_event_file(tmp_path)
    assert capsys.readouterr().out == ""


def continued_in_iteration_1(monkeypatch) -> None:
    """The process is stopped and continued (its SIGCONT) in iteration 1 of the next run."""
    from agents.run_callbacks import RunMonitorCallback

    real_step, sent = RunMonitorCallback._on_step, []

    def on_step(self):
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGCONT)
        return real_step(self)

    monkeypatch.setattr(RunMonitorCallback, "_on_step", on_step)


def test_an_iteration_stopped_by_sigstop_stays_out_of_the_time_record(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
):
    # probe 106 row 8: a 25 s SIGSTOP in iteration 1 made it a 33 s iteration in the machine's
    # iteration_times.json and the next session's estimate; its SIGCONT now marks it
    from agents import timing

    recorded = []
    monkeypatch.setattr(timing, "record_iteration_time", lambda key, times: recorded.append(times))
    continued_in_iteration_1(monkeypatch)
    run_dir = tmp_path / "run"
    results = run_cotrain(tiny_config(tiny_hopper, n_iterations=2), run_dir)
    assert results["status"] == "finished"
    assert signal.getsignal(signal.SIGCONT) is signal.SIG_DFL  # restored
    times = load_checkpoint(run_dir / "checkpoint.pt")["history"]["iteration_s"]
    assert recorded and recorded[-1] == times[1:]  # iteration 2 only
