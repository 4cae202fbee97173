"""RAMBO sweeps on Ray Tune: datasets × (k, λ) × seeds, one co-training run per trial.

The paper's protocol (App. B.4-B.5): every dataset is run with each (k, λ) configuration of
:data:`~rambo_env.sweep_report.PAPER_CONFIGS` for five seeds; RAMBO reports the configuration
with the best final score, RAMBO-OFF the one with the lowest ``Q_avg + Q_var``. Here each trial
calls :func:`agents.cotrain.run_cotrain` (no second training loop) and the table comes from
:mod:`rambo_env.sweep_report` (Ray-free).

Sweep folder (``sweep_dir``, on a filesystem every Ray node shares when on a cluster)::

    sweep.json                    the spec and resources (what --resume continues)
    .lock                         the driver's PID while it runs (a second driver is refused)
    runs/<dataset>/<k..-lam..>/s<seed>/   one co-training run folder per trial (agents.cotrain)
    tune/                         Ray Tune's experiment: trial states, metrics, checkpoints
    table.md, table.csv           Table 6 / Table 1 layouts (rambo_env.sweep_report)
    curves/<dataset>.png          learning curves per dataset

Fault tolerance: a trial reports its metrics to Tune after every iteration together with a Tune
checkpoint (the run's ``checkpoint.pt`` + ``config.json``). A trial restarted by Tune (a failure,
a lost node: ``max_failures``) or by :func:`resume_sweep` copies its latest Tune checkpoint into
its run folder and continues with ``run_cotrain(resume=True)``; Tune skips finished trials.

Ray is imported lazily: ``import agents.sweep`` works without the ``sweep`` extra.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import logging
import math
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.cotrain_setup import (
    CotrainConfig,
    check_adversary_steps,
    check_device,
    check_rollout_length,
    check_run_memory,
    checking_loaded_dataset,
    config_from_dict,
    config_to_dict,
    say_large_adversary_weight,
    say_large_steps,
    warn_long_rollout,
)
from rambo_env import command_line, provenance, run_io
from rambo_env.data.dataset import DatasetUnavailableError
from rambo_env.data.loaders import absolute_dataset
from rambo_env.logging import WARNING, get_verbosity, note, set_verbosity
from rambo_env.logging import apply_state as apply_logging_state
from rambo_env.logging import state as logging_settings
from rambo_env.presets import RamboPreset, preset_names
from rambo_env.requirements import MissingExtraError
from rambo_env.sweep_report import (
    COMPLETE_STATUSES,
    PAPER_CONFIGS,
    SweepReport,
    build_report,
    config_flag,
    config_slug,
    dataset_slug,
    summarise,
    write_report,
)

#: ``--datasets mujoco`` (scripts/sweep.py): the 12 MuJoCo datasets of Table 6.
DATASET_GROUPS = {"mujoco": preset_names()}


def dataset_groups_text() -> str:
    """``"the grid keyword 'mujoco' (the 12 MuJoCo datasets of Table 6)"``."""
    return ", ".join(
        f"the grid keyword {key!r} (the {len(names)} MuJoCo datasets of Table 6)"
        for key, names in DATASET_GROUPS.items()
    )


__all__ = [
    "PAPER_CONFIGS",
    "PAPER_SEEDS",
    "RUNS_DIR",
    "SWEEP_FILE",
    "TUNE_DIR",
    "SweepOutcome",
    "SweepResources",
    "SweepSpec",
    "check_address",
    "check_trial_device",
    "cotrain_trainable",
    "load_sweep",
    "local_worker_niceness",
    "moved_from",
    "plain_ray_logs",
    "resolve_address",
    "resume_sweep",
    "run_sweep",
    "sweep_report",
    "trial_config",
    "trial_run_dir",
    "write_sweep_report",
]

SWEEP_FILE = "sweep.json"
RUNS_DIR = "runs"
TUNE_DIR = "tune"
#: Five seeds per configuration (App. B.4).
PAPER_SEEDS = (0, 1, 2, 3, 4)
#: The run-folder files a Tune checkpoint carries: what ``run_cotrain(resume=True)`` needs.
CHECKPOINT_FILES = (run_io.CHECKPOINT_NAME, run_io.CONFIG_NAME)
#: Fields a trial sets itself (per trial, or from its Tune resources).
TRIAL_FIELDS = ("dataset", "rollout_length", "adversary_weight", "seed", "torch_threads")


@dataclass(frozen=True)
class SweepSpec:
    """What a sweep computes: the grid and the shared run config (fixed on resume)."""

    datasets: tuple[str, ...]
    """Dataset names or paths (paths are made absolute: Tune runs trials in other folders)."""
    configs: tuple[RamboPreset, ...] = PAPER_CONFIGS
    """(k, λ) configurations (App. B.4)."""
    seeds: tuple[int, ...] = PAPER_SEEDS
    """Seeds of every (dataset, configuration)."""
    base: CotrainConfig = field(default_factory=CotrainConfig)
    """Every other field of a trial's config; its dataset, k, λ and seed are replaced."""

    def __post_init__(self) -> None:
        # probe 61: numpy numbers are stored (and reach JSON) as Python ones
        run_io.python_fields(self)
        for name in ("datasets", "configs", "seeds"):  # was: a str split into its letters
            value = getattr(self, name)
            if isinstance(value, str | bytes | dict) or not hasattr(value, "__iter__"):
                raise ValueError(
                    f"{name}: expected a tuple or list, got {type(value).__name__} {value!r}; "
                    f"e.g. {name}=({value!r},)"
                )
        if not isinstance(self.base, CotrainConfig):  # was: a raw AttributeError
            raise ValueError(f"base: expected a CotrainConfig, got {type(self.base).__name__}")
        object.__setattr__(self, "datasets", tuple(absolute_dataset(d) for d in self.datasets))
        configs = []
        for c in self.configs:
            try:
                configs.append(c if isinstance(c, RamboPreset) else RamboPreset(*c))
            except TypeError:  # was: RamboPreset's raw "takes 3 positional arguments"
                raise ValueError(f"configs: expected (k, λ) pairs, got {c!r}") from None
        configs = tuple(configs)
        object.__setattr__(self, "configs", configs)
        object.__setattr__(self, "seeds", tuple(self.seeds))
        for name in ("datasets", "configs", "seeds"):
            values = getattr(self, name)
            if not values:
                raise ValueError(f"{name}: empty; a sweep needs at least one")
            if len(set(values)) != len(values):
                # probe 44: configs were shown as RamboPreset(rollout_length=2, …) reprs
                shown = (
                    f"[{', '.join(map(config_flag, values))}] (k:λ)"
                    if name == "configs"
                    else list(values)
                )
                raise ValueError(f"{name}: duplicates in {shown}")
        slugs = [dataset_slug(d) for d in self.datasets]
        if len(set(slugs)) != len(slugs):
            raise ValueError(f"datasets: two share a run-folder name ({slugs}); rename a file")
        for config in self.configs:
            k, lam = config.rollout_length, config.adversary_weight
            if isinstance(k, bool) or int(k) != k or k < 1 or not (math.isfinite(lam) and lam >= 0):
                raise ValueError(
                    f"configs: expected k >= 1 and finite λ >= 0, got (k={k}, λ={lam})"
                )
            check_adversary_steps(  # each trial's λ: was a trial error after Ray started
                self.base.adversary_steps_per_iteration,
                lam,
                f"--configs {k}:{lam:g}",
                real_ratio=self.base.real_ratio,
                lam_zero=f"--configs {k}:0",  # probe 79 row 33: was "--lam 0" (no such flag)
            )
        for seed in self.seeds:
            if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
                raise ValueError(f"seeds: expected integers >= 0, got {seed!r}")
            # each trial's CotrainConfig refuses it (was: Ray started and every trial failed)
            run_io.check_seed(seed, "seeds", limit=run_io.RUN_SEED_LIMIT)

    @property
    def n_trials(self) -> int:
        return len(self.datasets) * len(self.configs) * len(self.seeds)

    @property
    def grid(self) -> tuple[tuple[str, RamboPreset, int], ...]:
        """Every trial's (dataset, configuration, seed), in the table's order."""
        return tuple((d, c, s) for d in self.datasets for c in self.configs for s in self.seeds)

    def trial_config(self, dataset: str, config: RamboPreset, seed: int) -> CotrainConfig:
        """The co-training config of one trial."""
        return trial_config(self.base, dataset, config, seed)

    def with_resolved_precision(self) -> SweepSpec:
        """``base.precision`` ``auto`` resolved once, on the machine that starts the sweep, and so
        saved in ``sweep.json`` (was: each trial resolved it on its own worker: a sweep over
        machines with and without native bf16 mixed fp32 and bf16 trials, and sweep.json said
        auto). fp32 / bf16 are kept as given."""
        if self.base.precision != "auto":
            return self
        resolved = dataclasses.replace(self.base, precision=self.base.uses_precision)
        return dataclasses.replace(self, base=resolved)

    def to_dict(self) -> dict[str, Any]:
        return {
            "datasets": list(self.datasets),
            "configs": [[c.rollout_length, c.adversary_weight] for c in self.configs],
            "seeds": list(self.seeds),
            "base": config_to_dict(self.base),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SweepSpec:
        """Inverse of :meth:`to_dict` (``sweep.json``'s ``spec``); one ValueError naming the field
        of a missing key or a value of another type. Probe 69 rows 45 / 47: ``int(k)`` /
        ``float(λ)`` ran first, so k 2.7 / true became k = 2 / 1 and ``"3e-4"`` a number without
        a word, null λ was float()'s TypeError, a missing key a bare KeyError and a str of
        datasets was split into its letters before ``__post_init__``'s checks saw it."""
        if not isinstance(data, dict):
            raise ValueError(
                f"spec: expected an object (dict), got {run_io.with_article(type(data).__name__)}"
            )
        missing = [key for key in _SPEC_SHAPES if key not in data]
        if missing:
            raise ValueError(
                f"spec: no {' or '.join(repr(k) for k in missing)} key; its keys are "
                f"{list(_SPEC_SHAPES)}"
            )
        if not isinstance(data["base"], dict):
            kind = run_io.with_article(type(data["base"]).__name__)
            raise ValueError(f"base: expected {_SPEC_SHAPES['base'][1]}, got {kind}")
        configs = data["configs"]  # the raw value when not a list: __post_init__ names it
        if isinstance(configs, list | tuple):
            configs = tuple(_preset_from_json(i, pair) for i, pair in enumerate(configs))
        return cls(
            datasets=data["datasets"],  # raw: __post_init__ refuses a str (and checks each)
            configs=configs,
            seeds=data["seeds"],
            base=config_from_dict(data["base"], saved=True),
        )


def _preset_from_json(i: int, pair: Any) -> RamboPreset:
    """``configs[i]`` of a saved spec, a ``[k, λ]`` pair: k an int >= 1, λ a number (int or
    float, not a bool or a string); else one ValueError naming it (the values' own range is
    :class:`SweepSpec`'s check)."""
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        raise ValueError(f"configs[{i}]: expected a [k, λ] pair, got {pair!r}")
    k, lam = pair
    if not (run_io.is_int(k) and k >= 1):
        kind = run_io.with_article(type(k).__name__)
        raise ValueError(f"configs[{i}]: k: expected an int >= 1, got {k!r} ({kind})")
    if not run_io.is_real(lam):
        kind = "" if lam is None else f" ({run_io.with_article(type(lam).__name__)})"
        raise ValueError(f"configs[{i}]: λ: expected a number >= 0, got {lam!r}{kind}")
    return RamboPreset(int(k), float(lam))


@dataclass(frozen=True)
class SweepResources:
    """How trials are scheduled (saved with the sweep; Tune keeps them on resume)."""

    cpus_per_trial: float = 1.0
    """CPUs reserved per trial; the trial's torch uses that many threads (at least 1)."""
    gpus_per_trial: float = 0.0
    """GPUs per trial (fractions share a GPU); 0 = CPU only."""
    max_concurrent: int | None = None
    """At most this many trials at once (None: as many as the cluster's resources allow)."""
    max_failures: int = 2
    """Tune restarts a failed trial (e.g. on a lost node) this often, from its last checkpoint."""

    def __post_init__(self) -> None:
        run_io.check_field_types(self, "fix the value (e.g. in sweep.json)")  # was: 1.5 retries
        # probe 21: inf CPUs and a NaN GPU share were taken (Ray's raw errors, or a trial that
        # never fits a node)
        if not (self.cpus_per_trial > 0 and math.isfinite(self.cpus_per_trial)):
            raise ValueError(
                f"cpus_per_trial: expected a finite value > 0, got {self.cpus_per_trial!r}"
            )
        if not (self.gpus_per_trial >= 0 and math.isfinite(self.gpus_per_trial)):
            raise ValueError(
                f"gpus_per_trial: expected a finite value >= 0, got {self.gpus_per_trial!r}"
            )
        if self.max_concurrent is not None and self.max_concurrent < 1:
            raise ValueError(f"max_concurrent: expected >= 1, got {self.max_concurrent!r}")
        if self.max_failures < 0:
            raise ValueError(f"max_failures: expected >= 0, got {self.max_failures!r}")


@dataclass(frozen=True)
class SweepOutcome:
    """What :func:`run_sweep` / :func:`resume_sweep` return."""

    report: SweepReport
    files: dict[str, Path]
    """The report files written into the sweep folder."""
    n_trials: int
    n_errors: int
    """Trials that ended in an error (``resume_sweep`` continues them from their checkpoint)."""
    wall_s: float
    errors: tuple[str, ...] = ()
    """One line per errored trial: ``TRIAL: ErrorType: first line of its message``."""
    errors_repeat: bool = False
    """Every trial error is a data or settings error (a ValueError), which ``--resume`` repeats."""


def trial_errors(errors: Sequence[tuple[str, BaseException]]) -> tuple[tuple[str, ...], bool]:
    """(one line per ``(trial, error)``, whether every error is one that ``--resume`` repeats).

    Ray hands a trial's exception over as a ``RayTaskError(ValueError)`` whose traceback fills the
    screen; the line names its cause. A ValueError (the project's data and settings errors) fails
    the same way again on resume; an OSError (a missing file, a full disk) may not.

    Probe 32: a trial's data error ended the sweep with Ray's traceback and "continue with:
    … --resume", which repeated the same crash."""
    lines, repeat = [], bool(errors)
    for trial, err in errors:
        line, cause = _error_line(err)
        lines.append(f"{trial}: {line}")
        # probe 129 row 3: restoring the data and resuming continues a data-changed trial
        repeat = repeat and isinstance(cause, ValueError)
        repeat = repeat and not isinstance(cause, DatasetChangedError)
    return tuple(lines), repeat


#: The longest message an errored trial's one line quotes (a longer one is cut, saying where it
#: is whole): the project's longest (a DatasetChangedError with its command) fit.
ERROR_LINE_LIMIT = 2000


def _error_line(err: BaseException) -> tuple[str, BaseException]:
    """(``ErrorType: first line of its message``, the error) of a trial's exception, or of the
    exception inside Ray's ``RayTaskError`` (its ``cause``)."""
    cause = getattr(err, "cause", None)
    cause = cause if isinstance(cause, BaseException) else err
    message = next((line for line in str(cause).splitlines() if line.strip()), "")
    # probe 131 note (b): a 400-character cut broke the make_dataset command of a
    # DatasetChangedError mid-path ("--policy / …"); only a runaway message is cut, and says so
    if len(message) > ERROR_LINE_LIMIT:
        message = (
            f"{message[:ERROR_LINE_LIMIT]} … (cut: the whole message is in the trial's error.txt, "
            "under the sweep's tune/ folder)"
        )
    return f"{type(cause).__name__}: {message}", cause


#: The logger of Tune's "Trial task failed for trial …" record (with the trial's traceback).
TUNE_CONTROLLER_LOGGER = "ray.tune.execution.tune_controller"


def _one_line_user_error(record: logging.LogRecord) -> bool:
    """Tune's "Trial task failed" record of a user error (a ValueError or OSError, what the
    scripts print as one ``error:`` line) as one line naming its cause, without Ray's
    traceback; kept whole for any other exception (a bug) or with ``RAMBO_ENV_TRACEBACK`` set.
    The traceback stays in the trial's error file, which Tune names next.

    Issue 14: a trial's data error printed Ray's 60-line ``RayTaskError(ValueError)`` traceback
    before the sweep's own ``[sweep] errored trial …`` line."""
    exc = record.exc_info[1] if record.exc_info else None
    if exc is None or run_io.tracebacks_wanted():
        return True
    line, cause = _error_line(exc)
    if isinstance(cause, ValueError | OSError):
        record.msg = (
            f"{record.getMessage()}: {line} (its traceback is in the trial's error file; "
            "RAMBO_ENV_TRACEBACK=1 prints it here)"
        )
        record.args, record.exc_info, record.exc_text = (), None, None
    return True


def trial_config(
    base: CotrainConfig, dataset: str, config: RamboPreset, seed: int
) -> CotrainConfig:
    """``base`` with the trial's dataset, (k, λ) and seed (progress bars off: trials log to Tune)."""
    if not isinstance(config, RamboPreset):  # probe 21: was a raw AttributeError
        raise ValueError(f"config: expected a RamboPreset(k, λ), got {type(config).__name__}")
    return dataclasses.replace(
        base,
        dataset=dataset,
        rollout_length=config.rollout_length,
        adversary_weight=config.adversary_weight,
        seed=seed,
        progress=False,
        stop_at_iteration=None,
    )


def trial_run_dir(runs_root: str | Path, dataset: str, config: RamboPreset, seed: int) -> Path:
    """``<runs_root>/<dataset>/<k2-lam3e-4>/s<seed>``: the run folder of one trial."""
    seed = run_io.check_seed(seed, limit=run_io.RUN_SEED_LIMIT)  # probe 21: s-1, sNone, s2.5
    return Path(runs_root) / dataset_slug(dataset) / config_slug(config) / f"s{seed}"


def not_a_sweep_text(sweep_dir: str | Path) -> str:
    """Why ``sweep_dir`` (no ``sweep.json`` in it) is not a sweep, and what to pass.
    Probe 48 row 45: a file was "has no sweep.json (not a sweep folder?)" and a cotrain run
    "has no sweep.json to resume", saying nothing to do."""
    sweep_dir = Path(sweep_dir)
    where = "pass the folder of a sweep (the --sweep-dir folder of scripts/sweep.py)"
    if not sweep_dir.exists():  # probe 49: a mistyped path was "is a file, not a folder"
        return (
            f"sweep_dir: {sweep_dir} does not exist; pass the folder of a sweep started by "
            "scripts/sweep.py (it holds sweep.json)"
        )
    if not sweep_dir.is_dir():
        return f"sweep_dir: {sweep_dir} is a file, not a folder; {where}"
    run_files = [
        name
        for name in (run_io.CONFIG_NAME, run_io.CHECKPOINT_NAME)
        if (sweep_dir / name).is_file()
    ]
    if run_files:
        return (
            f"sweep_dir: {sweep_dir} is a cotrain run ({', '.join(run_files)}), not a sweep: "
            f"continue it with {command_line.script_line('cotrain.py')} --resume "
            f"{command_line.shell_path(sweep_dir)}"
        )
    runs = sorted({p.parent for p in sweep_dir.rglob(run_io.RESULTS_NAME)})
    if runs:  # probe 125: a folder of plain cotrain runs was only "not a sweep folder?"
        return (
            f"sweep_dir: {sweep_dir} holds {run_io.counted(len(runs), 'cotrain run')} "
            f"({command_line.shell_path(runs[0])}{', …' if len(runs) > 1 else ''}) but no {SWEEP_FILE}: "
            'it is no sweep; tabulate its runs without Ray with python -c "from '
            "rambo_env.sweep_report import build_report, to_markdown; "
            f'print(to_markdown(build_report({str(sweep_dir)!r})))", or plot them with scripts/curves.py '
            "LABEL=RUN …"
        )
    return f"sweep_dir: {sweep_dir} has no {SWEEP_FILE} (not a sweep folder?); {where}"


#: The entries of a sweep.json's ``spec`` and what each holds (:meth:`SweepSpec.to_dict`).
_SPEC_SHAPES = {
    "datasets": (list, "a list of dataset names"),
    "configs": (list, "a list of [k, λ] pairs"),
    "seeds": (list, "a list of seeds"),
    "base": (dict, "an object (the base co-training config)"),
}


def _sweep_shape_problem(data: dict[str, Any]) -> str | None:
    """What in a sweep.json's ``spec`` / ``resources`` has the wrong type (or is missing), named
    with the type expected; None when the shape is right (the values are checked on loading)."""

    def wrong(field: str, value: Any, expected: str) -> str:
        kind = run_io.with_article(type(value).__name__)
        return f"{field!r} is {kind} ({value!r:.40}), expected {expected}"

    for key in ("spec", "resources"):
        if not isinstance(data[key], dict):
            return wrong(key, data[key], "an object")
    spec = data["spec"]
    missing = [key for key in _SPEC_SHAPES if key not in spec]
    if missing:
        return f"'spec' has no {' or '.join(repr(k) for k in missing)} key"
    for key, (kind, expected) in _SPEC_SHAPES.items():
        if not isinstance(spec[key], kind):
            return wrong(f"spec.{key}", spec[key], expected)
    for pair in spec["configs"]:
        if not isinstance(pair, list) or len(pair) != 2:
            return wrong("spec.configs", pair, "[k, λ] pairs as its items")
    fields = [field.name for field in dataclasses.fields(SweepResources)]
    for key in data["resources"]:  # was: "SweepResources.__init__() got an unexpected keyword"
        if key not in fields:
            return (
                f"'resources' has an unknown key {key!r}{command_line.did_you_mean(key, fields)}; "
                f"its keys are {fields}"
            )
    return None


def load_sweep(sweep_dir: str | Path) -> tuple[SweepSpec, SweepResources]:
    """The spec and resources a sweep was started with (``<sweep_dir>/sweep.json``)."""
    path = Path(sweep_dir) / SWEEP_FILE
    run_io.check_file_or_absent(path, "sweep_dir", f"restore the sweep's {SWEEP_FILE}")
    if not path.is_file():  # probe 19: a mistyped path was "not a sweep folder?"
        raise FileNotFoundError(not_a_sweep_text(sweep_dir))
    run_io.check_readable(path, "sweep_dir")  # probe 18: was a bare "[Errno 13] …"
    try:
        data = run_io.read_json(path)
    except json.JSONDecodeError as err:
        raise ValueError(
            f"{path}: not valid JSON ({err}); restore or recreate {SWEEP_FILE}"
        ) from err
    missing = [k for k in ("spec", "resources") if k not in data] if isinstance(data, dict) else []
    if not isinstance(data, dict) or missing:  # probe 50 row 58: was "damaged (KeyError: 'spec')"
        what = (
            f"no {' or '.join(repr(k) for k in missing)} key"
            if missing
            else f"{run_io.with_article(type(data).__name__)}, not an object"
        )
        raise ValueError(
            f"{path} is not a {SWEEP_FILE} written by scripts/sweep.py ({what}); restore it or "
            "start a new sweep"
        )
    problem = _sweep_shape_problem(data)
    if problem is not None:  # probe 51: was "damaged sweep.json (TypeError: 'int' object is not
        # subscriptable)" for a "spec" that is a number
        raise ValueError(f"{path}: damaged {SWEEP_FILE}: {problem}; restore or recreate it")
    try:
        return SweepSpec.from_dict(data["spec"]), SweepResources(**data["resources"])
    except (KeyError, TypeError, ValueError) as err:  # ValueError: a hand-edited value
        raise ValueError(  # (was: "could not convert string to float: 'a'", naming no file)
            f"{path}: damaged {SWEEP_FILE} ({type(err).__name__}: {err}); restore or recreate it"
        ) from err


def write_sweep_report(sweep_dir: str | Path) -> tuple[SweepReport, dict[str, Path]]:
    """(Re)write ``table.md``, ``table.csv`` and ``curves/`` of a sweep from its run folders
    (rows and columns in the sweep's order; trials of the grid without a finished run are the
    report's ``missing``). Needs no Ray."""
    spec, _ = load_sweep(sweep_dir)
    runs_root = Path(sweep_dir) / RUNS_DIR
    return write_report(
        sweep_dir,
        runs_root,
        datasets=spec.datasets,
        configs=spec.configs,
        grid=spec.grid,
        agent=spec.base.algo,  # probe 28: the tables name the sweep's agent
        n_iterations=spec.base.n_iterations,  # probe 46: trials extended by hand are named
    )


def sweep_report(sweep_dir: str | Path) -> SweepReport:
    """The report :func:`write_sweep_report` writes, nothing written (a sweep still running, an
    interrupted one). Needs no Ray."""
    spec, _ = load_sweep(sweep_dir)
    runs_root = Path(sweep_dir) / RUNS_DIR
    datasets, configs, grid, agent = spec.datasets, spec.configs, spec.grid, spec.base.algo
    n_iterations = spec.base.n_iterations
    if not runs_root.is_dir():  # stopped before its first trial
        return summarise([], datasets=datasets, configs=configs, grid=grid, agent=agent)
    return build_report(
        runs_root,
        datasets=datasets,
        configs=configs,
        grid=grid,
        agent=agent,
        n_iterations=n_iterations,
    )


#: What a second driver on a held sweep folder says (probe 24: a second --resume reran the
#: trials of the live sweep, whose trial then died).
IN_USE = (
    "sweep_dir: {folder} is in use by process {pid} (a running sweep.py); wait for it or stop "
    "it first (if process {pid} is no sweep.py, its PID was reused: remove {folder}/.lock)"
)


@contextmanager
def _hold_sweep(sweep_dir: Path) -> Iterator[None]:
    """Hold ``sweep_dir`` for this driver (``.lock``, :func:`rambo_env.run_io.hold_folder`)."""
    in_use = IN_USE.format(folder=command_line.shell_path(sweep_dir), pid="{pid}")
    with run_io.hold_folder(sweep_dir, in_use, elsewhere="--sweep-dir"):
        yield


# -- the trial -----------------------------------------------------------------------------
def cotrain_trainable(
    params: dict[str, Any],
    logging_state: dict[str, Any] | None = None,
    invocation: dict[str, Any] | None = None,
) -> None:
    """One Tune trial: one co-training run (Alg. 1) through :func:`run_cotrain`.

    ``params`` (the trial's Tune config): ``dataset``, ``k_lambda`` = [k, λ], ``seed``, ``base``
    (a :class:`CotrainConfig` dict) and ``runs_root``. Reports each iteration's metrics with a
    Tune checkpoint, then a final row with ``final_score``, ``rambo_off`` and ``status``.
    ``logging_state``: the driver's :func:`rambo_env.logging.state`, taken first.
    ``invocation``: how the driver was invoked (:func:`rambo_env.run_io.script_invocation`), which
    the run's config.json records for this session (probe 138).
    """
    from ray import tune

    if logging_state is not None:
        apply_logging_state(logging_state)

    from agents.cotrain import RunInterrupted, run_cotrain

    config = RamboPreset(*params["k_lambda"])
    # saved=True: a sweep started before a field existed resumes with its old value (probe 84 row
    # 31: mle_max_steps took the new default 10000 for the remaining trials of an old sweep)
    base = config_from_dict(params["base"], saved=True)
    cfg = trial_config(base, params["dataset"], config, params["seed"])
    cpus = tune.get_context().get_trial_resources().required_resources.get("CPU", 1.0)
    cfg = dataclasses.replace(cfg, torch_threads=max(1, int(cpus)))
    run_dir = trial_run_dir(params["runs_root"], cfg.dataset, config, cfg.seed)
    checkpoint = tune.get_checkpoint()
    done = _complete_run(run_dir, cfg) if checkpoint is None else None
    if done is not None:  # issue 14: a resume without tune/ retrained finished trials
        note(f"[sweep] {run_dir} already holds this trial's {done['status']} run: kept, not rerun")
        tune.report(_final_metrics(done))
        return
    sweep_dir = Path(params["runs_root"]).parent
    recorded = sweep_fingerprints(sweep_dir).get(params["dataset"])
    from rambo_env.data.loaders import needs_generation

    if recorded is not None and needs_generation(params["dataset"]):
        # probe 124 rows 40, 42: the data the driver prepared, or none (never generated here)
        check_sweep_dataset(sweep_dir, params["dataset"], recorded, cfg.env_id)
    resume = _restore_run_dir(run_dir, checkpoint)

    def same_data(dataset: Any) -> None:  # probe 129 row 4: checked on the run's own load
        if recorded is not None:
            check_sweep_dataset(
                sweep_dir, params["dataset"], recorded, cfg.env_id, dataset.fingerprint()
            )

    def report(metrics: dict[str, Any]) -> None:  # after run_cotrain's checkpoint of the iteration
        with tempfile.TemporaryDirectory() as tmp:
            for name in CHECKPOINT_FILES:
                shutil.copy2(run_dir / name, Path(tmp) / name)
            tune.report(_tune_metrics(metrics), checkpoint=tune.Checkpoint.from_directory(tmp))

    try:
        with checking_loaded_dataset(same_data):
            results = run_cotrain(
                cfg, run_dir, resume=resume, on_iteration=report, invocation=invocation
            )
    except RunInterrupted as stop:  # an error for Tune, so that a resume continues it
        raise RuntimeError(f"trial interrupted: {stop.results['message']}") from None
    tune.report(_final_metrics(results))


def _final_metrics(results: dict[str, Any]) -> dict[str, Any]:
    """A trial's last Tune row, from its run's results."""
    rambo_off = (results.get("rambo_off") or {}).get("value")
    return {
        "iteration": results.get("iterations_completed"),
        "final_score": results.get("final_score"),
        "final_return": results.get("final_return"),
        "rambo_off": math.inf if rambo_off is None else rambo_off,
        "status": results.get("status"),
    }


def _complete_run(run_dir: Path, cfg: CotrainConfig) -> dict[str, Any] | None:
    """The results.json of the trial's run folder when it holds this trial's complete run
    (finished all ``cfg.n_iterations``, or diverged: a result too), else None."""
    try:
        saved = run_io.read_json(run_dir / run_io.RESULTS_NAME)
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("status") not in COMPLETE_STATUSES:
        return None
    same = (
        saved.get("rollout_length") == cfg.rollout_length
        and saved.get("adversary_weight") == cfg.adversary_weight
        and saved.get("seed") == cfg.seed
    )
    done = run_io.iterations_on_record(run_dir)
    if not same or (saved["status"] == "finished" and done < cfg.n_iterations):
        return None
    return saved


def _runs_on_record(spec: SweepSpec, runs_root: Path) -> tuple[list[str], list[str], list[str]]:
    """The grid's trials by what their run folders hold: (complete, started, not started)."""
    complete, started, fresh = [], [], []
    for dataset, config, seed in spec.grid:
        run_dir = trial_run_dir(runs_root, dataset, config, seed)
        name = f"{dataset_slug(dataset)}-{config_slug(config)}-s{seed}"
        if _complete_run(run_dir, spec.trial_config(dataset, config, seed)) is not None:
            complete.append(name)
        elif run_dir.exists():
            started.append(name)
        else:
            fresh.append(name)
    return complete, started, fresh


def _restore_run_dir(run_dir: Path, checkpoint: Any) -> bool:
    """Put the trial's latest Tune checkpoint into its run folder; True if there is one.

    Tune's checkpoint is the source of truth (it may come from another node). Without one, the
    trial starts over: a folder left by an attempt that died before its first report is removed.
    """
    if checkpoint is None:
        if run_dir.exists():
            shutil.rmtree(run_dir)
        return False
    run_dir.mkdir(parents=True, exist_ok=True)
    with checkpoint.as_directory() as src:
        for name in CHECKPOINT_FILES:
            run_io.atomic_write(
                run_dir / name, lambda tmp, n=name: shutil.copy2(Path(src) / n, tmp)
            )
    # Tune's checkpoint holds no TensorBoard logs: a trial restored on another node logs from
    # here on (Tune's own results keep the earlier iterations); tb/CURVES_LOST says so to the
    # resume, which refuses a run whose tb/ (or its event files) went missing.
    tb = run_dir / run_io.TB_DIR
    if not (tb.exists() or tb.is_symlink()):
        tb.mkdir()
        (tb / run_io.TB_LOST_NAME).touch()
    return True


def _tune_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """Scalars only (the per-episode returns stay in results.json)."""
    return {k: v for k, v in metrics.items() if isinstance(v, int | float | str)}


def _trial_name(trial: Any) -> str:
    """``<dataset>-k2-lam3e-4-s0``: Tune's name and folder name of a trial."""
    params = trial.config
    if not all(key in params for key in ("dataset", "k_lambda", "seed")):
        # probe 86 row 31: was a raw KeyError 'k_lambda' (a restore without the sweep's grid)
        return f"trial-{trial.trial_id}"
    config = RamboPreset(*params["k_lambda"])
    return f"{dataset_slug(params['dataset'])}-{config_slug(config)}-s{params['seed']}"


def _keeps_process_state(function: Any) -> Any:
    """``function`` (:func:`run_sweep`, :func:`resume_sweep`) inside
    :func:`_ray_process_state_kept`: from before Ray is imported to after it is shut down."""

    @functools.wraps(function)
    def kept(*args: Any, **kwargs: Any) -> Any:
        with _ray_process_state_kept():
            return function(*args, **kwargs)

    return kept


@contextmanager
def _ray_process_state_kept() -> Iterator[None]:
    """The process-wide state ``import ray`` and ``ray.init`` change, as the caller had it once
    the sweep's Ray is shut down: the signal handlers (Ray's SIGTERM handler; only the main thread may set them),
    ``sys.excepthook`` / ``threading.excepthook``, ``faulthandler`` (disabled again if it was),
    the environment variables (``PYTHONBREAKPOINT`` pointed at Ray's remote debugger,
    ``RAY_worker_niceness`` of :func:`local_worker_niceness`, ``RAY_CLIENT_MODE``, …: each
    changed one back to its value, each new one removed) and the state of Python's ``random``.
    Probe 118 row 42: a library caller was left with Ray's SIGTERM handler (its own gone: a
    later SIGTERM ended it, rc 143), Ray's excepthook, ``breakpoint()`` going to Ray's debugger.
    Left: ``ray/thirdparty_files`` in ``sys.path`` (``import ray``'s own; Ray imports its
    vendored psutil from there) and the warnings filters ``import ray`` adds for its own
    warning classes."""
    import faulthandler
    import random

    main = threading.current_thread() is threading.main_thread()
    handlers = {}
    for sig in signal.Signals if main else ():
        with contextlib.suppress(ValueError, OSError):
            handlers[sig] = signal.getsignal(sig)
    hooks = (sys.excepthook, threading.excepthook)
    faults = faulthandler.is_enabled()
    environ = dict(os.environ)
    rng = random.getstate()
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            if handler is not None and signal.getsignal(sig) is not handler:
                with contextlib.suppress(ValueError, OSError):
                    signal.signal(sig, handler)
        sys.excepthook, threading.excepthook = hooks
        if not faults and faulthandler.is_enabled():
            faulthandler.disable()
        for key in set(os.environ) | set(environ):
            if os.environ.get(key) != environ.get(key):
                if key in environ:
                    os.environ[key] = environ[key]
                else:
                    os.environ.pop(key, None)
        random.setstate(rng)


# -- the sweep -----------------------------------------------------------------------------
@_keeps_process_state
def run_sweep(
    spec: SweepSpec,
    sweep_dir: str | Path,
    resources: SweepResources = SweepResources(),
    *,
    address: str | None = None,
    prepare_datasets: bool = True,
    verbose: int = 1,
    invocation: dict[str, Any] | None = None,
) -> SweepOutcome:
    """Start a sweep in an empty ``sweep_dir``; returns when every trial has ended.

    :param address: an existing Ray cluster (``"auto"``, ``"<head-ip>:6379"``, ``"ray://..."``)
        joined unchanged; None joins ``$RAY_ADDRESS`` when it is set (as ``ray.init()`` does,
        :func:`resolve_address`), else starts a local Ray on this machine's cores (unless this
        process already called ``ray.init``).
    :param prepare_datasets: load each dataset once in this process first (a missing short-name
        dataset is generated here, not by several trials at once) and fail early on bad names:
        every dataset is checked before any is generated (:func:`_prepare_datasets`).
    :param verbose: Tune's console output (0 silent, 1 status table, 2 with trial results).
    :param invocation: how the script was invoked (:func:`rambo_env.run_io.script_invocation`;
        scripts/sweep.py passes its own): sweep.json's ``invocations`` and each trial run's
        config.json record it (probe 138); None: a library call (``argv`` None).
    """
    run_io.check_outside_stores(sweep_dir, "sweep_dir", "--sweep-dir")  # probe 34
    provenance.check_invocation(invocation)
    sweep_call = provenance.session_invocation(invocation, resume=False)
    _import_tune()  # before anything is written
    origin = _address_origin(address)
    address = resolve_address(address)
    check_ray_working_folder(address)
    check_trial_device(
        spec.base.device, resources.gpus_per_trial, address, resources.cpus_per_trial
    )
    _check_trial_environment(spec.base, address)
    spec = spec.with_resolved_precision()
    sweep_dir = Path(sweep_dir).resolve()
    made = [p for p in (sweep_dir, *sweep_dir.parents) if not p.exists()]  # deepest first
    if sweep_dir.is_dir():  # probe 151 row 1: a new folder is refused by check_writable
        run_io.check_umask_for_run(sweep_dir, resume=False, sweep=True)
    # was: a WriteFailedError traceback after the datasets were prepared (generated: minutes)
    run_io.check_writable(sweep_dir, "sweep_dir:", "pick a writable folder (--sweep-dir)")
    for config in spec.configs:  # probe 159: were said only inside each trial, under Ray
        k, lam = config.rollout_length, config.adversary_weight
        say_large_adversary_weight(lam, f"--configs {k}:{lam:g}")
    say_large_steps(spec.base.agent_steps_per_iteration, spec.base.adversary_steps_per_iteration)
    try:
        # probe 24: held first (two sweeps started in the same second shared one folder)
        with _hold_sweep(sweep_dir):
            if any(p.name != run_io.LOCK_NAME for p in sweep_dir.iterdir()):
                todo = (  # probe 49: the command to paste; no "resume it" without a sweep
                    f"resume it ({command_line.script_line('sweep.py')} --resume "
                    f"{command_line.shell_path(sweep_dir)})"
                    " or choose another"
                    if (sweep_dir / SWEEP_FILE).is_file()
                    else "it holds no sweep; choose another (--sweep-dir)"
                )
                raise ValueError(f"sweep_dir: {sweep_dir} is not empty; {todo}")
            fingerprints: dict[str, str] = {}  # probe 124 rows 40, 42: the trials' data
            dims = (
                _prepare_datasets(spec.datasets, spec.configs, spec.base.env_id, fingerprints)
                if prepare_datasets
                else None
            )
            generated = _generation_record(spec.datasets, spec.base.env_id) if fingerprints else {}
            if address is None:  # a joined cluster's nodes: their memory is not known here
                _check_trial_memory(spec, dims or {})
            run_io.write_json(
                sweep_dir / SWEEP_FILE,
                {
                    "spec": spec.to_dict(),
                    "resources": dataclasses.asdict(resources),
                    **({FINGERPRINTS_KEY: fingerprints} if fingerprints else {}),
                    **({GENERATION_KEY: generated} if generated else {}),
                    INVOCATIONS_KEY: [sweep_call],  # probe 138: a resume appends its own
                },
            )
            try:
                return _fit(
                    spec,
                    resources,
                    sweep_dir,
                    address,
                    verbose,
                    restore=False,
                    origin=origin,
                    invocation=invocation,
                )
            except RayStartError:  # probe 49: its sweep.json blocked the corrected command
                (sweep_dir / SWEEP_FILE).unlink(missing_ok=True)
                run_io._remove_empty([sweep_dir / RUNS_DIR])
                raise
    except BaseException:  # a bad name, Ctrl-C: was an empty sweep folder left behind
        run_io._remove_empty(made)
        raise


@_keeps_process_state
def resume_sweep(
    sweep_dir: str | Path,
    *,
    address: str | None = None,
    verbose: int = 1,
    invocation: dict[str, Any] | None = None,
) -> SweepOutcome:
    """Continue an interrupted sweep: unfinished and errored trials resume from their last Tune
    checkpoint, finished trials are not run again. The spec is the saved one. ``invocation``: as
    :func:`run_sweep`'s (appended to sweep.json's ``invocations``)."""
    run_io.check_outside_stores(sweep_dir, "sweep_dir", "--sweep-dir")  # probe 34
    provenance.check_invocation(invocation)
    sweep_call = provenance.session_invocation(invocation, resume=True)
    sweep_dir = Path(sweep_dir).resolve()
    run_io.check_file_or_absent(
        sweep_dir / SWEEP_FILE, "sweep_dir", f"restore the sweep's {SWEEP_FILE}"
    )
    if not (sweep_dir / SWEEP_FILE).is_file():
        raise FileNotFoundError(not_a_sweep_text(sweep_dir))
    spec, resources = load_sweep(sweep_dir)
    # before Ray starts (appended under the hold, below)
    provenance.recorded_invocations(
        run_io.read_json(sweep_dir / SWEEP_FILE), sweep_dir / SWEEP_FILE, "sweep_dir", "sweep"
    )
    _check_not_moved(sweep_dir)
    origin = _address_origin(address)
    address = resolve_address(address)
    check_ray_working_folder(address)
    check_trial_device(
        spec.base.device, resources.gpus_per_trial, address, resources.cpus_per_trial
    )
    _check_trial_environment(spec.base, address)
    end_dead_drivers_ray(sweep_dir)
    with _hold_sweep(sweep_dir):  # probe 24: a second driver reran the live sweep's trials
        _check_sweep_datasets(sweep_dir, spec)  # probe 124 rows 40, 42
        _record_sweep_invocation(sweep_dir, sweep_call)
        return _fit(
            spec,
            resources,
            sweep_dir,
            address,
            verbose,
            restore=True,
            origin=origin,
            invocation=invocation,
        )


def _record_sweep_invocation(sweep_dir: Path, sweep_call: dict[str, Any]) -> None:
    """Append a resumed sweep's session to its sweep.json's ``invocations`` (the earlier kept;
    absent in sweeps started before probe 138). ValueError for one edited by hand that is not a
    list of records (:func:`rambo_env.run_io.recorded_invocations`; was: a non-list replaced with
    a note, a bad record kept)."""
    path = sweep_dir / SWEEP_FILE
    saved = run_io.read_json(path)
    kept = provenance.recorded_invocations(saved, path, "sweep_dir", "sweep")
    run_io.write_json(path, {**saved, INVOCATIONS_KEY: [*kept, sweep_call]})


def _stored_runs_roots(sweep_dir: Path) -> Iterator[tuple[str, Any]]:
    """(file, ``runs_root``) of each trial config Tune stored in ``sweep_dir/tune``: its newest
    ``experiment_state-*.json`` (what ``Tuner.restore`` reads: plain JSON, nothing unpickled),
    then each started trial's ``params.json``. Damaged or unknown shapes are skipped."""
    tune_dir = sweep_dir / TUNE_DIR
    states = sorted(tune_dir.glob("experiment_state-*.json"))[-1:]
    for path in [*states, *sorted(tune_dir.glob("*/params.json"))]:
        name = path.relative_to(sweep_dir).as_posix()
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError, IndexError):
            data = run_io.read_json(path)
            if path.name == "params.json":
                yield name, data.get("runs_root")
                continue
            for trial in data.get("trial_data", []):
                yield name, (json.loads(trial[0]).get("config") or {}).get("runs_root")


def _check_not_moved(sweep_dir: Path) -> None:
    """One ValueError, before Ray starts, for a sweep folder moved (or copied) since its trials
    were made: Tune restores each trial with its stored config, whose ``runs_root`` is the
    folder's old ``runs/`` (``tune/experiment_state-*.json``, ``tune/<trial>/params.json``), so
    resumed trials would train there, recreating it if gone (probe 64: was silent;
    ``--report-only`` here went on calling them unfinished)."""
    moved = moved_from(sweep_dir)
    if moved is not None:
        old, name, stored = moved
        raise ValueError(
            f"sweep_dir: the sweep was made at {old} and is now at {sweep_dir}: its trials' "
            f"Tune state ({name}) writes their runs to {stored}, "
            f"so a resume here would train into the old folder; move it back to {old} and "
            f"resume it there (--resume {command_line.shell_path(old)}), or start a new sweep; "
            "--report-only reads it here"
        )


def moved_from(sweep_dir: Path) -> tuple[Path, str, str] | None:
    """``(old folder, file, stored runs_root)`` when ``sweep_dir`` was moved (or copied) since
    Tune stored its trials' configs (:func:`_check_not_moved`), else None."""
    here = (Path(sweep_dir) / RUNS_DIR).resolve()
    for name, stored in _stored_runs_roots(Path(sweep_dir)):
        if isinstance(stored, str) and Path(stored).resolve() != here:
            return Path(stored).parent, name, stored
    return None


def _still_running(pid: int) -> bool:
    """``pid`` exists and is no zombie (one left for its parent to reap has exited)."""
    return run_io.process_state(pid) not in (None, "Z")


#: A local Ray session's folder, named after the PID of the driver that started it.
_RAY_SESSION = re.compile(r"/session_[\d_-]+_(\d+)/")


def end_dead_drivers_ray(sweep_dir: str | Path) -> list[int]:
    """End the Ray processes a killed driver of this sweep left running; their PIDs.

    Issue 14: after ``kill -9`` of the driver (the OOM killer, a scheduler), its local Ray's
    ``ray::DashboardAgent`` and ``ray::RuntimeEnvAgent`` (~180 MB) lived on as orphans. The
    sweep's stale ``.lock`` names the dead driver; the local Ray session it started is the one
    named after its PID (``/tmp/ray/session_<date>_<pid>``), and its processes hold their log
    files there open. Only this user's processes of that session are ended (SIGTERM), with
    one note (SIGKILL for those still running 5 s later: Ray's agents catch SIGTERM); a live
    driver, a lock copied from another folder, or a joined cluster (no session of the driver's
    own) end nothing. Linux ``/proc`` only; elsewhere nothing."""
    lock = Path(sweep_dir) / run_io.LOCK_NAME
    try:
        text = lock.read_text(errors="replace", encoding="utf-8")
    except OSError:
        return []
    parsed = run_io._parse_lock(text)
    if parsed is None or run_io.pid_alive(parsed[0]) or run_io.lock_copied(text, sweep_dir):
        return []
    if run_io.lock_elsewhere(text) is not None:  # probe 102 row 2: a driver of another host
        return []
    driver, found = parsed[0], []
    with contextlib.suppress(OSError):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if entry.stat().st_uid != os.getuid():
                    continue  # never another user's
                links = [os.readlink(fd) for fd in (entry / "fd").iterdir()]
            except OSError:  # gone meanwhile, or not ours to read
                continue
            sessions = {int(m[1]) for m in map(_RAY_SESSION.search, links) if m}
            if driver in sessions:
                found.append(int(entry.name))
    ended = []
    for pid in found:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
            ended.append(pid)
    deadline = time.monotonic() + 5.0  # Ray's agents catch SIGTERM and may not exit on it
    while any(map(_still_running, ended)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in filter(_still_running, ended):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    if ended:
        note(
            f"[sweep] note: the sweep's earlier driver (process {driver}) is gone; ended "
            f"{len(ended)} process(es) its local Ray left running (PIDs "
            f"{', '.join(map(str, ended))})",
        )
    return ended


def _check_trial_environment(base: CotrainConfig, address: str | None) -> None:
    """The torch variables each trial's cotrain checks before its setup
    (:func:`rambo_env.run_io.check_torch_compile_cache`: the variables torch reads with
    ``int()``, ``TORCHINDUCTOR_CACHE_DIR``), here before any dataset is prepared or Ray is
    started, where this machine runs the trials (no ``address``: a cluster's nodes have their own
    environment). Probe 144 row 12: ``TORCHINDUCTOR_COMPILE_THREADS=abc`` failed every trial
    after the datasets were prepared and Ray started, and left the sweep folder behind. And the
    model cache (``RAMBO_ENV_CACHE``, as each trial's cotrain checks it first; session 56: a
    plain file there failed the one trial three times, wrote empty tables and advised against
    ``--resume``, which works once the variable is fixed): one that exists is checked here, a
    missing one is made by the trials as before (nothing made before the sweep folder's own
    checks, probe 151's umask among them)."""
    if address is None:
        from rambo_env.dynamics.io import cache_dir, check_cache_dir

        run_io.check_torch_compile_cache(base.uses_compile)
        if os.path.lexists(cache_dir()):  # a file, a dangling link, an unwritable folder
            check_cache_dir()


def check_trial_device(
    device: str, gpus_per_trial: float, address: str | None, cpus_per_trial: float = 1.0
) -> None:
    """The trials' ``device`` and GPU share, before any dataset is prepared or Ray is started.

    Was: ``--device gpu`` passed the driver (datasets prepared, ``sweep.json`` written, Ray
    started) and failed in every trial; ``--gpus-per-trial`` on a machine without CUDA left a
    local Ray's trials waiting forever for a GPU. Without ``address`` this machine runs the
    trials, so the device must be usable here; a cluster's nodes may have GPUs this driver
    lacks, so only the device's form is checked then.
    """
    import torch

    # probe 21: called alone, -1 / NaN CPUs passed and "3" was a raw TypeError: SweepResources
    # checks them as it does for a sweep
    SweepResources(cpus_per_trial=cpus_per_trial, gpus_per_trial=gpus_per_trial)
    if address is None:
        check_device(device, "--device")
        cores = _n_cores()  # what the local Ray is started with
        if cpus_per_trial > cores:  # Probe 11: was a trial PENDING forever (Ray's autoscaler:
            raise ValueError(  # "No available node types can fulfill resource request")
                f"cpus_per_trial: {cpus_per_trial:g}, but this machine has {cores} CPU core(s), "
                "so a local Ray can never start a trial (each would wait forever); give at most "
                f"{cores}, or join a cluster with bigger nodes (--address)"
            )
        n_gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if gpus_per_trial > n_gpus > 0:
            raise ValueError(
                f"gpus_per_trial: {gpus_per_trial:g}, but this machine has {n_gpus} GPU(s), so "
                "a local Ray can never start a trial; give at most that many, or join a "
                "cluster with bigger nodes (--address)"
            )
        if gpus_per_trial > 0 and not torch.cuda.is_available():
            raise ValueError(
                f"gpus_per_trial: {gpus_per_trial:g}, but this machine has no usable CUDA (torch "
                f"{torch.__version__}), so a local Ray has no GPU and every trial would wait for "
                "one forever; leave --gpus-per-trial out, or join a cluster with GPUs (--address)"
            )
        return
    if device == "auto":
        return
    try:
        kind = torch.device(device).type
    except (RuntimeError, TypeError):
        kind = None
    if kind != "cuda":  # names a malformed or unsupported device
        check_device(device, "--device")


#: The addresses a sweep can join, for the messages.
_JOINABLE = (
    "'auto' (on a node of the cluster), the head node's host:port (its GCS port, usually 6379, "
    "as `ray start --head` prints) or ray://host:10001 (Ray Client)"
)


def _url_problem(address: str) -> str | None:
    """Why ``address``, a URL other than ``ray://…``, is no cluster a sweep can join, else None.

    Probe 29: ``RAY_ADDRESS=http://127.0.0.1:8265`` (the dashboard's job-submission address, set
    for ``ray job submit``) was "no Ray cluster answers at http://127.0.0.1:8265 (Name or service
    not known)": the scheme was taken for part of the host name."""
    scheme, sep, _ = address.strip().partition("://")
    if not sep or scheme.lower() == "ray":
        return None
    if scheme.lower() in ("http", "https"):
        return (
            f"is an {scheme.lower()}:// address: a Ray dashboard / job-submission address (for "
            "`ray job submit`, port 8265), not a cluster address a sweep can join"
        )
    return f"has the scheme {scheme}://, which is no Ray cluster address (only ray:// is)"


def check_address(address: str | None, timeout_s: float = 5.0) -> None:
    """A ``host:port`` (or ``ray://host:port``) Ray address answers, before anything is written
    (was: Ray retried for minutes, printing "Failed to connect to GCS", after sweep.json was
    written, so the same command then found the folder "not empty"). ``auto``, ``local`` and no
    address are Ray's own business."""
    if not (run_io.is_real(timeout_s) and 0 < timeout_s < math.inf):  # probe 21: "3" / -1 / NaN
        raise ValueError(f"timeout_s: expected a finite number > 0, got {timeout_s!r}")  # raw
    if address is None or address in ("auto", "local"):
        return
    if not isinstance(address, str):  # probe 21: was a raw AttributeError ('removeprefix')
        raise ValueError(f"address: expected 'auto' or host:port, got {type(address).__name__}")
    wrong = _url_problem(address)
    if wrong is not None:
        raise ValueError(f"address: {address!r} {wrong}; use {_JOINABLE}")
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(
            f"address: {address!r} is not 'auto', host:port or ray://host:port (e.g. "
            "10.0.0.5:6379, the head node's address that `ray start --head` prints)"
        )
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as err:
        raise ValueError(
            f"address: no Ray cluster answers at {address} ({err.strerror or err}); start one "
            "there (ray start --head), fix --address, or leave it out for a local Ray"
        ) from None
    wrong = None if address.startswith("ray://") else _not_a_gcs(address, timeout_s)
    if wrong is not None:
        raise ValueError(
            f"address: no Ray cluster answers at {address} ({wrong}); check the address (ray "
            "status on the head node), fix --address, or leave it out for a local Ray"
        )


#: The Ray GCS call that ``ray.init(address=…)`` makes first (``gcs_client.cc``).
_GCS_CLUSTER_ID = "/ray.rpc.NodeInfoGcsService/GetClusterId"


def _not_a_gcs(address: str, timeout_s: float) -> str | None:
    """Why the server that accepted a TCP connection at ``address`` is no Ray GCS: it does not
    know the GCS's first call (gRPC UNIMPLEMENTED, as an HTTP/2 proxy or another gRPC service
    answers), else None; anything else (no grpc, TLS, a timeout) is left to ``ray.init``.

    Probe 49: ``--address 10.0.0.1:1`` behind a proxy that accepts every connection passed the
    TCP check, and Ray retried for ~25 s ("Failed to get cluster ID from GCS server … rpc_code:
    12"), after the sweep folder was written."""
    try:
        import grpc
    except ImportError:
        return None
    channel = grpc.insecure_channel(address)
    try:
        channel.unary_unary(_GCS_CLUSTER_ID)(b"", timeout=timeout_s)
    except grpc.RpcError as err:
        if err.code() == grpc.StatusCode.UNIMPLEMENTED:  # type: ignore[attr-defined]
            details = (err.details() or "").strip()  # type: ignore[attr-defined]
            return "it answers, but not as a Ray cluster" + (f": {details}" if details else "")
    finally:
        channel.close()
    return None


#: Where ``ray.init()`` without an address looks for a cluster to join.
RAY_ADDRESS = "RAY_ADDRESS"


def resolve_address(address: str | None) -> str | None:
    """The Ray address a sweep uses, checked (:func:`check_address`): ``address`` when given,
    else ``$RAY_ADDRESS`` when set (said in one ``[sweep]`` line), else None (a local Ray).

    Probe 28: with ``RAY_ADDRESS`` set and no ``--address``, the local Ray's
    ``ray.init(num_cpus=…)`` met Ray's own RAY_ADDRESS lookup and failed ("When connecting to an
    existing cluster, num_cpus and num_gpus must not be provided") after the sweep folder was
    written, and the error blamed memory / CPU load and advised ``--resume``, which failed the
    same way. ``ray.init()`` joins ``$RAY_ADDRESS`` when given no address, and so does a sweep.
    """
    if address is not None:
        check_address(address)
        return address
    from_env = os.environ.get(RAY_ADDRESS, "").strip()
    if not from_env:  # unset or empty: Ray starts a local cluster too
        return None
    wrong = _url_problem(from_env)
    if wrong is not None:  # probe 29: was "no Ray cluster answers … (Name or service not known)"
        raise ValueError(
            f"{RAY_ADDRESS}: {from_env!r} is set in the environment, and a sweep without "
            f"--address joins it as ray.init() does, but it {wrong}; set {RAY_ADDRESS} to "
            f"{_JOINABLE}, pass --address, or unset {RAY_ADDRESS} for a local Ray (for this "
            f"command only: {RAY_ADDRESS}= {command_line.script_line('sweep.py')} …)"
        )
    try:
        check_address(from_env)
    except ValueError as err:
        reason = str(err).removeprefix("address: ")
        raise ValueError(
            f"{RAY_ADDRESS}: {from_env!r} is set in the environment, and a sweep without "
            f"--address joins it as ray.init() does, but {reason.split('; ')[0]}; fix or start "
            f"that cluster, pass --address, or unset {RAY_ADDRESS} for a local Ray"
        ) from None
    note(
        f"[sweep] {RAY_ADDRESS}={from_env} is set: joining that Ray cluster, as ray.init() does "
        f"(unset {RAY_ADDRESS} for a local Ray on this machine)",
    )
    return from_env


def _fit(
    spec: SweepSpec,
    resources: SweepResources,
    sweep_dir: Path,
    address: str | None,
    verbose: int,
    *,
    restore: bool,
    origin: str = "--address",
    invocation: dict[str, Any] | None = None,
) -> SweepOutcome:
    tune = _import_tune()
    t_start = time.perf_counter()
    (sweep_dir / RUNS_DIR).mkdir(parents=True, exist_ok=True)
    trainable = _sweep_trainable(tune, resources, invocation)
    analysis_log = logging.getLogger(TUNE_ANALYSIS_LOGGER)
    analysis_log.addFilter(_no_metrics_yet)
    try:
        with _ray_session(address, sweep_dir, resume=restore, origin=origin):
            grid = _fit_grid(tune, spec, resources, sweep_dir, trainable, verbose, restore)
    finally:
        analysis_log.removeFilter(_no_metrics_yet)
    report, files = write_sweep_report(sweep_dir)
    errors, errors_repeat = trial_errors(
        [(Path(r.path).name if r.path else "?", r.error) for r in grid if r.error is not None]
    )
    return SweepOutcome(
        report,
        files,
        len(grid),
        grid.num_errors,
        wall_s=time.perf_counter() - t_start,
        errors=errors,
        errors_repeat=errors_repeat,
    )


#: Tune's logger of "Failed to fetch metrics for N trial(s)" on a restore.
TUNE_ANALYSIS_LOGGER = "ray.tune.analysis.experiment_analysis"


def _no_metrics_yet(record: logging.LogRecord) -> bool:
    """Tune's restore warning for trials that reported nothing before the driver died ("Failed to
    fetch metrics … FileNotFoundError('Could not fetch metrics for …: both result.json and
    progress.csv were not found …')", which reads like a failure; issue 14) as one note: they
    start again. Any other failure is left as Tune says it."""
    message = record.getMessage()
    if not message.startswith("Failed to fetch metrics"):
        return True
    lines = [line for line in message.splitlines()[1:] if line.strip()]
    names = [line[2:].split(": ", 1)[0] for line in lines]
    if not lines or not all("Could not fetch metrics for" in line for line in lines):
        return True
    record.msg = (
        f"[sweep] note: trial(s) {', '.join(names)} had reported nothing to Tune yet (no "
        "metrics in their tune/ folders): they start again"
    )
    record.args = ()
    return True


def _fit_grid(
    tune: Any,
    spec: SweepSpec,
    resources: SweepResources,
    sweep_dir: Path,
    trainable: Any,
    verbose: int,
    restore: bool,
) -> Any:
    """Tune's fit of the sweep (restored, or started), in a running Ray session."""
    experiment = sweep_dir / TUNE_DIR
    saved = restore and _tune_state_saved(tune, experiment)
    # probe 88 row 142: Tune restores a finished trial as finished, so one whose run folder was
    # removed (to rerun it) was not run again; the grid starts afresh instead (complete runs kept)
    lost = _finished_without_run(tune, spec, sweep_dir) if saved else []
    if saved and not lost:
        tuner = tune.Tuner.restore(
            str(experiment), trainable, resume_unfinished=True, resume_errored=True
        )
    else:  # a new sweep, or one stopped before Tune wrote its state: start it
        if restore:  # issue 14: was silent, and finished trials were trained again
            _note_no_tune_state(spec, sweep_dir, lost)
        tuner = tune.Tuner(
            trainable,
            param_space=_param_space(spec, sweep_dir / RUNS_DIR),
            tune_config=tune.TuneConfig(
                max_concurrent_trials=resources.max_concurrent,
                reuse_actors=True,  # one worker process (imports, model cache) per slot
                trial_name_creator=_trial_name,
                trial_dirname_creator=_trial_name,
            ),
            run_config=tune.RunConfig(
                name=TUNE_DIR,
                storage_path=str(sweep_dir),
                checkpoint_config=tune.CheckpointConfig(num_to_keep=1),
                failure_config=tune.FailureConfig(max_failures=resources.max_failures),
                verbose=verbose,
            ),
        )
    controller_log = logging.getLogger(TUNE_CONTROLLER_LOGGER)
    controller_log.addFilter(_one_line_user_error)
    try:
        with _stops_gracefully(sweep_dir) as received:
            grid = tuner.fit()
    finally:
        controller_log.removeFilter(_one_line_user_error)
    ended = grid.num_terminated + grid.num_errors
    if received or ended < len(grid):  # probe 24: was reported as a finished sweep, exit 0
        raise KeyboardInterrupt(f"the sweep was stopped: {ended} of {len(grid)} trials ended")
    return grid


def _tune_state_saved(tune: Any, experiment: Path) -> bool:
    """Whether ``experiment`` (a sweep's tune/) holds a state Tune can restore: its ``tuner.pkl``
    and an ``experiment_state-*.json``. Probe 86 row 31: a driver that raised in its first
    ``Tuner.fit`` left ``tuner.pkl`` alone; the restore failed ("no experiment state file") and
    Tune restarted without the grid (a raw KeyError 'k_lambda'), so the sweep could not go on."""
    return tune.Tuner.can_restore(experiment) and any(experiment.glob("experiment_state-*.json"))


def _finished_without_run(tune: Any, spec: SweepSpec, sweep_dir: Path) -> list[str]:
    """The grid's trials that the sweep's saved Tune state has as finished (``TERMINATED``) but
    whose run folders hold no complete run (removed, or changed by hand, to rerun them): a restore
    would not run them again. Empty when Tune's state cannot be read (the restore then says why)."""
    analysis_log = logging.getLogger(TUNE_ANALYSIS_LOGGER)
    analysis_log.disabled = True  # its "Failed to fetch metrics" is said by the fit that follows
    try:
        trials = tune.ExperimentAnalysis(str(sweep_dir / TUNE_DIR)).trials
    except (OSError, ValueError, KeyError, TypeError):
        return []
    finally:
        analysis_log.disabled = False
    finished = {_trial_name(trial) for trial in trials if trial.status == "TERMINATED"}
    _, started, fresh = _runs_on_record(spec, sweep_dir / RUNS_DIR)
    return [name for name in started + fresh if name in finished]


def _note_no_tune_state(spec: SweepSpec, sweep_dir: Path, lost: list[str] | None = None) -> None:
    """One note when a resumed sweep has no Tune state (tune/ deleted, not synced, or the driver
    died before Tune wrote it), or one set aside because it has ``lost`` trials as finished that
    their run folders do not hold (see :func:`_finished_without_run`): what its run folders hold
    and what will run."""
    complete, started, fresh = _runs_on_record(spec, sweep_dir / RUNS_DIR)
    if not lost and not complete and not started and not (sweep_dir / TUNE_DIR).exists():
        # probe 131 R3: stopped during Ray's start-up, Tune never wrote a state; the note said
        # it was "missing (deleted or not synced?)"
        note(
            f"[sweep] note: no trial had started (the sweep was stopped before Tune started, so "
            f"it saved no state in {sweep_dir / TUNE_DIR}): the grid of {len(fresh)} trial(s) "
            "starts from sweep.json"
        )
        return
    what = (
        f"has {len(lost)} trial(s) as finished whose run folders hold no complete run "
        f"({', '.join(lost[:3])}{', …' if len(lost) > 3 else ''}): they run again; Tune's state "
        "is set aside and the grid starts afresh from sweep.json"
        if lost
        else "is missing (Tune's state deleted or not synced?)"
        if not (sweep_dir / TUNE_DIR).exists()
        # probe 86 row 31: the driver stopped before Tune saved its experiment state
        else "holds no Tune state (the driver stopped before Tune saved it?): the grid starts "
        "afresh from sweep.json"
    )
    parts = []
    if complete:
        parts.append(f"{len(complete)} trial(s) whose run folders hold a complete run are kept")
    if started:
        parts.append(
            f"{len(started)} started but unfinished trial(s) run again from the start "
            f"({', '.join(started[:3])}{', …' if len(started) > 3 else ''})"
        )
    if fresh:
        parts.append(f"{len(fresh)} trial(s) not started yet run")
    note(
        f"[sweep] note: {sweep_dir / TUNE_DIR} {what}; from the run folders: {'; '.join(parts)}",
    )


#: Ray's processes without which Tune cannot stop its trials (``ray_constants.PROCESS_TYPE_*``).
_RAY_CORE_PROCESSES = frozenset({"gcs_server", "raylet"})


def _exit_when_ray_is_gone(
    sweep_dir: Path, signum: int, poll_s: float = 0.5, done: threading.Event | None = None
) -> None:
    """After a stop signal: when this driver's own Ray processes (GCS, raylet, …) have died, say
    so with the ``--resume`` line and exit 130 at once (a daemon thread's watch).

    Probe 61: ``timeout 30 python scripts/sweep.py …`` signals the whole process group (as job
    schedulers do), Ray's own processes included: they died, Tune's graceful stop then waited 60 s
    for the dead GCS and the driver ended in Ray's C++ error, no ``[sweep] interrupted`` line. A
    signal to the driver alone (``kill PID``, Ctrl-C: Ray's processes ignore SIGINT) never gets
    here: Tune stops the trials and the script says the same line itself.

    The watch ends once ``done`` is set (the stop context left, ``fit()`` returned): it exited
    the process with 130 long after its sweep had ended, when a later ``ray.shutdown()`` of the
    same Ray session ended the GCS (a test suite's whole run, stop 49's CI).
    """
    try:
        from ray._private import worker
    except ImportError:
        return
    node = getattr(worker, "_global_node", None)  # None: connected to a cluster's address
    while node is not None and not (done is not None and done.is_set()):
        try:  # those not stopped by ray.shutdown(); the dashboard's end alone is no matter
            dead = {kind for kind, _ in node.dead_processes()} & _RAY_CORE_PROCESSES
        except Exception:  # Ray's internals changed: Tune's own stop goes on
            return
        if dead and not (done is not None and done.is_set()):
            kinds = " and ".join(sorted(dead))
            note(
                f"[sweep] interrupted ({signal.Signals(signum).name}): Ray's own processes "
                f"({kinds}) were ended by the same signal (sent to the whole process group, as "
                "`timeout` and job schedulers do), so Tune cannot stop the trials itself; each "
                "trial's run folder keeps its last iteration's checkpoint; continue with: "
                f"{command_line.script_line('sweep.py')} --resume "
                f"{command_line.shell_path(sweep_dir)}",
                stderr=True,
            )
            os._exit(130)  # the main thread waits in Ray's C++ client for the dead GCS
        time.sleep(poll_s)


@contextmanager
def _stops_gracefully(sweep_dir: Path | None = None) -> Iterator[list[int]]:
    """Ctrl-C, SIGTERM, SIGHUP, SIGUSR2 and SIGALRM (:func:`rambo_env.run_io.stop_signals`) during
    ``tuner.fit()``: Tune's own graceful stop (the running trials stopped, the experiment's state saved, so that
    :func:`resume_sweep` continues them), recorded in the yielded list; a second signal stops at
    once (KeyboardInterrupt). Entered after ``ray.init``, which installs Ray's SIGTERM handler.

    Probe 24: Tune's SIGINT handler ended ``fit()`` as if the grid were done (final tables of
    the finished trials, exit 0), and SIGTERM met Ray's handler (a C++ stack dump, exit 1).
    Tune's SIGINT handler is switched off (``TUNE_DISABLE_SIGINT_HANDLER``) so that this one
    sees every signal; it asks Tune to stop through Tune's SIGUSR1 handler, which Tune installs
    for that. An ignored signal stays ignored. Only the main thread may install handlers;
    elsewhere a no-op.
    """
    received: list[int] = []
    done = threading.Event()  # the watch below ends with this context
    usr1 = getattr(signal, "SIGUSR1", None)  # POSIX only
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    @run_io.stop_handler
    def stop(signum: int, frame: Any) -> None:
        received.append(signum)
        if len(received) == 1 and sweep_dir is not None:  # probe 61: a process-group signal
            watch = (sweep_dir, signum, 0.5, done)
            threading.Thread(target=_exit_when_ray_is_gone, args=watch, daemon=True).start()
        tune_stop = signal.getsignal(usr1) if usr1 is not None else None
        if len(received) > 1 or not callable(tune_stop):  # again, or Tune not (yet) running
            raise KeyboardInterrupt(f"signal {signum} ({signal.Signals(signum).name})")
        tune_stop(signum, frame)

    # probe 108 row 21: an ignored SIGINT (a sweep started as a background job of a script) stays
    # ignored, as run_io.stop_signals leaves an ignored SIGTERM / SIGHUP
    ctrl_c = () if signal.getsignal(signal.SIGINT) is signal.SIG_IGN else (signal.SIGINT,)
    previous = {sig: signal.signal(sig, stop) for sig in (*ctrl_c, *run_io.stop_signals())}
    if usr1 is not None:  # Tune installs its own in fit(); not a stale one of an earlier fit
        previous[usr1] = signal.signal(usr1, signal.SIG_DFL)
    tune_log = logging.getLogger("ray.tune.tune")
    tune_log.addFilter(_no_restore_advice)
    env = os.environ.get(_NO_TUNE_SIGINT)
    os.environ[_NO_TUNE_SIGINT] = "1"
    try:
        yield received
    finally:
        done.set()
        for sig, handler in previous.items():  # None: Ray's C++ handler, not restorable
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        tune_log.removeFilter(_no_restore_advice)
        if env is None:
            os.environ.pop(_NO_TUNE_SIGINT, None)
        else:
            os.environ[_NO_TUNE_SIGINT] = env


_NO_TUNE_SIGINT = "TUNE_DISABLE_SIGINT_HANDLER"


def _no_restore_advice(record: logging.LogRecord) -> bool:
    """Drop Tune's "Resume experiment with: Tuner.restore(…)": scripts/sweep.py says how to
    continue (``--resume``)."""
    return "Tuner.restore(" not in record.getMessage()


def _sweep_trainable(
    tune: Any, resources: SweepResources, invocation: dict[str, Any] | None = None
) -> Any:
    """:func:`cotrain_trainable` with its resources and this driver's :mod:`rambo_env.logging`
    settings, which each trial takes before its first note. Probe 122 row 25: a driver silenced
    by ``set_verbosity(WARNING)`` still got every trial's INFO notes (trials are other
    processes); passed as a parameter, not in the trial config, so a restored sweep takes the
    new driver's settings. So is ``invocation``, the driver's (each trial run's config.json
    records it, probe 138)."""
    return tune.with_resources(
        tune.with_parameters(
            cotrain_trainable, logging_state=logging_settings(), invocation=invocation
        ),
        {"cpu": resources.cpus_per_trial, "gpu": resources.gpus_per_trial},
    )


def _param_space(spec: SweepSpec, runs_root: Path) -> dict[str, Any]:
    from ray import tune

    return {
        "dataset": tune.grid_search(list(spec.datasets)),
        "k_lambda": tune.grid_search(
            [[c.rollout_length, c.adversary_weight] for c in spec.configs]
        ),
        "seed": tune.grid_search(list(spec.seeds)),
        "base": config_to_dict(spec.base),
        "runs_root": str(runs_root),
    }


def _prepare_datasets(
    datasets: Sequence[str],
    configs: Sequence[RamboPreset] = (),
    env_id: str | None = None,
    fingerprints: dict[str, str] | None = None,
) -> dict[str, tuple[int, int]]:
    """Load every dataset once; a missing short name is generated, but only after every dataset
    has been checked: those already there are loaded, those to generate are checked for their
    inputs (:func:`~rambo_env.data.generate.check_generable`), and any that fails is named
    before anything is generated. Each k of ``configs`` is then checked against each dataset's
    env (``env_id``: the sweep's ``base.env_id``, else the dataset's) as a trial does
    (:func:`~agents.cotrain_setup.check_rollout_length`), also before anything is generated,
    and a k far above the paper's is warned about once (also against the data's recorded time
    limit, ``env_max_episode_steps``, as a trial checks it). Returns the (obs_dim, action_dim) of
    each dataset loaded (not those generated here) for :func:`_check_trial_memory`;
    ``fingerprints`` (given) gets each dataset's fingerprint, as its trials' config.json records
    it (probe 124 rows 40, 42: the sweep's trials are held to these data).

    Probe 28: each dataset was checked when its turn came, so ``--datasets
    hopper-random,hopper-medium-replay`` on an empty Minari root generated 1M hopper-random
    transitions (minutes) before finding that hopper-medium-replay needs a replay buffer; the
    README's ``--datasets mujoco`` grid met it too. Issue 14: ``--configs 2000:0`` on Hopper
    (1000-step episodes) started Ray, and each trial errored."""
    from rambo_env.data.generate import check_generable
    from rambo_env.data.loaders import SHORT_NAMES, load_dataset, needs_generation
    from rambo_env.data.scores import ENV_IDS
    from rambo_env.dynamics.training import check_model_rows

    to_generate, failed, env_ids, dims = [], [], {}, {}
    limits: dict[str, int | None] = {}  # the data's recorded time limit (generated: none)
    same_data: dict[tuple[str | None, str], str] = {}  # (env, content fingerprint) -> name
    for name in datasets:
        try:
            if needs_generation(name):
                check_generable(*SHORT_NAMES[name])
                to_generate.append(name)
                env_ids[name] = ENV_IDS[SHORT_NAMES[name][0]]
            else:  # probe 32: a 1-row dataset failed only in its trial (make_mdp), under Ray
                dataset = load_dataset(name, env_id=env_id)  # as a trial loads it (--env-id)
                check_model_rows(dataset)
                env_ids[name] = dataset.env_id
                limits[name] = dataset.env_max_episode_steps
                dims[name] = (dataset.obs_dim, dataset.action_dim)
                _check_not_given_twice(dataset, name, same_data)
                if fingerprints is not None:
                    fingerprints[name] = dataset.fingerprint()
        except (ValueError, OSError) as err:  # DatasetUnavailableError is a FileNotFoundError
            if isinstance(err, _SameDataError):  # not a load failure: its own error at once
                raise
            if type(err) is ValueError and str(err).startswith("unknown dataset"):
                # session 51: the loader's list of what a dataset may be, without the grid
                err = ValueError(f"{err}; or, in sweep.py's --datasets, {dataset_groups_text()}")
            failed.append((name, err))
    if len(datasets) == 1 and failed:  # its own error: the sweep has no other dataset
        raise failed[0][1]
    if failed:
        lines = "".join(f"\n- {name}: {err}" for name, err in failed)
        kind = (
            DatasetUnavailableError
            if all(isinstance(err, DatasetUnavailableError) for _, err in failed)
            else ValueError
        )
        raise kind(
            f"datasets: {len(failed)} of {len(datasets)} cannot be loaded or generated (nothing "
            f"was generated); fix or drop {'it' if len(failed) == 1 else 'them'}:{lines}"
        )
    for config in configs:
        k = config.rollout_length
        origin = f"--configs {k}:{config.adversary_weight:g}"
        for name in datasets:
            check_rollout_length(
                k,
                env_id or env_ids[name],
                f"{origin}, dataset {name}",
                flag="--configs k",
                warn=False,
                # probe 83 row 38: a dataset's recorded limit (20 steps) was met in its trial,
                # under Ray after other trials ran; the trial checks it so (cotrain_setup)
                limit=limits.get(name),
            )
        warn_long_rollout(k, origin)
    for name in to_generate:
        dataset = load_dataset(name, env_id=env_id)
        if fingerprints is not None:
            fingerprints[name] = dataset.fingerprint()
    return dims


#: The generation settings a generated dataset's metadata records that change its data, as
#: (metadata key, make_dataset.py flag); the first four are needed to make it again as it was.
GENERATION_SETTINGS = (
    ("n_transitions", "--n-transitions"),
    ("seed", "--seed"),
    ("n_envs", "--n-envs"),
    ("n_workers", "--workers"),
    ("policy", "--policy"),
    ("expert_policy", "--expert-policy"),
    ("replay", "--replay"),
)


def _generation_record(datasets: Sequence[str], env_id: str | None) -> dict[str, dict[str, Any]]:
    """Every setting that made each generated short-name dataset of ``datasets`` (its metadata:
    :data:`GENERATION_SETTINGS`), so that a resume can make it again as it was
    (:func:`_check_sweep_datasets`). Probe 129 row 1: only its size and seed were recorded,
    while ``--n-envs`` / ``--workers`` and the behaviour policy change the data too."""
    from rambo_env.data.loaders import SHORT_NAMES, load_dataset

    record = {}
    level = get_verbosity()
    set_verbosity(WARNING)  # loaded just before: said then
    try:
        for name in datasets:
            if name not in SHORT_NAMES:
                continue
            with contextlib.suppress(OSError, ValueError):
                dataset = load_dataset(name, env_id=env_id, generate=False, progress=False)
                meta = dataset.metadata
                found = {k: meta[k] for k, _ in GENERATION_SETTINGS if meta.get(k) is not None}
                found["n_transitions"] = dataset.n_transitions
                if SHORT_NAMES[name][1] == "expert" and "policy" in found:  # its expert's file
                    found["expert_policy"] = found.pop("policy")
                for key in ("policy", "expert_policy"):
                    if key in found:
                        found[key] = _policy_reference(found[key])
                record[name] = found
    finally:
        set_verbosity(level)
    return record


#: The key of sweep.json that records each session of the sweep as it was invoked
#: (:func:`rambo_env.run_io.session_invocation`; absent in sweeps started before probe 138).
INVOCATIONS_KEY = "invocations"
#: The key of sweep.json that records each dataset's fingerprint, as the driver prepared it
#: (absent in sweeps started before probe 124, or with ``prepare_datasets=False``).
FINGERPRINTS_KEY = "fingerprints"
#: The key of sweep.json that records the generation settings of each generated short-name dataset.
GENERATION_KEY = "generation"


#: How sweep.json records a shipped behaviour policy (``rambo_env/policies/<file>``): by its file
#: name after this marker, not the absolute path inside the install that started the sweep
#: (probe 130 row 24: a resume from another checkout or venv named that one's file).
SHIPPED_POLICY = "shipped:"


def _policy_reference(path: str) -> str:
    """``path`` as sweep.json records it: ``shipped:<file>`` for a shipped policy's file, else
    as given."""
    from rambo_env.policies import POLICY_DIR

    with contextlib.suppress(OSError, ValueError):
        if Path(path).resolve().parent == POLICY_DIR and (POLICY_DIR / Path(path).name).is_file():
            return SHIPPED_POLICY + Path(path).name
    return path


def _policy_path(reference: str) -> str:
    """The file of a policy ``reference`` of sweep.json: a ``shipped:<file>`` one in this install's
    ``rambo_env/policies``; any other (a path, as sweeps before probe 130 recorded the shipped
    ones too) as recorded."""
    from rambo_env.policies import POLICY_DIR

    if reference.startswith(SHIPPED_POLICY):
        return str(POLICY_DIR / Path(reference.removeprefix(SHIPPED_POLICY)).name)
    return _shipped_elsewhere(reference) or reference


def _shipped_elsewhere(path: str) -> str | None:
    """This install's shipped policy for ``path``, a missing ``…/rambo_env/policies/<file>`` of
    another checkout or venv that ships the same file name (a sweep before probe 130 recorded
    the shipped policy by its absolute path); None otherwise. The data it regenerates are
    compared with sweep.json's fingerprint, so another file of that name is refused there
    (probe 131 R1: the resume from another checkout was told to pass --policy, which --resume
    does not take)."""
    from rambo_env.policies import POLICY_DIR

    with contextlib.suppress(OSError, ValueError):
        dead = Path(path)
        here = POLICY_DIR / dead.name
        if (
            dead.is_absolute()
            and dead.parent.name == "policies"
            and dead.parent.parent.name == "rambo_env"
            and not dead.exists()
            and here.is_file()
        ):
            return str(here)
    return None


def _generation_of(sweep_dir: Path, name: str) -> dict[str, Any] | None:
    """The settings (:data:`GENERATION_SETTINGS`) that made the generated dataset ``name`` when
    the sweep started, None where none are recorded (or they are not this code's)."""
    try:
        found = run_io.read_json(sweep_dir / SWEEP_FILE)[GENERATION_KEY][name]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(found, dict):
        return None
    kept = {}
    for key, _ in GENERATION_SETTINGS:
        value = found.get(key)
        if key in ("policy", "expert_policy", "replay"):
            ok = isinstance(value, str) and value not in ("", SHIPPED_POLICY)
            value = _policy_path(value) if ok else value
        else:
            ok = run_io.is_int(value) and not isinstance(value, bool) and value >= 0
        if ok:
            kept[key] = value
    return kept if kept.get("n_transitions") else None


def _generation_complete(generation: Mapping[str, Any] | None) -> bool:
    """Whether ``generation`` holds every setting needed to make its data again as they were."""
    return generation is not None and all(
        k in generation for k in ("n_transitions", "seed", "n_envs", "n_workers")
    )


def _per_part(name: str, rows: int) -> int:
    """make_dataset.py's ``--n-transitions`` of ``rows`` rows of ``name`` (medium-expert: two parts)."""
    from rambo_env.data.loaders import SHORT_NAMES

    return rows // 2 if SHORT_NAMES[name][1] == "medium-expert" else rows


def _make_command(name: str, generation: Mapping[str, Any] | None) -> str:
    """The make_dataset.py command that makes the short-name dataset ``name`` as it was (every
    recorded setting of ``generation``)."""
    from rambo_env.data.loaders import SHORT_NAMES

    env, level = SHORT_NAMES[name]
    made = ""
    for key, flag in GENERATION_SETTINGS if generation else ():
        if key in generation:
            value = generation[key]
            value = _per_part(name, value) if key == "n_transitions" else value
            made += f" {flag} {command_line.shell_path(value) if isinstance(value, str) else value}"
    return f"{command_line.script_line('make_dataset.py')} --env {env} --level {level}{made}"


def sweep_fingerprints(sweep_dir: str | Path) -> dict[str, str]:
    """Each dataset's fingerprint as the sweep's driver recorded it in sweep.json when it
    prepared the datasets; empty for a sweep that recorded none (or no sweep.json there)."""
    try:
        recorded = run_io.read_json(Path(sweep_dir) / SWEEP_FILE).get(FINGERPRINTS_KEY)
    except (OSError, ValueError, AttributeError):
        return {}
    if not isinstance(recorded, dict):
        return {}
    return {str(k): v for k, v in recorded.items() if isinstance(v, str)}


class DatasetChangedError(ValueError):
    """A sweep's dataset is not the data its driver prepared (another fingerprint): restoring the
    data and resuming continues the sweep (probe 129 row 3: it read as an error --resume repeats)."""


def check_sweep_dataset(
    sweep_dir: str | Path,
    name: str,
    recorded: str,
    env_id: str | None = None,
    now: str | None = None,
) -> None:
    """One error when the dataset ``name`` of the sweep in ``sweep_dir`` is not the data its
    driver prepared (fingerprint ``recorded``, sweep.json): regenerated (``make_dataset.py
    --force``) or deleted since. A missing dataset is never generated here (by a trial: a new one
    would be other data, at the default size). ``now``: the fingerprint of the data as loaded
    (checked without a load of its own, else loaded here). Probe 124 rows 40, 42: a trial after
    ``make_dataset.py --force`` trained on the new data, one after ``rm -rf`` generated 1M rows
    itself, and table.md averaged both data's seeds without a word."""
    from rambo_env.data.loaders import SHORT_NAMES, load_dataset, needs_generation

    sweep_dir = Path(sweep_dir)
    resume = f"{command_line.script_line('sweep.py')} --resume {command_line.shell_path(sweep_dir)}"
    generation = _generation_of(sweep_dir, name) if name in SHORT_NAMES else None
    command = _make_command(name, generation) if name in SHORT_NAMES else None

    def how(force: str = "") -> str:
        # ``force``: " --force" where the changed data are still there (probe 130 R3: the
        # command as given was refused, "already exists … use --force").
        return (
            f"regenerate it with the command that made it: {command}{force}"
            if _generation_complete(generation)
            else "restore that file or folder"
            if command is None
            else "restore it: its settings are not all recorded (a D4RL file, a Minari download, "
            f"or a sweep started before they were), so put back the same data (e.g. {command}"
            f"{force} plus the flags that made it)"
        )

    if now is None and needs_generation(name):
        raise DatasetUnavailableError(
            f"dataset: {name!r} was deleted during the sweep {sweep_dir} (the sweep's data: "
            f"fingerprint {recorded}); a trial never generates its dataset: {how()}, then continue "
            f"with {resume}"
            + (
                " (or resume now: its driver makes it so once and checks it is the same data)"
                if _generation_complete(generation)
                else ""
            )
        )
    if now is None:
        level = get_verbosity()
        set_verbosity(WARNING)  # the run's own load says what it loads
        try:
            now = load_dataset(name, env_id=env_id, generate=False, progress=False).fingerprint()
        finally:
            set_verbosity(level)
    if now != recorded:
        raise DatasetChangedError(
            f"dataset: {name!r} has changed since the sweep {sweep_dir} started (fingerprint "
            f"{now}, the sweep's {recorded}; regenerated, e.g. make_dataset.py --force?): the "
            f"sweep's trials must all train on the same data: {how(' --force')}, and continue with "
            f"{resume}; "
            "or start a new sweep (another --sweep-dir) on the new data"
        )


def _check_sweep_datasets(sweep_dir: Path, spec: SweepSpec) -> None:
    """A resumed sweep's datasets are the data its driver prepared (:func:`sweep_fingerprints`):
    a missing short-name dataset whose settings are all recorded is generated here, once, with
    them (else refused: other settings make other data), then every one is compared with
    sweep.json's fingerprint (:func:`check_sweep_dataset`), before Ray starts; one regenerated
    here that is not the same data is removed again (probe 129 row 1: it was left in the Minari
    root). A dataset whose trials have all finished is not needed (the resume only reprints the
    tables)."""
    from rambo_env.data.loaders import SHORT_NAMES, load_dataset, needs_generation

    runs_root = sweep_dir / RUNS_DIR
    for name, recorded in sweep_fingerprints(sweep_dir).items():
        if name not in spec.datasets or all(
            _complete_run(trial_run_dir(runs_root, d, c, seed), spec.trial_config(d, c, seed))
            is not None
            for d, c, seed in spec.grid
            if d == name
        ):
            continue
        if not needs_generation(name):
            check_sweep_dataset(sweep_dir, name, recorded, spec.base.env_id)
            continue
        generation = _generation_of(sweep_dir, name) if name in SHORT_NAMES else None
        if not _generation_complete(generation):
            check_sweep_dataset(sweep_dir, name, recorded, spec.base.env_id)  # refuses: restore
            continue
        from rambo_env.data.generate import default_dataset_id, generate_dataset
        from rambo_env.data.minari_io import minari_dataset_path

        _check_recorded_files(sweep_dir, name, generation)
        env, level = SHORT_NAMES[name]
        generate_dataset(  # made again as it was (every recorded setting), then compared
            env,
            level,
            n_transitions=_per_part(name, generation["n_transitions"]),
            seed=generation["seed"],
            n_envs=generation["n_envs"],
            n_workers=generation["n_workers"],
            policy_path=generation.get("policy"),
            expert_policy_path=generation.get("expert_policy"),
            replay_path=generation.get("replay"),
        )
        now = load_dataset(name, env_id=spec.base.env_id, generate=False, progress=False)
        try:
            check_sweep_dataset(sweep_dir, name, recorded, spec.base.env_id, now.fingerprint())
        except DatasetChangedError as err:
            shutil.rmtree(minari_dataset_path(default_dataset_id(env, level)), ignore_errors=True)
            raise DatasetChangedError(
                f"{err} (the data regenerated by this resume were removed again)"
            ) from None


def _check_recorded_files(sweep_dir: Path, name: str, generation: Mapping[str, Any]) -> None:
    """One error, before the resume regenerates ``name``, for a file of its recorded settings
    (behaviour / expert policy, replay data) that is not there, as the sweep recorded it:
    started from another checkout or the file moved since. ``--resume`` takes no ``--policy``
    (probe 131 R1: generate_dataset's own error said to pass one)."""
    for key, flag in GENERATION_SETTINGS:
        value = generation.get(key)
        if key not in ("policy", "expert_policy", "replay") or not isinstance(value, str):
            continue
        if Path(value).is_file():
            continue
        resume = (
            f"{command_line.script_line('sweep.py')} --resume {command_line.shell_path(sweep_dir)}"
        )
        raise DatasetUnavailableError(
            f"dataset: {name!r} must be made again for this resume with its recorded settings, "
            f"but the file of its {flag} ({value}, recorded in {sweep_dir / SWEEP_FILE}) is not "
            "there: the sweep was started from another checkout or the file was moved since. "
            "--resume takes no --policy: put that same file back at that path (mkdir -p "
            f"{command_line.shell_path(str(Path(value).parent))}, then copy it there) and run {resume} "
            "again; or make the data yourself with the same file, "
            f"{_make_command(name, {**generation, key: 'FILE'})} with FILE where that file is "
            "now, then resume"
        )


def _check_trial_memory(spec: SweepSpec, dims: Mapping[str, tuple[int, int]]) -> None:
    """Each trial's model pool and dynamics ensemble against this machine's free memory, as
    cotrain checks them before its setup (:func:`~agents.cotrain_setup.check_run_memory`), for
    every grid config × dataset, before Ray starts; ``dims``: (obs_dim, action_dim) of the
    datasets loaded (:func:`_prepare_datasets`), a lower bound for the others. Probe 45:
    ``--configs 2000:3e-4`` (a 52 GiB model pool) started Ray, and each trial errored on it."""
    for config in spec.configs:
        origin = f"--configs {config.rollout_length}:{config.adversary_weight:g}"
        for name in spec.datasets:
            obs_dim, action_dim = dims.get(name, (1, 1))
            try:
                check_run_memory(
                    spec.trial_config(name, config, spec.seeds[0]),
                    config.rollout_length,
                    obs_dim,
                    action_dim,
                    lower_bound=name not in dims,
                )
            except ValueError as err:
                raise ValueError(f"{origin}, dataset {name}: {err}") from None


class _SameDataError(ValueError):
    """Two ``--datasets`` entries that name the same data."""


def _check_not_given_twice(
    dataset: Any, name: str, seen: dict[tuple[str | None, str], str]
) -> None:
    """Refuse ``name`` when an earlier dataset of the sweep holds the same arrays for the same env
    (issue 14: ``hopper-medium,rambo/hopper/medium-v0``, a short name and its Minari id, or an npz
    copy of the same arrays, ran every trial twice on identical data). The data are compared
    without their name (:meth:`OfflineDataset.fingerprint` of the arrays alone)."""
    content = dataset.fingerprint(with_name=False)
    first = seen.setdefault((dataset.env_id, content), name)
    if first != name:
        raise _SameDataError(
            f"datasets: {first} and {name} are the same data ({dataset.n_transitions} "
            f"transitions of {dataset.env_id}, content fingerprint {content[:8]}), so every "
            "trial would run twice on it; give one of them"
        )


def local_worker_niceness(niceness: int = 0) -> None:
    """Run a local Ray's workers at ``niceness`` (Ray's default is 15: a trial then gets almost no
    CPU while any other process is busy; measured 437 s instead of ~30 s for the tiny test sweep
    next to two busy processes). Set before ``ray.init``; an explicit ``RAY_worker_niceness`` in
    the environment wins."""
    if not (run_io.is_int(niceness) and -20 <= niceness <= 19):  # probe 21: "x" / None / 2.5
        raise ValueError(f"niceness: expected an int in [-20, 19], got {niceness!r}")  # were set
    os.environ.setdefault("RAY_worker_niceness", str(niceness))


class RayStartError(ValueError):
    """Ray did not start or could not be joined: no trial ran."""


def _address_origin(address: str | None) -> str:
    """Where the address a sweep joins comes from: ``--address``, else ``$RAY_ADDRESS``."""
    return "--address" if address is not None else f"${RAY_ADDRESS}"


@contextmanager
def _ray_session(
    address: str | None, sweep_dir: Path, *, resume: bool = True, origin: str = "--address"
) -> Iterator[None]:
    """Join ``address``, or start a local Ray on this machine's cores; reuse one already up.

    A Ray that does not start is one :class:`RayStartError` saying how to go on (probe 18: a
    local Ray whose node "timed out during startup" on a loaded machine was a raw traceback, exit
    1, with the sweep folder already written). ``resume``: the sweep folder is kept (a new
    sweep's is removed by :func:`run_sweep`, and the error says so); ``origin``: where
    ``address`` came from (``--address`` or ``$RAY_ADDRESS``).

    Probe 49: a wrong ``--address`` was told the busy-machine advice of a local start, and its
    sweep folder (sweep.json, an empty runs/) made the corrected command fail "is not empty".
    """
    import ray

    if ray.is_initialized():
        yield
        return
    with _ray_started(ray, address, sweep_dir, resume, origin):
        yield


@contextmanager
def _ray_started(
    ray: Any, address: str | None, sweep_dir: Path, resume: bool, origin: str
) -> Iterator[None]:
    """``ray.init`` for :func:`_ray_session` (its errors said), ``ray.shutdown`` at the end."""
    try:
        if address is not None:
            ray.init(address=address)
        else:
            local_worker_niceness()
            ray.init(num_cpus=_n_cores(), include_dashboard=False)
    except Exception as err:  # Ray raises bare Exception / RuntimeError / ConnectionError
        folder = command_line.shell_path(sweep_dir)
        if resume:
            then = (
                "the sweep folder is kept: rerun "
                f"{command_line.script_line('sweep.py')} --resume {folder}"
            )
        else:
            then = "what the sweep wrote was removed: rerun the same command"
        if address is not None:
            local = (
                "leave --address out for a local Ray"
                if origin == "--address"
                else f"unset {RAY_ADDRESS} for a local Ray"
            )
            raise RayStartError(
                f"ray: no Ray cluster answers at {address} ({origin}; "
                f"{run_io.safe_reason(err)}); no trial ran, and {then} with the right "
                f"{origin} (check the address: ray status on the head node), or {local}"
            ) from None
        if run_io.error_behind(err, UnicodeError) is not None:  # probe 145 R6: not the load
            locale = _RAY_LOCALE.format(encoding=sys.getfilesystemencoding())
            raise RayStartError(
                f"ray: a local Ray did not start ({run_io.safe_reason(err)}): {locale}; no "
                f"trial ran, and {then} in a UTF-8 locale (LC_ALL=C.UTF-8, or PYTHONUTF8=1), or "
                "from a folder with an ASCII path"
            ) from None
        raise RayStartError(
            f"ray: a local Ray did not start ({run_io.safe_reason(err)}); no trial ran, and "
            f"{then} once the machine has the memory and CPU to spare (a loaded machine makes "
            "a local Ray's start time out), or join a running cluster (--address)"
        ) from None
    try:
        yield
    finally:
        ray.shutdown()


#: The locale's part in a local Ray's start failing with a ``UnicodeError``.
_RAY_LOCALE = (
    "a path it passes on (the working folder?) is not text in this locale's encoding "
    "({encoding}: LC_ALL=C or POSIX with PYTHONUTF8=0?)"
)


def check_ray_working_folder(address: str | None) -> None:
    """ValueError naming the locale when a local Ray (``address`` None) is to start in a working
    folder whose name is not text in the locale's encoding (:func:`run_io.check_path_text`):
    checked before the datasets are prepared. Probe 145 R6: ``LC_ALL=C PYTHONUTF8=0`` in
    ``/tmp/x/ré 日本`` was "a local Ray did not start (UnicodeEncodeError: … surrogates not
    allowed) … once the machine has the memory and CPU to spare"."""
    if address is not None:
        return
    with contextlib.suppress(OSError):  # a working folder gone: check_working_folder's
        run_io.check_path_text(os.getcwd(), "working folder (where a local Ray starts)")


def _n_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


#: Ray's log deduplication, off for a sweep's trials unless the user set it (``RAY_DEDUP_LOGS``).
RAY_DEDUP_LOGS = "RAY_DEDUP_LOGS"


#: Ray's colour codes around its trial-log prefixes (``(cotrain_trainable pid=…)``): off when
#: stdout is not a terminal, unless the user set it (``RAY_COLOR_PREFIX``; ray 2.60 reads it in
#: ``ray._private.worker.print_worker_logs`` for each line, ``0``: no codes).
RAY_COLOR_PREFIX = "RAY_COLOR_PREFIX"


def plain_ray_logs(tty: bool | None = None) -> None:
    """``RAY_COLOR_PREFIX=0`` where stdout is not a terminal (``tty``: whether it is; None:
    asked) and the user did not set it. Probe 133 row 39: a sweep's log file held
    ``\x1b[36m(cotrain_trainable pid=…)\x1b[0m`` on each trial line."""
    if tty is None:
        try:
            tty = sys.stdout.isatty()
        except (AttributeError, ValueError, OSError):  # closed or replaced: no terminal
            tty = False
    if not tty:
        os.environ.setdefault(RAY_COLOR_PREFIX, "0")


def _import_tune() -> Any:
    # probe 124 row 32: Ray folds the trials' identical lines into one "[repeated Nx across
    # cluster]" and holds later copies back (a trial's notes then came out of order, after the
    # sweep's status table): each trial's notes are its own. Read by Ray when it is imported, so
    # only where this process has not imported it yet; a value the user set is kept.
    if "ray" not in sys.modules:
        os.environ.setdefault(RAY_DEDUP_LOGS, "0")
    plain_ray_logs()  # read by Ray at each printed line: also after ray was imported
    try:
        from ray import tune
    except ImportError as err:
        raise MissingExtraError(  # probe 68: a 30-line chained traceback ended in this line
            "sweeps need Ray Tune: pip install -e '.[sweep]' (the 'sweep' extra: ray[tune], pandas)"
        ) from err
    return tune
