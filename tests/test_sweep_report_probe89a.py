"""Probe 89a (row 35): the report names the trials of its grid whose run failed, with their error,
and whether ``--resume`` repeats it (a diverged actor)."""

from __future__ import annotations

import json

from rambo_env.sweep_report import FailedTrial, build_report, config_slug
from tests.test_sweep_report import A, B, results

GRID = [("hopper-medium", c, 0) for c in (A, B)]


def _write(root, config, data):
    run_dir = root / "hopper-medium" / config_slug(config) / "s0"
    run_dir.mkdir(parents=True)
    (run_dir / "results.json").write_text(json.dumps(data))


def test_failed_trials_are_named_with_their_error_and_kind(tmp_path):
    # probe 89 row 35: the report read status / q_history only: a failed trial was "unfinished"
    failed = results(B, 0, None, [], status="failed")
    error = {"type": "ValueError", "message": "Expected parameter loc", "iteration": 3}
    _write(tmp_path, A, results(A, 0, 10.0, [1.0]))
    _write(
        tmp_path,
        B,
        {**failed, "error": {**error, "phase": "the agent's gradient steps", "kind": "diverged"}},
    )
    report = build_report(tmp_path, grid=GRID)
    assert report.failed == (
        FailedTrial(
            "hopper-medium/k5-lam3e-4/s0",
            "ValueError: Expected parameter loc (iteration 3, the agent's gradient steps)",
            repeats=True,
        ),
    )


def test_a_failed_trial_without_an_error_record_gives_its_message(tmp_path):
    old = {**results(A, 0, None, [], status="failed"), "message": "failed: X in iteration 2; Y"}
    _write(tmp_path, A, old)
    _write(tmp_path, B, {**results(B, 0, None, [], status="failed"), "error": "damaged"})
    report = build_report(tmp_path, grid=GRID)
    assert [(f.error, f.repeats) for f in report.failed] == [
        ("X in iteration 2; Y", False),
        ("no error recorded", False),
    ]


def test_an_interrupted_trial_is_not_failed(tmp_path):
    _write(tmp_path, A, results(A, 0, None, [], status="interrupted"))
    report = build_report(tmp_path, grid=GRID)
    assert report.failed == () and report.partial.startswith("0 of 2 trials finished")
