"""The learned MDP: the core that every model-env front-end (single, vector, SB3) is a thin view of.

Shaped like Gymnasium's ``FuncEnv``: ``initial(n, rng)`` draws start states, ``transition(obs,
action, rng)`` samples the model, and the generator is always passed in. All tensors live on
``device``; the only host -> device traffic per step is the drawn member indices and noise.

A model state is a NORMALISED observation (``ObsNormalizer``): the ensemble consumes and produces
normalised observations, the termination function un-normalises once. A state produced by the
model is never normalised again (a real bug in the OfflineRL-Kit port; RAMBO-DETAILS.md).
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
import torch

from rambo_env.compile import compile_disabled
from rambo_env.data.dataset import float32_bounds
from rambo_env.dynamics import io
from rambo_env.dynamics.ensemble import (
    EnsembleConfig,
    GaussianEnsemble,
    check_precision,
    resolve_device,
    resolve_precision,
)
from rambo_env.dynamics.termination import check_rule, exact_rule, get_termination_fn
from rambo_env.dynamics.training import (
    _BUDGET_FIELDS,
    MLEConfig,
    check_checkpoint_room,
    checkpoint_settings,
    compiled_story,
    epoch_cap,
    train_mle,
    warn_few_rows,
    warn_no_improvement,
)
from rambo_env.logging import note
from rambo_env.normalization import ObsNormalizer
from rambo_env.requirements import code_record
from rambo_env.run_io import (
    check_default_device,
    check_default_dtype,
    check_file_or_absent,
    check_flag,
    check_output_streams,
    check_readable,
    check_seed,
    check_torch_int_variables,
    counted,
    damaged_cache_entry,
    is_int,
    load_torch_file,
    numpy_underflow_ignored,
    type_name,
    unreadable_reason,
)
from rambo_env.torch_files import brief_reason

if TYPE_CHECKING:
    from rambo_env.data.dataset import OfflineDataset

__all__ = [
    "LearnedMDP",
    "NonFiniteModelError",
    "check_make_mdp_options",
    "check_model_args",
    "dataset_action_space",
    "make_mdp",
    "resolve_device",
]

TerminationFn = Callable[[torch.Tensor], torch.Tensor]

#: What to do about a model-cache file this user may not read (another user's, in a shared
#: cache): it is not damaged, so it is neither deleted nor trained over.
_NOT_YOURS = ", or set RAMBO_ENV_CACHE to a folder of your own (the model is then trained there)"


def dataset_action_space(dataset: OfflineDataset) -> gym.spaces.Box:
    """The real env's action space (``gym.make(dataset.env_id, **dataset.env_kwargs)``), else
    one from the data.

    Without a makeable env: ``Box(-1, 1)`` when every dataset action lies in [-1, 1] (the
    continuous-control convention the agents' tanh squashing assumes), else the per-dimension
    min/max of the dataset actions.
    """
    if dataset.env_id is not None:
        try:
            env = gym.make(dataset.env_id, **getattr(dataset, "env_kwargs", {}))
        except gym.error.Error:
            env = None
        if env is not None:
            space = env.action_space
            env.close()
            if not isinstance(space, gym.spaces.Box) or space.shape != (dataset.action_dim,):
                raise ValueError(
                    f"dataset.env_id={dataset.env_id!r}: action_space {space} does not match "
                    f"dataset.action_dim={dataset.action_dim}"
                )
            return _float32_box(space)
    low = dataset.actions.min(axis=0).astype(np.float32)  # [A]
    high = dataset.actions.max(axis=0).astype(np.float32)  # [A]
    if low.min() >= -1.0 and high.max() <= 1.0:
        return gym.spaces.Box(-1.0, 1.0, shape=(dataset.action_dim,), dtype=np.float32)
    return gym.spaces.Box(low, high, dtype=np.float32)


def _float32_box(space: gym.spaces.Box) -> gym.spaces.Box:
    """``space`` as a float32 Box, its bounds cast here: float64 bounds round to the nearest
    float32, beyond float32's range they become its largest finite value (±inf stays ±inf).
    Probe 110 rows 32, 33: ``Box(space.low, space.high, dtype=float32)`` left the cast to
    gymnasium, whose raw "Box low's precision lowered by casting to float32" (float64 bounds)
    and numpy's "overflow encountered in cast" (float16 bounds) reached the user."""
    return gym.spaces.Box(float32_bounds(space.low), float32_bounds(space.high), dtype=np.float32)


class NonFiniteModelError(ValueError):
    """The dynamics model has non-finite weights or predicts non-finite states / rewards (e.g. a
    huge adversary weight λ, or a user's own update of the ensemble that blew up)."""


class LearnedMDP:
    """The learned MDP of Section 3 / Alg. 1: start states from the dataset, a Gaussian ensemble.

    Args:
        ensemble: the dynamics ensemble (updated in place by the adversary, Alg. 1 line 5).
        normalizer: observation z-score; states here are normalised observations.
        termination_fn: raw (un-normalised) next obs ``[B, O]`` -> bool ``[B]``.
        start_obs: ``[N, O]`` normalised dataset observations (the reset distribution).
        device: where every tensor lives (default: the ensemble's device).
        action_space: the env-scale action space (default ``Box(-1, 1)``); front-ends expose it.
        env_id: the Gymnasium env of the data (``make_mdp`` sets the dataset's; None: unknown),
            so that ``gym.make("RamboModel-<env>-…", mdp=mdp)`` can refuse a model of another env.
        dataset_name: the name of the dataset the model was built on (``make_mdp`` sets it; None:
            unknown, as in pickles of older versions), so that
            ``gym.make("RamboModel-hopper-random", mdp=<a hopper-medium mdp>)`` is refused.

    Attributes:
        adversary_steps: the adversary updates (Alg. 1 line 5) its ensemble has taken since the
            MLE model: 0 for a :func:`make_mdp` model, None when unknown (a file or pickle of an
            older rambo_env); :meth:`save` records it and :meth:`load` restores it.
    """

    def __init__(
        self,
        ensemble: GaussianEnsemble,
        normalizer: ObsNormalizer,
        termination_fn: TerminationFn,
        start_obs: torch.Tensor | np.ndarray,
        device: str | torch.device | None = None,
        action_space: gym.spaces.Box | None = None,
        env_id: str | None = None,
        dataset_name: str | None = None,
    ) -> None:
        _check_parts(ensemble, normalizer, termination_fn, env_id)
        if dataset_name is not None and not isinstance(dataset_name, str):
            raise ValueError(f"dataset_name: expected a string or None, got {dataset_name!r}")
        self.env_id = env_id
        self.dataset_name = dataset_name
        self.adversary_steps: int | None = 0
        self.device = (
            next(ensemble.parameters()).device if device is None else resolve_device(device)
        )
        self.ensemble = ensemble.to(self.device)
        self.normalizer = normalizer
        self.termination_fn = termination_fn
        if not isinstance(start_obs, torch.Tensor | np.ndarray):  # probe 21: None was a raw
            raise ValueError(  # "must be real number, not NoneType"
                f"start_obs: expected a tensor or numpy array [N, {ensemble.obs_dim}] of "
                f"normalised observations, got {type(start_obs).__name__}"
            )
        # a copy (probe 69 row 8: as_tensor shared a float32 array / CPU tensor, so the caller's
        # later write, a NaN row too, reached the start states past the finite check below)
        start_obs = torch.as_tensor(start_obs).detach().to(self.device, torch.float32, copy=True)
        if start_obs.ndim != 2 or start_obs.shape[0] == 0 or start_obs.shape[1] != ensemble.obs_dim:
            raise ValueError(
                f"start_obs: expected shape [N > 0, {ensemble.obs_dim}], got {tuple(start_obs.shape)}"
            )
        finite = torch.isfinite(start_obs).all(dim=1)  # [N]; probe 18: NaN rows were start states
        if not bool(finite.all()):
            row = int((~finite).nonzero()[0, 0])
            raise ValueError(
                f"start_obs[{row}]: not finite ({start_obs[row].tolist()[:4]} …); the start states "
                "are normalised dataset observations: drop or fix the non-finite rows"
            )
        self.start_obs = start_obs  # [N, O]
        if action_space is None:
            action_space = gym.spaces.Box(-1.0, 1.0, (ensemble.action_dim,), dtype=np.float32)
        if not isinstance(action_space, gym.spaces.Box):
            raise ValueError(
                f"action_space: expected a gymnasium.spaces.Box of continuous actions, got "
                f"{action_space!r}"
            )
        if action_space.shape != (ensemble.action_dim,):
            raise ValueError(
                f"action_space: shape {action_space.shape} != (ensemble.action_dim="
                f"{ensemble.action_dim},)"
            )
        self.action_space = action_space
        self.observation_space = gym.spaces.Box(
            -np.inf, np.inf, shape=(ensemble.obs_dim,), dtype=np.float32
        )

    @property
    def obs_dim(self) -> int:
        return int(self.ensemble.obs_dim)

    @property
    def action_dim(self) -> int:
        return int(self.ensemble.action_dim)

    @property
    def target_dim(self) -> int:
        return int(self.ensemble.target_dim)

    @property
    def normalizer(self) -> ObsNormalizer:
        """The observation z-score the model's states are in (``normalize`` raw observations,
        ``unnormalize`` model states)."""
        return self._normalizer

    @normalizer.setter
    def normalizer(self, value: ObsNormalizer) -> None:
        # probe 101 rows 44-46: ``mdp.normalizer = None`` was a raw "'NoneType' object has no
        # attribute 'unnormalize'" at the next step, one of another obs dim blamed the step's
        # obs, and one refitted on other data was taken silently (the ensemble and the start
        # states stay in the old z-scores; the adversary's real batch too)
        ensemble = self.__dict__.get("ensemble")
        if ensemble is not None:
            _check_normalizer(value, ensemble, "mdp.normalizer")
        old = self.__dict__.get("_normalizer")
        if old is not None and not (
            np.array_equal(old.mean, value.mean) and np.array_equal(old.std, value.std)
        ):
            gap = float(np.abs(np.asarray(old.mean) - np.asarray(value.mean)).max())
            ratio = float(np.max(np.asarray(value.std) / np.asarray(old.std)))
            raise ValueError(
                "mdp.normalizer: the ObsNormalizer given has other statistics than the one "
                f"this model was built with (means differ by up to {gap:.3g}, stds by a factor up to "
                f"{ratio:.3g}); the ensemble and the start states are in that one's z-scores, so "
                "it cannot be replaced: build a new model on that data (make_mdp(dataset)), and "
                "a new env / ModelAdversary on it"
            )
        self.__dict__["_normalizer"] = value

    def initial(self, n: int, rng: np.random.Generator) -> torch.Tensor:
        """``n`` start states drawn uniformly from the dataset (Alg. 1 line 3). -> ``[n, O]``."""
        _check_count(n)
        _check_rng(rng)
        idx = torch.from_numpy(rng.integers(0, self.start_obs.shape[0], size=n)).to(self.device)
        return self.start_obs[idx]  # [n, O] (a copy: rows may be overwritten by the caller)

    def draw(self, n: int, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """One random elite per row (App. B.1) and standard-normal noise, in that order.

        Returns ``(member_idx LongTensor [n], noise [n, T])``; ``T = obs_dim + 1``.
        """
        _check_count(n)
        _check_rng(rng)
        elite_idx = self.ensemble.elite_idx
        pos = torch.from_numpy(rng.integers(0, elite_idx.shape[0], size=n))
        member_idx = elite_idx[pos.to(elite_idx.device)].to(self.device)  # [n]
        noise = rng.standard_normal((n, self.target_dim), dtype=np.float32)
        return member_idx, torch.from_numpy(noise).to(self.device)  # [n], [n, T]

    def step_with(
        self,
        obs: torch.Tensor,
        action: torch.Tensor,
        member_idx: torch.Tensor,
        noise: torch.Tensor,
        *,
        check_finite: bool = True,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Deterministic model step given the members and the noise (Section 3, Eq. 5's sampler).

        ``obs [B, O]`` normalised, ``action [B, A]`` env scale -> ``(next_obs [B, O] normalised,
        reward [B], terminated bool [B])``. Gradients are not blocked: front-ends call it under
        ``torch.no_grad()``. ``check_finite=False`` skips the non-finite check of ``obs`` and
        ``action`` (one host sync): the front-ends and the adversary, whose actions are checked
        or whose states are the model's own, pass it in their per-step loops.
        """
        for name, value in (
            ("obs", obs),
            ("action", action),
            ("member_idx", member_idx),
            ("noise", noise),
        ):
            self._check_tensor(name, value)
        if check_flag(check_finite, "check_finite"):  # probe 21: "no" was truthy; a NaN noise
            _check_finite_rows(obs=obs, action=action, noise=noise)  # gave NaN states silently
            self._check_action_bounds(action)
        self.check_ensemble_dtype()
        next_obs, reward = self.ensemble.sample(obs, action, member_idx, noise)  # [B, O], [B]
        return next_obs, reward.reshape(-1), self.terminated(next_obs)

    def terminated(
        self, next_obs: torch.Tensor, stats: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> torch.Tensor:
        """The env's termination rule on model states ``next_obs`` [B, O] (normalised) -> bool [B].

        ``stats``: the normaliser's ``(mean, std)`` tensors (``normalizer.tensors(device,
        dtype)``), for code traced by ``torch.compile`` (no numpy read inside)."""
        # The model state is already normalised: un-normalise exactly once for the raw-obs test.
        if stats is None:
            raw = self.normalizer.unnormalize(next_obs)  # [B, O]
        else:
            raw = next_obs * stats[1] + stats[0]  # [B, O]  ObsNormalizer.unnormalize
        return self.termination_fn(raw).reshape(-1).to(torch.bool)  # [B]

    def transition(
        self,
        obs: torch.Tensor,
        action: torch.Tensor,
        rng: np.random.Generator,
        *,
        check_finite: bool = True,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``step_with(obs, action, *draw(B, rng))`` (``check_finite``: see :meth:`step_with`)."""
        self._check_tensor("obs", obs)  # before the draw (it reads obs.shape)
        self._check_tensor("action", action)
        _check_rng(rng)
        if obs.ndim >= 1 and obs.shape[0] == 0:  # probe 19: was the draw's "n: expected a …"
            raise ValueError(f"obs: no rows (shape {tuple(obs.shape)}); step at least one state")
        # before the draw: a refused call leaves rng untouched (probe 21: "no" was truthy)
        if check_flag(check_finite, "check_finite"):
            _check_finite_rows(obs=obs, action=action)
            self._check_action_bounds(action)
            self._watch_raw(obs)
        member_idx, noise = self.draw(obs.shape[0], rng)
        return self.step_with(obs, action, member_idx, noise, check_finite=False)

    def _watch_raw(self, obs: torch.Tensor) -> None:
        """Warn when the first checked :meth:`transition` of this mdp is given RAW observations
        (probe 101 row 57: a user's batched rollout from ``ds.observations`` ran without a word,
        while the same states at ``reset(options={"state": …})`` were named); the model envs'
        detector (:func:`~rambo_env.envs.model_env.warn_raw_state`). Once: one host copy; the
        front-ends' and the adversary's per-step loops pass ``check_finite=False``."""
        if self.__dict__.get("_raw_watched"):
            return
        self.__dict__["_raw_watched"] = True
        if obs.ndim != 2 or obs.shape[1] != self.obs_dim:
            return  # step_with names the shape
        from rambo_env.envs.model_env import warn_raw_state

        warn_raw_state(
            obs.detach().cpu().numpy(),
            self,
            "obs",
            "LearnedMDP.transition steps NORMALISED observations: pass "
            "mdp.normalizer.normalize(raw_obs)",
        )

    def check_finite_step(self, next_obs: torch.Tensor, reward: torch.Tensor, what: str) -> None:
        """:class:`NonFiniteModelError` naming the first non-finite predicted next state / reward
        of a step by ``what`` (the front-end) and the first non-finite ensemble parameter, if any.
        One host sync when all are finite (issue 14, probe 33: a model with NaN weights gave NaN
        observations and rewards with ``terminated=True``, silently)."""
        if bool(torch.isfinite(next_obs).all() & torch.isfinite(reward).all()):
            return
        entries = [(n, v) for n, v in (("next state", next_obs), ("reward", reward))]
        name, value = next((n, v) for n, v in entries if not bool(torch.isfinite(v).all()))
        index = [int(i) for i in (~torch.isfinite(value)).nonzero()[0]]
        bad = [n for n, p in self.ensemble.named_parameters() if not bool(torch.isfinite(p).all())]
        cause = (
            f"its ensemble weights are non-finite ({', '.join(bad[:3])}"
            f"{' …' if len(bad) > 3 else ''}): an update of mdp.ensemble that blew up (a huge "
            "adversary weight or learning rate?); rebuild the model (make_mdp) or restore its "
            "weights"
            if bad
            else "its weights are finite: a state far outside the data (check the states "
            "given to reset(options={'state': …}))"
        )
        raise NonFiniteModelError(
            f"{what}: the dynamics model predicted a non-finite {name} "
            f"({name}{index} = {value[tuple(index)].item()}); {cause}"
        )

    def check_ensemble_dtype(self) -> None:
        """One ValueError when ``mdp.ensemble`` was cast away from float32 (probe 34:
        ``mdp.ensemble.half()`` to save memory was torch's raw "Input dtypes must be the same"
        inside ``step``). Two attribute reads: the model envs' steps and the adversary's
        rollouts call it every step."""
        ensemble = self.ensemble
        dtype = ensemble.mean_head.weight.dtype
        if dtype is torch.float32 and ensemble.hidden[0].weight.dtype is torch.float32:
            return
        if dtype is torch.float32:
            dtype = ensemble.hidden[0].weight.dtype
        raise ValueError(
            f"mdp.ensemble is {str(dtype).removeprefix('torch.')} (cast with .half() / "
            ".double() / .to(dtype)?), but the model's steps (the envs, the adversary) compute in "
            'float32 (bf16 only as mixed precision, with float32 weights); use make_mdp(…, precision="bf16") for '
            "lower precision, or cast it back with mdp.ensemble.float()"
        )

    def _check_action_bounds(self, action: torch.Tensor) -> None:
        """One ValueError naming the first action outside ``action_space`` (probe 19: the model
        extrapolated silently from actions it was never trained on; the envs clip, this
        low-level call does not). A float32 rounding margin of 1e-6 is allowed. An action of
        another width is named first (probe 68: the bounds' broadcast was torch's raw "The size
        of tensor a (2) must match the size of tensor b (3)")."""
        if action.ndim < 1 or action.shape[-1] != self.action_dim:
            raise ValueError(
                f"action: expected shape [B, {self.action_dim}] (action_dim {self.action_dim}), "
                f"got {tuple(action.shape)}"
            )
        low = torch.as_tensor(self.action_space.low, dtype=action.dtype, device=action.device)
        high = torch.as_tensor(self.action_space.high, dtype=action.dtype, device=action.device)
        margin = 1e-6 * torch.clamp(torch.maximum(low.abs(), high.abs()), min=1.0)
        outside = (action < low - margin) | (action > high + margin)
        if not bool(outside.any()):
            return
        index = [int(i) for i in outside.nonzero()[0]]
        j = index[-1]
        raise ValueError(
            f"action{index}: {action[tuple(index)].item()} is outside the action space "
            f"[{self.action_space.low[j]}, {self.action_space.high[j]}]; clip it to the bounds "
            "(the envs clip; the model was trained on actions inside them)"
        )

    def _check_tensor(self, name: str, value: Any) -> None:
        """One ValueError naming ``name`` unless it is a torch tensor on the mdp's device (was a
        raw ``AttributeError: 'numpy.ndarray' object has no attribute 'dim'``, or torch's
        device-mismatch error)."""
        if not isinstance(value, torch.Tensor):
            raise ValueError(
                f"{name}: expected a torch.Tensor (the mdp's methods take and return tensors on "
                f"mdp.device = {self.device}), got {type(value).__name__}; convert with "
                f"torch.as_tensor({name}, dtype=torch.float32, device=mdp.device)"
            )
        if value.is_complex():  # probe 18: the imaginary part was dropped with a warning only
            raise ValueError(
                f"{name}: a complex tensor ({value.dtype}); the mdp's methods take real tensors "
                "(obs, action: float32; member_idx: long)"
            )
        if value.device.type != self.device.type or (
            self.device.index is not None and value.device.index != self.device.index
        ):
            raise ValueError(
                f"{name}: a tensor on {value.device}, but the mdp is on {self.device}; move it "
                f"with {name}.to(mdp.device)"
            )

    def to(self, device: str | torch.device) -> LearnedMDP:
        """Move the ensemble, the start states (and a module termination fn) in place."""
        self.device = resolve_device(device)
        self.ensemble.to(self.device)
        self.start_obs = self.start_obs.to(self.device)
        if isinstance(self.termination_fn, torch.nn.Module):
            self.termination_fn.to(self.device)
        return self

    def save(self, path: str | os.PathLike) -> Path:
        """Write the model to ``path`` in the model cache's weights-only format
        (:func:`rambo_env.dynamics.io.save_model`: the ensemble's weights, e.g. after adversary
        updates, and the normaliser; atomic); :meth:`load` builds it back. Returns the path.

        Probe 100 row 33: ``torch.save(mdp, path)`` pickles the object, and ``torch.load`` of it
        in another process was torch's UnpicklingError advising an unsafe ``weights_only=False``
        load; this file loads with ``weights_only=True``."""
        meta = {"env_id": self.env_id, "dataset_name": self.dataset_name}
        if self.adversary_steps is not None:
            meta["adversary_steps"] = int(self.adversary_steps)
        return io.save_model(path, self.ensemble, self.normalizer, meta=meta | self._precision())

    def _precision(self) -> dict[str, str]:
        """``{"precision": …}`` of a bf16 ensemble (the cache's meta key), else nothing."""
        precision = getattr(self.ensemble, "precision", "fp32")
        return {} if precision == "fp32" else {"precision": precision}

    @classmethod
    def load(
        cls,
        path: str | os.PathLike,
        dataset: OfflineDataset | str | Path,
        *,
        device: str | torch.device = "auto",
    ) -> LearnedMDP:
        """The model :meth:`save` wrote to ``path`` (or a ``RAMBO_ENV_CACHE`` entry), as
        :func:`make_mdp` builds it on ``dataset`` (the one it was built on: start states,
        termination rule and action bounds come from it); read weights-only by
        :func:`rambo_env.dynamics.io.load_model`, which names a missing, damaged or foreign file.
        A model of other data (its normaliser differs from ``dataset``'s) is refused."""
        from rambo_env.data.dataset import OfflineDataset
        from rambo_env.data.loaders import load_dataset, validate_for_env

        loaded = io.load_model(path, device)  # the file first: it names the path
        dataset = (
            validate_for_env(dataset)
            if isinstance(dataset, OfflineDataset)
            else load_dataset(dataset)
        )
        normalizer = ObsNormalizer.from_dataset(dataset)
        saved = loaded.meta.get("dataset_name") if isinstance(loaded.meta, dict) else None
        said = "" if saved is None else f"; it was built on {saved!r}"
        if (loaded.ensemble.obs_dim, loaded.ensemble.action_dim) != (
            dataset.obs_dim,
            dataset.action_dim,
        ) or not all(
            np.array_equal(getattr(loaded.normalizer, f), getattr(normalizer, f))
            for f in ("mean", "std")
        ):
            raise ValueError(
                f"dataset: {dataset.name!r} is not the data the model in {path} was built on "
                f"(its observation statistics differ{said}); pass the dataset of the saved mdp "
                "(mdp.dataset_name)"
            )
        if isinstance(loaded.meta, dict) and loaded.meta.get("precision") not in (None, "fp32"):
            loaded.ensemble.set_precision(loaded.meta["precision"])
        mdp = cls.on_dataset(
            loaded.ensemble, normalizer, dataset, next(loaded.ensemble.parameters()).device
        )
        # probe 119 row 21: a restored adversarially trained model was called "the MLE model of
        # make_mdp"; a file written before the count was recorded: unknown
        steps = loaded.meta.get("adversary_steps") if isinstance(loaded.meta, dict) else None
        mdp.adversary_steps = int(steps) if is_int(steps) and steps >= 0 else None
        return mdp

    @classmethod
    def on_dataset(
        cls,
        ensemble: GaussianEnsemble,
        normalizer: ObsNormalizer,
        dataset: OfflineDataset,
        device: str | torch.device,
    ) -> LearnedMDP:
        """The MDP of ``ensemble`` on ``dataset`` (:func:`make_mdp` and :meth:`load`): start
        states (Alg. 1 line 3), termination rule and action bounds from the data."""
        start_obs = normalizer.normalize(torch.tensor(dataset.observations, device=device))
        return cls(
            ensemble,
            normalizer,
            get_termination_fn(dataset.env_id, dataset),
            start_obs,
            device=device,
            action_space=dataset_action_space(dataset),
            env_id=dataset.env_id,
            dataset_name=dataset.name,
        )

    def __getstate__(self) -> dict[str, Any]:
        # Pickle CPU copies so a CUDA-built MDP unpickles on a CPU-only machine; the weights
        # travel with it (the live object keeps its device).
        state = self.__dict__.copy()
        state["normalizer"] = state.pop("_normalizer")  # the pickled field's name, as before
        state.pop("_raw_watched", None)  # an unpickled copy watches its first transition again
        if self.device.type != "cpu":
            state["ensemble"] = copy.deepcopy(self.ensemble).to("cpu")
            state["start_obs"] = self.start_obs.cpu()
            if isinstance(self.termination_fn, torch.nn.Module):
                state["termination_fn"] = copy.deepcopy(self.termination_fn).to("cpu")
        state["device"] = str(self.device)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__["_normalizer"] = self.__dict__.pop("normalizer")  # the property's field
        self.__dict__.setdefault("dataset_name", None)  # a pickle from before probe 37: unknown
        self.__dict__.setdefault("adversary_steps", None)  # from before probe 119: unknown
        device = torch.device(state["device"])
        if device.type == "cuda" and not torch.cuda.is_available():
            device = torch.device("cpu")
        self.device = torch.device("cpu")
        self.to(device)

    def __repr__(self) -> str:
        return (
            f"LearnedMDP(obs_dim={self.obs_dim}, action_dim={self.action_dim}, "
            f"n_start={self.start_obs.shape[0]}, elites={self.ensemble.elite_idx.tolist()}, "
            f"device={self.device})"
        )


def _check_count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n: expected a positive int, got {n!r}")


def _check_finite_rows(**tensors: torch.Tensor) -> None:
    """One ValueError naming the first non-finite entry of the named tensors (probe 19: NaN
    observations or actions given to ``mdp.transition`` came back as NaN next states, silently).
    One host sync when all are finite."""
    if bool(torch.stack([torch.isfinite(t).all() for t in tensors.values()]).all()):
        return
    for name, value in tensors.items():
        bad = (~torch.isfinite(value)).nonzero()
        if bad.shape[0]:
            index = [int(i) for i in bad[0]]
            raise ValueError(
                f"{name}{index}: not finite ({value[tuple(index)].item()}); the mdp steps finite "
                "normalised observations and env-scale actions: drop or fix the non-finite rows"
            )


def _check_rng(rng: Any) -> None:
    """``rng`` of ``initial`` / ``draw`` / ``transition`` (probe 18: ``initial(3, 0)`` was a raw
    ``AttributeError: 'int' object has no attribute 'integers'``)."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng: expected a numpy.random.Generator (np.random.default_rng(seed)), got "
            f"{type(rng).__name__}"
        )


def _check_normalizer(normalizer: Any, ensemble: GaussianEnsemble, name: str) -> None:
    """An :class:`ObsNormalizer` of the ensemble's obs_dim, named ``name`` when not (the
    constructor's ``normalizer``, or ``mdp.normalizer`` assigned later: probe 101 rows 45-46)."""
    if not isinstance(normalizer, ObsNormalizer):
        raise ValueError(
            f"{name}: expected a rambo_env.normalization.ObsNormalizer, got "
            f"{type_name(normalizer, ObsNormalizer, 'normalizer')} (ObsNormalizer.from_dataset(dataset))"
        )
    if normalizer.mean.shape != (ensemble.obs_dim,):
        raise ValueError(
            f"{name}: fitted on obs_dim={normalizer.mean.shape[0]} observations, but the "
            f"ensemble's obs_dim is {ensemble.obs_dim}"
        )


def _check_parts(ensemble: Any, normalizer: Any, termination_fn: Any, env_id: Any) -> None:
    """The parts of a :class:`LearnedMDP`, each named when wrong (probe 18: ``None`` as the
    normalizer or termination function was taken, then a raw ``AttributeError`` / "'NoneType'
    object is not callable" at the first step; ``None`` as the ensemble a raw AttributeError)."""
    if not isinstance(ensemble, GaussianEnsemble):
        raise ValueError(
            f"ensemble: expected a rambo_env.dynamics.ensemble.GaussianEnsemble, got "
            f"{type_name(ensemble, GaussianEnsemble, 'ensemble')} (make_mdp(dataset) builds the whole LearnedMDP)"
        )
    _check_normalizer(normalizer, ensemble, "normalizer")
    if not callable(termination_fn):
        raise ValueError(
            f"termination_fn: expected a function of raw next observations [B, O] -> bool [B], "
            f"got {type(termination_fn).__name__} (get_termination_fn(env_id, dataset))"
        )
    if env_id is not None and not isinstance(env_id, str):
        raise ValueError(f"env_id: expected a Gymnasium id string or None, got {env_id!r}")


@numpy_underflow_ignored  # probe 118 row 13: a caller's np.seterr
def make_mdp(
    dataset: OfflineDataset | str | Path,
    *,
    device: str | torch.device = "auto",
    ensemble_config: EnsembleConfig | None = None,
    mle_config: MLEConfig | None = None,
    seed: int = 0,
    cache: bool = True,
    progress: bool = True,
    precision: str = "fp32",
    compile: bool = False,
    env_id: str | None = None,
) -> LearnedMDP:
    """Load the dataset, fit (or load the cached) MLE ensemble (Alg. 1 line 1), build the MDP.

    Args:
        dataset: an ``OfflineDataset`` or anything ``load_dataset`` accepts (name, path).
        device: ``"auto"`` -> cuda if available, else cpu.
        ensemble_config: architecture (default: App. B.1, 7 members x 4 x 200).
        mle_config: pretraining (default: ``MLEConfig(seed=seed)``).
        seed: seeds the ensemble's initial weights (and the default ``MLEConfig``).
        cache: load / store the trained model in ``io.cache_dir()``, keyed by the dataset
            fingerprint, both configs and ``seed``; MLE pretraining then checkpoints every epoch
            to ``io.partial_path(io.trajectory_key(...))``, shared by every ``max_epochs`` /
            ``max_time_s`` budget: a killed run resumes from it, and a larger budget continues
            where a smaller one stopped.
        progress: show the MLE progress bar.
        precision: ``fp32`` or ``bf16`` (mixed precision for the ensemble's MLE, rollouts and
            adversary: :meth:`GaussianEnsemble.set_precision`; its own cache key), or ``auto``:
            ``bf16`` where ``device`` has native bf16, else ``fp32``
            (:func:`~rambo_env.dynamics.ensemble.resolve_precision`). The default stays ``fp32``
            (the official precision; a library user's numbers and cache keys do not change with
            the hardware), while ``scripts/cotrain.py`` defaults to ``--precision auto``: pass
            ``precision="auto"`` for the model a default cotrain run trains (probe 142 row 51).
        compile: MLE pretraining's loss through ``torch.compile`` (same numbers to float32
            rounding; not part of the cache key).
        env_id: the registered Gymnasium env the data come from, overriding the data's own (as
            ``load_dataset(dataset, env_id=...)``, which it is passed to; a dataset object too):
            its termination rule, action bounds and evaluation env.
    """
    from rambo_env.data.dataset import OfflineDataset
    from rambo_env.data.loaders import (  # lazy: Minari, h5py
        check_content,
        load_dataset,
        validate_for_env,
    )

    seed = check_model_args(ensemble_config, mle_config, seed)  # before the dataset load
    check_make_mdp_options(cache=cache, progress=progress, precision=precision, compile=compile)
    # probe 118 row 11: sys.stderr = None (pythonw) with the bar was tqdm's raw AttributeError
    progress = check_output_streams(progress, "make_mdp")
    device = resolve_device(device)  # also before it (a load may generate 1M transitions)
    precision = resolve_precision(precision, device)  # auto: as cotrain's (its cache key too)
    # A dataset object is validated, its content checked unless load_dataset did (warnings only);
    # a name or path is resolved and announced.
    if env_id is not None:  # probe 43: the loader's "pass env_id=..." was a raw TypeError here
        dataset = load_dataset(dataset, env_id=env_id)
    elif isinstance(dataset, OfflineDataset):
        dataset = validate_for_env(dataset)
        check_content(dataset, unless_checked=True)
    else:
        dataset = load_dataset(dataset)
    ensemble_config = ensemble_config if ensemble_config is not None else EnsembleConfig()
    mle_config = mle_config if mle_config is not None else MLEConfig(seed=seed)
    rule = exact_rule(dataset.env_id, getattr(dataset, "env_kwargs", None))
    if rule is not None:  # probe 98 row 7: a rule in numpy failed after the MLE pretraining
        check_rule(rule, dataset.env_id, dataset.next_observations)
    normalizer = ObsNormalizer.from_dataset(dataset)
    ensemble = _cached_or_trained_ensemble(
        dataset, normalizer, ensemble_config, mle_config, seed, device, cache, progress,
        precision, compile,
    )  # fmt: skip
    ensemble.set_precision(precision)
    return LearnedMDP.on_dataset(ensemble, normalizer, dataset, device)


def check_make_mdp_options(*, cache: Any, progress: Any, precision: Any, compile: Any) -> None:
    """``make_mdp``'s cheap options (and the default dtype), checked before any dataset load: a
    load may generate 1M transitions first (probe 60: ``gym.make("RamboModel-…",
    precision="fp16")`` generated the data, then refused). One ValueError naming the option."""
    check_default_dtype("make_mdp")
    check_default_device("make_mdp")  # probe 91 row 5: was torch's "Cannot copy out of meta tensor"
    check_torch_int_variables()  # probe 143: the MLE's Adam imports torch._dynamo (raw int() error)
    # probe 118 rows 8-10: a closed / broken / write-only stdout was a raw error at a note, after
    # the model was trained and cached (gym.make too)
    check_output_streams(False, "make_mdp")
    for name, value in (("compile", compile), ("cache", cache), ("progress", progress)):
        check_flag(value, name)  # was: compile="no" compiled (any truthy value switched it on)
    check_precision(precision, allow_auto=True)  # probe 142 row 51: cotrain's default, refused


def check_model_args(
    ensemble_config: EnsembleConfig | None, mle_config: MLEConfig | None, seed: Any
) -> int:
    """The configs are the dataclasses (or None) and ``seed`` an int >= 0; ValueError otherwise.
    Returns the seed as a Python int (probe 61: a numpy one reached the cache key's JSON)."""
    for name, value, kind in (
        ("ensemble_config", ensemble_config, EnsembleConfig),
        ("mle_config", mle_config, MLEConfig),
    ):
        if value is not None and not isinstance(value, kind):
            raise ValueError(
                f"{name}: expected a {kind.__module__}.{kind.__name__} or None, got "
                f"{type(value).__name__} (e.g. {kind.__name__}(**your_dict))"
            )
    return check_seed(seed)


def _check_finite(ensemble: GaussianEnsemble, what: str, hint: str = "it cannot be used") -> None:
    bad = [name for name, t in ensemble.state_dict().items() if not torch.isfinite(t).all()]
    if bad:
        raise ValueError(f"{what}: non-finite weights in {bad[:5]}; {hint}")


def _cached_or_trained_ensemble(
    dataset: OfflineDataset,
    normalizer: ObsNormalizer,
    ensemble_config: EnsembleConfig,
    mle_config: MLEConfig,
    seed: int,
    device: torch.device,
    cache: bool,
    progress: bool,
    precision: str = "fp32",
    compile: bool = False,
) -> GaussianEnsemble:
    """Alg. 1 line 1, or its cached result; prints where the model came from.

    Training holds the cache entry's lock (:func:`io.cache_lock`): a second process that needs
    the same model waits for the first, then loads what it cached instead of training it again.
    """
    key_args = (dataset.fingerprint(), ensemble_config, mle_config, seed, precision)
    path = io.cache_path(io.cache_key(*key_args))
    train = (
        dataset, normalizer, ensemble_config, mle_config, seed, device, progress, precision, compile
    )  # fmt: skip
    if not cache:
        return _trained_ensemble(*train, path=None)
    io.check_cache_enterable()  # probe 114 R11: was a raw "[Errno 13]" of the entry
    # probe 93 row 27: a folder at the cache entry was "ValueError path: … is a folder" only
    # after MLE pretraining, naming an argument the caller never passed; it is left alone
    check_file_or_absent(
        path,
        "RAMBO_ENV_CACHE: the cache entry of this dynamics model",
        "the model trained here could not be saved there: remove or rename it, or set "
        "RAMBO_ENV_CACHE to another folder (or pass cache=False)",
    )

    def few_rows_warned(model: GaussianEnsemble) -> GaussianEnsemble:
        # probe 32: a cached model of too few rows was loaded without a word; probe 123: said as
        # pretraining, though a cache hit trains nothing
        n_elites = ensemble_config.n_elites
        warn_few_rows(dataset, dataset.n_transitions, mle_config, n_elites, cached=path)
        return model

    cached = _cached_ensemble(path, dataset, normalizer, device, key_args, compile)
    if cached is not None:
        return few_rows_warned(cached)
    io.check_cache_dir()  # before the first epoch, not after it
    partial = io.partial_path(io.trajectory_key(*key_args))
    with io.cache_lock(path):
        cached = _cached_ensemble(
            path, dataset, normalizer, device, key_args, compile
        )  # trained while we waited?
        if cached is not None:
            return few_rows_warned(cached)
        if _adopt_early_stopped(path, key_args):  # probe 92 row 39: was retrained from scratch
            cached = _cached_ensemble(path, dataset, normalizer, device, key_args, compile)
            if cached is not None:
                return few_rows_warned(cached)
        # Another budget of the same trajectory may be training it: its checkpoint is shared.
        with io.cache_lock(partial):
            _adopt_legacy_partial(io.legacy_partial_path(path), partial)
            if not partial.exists():
                note_other_checkpoints(
                    dataset, ensemble_config, mle_config, precision, partial, seed=key_args[3]
                )
            return _trained_ensemble(*train, path=path, partial=partial)


def _adopt_early_stopped(path: Path, key_args: tuple[Any, ...]) -> bool:
    """Copy to ``path`` (this run's cache entry, absent) a cached model of the same data, model,
    seed and precision that differs only in its MLE budgets, when early stopping ended it within
    this run's budgets: pretraining here would retrace its epochs and stop where it stopped, so it
    is this run's model (the budgets are in the cache key). Says so; True when copied.

    Probe 92 row 39: a model early-stopped under session 23's defaults (max_time_s 120, no
    max_steps) was retrained from scratch (the same weights) under today's (no time budget,
    max_steps 10000), whose other key hid it: hours at paper size."""
    fingerprint, ensemble_config, mle_config, seed, precision = key_args
    trajectory = io.trajectory_key(*key_args)  # the key less the budgets
    for other in sorted(path.parent.glob("dynamics-*.pt")):
        if other == path or other.name.endswith(".partial.pt"):
            continue
        try:
            loaded = io.load_model(other, "cpu")
        except Exception:  # unreadable: its own key's run says so
            continue
        theirs, report = loaded.mle_config, loaded.report
        if theirs is None or report is None or report.stopped_by != "early_stop":
            continue
        theirs_key = (fingerprint, ensemble_config, theirs, seed, precision)
        # its settings under this run's data, model, seed and precision give its name only when
        # those are the same (entries before session 33 record no meta)
        if io.trajectory_key(*theirs_key) != trajectory or other.stem != (
            f"dynamics-{io.cache_key(*theirs_key)}"
        ):
            continue
        cap, _ = epoch_cap(mle_config, report.n_train)
        if (cap is not None and report.epochs > cap) or (
            mle_config.max_time_s is not None and report.wall_s > mle_config.max_time_s
        ):
            continue  # this run's budgets stop it earlier: another model
        meta = {**loaded.meta, **io.cache_meta(*key_args)}  # its mle_compiled, this run's key
        io.save_model(path, loaded.ensemble, loaded.normalizer, mle_config, report, meta=meta)
        budgets = ", ".join(f"{k} {getattr(theirs, k)}" for k in _BUDGET_FIELDS)
        note(
            f"[rambo_env] note: the model cache holds {other.name}, this dataset's model under "
            f"other MLE budgets ({budgets}) that early stopping ended at "
            f"{counted(report.epochs, 'epoch')}, within this run's: pretraining here gives the "
            f"same model, so it is reused (copied to {path.name})",
        )
        return True
    return False


def note_other_checkpoints(
    dataset: OfflineDataset,
    ensemble_config: EnsembleConfig,
    mle_config: MLEConfig,
    precision: str,
    partial: Path,
    seed: int | None = None,
) -> None:
    """Before pretraining afresh, say which unfinished pretrainings in the model cache are of
    this dataset under other settings (and which settings continue them), and how many others
    predate the record of their settings. Those of another (model) seed are said to be not
    continued: each seed pretrains its own model (probe 123 row 27: a seed loop's second seed was
    told to "pass one's settings to continue it", sharing the first seed's model). ``seed``:
    make_mdp's seed (of the ensemble's initial weights), compared with a checkpoint's recorded
    ``model_seed`` as ``MLEConfig.seed`` is with its ``seed`` (probe 127: a loop over make_mdp's
    seed, ``MLEConfig.seed`` kept 0, was still offered another seed's checkpoint to continue).

    Probe 26: the same command after an upgrade (whose defaults had changed: MLE lr 1e-3, bf16)
    ignored the old run's hours of pretraining of this dataset without a word."""
    flags = {"mle_lr": "--mle-lr", "mle_batch_size": "MLEConfig.batch_size",
             "precision": "--precision", "hidden": "--ensemble-hidden"}  # fmt: skip
    mine = checkpoint_settings(None, mle_config, ensemble_config.hidden_dims, precision)
    mine = {k: mine[k] for k in flags}  # the settings a flag changes
    unknown, same_data, other_seeds, n_ended = [], [], [], 0
    actions: list[np.ndarray] = []  # the dataset's action mean and std, once one is needed
    for other in sorted(partial.parent.glob("dynamics-*.partial.pt")):
        if other == partial:
            continue
        try:
            state = load_torch_file(other)  # probe 135: protocol 3 without torch's warning
            epochs, settings = int(state.get("epoch", 0)), state.get("settings")
            stopped_by = state.get("stopped_by")
        except Exception:  # unreadable: train_mle says so when it is this run's
            continue
        if not isinstance(settings, dict):
            if _may_be_of(state, dataset, actions):  # probe 113: was of any env, then of
                unknown.append(f"{other.name} ({counted(epochs, 'epoch')})")  # any of the env
            continue
        if settings.get("dataset") != dataset.fingerprint():
            continue
        theirs = (settings.get("seed", mle_config.seed), settings.get("model_seed"))
        if settings.get("seed", mle_config.seed) != mle_config.seed or (
            seed is not None and settings.get("model_seed", seed) != seed
        ):
            # probe 123 row 27: a seed loop's seed 1 was told to continue seed 0's pretraining
            # (the seeds would then share one model); each seed's model is its own. Probe 127:
            # make_mdp's seed too (recorded as model_seed; a checkpoint of an earlier version
            # records MLEConfig.seed only)
            other_seeds.append(theirs)
            continue
        differ = [
            f"{_as_flag(flags[k], settings.get(k))} (now {_as_flag(flags[k], v, bare=True)})"
            for k, v in mine.items()
            if settings.get(k) != v
        ]
        # probe 42: a finished --mle-max-epochs 1 pretraining was called "unfinished"
        ended = {
            "max_epochs": f"--mle-max-epochs {epochs}",
            "max_steps": "--mle-max-steps",
            "max_time": "--mle-max-time-s",
        }
        how = "unfinished"
        if stopped_by in ended:
            how, n_ended = f"finished at its {ended[stopped_by]} budget", n_ended + 1
        # nothing recorded differs: a field no flag sets (was "another seed", whatever it was),
        # or, in a checkpoint of an earlier version (MLEConfig.seed only), make_mdp's own seed
        unrecorded = "other EnsembleConfig / MLEConfig fields"
        if "model_seed" not in settings:
            unrecorded = f"another make_mdp seed, or {unrecorded}"
        same_data.append(
            f"{other.name}, {counted(epochs, 'epoch')}, {how}: {', '.join(differ) or unrecorded}"
        )
    if same_data:
        what = "unfinished MLE pretraining(s)" if not n_ended else "MLE pretraining checkpoint(s)"
        extend = (
            " (a finished one with a larger --mle-max-steps / --mle-max-epochs / --mle-max-time-s)"
            if n_ended
            else ""
        )
        note(
            f"[rambo_env] note: the model cache holds {len(same_data)} {what} of this dataset "
            f"under other settings ({'; '.join(same_data[:3])}"
            f"{' …' if len(same_data) > 3 else ''}); pass one's settings to continue it{extend} "
            "instead of starting afresh"
        )
    if other_seeds:
        if all(model in (None, mle) for mle, model in other_seeds):
            seeds = "seed " + ", ".join(str(mle) for mle in sorted({m for m, _ in other_seeds})[:5])
        else:
            seeds = "; ".join(sorted({_seeds_of(*pair) for pair in other_seeds})[:5])
        note(
            f"[rambo_env] note: the model cache holds "
            f"{counted(len(other_seeds), 'MLE pretraining checkpoint')} of this dataset under "
            f"other seeds ({seeds}); this run ({_seeds_of(mle_config.seed, seed)}) pretrains its own "
            "model afresh, as each seed does (the seed is part of the model-cache key: the "
            "paper's protocol, one model per seed); nothing to do"
        )
    if unknown:
        note(
            f"[rambo_env] note: the model cache holds {len(unknown)} unfinished MLE "
            f"pretraining(s) written before their settings were recorded ({', '.join(unknown[:3])}"
            f"{' …' if len(unknown) > 3 else ''}); if one is of this dataset, rerun with the "
            "settings it was started with to continue it (earlier versions defaulted to --mle-lr "
            "3e-4, the earliest also to --precision fp32)"
        )


def _seeds_of(mle_seed: Any, model_seed: Any) -> str:
    """A pretraining's seeds in words: ``seed 1`` where make_mdp's seed (``model_seed``; None:
    not recorded) is MLEConfig's, else both."""
    if model_seed is None or model_seed == mle_seed:
        return f"seed {mle_seed}"
    return f"make_mdp seed {model_seed}, MLEConfig.seed {mle_seed}"


def _input_stat(state: Any, name: str) -> np.ndarray | None:
    """An MLE checkpoint ``state``'s ensemble buffer ``name`` (``input_mean`` / ``input_std``),
    None when it cannot be read from it."""
    try:
        return state["ensemble"][name].double().cpu().numpy()
    except (KeyError, TypeError, AttributeError):
        return None


#: How far (in the dataset's action standard deviations, per action) an MLE checkpoint's input
#: statistics may be from this dataset's actions' and still be of this dataset: its train split
#: (90 % of the rows or more) is within a few hundredths of the whole.
_ACTION_STATS_TOLERANCE = 0.2


def _may_be_of(state: Any, dataset: OfflineDataset, actions: list[np.ndarray]) -> bool:
    """Whether an MLE checkpoint ``state`` that records no settings may be of ``dataset``: its
    model inputs ``[obs_norm, action]`` are as wide as the dataset's (probe 113: was of any
    env), and the action part of its input statistics (the official scaler's, of its train
    split) is the dataset's actions' mean and std (probe 113 leftover: was of every dataset of
    the env; the normalised observations' part is about 0 / 1 for any dataset). True when they
    cannot be read. ``actions``: the dataset's action [mean, std], filled on first use."""
    width = (dataset.obs_dim + dataset.action_dim,)
    mean, std = _input_stat(state, "input_mean"), _input_stat(state, "input_std")
    if mean is None or mean.shape != width:
        return mean is None
    if std is None or std.shape != width:
        return True
    if not actions:
        data = np.asarray(dataset.actions, dtype=np.float64)
        actions.extend([data.mean(0), data.std(0)])
    data_mean, data_std = actions
    scale = np.maximum(data_std, 1e-6)
    near_mean = np.abs(mean[dataset.obs_dim :] - data_mean) <= _ACTION_STATS_TOLERANCE * scale
    # a constant action's std is stored as 1 (set_input_stats): its std is not compared
    near_std = (np.abs(std[dataset.obs_dim :] - data_std) <= _ACTION_STATS_TOLERANCE * scale) | (
        data_std < 1e-6
    )
    return bool(near_mean.all() and near_std.all())


def _as_flag(flag: str, value: Any, bare: bool = False) -> str:
    """``--ensemble-hidden 8`` for hidden sizes ``[8, 8, 8, 8]`` (cotrain's four equal layers;
    probe 42: was ``--ensemble-hidden [8, 8, 8, 8]``, which the flag, one int, does not take);
    other layer sizes as ``EnsembleConfig.hidden_dims (8, 16)``. ``bare``: the value only."""
    if flag == "--ensemble-hidden" and isinstance(value, list):
        if len(value) == 4 and len(set(value)) == 1:
            value = value[0]
        else:
            flag, value = "EnsembleConfig.hidden_dims", tuple(value)
    return str(value) if bare else f"{flag} {value}"


def _adopt_legacy_partial(legacy: Path, partial: Path) -> None:
    """Move a checkpoint written where it lived before trajectory keys (beside its model) to
    ``partial``, the one all budgets of its trajectory share (train_mle's fingerprint check still
    guards what it resumes)."""
    if legacy.is_file() and not partial.exists():
        os.replace(legacy, partial)
        note(f"[rambo_env] MLE checkpoint {legacy} -> {partial} (shared by every budget)")


def _cached_ensemble(
    path: Path,
    dataset: OfflineDataset,
    normalizer: ObsNormalizer,
    device: torch.device,
    key_args: tuple[Any, ...],
    compile: bool = False,
) -> GaussianEnsemble | None:
    """The cached model at ``path``; None if there is none, or it was unusable or of other
    settings than ``key_args`` (:func:`io.cache_key`'s arguments; then removed). ``compile``:
    whether this run compiles, said against how the cached model was pretrained."""
    if not path.is_file():
        return None
    check_readable(path, "RAMBO_ENV_CACHE", _NOT_YOURS)  # was: deleted and trained anew
    try:
        loaded = io.load_model(path, device)
        # issue 14: a model of other settings copied under this key was loaded without a word
        differ = io.cache_mismatch(
            loaded, path, *key_args, dims=(dataset.obs_dim, dataset.action_dim)
        )
        if differ is not None:
            note(
                f"[rambo_env] cached dynamics model {path} was built for other settings "
                f"({differ}); removing it and training anew"
            )
            path.unlink(missing_ok=True)
            return None
        _check_finite(loaded.ensemble, f"cached model {path}")
        if not np.array_equal(loaded.normalizer.mean, normalizer.mean) or not np.array_equal(
            loaded.normalizer.std, normalizer.std
        ):
            raise ValueError(f"its normalizer does not match dataset {dataset.name!r}")
    except Exception as err:  # a corrupt or foreign cache entry: report, remove, rebuild
        # probe 91 rows 4, 30: was any error (a meta default device, out of memory): the valid
        # file, hours of MLE at paper size, was deleted; probe 135: a file re-saved with pickle
        # protocol 4 / 5 (PickleProtocolError) stopped every rerun although it is only a cache
        if not damaged_cache_entry(err):
            raise
        # probe 63: load_model's own message was cut mid-word and repeated the path
        said = str(err).removeprefix(f"model file {path}: ").split("; it was damaged")[0]
        said = said if said != str(err) else unreadable_reason(err, path)
        if said.startswith("unreadable (") and said.endswith(")"):
            said = said[len("unreadable (") : -1]
        said = brief_reason(said)
        note(
            f"[rambo_env] cached dynamics model {path} is unreadable ({said}); removing it and "
            "training anew"
        )
        path.unlink(missing_ok=True)
        return None
    # probe 82 row 6: compile is not in the cache key (a paper-size pretraining takes hours), so a
    # model pretrained in the other mode was reused without a word: how it ran is said here
    story = compiled_story(loaded.report.compiled) if loaded.report is not None else None
    trained = (
        ""
        if loaded.report is None
        else f" (trained {counted(loaded.report.epochs, 'epoch')}"
        f"{'' if story is None else ', ' + story})"
    )
    note(f"[rambo_env] dynamics model for {dataset.name!r} <- cache {path}{trained}")
    other_code = io.model_code_note(loaded.meta, path)  # probe 138 row 33: was no word
    if other_code is not None:
        note(f"[rambo_env] {other_code}")
    now = "compiles" if compile and compile_disabled() is None else "runs eager"
    if story is not None and story != {"compiles": "compiled", "runs eager": "eager"}[now]:
        note(
            f"[rambo_env] note: this cached model was pretrained {story}; this run {now}: its "
            "numbers match runs that reused this model, not a fresh "
            f"{'compiled' if now == 'compiles' else 'eager'} pretraining (float32 rounding; "
            "compile is not in the cache key)",
        )
    if loaded.report is not None:  # said again on every load, as at its training
        warn_no_improvement(loaded.report, key_args[2], dataset.name)
    if loaded.report is not None and loaded.report.stopped_by == "max_time":
        # probe 92 row 35: a model an old version stopped after 1 epoch (its compile counted
        # against max_time_s until de15b6e) was reused under the same key without a word
        note(
            f"[rambo_env] note: this cached model stopped at its time budget (max_time_s "
            f"{key_args[2].max_time_s}) after {counted(loaded.report.epochs, 'epoch')} "
            f"({loaded.report.wall_s:.1f} s; versions before de15b6e also counted torch.compile's "
            "warm-up in it): another machine, load or version stops elsewhere; to retrain it, "
            f"delete {path} (its kept MLE checkpoint, if any, is continued), or give a step "
            "budget (--mle-max-steps N --mle-max-time-s none)",
        )
    return loaded.ensemble


def _trained_ensemble(
    dataset: OfflineDataset,
    normalizer: ObsNormalizer,
    ensemble_config: EnsembleConfig,
    mle_config: MLEConfig,
    seed: int,
    device: torch.device,
    progress: bool,
    precision: str,
    compile: bool,
    path: Path | None,
    partial: Path | None = None,
) -> GaussianEnsemble:
    """Alg. 1 line 1: MLE pretraining; with a cache ``path``, checkpointed every epoch to
    ``partial`` (a killed run resumes, a larger budget continues) and the model saved at ``path``."""
    generator = torch.Generator().manual_seed(seed)  # CPU: same initial weights on any device
    ensemble = GaussianEnsemble(
        dataset.obs_dim, dataset.action_dim, ensemble_config, generator=generator
    ).to(device)
    ensemble.set_precision(precision)
    if partial is not None:  # probe 66: a full disk was found at the first epoch's checkpoint
        check_checkpoint_room(
            ensemble,
            partial,
            "the MLE pretraining's checkpoint (weights, two Adam moments, best weights)",
            "RAMBO_ENV_CACHE",
        )
    report = train_mle(
        ensemble,
        dataset,
        normalizer,
        mle_config,
        device,
        progress=progress,
        checkpoint_path=partial,
        compile=compile,
        model_seed=seed,
    )
    elite_mse = [report.holdout_mse[i] for i in report.elites]
    # was: "the trained model: non-finite weights …; it cannot be used", naming no cause or fix
    causes = (
        f"the learning rate {mle_config.lr:g} too large (--mle-lr, MLEConfig.lr; official 3e-4), "
        "or rewards or observations too large?"
    )
    try:
        if not all(math.isfinite(m) for m in elite_mse):
            raise ValueError(
                f"dataset {dataset.name!r}: MLE pretraining gave a non-finite holdout MSE "
                f"{elite_mse} ({causes}); the model was not cached"
            )
        _check_finite(
            ensemble,
            f"dataset {dataset.name!r}: MLE pretraining left a model with",
            f"the model was not cached ({causes})",
        )
    except ValueError:
        if partial is not None:  # a budget stop keeps it; never a non-finite trajectory
            partial.unlink(missing_ok=True)
        raise
    where, not_cached = "", ""
    if path is not None:
        try:
            meta = io.cache_meta(
                dataset.fingerprint(), ensemble_config, mle_config, seed, precision
            )
            meta |= code_record()  # probe 113: which rambo_env trained it (a copy keeps it)
            saved = io.save_model(path, ensemble, normalizer, mle_config, report, meta=meta)
            where = f", saved to {saved}"
        except OSError as err:  # disk full, ...: the trained model is still good for this run
            not_cached = f"[rambo_env] WARNING: not cached, used from memory: {err}"
    note(
        f"[rambo_env] dynamics model for {dataset.name!r} <- trained: {counted(report.epochs, 'epoch')} "
        f"({report.stopped_by}, {report.wall_s:.1f} s), holdout MSE of elites "
        f"{[round(report.holdout_mse[i], 5) for i in report.elites]}"
        f"{where}"
    )
    if not_cached:  # probe 122: was "; WARNING: …" in the INFO note (dropped at WARNING verbosity)
        note(not_cached)
    return ensemble
