"""Probe 89a (rows 20, 35): an exception in the sweep driver ends with what is kept and how to go
on; ``--report-only`` names a trial whose run failed, and advises as the sweep's closing lines."""

from __future__ import annotations

import dataclasses
import json

import pytest

from agents.cotrain_setup import CotrainConfig
from agents.sweep import SweepResources, SweepSpec, trial_run_dir
from rambo_env.presets import RamboPreset
from rambo_env.requirements import MissingExtraError
from tests.scripts import load_script
from tests.test_sweep_report import results

K2, K5 = RamboPreset(2, 3e-4), RamboPreset(5, 0.0)
#: The sweep's closing line when --resume would fail its trials again (probe 32).
ERRORS_REPEAT = (
    "--resume would repeat these errors (the same data and settings): fix their cause, or drop "
    "the dataset / config from the grid, and start a new sweep"
)
DIVERGED = {
    "type": "ValueError",
    "message": "Expected parameter loc (Tensor of shape (256, 3)) … but found invalid values",
    "iteration": 3,
    "phase": "the agent's gradient steps",
    "kind": "diverged",
}
BUG = {
    "type": "RuntimeError",
    "message": "injected RuntimeError",
    "iteration": 1,
    "phase": "the evaluation",
    "kind": "bug",
}


@pytest.fixture
def sweep_cli():
    return load_script("sweep")


def _sweep(tmp_path, trials: dict[RamboPreset, dict]):
    """A sweep folder of hopper-random × (k2, k5) × seed 0 with these trials' results.json."""
    base = CotrainConfig(dataset="hopper-random", n_iterations=2)
    spec = SweepSpec(datasets=("hopper-random",), configs=(K2, K5), seeds=(0,), base=base)
    data = {"spec": spec.to_dict(), "resources": dataclasses.asdict(SweepResources())}
    (tmp_path / "sweep.json").write_text(json.dumps(data))
    for config, written in trials.items():
        run_dir = trial_run_dir(tmp_path / "runs", "hopper-random", config, 0)
        run_dir.mkdir(parents=True)
        (run_dir / "results.json").write_text(json.dumps(written))
    return tmp_path


def _failed(config, error):
    return {
        **results(config, 0, None, [], status="failed", dataset="hopper-random"),
        "error": error,
    }


def _finished(config):
    return results(config, 0, 10.0, [1.0], dataset="hopper-random")


def test_report_only_names_a_diverged_trial_and_does_not_advise_resume(tmp_path, capsys, sweep_cli):
    # probe 89 row 35: was "partial tables: 1 of 2 trials finished; missing/unfinished: …;
    # continue with: python scripts/sweep.py --resume …", the --resume that diverges again
    sweep_dir = _sweep(tmp_path, {K2: _failed(K2, DIVERGED), K5: _finished(K5)})
    assert sweep_cli.main(["--report-only", str(sweep_dir)]) == 0
    out = capsys.readouterr().out
    assert (
        "[sweep] failed trial hopper-random/k2-lam3e-4/s0: ValueError: Expected parameter loc "
        "(Tensor of shape (256, 3)) … but found invalid values (iteration 3, the agent's gradient "
        "steps)\n"
    ) in out
    assert (
        "[sweep] partial tables: 1 of 2 trials finished; missing/unfinished: "
        f"hopper-random/k2-lam3e-4/s0; 1 trial failed (diverged): {ERRORS_REPEAT}\n"
    ) in out
    assert "continue with" not in out


def test_the_sweep_and_report_only_share_the_repeat_wording():
    from rambo_env import sweep_report

    assert sweep_report.ERRORS_REPEAT == ERRORS_REPEAT  # the sweep's closing line, since probe 32


def test_report_only_names_a_bugs_trial_and_advises_resume_once_fixed(tmp_path, capsys, sweep_cli):
    # probe 89 row 35 (kind bug): the failure was not named, only "missing/unfinished"
    sweep_dir = _sweep(tmp_path, {K2: _failed(K2, BUG), K5: _finished(K5)})
    assert sweep_cli.main(["--report-only", str(sweep_dir)]) == 0
    out = capsys.readouterr().out
    assert (
        "[sweep] failed trial hopper-random/k2-lam3e-4/s0: RuntimeError: injected RuntimeError "
        "(iteration 1, the evaluation)\n"
    ) in out
    assert (
        "1 trial failed (fix the cause first); continue with: python scripts/sweep.py --resume "
        f"{sweep_dir}\n"
    ) in out


def test_report_only_mixed_failures_name_the_diverged_ones(tmp_path, capsys, sweep_cli):
    sweep_dir = _sweep(tmp_path, {K2: _failed(K2, DIVERGED), K5: _failed(K5, BUG)})
    assert sweep_cli.main(["--report-only", str(sweep_dir)]) == 0
    out = capsys.readouterr().out
    assert "2 trials failed (fix the cause first); continue with: python scripts/sweep.py" in out
    assert (
        f"(but hopper-random/k2-lam3e-4/s0 diverged and would diverge again: {ERRORS_REPEAT})"
        in out
    )


def test_report_only_of_unfinished_trials_is_unchanged(tmp_path, capsys, sweep_cli):
    # legitimate input: a trial stopped (interrupted), not failed, still says --resume
    stopped = results(K2, 0, None, [], status="interrupted", dataset="hopper-random")
    sweep_dir = _sweep(tmp_path, {K2: stopped, K5: _finished(K5)})
    assert sweep_cli.main(["--report-only", str(sweep_dir)]) == 0
    out = capsys.readouterr().out
    assert "failed trial" not in out
    assert (
        "[sweep] partial tables: 1 of 2 trials finished; missing/unfinished: "
        f"hopper-random/k2-lam3e-4/s0; continue with: python scripts/sweep.py --resume {sweep_dir}"
    ) in out


def test_a_driver_exception_says_what_is_kept_and_how_to_go_on(
    tmp_path, capsys, sweep_cli, monkeypatch
):
    # probe 89 row 20: a RuntimeError of Tuner.fit was a 38-line traceback and nothing after it
    sweep_dir = _sweep(tmp_path, {K5: _finished(K5)})

    def fails(*args, **kwargs):
        raise RuntimeError("injected RuntimeError")

    monkeypatch.setattr(sweep_cli, "resume_sweep", fails)
    assert sweep_cli.main(["--resume", str(sweep_dir)]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err  # a bug keeps its traceback
    assert err.endswith(
        "RuntimeError: injected RuntimeError\n[sweep] stopped on this error: sweep.json and the "
        "finished trials' run folders are kept; Tune's state was not saved: --resume starts the "
        "grid afresh from sweep.json, the finished trials kept; 1 of 2 trials finished; continue "
        f"with: python scripts/sweep.py --resume {sweep_dir} (once the cause is fixed)\n"
    )
    (sweep_dir / "tune").mkdir()
    (sweep_dir / "tune" / "experiment_state-2026-12-05_03-23-24.json").write_text("{}")
    assert sweep_cli.main(["--resume", str(sweep_dir)]) == 1
    said = f"so is Tune's state ({sweep_dir / 'tune'}): --resume continues it; 1 of 2"
    assert said in capsys.readouterr().err


@pytest.mark.parametrize(
    ("error", "rc", "said"),
    [
        (ValueError("bad value"), 2, "error: bad value"),
        (MissingExtraError("no ray"), 2, "no ray"),
        (KeyboardInterrupt(), 130, "[sweep] interrupted: 1 of 2 trials finished; continue with"),
    ],
)
def test_user_errors_and_interrupts_keep_their_lines(
    tmp_path, capsys, sweep_cli, monkeypatch, error, rc, said
):
    sweep_dir = _sweep(tmp_path, {K5: _finished(K5)})

    def fails(*args, **kwargs):
        raise error

    monkeypatch.setattr(sweep_cli, "resume_sweep", fails)
    if rc == 130:
        with pytest.raises(SystemExit) as stop:
            sweep_cli.main(["--resume", str(sweep_dir)])
        assert stop.value.code == 130
    else:
        assert sweep_cli.main(["--resume", str(sweep_dir)]) == rc
    err = capsys.readouterr().err
    assert said in err
    assert "stopped on this error" not in err and "Traceback" not in err
