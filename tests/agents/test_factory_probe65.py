"""Probe 65: make_agent's target_entropy and learning_starts (rows 18, 19)."""

from __future__ import annotations

import math

import pytest

from agents.factory import make_agent
from agents.vec_env import RamboModelVecEnv
from tests.agents.test_callback import N_ENVS, K, _toy


@pytest.fixture(scope="module")
def parts():
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    return env, dataset, mdp.normalizer


def _make(parts, algo="sac", **kw):
    env, dataset, normalizer = parts
    return make_agent(algo, env, dataset, normalizer, rollout_length=K, device="cpu", **kw)


@pytest.mark.parametrize("algo", ["sac", "tqc", "crossq"])
def test_an_unreachable_target_entropy_is_refused(parts, algo):
    """Row 19: ``target_entropy=50`` on a few action dims was taken, and α grew without bound (a
    tanh actor's entropy is at most d · ln 2, the uniform one on [-1, 1]^d)."""
    dim = parts[0].action_space.shape[0]
    most = dim * math.log(2.0)
    for target in (50.0, most):
        with pytest.raises(
            ValueError,
            match=rf"^target_entropy: {target!r} is at or above the most a tanh-squashed {algo} "
            rf"actor of {dim} action dim\(s\) reaches",
        ):
            _make(parts, algo, target_entropy=target)
    agent = _make(parts, algo, target_entropy=most - 0.01)  # reachable: kept as given
    assert agent.target_entropy == pytest.approx(most - 0.01)


def test_a_target_entropy_with_a_fixed_ent_coef_is_refused(parts):
    """SB3 reads target_entropy only for ``ent_coef='auto…'``: with a fixed one it was dropped."""
    with pytest.raises(ValueError, match=r"^target_entropy: -1.0 is only used by the automatic"):
        _make(parts, target_entropy=-1.0, ent_coef=0.2)
    assert _make(parts, target_entropy=-1.0, ent_coef="auto_0.5").target_entropy == -1.0


def test_a_learning_starts_that_skips_collects_is_said(parts, capsys):
    """Row 18: ``learning_starts=10**9`` was taken without a word and the agent never took a
    gradient step; a value below one collect (k × n_rollouts env steps) changes nothing."""
    _make(parts, learning_starts=10**9)
    out = capsys.readouterr().out
    collect = K * N_ENVS
    assert (
        f"WARNING: learning_starts=1000000000: the agent takes no gradient step in its first "
        f"{10**9 // collect} collect(s)" in out
    )
    _make(parts, learning_starts=collect - 1)
    assert "learning_starts" not in capsys.readouterr().out
