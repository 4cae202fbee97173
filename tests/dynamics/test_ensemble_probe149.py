"""Probe 149 row 3: at torch 2.6 the adversary's Eq. 9 loss did not compile ("unsafe constant
ConstantVariable(bool: False)"): ``weight_decay_loss`` zipped the n + 1 decays with the n hidden
layers (``strict=False``), which torch 2.6's dynamo could only trace as a graph break. It now
zips equal lengths and traces as one graph; its value is unchanged."""

from __future__ import annotations

import torch

from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble


def _ensemble() -> GaussianEnsemble:
    cfg = EnsembleConfig(
        n_members=3, n_elites=2, hidden_dims=(8, 6), weight_decays=(1e-3, 2e-3, 4e-3)
    )
    return GaussianEnsemble(2, 1, cfg, generator=torch.Generator().manual_seed(0))


def test_weight_decay_loss_is_the_sum_over_layers_and_heads():
    ens = _ensemble()
    decays = ens.config.weight_decays
    h0, h1 = (layer.weight.square().sum() for layer in ens.hidden)
    heads = ens.mean_head.weight.square().sum() + ens.logvar_head.weight.square().sum()
    expected = decays[0] * 0.5 * h0 + decays[1] * 0.5 * h1 + decays[2] * 0.5 * heads
    torch.testing.assert_close(ens.weight_decay_loss(), expected, rtol=1e-6, atol=0)


def test_weight_decay_loss_traces_as_one_graph():
    ens = _ensemble()
    torch._dynamo.reset()
    compiled = torch.compile(ens.weight_decay_loss, backend="eager", fullgraph=True)
    torch.testing.assert_close(compiled(), ens.weight_decay_loss(), rtol=0, atol=0)
