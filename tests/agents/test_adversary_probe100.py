"""Probe 100: what a hand-built PolicyFns returns is checked at the adversary's first update."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rambo_env.adversary import AdversaryConfig, ModelAdversary, PolicyFns, real_transitions
from rambo_env.data.dataset import OfflineDataset
from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble
from rambo_env.model import LearnedMDP
from rambo_env.normalization import ObsNormalizer


def _never(raw_next_obs: torch.Tensor) -> torch.Tensor:
    return torch.zeros(raw_next_obs.shape[0], dtype=torch.bool, device=raw_next_obs.device)


def _small(dim: int = 2) -> tuple[LearnedMDP, OfflineDataset]:
    """An untrained 2-member ensemble (obs_dim = action_dim = ``dim``) on 120 rows."""
    rng = np.random.default_rng(0)
    s = rng.uniform(-1, 1, (120, dim)).astype(np.float32)
    a = rng.uniform(-0.3, 0.3, (120, dim)).astype(np.float32)
    dataset = OfflineDataset.from_arrays(
        {
            "observations": s,
            "actions": a,
            "rewards": s[:, 0],
            "next_observations": s + a,
            "terminals": np.zeros(120, bool),
            "timeouts": np.zeros(120, bool),
        }
    )
    norm = ObsNormalizer.from_dataset(dataset)
    cfg = EnsembleConfig(n_members=2, n_elites=2, hidden_dims=(8, 8), weight_decays=(0, 0, 0))
    ensemble = GaussianEnsemble(dim, dim, cfg, generator=torch.Generator().manual_seed(0))
    real = real_transitions(dataset, norm, "cpu")
    return LearnedMDP(ensemble, norm, _never, real.obs, device="cpu"), dataset


def _adversary() -> ModelAdversary:
    mdp, dataset = _small()
    return ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, 2, n_updates=2, batch_size=16))


def _act(o: torch.Tensor) -> torch.Tensor:
    return torch.tanh(o)  # [B, 2] inside [-1, 1]


def _q(o: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    return (o * a).sum(-1)  # [B]


GOOD = PolicyFns(sample=_act, mean=_act, q=_q)


def test_good_policy_and_q_of_b_1_still_train() -> None:
    assert _adversary().update(GOOD)
    assert _adversary().update(GOOD._replace(q=lambda o, a: _q(o, a)[:, None]))
    assert _adversary().update(GOOD._replace(q=lambda o, a: _q(o, a).double()))  # row 7


@pytest.mark.parametrize(
    ("row", "fns", "says"),
    [
        # probe 100 row 3: was "The size of tensor a (32) must match the size of tensor b (64)"
        (3, {"q": lambda o, a: torch.stack([_q(o, a)] * 2, -1)}, r"PolicyFns\.q.*\[16, 2\].*min"),
        # probe 100 row 4: was silent (a 0-d mean broadcast to every row)
        (4, {"q": lambda o, a: _q(o, a).mean()}, r"PolicyFns\.q.*one Q per row, not a mean"),
        # probe 100 row 5: was a raw TypeError (takes 1 positional argument but 2 were given)
        (5, {"q": lambda x: x.sum(-1)}, r"PolicyFns\.q: is called as q\(obs"),
        # probe 100 row 6: was torch's "to() received an invalid combination of arguments"
        (6, {"q": lambda o, a: _q(o, a).numpy()}, r"PolicyFns\.q: returned a numpy\.ndarray"),
        # probe 100 row 8: was AttributeError: 'tuple' object has no attribute 'reshape'
        (8, {"q": lambda o, a: (_q(o, a), _q(o, a))}, r"PolicyFns\.q: returned a tuple.*min"),
        # probe 100 row 9: was "Tensors must have same number of dimensions: got 2 and 1"
        (9, {"sample": lambda o: _act(o)[:, 0]}, r"PolicyFns\.sample: returned shape \[16\]"),
        # probe 100 row 10: was "expected Tensor as element 1 in argument 0, but got numpy"
        (10, {"sample": lambda o: _act(o).numpy()}, r"PolicyFns\.sample: returned a numpy"),
        # probe 100 row 11: was "expected Tensor as element 1 in argument 0, but got tuple"
        (11, {"sample": lambda o: (_act(o), o[:, 0])}, r"sample.*action only, not \(action"),
        # probe 100 row 13: was "mat1 and mat2 shapes cannot be multiplied"
        (13, {"mean": lambda o: _act(o)[:, :1]}, r"PolicyFns\.mean: returned shape \[16, 1\]"),
        # probe 100 row 38: was "Tensor.item() cannot be called on meta tensors"
        (38, {"q": lambda o, a: torch.zeros(o.shape[0], device="meta")}, r"q.*on meta"),
        # probe 100 row 39: was "Subtraction, the `-` operator, with a bool tensor"
        (39, {"q": lambda o, a: o.sum(-1) > 0}, r"PolicyFns\.q: returned a torch\.bool"),
    ],
)
def test_wrong_outputs_are_named(row: int, fns: dict, says: str) -> None:
    adversary = _adversary()
    before = [p.detach().clone() for p in adversary.params]
    with pytest.raises(ValueError, match=says):
        adversary.update(GOOD._replace(**fns))
    assert all(torch.equal(p, q) for p, q in zip(before, adversary.params, strict=True))


def test_float64_actions_are_cast() -> None:
    # probe 100 row 14: was "mat1 and mat2 must have the same dtype, but got Double and Float"
    critic = torch.nn.Linear(4, 1)  # float32 weights: a float64 action was refused by them
    policy = PolicyFns(
        sample=lambda o: _act(o).double(),
        mean=lambda o: _act(o).double(),
        q=lambda o, a: critic(torch.cat([o, a], -1)).squeeze(-1),
    )
    adversary = _adversary()
    assert adversary.update(policy)
    assert adversary.update(policy)  # checked once, still cast


def test_actions_outside_the_space_warn_once(capsys: pytest.CaptureFixture[str]) -> None:
    # probe 100 row 12: was silent (the model trained on out-of-box actions)
    policy = GOOD._replace(sample=lambda o: 10 * _act(o), mean=lambda o: 10 * _act(o))
    adversary = _adversary()
    adversary.update(policy)
    adversary.update(policy)
    out = capsys.readouterr().out
    assert out.count("[rambo_env] WARNING: PolicyFns.sample") == 1
    assert "outside the action space [-1, 1]" in out


def test_frozen_ensemble_is_named() -> None:
    # probe 100 row 22: was torch's "optimizer got an empty parameter list"
    mdp, dataset = _small()
    mdp.ensemble.requires_grad_(False)
    with pytest.raises(ValueError, match=r"mdp\.ensemble: none of its parameters requires grad"):
        ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, 2, n_updates=2, batch_size=16))
