"""Probe 86 (rows 31, 32): a sweep whose driver raised in its first ``Tuner.fit`` (tune/ holds
``tuner.pkl`` but no experiment state) is continued by ``--resume`` from its saved grid."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from test_cotrain import tiny_hopper  # noqa: F401 (a fixture)
from test_sweep import TWO_CONFIGS, local_ray, tiny_spec  # noqa: F401 (local_ray: a fixture)

from agents.sweep import (
    SweepResources,
    _trial_name,
    _tune_state_saved,
    resume_sweep,
    run_sweep,
    trial_run_dir,
)


def test_a_trial_config_without_the_grid_is_named_not_a_key_error():
    # probe 86 row 31: was a raw KeyError 'k_lambda' when Tune restarted without the grid
    assert _trial_name(SimpleNamespace(config={}, trial_id="a1b2")) == "trial-a1b2"
    named = SimpleNamespace(config={"dataset": "hopper-random", "k_lambda": [2, 3e-4], "seed": 0})
    assert _trial_name(named) == "hopper-random-k2-lam3e-4-s0"


def test_a_tune_folder_with_only_tuner_pkl_is_no_state_to_restore(tmp_path):
    tune = pytest.importorskip("ray.tune")
    experiment = tmp_path / "tune"
    experiment.mkdir()
    assert not _tune_state_saved(tune, experiment)
    (experiment / "tuner.pkl").write_bytes(b"")
    assert tune.Tuner.can_restore(experiment)  # what was asked alone
    assert not _tune_state_saved(tune, experiment)
    (experiment / "experiment_state-2026-01-01_00-00-00.json").write_text(json.dumps({}))
    assert _tune_state_saved(tune, experiment)


def test_a_sweep_whose_first_fit_raised_resumes_its_grid(
    local_ray,  # noqa: F811
    tiny_hopper,  # noqa: F811
    tmp_path,
    monkeypatch,
    capsys,
):
    # probe 86 rows 31, 32: was Ray's "Failed to restore the run state" and a raw KeyError
    # 'k_lambda', no trial run; the original command said "not empty; resume it": the sweep
    # folder could only be abandoned (and --report-only advised that --resume)
    tune = pytest.importorskip("ray.tune")
    spec = tiny_spec(tiny_hopper, n_iterations=1)
    sweep_dir = tmp_path / "s"

    def fails(self):
        raise RuntimeError("injected before Tune saved its state")

    with monkeypatch.context() as mp:
        mp.setattr(tune.Tuner, "fit", fails)
        with pytest.raises(RuntimeError, match="injected"):
            run_sweep(spec, sweep_dir, SweepResources(max_failures=0), verbose=0)
    assert (sweep_dir / "tune" / "tuner.pkl").is_file()
    assert not list((sweep_dir / "tune").glob("experiment_state-*.json"))
    capsys.readouterr()
    outcome = resume_sweep(sweep_dir, verbose=0)
    assert (outcome.n_trials, outcome.n_errors) == (2, 0)
    assert not outcome.report.partial
    out = capsys.readouterr().out
    assert (
        f"[sweep] note: {sweep_dir / 'tune'} holds no Tune state (the driver stopped before Tune "
        "saved it?): the grid starts afresh from sweep.json; from the run folders: 2 trial(s) "
        "not started yet run"
    ) in out
    for config in TWO_CONFIGS:
        assert (
            trial_run_dir(sweep_dir / "runs", tiny_hopper, config, 0) / "results.json"
        ).is_file()
