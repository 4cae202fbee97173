"""GaussianEnsemble: shapes, Gaussian maths against torch.distributions, row routing, gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch.distributions import Normal

from rambo_env.dynamics.ensemble import (
    _ROW_CHUNK,
    EnsembleConfig,
    GaussianEnsemble,
    VectorizedLinear,
    take_members,
)

OBS_DIM, ACTION_DIM = 5, 2
TARGET_DIM = OBS_DIM + 1
SMALL = EnsembleConfig(hidden_dims=(16, 16), weight_decays=(1e-3, 2e-3, 3e-3))


def make_model(config: EnsembleConfig = SMALL, seed: int = 0) -> GaussianEnsemble:
    model = GaussianEnsemble(
        OBS_DIM, ACTION_DIM, config, generator=torch.Generator().manual_seed(seed)
    )
    gen = torch.Generator().manual_seed(seed + 1)
    model.set_input_stats(
        torch.randn(OBS_DIM + ACTION_DIM, generator=gen),
        torch.rand(OBS_DIM + ACTION_DIM, generator=gen) + 0.5,
    )
    return model


def batch(n: int, seed: int = 0, lead: tuple[int, ...] = ()):
    gen = torch.Generator().manual_seed(seed)
    obs = torch.randn(*lead, n, OBS_DIM, generator=gen)
    action = torch.rand(*lead, n, ACTION_DIM, generator=gen) * 2 - 1
    next_obs = obs + 0.3 * torch.randn(*lead, n, OBS_DIM, generator=gen)
    reward = torch.randn(*lead, n, generator=gen)
    return obs, action, next_obs, reward


def test_default_config_matches_paper() -> None:
    model = GaussianEnsemble(11, 3)
    cfg = model.config
    assert (cfg.n_members, cfg.n_elites, cfg.hidden_dims) == (7, 5, (200, 200, 200, 200))
    assert [layer.weight.shape for layer in model.hidden] == [
        (7, 14, 200),
        (7, 200, 200),
        (7, 200, 200),
        (7, 200, 200),
    ]
    assert model.mean_head.weight.shape == model.logvar_head.weight.shape == (7, 200, 12)
    assert model.max_logvar.tolist() == [1.0] * 12 and model.min_logvar.tolist() == [-6.0] * 12
    assert model.elite_idx.tolist() == [0, 1, 2, 3, 4]
    # Truncated normal, std 1 / (2 sqrt(fan_in)), cut at 2 std.
    w = model.hidden[1].weight
    std = 1 / (2 * math.sqrt(200))
    assert w.abs().max() <= 2 * std + 1e-7
    assert 0.8 * std < w.std() < 0.95 * std  # a normal truncated at ±2σ has std ≈ 0.88σ


@pytest.mark.parametrize("lead", [(), (7,)])
def test_forward_shapes_and_dtypes(lead: tuple[int, ...]) -> None:
    model = make_model()
    obs, action, _, _ = batch(9, lead=lead)
    mean, logvar = model(obs.double(), action)  # float64 input is cast to the model dtype
    assert mean.shape == logvar.shape == (7, 9, TARGET_DIM)
    assert mean.dtype == logvar.dtype == torch.float32
    assert (logvar < model.max_logvar).all() and (logvar > model.min_logvar).all()


def test_per_member_inputs_match_shared_inputs() -> None:
    model = make_model()
    obs, action, _, _ = batch(6)
    shared = model(obs, action)
    per_member = model(obs.expand(7, -1, -1), action.expand(7, -1, -1))
    for a, b in zip(shared, per_member, strict=True):
        torch.testing.assert_close(a, b)
    # Different inputs per member reach only that member.
    obs2 = obs.expand(7, -1, -1).clone()
    obs2[3] += 1.0
    mean2, _ = model(obs2, action.expand(7, -1, -1))
    assert torch.equal(mean2[2], shared[0][2]) and not torch.allclose(mean2[3], shared[0][3])


def test_vectorized_linear_equals_per_member_linear() -> None:
    layer = VectorizedLinear(4, 3, n_members=5, generator=torch.Generator().manual_seed(0))
    x = torch.randn(5, 8, 4)
    out = layer(x)
    for e in range(5):
        torch.testing.assert_close(out[e], x[e] @ layer.weight[e] + layer.bias[e])
    members = torch.tensor([4, 1])
    picked = layer(x[:2], members)  # member 4 on x[0], member 1 on x[1]
    torch.testing.assert_close(picked[0], x[0] @ layer.weight[4] + layer.bias[4])
    torch.testing.assert_close(picked[1], x[1] @ layer.weight[1] + layer.bias[1])
    shared = layer(x[0])  # [B, in] shared by all members
    torch.testing.assert_close(shared[3], x[0] @ layer.weight[3] + layer.bias[3])


def test_input_stats_standardise_inputs() -> None:
    model = make_model()
    obs, action, _, _ = batch(4)
    mean, _ = model(obs, action)
    x = torch.cat([obs, action], -1)
    shifted = (x - model.input_mean) / model.input_std
    model.set_input_stats(torch.zeros(7), torch.ones(7))
    mean_plain, _ = model(shifted[:, :OBS_DIM], shifted[:, OBS_DIM:])
    torch.testing.assert_close(mean, mean_plain)
    with pytest.raises(ValueError, match=r"input std: expected shape \(7,\)"):
        model.set_input_stats(torch.zeros(7), torch.ones(6))


def test_mle_loss_equals_normal_log_prob() -> None:
    model = make_model()
    obs, action, next_obs, reward = batch(11)
    loss, stats = model.mle_loss(obs, action, next_obs, reward)
    mean, logvar = model(obs, action)  # [E, B, T]
    y = torch.cat([reward[:, None], next_obs - obs], -1)  # official layout [reward, Δobs]
    log_prob = Normal(mean, torch.exp(0.5 * logvar)).log_prob(y)  # [E, B, T]
    # (μ - y)² e^{-logvar} + logvar = -2 log N - log 2π, averaged over batch and dims, summed over members.
    expected_mle = (-2 * log_prob - math.log(2 * math.pi)).mean(dim=(1, 2)).sum()
    torch.testing.assert_close(stats["mle"], expected_mle)
    penalty = 1e-3 * (model.max_logvar.sum() - model.min_logvar.sum())
    torch.testing.assert_close(stats["logvar_penalty"], penalty.detach())
    torch.testing.assert_close(loss, expected_mle + model.weight_decay_loss() + penalty)
    torch.testing.assert_close(stats["mse"], (mean - y).square().mean())


def test_mle_loss_bootstrap_layout() -> None:
    model = make_model()
    obs, action, next_obs, reward = batch(5, lead=(7,))
    _, stats = model.mle_loss(obs, action, next_obs, reward)
    per_member = []
    for e in range(7):
        mean, logvar = model(obs[e], action[e])
        y = torch.cat([reward[e][:, None], next_obs[e] - obs[e]], -1)
        per_member.append(((mean[e] - y).square() * torch.exp(-logvar[e]) + logvar[e]).mean())
    torch.testing.assert_close(stats["mle"], torch.stack(per_member).sum())
    with pytest.raises(ValueError, match="reward: expected shape"):
        model.mle_loss(obs, action, next_obs, reward[0])


def test_weight_decay_value() -> None:
    model = make_model()
    with torch.no_grad():
        for i, layer in enumerate(model.hidden):
            layer.weight.fill_(i + 1.0)
        model.mean_head.weight.fill_(0.5)
        model.logvar_head.weight.fill_(-0.5)
    sizes = [7 * 7 * 16, 7 * 16 * 16]  # [E, in, out] elements of the hidden layers
    heads = 2 * 7 * 16 * TARGET_DIM * 0.25
    expected = 1e-3 * 0.5 * sizes[0] * 1 + 2e-3 * 0.5 * sizes[1] * 4 + 3e-3 * 0.5 * heads
    assert model.weight_decay_loss().item() == pytest.approx(expected, rel=1e-6)


def test_log_prob_mixture_equals_independent_computation() -> None:
    model = make_model()
    model.set_elites([6, 0, 3, 2, 5])
    obs, action, next_obs, reward = batch(10)
    log_p = model.log_prob_mixture(obs, action, next_obs, reward)
    assert log_p.shape == (10,)
    mean, logvar = model(obs, action)
    y = torch.cat([reward[:, None], next_obs - obs], -1)
    per_member = (
        Normal(mean.double(), torch.exp(0.5 * logvar.double())).log_prob(y.double()).sum(-1)
    )
    elite = per_member[[6, 0, 3, 2, 5]]  # [5, B]
    expected = torch.log(torch.exp(elite).mean(0))  # plain log-mean-exp in float64
    torch.testing.assert_close(log_p.double(), expected, rtol=1e-5, atol=1e-4)


def test_log_prob_mixture_gradient_reaches_every_elite_only() -> None:
    model = make_model()
    elites = [1, 2, 4, 5, 6]
    model.set_elites(elites)
    obs, action, next_obs, reward = batch(16)
    model.log_prob_mixture(obs, action, next_obs, reward).sum().backward()
    for p in model.member_parameters():
        norms = p.grad.flatten(1).norm(dim=1)  # [E]
        assert (norms[elites] > 0).all()
        assert (norms[[0, 3]] == 0).all()
    assert model.max_logvar.grad is not None and model.min_logvar.grad is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"obs": batch(4)[0].numpy()}, "obs: expected a torch tensor [B, 5], got ndarray; pass"),
        ({"reward": [0.0] * 4}, "reward: expected a torch tensor [4], got list"),
        ({"obs": torch.zeros(4, 4)}, "obs: expected shape [B, 5], got [4, 4]"),
        ({"next_obs": torch.zeros(3, OBS_DIM)}, "next_obs: expected shape [4, 5], got [3, 5]"),
        ({"reward": torch.zeros(4, 1)}, "reward: expected shape [4], got [4, 1]"),
        ({"action": torch.zeros(4, ACTION_DIM, dtype=torch.bool)}, "expected real numbers"),
        ({"obs": batch(4)[0].index_fill(0, torch.tensor([2]), math.nan)}, "obs: not finite"),
        ({"next_obs": batch(4)[2].index_fill(0, torch.tensor([3]), math.inf)}, "(inf) at row 3"),
    ],
)
def test_log_prob_mixture_checks_its_inputs(change: dict, message: str) -> None:
    """Probe 60 rows 46-47: numpy inputs were a raw AttributeError, NaN / inf rows a silent
    NaN / -inf log-prob; the unchecked internal path the adversary uses is unchanged."""
    model = make_model()
    inputs = dict(zip(("obs", "action", "next_obs", "reward"), batch(4), strict=True))
    with pytest.raises(ValueError) as err:
        model.log_prob_mixture(**{**inputs, **change})
    assert message in str(err.value)
    if "row" in message or "not finite" in message:
        assert "at row" in str(err.value)
    torch.testing.assert_close(
        model.log_prob_mixture(**inputs), model._log_prob_mixture(**inputs), rtol=0, atol=0
    )


@pytest.mark.parametrize("compiled", [False, True])
def test_take_members_equals_indexing_with_its_gradient(compiled: bool) -> None:
    """Issue 12: the elites' weights are gathered with a backward that writes instead of
    accumulating (inductor compiled the accumulating one to per-element atomics); same numbers."""
    gen = torch.Generator().manual_seed(0)
    weight = torch.randn(7, 6, 4, generator=gen, requires_grad=True)
    members = torch.tensor([5, 0, 3])
    upstream = torch.randn(3, 6, 4, generator=gen)

    def gathered(fn):
        weight.grad = None
        out = fn(weight, members)
        (out * upstream).sum().backward()
        return out.detach(), weight.grad.clone()

    take = torch.compile(take_members) if compiled else take_members
    out, grad = gathered(take)
    ref_out, ref_grad = gathered(lambda w, m: w[m])
    assert torch.equal(out, ref_out) and torch.equal(grad, ref_grad)
    assert (grad[[1, 2, 4, 6]] == 0).all()


def test_forward_inputs_refuses_repeated_members_where_gradients_flow() -> None:
    """A repeated member would get only one row's gradient from take_members' backward: refused
    with autograd on, allowed without it (predict_rows' groups are distinct anyway)."""
    model = make_model()
    obs, action, _, _ = batch(8)
    x = model._inputs(obs, action)
    with pytest.raises(ValueError, match=r"members: expected distinct member indices .*\[2, 2\]"):
        model.forward_inputs(x, torch.tensor([2, 2]))
    with pytest.raises(ValueError, match=r"members: 9 is outside \[0, 7\)"):
        model.forward_inputs(x, torch.tensor([1, 9]))
    with torch.no_grad():
        mean, _ = model.forward_inputs(x, torch.tensor([2, 2]))
    torch.testing.assert_close(mean[0], mean[1])
    mean, _ = model.forward_inputs(x, torch.tensor([4, 1]))  # distinct: fine with gradients
    mean.sum().backward()
    norms = model.hidden[0].weight.grad.flatten(1).norm(dim=1)  # [E]
    assert (norms[[1, 4]] > 0).all() and (norms[[0, 2, 3, 5, 6]] == 0).all()


@pytest.mark.parametrize("members", [None, [6, 2, 4]], ids=["all", "some"])
def test_forward_inputs_then_stacks_more_members_with_their_gradients(members) -> None:
    """Issue 12 (session 63): ``then`` runs more members stacked under ``members`` (Eq. 9's MLE
    term on every member and its adversarial term on the elites, as one batched matmul per
    layer): the outputs of the two forwards apart, and each parameter's gradient their sum."""
    model = make_model()
    members = None if members is None else torch.tensor(members)
    then = torch.tensor([3, 0, 6])  # distinct; they may repeat `members`
    x_a = model._inputs(*batch(8, seed=1)[:2])
    x_b = model._inputs(*batch(8, seed=2)[:2])
    n_a = model.n_members if members is None else len(members)
    upstream = torch.randn(n_a + len(then), 8, 2 * TARGET_DIM, generator=torch.Generator())

    def run(stacked: bool) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        model.zero_grad(set_to_none=True)
        if stacked:
            xs = torch.cat([x_a.expand(n_a, -1, -1), x_b.expand(len(then), -1, -1)])
            mean, logvar = model.forward_inputs(xs, members, then=then)
        else:
            parts = model.forward_inputs(x_a, members), model.forward_inputs(x_b, then)
            mean, logvar = (torch.cat([a, b]) for a, b in zip(*parts, strict=True))
        out = torch.cat([mean, logvar], dim=-1)
        (out * upstream).sum().backward()
        grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
        return out.detach(), grads

    (out, grads), (ref, ref_grads) = run(True), run(False)
    torch.testing.assert_close(out, ref, rtol=1e-6, atol=1e-6)
    assert grads.keys() == ref_grads.keys() and "hidden.0.weight" in grads
    for name, grad in grads.items():  # float32 rounding: the log-variance bounds' gradient is a
        # sum over every output with cancellation (≈ 3e-5 of its norm); a missing part is ≈ 1
        diff = torch.linalg.vector_norm(grad - ref_grads[name])
        assert float(diff) <= 1e-4 * float(torch.linalg.vector_norm(ref_grads[name])), name
    if members is not None:  # members 1 and 5 run in neither part: no gradient
        norms = grads["hidden.0.weight"].flatten(1).norm(dim=1)  # [E]
        assert (norms[[1, 5]] == 0).all() and (norms[[0, 2, 3, 4, 6]] > 0).all()
    with pytest.raises(ValueError, match=r"then: expected distinct member indices .*\[2, 2\]"):
        model.forward_inputs(x_a, then=torch.tensor([2, 2]))


def test_predict_rows_equals_forward_rows() -> None:
    model = make_model()
    obs, action, _, _ = batch(40)
    member_idx = torch.randint(0, 7, (40,), generator=torch.Generator().manual_seed(3))
    member_idx[:3] = torch.tensor([6, 6, 0])
    mean_all, logvar_all = model(obs, action)  # [E, B, T]
    rows = torch.arange(40)
    for idx in (member_idx, torch.full((40,), 4), member_idx % 2 + 3):  # all / one / two members
        mean, logvar = model.predict_rows(obs, action, idx)
        assert mean.shape == logvar.shape == (40, TARGET_DIM)
        torch.testing.assert_close(mean, mean_all[idx, rows])
        torch.testing.assert_close(logvar, logvar_all[idx, rows])


def test_predict_rows_chunked_path() -> None:
    model = make_model()
    n = 2 * _ROW_CHUNK + 300  # one member gets more rows than the chunking threshold
    obs, action, _, _ = batch(n)
    member_idx = torch.full((n,), 2)
    member_idx[::7] = 5
    mean, logvar = model.predict_rows(obs, action, member_idx)
    mean_all, logvar_all = model(obs, action)
    rows = torch.arange(n)
    torch.testing.assert_close(mean, mean_all[member_idx, rows])
    torch.testing.assert_close(logvar, logvar_all[member_idx, rows])


def test_predict_rows_rejects_bad_member() -> None:
    model = make_model()
    obs, action, _, _ = batch(4)
    with pytest.raises(ValueError, match=r"member_idx\[2\] = 7 is outside \[0, 7\)"):
        model.predict_rows(obs, action, torch.tensor([0, 1, 7, 2]))
    with pytest.raises(ValueError, match="member_idx: expected shape"):
        model.predict_rows(obs, action, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="action: expected shape"):
        model.predict_rows(obs, action[:, :1], torch.tensor([0, 1, 2, 3]))


def test_sample_formula_and_determinism() -> None:
    model = make_model()
    obs, action, _, _ = batch(12)
    member_idx = torch.randint(0, 7, (12,), generator=torch.Generator().manual_seed(1))
    noise = torch.randn(12, TARGET_DIM, generator=torch.Generator().manual_seed(2))
    next_obs, reward = model.sample(obs, action, member_idx, noise)
    assert next_obs.shape == (12, OBS_DIM) and reward.shape == (12,)
    mean, logvar = model.predict_rows(obs, action, member_idx)
    y = mean + torch.exp(0.5 * logvar) * noise
    torch.testing.assert_close(reward, y[:, 0])
    torch.testing.assert_close(next_obs, obs + y[:, 1:])
    again = model.sample(obs, action, member_idx, noise)
    assert torch.equal(again[0], next_obs) and torch.equal(again[1], reward)
    other = model.sample(obs, action, (member_idx + 1) % 7, noise)
    assert not torch.allclose(other[0], next_obs)
    with pytest.raises(ValueError, match="noise: expected shape"):
        model.sample(obs, action, member_idx, noise[:, :-1])


def test_set_elites_validation() -> None:
    model = make_model()
    with pytest.raises(ValueError, match=r"elite_idx\[1\] = 9"):
        model.set_elites([0, 9, 1, 2, 3])
    with pytest.raises(ValueError, match="distinct"):
        model.set_elites([0, 0, 1, 2, 3])
    with pytest.raises(ValueError, match="expected 5 indices"):
        model.set_elites([0, 1])


def test_the_default_weight_decays_follow_the_depth() -> None:
    """Probe 41: ``EnsembleConfig(hidden_dims=(8, 8))`` was "weight_decays: need len(hidden_dims)
    + 1 = 3 values, got 5", blaming a field the user never set. The default config, its saved
    form and its model-cache key are unchanged."""
    import dataclasses

    from rambo_env.dynamics.io import cache_key
    from rambo_env.dynamics.training import MLEConfig

    official = (2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4)
    assert EnsembleConfig(hidden_dims=(8, 8)).weight_decays == (2.5e-5, 5e-5, 1e-4)
    assert EnsembleConfig(hidden_dims=(8,) * 6).weight_decays == (
        2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 7.5e-5, 7.5e-5, 1e-4,
    )  # fmt: skip
    default = EnsembleConfig()
    assert default.weight_decays == official and default == EnsembleConfig(weight_decays=official)
    assert dataclasses.asdict(default)["weight_decays"] == official
    key = cache_key("f" * 16, default, MLEConfig(), 0)
    assert key == cache_key("f" * 16, EnsembleConfig(weight_decays=official), MLEConfig(), 0)
    assert key == "a478cbec4c667466ea76"  # the default config's key before the change
    with pytest.raises(ValueError, match=r"weight_decays: need len\(hidden_dims\) \+ 1 = 3"):
        EnsembleConfig(hidden_dims=(8, 8), weight_decays=(1e-5,) * 4)
    with pytest.raises(ValueError, match=r"default decays .* do not fit hidden_dims \(8, 8\)"):
        dataclasses.replace(default, hidden_dims=(8, 8))  # carries the 4-layer decays


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="n_elites"):
        EnsembleConfig(n_members=3, n_elites=4)
    for name in ("init_min_logvar", "init_max_logvar"):
        # 1e39 / -1e39: was torch's "value cannot be converted to type float without overflow"
        # when the ensemble was built (after the dataset load); ±100: exp overflows float32
        for bad in (math.nan, math.inf, -math.inf, 1e39, -1e39, 100.0, -100.0):
            with pytest.raises(ValueError, match=rf"{name}: expected a number in \[-80, 80\]"):
                EnsembleConfig(**{name: bad})


def test_bf16_mixed_precision_is_close_to_fp32_and_opt_in() -> None:
    """Issue 12's bf16 mode: hidden layers under bf16 autocast, fp32 outputs and gradients
    close to fp32's (bf16 keeps 8 mantissa bits); fp32 stays the default and is unchanged."""
    model = make_model()
    obs, action, next_obs, reward = batch(64)
    assert model.precision == "fp32"
    mean32, logvar32 = model(obs, action)
    loss32, _ = model.mle_loss(obs, action, next_obs, reward)
    grads32 = torch.autograd.grad(loss32, list(model.parameters()))
    model.set_precision("bf16")
    mean16, logvar16 = model(obs, action)
    assert mean16.dtype == logvar16.dtype == torch.float32  # heads and losses in fp32
    assert not torch.equal(mean16, mean32)  # the hidden layers did run in bf16
    torch.testing.assert_close(mean16, mean32, rtol=0, atol=3e-2 * float(mean32.abs().max()))
    torch.testing.assert_close(logvar16, logvar32, rtol=0, atol=3e-2)
    loss16, _ = model.mle_loss(obs, action, next_obs, reward)
    assert abs(float(loss16 - loss32)) < 1e-2 * abs(float(loss32))
    grads16 = torch.autograd.grad(loss16, list(model.parameters()))
    for g16, g32 in zip(grads16, grads32, strict=True):
        assert g16.dtype == torch.float32
        assert float((g16 - g32).norm()) <= 5e-2 * float(g32.norm()) + 1e-6
    model.set_precision("fp32")
    assert torch.equal(model(obs, action)[0], mean32)
    with pytest.raises(ValueError, match="precision: expected one of"):
        model.set_precision("fp16")


def test_a_generator_that_is_not_a_torch_generator_is_named() -> None:
    """Probe 19: torch's raw "normal_(): argument 'generator' must be torch.Generator"."""
    for bad in (5, np.random.default_rng(0)):
        with pytest.raises(ValueError, match=r"^generator: expected a torch.Generator or None"):
            GaussianEnsemble(OBS_DIM, ACTION_DIM, generator=bad)


@pytest.mark.parametrize("field", ["hidden_dims", "weight_decays"])
@pytest.mark.parametrize("value", [None, 200])
def test_a_layer_list_that_is_not_a_sequence_is_named(field, value):
    """Probe 21: ``EnsembleConfig(hidden_dims=None)`` (or an int, or such weight_decays) was a
    raw "'NoneType' object is not iterable"."""
    if field == "weight_decays" and value is None:  # probe 41: None = the default decays
        assert EnsembleConfig(weight_decays=None) == EnsembleConfig()
        return
    with pytest.raises(ValueError, match=f"EnsembleConfig.{field}: expected"):
        EnsembleConfig(**{field: value})


def test_an_int_numpy_array_of_layer_widths_is_taken_and_a_wrong_one_says_what_is_wrong():
    """Probe 44 row 33: ``EnsembleConfig(hidden_dims=np.array([8, 8, 8, 8]))`` was refused with
    "expected ints, got array([8, 8, 8, 8])" (the array holds ints; a list of np.int64 was taken)."""
    cfg = EnsembleConfig(
        hidden_dims=np.array([8, 8, 8, 8]), weight_decays=np.array([0.0, 1e-5, 1e-5, 1e-5, 1e-4])
    )
    assert cfg == EnsembleConfig(hidden_dims=(8,) * 4, weight_decays=(0.0, 1e-5, 1e-5, 1e-5, 1e-4))
    assert all(type(h) is int for h in cfg.hidden_dims)
    assert all(type(w) is float for w in cfg.weight_decays)
    head = r"EnsembleConfig\.hidden_dims: expected a tuple of ints \(one width per hidden layer\), got "
    for value, what in (
        (np.array([8.0, 8.0]), r"\(8\.0, 8\.0\): width 0 is 8\.0 \(a float\)"),
        (np.array([[8, 8], [8, 8]]), r"a 2-d numpy array of shape \(2, 2\); give a 1-d array"),
        (8, r"an int 8 \(for one hidden layer give \(8,\)\)"),
        ((8, 8.5), r"\(8, 8\.5\): width 1 is 8\.5 \(a float\)"),
        (None, "None"),
    ):
        with pytest.raises(ValueError, match=head + what):
            EnsembleConfig(hidden_dims=value)
    with pytest.raises(ValueError, match=r"weight_decays: .* got \(1, -1\): decay 1 is -1$"):
        EnsembleConfig(hidden_dims=(8,), weight_decays=(1, -1))


def test_a_cuda_device_without_cuda_names_the_argument_or_the_flag_given(
    tmp_path, capsys, monkeypatch
):
    """Probe 41 row 99: ``gym.make(..., device="cuda:0")`` on a CPU torch build was told "use
    --device cpu or auto", a flag of the scripts, in a library call; where the data were not
    there yet, it generated them first (1M transitions, minutes), and so did scripts/cotrain.py."""
    import gymnasium as gym

    import rambo_env  # noqa: F401 (registers the ids)
    from rambo_env.dynamics.ensemble import check_device, resolve_device
    from tests.scripts import load_script

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))  # empty: would generate
    monkeypatch.setenv("D4RL_DATASET_DIR", str(tmp_path / "d4rl"))
    head = (
        f"device: 'cuda:0', but this torch build has no usable CUDA (torch {torch.__version__}); "
    )
    for call in (
        lambda: check_device("cuda:0"),
        lambda: resolve_device("cuda:0"),
        lambda: gym.make("RamboModel-hopper-medium", device="cuda:0"),
        lambda: gym.make_vec("RamboModel-hopper-medium", num_envs=2, device="cuda:0"),
    ):
        with pytest.raises(ValueError) as refused:
            call()
        assert str(refused.value) == head + "pass device='cpu' or 'auto'"
    with pytest.raises(ValueError) as refused:
        check_device("cuda:0", "--device")
    assert str(refused.value) == head + "use --device cpu or auto"
    code = load_script("cotrain").main(["--device", "cuda:0", "--run-dir", str(tmp_path / "r")])
    assert code == 2
    out, err = capsys.readouterr()
    assert f"error: {head}use --device cpu or auto" in err
    assert "generating" not in out + err  # refused before any load
