"""Probe 71 row 37: dataset starts whose velocities sit at the observation clip (Hopper-v5 /
Walker2d-v5 observe ``clip(qvel, -10, 10)``) are left out of the simulator comparisons."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from rambo_env.diagnostics import critic_vs_return, model_vs_simulator
from tests.test_diagnostics import _hopper_mdp, _policy


def _clip_starts(mdp, rows) -> None:
    """Put the first velocity of the start states ``rows`` at Hopper's +10 clip."""
    raw = mdp.normalizer.unnormalize(mdp.start_obs).cpu().numpy()
    raw[rows, 5] = 10.0  # qvel[0]: obs = [qpos[1:] (5), qvel (6)]
    mdp.start_obs = mdp.normalizer.normalize(torch.as_tensor(raw, dtype=torch.float32))


def test_starts_at_the_velocity_clip_are_left_out_and_counted(capsys):
    # probe 71 row 37: was every start replayed, a clipped one from velocity 10 instead of its
    # true velocity (errors up to 2.9 hopper / 12.4 walker2d), without a word
    mdp, _ = _hopper_mdp()
    _clip_starts(mdp, slice(0, None, 2))
    checks = model_vs_simulator(mdp, _policy(), "Hopper-v5", rollout_length=1, n_starts=40)
    left = checks[0].n_clipped_starts
    assert 0 < left < 40 and checks[0].n_rows == 40 - left
    said = capsys.readouterr().out
    assert re.search(
        rf"WARNING: {left} of 40 dataset start state\(s\) of model_vs_simulator have a velocity "
        r"at Hopper-v5's ±10 observation clip .*left out of the comparison",
        said,
    )
    critic = critic_vs_return(mdp, _policy(), "Hopper-v5", gamma=0.9, n_episodes=10, max_steps=5)
    assert critic.n_clipped_starts > 0
    assert critic.to_dict()["n_clipped_starts"] == critic.n_clipped_starts
    reset = critic_vs_return(
        mdp, _policy(), "Hopper-v5", gamma=0.9, n_episodes=2, max_steps=5, starts="reset"
    )
    assert reset.n_clipped_starts == 0


def test_every_start_at_the_clip_is_one_error():
    mdp, _ = _hopper_mdp()
    _clip_starts(mdp, slice(None))
    with pytest.raises(ValueError, match=r"every one of the 5 dataset start state\(s\) .*±10"):
        model_vs_simulator(mdp, _policy(), "Hopper-v5", rollout_length=1, n_starts=5)
    with pytest.raises(ValueError, match=r"of critic_vs_return has a velocity .*starts='reset'"):
        critic_vs_return(mdp, _policy(), "Hopper-v5", gamma=0.9, n_episodes=3, max_steps=5)


def test_unclipped_starts_are_all_kept(capsys):
    mdp, _ = _hopper_mdp()
    raw = mdp.normalizer.unnormalize(mdp.start_obs).cpu().numpy()
    assert np.abs(raw[:, 5:]).max() < 10
    checks = model_vs_simulator(mdp, _policy(), "Hopper-v5", rollout_length=1, n_starts=6)
    assert checks[0].n_rows == 6 and checks[0].n_clipped_starts == 0
    assert "observation clip" not in capsys.readouterr().out
