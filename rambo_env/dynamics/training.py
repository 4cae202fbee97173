"""Maximum-likelihood pretraining of the dynamics ensemble (RAMBO Alg. 1 line 1, App. B.1).

Official recipe (MOPO/MBPO codebase): Adam 3e-4, batch 256, a bootstrap resample of the training
split per member, holdout ``min(10 %, 1000)`` transitions, holdout metric = MSE of the mean; a
member's weights are snapshotted whenever its holdout MSE improves by more than 1 % (relative);
training stops after more than ``patience`` epochs in which no member improved; every member is
then restored to its best snapshot and the elites are the ``n_elites`` best by holdout MSE.

All transitions are model data, including terminal and time-out transitions (a time-out is a
truncation, its ``next_obs`` is a real successor state).

Resumable: with ``checkpoint_path``, :func:`train_mle` atomically writes the full training state
after every completed epoch and continues from it when called again with the same data, model and
config (the budgets ``max_epochs`` / ``max_time_s`` may differ), bitwise as if never interrupted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.func import functional_call, grad_and_value

from rambo_env.dynamics.ensemble import GaussianEnsemble, resolve_device
from rambo_env.logging import note
from rambo_env.normalization import ObsNormalizer
from rambo_env.optim import (
    AdamGroup,
    adam_groups,
    adam_lrs,
    adam_scalars,
    adam_state,
    adam_update,
    init_adam_state,
)
from rambo_env.progress import progress_bar
from rambo_env.provenance import check_not_newer
from rambo_env.run_io import (
    SEED_LIMIT,
    check_field_ranges,
    check_flag,
    check_free_space,
    check_output_file,
    check_readable,
    check_seed,
    counted,
    damaged_cache_entry,
    damaged_file,
    is_int,
    is_real,
    load_torch_file,
    python_fields,
    save_checkpoint,
    trains_with_grad,
    unreadable_reason,
)
from rambo_env.torch_files import brief_reason

__all__ = [
    "MLEConfig",
    "MLEReport",
    "check_checkpoint_room",
    "make_adam",
    "model_tensors",
    "train_mle",
]

logger = logging.getLogger(__name__)

_TIME_CHECK_EVERY = 32
"""Batches between wall-clock checks of ``max_time_s`` inside an epoch."""


@dataclass(frozen=True)
class MLEConfig:
    """MLE pretraining (Alg. 1 line 1). The official rule stops on holdout convergence only, which
    took > 283 epochs on 200k Hopper transitions; ``max_time_s`` bounds a default run to one hour
    (set it and ``max_epochs`` to ``None`` to run the official rule to convergence)."""

    lr: float = 1e-3
    """Adam learning rate (the paper's and the official code's: 3e-4; README deviation 18: 1e-3
    reached the official early stop in half the epochs with a 1.8x lower holdout MSE)."""
    batch_size: int = 256
    """Transitions per member per gradient step."""
    holdout_ratio: float = 0.1
    """Fraction of transitions held out for early stopping and elite selection ..."""
    max_holdout: int = 1000
    """... capped at this many transitions."""
    improvement_threshold: float = 0.01
    """Relative holdout-MSE improvement that counts as progress (and snapshots a member)."""
    patience: int = 10
    """Stop after more than this many consecutive epochs without progress."""
    max_epochs: int | None = None
    """Hard epoch budget (None: unbounded)."""
    max_time_s: float | None = 3600.0
    """Wall-clock budget in seconds, checked every few batches (None: unbounded). Where it stops
    the training, the model depends on the machine's speed and load."""
    max_steps: int | None = None
    """Gradient-step budget, rounded up to whole epochs of ``ceil(n_train / batch_size)`` steps
    (None: unbounded): as reproducible as ``max_epochs``, and like ``max_time_s`` it gives a small
    dataset more epochs than a large one (10 000 steps: 3 epochs of 1M transitions, the early
    stop's own end on 2000)."""
    seed: int = 0
    """Seed of the holdout split, bootstrap indices and batch order."""

    def __post_init__(self) -> None:
        python_fields(self)  # probe 61: numpy numbers are stored (and reach JSON) as Python ones
        # was: lr=inf, batch_size=2.5, max_epochs=True and seed=-1 accepted (NaN weights, a raw
        # slicing error, 1 epoch, a wrapped seed)
        ints = ("batch_size", "max_holdout", "patience", "seed", "max_epochs", "max_steps")
        reals = ("lr", "holdout_ratio", "improvement_threshold", "max_time_s")
        for name in ints + reals:
            value = getattr(self, name)
            if value is None and name in _BUDGET_FIELDS:
                continue
            if not (is_int(value) if name in ints else is_real(value)):
                kind = "an int" if name in ints else "a number"
                raise ValueError(
                    f"MLEConfig.{name}: expected {kind}, got {type(value).__name__} {value!r}"
                )
        checks = {  # issue 14: each names what it takes (was: "invalid value inf")
            "lr": (math.isfinite(self.lr) and self.lr > 0, "a finite number > 0"),
            "seed": (  # was: >= 2**64 torch's raw "Overflow …"
                0 <= self.seed < SEED_LIMIT,
                f"an int in [0, 2**{SEED_LIMIT.bit_length() - 1})",
            ),
            "batch_size": (self.batch_size >= 1, "an int >= 1"),
            "holdout_ratio": (0 < self.holdout_ratio < 1, "a number in (0, 1)"),
            "max_holdout": (self.max_holdout >= 1, "an int >= 1"),
            "improvement_threshold": (
                0 <= self.improvement_threshold < 1,
                "a number in [0, 1)",
            ),
            "patience": (self.patience >= 0, "an int >= 0"),
            "max_epochs": (
                self.max_epochs is None or self.max_epochs >= 1,
                "an int >= 1 or None",
            ),
            "max_time_s": (
                self.max_time_s is None or self.max_time_s > 0,
                "a number > 0 (seconds) or None",
            ),
            "max_steps": (
                self.max_steps is None or self.max_steps >= 1,
                "an int >= 1 or None",
            ),
        }
        check_field_ranges("MLEConfig", self, checks)


@dataclass(frozen=True)
class MLEReport:
    """What :func:`train_mle` did."""

    epochs: int
    """Epochs run (a time-budget stop mid-epoch counts the partial epoch)."""
    holdout_mse: tuple[float, ...]
    """Per-member holdout MSE after restoring each member's best snapshot."""
    elites: tuple[int, ...]
    """Elite member indices, best first."""
    wall_s: float
    stopped_by: str
    """``"early_stop"``, ``"max_epochs"``, ``"max_steps"`` or ``"max_time"``."""
    train_loss: tuple[float, ...]
    """Mean training loss (incl. weight decay and bound penalty) per epoch."""
    holdout_history: tuple[float, ...]
    """Mean-over-members holdout MSE after each epoch (before restoring snapshots)."""
    n_train: int
    n_holdout: int
    epoch_end_s: tuple[float, ...] = ()
    """Seconds from the start of training to the end of each epoch (time-to-quality with
    ``holdout_history``; empty in models saved before it was recorded)."""
    initial_holdout_mse: float | None = None
    """Mean-over-members holdout MSE of the untrained model (None in models saved before it was
    recorded): what :func:`warn_no_improvement` compares the result with."""
    compiled: tuple[bool | None, ...] = ()
    """Per epoch, whether its loss ran through ``torch.compile`` (None: an epoch of a checkpoint
    that did not record it; empty in models saved before probe 82). Compiled and eager epochs give
    the same numbers to float32 rounding, not bitwise: see :func:`compiled_story`."""
    begun_by: dict[str, Any] | None = field(default=None, compare=False)
    """The code (:func:`rambo_env.requirements.code_record`: ``rambo_env_commit`` …) that began
    the pretraining when it was resumed from an MLE checkpoint of an earlier session (``{}``: a
    checkpoint that did not record it); None when this session began it. Probe 139: a model
    begun by other code and finished here recorded only the finishing commit. :func:`save_model
    <rambo_env.dynamics.io.save_model>` keeps it in the model's ``meta`` (``mle_begun_by``)."""

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MLEReport:
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


def compiled_story(compiled: Sequence[bool | None]) -> str | None:
    """How a model's epochs ran, for a line: "eager", "compiled", or a mixed history such as
    "epochs 1-2 eager, 3-4 compiled" (probe 82 rows 6, 23); None where it is not recorded."""
    if not compiled or any(c is None for c in compiled):
        return None
    runs: list[tuple[int, int, bool]] = []  # (first epoch, last epoch, compiled), 1-based
    for i, c in enumerate(compiled, 1):
        if runs and runs[-1][2] == c:
            runs[-1] = (runs[-1][0], i, c)
        else:
            runs.append((i, i, c))
    if len(runs) == 1:
        return "compiled" if runs[0][2] else "eager"
    parts = [f"{a}-{b}" if a != b else f"{a}" for a, b, _ in runs]
    return "epochs " + ", ".join(
        f"{p} {'compiled' if c else 'eager'}" for p, (_, _, c) in zip(parts, runs, strict=True)
    )


def _check_array(name: str, arr: Any, shape: tuple[int, ...]) -> np.ndarray:
    a = np.asarray(arr, dtype=np.float32)
    if a.shape != shape:
        raise ValueError(f"dataset.{name}: expected shape {shape}, got {a.shape}")
    bad = ~np.isfinite(a)
    if bad.any():
        i = int(np.argwhere(bad)[0][0])
        raise ValueError(f"dataset.{name}[{i}] is not finite: {a[i]}")
    return a


def check_model_rows(dataset: Any) -> np.ndarray:
    """``dataset.observations`` as an array, refused unless it has the 2 rows MLE pretraining needs
    at least (one is held out); also the check of a sweep's datasets before any trial starts."""
    obs_raw = np.asarray(dataset.observations)
    if obs_raw.ndim != 2 or obs_raw.shape[0] < 2:
        raise ValueError(
            f"dataset.observations: need [N >= 2, obs_dim], got {obs_raw.shape}; MLE pretraining "
            "holds one transition out and trains on the rest: use a dataset of at least 2 "
            "transitions (the paper's hold about 1M)"
        )
    return obs_raw


def model_tensors(
    dataset: Any, normalizer: ObsNormalizer, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Model inputs ``x = [obs_norm, action]`` [N, in] and targets ``y = [reward, Δobs_norm]`` [N, T]."""
    obs_raw = check_model_rows(dataset)
    n, obs_dim = obs_raw.shape
    action_arr = np.asarray(dataset.actions)
    action_dim = action_arr.shape[1] if action_arr.ndim == 2 else -1
    obs = normalizer.normalize(_check_array("observations", obs_raw, (n, obs_dim)))
    next_obs = normalizer.normalize(
        _check_array("next_observations", dataset.next_observations, (n, obs_dim))
    )
    action = _check_array("actions", action_arr, (n, action_dim))
    reward = _check_array("rewards", dataset.rewards, (n,))
    x = np.concatenate([obs, action], axis=1)  # [N, O + A]
    y = np.concatenate([reward[:, None], next_obs - obs], axis=1)  # [N, T] = [r, Δobs_norm]
    return torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)


def _holdout_mse(ensemble: GaussianEnsemble, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-member MSE of the predicted mean on the holdout set -> [E]."""
    with torch.no_grad():
        mean, _ = ensemble.forward_inputs(x)  # [E, H, T]
        return (mean - y).square().mean(dim=(1, 2))


def take_rows(tensor: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """``tensor[idx]`` for a non-negative index tensor ``idx`` of any shape: rows
    [*idx.shape, ...] by one ``index_select`` on the flattened index: the same values as advanced
    indexing, faster for the 256-row draws from 1M-row tables (session 55, AVX2 EPYC, alternating
    rounds, 2 threads: the adversary's real batch of five fields 362 -> 206 us, BC's two 84 -> 51
    us; ``docs/results/ab-session55``). Not used for the MLE batch's [E, b] gathers: there the
    whole batch was not faster (0.94x and 1.07x in two A/Bs)."""
    return tensor.index_select(0, idx.reshape(-1)).view((*idx.shape, *tensor.shape[1:]))


def _run_epoch(
    ensemble: GaussianEnsemble,
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    order: torch.Tensor,
    batch_size: int,
    deadline: float,
    loss_fn: Callable[..., tuple[torch.Tensor, dict]] | None = None,
    step: _MLEStep | None = None,
) -> tuple[float, bool]:
    """One pass over the per-member bootstrap ``order`` [E, N]; returns (mean loss, timed_out).
    ``loss_fn``: ``ensemble.mle_loss_from_tensors`` or a compiled version of it (the default).
    ``step``: each batch's loss, gradient and Adam step as one compiled graph while it is active
    (:class:`_MLEStep`; else ``loss_fn``, ``backward`` and ``optimizer.step()``)."""
    loss_fn = loss_fn if loss_fn is not None else ensemble.mle_loss_from_tensors
    total, n_batches, timed_out = torch.zeros((), device=x.device), 0, False
    for start in range(0, order.shape[1], batch_size):
        idx = order[:, start : start + batch_size]  # [E, b]
        if step is not None and step.active:
            step(x[idx], y[idx], total)
        else:
            loss, _ = loss_fn(x[idx], y[idx])  # [E, b, in], [E, b, T]
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.detach()
        n_batches += 1
        if n_batches % _TIME_CHECK_EVERY == 0 and time.perf_counter() > deadline:
            timed_out = True
            break
    return float(total) / max(n_batches, 1), timed_out


class _MLELoss(torch.nn.Module):
    """The ensemble's MLE loss as a module's ``forward``, so that ``torch.func.functional_call``
    can stand in its parameters for the gradient of :func:`_mle_step`."""

    def __init__(self, ensemble: GaussianEnsemble) -> None:
        super().__init__()
        self.ensemble = ensemble

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.ensemble.mle_loss_from_tensors(x, y)[0]


def _mle_step(
    module: _MLELoss,
    groups: list[AdamGroup],
    x: torch.Tensor,
    y: torch.Tensor,
    scalars: list[tuple[torch.Tensor, torch.Tensor]],
    total: torch.Tensor,
) -> None:
    """One MLE batch (Alg. 1 line 1): the loss of ``x`` [E, b, in] / ``y`` [E, b, T], its
    gradient by ``torch.func`` and the Adam step (:func:`~rambo_env.optim.adam_update`, on the
    optimizer's own state, with the step sizes ``scalars`` of :func:`~rambo_env.optim.adam_scalars`);
    adds the loss to ``total``. Module level, everything an argument: one compile serves every
    ensemble and dataset of these sizes in the process."""
    with torch.no_grad():  # gradients by torch.func only: no autograd graph outside
        params = {n: p for g in groups for n, p in zip(g.names, g.params, strict=True)}
        grads, loss = grad_and_value(lambda p: functional_call(module, p, (x, y)))(params)
        adam_update(groups, grads, scalars)
        total += loss


class _MLEStep:
    """:func:`_mle_step` through ``torch.compile`` as one graph for ``ensemble`` and its
    ``optimizer`` (issue 12: fewer passes over the activations and no autograd bookkeeping than
    the compiled loss, ``backward`` and the fused Adam kernel: 11 % per batch in fp32, 20 % in
    bf16 on a 2-core EPYC, session 53). Makes the optimizer's state first
    (:func:`~rambo_env.optim.init_adam_state`), so the first batch runs it too. Inactive —
    :func:`_run_epoch` steps batch by batch — where compile is off,
    :func:`~rambo_env.optim.adam_groups` refuses the optimizer, or the compile failed (that batch
    ran the same function eagerly: one graph fails before any of it runs)."""

    def __init__(
        self, ensemble: GaussianEnsemble, optimizer: torch.optim.Optimizer, compile: bool
    ) -> None:
        from rambo_env.compile import (
            MaybeCompiled,
            compile_disabled,
            cuda_graphs_wanted,
            static_addresses,
        )

        self.module = _MLELoss(ensemble)
        names = {id(p): f"ensemble.{n}" for n, p in ensemble.named_parameters()}
        groups = None
        if compile and compile_disabled() is None and isinstance(optimizer, torch.optim.Adam):
            init_adam_state(optimizer)
            groups = adam_groups(optimizer, names)
        self.groups = groups
        self.lrs = adam_lrs(groups, ensemble.device) if groups is not None else None
        # CUDA graphs (opt-in): the state the step changes in place stays where it is, and the
        # batch losses add into a sum of the step's own, read and cleared after each call
        graphs = groups is not None and cuda_graphs_wanted(ensemble.device)
        self._sum: torch.Tensor | None = None
        if graphs:
            self._sum = torch.zeros((), device=ensemble.device)
            static_addresses([*adam_state(groups), self._sum])
        self.fn = MaybeCompiled(
            _mle_step,
            enabled=groups is not None,
            name="MLE gradient step (Alg. 1 line 1)",
            fullgraph=True,
            cuda_graphs=graphs,
        )
        self.scalars = MaybeCompiled(  # apart from the step: see adam_scalars
            adam_scalars,
            enabled=groups is not None,
            name="MLE Adam step sizes",
            fullgraph=True,
            cuda_graphs=graphs,
        )

    @property
    def active(self) -> bool:
        return self.groups is not None and self.fn.active

    def __call__(self, x: torch.Tensor, y: torch.Tensor, total: torch.Tensor) -> None:
        if self._sum is None or not self.fn.cuda_graphs:
            self.fn(self.module, self.groups, x, y, self.scalars(self.groups, self.lrs), total)
            return
        torch.compiler.cudagraph_mark_step_begin()  # the last batch's graph outputs are spent
        self.fn(self.module, self.groups, x, y, self.scalars(self.groups, self.lrs), self._sum)
        total += self._sum
        self._sum.zero_()

    def warm_up(
        self, x: torch.Tensor, y: torch.Tensor, boot: torch.Tensor, batch_size: int
    ) -> None:
        """Compile the epoch's batch shapes (a full batch and the last, shorter one) on copies of
        the parameters and the optimizer's state: the model, its optimizer and the random draws
        are as they were, so the training that follows is the same as without it."""
        from rambo_env.compile import static_addresses

        groups = [
            g._replace(
                params=[torch.nn.Parameter(p.detach().clone(), p.requires_grad) for p in g.params],
                exp_avg=[t.clone() for t in g.exp_avg],
                exp_avg_sq=[t.clone() for t in g.exp_avg_sq],
                steps=[t.clone() for t in g.steps],
            )
            for g in self.groups or []
        ]
        total = torch.zeros((), device=x.device)
        if self._sum is not None:  # compiled as the real step's: with static state (CUDA graphs)
            static_addresses([*adam_state(groups), total])
        n_train = boot.shape[1]
        for size in sorted({min(batch_size, n_train), n_train % batch_size} - {0}):
            if not self.active:
                return
            idx = boot[:, :size]  # [E, size]
            if self._sum is not None:
                torch.compiler.cudagraph_mark_step_begin()
            scalars = self.scalars(groups, self.lrs)
            self.fn(self.module, groups, x[idx], y[idx], scalars, total)


def _compile_warm_up(
    loss_fn: Callable[..., tuple[torch.Tensor, dict]],
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    boot: torch.Tensor,
    batch_size: int,
) -> float:
    """Compile ``loss_fn``'s forward and backward for an epoch's batch shapes (a full batch and
    the last, shorter one) on bootstrap rows; no parameter changes and no random draws, so the
    training that follows is the same as without it. Returns the seconds it took."""
    start = time.perf_counter()
    n_train = boot.shape[1]
    for size in sorted({min(batch_size, n_train), n_train % batch_size} - {0}):
        idx = boot[:, :size]  # [E, size]
        loss, _ = loss_fn(x[idx], y[idx])
        loss.backward()
        optimizer.zero_grad(set_to_none=True)
    return time.perf_counter() - start


class _BestSnapshots:
    """Per-member best-holdout snapshots (official ``_save_best`` / ``_set_state``), vectorised
    over members with boolean masks."""

    def __init__(self, ensemble: GaussianEnsemble, threshold: float) -> None:
        self.params = ensemble.member_parameters()  # each [E, ...]
        self.snapshot = [p.detach().clone() for p in self.params]
        self.best = torch.full((ensemble.n_members,), math.inf, device=ensemble.device)
        self.threshold = threshold
        self.since_improved = 0

    @torch.no_grad()
    def update(self, mse: torch.Tensor) -> None:
        """Snapshot members whose holdout MSE [E] improved by more than ``threshold`` (relative)."""
        improved = mse < self.best * (1.0 - self.threshold)  # [E]
        if not improved.any():
            self.since_improved += 1
            return
        for snap, p in zip(self.snapshot, self.params, strict=True):
            snap[improved] = p[improved]
        self.best = torch.where(improved, mse, self.best)
        self.since_improved = 0

    @torch.no_grad()
    def restore(self) -> None:
        for snap, p in zip(self.snapshot, self.params, strict=True):
            p.copy_(snap)

    def state_dict(self) -> dict[str, Any]:
        return {
            "snapshot": [s.detach().cpu().clone() for s in self.snapshot],
            "best": self.best.detach().cpu().clone(),
            "since_improved": int(self.since_improved),
        }

    @torch.no_grad()
    def load_state_dict(self, state: dict[str, Any]) -> None:
        snapshot, best = state["snapshot"], state["best"]
        if len(snapshot) != len(self.snapshot) or best.shape != self.best.shape:
            raise ValueError("snapshot state does not match the ensemble")
        for mine, saved in zip(self.snapshot, snapshot, strict=True):
            if mine.shape != saved.shape:
                raise ValueError(f"snapshot shape {tuple(saved.shape)} != {tuple(mine.shape)}")
        for mine, saved in zip(self.snapshot, snapshot, strict=True):
            mine.copy_(saved)
        self.best = best.to(self.best.device, self.best.dtype)
        self.since_improved = int(state["since_improved"])


def make_adam(params: Any, lr: float) -> torch.optim.Optimizer:
    """Adam, fused where this torch supports it on the parameters' device (~25 % faster on CPU)."""
    params = list(params)
    try:  # not DirectAdam (issue 12): at the ensemble's 14 tensors it did not win (0.50-0.77 ms both)
        return torch.optim.Adam(params, lr=lr, fused=True)
    except (RuntimeError, TypeError):  # older torch / unsupported device
        return torch.optim.Adam(params, lr=lr)


def _split(
    x: torch.Tensor, y: torch.Tensor, cfg: MLEConfig, gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Random holdout of ``min(holdout_ratio · N, max_holdout)`` (at least 1) transitions."""
    n = x.shape[0]
    n_holdout = holdout_rows(n, cfg)
    perm = torch.randperm(n, generator=gen).to(x.device)  # [N]
    hold, train = perm[:n_holdout], perm[n_holdout:]
    return x[train], y[train], x[hold], y[hold]


def holdout_rows(n: int, cfg: MLEConfig) -> int:
    """Rows of an ``n``-row dataset that :func:`train_mle` holds out (:func:`_split`)."""
    return max(1, min(int(n * cfg.holdout_ratio), cfg.max_holdout))


def warn_few_rows(
    dataset: Any, n: int, cfg: MLEConfig, n_elites: int = 1, cached: Path | None = None
) -> None:
    """One warning when an ``n``-row dataset leaves a training split smaller than one batch, or a
    holdout smaller than ``n_elites`` (probes 31, 32: a 2-row dataset trained a model, its elites
    picked on 1 row, without a word; also said for a cached model of such data). Fewer than 2 rows
    are refused (:func:`model_tensors`). The advice names what makes the holdout small: the
    dataset, or ``MLEConfig.max_holdout`` / ``holdout_ratio`` set below what it needs (probe 66
    rows 20-21: ``max_holdout=1`` said nothing, ``holdout_ratio=1e-9`` asked for 2e9 rows).
    ``cached``: the model-cache entry loaded instead of pretraining (probe 123: a cache hit was
    warned of as "MLE pretraining on dataset …", though nothing was trained)."""
    default_ratio = MLEConfig.holdout_ratio
    n_holdout = holdout_rows(n, cfg)
    n_train = n - n_holdout
    # Who is to blame for a holdout below n_elites: the max_holdout cap, a holdout_ratio below
    # the default (where the default would hold out enough of these rows), else the dataset.
    config_advice = ""
    if n_holdout < n_elites and cfg.max_holdout < n_elites:
        config_advice = (
            f"raise MLEConfig.max_holdout (now {cfg.max_holdout}) to at least n_elites={n_elites} "
            "(default 1000)"
        )
    elif (
        n_holdout < n_elites
        and cfg.holdout_ratio < default_ratio
        and holdout_rows(n, replace(cfg, holdout_ratio=default_ratio)) >= n_elites
    ):
        config_advice = (
            f"raise MLEConfig.holdout_ratio (now {cfg.holdout_ratio:g}; the default "
            f"{default_ratio:g} holds out {int(n * default_ratio)} of these rows)"
        )
    elites = 0 if config_advice else min(n_elites, cfg.max_holdout)

    def enough(m: int) -> bool:  # m rows fill one batch and hold out the elites (monotone in m)
        return m - holdout_rows(m, cfg) >= cfg.batch_size and holdout_rows(m, cfg) >= elites

    faults = []
    if n_train < cfg.batch_size:
        faults.append(
            f"fewer than one batch (MLEConfig.batch_size {cfg.batch_size}): the model fits so "
            "few transitions that its rollouts mean little"
        )
    if n_holdout < n_elites:
        faults.append(
            f"its {n_elites} elites are picked by their error on {n_holdout} transition(s)"
        )
    if not faults:
        return
    advice = [config_advice] if config_advice else []
    if not enough(n):
        low, high = 1, max(2, n)  # the fewest rows that are enough, by bisection: low never is
        while not enough(high):
            low, high = high, high * 2
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (low, mid) if enough(mid) else (mid, high)
        advice.append(f"use a dataset of at least {high} transitions (the paper's hold about 1M)")
    name = getattr(dataset, "name", None)
    what = "MLE pretraining"
    if cached is not None:
        what = f"the cached model {cached.name} (loaded: no MLE pretraining now) was pretrained"
    note(
        f"[rambo_env] WARNING: {what}{f' on dataset {name!r}' if name else ''}: "
        f"{n} transitions leave {n_train} for training after the "
        f"{n_holdout}-transition holdout, {'; '.join(faults)}; {'; '.join(advice)}",
    )


NO_IMPROVEMENT = 0.10
"""Pretraining that early-stopped (converged) with its mean holdout MSE less than this fraction
below the untrained model's is warned about (:func:`warn_no_improvement`): a normal run drops it
several fold (hopper-medium, 3000 rows, lr 1e-3: 0.69 -> 0.07)."""
NO_IMPROVEMENT_BUDGET = 0.001
"""The same for a run stopped by its budget (``max_epochs``, ``max_time_s``): a short budget
improves little (one epoch of 3000 hopper rows: 0.4 to 1.4 percent), an lr typo nothing."""


LARGE_LR = 0.1
"""MLE learning rates above this (100 times the default 1e-3, 333 times the official 3e-4) are
warned about before pretraining (:func:`warn_large_lr`)."""


def warn_large_lr(cfg: MLEConfig) -> None:
    """One WARNING before pretraining for a learning rate above :data:`LARGE_LR`, as ``--lam`` and
    the step counts far above the paper's are warned about at the start. Session 51: ``--mle-lr
    3e4`` (3e-4 with its sign lost) was told only after pretraining — hours at 1M rows — as
    non-finite weights, or as a model no better than untrained. A valid value: the run goes on."""
    if cfg.lr <= LARGE_LR:
        return
    mantissa, exponent = f"{cfg.lr:e}".split("e")
    meant = f"; was an exponent's sign lost ({float(f'{mantissa}e{-int(exponent)}'):g})?"
    note(
        f"[rambo_env] WARNING: MLE learning rate {cfg.lr:g} (--mle-lr, MLEConfig.lr) is far "
        f"above the official 3e-4 and the default 1e-3 (this warning is for more than "
        f"{LARGE_LR:g}): Adam at such a rate stalls or diverges (a model no better than untrained, "
        f"or non-finite weights), found only after pretraining{meant if int(exponent) > 0 else ';'} Ctrl-C "
        "now unless that is meant",
    )


def warn_no_improvement(report: MLEReport, cfg: MLEConfig, name: str | None = None) -> None:
    """One WARNING when pretraining left the model about as bad as untrained (its mean holdout
    MSE less than :data:`NO_IMPROVEMENT` (early stop) or :data:`NO_IMPROVEMENT_BUDGET` (budget
    stop) below the untrained model's). Issue 14 (probe 33): ``--mle-lr 1e-12`` (a typo for
    1e-3) early-stopped at the initial weights' error, and the agent then trained in that
    untrained model without a word. Not an error: an experiment may want it."""
    initial = report.initial_holdout_mse
    if initial is None or not report.holdout_mse or not math.isfinite(initial) or initial <= 0:
        return
    final = sum(report.holdout_mse) / len(report.holdout_mse)
    needed = NO_IMPROVEMENT if report.stopped_by == "early_stop" else NO_IMPROVEMENT_BUDGET
    if not final > (1.0 - needed) * initial:  # NaN: the non-finite checks say so
        return
    drop = 100.0 * (1.0 - final / initial)
    more = (
        ""
        if report.stopped_by == "early_stop"
        else ", or a larger budget (--mle-max-steps, --mle-max-epochs, --mle-max-time-s)"
    )
    note(
        f"[rambo_env] WARNING: MLE pretraining{f' on dataset {name!r}' if name else ''} did not "
        f"improve the model: mean holdout MSE {final:.5g} after {report.epochs} epoch(s) "
        f"({report.stopped_by}) vs {initial:.5g} untrained (a drop of {drop:.2g} percent, under "
        f"{100 * needed:g} percent); the agent would train in an untrained model: check the learning "
        f"rate (--mle-lr, MLEConfig.lr: {cfg.lr:g}; official 3e-4){more}",
    )


_CHECKPOINT_VERSION = 1
"""Format of the per-epoch MLE checkpoint (part of its fingerprint)."""

_BUDGET_FIELDS = ("max_epochs", "max_time_s", "max_steps")
"""MLEConfig fields that only bound a run: a checkpoint may be resumed with other values."""


def epoch_cap(cfg: MLEConfig, n_train: int) -> tuple[int | None, str]:
    """``(epochs, budget)``: the fewest epochs ``max_epochs`` / ``max_steps`` allow on ``n_train``
    training rows (``max_steps`` rounded up to whole epochs of ``ceil(n_train / batch_size)``
    steps) and the budget's name (``"max_epochs"`` / ``"max_steps"``); ``(None, "")`` if neither
    is set. Session 38: the default preset's 120 s budget made the model depend on the machine's
    load; a step budget does not, and still lets small datasets train to the early stop."""
    caps = []
    if cfg.max_epochs is not None:
        caps.append((cfg.max_epochs, "max_epochs"))
    if cfg.max_steps is not None:
        per_epoch = math.ceil(n_train / cfg.batch_size)
        caps.append((math.ceil(cfg.max_steps / max(per_epoch, 1)), "max_steps"))
    return min(caps) if caps else (None, "")


_FINGERPRINT_ROWS = 4096
"""Evenly spaced rows of the model inputs / targets hashed into a checkpoint's fingerprint."""


def _beyond_budget(ckpt: dict[str, Any], cfg: MLEConfig, n_train: int) -> str:
    """Why the checkpoint ``ckpt`` is past ``cfg``'s budget (more epochs than ``max_epochs`` or
    ``max_steps`` allow on ``n_train`` rows, more seconds than ``max_time_s``), or "" if it is
    not: budgets share one checkpoint, and a smaller budget must not return (or overwrite) a
    larger one's model."""
    epoch, elapsed = ckpt.get("epoch"), ckpt.get("elapsed_s")
    cap, budget = epoch_cap(cfg, n_train)
    if cap is not None and isinstance(epoch, int) and epoch > cap:
        value = cfg.max_epochs if budget == "max_epochs" else cfg.max_steps
        return f"at epoch {epoch}, beyond this run's {budget} {value} ({cap} epochs)"
    if cfg.max_time_s is not None and isinstance(elapsed, float) and elapsed > cfg.max_time_s:
        return f"at {elapsed:.1f} s, beyond this run's max_time_s {cfg.max_time_s:g}"
    return ""


def _fingerprint(
    cfg: MLEConfig, ensemble: GaussianEnsemble, x: torch.Tensor, y: torch.Tensor
) -> str:
    """Hash of what a checkpoint belongs to: the MLE config (less its budgets), the ensemble config
    and its initial weights, the data shape and a cheap sample of the data (strided rows of the
    normalised inputs / targets, so the normaliser is covered too)."""
    ens_cfg = {
        k: list(v) if isinstance(v, tuple) else v for k, v in asdict(ensemble.config).items()
    }
    meta = {
        "version": _CHECKPOINT_VERSION,
        "mle": {k: v for k, v in asdict(cfg).items() if k not in _BUDGET_FIELDS},
        "ensemble": ens_cfg,
        "dims": [int(ensemble.obs_dim), int(ensemble.action_dim)],
        "x": list(x.shape),
        "y": list(y.shape),
    }
    digest = hashlib.blake2b(json.dumps(meta, sort_keys=True).encode(), digest_size=16)
    rows = torch.linspace(0, x.shape[0] - 1, min(x.shape[0], _FINGERPRINT_ROWS)).round().long()
    rows = rows.to(x.device)
    tensors = [x[rows], y[rows], *(v for _, v in sorted(ensemble.state_dict().items()))]
    for t in tensors:
        digest.update(t.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def checkpoint_settings(
    dataset_fingerprint: str | None,
    cfg: MLEConfig,
    hidden_dims: Any,
    precision: str,
    model_seed: int | np.integer[Any] | None = None,  # probe 135: numpy ints are taken
) -> dict[str, Any]:
    """What a checkpoint's training was started with, in words a user can pass again (read by
    :func:`rambo_env.model.note_other_checkpoints`, which compares its own the same way; the
    ``fingerprint`` guards the resume). ``model_seed``: the seed of the ensemble's initial weights
    (make_mdp's ``seed``), recorded as ``model_seed`` where known (probe 127; older checkpoints
    record ``cfg.seed`` only)."""
    settings = {
        "dataset": dataset_fingerprint,
        "mle_lr": float(cfg.lr),
        "mle_batch_size": int(cfg.batch_size),
        "seed": int(cfg.seed),
        "precision": str(precision),
        "hidden": [int(h) for h in hidden_dims],
    }
    if model_seed is not None:
        settings["model_seed"] = check_seed(model_seed, "model_seed")
    return settings


def _save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Atomically write ``state`` to ``path`` (``run_io.save_checkpoint``; a seam for tests)."""
    save_checkpoint(path, state)


def _mark_budget_ended(path: Path, stopped_by: str) -> None:
    """Record in a kept checkpoint that its budget ended it (``max_epochs`` / ``max_time``; its
    model is the caller's to cache); a checkpoint without the record was interrupted. Probe 42:
    the model cache's note called a finished ``--mle-max-epochs 1`` pretraining "unfinished".
    Not through the per-epoch :func:`_save_checkpoint` seam; the resumable state is unchanged."""
    try:  # a note's record only: a failure here must not lose the trained model
        state = load_torch_file(path)  # probe 135: protocol 3 without torch's warning
        save_checkpoint(path, state | {"stopped_by": stopped_by})
    except (OSError, RuntimeError, ValueError, pickle.UnpicklingError):
        logger.debug("MLE checkpoint %s: budget stop not recorded", path, exc_info=True)


def _load_checkpoint(path: Path, fingerprint: str) -> dict[str, Any] | None:
    """The checkpoint at ``path`` if it exists, is readable and belongs to ``fingerprint``; else
    ``None`` (after printing one line unless there was no file)."""
    if not path.is_file():
        return None
    check_readable(  # probe 18: was "unreadable; starting afresh", then written over
        path, "RAMBO_ENV_CACHE", ", or set RAMBO_ENV_CACHE to a folder of your own"
    )
    try:
        ckpt = load_torch_file(path)  # probe 128 row 7, probe 131 R4: pickle-protocol warning
        if not isinstance(ckpt, dict):
            raise ValueError(f"holds {type(ckpt).__name__}, not an MLE checkpoint")
        # probe 119 row 6: a newer version was "unreadable; starting afresh", and the newer
        # code's pretraining written over; a hand-edited one is named as the model's is
        check_not_newer(
            path,
            ckpt.get("version"),
            _CHECKPOINT_VERSION,
            "pretraining checkpoint",
            "resume its pretraining (or set RAMBO_ENV_CACHE to a folder of your own)",
            "version",
            allow_none=False,
            key_required=True,
        )
    except Exception as err:
        # probe 91 rows 4, 30: out of memory is no damaged file (the checkpoint, written over by
        # a fresh start, held the pretraining so far); probe 135: a pickle protocol 4 / 5 one is
        if not damaged_cache_entry(err):
            raise
        note(
            f"[rambo_env] MLE checkpoint {path} is unreadable "
            f"({brief_reason(unreadable_reason(err, path))}); starting MLE pretraining afresh"
        )
        return None
    if ckpt.get("fingerprint") != fingerprint:
        note(
            f"[rambo_env] MLE checkpoint {path} belongs to another dataset, model or config; "
            "ignoring it and starting MLE pretraining afresh"
        )
        return None
    return ckpt


def _restore_checkpoint(
    ckpt: dict[str, Any],
    ensemble: GaussianEnsemble,
    optimizer: torch.optim.Optimizer,
    tracker: _BestSnapshots,
    gen: torch.Generator,
) -> tuple[list[float], list[float], list[float], float]:
    """Load a checkpoint's state into the live objects -> (losses, history, epoch_end, elapsed_s)."""
    epochs = int(ckpt["epoch"])
    losses, history, epoch_end = (
        [float(v) for v in ckpt[k]] for k in ("losses", "history", "epoch_end_s")
    )
    if epochs < 1 or not len(losses) == len(history) == len(epoch_end) == epochs:
        raise ValueError(f"inconsistent epoch lists for epoch {epochs}")
    elapsed = float(ckpt["elapsed_s"])
    if not 0 <= elapsed < math.inf:
        raise ValueError(f"elapsed_s = {elapsed}")
    ensemble.load_state_dict(ckpt["ensemble"])
    optimizer.load_state_dict(ckpt["optimizer"])
    tracker.load_state_dict(ckpt["tracker"])
    gen.set_state(ckpt["gen_state"])
    return losses, history, epoch_end, elapsed


def _check_fit_inputs(ensemble: Any, dataset: Any, normalizer: Any, cfg: MLEConfig | None) -> None:
    """train_mle's objects and their dims, before any data are copied (was: a raw
    ``AttributeError: 'NoneType' object has no attribute 'to'``, and for an ensemble of other
    dims ``input mean: expected shape (8,), got (14,)``, naming neither)."""
    for what, value, cls, how in (
        ("ensemble", ensemble, GaussianEnsemble, "a GaussianEnsemble(obs_dim, action_dim)"),
        ("normalizer", normalizer, ObsNormalizer, "an ObsNormalizer.from_dataset(dataset)"),
    ):
        if not isinstance(value, cls):
            raise ValueError(f"{what}: expected {how}, got {type(value).__name__}")
    if cfg is not None and not isinstance(cfg, MLEConfig):
        raise ValueError(f"cfg: expected an MLEConfig or None, got {type(cfg).__name__}")
    if not all(hasattr(dataset, k) for k in ("observations", "actions", "rewards")):
        raise ValueError(
            "dataset: expected an OfflineDataset (rambo_env.load_dataset(name_or_path)), got "
            f"{type(dataset).__name__}"
        )
    obs_dim, action_dim = np.shape(dataset.observations)[-1], np.shape(dataset.actions)[-1]
    if (ensemble.obs_dim, ensemble.action_dim) != (obs_dim, action_dim):
        raise ValueError(
            f"ensemble: built for obs_dim={ensemble.obs_dim}, action_dim={ensemble.action_dim}, "
            f"but the dataset has obs_dim={obs_dim}, action_dim={action_dim}"
        )
    if normalizer.obs_dim != obs_dim:
        raise ValueError(
            f"normalizer: fitted on obs_dim={normalizer.obs_dim}, but the dataset has "
            f"obs_dim={obs_dim} (ObsNormalizer.from_dataset(dataset))"
        )
    _check_normalizer_fits(dataset, normalizer)


#: A normaliser whose z-scores of the dataset's observations have a mean or a std beyond this in
#: some dimension was fitted on other data (:func:`_check_normalizer_fits`): one fitted on a
#: subset or another dataset of the same env stays within a few units.
NORMALIZER_MISFIT = 10.0


def _check_normalizer_fits(dataset: Any, normalizer: ObsNormalizer) -> None:
    """One ValueError when ``normalizer`` does not z-score ``dataset.observations`` (probe 66
    row 22: a normaliser of other data trained to a holdout MSE of 2e5, and the only word blamed
    the learning rate). One float64 pass over the observations, before any copy to the device."""
    obs = np.asarray(dataset.observations)
    if obs.ndim != 2 or obs.shape[0] == 0 or obs.dtype.kind not in "iuf":
        return  # model_tensors names what is wrong with the data
    z_mean = (obs.mean(0, dtype=np.float64) - normalizer.mean) / normalizer.std  # [O]
    z_std = obs.std(0, dtype=np.float64) / normalizer.std  # [O]
    off = np.abs(z_mean) > NORMALIZER_MISFIT  # NaN rows: model_tensors refuses them
    off |= z_std > NORMALIZER_MISFIT
    if off.any():
        i = int(np.flatnonzero(off)[0])
        raise ValueError(
            f"normalizer: not fitted on this dataset (or on too few of its rows): its "
            f"normalised observations[:, {i}] have "
            f"mean {z_mean[i]:.3g} and std {z_std[i]:.3g} (z-scores: about 0 and 1); use "
            "ObsNormalizer.from_dataset(dataset)"
        )


def check_checkpoint_room(
    ensemble: GaussianEnsemble, path: Path, what: str, elsewhere: str
) -> None:
    """The disk holding ``path`` has room for :func:`train_mle`'s checkpoint there, a lower bound
    of 4 x the ensemble's weights (weights, two Adam moments, the best weights), before the first
    epoch (probe 66 / 69: a full disk was found at the end of the first epoch)."""
    weights = sum(w.numel() * w.element_size() for w in ensemble.parameters())
    check_free_space(path, 4 * weights, what, elsewhere=elsewhere)


@trains_with_grad("train_mle")
def train_mle(
    ensemble: GaussianEnsemble,
    dataset: Any,
    normalizer: ObsNormalizer,
    cfg: MLEConfig | None = None,
    device: str | torch.device = "auto",
    progress: bool = True,
    checkpoint_path: str | os.PathLike | None = None,
    compile: bool = False,
    model_seed: int | np.integer[Any] | None = None,  # probe 135: numpy ints are taken
) -> MLEReport:
    """Fit ``ensemble`` to ``dataset`` by Gaussian maximum likelihood (Alg. 1 line 1; App. B.1).

    ``dataset`` is an :class:`~rambo_env.data.dataset.OfflineDataset` (raw arrays); observations are
    normalised with ``normalizer``. Sets the model's input statistics from the training split,
    restores each member's best snapshot and sets ``ensemble.elite_idx``. Stops on the official
    early-stopping rule or on the ``max_epochs`` / ``max_time_s`` budget (default: one hour).

    With ``checkpoint_path``, the whole training state (weights, input statistics, optimiser, best
    snapshots, per-epoch lists, generator state, elapsed seconds) is written there atomically after
    every completed epoch, and a checkpoint found there at the start is resumed: the result is
    bitwise what an uninterrupted run gives (same device), ``max_time_s``, ``wall_s`` and
    ``epoch_end_s`` count the earlier sessions' time. A checkpoint of other data / model / config
    (budgets aside) or an unreadable one is ignored with one printed line. The file is removed when
    the early-stopping rule ends training; a ``max_epochs`` / ``max_time_s`` stop keeps it (at its
    last complete epoch), so that a run with a larger budget continues from there.

    ``compile``: each batch's loss, gradient and Adam step as one ``torch.compile`` graph
    (:class:`_MLEStep`; the loss alone where its optimizer is not plain Adam;
    :mod:`rambo_env.compile`), compiled before the first epoch, off the clock. The same numbers to
    float32 rounding, not bitwise; not part of the cache key: the checkpoint and the report
    record it per epoch, :attr:`MLEReport.compiled`.

    ``model_seed``: the seed of ``ensemble``'s initial weights (``make_mdp``'s ``seed``), recorded
    with the checkpoint's settings beside ``cfg.seed`` (probe 127: a seed loop over make_mdp's seed
    with ``MLEConfig.seed`` 0 was offered another seed's checkpoint to continue).
    """
    from rambo_env.compile import MaybeCompiled

    check_flag(compile, "compile")  # before the data are copied (was: "no" compiled)
    check_flag(progress, "progress")  # probe 21: "no" showed the bar
    if model_seed is not None:  # probe 132 row 7: "x" was int()'s raw error, 1.7 recorded as 1,
        check_seed(model_seed, "model_seed")  # -5 / "1" taken (and anything without a checkpoint)
    _check_fit_inputs(ensemble, dataset, normalizer, cfg)
    cfg = cfg if cfg is not None else MLEConfig()
    warn_large_lr(cfg)  # before hours of pretraining, not after them
    device = resolve_device(device)
    ensemble.to(device)
    if checkpoint_path is not None:  # probe 21: 5 was a raw TypeError, a folder or an unwritable
        if not isinstance(checkpoint_path, str | os.PathLike):  # path failed at the first save
            raise ValueError(
                f"checkpoint_path: expected a file path or None, got {type(checkpoint_path).__name__}"
            )
        check_output_file(
            checkpoint_path, "checkpoint_path", "give a file path in a writable folder, or None"
        )
    checkpoint_path = Path(checkpoint_path) if checkpoint_path is not None else None
    # torch's Optimizer.__init__ imports torch._dynamo the first time in a process: 1.5-4 s on
    # a loaded 2-core machine, which max_time_s = 2 counted as pretraining (session 56: the
    # probe-73 test alone, beside the CI, stopped after 1 of 4 epochs). Imported off the clock.
    import torch._dynamo

    start_time = time.perf_counter()
    gen = torch.Generator().manual_seed(cfg.seed)  # CPU generator: same indices on any device
    x_all, y_all = model_tensors(dataset, normalizer, device)
    fingerprint = _fingerprint(cfg, ensemble, x_all, y_all) if checkpoint_path else ""
    settings = (  # once, not per epoch (the dataset's fingerprint hashes every row)
        checkpoint_settings(
            dataset.fingerprint() if callable(getattr(dataset, "fingerprint", None)) else None,
            cfg,
            ensemble.config.hidden_dims,
            getattr(ensemble, "precision", "fp32"),
            model_seed,
        )
        if checkpoint_path
        else {}
    )
    x, y, x_hold, y_hold = _split(x_all, y_all, cfg, gen)
    del x_all, y_all
    n_train, n_members = x.shape[0], ensemble.n_members
    warn_few_rows(dataset, n_train + x_hold.shape[0], cfg, ensemble.n_elites)
    ensemble.set_input_stats(x.mean(0), x.std(0, correction=0))  # official scaler: train split
    boot = torch.randint(n_train, (n_members, n_train), generator=gen).to(device)  # [E, N_train]
    optimizer = make_adam(ensemble.parameters(), cfg.lr)
    tracker = _BestSnapshots(ensemble, cfg.improvement_threshold)
    losses, history, epoch_end = [], [], []
    initial = float(_holdout_mse(ensemble, x_hold, y_hold).mean())  # untrained (before a resume)
    loss_fn = MaybeCompiled(
        ensemble.mle_loss_from_tensors, enabled=compile, name="MLE loss (Alg. 1 line 1)"
    )
    compiled: list[bool | None] = []  # per epoch (probe 82 row 23: a resume did not say it)
    ckpt = _load_checkpoint(checkpoint_path, fingerprint) if checkpoint_path else None
    cap, budget = epoch_cap(cfg, n_train)
    beyond = _beyond_budget(ckpt, cfg, n_train) if ckpt is not None else ""
    if beyond:  # a larger budget's progress: never resumed past this budget, never overwritten
        note(
            f"[rambo_env] MLE checkpoint {checkpoint_path} is {beyond}; training this model "
            "from scratch without it (the checkpoint stays for larger budgets)"
        )
        ckpt, checkpoint_path = None, None
    from rambo_env.requirements import code_record

    started_by: dict[str, Any] = code_record()  # the code that begins the pretraining
    begun_by: dict[str, Any] | None = None  # another session's, when a checkpoint is resumed
    if ckpt is not None:  # split and boot are re-drawn above; the generator continues from ckpt
        fresh = ({k: v.clone() for k, v in ensemble.state_dict().items()}, gen.get_state())
        try:
            losses, history, epoch_end, elapsed = _restore_checkpoint(
                ckpt, ensemble, optimizer, tracker, gen
            )
        except Exception as err:  # damaged contents: start afresh from the untouched state
            if not damaged_file(err):  # probe 91 rows 4, 30: nor is any other error
                raise
            note(
                f"[rambo_env] MLE checkpoint {checkpoint_path} is unreadable ("
                f"{brief_reason(unreadable_reason(err, checkpoint_path))}); starting MLE "
                "pretraining afresh"
            )
            ensemble.load_state_dict(fresh[0])
            gen.set_state(fresh[1])
            optimizer = make_adam(ensemble.parameters(), cfg.lr)
            tracker = _BestSnapshots(ensemble, cfg.improvement_threshold)
            losses, history, epoch_end = [], [], []
        else:
            start_time -= elapsed  # the budget, wall_s and epoch_end_s count earlier sessions
            saved = ckpt.get("compiled")
            ok = isinstance(saved, list) and len(saved) == len(losses)
            compiled = list(saved) if ok else [None] * len(losses)  # older checkpoints: unknown
            story, now = compiled_story(compiled), "compiled" if loss_fn.active else "eager"
            mixed = (
                f"; its epochs so far ran {story}, these run {now}: the model differs from one "
                f"trained {now} throughout by float32 rounding (compile is not in the cache key)"
                if story is not None and story != now
                else ""
            )
            note(
                f"[rambo_env] resuming MLE pretraining from epoch {len(losses)} "
                f"({elapsed:.1f} s done) <- {checkpoint_path}{mixed}"
            )
            # probe 139 row 2: a checkpoint of other model code was continued without a word
            from rambo_env.dynamics.io import model_code_note

            started_by = ckpt.get("code") if isinstance(ckpt.get("code"), dict) else {}
            begun_by = dict(started_by)  # into the report, the model's meta and config.json
            other_code = model_code_note(started_by, checkpoint_path, what="the MLE checkpoint")
            if other_code is not None:
                note(f"[rambo_env] {other_code}")
        del ckpt
    step: _MLEStep | None = None
    if loss_fn.active and (cap is None or len(losses) < cap):
        # probe 73 row 20: compiling (about a minute on a CPU) counted against max_time_s, so a
        # short budget ended in the first epoch with an untrained model (holdout MSE 0.44 vs
        # 0.027), and that model was cached. The shapes are compiled first, off the clock.
        warm_start = time.perf_counter()
        step = _MLEStep(ensemble, optimizer, compile)  # after a resume: the loaded state
        step.warm_up(x, y, boot, cfg.batch_size)
        if not step.active:  # the batch piece by piece: its loss compiled
            _compile_warm_up(loss_fn, optimizer, x, y, boot, cfg.batch_size)
        warm_s = time.perf_counter() - warm_start
        start_time += warm_s
        if warm_s >= 1.0:
            what = "gradient step" if step.active else "loss"
            note(
                f"[rambo_env] compiling the MLE {what} took {warm_s:.1f} s (not counted in "
                "max_time_s, nor in the reported wall time)",
            )
    deadline = start_time + cfg.max_time_s if cfg.max_time_s is not None else math.inf
    stopped_by, timed_out = "max_epochs", False
    # probe 77 row 5: the bar was closed on the normal path only, so an interrupt left it in
    # tqdm's instances for the kernel's life (every later bar drawn nested, with cursor-up junk)
    with progress_bar(
        total=cap, initial=len(losses), desc="MLE", unit="epoch", progress=progress
    ) as bar:
        while True:
            if losses:  # the stop rules, after every epoch (and right after a resume)
                if tracker.since_improved > cfg.patience:
                    stopped_by = "early_stop"
                    break
                if timed_out or time.perf_counter() > deadline:
                    stopped_by = "max_time"
                    break
            if cap is not None and len(losses) >= cap:
                stopped_by = budget
                break
            order = boot[:, torch.randperm(n_train, generator=gen).to(device)]  # [E, N_train]
            loss, timed_out = _run_epoch(
                ensemble, optimizer, x, y, order, cfg.batch_size, deadline, loss_fn, step
            )
            mse = _holdout_mse(ensemble, x_hold, y_hold)  # [E]
            tracker.update(mse)
            losses.append(loss)
            history.append(float(mse.mean()))
            epoch_end.append(time.perf_counter() - start_time)
            compiled.append(loss_fn.active)
            logger.debug(
                "MLE epoch %d: train loss %.5f, holdout MSE %s", len(losses), loss, mse.tolist()
            )
            bar.set_postfix(  # first: a log file's line (LineBar) is written by update
                loss=f"{loss:.4g}", holdout_mse=f"{history[-1]:.4g}", stale=tracker.since_improved
            )
            bar.update(1)
            if checkpoint_path is not None and not timed_out:  # a cut-short epoch is not resumable
                _save_checkpoint(
                    checkpoint_path,
                    {
                        "version": _CHECKPOINT_VERSION,
                        "fingerprint": fingerprint,
                        "settings": settings,
                        "epoch": len(losses),
                        "elapsed_s": time.perf_counter() - start_time,
                        "ensemble": {k: v.detach().cpu() for k, v in ensemble.state_dict().items()},
                        "optimizer": optimizer.state_dict(),
                        "tracker": tracker.state_dict(),
                        "gen_state": gen.get_state(),  # uint8 tensor
                        "losses": list(losses),
                        "history": list(history),
                        "epoch_end_s": list(epoch_end),
                        "compiled": list(compiled),
                        "code": started_by,  # the code that began it (probe 139 row 2)
                    },
                )
    tracker.restore()
    final = _holdout_mse(ensemble, x_hold, y_hold)  # [E]
    ensemble.set_elites(torch.argsort(final)[: ensemble.n_elites])  # best first
    report = MLEReport(
        epochs=len(losses),
        holdout_mse=tuple(final.tolist()),
        elites=tuple(ensemble.elite_idx.tolist()),
        wall_s=time.perf_counter() - start_time,
        stopped_by=stopped_by,
        train_loss=tuple(losses),
        holdout_history=tuple(history),
        n_train=n_train,
        n_holdout=x_hold.shape[0],
        epoch_end_s=tuple(epoch_end),
        initial_holdout_mse=initial,
        compiled=tuple(compiled),
        begun_by=begun_by,
    )
    warn_no_improvement(report, cfg, getattr(dataset, "name", None))
    if stopped_by == "max_time":
        # session 38: the default preset's 120 s budget gave the main job a model of 2, 3 or a
        # part of an epoch as the machine's load went, so runs of one seed scored 8.0 to 9.1
        part = " and part of the next (cut short)" if timed_out else ""
        note(
            f"[rambo_env] note: MLE pretraining stopped at its time budget (max_time_s "
            f"{cfg.max_time_s:g}) after {counted(report.epochs, 'epoch')}{part}: the model, and "
            "every number trained on it, depend on this machine's speed and load, so another run "
            "of the same seed differs; a step or epoch budget (max_steps / max_epochs, "
            "--mle-max-steps / --mle-max-epochs) gives the same model every time",
        )
    if checkpoint_path is not None and stopped_by == "early_stop":
        # Converged: the final model is the caller's to save. A budget stop keeps the checkpoint
        # (its last complete epoch), so a larger budget continues the same trajectory.
        checkpoint_path.unlink(missing_ok=True)
    elif checkpoint_path is not None and checkpoint_path.is_file():
        _mark_budget_ended(checkpoint_path, stopped_by)
    logger.info(
        "MLE pretraining: %d epochs (%s) in %.1f s, elites %s, holdout MSE %s",
        report.epochs, stopped_by, report.wall_s, report.elites, [round(v, 5) for v in final.tolist()],
    )  # fmt: skip
    return report
