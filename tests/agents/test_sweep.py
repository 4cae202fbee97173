"""Ray Tune sweeps: a tiny real sweep, its resume, a trial continued from its Tune checkpoint, CLI.

Ray 2.60 removed ``ray.init(local_mode=True)`` (it raises), so the sweep tests start a real
local Ray with ``num_cpus=1``: one trial at a time, one CPU (the machine runs other jobs).
"""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import json
import math
import os
import runpy
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_cotrain import tiny_config, tiny_hopper  # noqa: F401 (tiny_hopper is a fixture)

import agents.sweep as sweep_mod
from agents.cotrain import run_cotrain
from agents.sweep import (
    SweepResources,
    SweepSpec,
    cotrain_trainable,
    load_sweep,
    resume_sweep,
    run_sweep,
    trial_run_dir,
)
from rambo_env.heuristics import rambo_off_from_run
from rambo_env.presets import RamboPreset
from rambo_env.run_io import read_json

TWO_CONFIGS = (RamboPreset(2, 3e-4), RamboPreset(5, 0.0))


sweep_cli = SimpleNamespace(
    **runpy.run_path(str(Path(__file__).resolve().parents[2] / "scripts" / "sweep.py"))
)


def tiny_spec(dataset: str, **overrides) -> SweepSpec:
    base = tiny_config(dataset, **{"n_iterations": 2, "eval_every": 1, **overrides})
    return SweepSpec(datasets=(dataset,), configs=TWO_CONFIGS, seeds=(0,), base=base)


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    """A local Ray (1 CPU) whose workers share one model cache (the trials reuse the MLE model)."""
    ray = pytest.importorskip("ray")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAMBO_ENV_CACHE", str(tmp_path_factory.mktemp("sweep-cache")))
        mp.setenv("RAY_AUTH_MODE", "disabled")  # no token file written to ~/.ray by a test
        mp.setenv("RAY_worker_niceness", "0")  # as agents.sweep.local_worker_niceness
        ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def finished_sweep(local_ray, tiny_hopper, tmp_path_factory):  # noqa: F811
    sweep_dir = tmp_path_factory.mktemp("sweep") / "s"
    spec = tiny_spec(tiny_hopper)
    outcome = run_sweep(spec, sweep_dir, SweepResources(max_failures=0), verbose=0)
    return spec, sweep_dir, outcome


def _tune_rows(sweep_dir: Path) -> dict[str, list[dict]]:
    """Every row each trial reported to Tune (its result.json, one JSON object per line)."""
    return {
        path.parent.name: [json.loads(line) for line in path.read_text().splitlines()]
        for path in sorted((sweep_dir / "tune").glob("*/result.json"))
    }


def test_tiny_sweep_table_and_rambo_off(finished_sweep, tmp_path):
    spec, sweep_dir, outcome = finished_sweep
    assert (outcome.n_trials, outcome.n_errors) == (2, 0)
    # saved with its precision resolved (probe 13: auto was resolved by each trial)
    assert load_sweep(sweep_dir) == (spec.with_resolved_precision(), SweepResources(max_failures=0))
    heuristics = {}
    for config in TWO_CONFIGS:
        run_dir = trial_run_dir(sweep_dir / "runs", spec.datasets[0], config, 0)
        results = read_json(run_dir / "results.json")
        assert (results["status"], results["iterations_completed"]) == ("finished", 2)
        assert results["rollout_length"] == config.rollout_length
        assert results["adversary_weight"] == config.adversary_weight
        heuristics[config] = rambo_off_from_run(run_dir).value
    # A trial is exactly the run scripts/cotrain.py makes (also in a reused worker process).
    direct = run_cotrain(spec.trial_config(spec.datasets[0], config, 0), tmp_path / "direct")
    assert direct["q_history"] == results["q_history"]
    assert direct["final_score"] == results["final_score"]
    # Each trial reported both iterations (with a Tune checkpoint of the run) and a final row.
    rows = _tune_rows(sweep_dir)
    assert sorted(rows) == ["tiny-hopper-k2-lam3e-4-s0", "tiny-hopper-k5-lam0-s0"]
    for trial_rows in rows.values():
        assert [r.get("iteration") for r in trial_rows] == [1, 2, 2]
        assert "normalized_score" in trial_rows[1] and "final_score" in trial_rows[2]
    checkpoints = list((sweep_dir / "tune").glob("*/checkpoint_*/checkpoint.pt"))
    assert len(checkpoints) == 2  # num_to_keep=1: the last per trial

    (row,) = outcome.report.rows
    assert [c.config for c in row.cells] == list(TWO_CONFIGS)
    assert [c.heuristic for c in row.cells] == pytest.approx(list(heuristics.values()))
    assert row.rambo_off == min(heuristics, key=heuristics.get)  # lowest Q_avg + Q_var
    scores = {c.config: c.score_mean for c in row.cells}
    assert row.rambo == max(scores, key=scores.get)
    (line,) = list(csv.DictReader((sweep_dir / "table.csv").open()))
    assert line["dataset"] == spec.datasets[0]
    assert int(line["rambo_off_k"]) == row.rambo_off.rollout_length
    markdown = (sweep_dir / "table.md").read_text()
    assert "k = 2, λ = 3e-4" in markdown and "k = 5, λ = 0" in markdown
    assert (sweep_dir / "curves" / "tiny-hopper.png").is_file()


def test_resume_of_a_finished_sweep_runs_nothing_again(finished_sweep):
    spec, sweep_dir, _ = finished_sweep
    rows_before = _tune_rows(sweep_dir)
    results_path = trial_run_dir(sweep_dir / "runs", spec.datasets[0], TWO_CONFIGS[0], 0)
    mtime = (results_path / "results.json").stat().st_mtime_ns
    outcome = resume_sweep(sweep_dir, verbose=0)
    assert (outcome.n_trials, outcome.n_errors) == (2, 0)
    assert _tune_rows(sweep_dir) == rows_before  # no trial reported again
    assert (results_path / "results.json").stat().st_mtime_ns == mtime
    with pytest.raises(ValueError, match="not empty"):
        run_sweep(spec, sweep_dir, verbose=0)


def test_resume_without_tune_state_keeps_finished_trials_with_a_note(finished_sweep, capsys):
    """Issue 14 (finding 20): --resume of a sweep whose tune/ was deleted (not synced) trained
    every finished trial again from scratch, without a word."""
    spec, sweep_dir, _ = finished_sweep
    copy = sweep_dir.parent / "no-tune"
    shutil.copytree(sweep_dir, copy, ignore=shutil.ignore_patterns(".lock"))
    shutil.rmtree(copy / "tune")
    run_dir = trial_run_dir(copy / "runs", spec.datasets[0], TWO_CONFIGS[0], 0)
    mtimes = {p.name: p.stat().st_mtime_ns for p in run_dir.iterdir() if p.is_file()}
    capsys.readouterr()
    outcome = resume_sweep(copy, verbose=0)
    assert (outcome.n_trials, outcome.n_errors) == (2, 0)
    out = capsys.readouterr().out
    assert (
        f"[sweep] note: {copy / 'tune'} is missing (Tune's state deleted or not synced?); from "
        "the run folders: 2 trial(s) whose run folders hold a complete run are kept"
    ) in out
    assert {p.name: p.stat().st_mtime_ns for p in run_dir.iterdir() if p.is_file()} == mtimes


def test_tunes_no_metrics_yet_warning_is_one_note():
    """Issue 14 (finding 14): after a SIGKILLed driver, --resume printed Ray's raw
    "FileNotFoundError('Could not fetch metrics for …')" for a trial that had reported nothing."""
    import logging

    from agents.sweep import _no_metrics_yet

    raw = (
        "Failed to fetch metrics for 1 trial(s):\n- hopper-k2-lam3e-4-s0: FileNotFoundError('Could "
        "not fetch metrics for hopper-k2-lam3e-4-s0: both result.json and progress.csv were not "
        "found at /s/tune/hopper-k2-lam3e-4-s0')"
    )
    record = logging.LogRecord("x", logging.WARNING, "f", 1, raw, (), None)
    assert _no_metrics_yet(record)
    assert record.getMessage() == (
        "[sweep] note: trial(s) hopper-k2-lam3e-4-s0 had reported nothing to Tune yet (no "
        "metrics in their tune/ folders): they start again"
    )
    other = "Failed to fetch metrics for 1 trial(s):\n- t: ValueError('bad')"
    record = logging.LogRecord("x", logging.WARNING, "f", 1, other, (), None)
    assert _no_metrics_yet(record) and record.getMessage() == other


def test_a_trial_whose_run_folder_finished_is_not_trained_again(tiny_hopper, tmp_path, monkeypatch):  # noqa: F811
    """Issue 14: without a Tune checkpoint, the trial's run folder was removed and trained again
    even when it held the trial's finished run."""
    tune = pytest.importorskip("ray.tune")
    spec = tiny_spec(tiny_hopper, n_iterations=1)
    params = {
        "dataset": tiny_hopper,
        "k_lambda": [5, 0.0],
        "seed": 0,
        "base": dataclasses.asdict(spec.base),
        "runs_root": str(tmp_path / "runs"),
    }
    first = FakeTune(tmp_path / "store")
    first.install(monkeypatch, tune)
    cotrain_trainable(params)
    run_dir = trial_run_dir(tmp_path / "runs", tiny_hopper, TWO_CONFIGS[1], 0)
    mtime = (run_dir / "checkpoint.pt").stat().st_mtime_ns
    again = FakeTune(tmp_path / "store2")
    again.install(monkeypatch, tune)
    cotrain_trainable(params)
    assert (run_dir / "checkpoint.pt").stat().st_mtime_ns == mtime
    assert again.rows == [first.rows[-1]]  # only the final row, from results.json


@pytest.mark.slow  # ~25 s: two more Tune runs, each starting a worker process
def test_interrupted_sweep_resumes_errored_trials_only(local_ray, tiny_hopper, tmp_path):  # noqa: F811
    late = tmp_path / "late" / "tiny-late.npz"  # not there yet: its trial errors
    base = tiny_spec(tiny_hopper).base
    spec = SweepSpec((tiny_hopper, str(late)), TWO_CONFIGS[:1], (0,), base)
    sweep_dir = tmp_path / "sweep"
    first = run_sweep(
        spec, sweep_dir, SweepResources(max_failures=0), prepare_datasets=False, verbose=0
    )
    assert (first.n_trials, first.n_errors) == (2, 1)
    (line,) = first.errors  # probe 32: the cause, one line; a missing file may come: --resume
    assert line.startswith("tiny-late-k2-lam3e-4-s0: ") and "tiny-late.npz" in line, line
    assert not first.errors_repeat
    assert [r.dataset for r in first.report.rows] == [tiny_hopper]
    rows_before = _tune_rows(sweep_dir)["tiny-hopper-k2-lam3e-4-s0"]
    late.parent.mkdir()
    shutil.copy(tiny_hopper, late)
    second = resume_sweep(sweep_dir, verbose=0)
    assert (second.n_trials, second.n_errors) == (2, 0)
    assert _tune_rows(sweep_dir)["tiny-hopper-k2-lam3e-4-s0"] == rows_before  # not re-run
    assert [r.dataset for r in second.report.rows] == [tiny_hopper, str(late)]


def test_a_trial_user_error_is_one_line_not_rays_traceback(local_ray, tiny_hopper, tmp_path):  # noqa: F811
    """Issue 14: a trial's data error (a ValueError) printed Ray's 60-line RayTaskError traceback
    before the sweep's own ``[sweep] errored trial …`` line; a bug keeps its traceback."""
    import logging

    from agents import sweep
    from rambo_env.data.dataset import OfflineDataset

    rows = OfflineDataset.from_npz(tiny_hopper)
    keys = ("observations", "actions", "rewards", "next_observations", "terminals", "timeouts")
    one = OfflineDataset.from_arrays(
        {k: getattr(rows, k)[:1] for k in keys}, env_id="Hopper-v5", name="one"
    ).to_npz(tmp_path / "one.npz")  # MLE needs 2 rows: refused in the trial (no pre-check here)
    spec = SweepSpec((str(one),), TWO_CONFIGS[1:], (0,), tiny_spec(tiny_hopper).base)
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    controller_log = logging.getLogger(sweep.TUNE_CONTROLLER_LOGGER)
    controller_log.addHandler(handler)
    try:
        outcome = run_sweep(
            spec, tmp_path / "s", SweepResources(max_failures=0), prepare_datasets=False, verbose=0
        )
    finally:
        controller_log.removeHandler(handler)
    assert (outcome.n_errors, outcome.errors_repeat) == (1, True)
    (failed,) = [r for r in records if "Trial task failed" in r.getMessage()]
    assert failed.exc_info is None  # no traceback printed
    assert failed.getMessage() == (
        "Trial task failed for trial one-k5-lam0-s0: ValueError: dataset.observations: need "
        "[N >= 2, obs_dim], got (1, 11); MLE pretraining holds one transition out and trains on "
        "the rest: use a dataset of at least 2 transitions (the paper's hold about 1M) (its "
        "traceback is in the trial's error file; RAMBO_ENV_TRACEBACK=1 prints it here)"
    )
    error_file = (tmp_path / "s" / "tune" / "one-k5-lam0-s0" / "error.txt").read_text()
    assert "in check_model_rows" in error_file  # the traceback is kept there

    def record(exc):
        info = (type(exc), exc, None)
        return logging.LogRecord("x", logging.ERROR, "f", 1, "Trial task failed", (), info)

    bug = record(_FakeRayTaskError(KeyError("x")))  # a bug: its traceback is kept
    assert sweep._one_line_user_error(bug) and bug.exc_info and bug.msg == "Trial task failed"
    missing = record(FileNotFoundError("x.npz does not exist"))  # an OSError is a user error
    assert sweep._one_line_user_error(missing) and missing.exc_info is None
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAMBO_ENV_TRACEBACK", "1")
        wanted = record(ValueError("bad"))
        assert sweep._one_line_user_error(wanted) and wanted.exc_info is not None


class FakeTune:
    """``ray.tune``'s trial API in-process: keeps every reported checkpoint folder."""

    def __init__(self, store: Path, checkpoint=None, fail_at: int | None = None):
        self.store, self.checkpoint, self.fail_at = store, checkpoint, fail_at
        self.rows: list[dict] = []
        self.checkpoints: dict[int, object] = {}

    def report(self, metrics, *, checkpoint=None):
        from ray import tune

        if metrics.get("iteration") == self.fail_at:
            raise ConnectionError("node lost")  # after the run's checkpoint, before the report
        self.rows.append(metrics)
        if checkpoint is not None:  # Tune persists it; the trial's temp folder is then removed
            kept = self.store / f"it{metrics['iteration']}"
            shutil.copytree(checkpoint.path, kept)
            self.checkpoints[metrics["iteration"]] = tune.Checkpoint.from_directory(kept)

    def install(self, monkeypatch, tune):
        monkeypatch.setattr(tune, "report", self.report)
        monkeypatch.setattr(tune, "get_checkpoint", lambda: self.checkpoint)
        resources = SimpleNamespace(required_resources={"CPU": 1.0})
        context = SimpleNamespace(get_trial_resources=lambda: resources)
        monkeypatch.setattr(tune, "get_context", lambda: context)


def test_restarted_trial_continues_from_its_tune_checkpoint(tiny_hopper, tmp_path, monkeypatch):  # noqa: F811
    tune = pytest.importorskip("ray.tune")
    spec = tiny_spec(tiny_hopper, n_iterations=3)
    params = {
        "dataset": tiny_hopper,
        "k_lambda": [2, 3e-4],
        "seed": 0,
        "base": dataclasses.asdict(spec.base),
        "runs_root": str(tmp_path / "runs"),
    }
    first = FakeTune(tmp_path / "store", fail_at=2)
    first.install(monkeypatch, tune)
    with pytest.raises(ConnectionError):
        cotrain_trainable(params)
    assert list(first.checkpoints) == [1]
    run_dir = trial_run_dir(tmp_path / "runs", tiny_hopper, TWO_CONFIGS[0], 0)
    shutil.rmtree(run_dir)  # restarted on another node: only Tune's checkpoint survives

    second = FakeTune(tmp_path / "store2", checkpoint=first.checkpoints[1])
    second.install(monkeypatch, tune)
    cotrain_trainable(params)
    assert [r["iteration"] for r in second.rows] == [2, 3, 3]
    results = read_json(run_dir / "results.json")
    assert (results["status"], results["iterations_completed"]) == ("finished", 3)
    assert results["q_history"][0] == first.rows[0]["q_avg"]  # iteration 1 is the first attempt's
    assert second.rows[-1]["rambo_off"] == pytest.approx(rambo_off_from_run(run_dir).value)
    assert math.isfinite(second.rows[-1]["final_score"])


def test_restart_without_checkpoint_starts_over(tiny_hopper, tmp_path, monkeypatch):  # noqa: F811
    tune = pytest.importorskip("ray.tune")
    spec = tiny_spec(tiny_hopper, n_iterations=1)
    run_dir = trial_run_dir(tmp_path / "runs", tiny_hopper, TWO_CONFIGS[1], 0)
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text("{}")  # left by an attempt that died before a report
    FakeTune(tmp_path / "store").install(monkeypatch, tune)
    cotrain_trainable(
        {
            "dataset": tiny_hopper,
            "k_lambda": [5, 0.0],
            "seed": 0,
            "base": dataclasses.asdict(spec.base),
            "runs_root": str(tmp_path / "runs"),
        }
    )
    assert read_json(run_dir / "results.json")["status"] == "finished"


def test_spec_validation_and_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = SweepSpec(datasets=("data/x.npz", "hopper-medium"), seeds=(0, 1))
    assert spec.datasets == (str(tmp_path / "data" / "x.npz"), "hopper-medium")
    assert spec.n_trials == 2 * 3 * 2 and SweepSpec.from_dict(spec.to_dict()) == spec
    cfg = spec.trial_config("hopper-medium", RamboPreset(5, 0.0), 1)
    assert (cfg.dataset, cfg.rollout_length, cfg.adversary_weight, cfg.seed) == (
        "hopper-medium",
        5,
        0.0,
        1,
    )
    assert trial_run_dir("r", "/a/b/tiny.npz", RamboPreset(2, 3e-4), 3) == Path(
        "r/tiny/k2-lam3e-4/s3"
    )
    for kwargs, field in [
        ({"datasets": ()}, "datasets"),
        ({"datasets": ("a", "a")}, "datasets"),
        ({"datasets": ("x/a.npz", "y/a.npz")}, "datasets"),
        ({"datasets": ("a",), "configs": ((0, 3e-4),)}, "configs"),
        ({"datasets": ("a",), "configs": ((2, -1.0),)}, "configs"),
        ({"datasets": ("a",), "seeds": (-1,)}, "seeds"),
    ]:
        with pytest.raises(ValueError, match=field):
            SweepSpec(**kwargs)
    with pytest.raises(ValueError, match="cpus_per_trial"):
        SweepResources(cpus_per_trial=0)


def test_missing_ray_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ImportError, match=r"\[sweep\]"):
        run_sweep(SweepSpec(datasets=("hopper-medium",)), tmp_path / "s")
    assert not (tmp_path / "s").exists()  # nothing written


def test_cli_flags(tmp_path, capsys):
    parser = sweep_cli.build_parser()
    grid = ["--datasets", "mujoco", "--configs", "2:3e-4,5:0", "--seeds", "0,1"]
    sizes = ["--iterations", "7", "--n-rollouts", "64", "--mle-max-time-s", "none"]
    args = parser.parse_args(
        [*grid, *sizes, "--cpus-per-trial", "2", "--sweep-dir", str(tmp_path / "s")]
    )
    spec, resources, sweep_dir = sweep_cli.resolve_args(args, parser)
    assert len(spec.datasets) == 12 and spec.configs == TWO_CONFIGS and spec.seeds == (0, 1)
    assert (spec.base.n_iterations, spec.base.n_rollouts, spec.base.mle_max_time_s) == (7, 64, None)
    assert (resources.cpus_per_trial, sweep_dir) == (2.0, tmp_path / "s")
    default_spec, _, default_dir = sweep_cli.resolve_args(parser.parse_args([]), parser)
    assert default_spec.datasets == ("hopper-medium",) and len(default_spec.configs) == 3
    assert default_spec.seeds == (0, 1, 2, 3, 4) and default_dir.parent == Path("runs/sweeps")
    with pytest.raises(SystemExit):
        parser.parse_args(["--configs", "2-3e-4"])
    with pytest.raises(SystemExit):
        sweep_cli.main(["--resume", str(tmp_path), "--seeds", "3"])
    with pytest.raises(SystemExit) as exit_info:
        sweep_cli.main(["--help"])
    assert exit_info.value.code == 0 and "--address" in capsys.readouterr().out


def test_cli_empty_lists_and_bad_sweep_folders_are_one_error_line(tmp_path, capsys):
    parser = sweep_cli.build_parser()
    for flag, value in [
        ("--datasets", ","),
        ("--datasets", ""),
        ("--seeds", ","),
        ("--configs", ","),
        ("--seeds", "0,"),  # probe 19: was [0], the stray comma dropped silently
        ("--seeds", "0,,1"),
        ("--datasets", "hopper-medium,"),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([flag, value])
        assert exit_info.value.code == 2 and flag in capsys.readouterr().err
    args = parser.parse_args([])
    args.datasets, args.seeds = (), ()  # empty is an error, not the defaults
    with pytest.raises(SystemExit):
        sweep_cli.resolve_args(args, parser)
    assert "datasets: empty" in capsys.readouterr().err
    for flag in ("--report-only", "--resume"):
        assert sweep_cli.main([flag, str(tmp_path / "missing")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: sweep_dir:") and "Traceback" not in err
    (tmp_path / "sweep.json").write_text("{not json")
    assert sweep_cli.main(["--report-only", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "sweep.json: not valid JSON" in err


def test_an_unwritable_sweep_folder_is_one_error_before_the_datasets(tmp_path, monkeypatch, capsys):
    """was: a raw WriteFailedError traceback (exit 1) after the datasets were prepared."""
    pytest.importorskip("ray")
    from agents import sweep

    monkeypatch.setattr(sweep, "_prepare_datasets", lambda *a: pytest.fail("prepared"))
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for folder in (a_file, a_file / "sweep"):
        code = sweep_cli.main(["--sweep-dir", str(folder), "--seeds", "0", "--configs", "2:0"])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith(f"error: sweep_dir: {folder} is not "), err


def test_a_trial_device_this_machine_cannot_use_is_one_error_before_ray(
    tmp_path, monkeypatch, capsys
):
    """was: ``--device gpu`` prepared the datasets, wrote sweep.json and started Ray, then failed
    in every trial; ``--gpus-per-trial`` without CUDA left a local Ray's trials pending forever."""
    pytest.importorskip("ray")
    import torch

    from agents import sweep

    monkeypatch.setattr(sweep, "_prepare_datasets", lambda *a: pytest.fail("prepared"))
    monkeypatch.setattr(sweep, "_ray_session", lambda *a: pytest.fail("Ray started"))
    flags = ["--seeds", "0", "--configs", "2:0"]
    code = sweep_cli.main(["--sweep-dir", str(tmp_path / "a"), "--device", "gpu", *flags])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: device: 'gpu'"), err
    assert not (tmp_path / "a").exists()
    if not torch.cuda.is_available():
        code = sweep_cli.main(
            ["--sweep-dir", str(tmp_path / "b"), "--gpus-per-trial", "0.5", *flags]
        )
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("error: gpus_per_trial: 0.5, but this machine"), err
        assert not (tmp_path / "b").exists()
        # a cluster's nodes may have the GPUs the driver lacks: only the form is checked there
        sweep.check_trial_device("cuda:1", 0.5, address="auto")
    with pytest.raises(ValueError, match=r"device: .*'mps'"):
        sweep.check_trial_device("mps", 0.0, address="auto")


def test_a_dataset_that_does_not_load_leaves_no_empty_sweep_folder(tmp_path, capsys):
    """Probe 10: ``--datasets missing.npz`` left the (empty) sweep folder it had made."""
    pytest.importorskip("ray")
    folder = tmp_path / "sweeps" / "new"
    flags = ["--seeds", "0", "--configs", "2:0", "--datasets", str(tmp_path / "missing.npz")]
    assert sweep_cli.main(["--sweep-dir", str(folder), *flags]) == 2
    assert "missing.npz does not exist" in capsys.readouterr().err
    assert not (tmp_path / "sweeps").exists()


def test_a_ray_that_does_not_start_is_one_error_that_says_how_to_go_on(
    tiny_hopper,  # noqa: F811
    tmp_path,
    monkeypatch,
    capsys,
):
    """Probe 18: a local Ray whose node "timed out during startup" (a loaded machine) was a raw
    ``Exception`` traceback, exit 1, after sweep.json had been written."""
    ray = pytest.importorskip("ray")

    def no_start(*args, **kwargs):
        raise Exception("The current node timed out during startup.")  # Ray's own

    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", no_start)
    folder = tmp_path / "sweep"
    flags = ["--seeds", "0", "--configs", "2:0", "--datasets", tiny_hopper, "--iterations", "1"]
    assert sweep_cli.main(["--sweep-dir", str(folder), *flags]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") <= 2 and "Traceback" not in err, err
    assert "ray: a local Ray did not start (Exception: The current node timed out" in err
    # probe 49: the folder (sweep.json, an empty runs/) made the same command "not empty"
    assert "what the sweep wrote was removed: rerun the same command" in err
    assert "once the machine has the memory and CPU to spare" in err and not folder.exists()


def test_an_address_that_answers_but_is_no_ray_cluster_fails_before_the_sweep_folder(
    tmp_path, monkeypatch, capsys
):
    """Probe 49 row 36: ``--address 10.0.0.1:1`` behind a proxy that accepts every connection
    (and answers HTTP/2 with 404) passed the TCP check; Ray then retried for ~25 s ("Failed to get
    cluster ID from GCS server … rpc_code: 12") after the sweep folder was written. A server that
    does not know the GCS's GetClusterId (gRPC UNIMPLEMENTED) is refused at once; one that does
    is left to Ray."""
    pytest.importorskip("ray")
    grpc = pytest.importorskip("grpc")
    from concurrent import futures

    from agents import sweep

    monkeypatch.setattr(sweep, "_prepare_datasets", lambda *a: pytest.fail("prepared"))
    monkeypatch.setattr(sweep, "_ray_session", lambda *a, **k: pytest.fail("Ray started"))
    server = grpc.server(futures.ThreadPoolExecutor(1))  # no service: UNIMPLEMENTED for all
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        flags = ["--seeds", "0", "--configs", "2:0", "--address", f"127.0.0.1:{port}"]
        started = time.monotonic()
        code = sweep_cli.main(["--sweep-dir", str(tmp_path / "a"), *flags])
        err = capsys.readouterr().err
        assert code == 2 and time.monotonic() - started < 10, err
        assert err.startswith(
            f"error: address: no Ray cluster answers at 127.0.0.1:{port} (it answers, but not as "
            "a Ray cluster"
        ), err
        assert "check the address (ray status on the head node)" in err
        assert not (tmp_path / "a").exists()
    finally:
        server.stop(None)
    gcs = grpc.server(futures.ThreadPoolExecutor(1))  # one that knows the call: left to Ray
    gcs.add_generic_rpc_handlers(
        [
            grpc.method_handlers_generic_handler(
                "ray.rpc.NodeInfoGcsService",
                {"GetClusterId": grpc.unary_unary_rpc_method_handler(lambda request, ctx: b"")},
            )
        ]
    )
    port = gcs.add_insecure_port("127.0.0.1:0")
    gcs.start()
    try:
        sweep.check_address(f"127.0.0.1:{port}")
    finally:
        gcs.stop(None)


def test_a_ray_cluster_that_cannot_be_joined_says_check_the_address_and_keeps_no_folder(
    tiny_hopper,  # noqa: F811
    tmp_path,
    monkeypatch,
    capsys,
):
    """Probe 49 rows 36-37: ``--address 10.0.0.1:1`` (no Ray there, but the TCP connect passed)
    printed the busy-machine advice of a local start ("once the machine has the memory and CPU
    to spare"), and the sweep folder it left (sweep.json, an empty runs/) made the corrected
    command fail "is not empty; resume it or choose another"."""
    ray = pytest.importorskip("ray")
    import socket

    def no_cluster(*args, **kwargs):  # Ray's own, after ~25 s of its gcs_client lines
        raise ConnectionError("Could not find any running Ray instance.")

    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", no_cluster)
    monkeypatch.setattr(sweep_mod, "_not_a_gcs", lambda *a: None)  # a cluster that fails later
    folder = tmp_path / "sweep"
    flags = ["--seeds", "0", "--configs", "2:0", "--datasets", tiny_hopper, "--iterations", "1"]
    with socket.socket() as listener:  # something answers TCP there, but no Ray
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        address = f"127.0.0.1:{listener.getsockname()[1]}"
        for _ in range(2):  # the same command again: not "is not empty"
            code = sweep_cli.main(["--sweep-dir", str(folder), *flags, "--address", address])
            err = capsys.readouterr().err
            assert code == 2 and "Traceback (most" not in err and err.count("\n") <= 2, err
            assert err.startswith(
                f"error: ray: no Ray cluster answers at {address} (--address; ConnectionError: "
                "Could not find any running Ray instance.); no trial ran, and what the sweep "
                "wrote was removed: rerun the same command with the right --address (check the "
                "address: ray status on the head node), or leave --address out for a local Ray"
            ), err
            assert "memory and CPU" not in err and not folder.exists()
        folder.mkdir()  # a folder given empty stays, emptied again
        assert sweep_cli.main(["--sweep-dir", str(folder), *flags, "--address", address]) == 2
        assert folder.is_dir() and not any(folder.iterdir())
        capsys.readouterr()
        (folder / "sweep.json").write_text("{}")  # the "not empty" error names the command
        assert sweep_cli.main(["--sweep-dir", str(folder), *flags, "--address", address]) == 2
        assert (
            f"resume it (python scripts/sweep.py --resume {folder}) or" in capsys.readouterr().err
        )
        with pytest.raises(sweep_mod.RayStartError) as info:  # --resume: the folder is kept
            with sweep_mod._ray_session(address, folder, resume=True):
                pass
    assert f"the sweep folder is kept: rerun python scripts/sweep.py --resume {folder} with" in (
        str(info.value)
    )


@pytest.mark.parametrize(
    "spec",
    [
        {"datasets": ["x"], "configs": [[2, "a"]], "seeds": [0], "base": {}},
        {"datasets": ["x"], "configs": [[2, 0.0]], "seeds": ["0"], "base": {}},
        {"datasets": ["x"], "configs": [[2, 0.0]], "seeds": [0], "base": {"foo": 1}},
    ],
)
def test_a_hand_edited_sweep_json_value_names_the_file(tmp_path, spec):
    """Probe 10: was "could not convert string to float: 'a'" / "seeds: …" / "config: unknown
    field(s)", naming no file."""
    (tmp_path / "sweep.json").write_text(json.dumps({"spec": spec, "resources": {}}))
    with pytest.raises(ValueError, match=r"sweep.json: damaged sweep.json \(ValueError: "):
        load_sweep(tmp_path)


_GOOD_SPEC = {"datasets": ["x"], "configs": [[2, 0.0]], "seeds": [0], "base": {}}


@pytest.mark.parametrize(
    ("saved", "said"),
    [
        ({"spec": 5, "resources": {}}, "'spec' is an int (5), expected an object"),
        ({"spec": _GOOD_SPEC, "resources": []}, "'resources' is a list ([]), expected an object"),
        ({"spec": {"datasets": ["x"]}, "resources": {}}, "'spec' has no 'configs' or 'seeds' or"),
        (
            {"spec": {**_GOOD_SPEC, "datasets": "x"}, "resources": {}},
            "'spec.datasets' is a str ('x'), expected a list of dataset names",
        ),
        (
            {"spec": {**_GOOD_SPEC, "configs": [2, 0.0]}, "resources": {}},
            "'spec.configs' is an int (2), expected [k, λ] pairs as its items",
        ),
        (
            {"spec": _GOOD_SPEC, "resources": {"cpus_per_tria": 1}},
            "'resources' has an unknown key 'cpus_per_tria' (did you mean 'cpus_per_trial'?)",
        ),
    ],
)
def test_a_sweep_json_entry_of_the_wrong_type_is_named(tmp_path, capsys, saved, said):
    """Probe 51 (row 15): a sweep.json whose "spec" is a number said "damaged sweep.json
    (TypeError: 'int' object is not subscriptable)"; the entry and the type expected are named."""
    (tmp_path / "sweep.json").write_text(json.dumps(saved))
    with pytest.raises(ValueError) as err:
        load_sweep(tmp_path)
    text = str(err.value)
    assert text.startswith(f"{tmp_path / 'sweep.json'}: damaged sweep.json: {said}"), text
    assert text.endswith("; restore or recreate it") and "Error" not in text
    assert sweep_cli.main(["--report-only", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {text}\n")


def test_cli_report_only_needs_no_ray(tmp_path, monkeypatch, capsys):
    spec = SweepSpec(datasets=("hopper-medium",), configs=TWO_CONFIGS[:1], seeds=(0,))
    (tmp_path / "sweep.json").write_text(
        json.dumps({"spec": spec.to_dict(), "resources": dataclasses.asdict(SweepResources())})
    )
    run_dir = trial_run_dir(tmp_path / "runs", "hopper-medium", TWO_CONFIGS[0], 0)
    run_dir.mkdir(parents=True)
    results = {
        "status": "finished",
        "dataset": "hopper-medium",
        "seed": 0,
        "rollout_length": 2,
        "adversary_weight": 3e-4,
        "final_score": 42.0,
        "q_history": [1.0, 3.0],
        "evals": [],
    }
    (run_dir / "results.json").write_text(json.dumps(results))
    monkeypatch.setitem(sys.modules, "ray", None)
    assert sweep_cli.main(["--report-only", str(tmp_path)]) == 0
    assert "| hopper-medium | **42.0 ± 0.0** (**4.0**) | 1 |" in capsys.readouterr().out
    assert (tmp_path / "table.csv").is_file()
    # probe 15: was "--resume / --report-only use the saved sweep.json; got ['both']"
    with pytest.raises(SystemExit):
        sweep_cli.main(["--report-only", str(tmp_path), "--resume", str(tmp_path)])
    assert "--resume and --report-only were both given" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # probe 53: said nothing of how to run more seeds
        sweep_cli.main(["--resume", str(tmp_path), "--seeds", "0,1"])
    assert (
        "use the saved sweep.json; got ['--seeds']: drop them, or, to run another grid (more "
        "seeds, datasets or configs), start a new sweep with another --sweep-dir"
    ) in capsys.readouterr().err


def test_more_cpus_per_trial_than_this_machine_has_fails_before_ray_starts(
    tmp_path, monkeypatch, capsys
):
    """Probe 11: ``--cpus-per-trial 1000`` on a 2-core machine left the local Ray's trial
    PENDING forever (Ray's "No available node types can fulfill resource request")."""
    pytest.importorskip("ray")
    from agents import sweep

    monkeypatch.setattr(sweep, "_prepare_datasets", lambda *a: pytest.fail("prepared"))
    monkeypatch.setattr(sweep, "_ray_session", lambda *a: pytest.fail("Ray started"))
    flags = ["--seeds", "0", "--configs", "2:0", "--cpus-per-trial", "1000"]
    code = sweep_cli.main(["--sweep-dir", str(tmp_path / "a"), *flags])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: cpus_per_trial: 1000, but this machine has"), err
    assert not (tmp_path / "a").exists()
    sweep.check_trial_device("cpu", 0.0, address="auto", cpus_per_trial=1000)  # a cluster's nodes


def test_an_address_no_ray_cluster_answers_at_fails_before_the_sweep_folder(
    tmp_path, monkeypatch, capsys
):
    """Probe 11: ``--address 127.0.0.1:1`` (nothing listening) wrote sweep.json, then Ray retried
    for minutes ("Failed to connect to GCS"); the same command then found the folder not empty."""
    pytest.importorskip("ray")
    import socket

    from agents import sweep

    monkeypatch.setattr(sweep, "_prepare_datasets", lambda *a: pytest.fail("prepared"))
    monkeypatch.setattr(sweep, "_ray_session", lambda *a: pytest.fail("Ray started"))
    with socket.socket() as s:  # a port with nothing listening: bound, never listened on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        flags = ["--seeds", "0", "--configs", "2:0", "--address", f"127.0.0.1:{port}"]
        code = sweep_cli.main(["--sweep-dir", str(tmp_path / "a"), *flags])
    err = capsys.readouterr().err
    assert code == 2 and f"address: no Ray cluster answers at 127.0.0.1:{port}" in err, err
    assert not (tmp_path / "a").exists()
    with pytest.raises(ValueError, match="is not 'auto', host:port or ray://host:port"):
        sweep.check_address("headnode")
    sweep.check_address("auto"), sweep.check_address("local"), sweep.check_address(None)


@pytest.mark.parametrize("flag", [[], ["--precision", "fp32"], ["--precision", "bf16"]])
def test_a_sweep_resolves_its_precision_once_and_takes_the_flag(tmp_path, monkeypatch, flag):
    """Probe 13: sweep.py had no --precision (every sweep ran auto), and auto was resolved by each
    trial on its own worker (fp32 and bf16 trials mixed on mixed hardware; sweep.json said auto)."""
    pytest.importorskip("ray")
    from agents import sweep
    from rambo_env.dynamics.ensemble import resolve_precision

    monkeypatch.setattr(sweep, "_prepare_datasets", lambda *a: None)
    monkeypatch.setattr(sweep, "_fit", lambda spec, *a, **k: pytest.skip("stop before Ray"))
    with pytest.raises(pytest.skip.Exception):
        sweep_cli.main(["--sweep-dir", str(tmp_path), "--seeds", "0", "--configs", "2:0", *flag])
    saved = json.loads((tmp_path / "sweep.json").read_text())["spec"]["base"]["precision"]
    assert saved == (flag[1] if flag else resolve_precision("auto", "auto"))
    parser = sweep_cli.build_parser()
    with pytest.raises(SystemExit):
        sweep_cli.resolve_args(parser.parse_args(["--precision", "fp16"]), parser)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"datasets": "hopper-medium"}, r"datasets: expected a tuple or list, got str"),
        ({"seeds": "01"}, r"seeds: expected a tuple or list, got str"),
        ({"seeds": (True,)}, r"seeds: expected integers >= 0, got True"),
        ({"configs": ((True, 0.0),)}, r"configs: expected k >= 1 .* got \(k=True"),
        ({"configs": ((2, 0.1, 3),)}, r"configs: expected \(k, λ\) pairs, got \(2, 0.1, 3\)"),
        ({"base": {"n_iterations": 2}}, r"base: expected a CotrainConfig, got dict"),
    ],
)
def test_sweep_spec_arguments_of_the_wrong_kind_are_one_error(kwargs, match):
    """Probe 13: a str of datasets was split into letters ("duplicates in ['h', 'o', …]"), k=True
    and seed True were taken, a (k, λ, x) triple and a dict base gave raw TypeError /
    AttributeError; ``SweepResources(max_failures=1.5)`` was taken."""
    with pytest.raises(ValueError, match=match):
        SweepSpec(**{"datasets": ("x.npz",), **kwargs})
    with pytest.raises(ValueError, match=r"max_failures: expected int, got 1.5"):
        SweepResources(max_failures=1.5)


def test_a_seed_no_trial_accepts_and_a_non_utf8_sweep_json_are_named(tmp_path):
    """Probe 15: ``--seeds 2147483648`` started Ray, and every trial failed in its CotrainConfig
    (seeds < 2**31); a ``sweep.json`` that is not UTF-8 was ``error: 'utf-8' codec can't decode
    byte 0xff …``, naming no file."""
    from agents.sweep import load_sweep

    with pytest.raises(ValueError, match=r"seeds: 2147483648 is too large: .*\[0, 2\*\*31\)"):
        SweepSpec(datasets=("a",), seeds=(2**31,))
    (tmp_path / "sweep.json").write_bytes(b"\xff\xfe{}")
    with pytest.raises(ValueError, match=r"sweep\.json: not valid JSON \(not UTF-8 text"):
        load_sweep(tmp_path)


def test_a_mistyped_sweep_folder_is_said_not_to_exist(tmp_path):
    """Probe 19: ``--report-only`` / ``--resume`` of a path that does not exist said "has no
    sweep.json (not a sweep folder?)", as for a folder that is not a sweep's."""
    with pytest.raises(FileNotFoundError, match=r"^sweep_dir: .*typo does not exist; pass the"):
        load_sweep(tmp_path / "typo")
    with pytest.raises(FileNotFoundError, match=r"has no sweep.json \(not a sweep folder\?\)"):
        load_sweep(tmp_path)  # an existing folder without sweep.json


def test_a_file_or_a_cotrain_run_as_the_sweep_folder_says_what_to_pass(tmp_path):
    """Probe 48 row 45: ``--report-only FILE`` said "…/ok.npz has no sweep.json (not a sweep
    folder?)", calling a file a folder, and ``--resume RUN`` of a cotrain run "has no sweep.json
    to resume"; neither said what to do."""
    file = tmp_path / "ok.npz"
    file.write_text("x")
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text("{}")
    (run / "checkpoint.pt").write_text("x")
    for call in (load_sweep, resume_sweep):  # --report-only, --resume
        with pytest.raises(FileNotFoundError) as info:
            call(file)
        assert str(info.value) == (
            f"sweep_dir: {file} is a file, not a folder; pass the folder of a sweep (the "
            "--sweep-dir folder of scripts/sweep.py)"
        )
        with pytest.raises(FileNotFoundError) as info:
            call(run)
        assert str(info.value) == (
            f"sweep_dir: {run} is a cotrain run (config.json, checkpoint.pt), not a sweep: "
            f"continue it with python scripts/cotrain.py --resume {run}"
        )
    (run / "config.json").unlink()
    (run / "checkpoint.pt").unlink()
    with pytest.raises(FileNotFoundError, match=r"not a sweep folder\?\); pass the folder of a"):
        resume_sweep(run)  # was: "has no sweep.json to resume"


def test_resume_of_a_cotrain_run_says_no_resuming_line_before_its_error(tmp_path, capsys):
    """``scripts/sweep.py --resume RUN`` printed "[sweep] resuming RUN" before the error that RUN
    is no sweep (session 30)."""
    (tmp_path / "config.json").write_text("{}")
    assert sweep_cli.main(["--resume", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert "resuming" not in out and err.startswith(f"error: sweep_dir: {tmp_path} is a cotrain")
    missing = tmp_path / "nonexist"  # probe 49 row 13: was "is a file, not a folder"
    assert sweep_cli.main(["--resume", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert "resuming" not in out and err.startswith(
        f"error: sweep_dir: {missing} does not exist; pass the folder of a sweep started by "
        "scripts/sweep.py (it holds sweep.json)"
    )
    with pytest.raises(FileNotFoundError, match="nonexist does not exist; pass the folder"):
        resume_sweep(missing)


def test_report_only_interrupted_is_one_line(tmp_path, monkeypatch, capsys):
    """Probe 19: Ctrl-C (or SIGTERM) during ``--report-only`` was a raw KeyboardInterrupt
    traceback (the other scripts say one line and exit 130)."""

    def interrupted(sweep_dir):
        raise KeyboardInterrupt

    monkeypatch.setitem(sweep_cli.main.__globals__, "write_sweep_report", interrupted)
    try:
        code = sweep_cli.main(["--report-only", str(tmp_path)])
    except KeyboardInterrupt:  # would stop the whole pytest session
        pytest.fail("the interrupt escaped as a raw KeyboardInterrupt")
    assert code == 130
    assert capsys.readouterr().err.startswith("[sweep] interrupted: each report file is written")


def test_resources_and_trial_helpers_refuse_what_they_took():
    """Probe 21: SweepResources took cpus_per_trial=inf and gpus_per_trial=nan; check_trial_device
    alone took cpus_per_trial=-1 / nan and gave a raw TypeError for "3"; trial_run_dir made
    folders s-1 / sNone / s2.5; local_worker_niceness set RAY_worker_niceness to "x" / "None"."""
    from agents.sweep import (
        SweepResources,
        check_trial_device,
        local_worker_niceness,
        trial_run_dir,
    )

    for kwargs, match in (
        ({"cpus_per_trial": math.inf}, "cpus_per_trial: expected a finite value > 0, got inf"),
        ({"gpus_per_trial": math.nan}, "gpus_per_trial: expected a finite value >= 0, got nan"),
    ):
        with pytest.raises(ValueError, match=match):
            SweepResources(**kwargs)
    for cpus in (-1, math.nan, "3"):
        with pytest.raises(ValueError, match="cpus_per_trial: expected"):
            check_trial_device("cpu", 0.0, None, cpus)
    for seed in (-1, None, 2.5):
        with pytest.raises(ValueError, match="seed: expected an int >= 0"):
            trial_run_dir("runs", "hopper-medium", RamboPreset(2, 3e-4), seed)
    for niceness in ("x", None, 2.5, 40):
        with pytest.raises(ValueError, match=r"niceness: expected an int in \[-20, 19\]"):
            local_worker_niceness(niceness)


def test_check_address_and_trial_config_name_a_wrong_type():
    """Probe 21: check_address(5) was a raw AttributeError ('removeprefix'), timeout_s="3" a raw
    TypeError, -1 socket's "Timeout value out of range"; trial_config(…, config=(2, 3e-4)) a raw
    AttributeError."""
    from agents.cotrain import CotrainConfig
    from agents.sweep import check_address, trial_config

    with pytest.raises(ValueError, match="address: expected 'auto' or host:port, got int"):
        check_address(5)
    for timeout in ("3", -1, math.nan):
        with pytest.raises(ValueError, match="timeout_s: expected a finite number > 0"):
            check_address("127.0.0.1:1", timeout)
    with pytest.raises(ValueError, match=r"config: expected a RamboPreset\(k, λ\), got tuple"):
        trial_config(CotrainConfig(), "hopper-medium", (2, 3e-4), 0)


def _save_sweep(sweep_dir: Path, spec: SweepSpec, resources: SweepResources | None = None) -> Path:
    """A sweep folder as run_sweep leaves it before its first trial (sweep.json only)."""
    sweep_dir.mkdir(parents=True, exist_ok=True)
    resources = resources or SweepResources()
    data = {"spec": spec.to_dict(), "resources": dataclasses.asdict(resources)}
    (sweep_dir / "sweep.json").write_text(json.dumps(data))
    return sweep_dir


@pytest.fixture
def live_pid():
    """The PID of a live process of our own (a sweep driver elsewhere), stopped afterwards."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield proc.pid
    proc.kill()
    proc.wait()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stopped_sweep_says_how_far_it_got_and_how_to_continue(
    local_ray,
    tiny_hopper,  # noqa: F811
    tmp_path,
    capsys,
    signum,
):
    """Probe 24: Ctrl-C during a sweep printed Tune's "Tuner.restore(…)", then the finished
    trials' tables as final and "[sweep] 2 trials, 0 errored", exit 0; SIGTERM met Ray's handler
    (a C++ stack dump, exit 1, no [sweep] line)."""
    sweep_dir = _save_sweep(
        tmp_path / "sweep", tiny_spec(tiny_hopper), SweepResources(max_failures=0)
    )
    ended = threading.Event()

    def stop_after_the_first_trial() -> None:  # the driver is this process (one CPU: in turn)
        while not ended.is_set():
            for path in sweep_dir.glob("runs/*/*/*/results.json"):
                if read_json(path)["status"] == "finished":
                    os.kill(os.getpid(), signum)
                    return
            time.sleep(0.05)

    thread = threading.Thread(target=stop_after_the_first_trial, daemon=True)
    thread.start()
    try:
        with pytest.raises(SystemExit) as exit_info:
            sweep_cli.main(["--resume", str(sweep_dir), "--verbose", "0"])
    finally:
        ended.set()
        thread.join()
    out, err = capsys.readouterr()
    assert exit_info.value.code == 130, (out, err)
    assert (
        "[sweep] interrupted: 1 of 2 trials finished; continue with: python scripts/sweep.py "
        f"--resume {sweep_dir}\n"
    ) in err
    assert "RAMBO per (k, λ)" not in out and "errored" not in out  # no table as if complete
    assert not (sweep_dir / "table.md").exists() and not (sweep_dir / ".lock").exists()
    from ray import tune

    assert tune.Tuner.can_restore(sweep_dir / "tune")  # Tune saved its state: --resume goes on


def test_report_only_names_unfinished_trials_and_leaves_a_running_sweeps_files(
    tmp_path, monkeypatch, capsys, live_pid
):
    """Probe 24: ``--report-only`` of a half-finished sweep printed a table that looked complete,
    and, while the sweep still ran, overwrote its table.md / table.csv."""
    spec = SweepSpec(datasets=("hopper-medium",), configs=TWO_CONFIGS, seeds=(0,))
    sweep_dir = _save_sweep(tmp_path / "sweep", spec)
    run_dir = trial_run_dir(sweep_dir / "runs", "hopper-medium", TWO_CONFIGS[0], 0)
    run_dir.mkdir(parents=True)
    results = {"status": "finished", "dataset": "hopper-medium", "seed": 0, "rollout_length": 2}
    results |= {"adversary_weight": 3e-4, "final_score": 42.0, "q_history": [1.0], "evals": []}
    (run_dir / "results.json").write_text(json.dumps(results))
    monkeypatch.setitem(sys.modules, "ray", None)
    partial = "1 of 2 trials finished; missing/unfinished: hopper-medium/k5-lam0/s0"
    assert sweep_cli.main(["--report-only", str(sweep_dir)]) == 0
    out = capsys.readouterr().out
    assert f"**Partial tables: {partial}.**" in out and f"[sweep] partial tables: {partial}" in out
    assert f"Partial tables: {partial}" in (sweep_dir / "table.md").read_text()

    (sweep_dir / "table.md").write_text("the running sweep's own")
    (sweep_dir / ".lock").write_text(str(live_pid))  # its driver is alive
    assert sweep_cli.main(["--report-only", str(sweep_dir)]) == 0
    out = capsys.readouterr().out
    assert f"[sweep] the sweep is still running (process {live_pid})" in out and partial in out
    assert (sweep_dir / "table.md").read_text() == "the running sweep's own"


class Held(Exception):
    """Raised by a stand-in for Tune (agents.sweep._fit): the sweep got that far."""


def test_a_second_driver_on_a_running_sweep_is_refused_before_ray(
    tiny_hopper,  # noqa: F811
    tmp_path,
    monkeypatch,
    capsys,
    live_pid,
):
    """Probe 24: ``--resume`` of a sweep still running in another process started a second
    Tune on it: the trials ran twice, and the live sweep's trial died."""
    pytest.importorskip("ray")
    from agents import sweep

    sweep_dir = _save_sweep(tmp_path / "sweep", tiny_spec(tiny_hopper))
    (sweep_dir / ".lock").write_text(str(live_pid))
    monkeypatch.setattr(sweep, "_ray_session", lambda *a: pytest.fail("Ray started"))
    assert sweep_cli.main(["--resume", str(sweep_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"error: sweep_dir: {sweep_dir} is in use by process {live_pid} (a running sweep.py); "
        "wait for it or stop it first"
    ), err
    flags = ["--datasets", tiny_hopper, "--seeds", "0", "--configs", "2:0"]
    new = tmp_path / "new"
    new.mkdir()
    (new / ".lock").write_text(str(live_pid))  # a sweep started a moment ago in this folder
    assert sweep_cli.main(["--sweep-dir", str(new), *flags]) == 2
    assert f"is in use by process {live_pid}" in capsys.readouterr().err
    assert sorted(p.name for p in new.iterdir()) == [".lock"]  # nothing written

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (sweep_dir / ".lock").write_text(str(dead.pid))  # a driver killed outright: stale
    held = []

    def fit(spec, resources, folder, *args, **kwargs):
        held.append(sweep.run_io.run_holder(folder))
        raise Held

    monkeypatch.setattr(sweep, "_fit", fit)
    # the stale lock was taken over: the sweep went on, held by us (its exception: a bug's
    # traceback, then what is kept, exit 1 since probe 89 row 20)
    assert sweep_cli.main(["--resume", str(sweep_dir)]) == 1
    assert "[sweep] stopped on this error: " in capsys.readouterr().err
    assert held == [os.getpid()] and not (sweep_dir / ".lock").exists()


def _freeze_the_clock(tmp_path, monkeypatch) -> None:
    """Work in ``tmp_path`` with the sweep script's clock at 2026-01-02 03:04:05 (every default
    --sweep-dir then has one name)."""
    from datetime import datetime

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 1, 2, 3, 4, 5)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sweep_cli.resolve_args.__globals__, "datetime", Frozen)


def test_default_sweep_folders_started_in_one_second_differ(tmp_path, monkeypatch):
    """Probe 24: two sweeps with the default --sweep-dir started in the same second shared
    runs/sweeps/sac-default-<stamp>, and their results merged."""
    _freeze_the_clock(tmp_path, monkeypatch)
    parser = sweep_cli.build_parser()
    first = sweep_cli.resolve_args(parser.parse_args([]), parser)[2]
    assert first == Path("runs/sweeps/sac-default-20260102-030405")
    first.mkdir(parents=True)  # the first sweep's folder
    second = sweep_cli.resolve_args(parser.parse_args([]), parser)[2]
    assert second == Path("runs/sweeps/sac-default-20260102-030405-2")


def test_a_default_sweep_folder_taken_in_the_same_second_moves_to_the_next_name(
    tiny_hopper,  # noqa: F811
    tmp_path,
    monkeypatch,
    capsys,
    live_pid,
):
    """Probe 24 (verification): two sweeps with the default --sweep-dir started at the same
    instant both chose one name; the second was refused as "in use" by a folder it never named,
    and its sweep never ran. The default now moves on to the next name (-2); a folder the user
    named is still refused."""
    pytest.importorskip("ray.tune")  # probe 25: failed, not skipped, without the sweep extra
    from agents import sweep

    _freeze_the_clock(tmp_path, monkeypatch)
    taken = Path("runs/sweeps/sac-default-20260102-030405")
    real_run_sweep = sweep_cli.main.__globals__["run_sweep"]

    def run_sweep(spec, folder, *args, **kwargs):
        if folder == taken and not taken.exists():  # the other sweep claims it first
            taken.mkdir(parents=True)
            (taken / ".lock").write_text(str(live_pid))
        return real_run_sweep(spec, folder, *args, **kwargs)

    held = []

    def fit(spec, resources, folder, *args, **kwargs):
        held.append(Path(folder))
        raise Held

    monkeypatch.setitem(sweep_cli.main.__globals__, "run_sweep", run_sweep)
    monkeypatch.setattr(sweep, "_fit", fit)
    flags = ["--datasets", tiny_hopper, "--seeds", "0", "--configs", "2:0"]
    assert sweep_cli.main(flags) == 1  # Held: a bug's traceback, what is kept (probe 89 row 20)
    assert held == [(tmp_path / "runs/sweeps/sac-default-20260102-030405-2").resolve()]
    assert f"[sweep] {taken} was taken by another sweep: -> {taken}-2" in capsys.readouterr().out
    assert sweep_cli.main(["--sweep-dir", str(taken), *flags]) == 2  # named: refused
    assert f"is in use by process {live_pid}" in capsys.readouterr().err


def test_ray_address_in_the_environment_is_joined_or_named_before_the_sweep_folder(
    tmp_path, monkeypatch, capsys
):
    """Probe 28: with ``RAY_ADDRESS`` set and no ``--address``, the local Ray's ``ray.init``
    failed ("When connecting to an existing cluster, num_cpus and num_gpus must not be provided")
    after the sweep folder was written, blaming memory / CPU load and advising ``--resume``
    (which failed the same way). Now the sweep joins ``$RAY_ADDRESS`` as ``ray.init()`` does,
    says so in one line, and a RAY_ADDRESS no cluster answers at is one error naming it."""
    pytest.importorskip("ray")
    import socket

    from agents import sweep

    monkeypatch.setattr(sweep, "_prepare_datasets", lambda *a: pytest.fail("prepared"))
    monkeypatch.setattr(sweep, "_ray_session", lambda *a: pytest.fail("Ray started"))
    flags = ["--seeds", "0", "--configs", "2:0"]
    with socket.socket() as s:  # bound, never listened on: no cluster answers there
        s.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{s.getsockname()[1]}"
        monkeypatch.setenv("RAY_ADDRESS", dead)
        code = sweep_cli.main(["--sweep-dir", str(tmp_path / "a"), *flags])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"error: RAY_ADDRESS: '{dead}' is set in the env"), err
    assert f"no Ray cluster answers at {dead}" in err and "unset RAY_ADDRESS for a local Ray" in err
    assert not (tmp_path / "a").exists()

    monkeypatch.setattr(sweep, "_prepare_datasets", lambda *a: None)
    joined = []

    def fit(spec, resources, folder, address, *args, **kwargs):
        joined.append(address)
        raise Held

    monkeypatch.setattr(sweep, "_fit", fit)
    with socket.socket() as s:  # a cluster that answers
        s.bind(("127.0.0.1", 0))
        s.listen()
        live = f"127.0.0.1:{s.getsockname()[1]}"
        monkeypatch.setenv("RAY_ADDRESS", live)
        for folder, extra in (("b", []), ("c", ["--address", "auto"])):  # --address wins
            # Held: exit 1 after what is kept (probe 89 row 20: was the exception itself)
            assert sweep_cli.main(["--sweep-dir", str(tmp_path / folder), *flags, *extra]) == 1
        assert sweep.resolve_address(None) == live  # resume_sweep's too
    monkeypatch.setenv("RAY_ADDRESS", " ")  # empty: a local Ray, as ray.init()
    assert sweep_cli.main(["--sweep-dir", str(tmp_path / "d"), *flags]) == 1
    assert joined == [live, "auto", None]
    out = capsys.readouterr().out
    line = f"[sweep] RAY_ADDRESS={live} is set: joining that Ray cluster, as ray.init() does"
    assert out.count(line) == 2, out  # run_sweep's and resolve_address's; not with --address


@pytest.mark.parametrize("url", ["http://127.0.0.1:8265", "HTTPS://head:8265", "tcp://h:6379"])
def test_a_dashboard_url_as_ray_address_is_named_as_such(tmp_path, monkeypatch, capsys, url):
    """Probe 29: ``RAY_ADDRESS=http://127.0.0.1:8265`` (the dashboard's job-submission address)
    was "no Ray cluster answers at http://127.0.0.1:8265 (Name or service not known)"."""
    pytest.importorskip("ray")  # without Ray the sweep stops first at the missing extra
    from agents import sweep

    monkeypatch.setattr(sweep, "_prepare_datasets", lambda *a: pytest.fail("prepared"))
    monkeypatch.setattr(sweep, "_ray_session", lambda *a: pytest.fail("Ray started"))
    flags = ["--seeds", "0", "--configs", "2:0"]
    monkeypatch.setenv("RAY_ADDRESS", url)
    assert sweep_cli.main(["--sweep-dir", str(tmp_path / "a"), *flags]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: RAY_ADDRESS: {url!r} is set in the environment"), err
    monkeypatch.delenv("RAY_ADDRESS")
    assert sweep_cli.main(["--sweep-dir", str(tmp_path / "a"), *flags, "--address", url]) == 2
    err += capsys.readouterr().err
    assert err.count("usually 6379") == 2 and "ray://host:10001" in err
    assert "no Ray cluster answers" not in err and "Name or service" not in err
    if url.lower().startswith("http"):
        assert err.count("a Ray dashboard / job-submission address") == 2
    assert "unset RAY_ADDRESS for a local Ray" in err
    assert not (tmp_path / "a").exists()


def test_every_dataset_is_checked_before_any_is_generated(
    tiny_hopper,  # noqa: F811
    tmp_path,
    monkeypatch,
    capsys,
):
    """Probe 28: a sweep checked each dataset when its turn came: ``--datasets
    hopper-random,hopper-medium-replay`` on an empty Minari root generated 1M hopper-random
    transitions (minutes), then failed on hopper-medium-replay's missing replay buffer."""
    from agents import sweep
    from rambo_env.data import generate
    from rambo_env.data.dataset import DatasetUnavailableError
    from rambo_env.data.loaders import read_npz

    monkeypatch.chdir(tmp_path)  # no behaviour_runs/hopper/replay.npz here
    monkeypatch.delenv("D4RL_DATASET_DIR", raising=False)  # the Minari root is empty (conftest)
    generated = []

    def fake_generate(env, level, **kwargs):
        generated.append(f"{env}-{level}")
        return read_npz(tiny_hopper)

    monkeypatch.setattr(generate, "generate_dataset", fake_generate)
    with pytest.raises(DatasetUnavailableError) as info:
        sweep._prepare_datasets(("hopper-random", "hopper-medium-replay", "hopper-expert"))
    assert generated == []
    message = str(info.value)
    assert message.startswith(
        "datasets: 2 of 3 cannot be loaded or generated (nothing was generated); fix or drop them:"
        "\n- hopper-medium-replay: level 'medium-replay' needs the behaviour agent's replay buffer "
        "behaviour_runs/hopper/replay.npz"
    ), message
    assert "\n- hopper-expert: level 'expert' needs an expert policy" in message
    assert "hopper-random" not in message
    with pytest.raises(DatasetUnavailableError, match=r"^datasets: 1 of 2 .*drop it:\n- hopper-m"):
        sweep._prepare_datasets(("hopper-random", "hopper-medium-replay"))  # the probe's pair
    assert generated == []

    sweep._prepare_datasets(("hopper-random", tiny_hopper))  # what is there is loaded first
    assert generated == ["hopper-random"]
    out = capsys.readouterr().out
    assert out.index("dataset 'tiny-hopper'") < out.index("generating rambo/hopper/random-v0")

    if importlib.util.find_spec("ray") is None:  # the CLI needs the sweep extra
        return
    monkeypatch.setattr(sweep, "_ray_session", lambda *a: pytest.fail("Ray started"))
    folder = tmp_path / "sweep"
    datasets = "hopper-random,hopper-medium-replay,walker2d-medium-expert"
    flags = ["--seeds", "0", "--configs", "2:0", "--datasets", datasets]
    assert sweep_cli.main(["--sweep-dir", str(folder), *flags]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: datasets: 2 of 3 cannot be loaded or generated"), err
    assert "- walker2d-medium-expert: level 'medium-expert' needs an expert policy" in err
    assert generated == ["hopper-random"] and not folder.exists()


def test_the_sweep_tables_name_its_agent(tmp_path, monkeypatch, capsys):
    """Probe 28: the tables of a td3 (tqc, crossq, ddpg) sweep said RAMBO / RAMBO-OFF and named
    no agent; only sweep.json and the folder name did."""
    from agents.cotrain import CotrainConfig

    base = dataclasses.replace(CotrainConfig(), algo="td3")
    spec = SweepSpec(datasets=("hopper-medium",), configs=TWO_CONFIGS[:1], seeds=(0,), base=base)
    _save_sweep(tmp_path, spec)
    run_dir = trial_run_dir(tmp_path / "runs", "hopper-medium", TWO_CONFIGS[0], 0)
    run_dir.mkdir(parents=True)
    results = {"status": "finished", "dataset": "hopper-medium", "seed": 0, "rollout_length": 2}
    results |= {"adversary_weight": 3e-4, "final_score": 42.0, "q_history": [1.0], "evals": []}
    (run_dir / "results.json").write_text(json.dumps(results))  # names no agent: the sweep's
    monkeypatch.setitem(sys.modules, "ray", None)
    assert sweep_cli.main(["--report-only", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    markdown = (tmp_path / "table.md").read_text()
    for text in (out, markdown):
        assert "## RAMBO per (k, λ) configuration (paper Table 6 layout), agent: td3" in text
        assert "## RAMBO and RAMBO-OFF (paper Table 1 layout), agent: td3" in text
        assert "| dataset | RAMBO (td3) | RAMBO-OFF (td3) |" in text
    (line,) = list(csv.DictReader((tmp_path / "table.csv").open()))
    assert line["agent"] == "td3"


def test_a_dataset_too_small_to_train_on_is_refused_before_ray(tiny_hopper, tmp_path, capsys):  # noqa: F811
    """Probe 32: a 1-row dataset passed the sweep's dataset check (its N >= 2 rule lived in
    make_mdp), so its trial died under Ray with a RayTaskError traceback."""
    pytest.importorskip("ray")
    from rambo_env.data.dataset import OfflineDataset

    rows = OfflineDataset.from_npz(tiny_hopper)
    arrays = {k: getattr(rows, k)[:1] for k in ("observations", "actions", "rewards")}
    arrays |= {k: getattr(rows, k)[:1] for k in ("next_observations", "terminals", "timeouts")}
    one = OfflineDataset.from_arrays(arrays, env_id="Hopper-v5", name="one").to_npz(
        tmp_path / "one.npz"
    )
    folder = tmp_path / "sweeps" / "new"
    flags = ["--seeds", "0", "--configs", "2:0", "--datasets", f"{tiny_hopper},{one}"]
    assert sweep_cli.main(["--sweep-dir", str(folder), *flags]) == 2
    err = capsys.readouterr().err
    assert "datasets: 1 of 2 cannot be loaded or generated" in err, err
    assert f"- {one}: dataset.observations: need [N >= 2, obs_dim], got (1, 11); MLE" in err
    assert not (tmp_path / "sweeps").exists()


def test_a_rollout_length_above_the_episode_limit_is_refused_before_ray(
    tiny_hopper,  # noqa: F811
    tmp_path,
    monkeypatch,
    capsys,
):
    """Issue 14: the sweep's pre-check did not check k against the env's episode limit (as
    cotrain does), so ``--configs 2000:0`` on Hopper started Ray and each trial errored. A k far
    above the paper's is warned about once per configuration, not per dataset."""
    pytest.importorskip("ray")
    from agents import sweep

    monkeypatch.setattr(sweep, "_ray_session", lambda *a: pytest.fail("Ray started"))
    folder = tmp_path / "sweeps" / "new"
    from rambo_env.data.dataset import ARRAY_FIELDS, OfflineDataset

    rows = OfflineDataset.from_npz(tiny_hopper)  # other data (the same would be refused)
    other = OfflineDataset.from_arrays(
        {k: getattr(rows, k)[:-1] for k in ARRAY_FIELDS}, env_id="Hopper-v5", name="other"
    ).to_npz(tmp_path / "other.npz")
    flags = ["--seeds", "0", "--configs", "60:0,2000:0", "--datasets", f"{tiny_hopper},{other}"]
    assert sweep_cli.main(["--sweep-dir", str(folder), *flags]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(
        f"error: rollout_length: k = 2000 (--configs 2000:0, dataset {tiny_hopper}) exceeds "
        "Hopper-v5's episode limit of 1000 steps (spec.max_episode_steps): model rollouts longer "
        "than any real episode mean nothing (the paper's k are 2 and 5, Table 5); give a "
        "--configs k of at most 1000\n"
    ), captured.err
    warning = "[rambo_env] WARNING: rollout_length: k = 60 (--configs 60:0) is far above"
    assert captured.out.count(warning) == 1, captured.out
    assert not (tmp_path / "sweeps").exists()
    from rambo_env.data import generate  # a short name to generate: refused before generating

    monkeypatch.delenv("D4RL_DATASET_DIR", raising=False)  # the Minari root is empty (conftest)
    monkeypatch.setattr(generate, "generate_dataset", lambda *a, **k: pytest.fail("generated"))
    with pytest.raises(ValueError, match=r"k = 1001 \(--configs 1001:0, dataset hopper-random\)"):
        sweep._prepare_datasets(("hopper-random",), (RamboPreset(1001, 0.0),))
    unnamed = OfflineDataset.from_arrays(  # data naming no env: base.env_id (--env-id) decides
        {k: getattr(rows, k) for k in ARRAY_FIELDS}, name="unnamed"
    ).to_npz(tmp_path / "unnamed.npz")
    with pytest.raises(ValueError, match=r"exceeds Hopper-v5's episode limit"):
        sweep._prepare_datasets((str(unnamed),), (RamboPreset(1001, 0.0),), "Hopper-v5")
    # probe 42: the data are loaded as a trial loads them, with base.env_id: other dims are
    # refused before Ray (was: the k check against Walker2d-v5 passed them on to the trials)
    with pytest.raises(ValueError, match=r"obs_dim 11 but the env's observation space"):
        sweep._prepare_datasets((tiny_hopper,), (RamboPreset(2, 0.0),), "Walker2d-v5")


class _FakeRayTaskError(Exception):
    """What Ray hands over for a trial's exception: a traceback, with the exception as cause."""

    def __init__(self, cause: BaseException):
        super().__init__(f"ray::Trainable.train() (pid=1)\n  File ...\n{cause}")
        self.cause = cause


def test_a_sweep_with_errored_trials_names_each_cause_and_when_resume_repeats_it(
    tmp_path, monkeypatch, capsys
):
    """Probe 32: a trial's data error ended the sweep with Ray's traceback and "continue with:
    … --resume", which repeated the same crash."""
    from agents import sweep

    bad = ValueError("dataset.observations: need [N >= 2, obs_dim], got (1, 11); MLE …\nmore")
    lines, repeat = sweep.trial_errors([("a-k2-s0", _FakeRayTaskError(bad))])
    assert lines == ("a-k2-s0: ValueError: dataset.observations: need [N >= 2, obs_dim], got "
                     "(1, 11); MLE …",) and repeat  # fmt: skip
    missing = FileNotFoundError("x.npz does not exist")
    lines, repeat = sweep.trial_errors([("a", bad), ("b", missing)])
    assert lines[1] == "b: FileNotFoundError: x.npz does not exist" and not repeat
    assert sweep.trial_errors([]) == ((), False)

    def fake_run_sweep(spec, sweep_dir, *a, **k):
        report = SimpleNamespace(rows=[], iterations_note="")
        files = {"markdown": sweep_dir / "table.md", "csv": sweep_dir / "table.csv"}
        errors, repeat = sweep.trial_errors([("one-k2-lam0-s0", bad)])
        return sweep.SweepOutcome(report, files, 2, 1, 1.0, errors, repeat)

    monkeypatch.setitem(sweep_cli._main.__globals__, "run_sweep", fake_run_sweep)
    monkeypatch.setitem(sweep_cli._main.__globals__, "to_markdown", lambda report: "")
    monkeypatch.setattr(sweep, "_prepare_datasets", lambda *a: None)
    flags = ["--seeds", "0", "--configs", "2:0", "--datasets", "hopper-medium"]
    assert sweep_cli.main(["--sweep-dir", str(tmp_path / "sw"), *flags]) == 1
    out = capsys.readouterr().out
    assert (
        "[sweep] errored trial one-k2-lam0-s0: ValueError: dataset.observations: need [N >= 2, "
        "obs_dim], got (1, 11); MLE …\n[sweep] --resume would repeat these errors (the same data "
        "and settings): fix their cause, or drop the dataset / config from the grid, and start a "
        "new sweep\n"
    ) in out
    assert "--resume sw" not in out and "continue with" not in out


def test_one_dataset_given_twice_under_two_names_is_refused_before_ray(
    tiny_hopper,  # noqa: F811
    tmp_path,
    capsys,
):
    """Issue 14 (finding 27): a dataset under two names (a short name and its Minari id, or an npz
    copy of the same arrays under another name) ran every trial twice on identical data."""
    pytest.importorskip("ray")
    from rambo_env.data.dataset import OfflineDataset

    copy = dataclasses.replace(OfflineDataset.from_npz(tiny_hopper), name="copy")
    copy = str(copy.to_npz(tmp_path / "copy.npz"))
    folder = tmp_path / "sweeps" / "new"
    flags = ["--seeds", "0", "--configs", "2:0", "--datasets", f"{tiny_hopper},{copy}"]
    assert sweep_cli.main(["--sweep-dir", str(folder), *flags]) == 2
    err = capsys.readouterr().err
    assert f"error: datasets: {tiny_hopper} and {copy} are the same data (300 transitions" in err
    assert "give one of them" in err
    assert not (tmp_path / "sweeps").exists()


def test_ray_processes_a_killed_driver_left_are_ended_on_resume(tmp_path, capsys):
    """Issue 14 (finding 13): after kill -9 of the sweep driver, its local Ray's DashboardAgent
    and RuntimeEnvAgent lived on (PPID 1, ~180 MB). They are found by the session folder named
    after the dead driver's PID (their open log files) and ended; other sessions are left."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    sweep_dir = tmp_path / "sw"
    sweep_dir.mkdir()
    (sweep_dir / ".lock").write_text(f"{dead.pid}")
    code = (  # holds a log file of its session open and ignores SIGTERM, as Ray's agents may
        "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "f = open(sys.argv[1], 'a'); print('up', flush=True); time.sleep(60)"
    )
    procs = {}
    for owner in (dead.pid, os.getpid()):  # the dead driver's session, a live one's
        logs = tmp_path / f"session_2026-12-03_00-37-52_642168_{owner}" / "logs"
        logs.mkdir(parents=True)
        procs[owner] = subprocess.Popen(
            [sys.executable, "-c", code, str(logs / "agent.out")], stdout=subprocess.PIPE
        )
        assert procs[owner].stdout.readline() == b"up\n"
    try:
        ended = sweep_mod.end_dead_drivers_ray(sweep_dir)
        assert ended == [procs[dead.pid].pid]
        assert procs[dead.pid].wait(timeout=10) == -signal.SIGKILL
        assert procs[os.getpid()].poll() is None  # another session's: left alone
        assert (
            f"[sweep] note: the sweep's earlier driver (process {dead.pid}) is gone; ended 1 "
            f"process(es) its local Ray left running (PIDs {procs[dead.pid].pid})"
        ) in capsys.readouterr().out
        (sweep_dir / ".lock").write_text(f"{os.getpid()}")  # a live driver: nothing ended
        assert sweep_mod.end_dead_drivers_ray(sweep_dir) == []
    finally:
        for proc in procs.values():
            proc.kill()
            proc.wait()


def test_env_id_names_the_env_of_a_file_that_names_none(tmp_path, monkeypatch, capsys):
    """Probe 42: a D4RL-layout file naming no env trained unevaluated, and the loader's advice
    "pass env_id=... (--env-id)" named a flag sweep.py lacked; now every trial (and the sweep's
    dataset check) takes it, as cotrain.py --env-id does."""
    from tests.scripts import pendulum_hdf5

    path = str(pendulum_hdf5(tmp_path / "pendulum.hdf5"))
    parser = sweep_cli.build_parser()
    args = parser.parse_args(["--datasets", path, "--env-id", "Pendulum-v1", "--configs", "2:0"])
    spec = sweep_cli.resolve_args(args, parser)[0]
    assert spec.base.env_id == "Pendulum-v1"
    assert spec.trial_config(path, spec.configs[0], 0).env_id == "Pendulum-v1"
    sweep_mod._prepare_datasets(spec.datasets, spec.configs, spec.base.env_id)
    out = capsys.readouterr().out
    assert "env Pendulum-v1)" in out and "names no Gymnasium env" not in out
    assert "--env-id" in sweep_cli._sweep_flags_given(args)  # not with --resume


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--configs", "2:abc"], "argument --configs: expected 'k:lam,...', got '2:abc'"),
        (["--seeds", "0,"], "argument --seeds: an empty item in '0,' (a stray comma?)"),
        (["--seeds", "x"], "argument --seeds: expected '0,1,...', got 'x'"),
        (["--datasets", "a,,b"], "argument --datasets: an empty item in 'a,,b'"),
    ],
)
def test_sweep_list_flags_name_the_flag_once(flags, said, capsys):
    """Probe 56 row 22: argparse's own prefix and the parser's doubled the flag's name
    ('argument --configs: --configs: expected …')."""
    from tests.scripts import load_script

    with pytest.raises(SystemExit):
        load_script("sweep").build_parser().parse_args(flags)
    line = capsys.readouterr().err.strip().splitlines()[-1]  # the error line, after the usage
    assert said in line and line.count(flags[0]) == line.count(f"argument {flags[0]}"), line


def test_a_signal_that_also_ended_ray_s_processes_says_resume_at_once(
    monkeypatch, capsys, tmp_path
):
    """Probe 61 row 58: ``timeout 30 python scripts/sweep.py …`` signals the whole process group,
    so Ray's GCS and raylet died with the driver's signal; Tune's stop then waited 60 s for the
    dead GCS and the script ended in Ray's C++ error, no ``[sweep] interrupted`` line. Once the
    GCS or raylet is dead the watch says the --resume line and exits 130 at once; a dead
    dashboard alone, or no local node (a cluster's address), is left to Tune's own stop."""
    worker = pytest.importorskip("ray._private.worker")

    class Node:
        def __init__(self, dead):
            self.dead, self.polls = dead, 0

        def dead_processes(self):
            self.polls += 1
            return self.dead if self.polls > 1 else []  # dies while watched

    def exit_now(code):
        raise SystemExit(code)

    monkeypatch.setattr(sweep_mod.os, "_exit", exit_now)
    monkeypatch.setattr(worker, "_global_node", Node([("raylet", None), ("dashboard", None)]))
    with pytest.raises(SystemExit) as exited:
        sweep_mod._exit_when_ray_is_gone(tmp_path / "my sweep", signal.SIGTERM, poll_s=0.01)
    assert exited.value.code == 130
    err = capsys.readouterr().err
    assert err.startswith("[sweep] interrupted (SIGTERM): Ray's own processes (raylet) were ended")
    assert err.endswith(f"continue with: python scripts/sweep.py --resume '{tmp_path}/my sweep'\n")

    node = Node([("dashboard", None)])
    monkeypatch.setattr(worker, "_global_node", node)
    thread = threading.Thread(
        target=sweep_mod._exit_when_ray_is_gone,
        args=(tmp_path, signal.SIGTERM, 0.01),
        daemon=True,
    )
    thread.start()
    thread.join(0.3)
    assert thread.is_alive() and node.polls > 2  # still watching: no exit for the dashboard
    node.dead = None  # Ray's internals unreadable: the watch ends (and here, before the patches)
    thread.join(5)
    assert not thread.is_alive()
    monkeypatch.setattr(worker, "_global_node", None)
    sweep_mod._exit_when_ray_is_gone(tmp_path, signal.SIGTERM, poll_s=0.01)  # returns at once
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "stored",
    [
        "tune/experiment_state-2026-12-04_13-00-18.json",
        "tune/hopper-medium-k2-lam3e-4-s0/params.json",
    ],
)
def test_resume_of_a_moved_sweep_folder_is_refused_before_ray(
    tmp_path, monkeypatch, capsys, stored
):
    """Probe 64 row 68: ``--resume`` of a sweep folder moved (mv) since its trials were made was
    silent: ``Tuner.restore`` restores each trial with its stored config (Tune's experiment
    state; a started trial's params.json too), whose ``runs_root`` is the old folder's ``runs/``,
    so the resumed trials trained there (a deleted folder recreated) while ``--report-only`` of
    the moved one went on calling them unfinished. Now one error names both, before Ray starts."""
    made = _save_sweep(tmp_path.resolve() / "made", tiny_spec("hopper-medium"))
    config = {"seed": 0, "runs_root": str(made / "runs")}
    (made / stored).parent.mkdir(parents=True)
    if stored.endswith("params.json"):
        (made / stored).write_text(json.dumps(config))
    else:  # as Tune writes it: each trial's state a JSON string, its config plain JSON
        trial = json.dumps({"trainable_name": "cotrain_trainable", "config": config})
        (made / stored).write_text(json.dumps({"trial_data": [[trial, "{}"]], "stats": {}}))

    def no_ray(*args, **kwargs):
        raise RuntimeError("Ray would start")

    monkeypatch.setattr(sweep_mod, "_fit", no_ray)
    with pytest.raises(RuntimeError, match="Ray would start"):  # where it was made: resumed
        resume_sweep(made)
    moved = made.rename(tmp_path.resolve() / "moved")
    said = (
        f"sweep_dir: the sweep was made at {made} and is now at {moved}: its trials' Tune state "
        f"({stored}) writes their runs to {made / 'runs'}, so a resume here would train into the "
        f"old folder; move it back to {made} and resume it there (--resume {made}), or start a "
        "new sweep; --report-only reads it here"
    )
    with pytest.raises(ValueError) as refused:
        resume_sweep(moved)
    assert str(refused.value) == said
    assert sweep_cli.main(["--resume", str(moved)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {said}\n")
    assert not made.exists()  # the old folder is not recreated
    (moved / "runs").mkdir()  # as a sweep whose trials started has
    monkeypatch.setitem(sys.modules, "ray", None)  # probe 65: --report-only then advised the
    assert sweep_cli.main(["--report-only", str(moved)]) == 0  # --resume refused just above
    out = capsys.readouterr().out
    assert (
        f"it was made at {made} (its trials write there): move it back, then continue with: python scripts/sweep.py --resume {made}"
        in out
    )
    assert f"--resume {moved}" not in out
