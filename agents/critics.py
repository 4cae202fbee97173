"""Per-algorithm adapters: an SB3 / sb3-contrib agent -> :class:`rambo_env.adversary.PolicyFns`.

The adversary (Eq. 5) needs three things from the agent: the stochastic rollout policy, the
deterministic policy for ``V(s') = Q(s', π_mean(s'))`` and the current critic. SB3 actors output
SCALED actions in [-1, 1] and SB3 critics consume scaled actions, while the model consumes
env-scale actions; the adapters convert in torch (``policy.scale_action`` / ``unscale_action``
are numpy-only). Dispatch is on the algorithm class (walking the MRO, so subclasses work).

Critic reduction per algorithm:
    SAC, TD3, CrossQ: min over the twin critics (clipped double-Q); DDPG: its single critic;
    TQC: mean over all quantiles of all critics (the critic returns ``[B, n_critics, n_quantiles]``).
CrossQ's BatchRenorm layers are evaluated with ``set_training_mode(False)`` (running statistics);
the previous modes are restored afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sb3_contrib import TQC, CrossQ
from stable_baselines3 import DDPG, SAC, TD3
from stable_baselines3.common.noise import NormalActionNoise, VectorizedActionNoise
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm

from rambo_env.adversary import PolicyFns

__all__ = [
    "ALGORITHMS",
    "ActionScaler",
    "AlgorithmSpec",
    "algorithm_spec",
    "exploration_std",
    "policy_fns",
]


def _min_of_critics(outputs: tuple[torch.Tensor, ...]) -> torch.Tensor:
    return torch.cat(outputs, dim=1).min(dim=1).values  # [B, n_critics] -> [B]


def _mean_of_quantiles(quantiles: torch.Tensor) -> torch.Tensor:
    return quantiles.mean(dim=(1, 2))  # [B, n_critics, n_quantiles] -> [B]


@dataclass(frozen=True)
class AlgorithmSpec:
    """What the adapters need to know about one algorithm class."""

    name: str
    """Short name (``"sac"``)."""
    stochastic_actor: bool
    """True: squashed-Gaussian actor (``actor(obs, deterministic=...)``); False: deterministic."""
    reduce_q: Callable
    """Critic output -> Q [B]."""
    eval_mode_for_critic: bool = False
    """Evaluate with ``policy.set_training_mode(False)`` (BatchRenorm running statistics)."""


#: Algorithm class -> spec. Order matters only for readability: lookup walks the agent's MRO,
#: so ``DDPG`` (a ``TD3`` subclass) finds its own entry first.
ALGORITHMS: dict[type[OffPolicyAlgorithm], AlgorithmSpec] = {
    SAC: AlgorithmSpec("sac", True, _min_of_critics),
    TD3: AlgorithmSpec("td3", False, _min_of_critics),
    DDPG: AlgorithmSpec("ddpg", False, _min_of_critics),
    TQC: AlgorithmSpec("tqc", True, _mean_of_quantiles),
    CrossQ: AlgorithmSpec("crossq", True, _min_of_critics, eval_mode_for_critic=True),
}


def algorithm_spec(model: OffPolicyAlgorithm) -> AlgorithmSpec:
    """The spec of ``model``'s algorithm class (or its nearest registered base class)."""
    for cls in type(model).__mro__:
        if cls in ALGORITHMS:
            return ALGORITHMS[cls]
    known = ", ".join(c.__name__ for c in ALGORITHMS)
    names = ", ".join(repr(spec.name) for spec in ALGORITHMS.values())
    # probe 31: PPO with RamboCallback was only "unsupported algorithm PPO; supported: …"
    kind = "" if isinstance(model, OffPolicyAlgorithm) else " (not an off-policy agent)"
    raise ValueError(
        f"model: unsupported algorithm {type(model).__name__}{kind}; supported: {known}. "
        "RAMBO's agent is off-policy: it samples real and model transitions from a replay "
        "buffer; build one with agents.factory.make_agent(algo, vec_env, dataset, normalizer, "
        f"rollout_length=k), algo one of {names}"
    )


class ActionScaler:
    """Torch version of SB3's ``scale_action`` / ``unscale_action`` for a Box action space."""

    def __init__(self, low: np.ndarray, high: np.ndarray, device: torch.device | str) -> None:
        self.low = torch.as_tensor(np.asarray(low, dtype=np.float32), device=device)  # [A]
        self.high = torch.as_tensor(np.asarray(high, dtype=np.float32), device=device)  # [A]
        if not (torch.isfinite(self.low).all() and torch.isfinite(self.high).all()):
            raise ValueError(f"action_space: bounds must be finite, got low={low}, high={high}")
        if self.low.shape != self.high.shape or not bool((self.low < self.high).all()):
            # probe 66 row 73: swapped bounds scaled silently (flipped), equal ones gave -inf
            raise ValueError(
                f"action_space: expected low < high of one shape, got low={low}, high={high}; "
                "give the env's Box bounds"
            )

    @classmethod
    def from_model(cls, model: OffPolicyAlgorithm) -> ActionScaler:
        return cls(model.action_space.low, model.action_space.high, model.device)

    def scale(self, action: torch.Tensor) -> torch.Tensor:
        """Env scale [low, high] -> [-1, 1]."""
        return 2.0 * (action - self.low) / (self.high - self.low) - 1.0

    def unscale(self, scaled: torch.Tensor) -> torch.Tensor:
        """[-1, 1] -> env scale [low, high]."""
        return self.low + 0.5 * (scaled + 1.0) * (self.high - self.low)


def unwrapped_noise(noise: Any) -> Any:
    """The noise inside SB3's per-env ``VectorizedActionNoise`` (which ``learn`` wraps a user's
    noise in for n_envs > 1), else ``noise`` itself (``agents.factory.BatchedGaussianNoise``
    subclasses the wrapper without its ``noises``)."""
    inner = getattr(noise, "noises", None)
    return inner[0] if isinstance(noise, VectorizedActionNoise) and inner else noise


def exploration_std(model: OffPolicyAlgorithm) -> float:
    """σ of a deterministic agent's Gaussian exploration noise (scaled units), 0 if none/unknown."""
    noise = model.action_noise
    sigma = getattr(noise, "sigma", None)  # agents.factory.BatchedGaussianNoise
    noise = unwrapped_noise(noise)  # probe 69: once SB3 wrapped it, σ read 0.0
    if sigma is None and isinstance(noise, NormalActionNoise):
        sigma = noise._sigma
    return 0.0 if sigma is None else float(np.max(sigma))


@contextmanager
def _eval_mode(model: OffPolicyAlgorithm, enabled: bool) -> Iterator[None]:
    """``policy.set_training_mode(False)`` inside, previous actor/critic modes restored after."""
    if not enabled:
        yield
        return
    policy = model.policy
    modes = [(m, m.training) for m in (policy.actor, policy.critic)]
    policy.set_training_mode(False)
    try:
        yield
    finally:
        for module, mode in modes:
            module.set_training_mode(mode)


#: What gSDE's ``reset_noise`` draws (``StateDependentNoiseDistribution.sample_weights``).
_SDE_NOISE = ("weights_dist", "exploration_mat", "exploration_matrices")


@contextmanager
def _fresh_sde_noise(actor: Any, rows: int) -> Iterator[None]:
    """A gSDE actor samples with exploration matrices of its own per row inside (one
    ``reset_noise(rows)`` draw), the agent's own (those of its training and collection) put back
    after. Probe 78 row 14: every row and every adversary step of a train phase shared the one
    matrix of the agent's last ``reset_noise``, so Eq. 5's expectation over a ~ π(·|s) was
    estimated from one noise draw (a fixed state-dependent shift of μ)."""
    dist = actor.action_dist
    saved = {name: getattr(dist, name, None) for name in _SDE_NOISE}
    actor.reset_noise(rows)  # a [rows, latent, A] matrix each: independent draws of π(·|s)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(dist, name, value)


def policy_fns(model: OffPolicyAlgorithm) -> PolicyFns:
    """Adapt an SB3 SAC / TD3 / DDPG or sb3-contrib TQC / CrossQ agent to :class:`PolicyFns`.

    All three callables run under ``torch.no_grad()``, take NORMALISED observations on any device
    and return on that device: ``sample``/``mean`` env-scale actions ``[B, A]``, ``q`` ``[B]``.
    A deterministic actor (TD3/DDPG) samples ``clip(μ + σ ε, -1, 1)`` in scaled space with the
    agent's own exploration σ (:func:`exploration_std`), like SB3's collection does. A gSDE
    actor (``use_sde=True``) samples each row with its own exploration matrix, drawn per call,
    the agent's own matrices untouched.
    ``q``'s actions are env-scale and within the action box; it does not check them (a per-call
    device sync on the adversary's hot path): one outside is scaled past [-1, 1] and the critic
    extrapolates (probe 66 row 73; the diagnostics refuse such actions).
    """
    spec = algorithm_spec(model)
    scaler = ActionScaler.from_model(model)
    device = model.device
    std = 0.0 if spec.stochastic_actor else exploration_std(model)
    sde = spec.stochastic_actor and bool(getattr(model, "use_sde", False))

    def act(obs: torch.Tensor, deterministic: bool) -> torch.Tensor:
        with torch.no_grad(), _eval_mode(model, spec.eval_mode_for_critic):
            x = obs.to(device)
            if sde and not deterministic:  # gSDE: noise drawn per row and per call
                with _fresh_sde_noise(model.actor, x.shape[0]):
                    scaled = model.actor(x, deterministic=False)  # [B, A] in [-1, 1]
            elif spec.stochastic_actor:
                scaled = model.actor(x, deterministic=deterministic)  # [B, A] in [-1, 1]
            else:
                scaled = model.actor(x)  # [B, A]
                if not deterministic and std > 0:
                    scaled = (scaled + std * torch.randn_like(scaled)).clamp(-1.0, 1.0)
            return scaler.unscale(scaled).to(obs.device)

    def q(obs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        with torch.no_grad(), _eval_mode(model, spec.eval_mode_for_critic):
            scaled = scaler.scale(action.to(device))  # the critic consumes scaled actions
            return spec.reduce_q(model.critic(obs.to(device), scaled)).to(obs.device)  # [B]

    return PolicyFns(
        sample=lambda obs: act(obs, deterministic=False),
        mean=lambda obs: act(obs, deterministic=True),
        q=q,
    )
