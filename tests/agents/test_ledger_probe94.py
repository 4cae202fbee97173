"""Probe 94 on the ledger: a diverged run's last good checkpoint (row 23) and its iteration
times (row 24); the dataset plot's BC warm-start lines of several entries (row 39)."""

from __future__ import annotations

import json

from rambo_env import curves as curves_module
from rambo_env import ledger
from rambo_env.ledger import LedgerEntry


def _diverged_run(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    results = {
        "status": "diverged",
        "diverged_at": {"iteration": 2, "q_avg": 4.48, "q_limit": 4.3},
        "n_iterations": 4,
        "iterations_completed": 1,
        "iteration_s_mean": 0.567,
    }
    (run_dir / "results.json").write_text(json.dumps(results))
    return run_dir


def test_diverged_text_names_the_kept_checkpoint(tmp_path):
    # probe 94 row 23: was "its curve ends there, at iteration 2 (its last good checkpoint)"
    text = ledger.diverged_text(_diverged_run(tmp_path), 2, " of 4")
    assert "its last good checkpoint is iteration 1" in text
    assert "iteration 2 (its last good checkpoint)" not in text


def test_a_diverged_runs_wall_time_is_that_of_its_completed_iterations(tmp_path, capsys):
    # probe 94 row 24: was None and "the iteration times of 1 of its 2 iterations are in
    # neither its TensorBoard logs nor its results.json"
    run_dir = _diverged_run(tmp_path)
    assert ledger._cotrain_wall_s(run_dir, [0.5], 2, True) == 0.5
    assert ledger._cotrain_wall_s(run_dir, [], 2, True) == 0.567  # tb/ lost: results.json's
    assert "WARNING" not in capsys.readouterr().out


def _entry(seed, bc):
    return LedgerEntry(
        slug=f"hopper-medium_sac_k5-lam3e-4_s{seed}",
        dataset="hopper-medium",
        algo="sac",
        rollout_length=5,
        adversary_weight=3e-4,
        seed=seed,
        behaviour_score=41.7,
        bc_score=bc,
        iterations=2,
        last10_score=1.0,
        cotrain_wall_s=1.0,
    )


def test_the_dataset_plot_draws_each_bc_score(tmp_path, monkeypatch):
    # probe 94 row 39: was one "BC warm start" line, seed 0's score only
    figures = []
    real = curves_module.headless_figure
    monkeypatch.setattr(
        curves_module, "headless_figure", lambda **kw: figures.append(real(**kw)) or figures[-1]
    )
    entries = [_entry(0, 0.931), _entry(1, 1.688)]
    index = {e.slug: e for e in entries}
    rows = {
        e.slug: [
            {"iteration": i, "normalized_score": e.bc_score + i, "q_avg": None if i == 0 else 4.0}
            for i in range(3)
        ]
        for e in entries
    }
    ledger._plot("hopper-medium", tmp_path, index, rows, tmp_path / "p.png")
    ax = figures[-1].axes[0]
    levels = {round(line.get_ydata()[0], 3) for line in ax.lines if line.get_linestyle() == "--"}
    assert {0.931, 1.688} <= levels
    names = [t.get_text() for t in ax.texts]
    assert sum("BC" in n or "warm" in n for n in names) == 2, names
