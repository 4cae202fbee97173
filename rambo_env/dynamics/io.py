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
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rambo_env.command_line import shell_path
from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble, resolve_device
from rambo_env.dynamics.training import _BUDGET_FIELDS, MLEConfig, MLEReport
from rambo_env.logging import note
from rambo_env.normalization import ObsNormalizer
from rambo_env.provenance import check_not_newer
from rambo_env.run_io import (
    check_default_device,
    check_folder_room,
    check_output_file,
    check_path_text,
    check_readable,
    check_writable,
    clear_stray_writes,
    damaged_file,
    expand_home,
    file_lock,
    home_dir,
    home_store_words,
    is_int,
    load_torch_file,
    note_relative,
    refuse_unenterable,
    safe_reason,
    save_checkpoint,
    with_article,
    zip_not_torch,
)

__all__ = [
    "FORMAT_VERSION",
    "MODEL_CODE_PATHS",
    "LoadedModel",
    "cache_dir",
    "cache_key",
    "cache_lock",
    "cache_meta",
    "cache_mismatch",
    "cache_path",
    "check_cache_enterable",
    "legacy_partial_path",
    "load_model",
    "model_code_note",
    "partial_path",
    "save_model",
    "trajectory_key",
]

FORMAT_VERSION = 1
"""Checkpoint format; part of the cache key, so a format change never loads stale models. Raise
it too whenever ``train_mle`` computes another model from the same data, configs and seed: the
cache is keyed by those alone, so an older version's model would be reused without a word (probe
74 row 5; none has so far: a model of the oldest version probed is bit-identical to today's)."""

#: What every :func:`save_model` file holds.
_MODEL_KEYS = (
    "format_version",
    "obs_dim",
    "action_dim",
    "ensemble_config",
    "state_dict",
    "normalizer",
)


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
    must hold only str/int/float/bool/None/lists/dicts; numpy numbers are stored as Python ones)
    to ``path``; returns the path. Anything else is refused before a byte is written (probe 62:
    a numpy int or an object in ``meta`` was written into a file :func:`load_model` cannot read,
    whose error then advised an unsafe ``weights_only=False`` load)."""
    for name, value, kind in (
        ("ensemble", ensemble, GaussianEnsemble),
        ("normalizer", normalizer, ObsNormalizer),
        ("config", config, MLEConfig),
        ("report", report, MLEReport),
    ):
        if not isinstance(value, kind) and not (value is None and name in ("config", "report")):
            raise ValueError(
                f"{name}: expected {with_article(kind.__name__)}, got {type(value).__name__}"
            )
    meta = _plain(dict(meta or {}), "meta")
    if not isinstance(path, str | os.PathLike):
        raise ValueError(f"path: expected a file path, got {type(path).__name__} {path!r}")
    path = check_output_file(
        expand_home(os.fspath(path)), "path", "pass a file path in a writable folder"
    )
    # probe 84 row 32: fields added since session 37 (MLEConfig.max_steps, MLEReport.compiled)
    # made a model saved today "unreadable" to older code, which deleted it and trained anew
    # (hours at paper size): the default max_steps is left out, and compiled goes in meta
    report_dict = report.to_dict() if report is not None else None
    compiled = report_dict.pop("compiled", None) if report_dict is not None else None
    if compiled:
        meta = {**(meta or {}), "mle_compiled": list(compiled)}
    begun = report_dict.pop("begun_by", None) if report_dict is not None else None
    if begun is not None:  # probe 139: the code that began a resumed pretraining (meta, as above)
        meta = {**(meta or {}), "mle_begun_by": _plain(dict(begun), "report.begun_by")}
    checkpoint = {
        "format_version": FORMAT_VERSION,
        "obs_dim": ensemble.obs_dim,
        "action_dim": ensemble.action_dim,
        "ensemble_config": _config_dict(ensemble.config),
        "state_dict": {k: v.detach().cpu() for k, v in ensemble.state_dict().items()},
        "normalizer": {k: torch.from_numpy(v) for k, v in normalizer.state_dict().items()},
        "mle_config": _mle_dict(config) if config is not None else None,
        "report": report_dict,
        "meta": meta,
    }
    return save_checkpoint(path, checkpoint)


def _plain(value: Any, where: str) -> Any:
    """``value`` of a model file's ``meta`` as plain data a weights-only load reads back: str /
    int / float / bool / None, lists (tuples become lists) and dicts with str keys; numpy numbers
    as Python ones. ValueError naming the first entry of another type."""
    if isinstance(value, str | bool | int | float) or value is None:
        return value
    if isinstance(value, np.generic) and not isinstance(value, np.str_ | np.bytes_ | np.void):
        return value.item()
    if isinstance(value, list | tuple):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ValueError(f"{where}: keys must be str, got {list(value)[:5]}")
        return {k: _plain(v, f"{where}[{k!r}]") for k, v in value.items()}
    raise ValueError(
        f"{where}: {type(value).__name__} {str(value)[:60]!r} is not plain data; a model file's "
        "meta holds str / int / float / bool / None, lists and dicts (a weights-only load reads "
        "nothing else back)"
    )


def _pretraining_checkpoint(checkpoint: Any, path: Path) -> str:
    """What to say of an MLE pretraining checkpoint (``dynamics-<key>.partial.pt``) passed as a
    model, "" for other files. Probe 114 R5: it was "no [...] (it holds [...])" only."""
    if not isinstance(checkpoint, dict) or not {"fingerprint", "epoch", "tracker"} <= set(
        checkpoint
    ):
        return ""
    epoch = checkpoint.get("epoch")
    return (
        f" (an MLE pretraining checkpoint{f' after epoch {epoch}' if is_int(epoch) else ''}, "
        "from which make_mdp / cotrain.py resume an unfinished pretraining; the model is the "
        f"dynamics-<key>.pt in {path.parent} that the same make_mdp call / command writes when "
        "the pretraining finishes (rerun it to finish it), or pass a file written by save_model)"
    )


def load_model(path: str | os.PathLike, device: str | torch.device = "auto") -> LoadedModel:
    """Load a :func:`save_model` checkpoint (``weights_only=True``) onto ``device``.

    A missing, damaged or foreign file is one error naming it (probe 62: torch's raw
    ``PytorchStreamReader`` / ``UnpicklingError`` — the latter advising an unsafe
    ``weights_only=False`` load — ``IsADirectoryError``, or ``KeyError: 'ensemble_config'`` for a
    run's checkpoint.pt)."""
    if not isinstance(path, str | os.PathLike):
        raise ValueError(f"path: expected a model file's path, got {type(path).__name__} {path!r}")
    path = Path(expand_home(os.fspath(path)))
    device = resolve_device(device)  # before the read: a bad device is named first
    check_default_device("load_model")  # probe 91 row 5: a meta default was torch's raw error
    if not path.is_file():
        said = "is a folder" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"model file {path}: {said}; pass a file written by save_model")
    check_readable(path, "model file")
    foreign = zip_not_torch(path)
    if foreign is not None:  # probe 109 row 3: was torch's raw "[enforce fail at …]"
        raise ValueError(
            f"model file {path}: not a dynamics model written by save_model: it is {foreign}"
        )
    try:
        checkpoint = load_torch_file(path)  # probe 63: other bytes gave torch's noise
    except Exception as err:  # truncated, not a torch file, pickled objects
        if not damaged_file(err):  # probe 91 rows 4, 30: e.g. out of memory is no bad byte
            raise
        raise ValueError(
            f"model file {path}: unreadable ({safe_reason(err)}); it was damaged, or not written "
            "by save_model: save the model again (a RAMBO_ENV_CACHE entry is retrained when "
            "removed)"
        ) from None
    missing = [k for k in _MODEL_KEYS if not isinstance(checkpoint, dict) or k not in checkpoint]
    if missing:
        held = sorted(map(str, checkpoint))[:6] if isinstance(checkpoint, dict) else []
        run = (
            " (a run's checkpoint.pt: load it with agents.cotrain.load_session)"
            if isinstance(checkpoint, dict) and "agent" in checkpoint
            else _pretraining_checkpoint(checkpoint, path)
        )
        raise ValueError(
            f"model file {path}: not a dynamics model written by save_model: no {missing[:3]} "
            f"(it holds {held or type(checkpoint).__name__}){run}"
        )
    version = checkpoint.get("format_version")
    # probe 113: a newer one was "… != supported 1"; probe 116 R2 / S2: '1', -1 were that too,
    # and True / 1.0 passed: all are named as edited by hand now
    check_not_newer(
        path,
        version,
        FORMAT_VERSION,
        "model",
        "load it",
        "format_version",
        allow_none=False,
        key_required=True,
    )
    if version != FORMAT_VERSION:
        raise ValueError(f"{path}: format_version {version!r} != supported {FORMAT_VERSION}")
    try:  # probe 91 rows 4, 30: entries of other names or shapes are a damaged file (a
        # ValueError, which a model cache removes); anything else (out of memory) is raised as is
        ens_cfg = EnsembleConfig(**checkpoint["ensemble_config"])
        # probe 75 row 48: was built with torch's global generator (its weights are replaced just
        # below), so a model-cache hit advanced the caller's torch RNG where a fresh train did not
        ensemble = GaussianEnsemble(
            checkpoint["obs_dim"], checkpoint["action_dim"], ens_cfg, generator=torch.Generator()
        )
        ensemble.load_state_dict(checkpoint["state_dict"])
        normalizer = ObsNormalizer.from_state_dict(
            {k: v.numpy() for k, v in checkpoint["normalizer"].items()}
        )
        mle_cfg = checkpoint.get("mle_config")
        report = checkpoint.get("report")
        meta = checkpoint.get("meta", {})
        if isinstance(report, dict) and isinstance(meta, dict) and "mle_compiled" in meta:
            report = {**report, "compiled": meta["mle_compiled"]}  # save_model keeps it there
        if isinstance(report, dict) and isinstance(meta, dict):  # probe 139: and this
            begun = meta.get("mle_begun_by")
            report = {**report, "begun_by": dict(begun) if isinstance(begun, dict) else None}
        mle_config = MLEConfig(**mle_cfg) if mle_cfg is not None else None
        report = MLEReport.from_dict(report) if report is not None else None
    except Exception as err:
        if not damaged_file(err):
            raise
        raise ValueError(
            f"model file {path}: its entries are not a model's ({safe_reason(err)}); it was "
            "damaged, or not written by save_model: save the model again (a RAMBO_ENV_CACHE "
            "entry is retrained when removed)"
        ) from None
    ensemble.to(device)  # out of the try: a full GPU is no damaged file
    return LoadedModel(
        ensemble=ensemble, normalizer=normalizer, mle_config=mle_config, report=report, meta=meta
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
        folder = home_dir() / ".cache" / "rambo_env"
        if xdg:  # probe 66: ignored without a word (matplotlib takes it literally: ./~/ made)
            _note_ignored_xdg(xdg, folder)
        return folder
    check_path_text(root, "RAMBO_ENV_CACHE")
    folder = expand_home(root).absolute()
    note_relative("RAMBO_ENV_CACHE", root, folder)
    return folder


_XDG_SAID: set[str] = set()


def _note_ignored_xdg(xdg: str, folder: Path) -> None:
    """Once per process and value: a relative (or unexpanded ``~``) ``XDG_CACHE_HOME`` is ignored,
    as the XDG base-directory spec says, and where the model cache is instead."""
    if xdg in _XDG_SAID:
        return
    _XDG_SAID.add(xdg)
    tilde = " ('~' is not expanded inside quotes: write $HOME/…)" if xdg.startswith("~") else ""
    note(
        f"[rambo_env] note: XDG_CACHE_HOME={xdg!r} is not an absolute path{tilde}: ignored, as "
        f"the XDG spec says; the model cache is {folder} (matplotlib, which draws the plots, "
        "takes the value literally and makes that folder in the working folder: set an absolute "
        "path, or unset it)",
    )


def check_cache_dir() -> Path:
    """:func:`cache_dir`, created if missing; ValueError naming ``RAMBO_ENV_CACHE`` if it is not
    a writable folder (checked before training, not after the first MLE epoch)."""
    check_cache_room()
    if not os.environ.get("RAMBO_ENV_CACHE") and os.path.isabs(
        os.environ.get("XDG_CACHE_HOME") or ""
    ):
        # probe 38 row 58: the folder came from XDG_CACHE_HOME, the error named RAMBO_ENV_CACHE
        return check_writable(
            cache_dir(),
            "XDG_CACHE_HOME: model cache ($XDG_CACHE_HOME/rambo_env, as RAMBO_ENV_CACHE is unset)",
            "fix XDG_CACHE_HOME, or set RAMBO_ENV_CACHE to a writable folder",
        )
    if not os.environ.get("RAMBO_ENV_CACHE"):  # probe 111: the folder came from HOME
        return check_writable(
            cache_dir(), *home_store_words("RAMBO_ENV_CACHE", "model cache", "~/.cache/rambo_env")
        )
    return check_writable(
        cache_dir(), "RAMBO_ENV_CACHE: model cache", "set RAMBO_ENV_CACHE to a writable folder"
    )


def check_cache_room() -> None:
    """ValueError naming ``RAMBO_ENV_CACHE`` when the model cache's path leaves too little room
    for the files written inside it (:func:`check_folder_room`; probe 145 R3: a 4063-byte one was
    reported as "dataset: 'hopper-random'… is too long … as a file path or Minari id")."""
    check_folder_room(cache_dir(), "RAMBO_ENV_CACHE: model cache", "RAMBO_ENV_CACHE")


def check_cache_enterable() -> None:
    """ValueError naming the model cache (or a folder above it) when this user cannot enter it:
    another user's 0700 folder (umask 077), where no cached model can be loaded and none saved.
    Probe 114 R11: ``RAMBO_ENV_CACHE`` of another user's 0700 folder was a raw ``[Errno 13]
    Permission denied`` of a file in it."""
    check_cache_room()  # probe 145 R3: before the dataset load too
    setting = "RAMBO_ENV_CACHE"
    if not os.environ.get(setting) and os.path.isabs(os.environ.get("XDG_CACHE_HOME") or ""):
        setting = "XDG_CACHE_HOME"
    refuse_unenterable(
        cache_dir(),
        f"{setting}: model cache ",
        what="the cache",
        hint=(
            "; or set RAMBO_ENV_CACHE to a folder of your own (the dynamics model cannot be "
            "cached or loaded there; it is then trained in yours)"
        ),
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
    return _key(dataset_fingerprint, ensemble_cfg, _mle_dict(mle_cfg), seed, precision)


def _mle_dict(cfg: MLEConfig) -> dict[str, Any]:
    """``cfg`` as a cache key and a saved model hold it: ``max_steps`` (session 38) left out
    while None, so the keys of before stay and older code still reads the file."""
    mle = _config_dict(cfg)
    if mle.get("max_steps") is None:
        mle.pop("max_steps", None)
    return mle


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


#: The source files (relative to the checkout) whose code decides which model MLE pretraining
#: trains from a dataset, configs and seed: the ensemble, the MLE, the observation normaliser.
#: The cache key leaves the code out (a paper-size pretraining takes hours); a cached model
#: trained by a commit whose files here differ from the running code's gets one note.
MODEL_CODE_PATHS = (
    "rambo_env/dynamics/ensemble.py",
    "rambo_env/dynamics/training.py",
    "rambo_env/normalization.py",
)


def _model_code_differs(root: Path, commit: str) -> bool | None:
    """Whether :data:`MODEL_CODE_PATHS` in the checkout ``root`` (its work tree: uncommitted
    changes count) differ from ``commit``'s; None when git cannot tell (no git, ``commit`` not
    in this clone, a timeout)."""
    from rambo_env.requirements import run_git

    done = run_git(root, "diff", "--quiet", commit, "--", *MODEL_CODE_PATHS)
    return None if done is None else {0: False, 1: True}.get(done[0])


def _differing_model_files(root: Path, commit: str) -> list[str]:
    """The files of :data:`MODEL_CODE_PATHS` that differ between ``commit`` and the checkout
    ``root``'s work tree, in that order; all of them where git cannot tell (probe 143: the note
    named every model file when one differed)."""
    from rambo_env.requirements import run_git

    done = run_git(
        root, "diff", "--name-only", "-z", "--no-renames", commit, "--", *MODEL_CODE_PATHS
    )
    if done is None or done[0] != 0:
        return list(MODEL_CODE_PATHS)
    names = {name.decode("utf-8", "replace") for name in done[1].split(b"\0") if name}
    return [path for path in MODEL_CODE_PATHS if path in names] or list(MODEL_CODE_PATHS)


def model_code_note(
    meta: Any, path: str | os.PathLike, what: str = "the cached model"
) -> str | None:
    """The one note (``"note: …"``; None when there is nothing to say) for ``what`` (a cached
    model, an MLE checkpoint) at ``path`` whose ``meta`` records another rambo_env commit (or uncommitted changes) than the
    running code's (probe 138 row 33: a model trained by other MLE code was reused without a
    word, and the run recorded only its own commit). Said when the files of
    :data:`MODEL_CODE_PATHS` differ between the two (``git diff``), or when that cannot be told;
    not when the model records no commit (saved before probe 113) or this code runs from no
    checkout (an installed package). A model whose pretraining was resumed from a checkpoint
    records the code that began it too (``meta["mle_begun_by"]``): that is compared alike
    (probe 139: a model begun by other model code and finished by this code was silent)."""
    from rambo_env.requirements import source_changes, source_commit

    meta = meta if isinstance(meta, dict) else {}
    now = source_commit()
    if now is None:
        return None
    changes = source_changes()
    now_dirty = changes.get("rambo_env_dirty") == "true"
    here = f"commit {now[:12]}{' with uncommitted changes' if now_dirty else ''}"
    trained = _other_model_code(meta, now, changes)
    begun_meta = meta.get("mle_begun_by")
    begun = _other_model_code(begun_meta, now, changes) if isinstance(begun_meta, dict) else None
    if trained is None and begun is None:
        return None
    if trained is not None:
        there, how = trained
        by = f"trained by rambo_env {there}"
        if begun is not None and begun[0] != there:
            by += f" (its MLE pretraining begun by rambo_env {begun[0]}, then resumed)"
    else:
        there, how = begun  # type: ignore[misc]
        finished = meta.get("rambo_env_commit")
        finished = f"commit {finished[:12]}" if isinstance(finished, str) else "unrecorded code"
        by = (
            f"begun by rambo_env {there} (its MLE pretraining was resumed from a checkpoint of "
            f"that code and finished by {finished})"
        )
    return (
        f"note: {what} {path} was {by}, this code is {here}: "
        f"{how} (the cache key leaves the code out: pretraining takes hours); the numbers "
        "from here are those of that model, not of a fresh pretraining under this code; to "
        f"pretrain it under this code, delete the file (rm {shell_path(path)}) or point "
        "RAMBO_ENV_CACHE at a fresh folder, and run again"
    )


def _other_model_code(
    record: dict[str, Any], now: str, changes: dict[str, str]
) -> tuple[str, str] | None:
    """``(which code, how it differs)`` for :func:`model_code_note` when the code ``record``
    (:func:`rambo_env.requirements.code_record`'s keys) names other model code than the running
    commit ``now`` with its uncommitted ``changes``; None when it is the same, or unrecorded."""
    import rambo_env
    from rambo_env.requirements import changed_files

    trained = record.get("rambo_env_commit")
    if not isinstance(trained, str) or not trained:
        return None
    trained_dirty = record.get("rambo_env_dirty") == "true"
    now_dirty = changes.get("rambo_env_dirty") == "true"
    if trained == now and (trained_dirty, record.get("rambo_env_diff")) == (
        now_dirty,
        changes.get("rambo_env_diff"),
    ):  # the same commit, and the same uncommitted changes (or none)
        return None
    root = Path(rambo_env.__file__).resolve().parents[1]
    sha = re.fullmatch(r"[0-9a-f]{40}([0-9a-f]{24})?", trained)  # not an option to git
    # the files its uncommitted changes touched; None (not recorded, or recorded empty by
    # a diff.noprefix config before probe 140 row 9): any file may have changed
    changed = changed_files(record) if trained_dirty else None
    model_changed = [p for p in MODEL_CODE_PATHS if changed is None or p in changed]
    if trained_dirty and not model_changed:
        trained_dirty = False  # probe 139 row 1: uncommitted changes, none to the model code
    differs = None if trained_dirty or not sha else _model_code_differs(root, trained)
    if differs is False:
        return None
    there = f"commit {trained[:12]}{' with uncommitted changes' if trained_dirty else ''}"
    if differs:
        files = _differing_model_files(root, trained)
        how = f"its model code ({', '.join(files)}) differs from this code's"
    elif trained_dirty and changed is not None:  # probe 140 row 15: it names them
        how = (
            f"those were uncommitted changes to {', '.join(model_changed)}, so its model code "
            "may differ from this one's"
        )
    elif trained_dirty:
        how = (
            "what those changes were is not recorded, so its model code may differ from this one's"
        )
    else:
        how = "git could not compare the two here, so its model code may differ from this one's"
    return there, how


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
        path = Path(model_path)  # the lock is held: no live writer of the file (probe 83 row 19)
        clear_stray_writes(path.parent, path.name)
        yield
