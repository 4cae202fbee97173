"""Probe 141: ``AdversaryConfig(3e-4, k, lr=1e6)`` broke the model and was told to "lower the
adversary weight", which was the paper's already; the model lr, the cause, was named but not
blamed. The advice now names what is above the paper's: the lr, λ, both, or either."""

from __future__ import annotations

import pytest
import torch

from rambo_env.adversary import AdversaryConfig, ModelAdversary, NonFiniteModelError
from tests.agents.test_callback import K, _toy


def _broken(weight, lr):
    mdp, dataset = _toy()
    adversary = ModelAdversary(mdp, dataset, AdversaryConfig(weight, K, lr=lr, batch_size=8))
    with torch.no_grad():
        next(p for p in mdp.ensemble.parameters() if p.requires_grad).fill_(float("nan"))
    with pytest.raises(NonFiniteModelError) as err:
        adversary.check_finite_model()
    return str(err.value)


def test_a_model_lr_above_the_papers_is_the_one_to_lower():
    text = _broken(3e-4, 1e6)
    assert "(adversary_weight λ = 0.0003, model lr 1e+06)" in text
    assert text.endswith("lower the model lr (AdversaryConfig.lr; the paper's: 0.0003)")
    assert "lower the adversary weight" not in text


def test_lambda_above_the_presets_and_both_and_neither():
    assert _broken(1.0, 3e-4).endswith(
        "lower the adversary weight (the paper's presets: 0 or 0.0003)"
    )
    both = _broken(1.0, 1.0)
    assert "lower the model lr (AdversaryConfig.lr; the paper's: 0.0003) and the adversary " in both
    neither = _broken(3e-4, 3e-4)
    assert (
        "lower the adversary weight (the paper's presets: 0 or 0.0003) or the model lr" in neither
    )
