"""Save / load trained dynamics ensembles and the on-disk model cache.

A checkpoint is a plain dict of tensors and primitives, loadable with
``torch.load(weights_only=True)`` (no pickled classes): the ensemble's state dict, the
observation normaliser's arrays, the :class:`EnsembleConfig` fields, the observation / action
dims, and optionally the :class:`MLEConfig`, :class:`MLEReport` and free-form JSON-like metadata.
Writes are atomic (temporary file in the same folder, then ``os.replace``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble, resolve_device
from rambo_env.dynamics.training import _BUDGET_FIELDS, MLEConfig, MLEReport
from rambo_env.normalization import ObsNormalizer
from rambo_env.run_io import (
    check_path_text,
    check_writable,
    expand_home,
    file_lock,
    home_dir,
    note_relative,
    save_checkpoint,
)

__all__ = [
    "FORMAT_VERSION",
    "LoadedModel",
    "cache_dir",
    "cache_key",
    "cache_lock",
    "cache_meta",
    "cache_mismatch",
    "cache_path",
    "legacy_partial_path",
    "load_model",
    "partial_path",
    "save_model",
    "trajectory_key",
]

FORMAT_VERSION = 1
"""Checkpoint format; part of the cache key, so a format change never loads stale models."""


@dataclass(frozen=True)
class LoadedModel:
    """What :func:`load_model` returns."""

    ensemble: GaussianEnsemble
    normalizer: ObsNormalizer
    mle_config: MLEConfig | None
    report: MLEReport | None
    meta: dict[str, Any]


def save_model(
    path: str | os.PathLike,
    ensemble: GaussianEnsemble,
    normalizer: ObsNormalizer,
    config: MLEConfig | None = None,
    report: MLEReport | None = None,
    meta: dict[str, Any] | None = None,
) -> Path:
    """Atomically write ``ensemble`` + ``normalizer`` (+ the MLE config / report / ``meta``, which
    must hold only str/int/float/bool/None/lists/dicts) to ``path``; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    checkpoint = {
        "format_version": FORMAT_VERSION,
        "obs_dim": ensemble.obs_dim,
        "action_dim": ensemble.action_dim,
        "ensemble_config": _config_dict(ensemble.config),
        "state_dict": {k: v.detach().cpu() for k, v in ensemble.state_dict().items()},
        "normalizer": {k: torch.from_numpy(v) for k, v in normalizer.state_dict().items()},
        "mle_config": _config_dict(config) if config is not None else None,
        "report": report.to_dict() if report is not None else None,
        "meta": dict(meta or {}),
    }
    return save_checkpoint(path, checkpoint)


def load_model(path: str | os.PathLike, device: str | torch.device = "auto") -> LoadedModel:
    """Load a :func:`save_model` checkpoint (``weights_only=True``) onto ``device``."""
    checkpoint = torch.load(Path(path), map_location="cpu", weights_only=True)
    version = checkpoint.get("format_version")
    if version != FORMAT_VERSION:
        raise ValueError(f"{path}: format_version {version!r} != supported {FORMAT_VERSION}")
    ens_cfg = EnsembleConfig(**checkpoint["ensemble_config"])
    ensemble = GaussianEnsemble(checkpoint["obs_dim"], checkpoint["action_dim"], ens_cfg)
    ensemble.load_state_dict(checkpoint["state_dict"])
    ensemble.to(resolve_device(device))
    normalizer = ObsNormalizer.from_state_dict(
        {k: v.numpy() for k, v in checkpoint["normalizer"].items()}
    )
    mle_cfg = checkpoint.get("mle_config")
    report = checkpoint.get("report")
    return LoadedModel(
        ensemble=ensemble,
        normalizer=normalizer,
        mle_config=MLEConfig(**mle_cfg) if mle_cfg is not None else None,
        report=MLEReport.from_dict(report) if report is not None else None,
        meta=checkpoint.get("meta", {}),
    )


def _config_dict(cfg: Any) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(cfg).items()}


def cache_dir() -> Path:
    """Model cache folder: ``$RAMBO_ENV_CACHE`` (``~`` expanded), else ``$XDG_CACHE_HOME/rambo_env``
    when that is set to an absolute path (the XDG base-directory spec; probe 36: it was ignored,
    so a cluster pointing it at scratch still filled the home quota), else
    ``~/.cache/rambo_env`` (not created here). Set but empty counts as unset, as ``XDG_CACHE_HOME`` and
    ``MINARI_DATASETS_PATH`` do (an empty path would be the working directory). A relative path
    is made absolute against the working directory at the call, as ``MINARI_DATASETS_PATH``
    (was: kept relative, so a sweep's trials, which Tune runs in their own folders, each trained
    the dynamics model into a cache of their own, and a run's config.json recorded a path that
    a resume from another folder did not find)."""
    root = os.environ.get("RAMBO_ENV_CACHE")
    if not root:
        xdg = os.environ.get("XDG_CACHE_HOME")
        if xdg and os.path.isabs(xdg):  # the spec: a relative value is ignored
            check_path_text(xdg, "XDG_CACHE_HOME")
            return Path(xdg) / "rambo_env"
        return home_dir() / ".cache" / "rambo_env"
    check_path_text(root, "RAMBO_ENV_CACHE")
    folder = expand_home(root).absolute()
    note_relative("RAMBO_ENV_CACHE", root, folder)
    return folder


def check_cache_dir() -> Path:
    """:func:`cache_dir`, created if missing; ValueError naming ``RAMBO_ENV_CACHE`` if it is not
    a writable folder (checked before training, not after the first MLE epoch)."""
    if not os.environ.get("RAMBO_ENV_CACHE") and os.path.isabs(
        os.environ.get("XDG_CACHE_HOME") or ""
    ):
        # probe 38 row 58: the folder came from XDG_CACHE_HOME, the error named RAMBO_ENV_CACHE
        return check_writable(
            cache_dir(),
            "XDG_CACHE_HOME: model cache ($XDG_CACHE_HOME/rambo_env, as RAMBO_ENV_CACHE is unset)",
            "fix XDG_CACHE_HOME, or set RAMBO_ENV_CACHE to a writable folder",
        )
    return check_writable(
        cache_dir(), "RAMBO_ENV_CACHE: model cache", "set RAMBO_ENV_CACHE to a writable folder"
    )


def cache_key(
    dataset_fingerprint: str,
    ensemble_cfg: EnsembleConfig,
    mle_cfg: MLEConfig,
    seed: int,
    precision: str = "fp32",
) -> str:
    """Stable hex key of everything that determines a trained model (incl. the format version);
    ``dataset_fingerprint`` is :meth:`OfflineDataset.fingerprint`. A model pretrained in ``bf16``
    has its own key; ``fp32`` keys are those of before the option existed."""
    return _key(dataset_fingerprint, ensemble_cfg, _config_dict(mle_cfg), seed, precision)


def _key(
    dataset_fingerprint: str,
    ensemble_cfg: EnsembleConfig,
    mle: dict[str, Any],
    seed: int,
    precision: str,
    **extra: Any,
) -> str:
    """20 hex digits of the sha256 of the key's JSON payload (``extra`` adds fields)."""
    payload = {
        "format_version": FORMAT_VERSION,
        "dataset": dataset_fingerprint,
        "ensemble": _config_dict(ensemble_cfg),
        "mle": mle,
        "seed": int(seed),
        **({"precision": precision} if precision != "fp32" else {}),
        **extra,
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


def cache_meta(
    dataset_fingerprint: str,
    ensemble_cfg: EnsembleConfig,
    mle_cfg: MLEConfig,
    seed: int,
    precision: str = "fp32",
) -> dict[str, Any]:
    """What a cache entry records (its ``meta``) of the settings it was built for: its
    :func:`cache_key` and the key's settings beyond the two configs (which the file holds
    anyway); :func:`cache_mismatch` checks them when the entry is loaded."""
    return {
        "cache_key": cache_key(dataset_fingerprint, ensemble_cfg, mle_cfg, seed, precision),
        "dataset": dataset_fingerprint,
        "seed": int(seed),
        "precision": precision,
    }


def cache_mismatch(
    loaded: LoadedModel,
    path: str | os.PathLike,
    dataset_fingerprint: str,
    ensemble_cfg: EnsembleConfig,
    mle_cfg: MLEConfig,
    seed: int,
    precision: str = "fp32",
    dims: tuple[int, int] | None = None,
) -> str | None:
    """None if the cache entry ``loaded`` (read from ``path``) is the model of these settings,
    else which settings differ ("EnsembleConfig.hidden_dims [17, 17] there, [16, 16] asked").

    Issue 14 (probe 33): a model of other settings copied under this key (by hand, a sync tool)
    was loaded without a word. An entry that records its key (:func:`cache_meta`) must match all
    settings; an older entry without one (or a ported model's) only the ensemble's architecture
    and dims, which fix its tensor shapes. ``dims``: the dataset's (obs_dim, action_dim)."""
    ensemble = loaded.ensemble
    asked: dict[str, Any] = {
        f"EnsembleConfig.{k}": v for k, v in _config_dict(ensemble_cfg).items()
    }
    there: dict[str, Any] = {
        f"EnsembleConfig.{k}": v for k, v in _config_dict(ensemble.config).items()
    }
    if dims is not None:
        asked.update(obs_dim=int(dims[0]), action_dim=int(dims[1]))
        there.update(obs_dim=ensemble.obs_dim, action_dim=ensemble.action_dim)
    meta = loaded.meta if isinstance(loaded.meta, dict) else {}
    recorded_key = meta.get("cache_key")
    if recorded_key is not None:
        asked.update(dataset=dataset_fingerprint, seed=int(seed), precision=precision)
        there.update({k: meta.get(k) for k in ("dataset", "seed", "precision")})
        asked.update({f"MLEConfig.{k}": v for k, v in _config_dict(mle_cfg).items()})
        if loaded.mle_config is not None:
            there.update({f"MLEConfig.{k}": v for k, v in _config_dict(loaded.mle_config).items()})
    differ = [
        f"{k} {there.get(k)!r} there, {v!r} asked" for k, v in asked.items() if there.get(k) != v
    ]
    key = cache_key(dataset_fingerprint, ensemble_cfg, mle_cfg, seed, precision)
    if not differ and recorded_key is not None and recorded_key != key:
        differ = [f"cache key {recorded_key} there, {key} asked"]
    return "; ".join(differ) if differ else None


def cache_path(key: str) -> Path:
    """Where the model for ``key`` lives in :func:`cache_dir`."""
    return cache_dir() / f"dynamics-{key}.pt"


def trajectory_key(
    dataset_fingerprint: str,
    ensemble_cfg: EnsembleConfig,
    mle_cfg: MLEConfig,
    seed: int,
    precision: str = "fp32",
) -> str:
    """:func:`cache_key` less the MLE budgets (``max_epochs``, ``max_time_s``): the key of one
    pretraining trajectory. Every budget stops the same epoch-by-epoch training at another epoch
    (the checkpoint resumes bitwise), so all budgets share one :func:`partial_path`: a run capped
    at N epochs continues an uncapped run's checkpoint, and a longer budget continues a capped
    one's."""
    mle = {k: v for k, v in _config_dict(mle_cfg).items() if k not in _BUDGET_FIELDS}
    # "trajectory": never equal to a model's cache_key
    return _key(dataset_fingerprint, ensemble_cfg, mle, seed, precision, trajectory=True)


def partial_path(key: str) -> Path:
    """The per-epoch MLE pretraining checkpoint of the trajectory ``key``
    (:func:`trajectory_key`) in :func:`cache_dir`: ``dynamics-<key>.partial.pt``. Removed when
    training stops by the official early-stopping rule; kept when a budget stops it, so that a
    larger budget continues from there."""
    return cache_dir() / f"dynamics-{key}.partial.pt"


def legacy_partial_path(model_path: str | os.PathLike) -> Path:
    """Where a checkpoint lived before :func:`trajectory_key` (beside the model it belonged to,
    one per budget); :func:`rambo_env.model.make_mdp` moves one found there to
    :func:`partial_path`."""
    return Path(model_path).with_suffix(".partial.pt")


@contextmanager
def cache_lock(model_path: str | os.PathLike) -> Iterator[None]:
    """Hold ``<model_path>.lock`` while the model for ``model_path`` is trained and cached.

    A second process that needs the same model waits here (one line says for whom), then finds
    the cached file (:func:`file_lock`).
    """
    with file_lock(
        Path(f"{model_path}.lock"),
        f"training the same dynamics model ({model_path})",
        "RAMBO_ENV_CACHE",
    ):
        yield
