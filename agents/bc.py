"""Behaviour-cloning warm start of an SB3 agent's actor (App. B.4; official code).

MuJoCo runs initialise the policy by BC before co-training. The official code maximises the
log-likelihood of the dataset actions under the squashed-Gaussian policy (50 epochs, lr 1e-4),
skipping batches that contain an action with ``|a| >= 1`` (its atanh is infinite). Maximum
likelihood keeps the policy's σ (an MSE on *sampled* actions, as in a port, shrinks it).
Deterministic actors (TD3/DDPG) regress the dataset action (MSE) and their target actor is synced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm

from agents.critics import ActionScaler, algorithm_spec
from rambo_env.adversary import real_transitions
from rambo_env.dynamics.training import take_rows
from rambo_env.logging import note
from rambo_env.progress import progress_bar
from rambo_env.run_io import check_field_types, check_flag, check_seed, trains_with_grad, type_name

if TYPE_CHECKING:
    from rambo_env.data.dataset import OfflineDataset
    from rambo_env.normalization import ObsNormalizer

__all__ = ["BCConfig", "behaviour_clone"]

_ACTION_CLIP = 1.0 - 1e-6


@dataclass(frozen=True)
class BCConfig:
    """Budget and optimiser of the warm start (official: 50 epochs, lr 1e-4, batch 256)."""

    epochs: int = 50
    """Passes over the dataset (shuffled, full batches only)."""
    max_steps: int | None = None
    """Optional cap on batches visited, skipped ones included (whichever of epochs / max_steps
    comes first)."""
    lr: float = 1e-4
    """Adam learning rate (a fresh optimiser: the agent's actor optimiser is not touched)."""
    batch_size: int = 256
    """Dataset rows per gradient step."""
    skip_saturated: bool = True
    """Skip batches with any ``|scaled a| >= 1`` (official); False clips them to ±(1 - 1e-6)."""
    seed: int = 0
    """Seed of the shuffling generator."""
    loss: str = "nll"
    """Stochastic actors: ``nll`` (official: -log π(a|s)) or ``mse_sample`` (OfflineRL-Kit: MSE
    between a reparameterised sampled action and the dataset action, which also shrinks σ)."""

    def __post_init__(self) -> None:
        # probe 18: epochs=2.5, skip_saturated="no" (truthy: skipped), batch_size=True and seed
        # -1 were taken; epochs="3" / lr="1e-4" raw TypeErrors naming no field
        try:
            check_field_types(self, "pass the documented type")
        except ValueError as err:
            raise ValueError(f"BCConfig.{err}") from None
        check_seed(self.seed, "BCConfig.seed")
        if self.loss not in ("nll", "mse_sample"):
            raise ValueError(f"BCConfig.loss: expected 'nll' or 'mse_sample', got {self.loss!r}")
        if self.epochs < 1:
            raise ValueError(f"BCConfig.epochs: expected >= 1, got {self.epochs}")
        if self.max_steps is not None and self.max_steps < 1:
            raise ValueError(f"BCConfig.max_steps: expected >= 1 or None, got {self.max_steps}")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"BCConfig.lr: expected > 0, got {self.lr}")
        if self.batch_size < 1:
            raise ValueError(f"BCConfig.batch_size: expected >= 1, got {self.batch_size}")


def _nll(actor: torch.nn.Module, obs: torch.Tensor, scaled: torch.Tensor) -> torch.Tensor:
    """``-mean log π(a | s)`` under the squashed Gaussian (SB3 distribution's log_prob)."""
    mean_actions, log_std, kwargs = actor.get_action_dist_params(obs)
    dist = actor.action_dist.proba_distribution(mean_actions, log_std, **kwargs)
    return -dist.log_prob(scaled.clamp(-_ACTION_CLIP, _ACTION_CLIP)).mean()


@trains_with_grad("behaviour_clone")
def behaviour_clone(
    model: OffPolicyAlgorithm,
    dataset: OfflineDataset,
    normalizer: ObsNormalizer,
    cfg: BCConfig | None = None,
    progress: bool = False,
) -> float:
    """Warm-start ``model.actor`` on the dataset (App. B.4). Returns the last batch loss.

    Stochastic actors (SAC, TQC, CrossQ): negative log-likelihood of the dataset action.
    Deterministic actors (TD3, DDPG): MSE to the dataset action; ``actor_target`` is synced.
    Observations are normalised like everything the agent sees.

    :param progress: show a progress bar over the batches (tqdm; the official warm start's 50
        epochs of 1M rows are ~195 000 batches).
    """
    cfg = BCConfig() if cfg is None else cfg
    check_flag(progress, "progress")  # "no" would be truthy
    if not isinstance(cfg, BCConfig):  # probe 18: was "'dict' object has no attribute 'loss'"
        raise ValueError(
            f"cfg: expected an agents.bc.BCConfig or None, got {type_name(cfg, BCConfig, 'cfg')} "
            "(BCConfig(**your_dict) builds one)"
        )
    spec = algorithm_spec(model)
    if cfg.loss != "nll" and not spec.stochastic_actor:  # was: silently the MSE of the action
        raise ValueError(
            f"BCConfig.loss: {cfg.loss!r} is a loss of stochastic actors (sac, tqc, crossq); "
            f"{type(model).__name__}'s deterministic actor is cloned by the MSE to the dataset "
            "action; leave the loss at its default"
        )
    obs_shape = getattr(model.observation_space, "shape", None)
    action_shape = getattr(model.action_space, "shape", None)
    data_dims = (getattr(dataset, "obs_dim", None), getattr(dataset, "action_dim", None))
    if data_dims[0] is not None and (obs_shape, action_shape) != (
        (data_dims[0],),
        (data_dims[1],),
    ):
        # probe 66 row 71: was torch's raw "mat1 and mat2 shapes cannot be multiplied"
        raise ValueError(
            f"model: observation space {obs_shape} / action space {action_shape} do not match "
            f"the dataset's obs_dim {data_dims[0]} / action_dim {data_dims[1]}; clone an agent "
            "of this dataset's env (agents.factory.make_agent builds one)"
        )
    real = real_transitions(dataset, normalizer, model.device)
    _say_after_training(model)
    obs = real.obs  # [N, O]
    scaled = ActionScaler.from_model(model).scale(real.action)  # [N, A]
    n, batch = obs.shape[0], min(cfg.batch_size, obs.shape[0])
    if batch < cfg.batch_size:  # probe 66 row 70: was trained as n rows without a word
        note(
            f"[rambo_env] WARNING: behaviour_clone: BCConfig.batch_size {cfg.batch_size} > the "
            f"dataset's {n} rows: using batches of {n} (one step per epoch)",
        )
    actor = model.actor
    optimizer = torch.optim.Adam(actor.parameters(), lr=cfg.lr)
    generator = torch.Generator(device=model.device)
    generator.manual_seed(cfg.seed)
    saturated = (scaled.abs() >= 1.0).any(dim=1)  # [N] atanh(a) infinite
    n_batches = n // batch
    check = spec.stochastic_actor and cfg.skip_saturated and cfg.loss == "nll"
    # probe 139: the bar's total was max_steps, so data that end before it left the line at
    # e.g. "11/30 batch", read as an early stop: the batches the epochs hold, capped by it
    budget = n_batches * cfg.epochs
    budget = budget if cfg.max_steps is None else min(budget, cfg.max_steps)
    steps, skipped, loss = 0, 0, torch.tensor(math.nan)
    model.policy.set_training_mode(True)
    bar = progress_bar(total=budget, desc="BC (App. B.4)", unit="batch", progress=progress)
    try:
        for _ in range(cfg.epochs):
            if steps + skipped >= budget:
                break
            perm = torch.randperm(n, generator=generator, device=model.device)[: n_batches * batch]
            batches = perm.view(n_batches, batch)  # [n_batches, b]
            skip = saturated[batches].any(dim=1).tolist() if check else [False] * n_batches
            if check and steps + skipped == 0 and all(skip[:budget]):
                # probe 36: bang-bang data skipped every batch: the "warm start" left the actor
                # as initialised; clipped instead, as with skip_saturated=False
                check, skip = False, [False] * n_batches
                _say_all_saturated(int(saturated.sum()), n)
            for idx, skip_batch in zip(batches, skip, strict=True):
                if steps + skipped >= budget:
                    break
                bar.update()
                if skip_batch:
                    skipped += 1
                    continue
                ob, act = take_rows(obs, idx), take_rows(scaled, idx)  # [b, O], [b, A]
                try:
                    if spec.stochastic_actor and cfg.loss == "mse_sample":
                        sampled, _ = actor.action_log_prob(ob)  # reparameterised (Kit)
                        batch_loss = F.mse_loss(sampled, act)
                    elif spec.stochastic_actor:
                        batch_loss = _nll(actor, ob, act)
                    else:
                        batch_loss = F.mse_loss(actor(ob), act)
                except ValueError as err:  # torch.distributions: "… found invalid values"
                    if "invalid values" not in str(err):
                        raise
                    _diverged(cfg, steps + skipped + 1)
                optimizer.zero_grad(set_to_none=True)
                batch_loss.backward()
                optimizer.step()
                steps, loss = steps + 1, batch_loss.detach()
    finally:
        bar.close()
        model.policy.set_training_mode(False)
    if not math.isfinite(float(loss)) and steps:  # deterministic actors: a NaN MSE went on
        _diverged(cfg, steps + skipped)
    _sync_target(model)
    if skipped > steps:
        note(
            f"[rambo_env] WARNING: behaviour_clone: skipped {skipped} of {skipped + steps} "
            f"batches holding a saturated action (|a| >= 1 at the action bounds: "
            f"{int(saturated.sum())} of {n} dataset rows), as the official warm start does: the "
            f"actor learned from {steps} batch(es) only; to clip those actions to the bounds "
            "instead, pass BCConfig(skip_saturated=False), or cotrain.py --bc-loss mse_sample "
            "(skips none)"
        )
    return float(loss)


def _say_after_training(model: OffPolicyAlgorithm) -> None:
    """One warning when the agent has already taken gradient steps (probe 96a row 24: BC after
    ``agent.learn`` was taken without a word). The warm start belongs before co-training (App.
    B.4, Alg. 1): afterwards it pulls the trained actor back toward the behaviour policy while the
    critics stay as trained. Legitimate (e.g. BC continued by hand), so it runs on."""
    n_updates = int(getattr(model, "_n_updates", 0) or 0)
    if n_updates > 0:
        note(
            f"[rambo_env] WARNING: behaviour_clone: the agent has already taken {n_updates} "
            f"gradient step(s) ({model.num_timesteps} env steps learnt): the warm start pulls its "
            "trained actor back toward the dataset's behaviour policy while its critics stay as "
            "trained; BC is the initialisation before co-training (App. B.4, Alg. 1): call it "
            "before agent.learn",
        )


def _diverged(cfg: BCConfig, batch: int) -> None:
    """The warm start's actor went NaN / inf (probe 66 row 72: was torch.distributions' raw
    "Expected parameter loc … found invalid values" mid-training, or a NaN loss returned)."""
    raise ValueError(
        f"behaviour_clone: the actor's outputs became NaN / inf by batch {batch} "
        f"(BCConfig.lr {cfg.lr:g} too large?); the actor's weights are diverged: rebuild the "
        "agent and clone with a smaller lr (official: 1e-4)"
    )


def _say_all_saturated(n_saturated: int, n: int) -> None:
    note(
        f"[rambo_env] WARNING: behaviour_clone: every batch holds a saturated action (|a| >= 1 at "
        f"the action bounds: {n_saturated} of {n} dataset rows; bang-bang or clipped data?), so "
        "skipping them (the official warm start) would leave the actor untrained: their actions "
        "are clipped to within the bounds instead (as BCConfig(skip_saturated=False)); "
        "cotrain.py --bc-loss mse_sample clones them without clipping"
    )


def _sync_target(model: OffPolicyAlgorithm) -> None:
    target = getattr(model, "actor_target", None)
    if target is not None:
        target.load_state_dict(model.actor.state_dict())
