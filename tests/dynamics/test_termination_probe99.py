"""Probe 99 rows 2, 3, 4, 10, 11, 41: recorded / given env kwargs judged by their default's
literal (an int literal ``1`` refused a float weight 0.5, Ant-v5's ``main_body='torso'``, a 0-d
array)."""

from __future__ import annotations

import json
from decimal import Decimal

import gymnasium as gym
import numpy as np
import pytest

from rambo_env.data.dataset import DatasetValidationError
from rambo_env.data.loaders import load_dataset
from rambo_env.dynamics.termination import env_kwargs_problem
from tests.data.data_helpers import make_arrays


@pytest.mark.parametrize(
    ("env_id", "kwargs"),
    [
        # probe 99 rows 2, 41: was "forward_reward_weight=0.5 is float, not an int"
        ("Ant-v5", {"forward_reward_weight": 0.5}),
        # probe 99 row 3: was "main_body='torso' is str, not an int" (main_body: int | str)
        ("Ant-v5", {"main_body": "torso"}),
        # probe 99 row 3: the weights are typed float with the default literal 1
        ("HumanoidStandup-v5", {"uph_cost_weight": 0.5}),
        ("Pusher-v5", {"reward_dist_weight": 0.5}),
        ("Reacher-v5", {"reward_dist_weight": 0.5, "reward_control_weight": 0.1}),
        # probe 99 row 4: was "reset_noise_scale=array(0.1) is ndarray, not a real number"
        ("HalfCheetah-v5", {"reset_noise_scale": np.array(0.1)}),
        ("Ant-v5", {"forward_reward_weight": Decimal("0.5"), "frame_skip": np.int64(3)}),
    ],
)
def test_legitimate_kwargs_of_int_literal_defaults_pass(env_id, kwargs):
    assert env_kwargs_problem(kwargs, env_id) is None


@pytest.mark.parametrize(
    ("env_id", "kwargs", "said"),
    [
        ("Ant-v5", {"forward_reward_weight": "1.0"}, "'1.0' is str, not a real number"),
        ("Ant-v5", {"forward_reward_weight": None}, "None is NoneType, not a real number"),
        ("Ant-v5", {"forward_reward_weight": [1]}, "[1] is list, not a real number"),
        ("Ant-v5", {"forward_reward_weight": True}, "True is bool, not a real number"),
        ("Hopper-v5", {"frame_skip": 2.0}, "frame_skip=2.0 is float, not an int"),
        ("Ant-v5", {"main_body": 1.0}, "main_body=1.0 is float, not an int"),
    ],
)
def test_surely_wrong_kwargs_are_still_refused(env_id, kwargs, said):
    # probe 96a rows 53, 54: these failed raw at the env's first step
    assert said in env_kwargs_problem(kwargs, env_id)


def _weighted(weight=1, scale=1.0):  # an own env's real weight with an int literal default
    return gym.make("Hopper-v5").unwrapped


def _scaled(scale=100.0):
    return gym.make("Hopper-v5").unwrapped


gym.register("p99test/W-v0", entry_point=_weighted, max_episode_steps=50)
gym.register("p99test/R1-v0", entry_point=_scaled, max_episode_steps=50, kwargs=dict(scale=1))


@pytest.mark.parametrize(
    ("env_id", "kwargs"), [("p99test/W-v0", {"weight": 0.5}), ("p99test/R1-v0", {"scale": 0.5})]
)
def test_own_env_data_of_a_real_kwarg_with_an_int_default_loads(tmp_path, env_id, kwargs):
    # probe 99 rows 10, 11: was "weight=0.5 is float, not an int (W-v0's weight defaults to 1)"
    path = tmp_path / "own_kw.npz"
    arrays = make_arrays([30, 30], terminal_last=[False, False])
    np.savez(path, env_id=env_id, metadata_json=json.dumps({"env_kwargs": kwargs}), **arrays)
    assert load_dataset(str(path), env_id=env_id, progress=False).env_kwargs == kwargs
    np.savez(
        path, env_id=env_id, metadata_json=json.dumps({"env_kwargs": {"weight": "0.5"}}), **arrays
    )
    if env_id == "p99test/W-v0":
        with pytest.raises(
            DatasetValidationError, match=r"weight='0\.5' is str, not a real number"
        ):
            load_dataset(str(path), env_id=env_id, progress=False)


def test_evaluation_in_ant_with_a_real_forward_weight_runs():
    # probe 99 row 41: evaluate_policy refused forward_reward_weight=0.5 ("give it as an int")
    from rambo_env.evaluation import evaluate_policy
    from rambo_env.normalization import ObsNormalizer

    norm = ObsNormalizer(np.zeros(105), np.ones(105))
    result = evaluate_policy(
        lambda o: np.zeros((len(o), 8)) if np.ndim(o) > 1 else np.zeros(8),
        "Ant-v5",
        norm,
        n_episodes=1,
        env_kwargs={"forward_reward_weight": 0.5},
        time_limit=5,
    )
    assert len(result.returns) == 1
