"""Probe 112: ``agent.load_replay_buffer`` of a buffer saved with another real ratio f or model
pool size (retain_iterations) is refused, naming both values; the agent's own buffer is kept."""

from __future__ import annotations

import pytest

from agents.factory import make_agent
from agents.vec_env import RamboModelVecEnv
from tests.agents.test_callback import N_ENVS, K, _toy
from tests.agents.test_callback import SMALL_AGENT_KW as KW


def _agent(mdp, dataset, **kwargs):
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    return make_agent("sac", env, dataset, mdp.normalizer, **KW, **kwargs)


@pytest.mark.parametrize(
    ("saved", "loading", "says"),
    [
        ({"real_ratio": 0.25}, {"real_ratio": 0.75}, r"real_ratio 0.25 .* real_ratio 0.75"),
        ({"real_ratio": 1.0}, {"real_ratio": 0.5}, r"real_ratio 1 .* real_ratio 0.5"),
        (
            {"retain_iterations": 1},
            {"retain_iterations": 5},
            r"holds 16 transitions .* holds 80 .*retain_iterations=1",
        ),
    ],
)
def test_a_buffer_of_another_mix_or_pool_is_refused(tmp_path, saved, loading, says):
    mdp, dataset = _toy()
    source = _agent(mdp, dataset, **saved)
    source.learn(K * N_ENVS)
    source.save_replay_buffer(tmp_path / "rb.pkl")
    agent = _agent(mdp, dataset, **loading)
    own = agent.replay_buffer
    with pytest.raises(ValueError, match=rf"rb.pkl: a buffer .*{says}.*buffer is kept"):
        agent.load_replay_buffer(tmp_path / "rb.pkl")
    assert agent.replay_buffer is own
    assert (own.real_ratio, own.buffer_size) == (
        loading.get("real_ratio", 0.5),
        loading.get("retain_iterations", 5) * K,
    )


def test_a_buffer_of_the_same_mix_and_pool_loads(tmp_path):
    mdp, dataset = _toy()
    source = _agent(mdp, dataset, real_ratio=0.25, retain_iterations=2)
    source.learn(K * N_ENVS)
    source.save_replay_buffer(tmp_path / "rb.pkl")
    agent = _agent(mdp, dataset, real_ratio=0.25, retain_iterations=2)
    agent.load_replay_buffer(tmp_path / "rb.pkl")
    assert agent.replay_buffer.real_ratio == 0.25 and agent.replay_buffer.size() > 0
