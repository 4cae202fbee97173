"""Observation normalisation shared by the model, the policy, the critics and evaluation.

RAMBO (official code, on the MOPO codebase) z-scores observations with the dataset's mean and
standard deviation (``std + 1e-6``). Everything downstream of the dataset works on NORMALISED
observations: the dynamics model predicts normalised next states, so a state the model produced
must never be normalised again. Termination functions and the real environment see raw states
(:meth:`ObsNormalizer.unnormalize` / :meth:`ObsNormalizer.normalize`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from rambo_env.run_io import check_state_dict, is_real, warn_each_time

if TYPE_CHECKING:
    import torch

__all__ = ["ObsNormalizer", "raw_scale_evidence"]

ArrayT = TypeVar("ArrayT", np.ndarray, "torch.Tensor")
STD_FLOOR = 1e-6
"""The smallest std :class:`ObsNormalizer` takes by default: the eps of the official code (and of
:meth:`ObsNormalizer.from_observations`), which never makes a smaller one."""


@dataclass(frozen=True, eq=False)
class ObsNormalizer:
    """Z-score observation normaliser: ``(obs - mean) / std``.

    ``eq=False``: the fields are arrays, so equality is identity (use :meth:`state_dict` to
    compare values). Works on numpy arrays and torch tensors of any leading shape ``[..., obs_dim]``;
    a tensor keeps its device and dtype, a float array keeps its dtype.
    """

    mean: np.ndarray
    """[obs_dim] float32 per-dimension mean of the dataset observations."""
    std: np.ndarray
    """[obs_dim] float32 per-dimension standard deviation (+ eps, so never zero)."""
    env_id: str | None = field(default=None, repr=False)
    """The Gymnasium id of the env whose data it was fitted on (:meth:`from_dataset`; None: not
    known, e.g. one pickled before it was recorded): ``evaluate_policy`` warns when a policy is
    evaluated in another env or env version (probe 42)."""
    _tensors: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    min_std: float = field(default=STD_FLOOR, repr=False, compare=False, kw_only=True)
    """The smallest std entry accepted (probe 60 row 33: a hand-given std of 1e-30 normalised to
    1e30 without a word): :meth:`from_observations` passes a smaller ``eps`` on; 0 accepts any
    positive std."""

    def __post_init__(self) -> None:
        mean, std = (self._as_stats(name, getattr(self, name)) for name in ("mean", "std"))
        if mean.ndim != 1 or mean.shape[0] == 0:  # probe 21: shape (0,) was taken
            raise ValueError(
                f"ObsNormalizer.mean: expected shape [obs_dim] with obs_dim >= 1, got {mean.shape}"
            )
        if std.shape != mean.shape:
            raise ValueError(f"ObsNormalizer.std: shape {std.shape} != mean shape {mean.shape}")
        for name, arr in (("mean", mean), ("std", std)):
            bad = np.flatnonzero(~np.isfinite(arr))
            if bad.size:
                raise ValueError(f"ObsNormalizer.{name}[{bad[0]}] is not finite: {arr[bad[0]]}")
        bad = np.flatnonzero(std <= 0)
        if bad.size:
            raise ValueError(f"ObsNormalizer.std[{bad[0]}] must be > 0, got {std[bad[0]]}")
        if not (is_real(self.min_std) and 0 <= self.min_std < np.inf):
            raise ValueError(
                f"ObsNormalizer.min_std: expected a finite number >= 0 (default {STD_FLOOR:g}), "
                f"got {self.min_std!r}"
            )
        message = self._tiny_std(std, self.min_std)
        if message is not None:
            raise ValueError(message)
        if self.env_id is not None and not isinstance(self.env_id, str):
            raise ValueError(
                f"ObsNormalizer.env_id: expected a Gymnasium env id (str) or None, got "
                f"{type(self.env_id).__name__} {str(self.env_id)[:60]!r}"
            )
        mean.setflags(write=False)
        std.setflags(write=False)
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "std", std)

    @staticmethod
    def _tiny_std(std: np.ndarray, floor: float) -> str | None:
        """The message for the first ``std`` entry below ``floor`` (compared in float32, the
        stored dtype), or None."""
        bad = np.flatnonzero(std < np.float32(floor))
        if not bad.size:
            return None
        return (
            f"ObsNormalizer.std[{bad[0]}] = {std[bad[0]]:.3g} is below {floor:g}, the floor "
            "ObsNormalizer.from_observations adds (a constant feature?): its normalised values "
            f"blow up by 1/std; add eps to it (or pass min_std={std[bad[0]]:.3g} to keep it)"
        )

    @staticmethod
    def _as_stats(name: str, value: Any) -> np.ndarray:
        """``value`` as a float32 copy; one ValueError naming the field for strings, None, complex
        or object values (probe 19: ``ObsNormalizer("a", "b")`` gave numpy's raw "could not
        convert string to float")."""
        import torch

        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        arr = np.asarray(value) if not isinstance(value, str | bytes) else np.asarray(value, object)
        if arr.dtype.kind not in "iuf":  # bool, complex, str, object (None)
            raise ValueError(
                f"ObsNormalizer.{name}: expected an array of real numbers [obs_dim], got "
                f"{type(value).__name__} {str(value)[:60]!r} (dtype {arr.dtype}); "
                "fit one with ObsNormalizer.from_dataset(dataset)"
            )
        return arr.astype(np.float32)

    @classmethod
    def from_dataset(cls, dataset: Any, eps: float = 1e-6) -> ObsNormalizer:
        """Fit on ``dataset.observations`` [N, obs_dim]: mean and ``std + eps`` (official: 1e-6)."""
        if not hasattr(dataset, "observations"):  # was: a raw AttributeError
            raise ValueError(
                "dataset: expected an OfflineDataset (rambo_env.load_dataset(name_or_path)), got "
                f"{type(dataset).__name__}; for an array use ObsNormalizer.from_observations"
            )
        fitted = cls.from_observations(dataset.observations, eps=eps)
        env_id = getattr(dataset, "env_id", None)
        env_id = env_id if isinstance(env_id, str) else None
        return cls(fitted.mean, fitted.std, env_id=env_id, min_std=fitted.min_std)

    @classmethod
    def from_observations(cls, observations: np.ndarray, eps: float = 1e-6) -> ObsNormalizer:
        """Fit on raw observations [N, obs_dim] (statistics in float64, stored as float32).

        A constant dimension (std < eps) gets std 1 instead of eps: dividing by 1e-6 would blow
        model outputs for that dimension up to ~1e6 (e.g. the fixed start state of App. C.1).
        """
        # probe 30: eps=-1 was "ObsNormalizer.std[0] must be > 0, got -0.809", blaming std
        if not (is_real(eps) and np.isfinite(eps) and eps > 0):
            raise ValueError(f"eps: expected a finite value > 0 (default 1e-6), got {eps!r}")
        obs = np.asarray(observations, dtype=np.float64)
        if obs.ndim != 2 or obs.shape[0] == 0:
            raise ValueError(
                f"observations: expected a non-empty [N, obs_dim] array, got {obs.shape}"
            )
        bad = np.argwhere(~np.isfinite(obs))
        if bad.size:  # probe 66 row 25: was "ObsNormalizer.mean[0] is not finite", blaming mean
            row, col = (int(i) for i in bad[0])
            raise ValueError(
                f"observations[{row}, {col}] is not finite: {obs[row, col]}; drop or fix that row "
                "before fitting the normaliser"
            )
        std = obs.std(axis=0)
        std = np.where(std < eps, 1.0, std + eps)
        return cls(mean=obs.mean(axis=0), std=std, min_std=min(STD_FLOOR, float(std.min())))

    @property
    def obs_dim(self) -> int:
        return int(self.mean.shape[0])

    def _stats_like(self, x: ArrayT) -> tuple[Any, Any]:
        import torch

        if isinstance(x, torch.Tensor):
            dtype = x.dtype if x.is_floating_point() else torch.float32
            return self._cached_tensors(x.device, dtype)
        return self.mean, self.std

    def tensors(
        self, device: torch.device, dtype: torch.dtype
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(mean, std)`` [obs_dim] as torch tensors on ``device``, the caller's own: an in-place
        change of them (``m.mul_(2)``) changes neither the normaliser nor its tensor cache (probe
        69 row 5: they were the cache itself, so ``normalize(tensor)`` silently followed the change
        while ``normalize(array)`` did not). One on-device copy of 2 x obs_dim numbers per call:
        code traced by ``torch.compile`` takes them once instead of reading numpy per step."""
        mean, std = self._cached_tensors(device, dtype)
        return mean.clone(), std.clone()

    def _cached_tensors(
        self, device: torch.device, dtype: torch.dtype
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """:meth:`tensors` without the copy, for this class's own per-call use (cached: no
        host->device copy per :meth:`normalize` of a tensor); never handed out."""
        import torch

        key = (torch.device(device), dtype)
        if key not in self._tensors:  # checked once per (device, dtype): never on the hot path
            if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
                raise ValueError(  # probe 63: int64 truncated std < 1 to 0 without a word
                    f"dtype: expected a floating torch dtype (torch.float32), got {dtype!r}"
                )
            try:
                self._tensors[key] = tuple(
                    torch.tensor(a, device=device, dtype=dtype) for a in (self.mean, self.std)
                )
            except (AssertionError, RuntimeError) as err:  # e.g. CUDA on a CPU-only torch
                raise ValueError(f"device: {device} is not usable here ({err})") from None
        return self._tensors[key]

    def _check(self, x: ArrayT) -> None:
        import torch

        if not isinstance(x, np.ndarray | torch.Tensor):  # probe 20: was a raw AttributeError
            raise ValueError(
                f"obs: expected a numpy array or torch tensor [..., obs_dim={self.obs_dim}], got "
                f"{type(x).__name__}; convert with np.asarray(obs, dtype=np.float32)"
            )
        if x.shape[-1:] != (self.obs_dim,):
            raise ValueError(
                f"obs: last dimension must be obs_dim={self.obs_dim}, got shape {tuple(x.shape)}"
            )
        if isinstance(x, np.ndarray):
            real = x.dtype.kind in "iuf"
        else:
            real = not (x.is_complex() or x.dtype == torch.bool)
        if not real:
            # probe 21: strings were numpy's raw "could not convert string to float"
            raise ValueError(
                f"obs: expected real numbers [..., obs_dim={self.obs_dim}], got dtype {x.dtype}"
            )

    def normalize(self, x: ArrayT) -> ArrayT:
        """Raw -> normalised: ``(x - mean) / std`` on [..., obs_dim].

        Only for RAW observations (a dataset's, the real env's). The model envs' observations
        (``reset`` / ``step`` of ``RamboModel-*``, a ``LearnedMDP``'s states) are already
        normalised: normalising them again gives values of about ``-mean / std`` (e.g. -95 on
        Hopper's height) without a word. No warning is attempted here (probe 100 row 32): an
        already-normalised batch cannot be told from raw states far outside the data (the falling
        hopper that ``evaluate_policy`` normalises every step) without false alarms. Pass model
        observations to the policy as they are; :meth:`unnormalize` gives their raw values."""
        self._check(x)
        mean, std = self._stats_like(x)
        if isinstance(x, np.ndarray) and not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float32)
        return self._like(x, (x - mean) / std)

    def unnormalize(self, x: ArrayT) -> ArrayT:
        """Normalised -> raw: ``x * std + mean`` on [..., obs_dim]."""
        self._check(x)
        mean, std = self._stats_like(x)
        if isinstance(x, np.ndarray) and not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float32)
        return self._like(x, x * std + mean)

    @staticmethod
    def _like(x: ArrayT, out: ArrayT) -> ArrayT:
        """``out`` in the dtype of the float array ``x`` (probe 66 row 23: a float16 array came
        back float32, promoted by the float32 statistics; a tensor takes its own dtype's)."""
        if isinstance(x, np.ndarray) and out.dtype != x.dtype:
            return out.astype(x.dtype)
        return out

    def state_dict(self) -> dict[str, np.ndarray]:
        """``{"mean", "std"}`` arrays (a model file stores them as tensors); ``env_id`` is not in
        it: pass it to :meth:`from_state_dict` (probe 66 row 24: it was silently dropped)."""
        return {"mean": self.mean.copy(), "std": self.std.copy()}

    @classmethod
    def from_state_dict(cls, state: dict[str, Any], env_id: str | None = None) -> ObsNormalizer:
        """The normaliser of :meth:`state_dict`'s ``state``; ``env_id``: the env its data came
        from (the ``env_id`` of the saved one), which the state does not hold: without it the
        env-mismatch warnings of ``evaluate_policy`` cannot fire."""
        check_state_dict(state, ("mean", "std"), "ObsNormalizer")  # was: a raw KeyError: 'mean'
        std = cls._as_stats("std", state["std"])
        floor = STD_FLOOR
        message = cls._tiny_std(std, floor) if std.ndim == 1 and np.isfinite(std).all() else None
        if message is not None:  # a saved one (a model file, a checkpoint) still loads: a warning
            warn_each_time(message, stacklevel=2)
            floor = 0.0
        return cls(mean=np.asarray(state["mean"]), std=std, env_id=env_id, min_std=floor)

    def __getstate__(self) -> dict[str, Any]:
        return {"mean": self.mean, "std": self.std, "env_id": self.env_id, "min_std": self.min_std}

    def __setstate__(self, state: dict[str, Any]) -> None:
        # probe 69 rows 4 / 9: a pickled or deep-copied normaliser (gym.make_vec's async workers,
        # a pickled LearnedMDP) had writeable mean / std again: read-only as a fresh one's
        for name in ("mean", "std"):
            arr = np.asarray(state[name])
            if arr.flags.writeable:  # a copy of obs_dim numbers: no caller's array is frozen
                arr = arr.copy()
                arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "env_id", state.get("env_id"))  # None: pickled before probe 42
        object.__setattr__(self, "_tensors", {})
        object.__setattr__(self, "min_std", state.get("min_std", STD_FLOOR))


def raw_scale_evidence(x: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Per row of ``x`` [..., D]: ``log N(x; mean, std) - log N(x; 0, 1)`` summed over the last
    axis (nats; constants cancel): how much better the rows fit the data's raw scale than the
    normalised one. The raw-observation watches of ``predict``, the model envs' reset states and
    ``evaluate_policy``'s factories weigh it on the dimensions whose data mean lies far from 0."""
    z = (x - mean) / std
    return np.sum(0.5 * x**2 - 0.5 * z**2 - np.log(std), axis=-1)


# probe 77 row 8: README's evaluate_policy(lambda o: agent.predict(o, …)[0], env_id, normalizer)
# normalises by itself, yet predict's raw-observation watch warned "evaluate through
# NormalizedObservation": the falling hopper's states, many stds outside a small dataset, fooled
# it. The calls made inside ``inputs_normalised`` are known to be normalised (per thread).
_normalising = threading.local()


@contextmanager
def inputs_normalised() -> Iterator[None]:
    """The policy calls made inside are given observations normalised here (``evaluate_policy``):
    the raw-observation watches weigh nothing there."""
    depth = getattr(_normalising, "depth", 0)
    _normalising.depth = depth + 1
    try:
        yield
    finally:
        _normalising.depth = depth


def inputs_are_normalised() -> bool:
    """Whether this thread runs inside :func:`inputs_normalised`."""
    return getattr(_normalising, "depth", 0) > 0
