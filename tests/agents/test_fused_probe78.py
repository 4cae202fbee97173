"""Probe 78: ``FusedSAC.train`` with a features extractor shared by actor and critic."""

from __future__ import annotations

import copy

import pytest
import torch
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from torch import nn

from agents.policies import FlooredSACPolicy
from tests.agents.test_fused import _collected, _state, _train


class _Extractor(BaseFeaturesExtractor):
    """A features extractor with weights (SB3's FlattenExtractor has none)."""

    def __init__(self, space, features_dim: int = 8):
        super().__init__(space, features_dim)
        self.net = nn.Sequential(nn.Linear(space.shape[0], features_dim), nn.Tanh())

    def forward(self, x):
        return self.net(x)


SHARED = {
    "library critic": {},
    "LayerNorm critic": {
        "policy": FlooredSACPolicy,
        "policy_kwargs": {"critic_layer_norm": True},
    },
}


def _shared(config: str):
    kwargs = copy.deepcopy(SHARED[config])
    kwargs.setdefault("policy_kwargs", {}).update(
        features_extractor_class=_Extractor, share_features_extractor=True
    )
    return _collected(**kwargs)


# probe 78 rows 2 / 22: was the shared extractor frozen by the fused actor loss (moved 0.0; SB3's
# SAC.train moves it with the actor's gradient)
@pytest.mark.parametrize("config", list(SHARED), ids=list(SHARED))
def test_fused_step_trains_a_shared_extractor_as_sac_train_does(config):
    fused = _shared(config)
    assert fused.fused and fused.actor.features_extractor is fused.critic.features_extractor
    library = copy.deepcopy(fused)
    start = fused.actor.features_extractor.net[0].weight.detach().clone()
    _train(fused, 10, library=False)
    _train(library, 10, library=True)
    assert not torch.equal(fused.actor.features_extractor.net[0].weight, start)
    for a, b in zip(_state(fused), _state(library), strict=True):
        assert torch.equal(a, b)


def test_compiled_fused_step_trains_a_shared_extractor_as_sac_train_does(compile_backend):
    fused = _shared("library critic")
    fused.compile = True
    library = copy.deepcopy(fused)
    _train(fused, 6, library=False)
    _train(library, 6, library=True)
    assert fused._fused_losses[1].active
    a = torch.cat([t.flatten() for t in _state(fused)])
    b = torch.cat([t.flatten() for t in _state(library)])
    assert torch.linalg.vector_norm(a - b) <= 1e-5 * torch.linalg.vector_norm(b)
