"""Probe 69 row 8: LearnedMDP copies its start states at construction."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rambo_env.model import LearnedMDP
from tests.envs.tiny_mdp import make_tiny_mdp


@pytest.mark.parametrize("kind", ["array", "tensor"])
def test_start_obs_is_a_copy(kind: str) -> None:
    # probe 69 row 8: was shared (torch.as_tensor of a float32 array / CPU tensor), so a later
    # NaN write of the caller's reached the start states past the constructor's finite check
    base = make_tiny_mdp()
    rows = base.start_obs[:5].cpu().numpy().copy()
    given = rows if kind == "array" else torch.from_numpy(rows)
    mdp = LearnedMDP(base.ensemble, base.normalizer, base.termination_fn, given, device="cpu")
    given[0] = float("nan")
    given[1] = 1e6
    assert torch.isfinite(mdp.start_obs).all()
    assert float(mdp.start_obs.abs().max()) < 1e6
    drawn = mdp.initial(50, np.random.default_rng(0))
    assert torch.isfinite(drawn).all()
