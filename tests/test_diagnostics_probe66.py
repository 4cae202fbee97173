"""Probe 66 (rows 58-62): rambo_env.diagnostics refuses or warns of inputs it took silently."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from rambo_env import diagnostics
from rambo_env.diagnostics import (
    critic_vs_return,
    make_state_setter,
    model_vs_simulator,
    uniform_actions,
)
from tests.test_diagnostics import _hopper_mdp, _policy


def test_n_starts_beyond_the_cap_is_refused_up_front(monkeypatch):
    # probe 66 row 58: was no bound: n_starts=10**7 ran the per-row simulator loop for hours
    cap = diagnostics.MAX_SIM_STARTS
    mdp, _ = _hopper_mdp()
    monkeypatch.setattr(mdp, "initial", lambda *a: pytest.fail("drew the starts"))
    with pytest.raises(ValueError, match=rf"n_starts: 10000000 is not in \[1, {cap}\]"):
        model_vs_simulator(mdp, _policy(), "Hopper-v5", rollout_length=1, n_starts=10**7)


def test_diagnose_script_refuses_n_starts_beyond_the_cap_before_the_load(tmp_path, capsys):
    # probe 66 row 58: the script's --n-starts reached model_vs_simulator after the load
    from tests.scripts import load_script

    cap = diagnostics.MAX_SIM_STARTS
    diagnose = load_script("diagnose")
    assert diagnose.main([str(tmp_path / "none"), "--n-starts", str(cap + 1)]) == 2
    assert capsys.readouterr().err.startswith(f"error: n_starts: {cap + 1} is not in")


def test_a_nan_critic_is_warned_of_once(capsys):
    # probe 66 row 59: nan V(s') / Q went into the report (bare NaN in its JSON) without a word
    mdp, _ = _hopper_mdp()
    nan_q = _policy()._replace(q=lambda obs, action: torch.full((obs.shape[0],), float("nan")))
    checks = model_vs_simulator(mdp, nan_q, "Hopper-v5", rollout_length=2, n_starts=4)
    out = capsys.readouterr().out
    assert out.count("[rambo_env] WARNING: the critic returned nan") == 1
    assert "at depth 0: the agent diverged?" in out
    assert np.isnan(checks[0].model_next_value)
    critic_vs_return(mdp, nan_q, "Hopper-v5", gamma=0.9, n_episodes=1, max_steps=50)
    assert "WARNING: the critic returned nan as Q(s, a) at the start states" in (
        capsys.readouterr().out
    )
    model_vs_simulator(mdp, _policy(), "Hopper-v5", rollout_length=1, n_starts=4)
    assert "WARNING" not in capsys.readouterr().out  # a finite critic: no word
    json.dumps(checks[0].to_dict())  # the report's format is unchanged


def test_a_monte_carlo_horizon_far_below_the_discount_horizon_is_warned_of(capsys):
    # probe 66 row 60: max_steps=1 with gamma 0.99 gave an "overestimation" without a word
    mdp, _ = _hopper_mdp()
    critic_vs_return(mdp, _policy(), "Hopper-v5", gamma=0.99, n_episodes=2, max_steps=1)
    out = capsys.readouterr().out
    assert "[rambo_env] WARNING: 2 of 2 Monte-Carlo episodes were cut at max_steps=1" in out
    assert "raise max_steps (max_steps >= 299 leaves under 5%)" in out
    critic_vs_return(mdp, _policy(), "Hopper-v5", gamma=0.5, n_episodes=2, max_steps=20)
    assert "WARNING" not in capsys.readouterr().out  # 0.5**20: nothing left past the cut


def test_another_version_of_the_data_env_is_warned_of(capsys):
    # probe 66 row 61: Hopper-v4 as simulator of a Hopper-v5 model ran without the project's word
    mdp, _ = _hopper_mdp()
    mdp.env_id = "Hopper-v5"
    model_vs_simulator(mdp, _policy(), "Hopper-v4", rollout_length=1, n_starts=2)
    out = capsys.readouterr().out
    assert (
        "[rambo_env] WARNING: the model was fitted on Hopper-v5 data, but is compared with the "
        "simulator of Hopper-v4 (another version of that env" in out
    )
    model_vs_simulator(mdp, _policy(), "Hopper-v5", rollout_length=1, n_starts=2)
    assert "WARNING" not in capsys.readouterr().out


def test_actions_and_states_of_the_wrong_size_are_named():
    # probe 66 row 62: torch's raw "size of tensor a (2) must match", MuJoCo's bare AssertionError
    mdp, _ = _hopper_mdp()
    two = _policy()._replace(sample=lambda obs: torch.zeros(obs.shape[0], 2))
    with pytest.raises(ValueError, match=r"action: policy.sample gave shape \[3, 2\], expected a"):
        model_vs_simulator(mdp, two, "Hopper-v5", rollout_length=1, n_starts=3)
    with pytest.raises(ValueError, match=r"action: policy.sample gave shape \[2, 2\]"):
        critic_vs_return(mdp, two, "Hopper-v5", gamma=0.9, n_episodes=2, max_steps=5)
    import gymnasium as gym

    wrong_space = uniform_actions(_policy(), gym.spaces.Box(-1, 1, (2,)))
    with pytest.raises(ValueError, match=r"uniform_actions: the model's action space"):
        model_vs_simulator(mdp, wrong_space, "Hopper-v5", rollout_length=1, n_starts=3)
    env, set_raw = make_state_setter("Hopper-v5")
    for n in (5, 13):
        with pytest.raises(ValueError, match=rf"obs: expected 11 values .*got shape \({n},\)"):
            set_raw(np.zeros(n))
    env.close()
