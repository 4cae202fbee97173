"""Probe 66 rows 3-5, 7-9, 11-14: the GaussianEnsemble's public entry points check their
inputs (member / elite indices, input std, numpy and complex / bool inputs, the parameters'
dtype, another config's state, NaN targets, the floor margin) and say their output dtype."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble

CFG = EnsembleConfig(n_members=3, n_elites=2, hidden_dims=(8, 8))


def make() -> tuple[GaussianEnsemble, torch.Tensor, torch.Tensor]:
    model = GaussianEnsemble(11, 3, CFG, generator=torch.Generator().manual_seed(0))
    gen = torch.Generator().manual_seed(1)
    return model, torch.randn(4, 11, generator=gen), torch.rand(4, 3, generator=gen) * 2 - 1


def test_float_member_indices_are_refused() -> None:
    # probe 66 row 3: was truncated (1.7 ran under member 1)
    model, obs, action = make()
    with pytest.raises(ValueError, match="member_idx: expected int member indices"):
        model.predict_rows(obs, action, torch.tensor([0.0, 1.7, 2.9, 0.2]))
    with pytest.raises(ValueError, match="member_idx: expected int member indices"):
        model.sample(obs, action, torch.tensor([0.0, 1.0, 2.0, 0.0]), torch.zeros(4, 12))
    assert model.predict_rows(obs, action, np.array([0, 1, 2, 0]))[0].shape == (4, 12)


@pytest.mark.parametrize("given", [[0.5, 1.5], [True, False]])
def test_float_or_bool_elites_are_refused(given) -> None:
    # probe 66 row 4: floats were truncated, bools taken as 1 / 0
    model, _, _ = make()
    with pytest.raises(ValueError, match="elite_idx: expected int member indices"):
        model.set_elites(given)
    assert model.elite_idx.tolist() == [0, 1]
    model.set_elites(np.array([2, 0]))
    assert model.elite_idx.tolist() == [2, 0]


def test_negative_input_std_is_refused() -> None:
    # probe 66 row 5: was replaced by 1 like a constant column
    model, _, _ = make()
    with pytest.raises(ValueError, match=r"input std\[0\] = -0.5 is negative"):
        model.set_input_stats(np.zeros(14), -0.5 * np.ones(14))
    model.set_input_stats(np.zeros(14), np.zeros(14))  # a constant column: std 1 (official)
    assert model.input_std.tolist() == [1.0] * 14


def test_numpy_complex_and_bool_inputs_are_refused() -> None:
    # probe 66 rows 7-8: numpy was a raw AttributeError, complex lost its imaginary part, bools
    # were taken as 0 / 1
    model, obs, action = make()
    idx = torch.tensor([0, 1, 2, 0])
    with pytest.raises(ValueError, match=r"noise: expected a torch tensor, got ndarray"):
        model.sample(obs, action, idx, np.zeros((4, 12)))
    with pytest.raises(ValueError, match=r"obs: expected a torch tensor, got ndarray"):
        model.sample(obs.numpy(), action.numpy(), idx, torch.zeros(4, 12))
    with pytest.raises(ValueError, match=r"obs: expected real numbers, got dtype torch\.complex64"):
        model(obs.to(torch.complex64), action)
    with pytest.raises(ValueError, match=r"action: expected real numbers, got dtype torch\.bool"):
        model(obs, action > 0)


def test_sample_outputs_are_float32_as_documented() -> None:
    # probe 66 row 9: float64 in gave float32 out, which the docstring did not say
    model, obs, action = make()
    idx, noise = torch.tensor([0, 1, 2, 0]), torch.zeros(4, 12, dtype=torch.float64)
    next_obs, reward = model.sample(obs.double(), action.double(), idx, noise)
    assert next_obs.dtype == reward.dtype == torch.float32
    assert "both float32" in GaussianEnsemble.sample.__doc__


@pytest.mark.parametrize("cast", ["double", "half"])
def test_an_ensemble_cast_off_float32_is_refused(cast) -> None:
    # probe 66 row 11: was torch's raw "Input dtypes must be the same" from baddbmm
    model, obs, action = make()
    other = getattr(copy.deepcopy(model), cast)()
    with pytest.raises(ValueError, match=r"runs in float32: call \.float\(\)"):
        other(obs, action)


@pytest.mark.parametrize(
    ("config", "match"),
    [
        (
            EnsembleConfig(n_members=3, n_elites=3, hidden_dims=(8, 8)),
            r"n_elites=2 \(this one: 3\)",
        ),
        (
            EnsembleConfig(n_members=3, n_elites=2, hidden_dims=(16, 16)),
            r"hidden_dims=\(8, 8\) \(this one: \(16, 16\)\)",
        ),
    ],
)
def test_state_of_another_config_names_the_field(config, match) -> None:
    # probe 66 row 12: was torch's "size mismatch for elite_idx", naming the tensor
    model, _, _ = make()
    with pytest.raises(ValueError, match=match):
        GaussianEnsemble(11, 3, config).load_state_dict(model.state_dict())
    GaussianEnsemble(11, 3, CFG).load_state_dict(model.state_dict())  # the same config loads


def test_mle_loss_refuses_a_nan_target() -> None:
    # probe 66 row 13: was a silent NaN loss
    model, obs, action = make()
    reward = torch.zeros(4)
    reward[2] = float("nan")
    with pytest.raises(ValueError, match=r"reward: not finite \(nan\) at row 2"):
        model.mle_loss(obs, action, obs, reward)
    assert torch.isfinite(model.mle_loss(obs, action, obs, torch.zeros(4))[0])


@pytest.mark.parametrize("margin", [float("nan"), -1.0, "0.5"])
def test_logvar_floor_margin_is_checked(margin) -> None:
    # probe 66 row 14: NaN / negative margins gave an all-False mask that can never fire
    model, obs, action = make()
    with pytest.raises(ValueError, match="margin: expected a finite number >= 0"):
        model.logvar_at_floor(torch.cat([obs, action], -1), margin=margin)
