"""Session 38: what makes two runs of one seed give the same numbers (README "Same seed, same
numbers"). The README's main job scored 8.0, 8.3, 8.6 and 9.1 on one seed in sessions 36-37:
its MLE pretraining was capped at 120 s, so the model depended on the machine's load; and a
resumed session at another torch thread count parts from the uninterrupted run without a word."""

from __future__ import annotations

import dataclasses
import json

import torch

from agents.cotrain import PRESETS, load_config, run_cotrain
from rambo_env.dynamics.training import MLEConfig
from rambo_env.run_io import load_checkpoint
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)
from tests.dynamics.test_mle_training import fit, linear_dataset


def test_the_default_preset_caps_pretraining_by_epochs_not_by_time() -> None:
    # was mle_max_time_s=120: 2 epochs, 3 epochs or a part of one as the machine's load went
    default = PRESETS["default"]
    assert (default.mle_max_epochs, default.mle_max_time_s) == (3, None)
    assert (PRESETS["paper"].mle_max_epochs, PRESETS["paper"].mle_max_time_s) == (None, None)


def test_a_time_budget_that_stops_pretraining_says_the_model_depends_on_the_machine(
    capsys,
) -> None:
    _, report = fit(linear_dataset(300), MLEConfig(max_time_s=1e-6, max_epochs=50))
    assert report.stopped_by == "max_time"
    out = capsys.readouterr().out
    assert (
        "note: MLE pretraining stopped at its time budget (max_time_s 1e-06) after 1 epoch" in out
    )
    assert "depend on this machine's speed and load" in out and "--mle-max-epochs" in out
    _, report = fit(linear_dataset(300), MLEConfig(max_time_s=1000.0, max_epochs=2))
    assert report.stopped_by == "max_epochs"
    assert "time budget" not in capsys.readouterr().out  # an epoch stop: nothing to say


def test_a_resume_at_another_thread_count_says_its_numbers_part(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    before = torch.get_num_threads()
    try:
        run_dir = tmp_path / "run"
        run_cotrain(tiny_config(tiny_hopper, n_iterations=3, stop_at_iteration=1), run_dir)
        assert load_checkpoint(run_dir / "checkpoint.pt")["torch_threads"] == [1]
        capsys.readouterr()
        cfg = dataclasses.replace(load_config(run_dir), stop_at_iteration=2, torch_threads=2)
        run_cotrain(cfg, run_dir, resume=True)
        said = capsys.readouterr().out
        assert "note: this session trains at 2 torch threads, the run's last session at 1" in said
        assert "--torch-threads 1 keeps them" in said
        assert load_checkpoint(run_dir / "checkpoint.pt")["torch_threads"] == [1, 2]
        # the same count again: no note, no new entry
        cfg = dataclasses.replace(cfg, stop_at_iteration=None)
        result = run_cotrain(cfg, run_dir, resume=True)
        assert "the run's last session" not in capsys.readouterr().out
        assert result["torch_threads"] == [1, 2]
        saved = json.loads((run_dir / "results.json").read_text())
        assert saved["torch_threads"] == [1, 2] and saved["iterations_completed"] == 3
    finally:
        torch.set_num_threads(before)
