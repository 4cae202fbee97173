"""Probe 105 row 36: policy_act_fn on non-finite observations."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rambo_env.data.generate import policy_act_fn
from tests.data.data_helpers import save_random_actor


def test_non_finite_observations_are_refused_naming_the_entry(tmp_path):
    # probe 105 row 36: NaN observations returned NaN actions without a word
    from rambo_env.policies import load_actor

    actor = load_actor(save_random_actor(tmp_path / "a.pt"))
    act = policy_act_fn(actor, torch.Generator().manual_seed(0))
    obs = np.zeros((2, 11), np.float32)
    assert np.isfinite(act(obs)).all()
    obs[1, 3] = np.nan
    with pytest.raises(ValueError, match=r"obs\[1, 3\] = nan is not finite"):
        act(obs)
    single = np.zeros(11)
    single[2] = np.inf
    with pytest.raises(ValueError, match=r"obs\[2\] = inf is not finite"):
        act(single)
    assert act(np.zeros((2, 11), np.int64)).shape == (2, 3)
