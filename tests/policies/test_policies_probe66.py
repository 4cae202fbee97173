"""Probe 66 rows 29-30: SquashedGaussianActor checks its constructor's arguments and act's
observations."""

from __future__ import annotations

import numpy as np
import pytest

from rambo_env.policies import SquashedGaussianActor


def test_act_refuses_another_width_and_non_finite_observations():
    # probe 66 row 29: was torch's raw "mat1 and mat2 shapes cannot be multiplied"; NaN obs gave
    # NaN actions without a word
    actor = SquashedGaussianActor(11, 3, hidden_dims=(8,))
    with pytest.raises(
        ValueError,
        match=r"^obs: expected shape \[\.\.\., 11\] \(this actor's obs_dim\), got \[2, 17\]",
    ):
        actor.act(np.zeros((2, 17), np.float32))
    obs = np.zeros((2, 11), np.float32)
    obs[1, 4] = np.nan
    with pytest.raises(ValueError, match=r"^obs\[1, 4\]: not finite \(nan\)"):
        actor.act(obs)
    assert actor.act(np.zeros((2, 11), np.float32)).shape == (2, 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"action_low": np.ones(3), "action_high": -np.ones(3)},
            r"^action_low / action_high: expected action_low < action_high",
        ),
        ({"obs_mean": np.zeros(11), "obs_std": np.zeros(11)}, r"^obs_std: expected values > 0"),
        (
            {"obs_mean": np.zeros(10), "obs_std": np.ones(11)},
            r"^obs_mean: expected shape \(11,\), got \(10,\)",
        ),
        ({"action_low": -np.ones(2)}, r"^action_low: expected shape \(3,\), got \(2,\)"),
        ({"obs_dim": 11.7}, r"^obs_dim: expected an int >= 1, got 11\.7"),
    ],
)
def test_constructor_refuses_what_load_actor_refuses(kwargs, message):
    # probe 66 row 30: swapped bounds flipped actions silently, obs_std 0 gave NaN actions, a
    # bound of another shape / a float dim were torch's raw errors later
    args = {"obs_dim": 11, "action_dim": 3, "hidden_dims": (8,), **kwargs}
    with pytest.raises(ValueError, match=message):
        SquashedGaussianActor(**args)
