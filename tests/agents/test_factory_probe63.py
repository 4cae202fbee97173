"""Probe 63: make_agent's replay_buffer_kwargs / policy_kwargs named (rows 34-37)."""

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


def _make(parts, **kw):
    env, dataset, normalizer = parts
    return make_agent("sac", env, dataset, normalizer, rollout_length=K, device="cpu", **kw)


def test_a_replay_buffer_setting_make_agent_owns_is_refused(parts):
    """Row 35: ``real_ratio=0.7, replay_buffer_kwargs={"real_ratio": 0.3}`` trained with 0.3
    without a word (the paper's mixing f of another experiment)."""
    for extra, match in (
        (
            {"real_ratio": 0.7, "replay_buffer_kwargs": {"real_ratio": 0.3}},
            r"^replay_buffer_kwargs\['real_ratio'\]: make_agent's own real_ratio=0.7 sets it; "
            r"give it once",
        ),
        ({"replay_buffer_kwargs": {"seed": 3}}, r"^replay_buffer_kwargs\['seed'\]: make_agent's"),
        (
            {"replay_buffer_kwargs": {"dataset": None}},
            r"^replay_buffer_kwargs\['dataset'\]: make_agent's own dataset argument",
        ),
    ):
        with pytest.raises(ValueError, match=match):
            _make(parts, **extra)
    assert _make(parts, real_ratio=0.7).replay_buffer.real_ratio == 0.7


def test_an_unknown_replay_buffer_keyword_is_named(parts):
    """Row 36: ``replay_buffer_kwargs={"bogus": 1}`` was MixedReplayBuffer's raw TypeError."""
    with pytest.raises(
        ValueError,
        match=r"^replay_buffer_kwargs\['bogus'\]: not an argument of MixedReplayBuffer; it "
        r"takes \['handle_timeout_termination'\]",
    ):
        _make(parts, replay_buffer_kwargs={"bogus": 1})
    with pytest.raises(ValueError, match=r"^replay_buffer_kwargs\['device'\]: SB3 passes it"):
        _make(parts, replay_buffer_kwargs={"device": "cpu"})
    with pytest.raises(ValueError, match=r"^replay_buffer_kwargs: expected a dict, got list"):
        _make(parts, replay_buffer_kwargs=[1])


def test_a_refused_optimizer_keyword_names_policy_kwargs(parts):
    """Row 34: ``optimizer_kwargs={"eps": -1}`` was torch's raw 'Invalid epsilon value: -1'."""
    for optimizer_kwargs, match in (
        ({"eps": -1}, r"^policy_kwargs\['optimizer_kwargs'\]\['eps'\]: LrScaledAdam refuses it "),
        ({"betas": (0.9, 1.5)}, r"^policy_kwargs\['optimizer_kwargs'\]\['betas'\]: "),
        ({"weight_decay": -1}, r"^policy_kwargs\['optimizer_kwargs'\]\['weight_decay'\]: "),
        ({"bogus": 1}, r"^policy_kwargs\['optimizer_kwargs'\]: LrScaledAdam refuses them .*bogus"),
        ({"lr": 1e-3}, r"^policy_kwargs\['optimizer_kwargs'\]\['lr'\]: SB3 sets it; pass actor_lr"),
    ):
        with pytest.raises(ValueError, match=match):
            _make(parts, policy_kwargs={"optimizer_kwargs": optimizer_kwargs})
    _make(parts, policy_kwargs={"optimizer_kwargs": {"eps": 1e-5}})  # a valid one still builds


@pytest.mark.parametrize("use_sde", [False, True])
def test_a_non_finite_policy_kwarg_is_named(parts, use_sde):
    """Row 37: ``log_std_init=nan`` was a page of torch NaN errors (gSDE) or taken silently."""
    extra = {"use_sde": True} if use_sde else {}
    with pytest.raises(
        ValueError,
        match=r"^policy_kwargs\['log_std_init'\]: expected a finite number, got nan \(it acts "
        r"only with use_sde=True\)",
    ):
        _make(parts, policy_kwargs={"log_std_init": math.nan}, **extra)
    with pytest.raises(
        ValueError, match=r"^policy_kwargs\['optimizer_kwargs'\]\['betas'\]\[1\]: expected a finite"
    ):
        _make(parts, policy_kwargs={"optimizer_kwargs": {"betas": (0.9, math.inf)}})


@pytest.mark.parametrize(
    ("name", "argument", "inside"),
    [
        ("critic_layer_norm", True, False),
        ("critic_layer_norm", False, True),
        ("log_std_min", -5.0, -20.0),
    ],
)
def test_a_setting_make_agent_owns_given_in_policy_kwargs_is_refused(parts, name, argument, inside):
    """Probe 63 rows 55, 56: given both ways, make_agent's own argument won without a word; with
    critic_layer_norm=False the key was "not an argument of SACPolicy" (misleading)."""
    with pytest.raises(
        ValueError,
        match=rf"^policy_kwargs\['{name}'\]: make_agent sets it from its own {name} argument; "
        rf"pass make_agent\({name}=…\) instead$",
    ):
        _make(parts, **{name: argument, "policy_kwargs": {name: inside}})


def test_a_make_agent_argument_put_in_replay_buffer_kwargs_is_named_as_one(parts):
    """Probe 64: ``replay_buffer_kwargs={'retain_iterations': 3}`` got "did you mean
    'real_ratio'?", pointing the wrong way."""
    with pytest.raises(
        ValueError,
        match=r"^replay_buffer_kwargs\['retain_iterations'\]: an argument of make_agent, not of "
        r"the buffer; pass make_agent\(retain_iterations=…\)$",
    ):
        _make(parts, replay_buffer_kwargs={"retain_iterations": 3})
