"""Probe 67a: what the model envs hand out is the caller's (rows 1-3)."""

from __future__ import annotations

import numpy as np

from agents.vec_env import RamboModelVecEnv
from rambo_env.envs.model_env import RamboModelEnv
from rambo_env.envs.vector_env import RamboModelVectorEnv


def test_changing_a_returned_observation_leaves_the_env_alone(tiny_mdp):
    """The CPU envs returned a view of their own state: ``obs += 1`` moved the next step's start
    (a twin env differed by up to 3.4); MuJoCo's envs and SB3's / Gymnasium's vector envs copy."""
    a, b = (
        RamboModelEnv(mdp=tiny_mdp, rollout_length=10),
        RamboModelEnv(mdp=tiny_mdp, rollout_length=10),
    )
    obs_a, _ = a.reset(seed=0)
    b.reset(seed=0)
    action = np.zeros(a.action_space.shape, dtype=np.float32)
    obs_a += 1.0  # the caller's array
    step_a, step_b = a.step(action)[0], b.step(action)[0]
    np.testing.assert_array_equal(step_a, step_b)
    step_a += 1.0
    np.testing.assert_array_equal(a.step(action)[0], b.step(action)[0])

    n = 4
    va, vb = (RamboModelVectorEnv(n, mdp=tiny_mdp, rollout_length=10) for _ in range(2))
    oa, _ = va.reset(seed=0)
    vb.reset(seed=0)
    oa += 1.0
    actions = np.zeros(va.action_space.shape, dtype=np.float32)
    sa, sb = va.step(actions)[0], vb.step(actions)[0]
    np.testing.assert_array_equal(sa, sb)
    sa += 1.0
    np.testing.assert_array_equal(va.step(actions)[0], vb.step(actions)[0])

    sa3, sb3 = (
        RamboModelVecEnv(tiny_mdp, n, rollout_length=10, seed=0),
        RamboModelVecEnv(tiny_mdp, n, rollout_length=10, seed=0),
    )
    first = sa3.reset()
    sb3.reset()
    first += 1.0
    actions = np.zeros((n, *sa3.action_space.shape), dtype=np.float32)
    sa3.step_async(actions)
    sb3.step_async(actions)
    np.testing.assert_array_equal(sa3.step_wait()[0], sb3.step_wait()[0])


def _spec_env(tiny_dataset, tmp_path, **kw):
    import gymnasium as gym

    from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE

    path = tmp_path / "tiny.npz"
    if not path.exists():
        tiny_dataset.to_npz(path)
    return gym.make(
        "RamboModel-hopper-medium",
        dataset=path,
        ensemble_config=TINY_ENSEMBLE,
        mle_config=TINY_MLE,
        device="cpu",
        progress=False,
        **kw,
    )


def test_a_spec_round_trips_through_json_and_names_what_json_cannot_hold(tiny_dataset, tmp_path):
    """Rows 58-59 and the round trip: ``dataset=Path(…)`` was json's raw "PosixPath is not JSON
    serializable", an OfflineDataset its raw "ndarray is not …", and the configs came back from
    ``EnvSpec.from_json`` as dicts the env refused."""
    import gymnasium as gym
    import pytest
    from gymnasium.envs.registration import EnvSpec

    env = _spec_env(tiny_dataset, tmp_path, rollout_length=3)
    text = env.spec.to_json()
    assert f'"dataset": "{tmp_path / "tiny.npz"}"' in text
    again = gym.make(EnvSpec.from_json(text))
    assert again.unwrapped.rollout_length == 3
    assert again.unwrapped.mdp.ensemble.n_members == env.unwrapped.mdp.ensemble.n_members
    spec = gym.make("RamboModel-hopper-medium", dataset=tiny_dataset, **_tiny_configs()).spec
    with pytest.raises(ValueError, match=r"^spec.to_json: spec.kwargs\['dataset'\] is an Offline"):
        spec.to_json()
    with pytest.raises(ValueError, match=r"^ensemble_config: unknown key\(s\) \['bogus'\]"):
        gym.make(EnvSpec.from_json(text), ensemble_config={"bogus": 1})


def _tiny_configs():
    from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE

    return {
        "ensemble_config": TINY_ENSEMBLE,
        "mle_config": TINY_MLE,
        "device": "cpu",
        "progress": False,
    }


def test_a_spec_limit_other_than_the_new_rollout_length_is_named(tiny_dataset, tmp_path):
    """Row 25: ``gym.make(env.spec, rollout_length=7)`` was refused at the first reset as "a
    TimeLimit around RamboModelEnv", advising to drop the new length (env.spec records k = 5)."""
    import gymnasium as gym
    import pytest

    spec = _spec_env(tiny_dataset, tmp_path).spec
    assert spec.max_episode_steps == 5
    for maker, call in (
        ("gym.make", lambda **kw: gym.make(spec, **kw)),
        ("gym.make_vec", lambda **kw: gym.make_vec(spec, num_envs=2, **kw)),
    ):
        with pytest.raises(
            ValueError,
            match=rf"^max_episode_steps: 5 from the spec given to {maker} \(a model env's env.spec "
            r"records the rollout_length it was made with\), but rollout_length=7",
        ):
            call(rollout_length=7)
        made = call(rollout_length=7, max_episode_steps=7)
        assert (
            made.unwrapped.rollout_length == 7 if maker == "gym.make" else made.rollout_length == 7
        )
