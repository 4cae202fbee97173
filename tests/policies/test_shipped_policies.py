"""The shipped behaviour policies load without SB3 and act inside their env's action space."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from rambo_env.policies import load_actor, shipped_policy_path

#: (env, Gymnasium id) of every shipped medium policy. A trained policy collects far more reward in
#: 50 steps than a random one (hopper falls, halfcheetah flails at about -0.3 per step).
SHIPPED = [("hopper", "Hopper-v5"), ("halfcheetah", "HalfCheetah-v5"), ("walker2d", "Walker2d-v5")]


@pytest.mark.parametrize(("env_name", "env_id"), SHIPPED)
def test_shipped_medium_policy_acts_in_the_real_env(env_name, env_id):
    path = shipped_policy_path(env_name, "medium")
    if not path.is_file():
        pytest.fail(
            f"{path} is missing: the {env_name}-medium dataset cannot be generated without it"
        )
    actor = load_actor(path)
    env = gym.make(env_id)
    obs, _ = env.reset(seed=0)
    generator = torch.Generator().manual_seed(0)
    total = 0.0
    for _ in range(50):
        action = actor.act(obs[None], generator=generator)[0]
        assert action.shape == env.action_space.shape
        assert env.action_space.contains(action.astype(np.float32))
        obs, reward, terminated, truncated, _ = env.step(action)
        total += reward
        if terminated or truncated:
            break
    assert total > 50.0
    deterministic = actor.act(obs[None], deterministic=True)
    np.testing.assert_array_equal(deterministic, actor.act(obs[None], deterministic=True))


def test_bad_policy_files_are_one_error_naming_the_file(tmp_path):
    good = torch.load(shipped_policy_path("hopper", "medium"), weights_only=True)
    empty = tmp_path / "empty_state.pt"
    torch.save({**good, "state_dict": {}}, empty)  # used to load as a random actor
    with pytest.raises(ValueError, match=r"empty_state\.pt: weights do not match"):
        load_actor(empty)
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a torch file")
    with pytest.raises(ValueError, match=r"garbage\.pt: not a behaviour actor") as info:
        load_actor(garbage)
    assert "weights_only=False" not in str(info.value)  # never advise an unsafe load


def test_a_policy_path_that_is_not_a_path_is_named():
    """Probe 12: ``load_actor(None)`` passed torch's advice to pre-load into an io.BytesIO."""
    with pytest.raises(ValueError, match=r"path: expected a policy file path .*got NoneType"):
        load_actor(None)


def test_a_policy_for_another_env_is_refused_before_collecting(tmp_path):
    from rambo_env.data.generate import generate_dataset

    with pytest.raises(ValueError, match=r"an actor for obs_dim=17.*Hopper-v5 has obs_dim=11"):
        generate_dataset(
            "hopper",
            "medium",
            policy_path=shipped_policy_path("halfcheetah", "medium"),
            n_transitions=100,
            n_workers=1,
            progress=False,
        )


def test_a_policy_loads_on_cpu_with_an_index():
    """``make_dataset.py --device cpu:0``: was "not a behaviour actor … (don't know how to restore
    data location … tagged with cpu:0); re-create it", advice to rebuild a good file."""
    actor = load_actor(shipped_policy_path("hopper", "medium"), device="cpu:0")
    assert actor.act(np.zeros((1, 11), dtype=np.float32)).shape == (1, 3)


def test_a_bad_device_or_an_unshipped_policy_is_named_as_such():
    """Probe 11: ``load_actor(shipped, device="gpu")`` called the shipped file "not a behaviour
    actor … re-create it"; ``shipped_policy_path("ant")`` returned a file that does not exist."""
    with pytest.raises(ValueError, match="device: 'gpu'") as err:
        load_actor(shipped_policy_path("hopper", "medium"), device="gpu")
    assert "not a behaviour actor" not in str(err.value)
    with pytest.raises(ValueError, match=r"no behaviour policy is shipped for env='ant'"):
        shipped_policy_path("ant")
