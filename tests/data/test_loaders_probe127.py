"""Probe 127 (N10/N11): where the advice to generate a dataset names make_dataset.py for a level
that needs more than the command (expert / medium-expert: an expert policy; medium-replay: the
behaviour agent's replay buffer), it names ``--expert-policy`` / ``--train-policy`` and what
training costs (was: the bare command, which then failed for want of them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rambo_env.command_line import script_line
from rambo_env.data.dataset import DatasetUnavailableError
from rambo_env.data.loaders import load_dataset

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def empty_roots(tmp_path, monkeypatch):
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    monkeypatch.delenv("D4RL_DATASET_DIR", raising=False)
    monkeypatch.chdir(tmp_path)  # no behaviour_runs/<env>/replay.npz here


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("walker2d-expert", {"generate": False}),
        ("halfcheetah-medium-expert", {"generate": False}),
        ("hopper-expert-v2", {}),
    ],
)
def test_expert_levels_name_the_expert_policy_and_the_training_cost(name, kwargs):
    with pytest.raises(DatasetUnavailableError) as got:
        load_dataset(name, **kwargs)
    said = str(got.value)
    assert "--expert-policy PATH" in said and "--train-policy" in said, said
    assert "hours on 2 CPU cores" in said
    assert "(or pass generate=True)" not in said  # generate=True would fail the same way


def test_medium_replay_names_train_policy_and_its_cost():
    with pytest.raises(DatasetUnavailableError) as got:
        load_dataset("hopper-medium-replay", generate=False)
    said = str(got.value)
    assert "--level medium-replay --train-policy (which first trains a medium SAC agent" in said
    assert "53-155 min" in said and "--replay PATH" in said


def test_a_level_that_needs_nothing_more_keeps_the_plain_command():
    with pytest.raises(DatasetUnavailableError) as got:
        load_dataset("hopper-random", generate=False)
    said = str(got.value)
    make = script_line("make_dataset.py")  # probe 150: from this folder, the script's path
    assert f"{make} --env hopper --level random (or pass generate=True)" in said
    assert "--train-policy" not in said


def test_make_dataset_medium_replay_without_a_replay_names_train_policy(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MINARI_DATASETS_PATH": str(tmp_path / "m")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_dataset.py"), "--env", "hopper",
         "--level", "medium-replay"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "replay.npz does not exist; pass a replay.npz (or pass --train-policy" in done.stderr
    assert "53-155 min on 2 CPU cores" in done.stderr
