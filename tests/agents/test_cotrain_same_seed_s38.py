"""Session 38: what makes two runs of one seed give the same numbers (README "Same seed, same
numbers"). The README's main job scored 8.0, 8.3, 8.6 and 9.1 on one seed in sessions 36-37:
its MLE pretraining was capped at 120 s, so the model depended on the machine's load; and a
resumed session at another torch thread count parts from the uninterrupted run without a word."""

from __future__ import annotations

import dataclasses
import json

from agents.cotrain import PRESETS, load_config, run_cotrain
from rambo_env.dynamics.training import MLEConfig, epoch_cap
from rambo_env.run_io import load_checkpoint
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)
from tests.dynamics.test_mle_training import fit, linear_dataset


def test_the_default_preset_caps_pretraining_by_steps_not_by_time() -> None:
    # was mle_max_time_s=120: 2 epochs, 3 epochs or a part of one as the machine's load went
    default, paper = PRESETS["default"], PRESETS["paper"]
    assert (default.mle_max_epochs, default.mle_max_time_s, default.mle_max_steps) == (
        None,
        None,
        10_000,
    )
    assert (paper.mle_max_epochs, paper.mle_max_time_s, paper.mle_max_steps) == (None, None, None)
    # 10 000 steps: 3 epochs of the main job's 1M transitions (999 000 after the holdout), and on
    # a small dataset as many as the early stop takes (probe 83 row 20: a fixed 3-epoch cap left
    # a 2000-transition model at holdout MSE 0.113 where the early stop reaches 0.022)
    cfg = MLEConfig(max_time_s=None, max_steps=default.mle_max_steps)
    assert epoch_cap(cfg, 999_000) == (3, "max_steps")
    assert epoch_cap(cfg, 1_800) == (1250, "max_steps")
    assert epoch_cap(MLEConfig(max_epochs=2, max_steps=10_000), 999_000) == (2, "max_epochs")
    assert epoch_cap(MLEConfig(), 1_800) == (None, "")


def test_a_step_budget_stops_at_whole_epochs_and_is_resumable(tmp_path, capsys) -> None:
    data = linear_dataset(300)  # 270 training rows: 2 steps an epoch at batch 256
    cfg = MLEConfig(max_time_s=None, max_steps=7, patience=100)
    _, report = fit(data, cfg, checkpoint_path=tmp_path / "mle.pt")
    assert (report.epochs, report.stopped_by) == (4, "max_steps")  # ceil(7 / 2)
    # a smaller step budget neither resumes nor overwrites the larger one's checkpoint
    _, small = fit(
        data,
        MLEConfig(max_time_s=None, max_steps=3, patience=100),
        checkpoint_path=tmp_path / "mle.pt",
    )
    assert (
        small.epochs == 2 and "beyond this run's max_steps 3 (2 epochs)" in capsys.readouterr().out
    )
    # a larger one continues it, bitwise as one uninterrupted run
    _, more = fit(
        data,
        MLEConfig(max_time_s=None, max_steps=12, patience=100),
        checkpoint_path=tmp_path / "mle.pt",
    )
    assert "resuming MLE pretraining from epoch 4" in capsys.readouterr().out
    _, straight = fit(data, MLEConfig(max_time_s=None, max_steps=12, patience=100))
    assert more.epochs == straight.epochs == 6 and more.holdout_mse == straight.holdout_mse


def test_the_step_budget_keeps_the_model_cache_keys_of_before() -> None:
    from rambo_env.dynamics import io
    from rambo_env.dynamics.ensemble import EnsembleConfig

    cfg, ens = MLEConfig(), EnsembleConfig()
    before = {k: v for k, v in io._config_dict(cfg).items() if k != "max_steps"}
    assert io.cache_key("f", ens, cfg, 0) == io._key("f", ens, before, 0, "fp32")
    assert io.cache_key("f", ens, dataclasses.replace(cfg, max_steps=10), 0) != io.cache_key(
        "f", ens, cfg, 0
    )


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
