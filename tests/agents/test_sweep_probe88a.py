"""Probe 88 (row 142): a finished trial whose run folder was removed runs again on ``--resume``,
as the README and the sweep's WARNING advise to rerun it."""

from __future__ import annotations

import shutil

import pytest
from test_cotrain import tiny_hopper  # noqa: F401 (a fixture)
from test_sweep import TWO_CONFIGS, local_ray, tiny_spec  # noqa: F401 (local_ray: a fixture)

from agents.sweep import SweepResources, resume_sweep, run_sweep, trial_run_dir


def test_a_removed_finished_trial_runs_again_on_resume(
    local_ray,  # noqa: F811
    tiny_hopper,  # noqa: F811
    tmp_path,
    capsys,
):
    # probe 88 row 142: was "[sweep] 1 trials, 0 errored": Tune restored the trial as finished and
    # did not run it; its folder stayed missing, table.md "Partial tables: 0 of 1 trials finished"
    pytest.importorskip("ray.tune")
    spec = tiny_spec(tiny_hopper, n_iterations=1)
    sweep_dir = tmp_path / "s"
    outcome = run_sweep(spec, sweep_dir, SweepResources(max_failures=0), verbose=0)
    assert (outcome.n_trials, outcome.n_errors) == (2, 0) and not outcome.report.partial
    removed, kept = (trial_run_dir(sweep_dir / "runs", tiny_hopper, c, 0) for c in TWO_CONFIGS)
    kept_stamp = (kept / "results.json").stat().st_mtime_ns
    shutil.rmtree(removed)
    capsys.readouterr()
    outcome = resume_sweep(sweep_dir, verbose=0)
    assert (outcome.n_trials, outcome.n_errors) == (2, 0)
    assert not outcome.report.partial
    assert (removed / "results.json").is_file()
    assert (kept / "results.json").stat().st_mtime_ns == kept_stamp  # kept, not rerun
    out = capsys.readouterr().out
    name = f"{removed.parent.parent.name}-{removed.parent.name}-s0"
    assert (
        f"[sweep] note: {sweep_dir / 'tune'} has 1 trial(s) as finished whose run folders hold no "
        f"complete run ({name}): they run again; Tune's state is set aside and the grid starts "
        "afresh from sweep.json; from the run folders: 1 trial(s) whose run folders hold a "
        "complete run are kept; 1 trial(s) not started yet run"
    ) in out, out
    # a second resume restores the new state: nothing to rerun, nothing said
    capsys.readouterr()
    outcome = resume_sweep(sweep_dir, verbose=0)
    assert (outcome.n_trials, outcome.n_errors) == (2, 0) and not outcome.report.partial
    assert "[sweep] note:" not in capsys.readouterr().out
