"""Probe 87 (recheck of probe 85's failure path): what a run that an exception ended says and
records, where the first fixes left gaps (a resumed session's setup, the warm start's evaluation,
a failed or interrupted record of the failure, the caller's callback, a GPU out of memory)."""

from __future__ import annotations

import json
import os
import signal

import torch

import agents.cotrain as cotrain_mod
from agents.cotrain import failure_message, run_cotrain
from agents.fused import FusedSAC
from rambo_env import run_io
from rambo_env.adversary import ModelAdversary
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)
from tests.agents.test_cotrain_errors_probe85a import _fail_on_call
from tests.agents.test_cotrain_probe33 import _tiny_argv, cotrain_cli


def _results(run_dir) -> dict:
    return json.loads((run_dir / "results.json").read_text())


def _on_failed_record(monkeypatch, action) -> None:
    """``action(path, data)`` runs in place of the first write of a status-failed results.json
    (what it returns: whether the real write follows)."""
    real = run_io.write_json

    def write_json(path, data, *args, **kwargs):
        if isinstance(data, dict) and data.get("status") == "failed" and not action(path, data):
            return None
        return real(path, data, *args, **kwargs)

    monkeypatch.setattr(run_io, "write_json", write_json)


def test_a_resumed_sessions_setup_error_says_the_run_is_unchanged(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 87 row 16: was a bare traceback ending "MemoryError: injected" (an extending resume)
    run_dir = tmp_path / "run"
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--iterations", "1")) == 0
    capsys.readouterr()
    before = (run_dir / "config.json").read_text(), (run_dir / "results.json").read_text()
    _fail_on_call(monkeypatch, cotrain_mod, "_restore", 1, MemoryError("injected"))
    assert cotrain_cli.main(["--resume", str(run_dir), "--n-iterations", "2"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err, err  # out of memory: one line, as inside an iteration
    assert "[cotrain] error: out of memory in the resumed session's setup" in err
    assert "the run is unchanged (config.json and results.json as they were, checkpoint 1 " in err
    assert f"retry with: python scripts/cotrain.py --resume {run_dir} --n-iterations 2" in err
    assert ((run_dir / "config.json").read_text(), (run_dir / "results.json").read_text()) == (
        before
    )


def test_an_error_in_the_warm_starts_evaluation_removes_the_folder(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 87 row 19: was a bare traceback, the folder left holding config.json alone
    run_dir = tmp_path / "run"
    _fail_on_call(monkeypatch, cotrain_mod, "_evaluate", 1, RuntimeError("injected"))
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--iterations", "1")) == 1
    err = capsys.readouterr().err
    assert "RuntimeError: injected" in err  # a bug keeps its traceback
    assert "before training (its folder is removed): once the cause is fixed, rerun the" in err
    assert not run_dir.exists()
    # probe 89: "(MLE pretraining resumes from its last epoch)" was said of a cached model too
    assert "MLE pretraining" not in err


def test_a_failed_record_of_the_failure_is_not_claimed(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 87 row 20: "status failed in its results.json" after its write had failed (ENOSPC)
    run_dir = tmp_path / "run"

    def full_disk(path, data):
        raise OSError(28, "No space left on device (injected)")

    _on_failed_record(monkeypatch, full_disk)
    _fail_on_call(monkeypatch, ModelAdversary, "update", 2, RuntimeError("injected"))
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--iterations", "3")) == 1
    said = capsys.readouterr()
    assert "could not record the failure" in said.out
    assert "status failed in its results.json" not in said.err, said.err
    assert "(not recorded: its results.json could not be written, see the WARNING above)" in (
        said.err
    )
    assert f"--resume {run_dir}" in said.err and not (run_dir / "results.json").exists()


def test_a_signal_while_the_failure_is_recorded_waits_for_the_record(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 87 row 21: SIGTERM / Ctrl-C there said "interrupted" alone, rc 130, no results.json,
    # the RuntimeError that ended the run printed nowhere
    run_dir = tmp_path / "run"

    def interrupt(path, data):
        os.kill(os.getpid(), signal.SIGINT)  # held until results.json is written
        return True

    _on_failed_record(monkeypatch, interrupt)
    _fail_on_call(monkeypatch, ModelAdversary, "update", 2, RuntimeError("injected"))
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--iterations", "3")) == 1
    said = capsys.readouterr()
    assert "SIGINT while the failure was recorded: it was recorded first" in said.out
    assert "RuntimeError in iteration 2 (the adversary update): injected" in said.err
    assert _results(run_dir)["status"] == "failed"


def test_a_curve_that_fails_in_the_failure_path_does_not_say_the_run_goes_on(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 87 row 23: "… not drawn …; the run goes on" of a run stopping on its error
    run_dir = tmp_path / "run"
    _fail_on_call(monkeypatch, ModelAdversary, "update", 2, RuntimeError("injected"))
    _fail_on_call(monkeypatch, run_io, "plot_learning_curve", 1, RuntimeError("no font"))
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--iterations", "3")) == 1
    out = capsys.readouterr().out
    assert "learning_curve.png not drawn at iteration 1 (RuntimeError: no font)" in out
    assert "the run goes on" not in out and "the run stops on its error" in out


def test_a_deleted_config_json_is_written_again_by_the_failure_path(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 87 row 24: config.json deleted, then an error before the next checkpoint: it stayed
    # missing, and the printed --resume command was refused
    run_dir = tmp_path / "run"
    real = ModelAdversary.update
    calls = []

    def update(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            (run_dir / "config.json").unlink()
            raise RuntimeError("injected")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ModelAdversary, "update", update)
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--iterations", "2")) == 1
    assert "config.json was missing" in capsys.readouterr().out
    assert (run_dir / "config.json").is_file()
    monkeypatch.setattr(ModelAdversary, "update", real)
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 0  # the printed command works


def test_an_error_of_the_callers_callback_is_named_as_such(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    # probe 87 rows 30, 40: was "KeyError in iteration 3 (the model rollouts)" after checkpoint
    # 2, and "iteration 6" of a 5-iteration run
    def plot_at(n):
        def on_iteration(record):
            if record["iteration"] == n:
                raise KeyError("plot_line")

        return on_iteration

    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, n_iterations=3, progress=False)
    try:
        run_cotrain(cfg, run_dir, on_iteration=plot_at(2))
    except KeyError:
        pass
    results = _results(run_dir)
    assert results["error"] == {
        "type": "KeyError",
        "message": "'plot_line'",
        "iteration": 2,
        "phase": "the caller's on_iteration callback",
        "kind": "callback",
    }
    assert results["message"].startswith(
        "failed: KeyError in the caller's on_iteration callback after iteration 2: 'plot_line'; "
        "checkpoint 2 is kept"
    ), results["message"]
    # after the last iteration: the training is complete, --resume writes its closing results
    run_dir = tmp_path / "last"
    try:
        run_cotrain(cfg, run_dir, on_iteration=plot_at(3))
    except KeyError:
        pass
    results = _results(run_dir)
    assert results["error"]["iteration"] == 3 and results["iterations_completed"] == 3
    assert (
        "the training is complete (3 of 3 iterations): --resume writes its closing"
        in (results["message"])
    )
    capsys.readouterr()
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 0
    assert _results(run_dir)["status"] == "finished"


def test_a_frame_of_no_known_phase_inside_the_rollouts_gives_no_phase():
    # probe 87 row 30: any error inside SB3's collect_rollouts (the callbacks' bookkeeping: Q,
    # TensorBoard, a wrapped _save) was "the model rollouts"
    def bookkeeping():
        raise OSError(28, "injected")

    def on_rollout_start():
        bookkeeping()

    def collect_rollouts():
        on_rollout_start()

    try:
        collect_rollouts()
    except OSError as err:
        assert cotrain_mod._failure_phase(err) is None


class _FakeCudaOom(torch.OutOfMemoryError):
    """What torch raises for a GPU's out of memory (a RuntimeError, not a MemoryError)."""


def test_a_gpu_out_of_memory_is_out_of_memory(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 87 row 38: torch.cuda.OutOfMemoryError got the bug path (a traceback, "once the
    # cause is fixed"), none of the out-of-memory advice
    run_dir = tmp_path / "run"
    error = _FakeCudaOom("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; …)")
    _fail_on_call(monkeypatch, FusedSAC, "train", 2, error)
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--iterations", "3")) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    assert "[cotrain] error: out of memory on the GPU in iteration 2" in err
    assert f"--resume {run_dir} --device cpu" in err
    assert _results(run_dir)["error"]["kind"] == "out_of_memory"
    what, how = failure_message(error, 2, None, device="cuda:0")
    assert what.startswith("out of memory on cuda:0 in iteration 2") and "--device cpu" in how
