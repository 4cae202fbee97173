"""Probe 101: ModelAdversary.step checks what update checks (the PolicyFns' outputs, actions
outside the space), its states' dtype and units, and its ``real`` MLE batch."""

from __future__ import annotations

import copy

import pytest
import torch

from rambo_env.adversary import AdversaryConfig, ModelAdversary, RealTransitions
from tests.agents.test_adversary_probe100 import GOOD, _act, _q, _small
from tests.envs.tiny_mdp import make_tiny_dataset, make_tiny_mdp


def _adversary() -> ModelAdversary:
    mdp, dataset = _small()
    return ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, 2, n_updates=2, batch_size=16))


def _batch(adversary: ModelAdversary, n: int = 16, act=_act) -> dict[str, torch.Tensor]:
    """Synthetic transitions in the model's units (normalised dataset rows, tanh actions)."""
    real = adversary.real.sample(n, torch.Generator().manual_seed(0))
    return {
        "obs": real.obs,
        "action": act(real.obs),
        "reward": real.reward,
        "next_obs": real.next_obs,
        "terminated": real.terminated,
    }


def _weights(adversary: ModelAdversary) -> list[torch.Tensor]:
    return [p.detach().clone() for p in adversary.params]


def _unchanged(adversary: ModelAdversary, before: list[torch.Tensor]) -> bool:
    return all(torch.equal(p, q) for p, q in zip(before, adversary.params, strict=True))


@pytest.fixture(scope="module")
def tiny_model() -> tuple:
    """A Hopper-shaped model (its height lies far from 0: raw states can be told apart)."""
    dataset = make_tiny_dataset()
    return make_tiny_mdp(dataset, cache=True), dataset


def _tiny_adversary(tiny_model: tuple) -> ModelAdversary:
    mdp, dataset = tiny_model  # a copy: the adversary trains its model in place
    return ModelAdversary(copy.deepcopy(mdp), dataset, AdversaryConfig(3e-4, 2, 1, batch_size=32))


def _tiny_act(o: torch.Tensor) -> torch.Tensor:
    return torch.tanh(o[:, :3])  # [B, 3]


def _tiny_q(o: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    return o[:, :3].sum(-1) * a.sum(-1)  # [B]


GOOD_TINY = GOOD._replace(sample=_tiny_act, mean=_tiny_act, q=_tiny_q)


def _raw(adversary: ModelAdversary, x: torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(adversary.mdp.normalizer.unnormalize(x.numpy()), dtype=torch.float32)


@pytest.mark.parametrize("field", ["sample", "mean", "q"])
def test_update_names_a_field_that_is_not_callable(field: str) -> None:
    # probe 101 row 26: was "TypeError: 'NoneType' object is not callable" (no field named)
    with pytest.raises(ValueError, match=rf"PolicyFns\.{field}: expected a callable .* got None"):
        _adversary().update(GOOD._replace(**{field: None}))


def test_step_names_mean_none_and_takes_sample_none() -> None:
    # probe 101 row 26, step(): mean is Eq. 9's V(s'); sample is not used by step
    adversary = _adversary()
    with pytest.raises(ValueError, match=r"PolicyFns\.mean: expected a callable"):
        adversary.step(GOOD._replace(mean=None), **_batch(adversary))
    assert adversary.step(GOOD._replace(sample=None), **_batch(adversary))


@pytest.mark.parametrize(
    ("row", "fns", "says"),
    [
        # probe 101 row 28: was "The size of tensor a (32) must match the size of tensor b (64)"
        (28, {"q": lambda o, a: torch.stack([_q(o, a)] * 2, -1)}, r"PolicyFns\.q.*\[16, 2\].*min"),
        # probe 101 row 29: was silent (a 0-d mean broadcast to every row)
        (29, {"q": lambda o, a: _q(o, a).mean()}, r"PolicyFns\.q.*one Q per row, not a mean"),
        # probe 101 row 30: was AttributeError: 'tuple' object has no attribute 'reshape'
        (30, {"q": lambda o, a: (_q(o, a), _q(o, a))}, r"PolicyFns\.q: returned a tuple.*min"),
        # probe 101 row 31: was "expected Tensor as element 1 in argument 0, but got numpy"
        (31, {"mean": lambda o: _act(o).numpy()}, r"PolicyFns\.mean: returned a numpy"),
        # probe 101 row 31: was "expected Tensor as element 1 in argument 0, but got tuple"
        (31, {"mean": lambda o: (_act(o), None)}, r"PolicyFns\.mean: returned a tuple"),
    ],
)
def test_step_checks_the_policy_outputs(row: int, fns: dict, says: str) -> None:
    adversary = _adversary()
    before = _weights(adversary)
    with pytest.raises(ValueError, match=says):
        adversary.step(GOOD._replace(**fns), **_batch(adversary))
    assert _unchanged(adversary, before)


def test_step_warns_once_for_actions_outside_the_space(capsys: pytest.CaptureFixture[str]) -> None:
    # probe 101 row 32: was silent in step() (update() warned)
    adversary = _adversary()
    batch = _batch(adversary)
    batch["action"] = 10 * batch["action"]
    adversary.step(GOOD, **batch)
    adversary.step(GOOD, **batch)
    out = capsys.readouterr().out
    assert out.count("[rambo_env] WARNING: step's action[") == 1
    assert "outside the action space [-1, 1]" in out


def test_step_warns_once_for_raw_states(tiny_model, capsys: pytest.CaptureFixture[str]) -> None:
    # probe 101 row 33: was silent (the model trained on raw-unit states)
    adversary = _tiny_adversary(tiny_model)
    batch = _batch(adversary, 32, _tiny_act)
    adversary.step(GOOD_TINY, **batch)  # normalised states: no word
    assert capsys.readouterr().out == ""
    adversary = _tiny_adversary(tiny_model)
    for name in ("obs", "next_obs"):
        batch[name] = _raw(adversary, batch[name])
    adversary.step(GOOD_TINY, **batch)
    adversary.step(GOOD_TINY, **batch)
    out = capsys.readouterr().out
    assert out.count("ModelAdversary.step: obs / next_obs look raw (unnormalised)") == 1


def test_step_casts_float64_states() -> None:
    # probe 101 row 34: was "mat1 and mat2 must have the same dtype, but got Double and Float"
    adversary, other = _adversary(), _adversary()
    batch = _batch(adversary)
    want = adversary.step(GOOD, **batch)
    wide = {k: v.double() if v.is_floating_point() else v for k, v in batch.items()}
    got = other.step(GOOD, **wide)
    assert all(torch.equal(want[k], got[k]) for k in want)


def _real(adversary: ModelAdversary, n: int = 16) -> RealTransitions:
    return adversary.real.sample(n, torch.Generator().manual_seed(1))


@pytest.mark.parametrize(
    ("row", "real", "says"),
    [
        # probe 101 row 35: was mle_loss nan, the MLE term silently dropped
        (
            35,
            lambda r: RealTransitions(*(t[:0] for t in r)),
            r"^real: 0 rows; Eq\. 9's MLE term needs dataset rows",
        ),
        # probe 101 row 37: was taken, and the model's weights became NaN
        (
            37,
            lambda r: r._replace(reward=torch.full_like(r.reward, float("nan"))),
            r"^real\.reward: holds NaN / inf",
        ),
        # probe 101 row 38: was "obs: expected [B, 2] or [E, B, 2], got (16, 5)" (blamed obs)
        (
            38,
            lambda r: r._replace(obs=torch.zeros(16, 5)),
            r"^real\.obs: expected a torch tensor of shape \[N, 2\] .*got \[16, 5\]",
        ),
        (
            38,
            lambda r: r._replace(action=r.action[:3]),
            r"^real\.action: .*\[16, 2\].*got \[3, 2\]",
        ),
    ],
)
def test_step_checks_real(row: int, real, says: str) -> None:
    adversary = _adversary()
    given = real(_real(adversary))
    before, steps = _weights(adversary), adversary.n_steps
    with pytest.raises(ValueError, match=says):
        adversary.step(GOOD, **_batch(adversary), real=given)
    assert _unchanged(adversary, before) and adversary.n_steps == steps


def test_step_warns_for_a_raw_real_batch(tiny_model, capsys: pytest.CaptureFixture[str]) -> None:
    # probe 101 row 36: was silent (the model fitted to raw-unit real states)
    adversary = _tiny_adversary(tiny_model)
    real = _real(adversary, 32)
    raw = real._replace(obs=_raw(adversary, real.obs), next_obs=_raw(adversary, real.next_obs))
    adversary.step(GOOD_TINY, **_batch(adversary, 32, _tiny_act), real=raw)
    out = capsys.readouterr().out.splitlines()
    assert [line for line in out if "look raw" in line] == [
        next(line for line in out if "real.obs / real.next_obs look raw (unnormalised)" in line)
    ]


def test_legitimate_step_says_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    adversary = _adversary()
    capsys.readouterr()  # the small dataset's own warning
    stats = adversary.step(GOOD, **_batch(adversary), real=_real(adversary))
    assert stats and all(bool(torch.isfinite(v)) for v in stats.values())
    assert capsys.readouterr().out == ""
