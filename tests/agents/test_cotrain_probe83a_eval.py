"""Probe 83 (p83a) rows 8, 9, 52: a run evaluated under a time limit other than D4RL's 1000 steps
is labelled not comparable with D4RL's, and diagnose's --max-steps says which cap applies."""

from __future__ import annotations

import json

import gymnasium as gym

from tests.data.test_minari_env_spec_probe81a_spec import _TINY, _make, _run


def test_a_20_step_run_is_labelled_and_diagnose_names_its_cap(tmp_path) -> None:
    # probe 83 rows 8, 9: a 20-step evaluation was labelled plainly "D4RL-normalised" on D4RL's
    # 1000-step returns; row 52: "--max-steps 100" printed "cap 100" without a word of the
    # env's recorded 20-step limit
    _make("p83/hop/mes20plain-v0", gym.make("Hopper-v5", max_episode_steps=20))
    run, ledger = tmp_path / "run", tmp_path / "ledger"
    ledger.mkdir()
    done = _run("cotrain.py", "--dataset", "p83/hop/mes20plain-v0", "--run-dir", str(run),
                "--k", "2", *_TINY, "--ledger", str(ledger))  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    label = json.loads((run / "results.json").read_text())["score_label"]
    assert "20-step time limit" in label and "not comparable with D4RL's" in label
    assert "not comparable with D4RL's" in done.stdout
    done = _run("diagnose.py", str(run), "--n-starts", "5", "--n-episodes", "2",
                "--max-steps", "100")  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--max-steps 100 caps the Monte-Carlo episodes, not the data's env's recorded " in (
        done.stdout
    )
