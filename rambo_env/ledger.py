"""The results ledger: long runs' per-iteration curves kept in the repository (``docs/results/ledger``).

One CSV per run (``<dataset>_<algo>_k<k>-lam<λ>_s<seed>[-m<model seed>].csv``, the columns of
:mod:`rambo_env.curves`), an ``index.json`` with one entry per run (configuration, behaviour and BC
scores, iterations reached, last-10 mean) and one PNG per dataset (score and average Q of every
ledger run, the behaviour policy and the BC warm start as horizontal lines). ``scripts/ledger.py``
rebuilds them from run folders; the main job reads :func:`standing` to say where the ledger's long
run on the same dataset and configuration stood.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from rambo_env.command_line import did_you_mean, script_line, shell_path
from rambo_env.curves import (
    CURVE_COLUMNS,
    check_logged,
    damaged_event_files,
    plot_curves,
    read_curves,
    read_curves_csv,
    results_rows,
    write_curves_csv,
)
from rambo_env.data.dataset import OfflineDataset
from rambo_env.data.scores import REF_SCORES, d4rl_ref_env, same_ref_pair
from rambo_env.evaluation import N_FINAL_EVALS, final_score
from rambo_env.file_locks import folder_lock
from rambo_env.logging import note
from rambo_env.presets import ALGOS, PRECISIONS, RamboPreset
from rambo_env.provenance import check_not_newer, newer_config_format
from rambo_env.run_io import (
    CHECKPOINT_NAME,
    CONFIG_NAME,
    RERUN_DIED_START,
    RESULTS_NAME,
    RESULTS_STATUSES,
    TB_DIR,
    TB_LOST_NAME,
    StagedFiles,
    atomic_write,
    bare_lock_pid,
    check_config_keys,
    check_field_types,
    check_flag,
    check_not_died_starting,
    check_not_starting,
    check_output_file,
    check_readable,
    check_run_folder,
    check_run_readable,
    clear_stray_writes,
    counted,
    dead_lock_pid,
    effective_agent,
    interrupts_deferred,
    is_int,
    is_real,
    iteration0_label,
    owner_text,
    permission_denied,
    read_json,
    refuse_link_loop,
    refuse_unenterable,
    run_holder,
    run_score_label,
    safe_reason,
    sb3_ent_coef,
    some_names,
    with_article,
    write_json,
)
from rambo_env.sweep_report import config_label, config_slug, dataset_slug

__all__ = [
    "DEFAULT_LEDGER_DIR",
    "INDEX_NAME",
    "LEDGER_FORMAT",
    "PROVENANCE",
    "RESULTS_STATUSES",
    "LedgerEntry",
    "check_default_ledger",
    "check_ledger_folder",
    "check_results_fields",
    "check_results_status",
    "default_ledger_unknown",
    "failed_diverged",
    "failed_text",
    "failed_with",
    "filed_dataset",
    "in_source_checkout",
    "is_entry_of",
    "killed_text",
    "ledger_dataset",
    "ledger_holder",
    "provenance",
    "read_index",
    "recorded_ledger",
    "run_slug",
    "setting_differences",
    "settings_unknown",
    "stale_lock_pid",
    "standing",
    "update_ledger",
]

#: The repository's ledger (``docs/results/ledger`` beside the package).
DEFAULT_LEDGER_DIR = Path(__file__).resolve().parents[1] / "docs" / "results" / "ledger"
INDEX_NAME = "index.json"

#: The format of the ledger entries this code writes (each entry's ``"format"`` in ``index.json``;
#: absent in entries written before probe 113, read as before). Rule: add 1 whenever a field is
#: added to :class:`LedgerEntry` (older code cannot read such an entry): code that meets an entry
#: of a format above its own says "written by a newer rambo_env" instead of "not a ledger index
#: … move it away" (probe 113 row 33).
LEDGER_FORMAT = 1


def in_source_checkout() -> bool:
    """The package is run from its source checkout (a clone: ``pyproject.toml`` beside the
    package), where :data:`DEFAULT_LEDGER_DIR` is the repository's ledger; an installed package
    (a wheel, ``pip install .``) sits in site-packages, which has no ledger."""
    # the package's own place, not DEFAULT_LEDGER_DIR (which a caller or a test may point
    # elsewhere: a test's own ledger folder read as "an installed package")
    return (Path(__file__).resolve().parents[1] / "pyproject.toml").is_file()


def default_ledger_unknown(ledger_dir: str | Path) -> bool:
    """``ledger_dir`` is the default ledger of an installed package: there is none (probe 107
    rows 4, 5: it pointed into site-packages, read as "no long run yet" and written there)."""
    return not in_source_checkout() and Path(ledger_dir).absolute() == DEFAULT_LEDGER_DIR


def check_default_ledger(ledger_dir: str | Path, name: str = "ledger_dir") -> None:
    """ValueError naming ``name`` when ``ledger_dir`` is the default of an installed package."""
    if default_ledger_unknown(ledger_dir):
        raise ValueError(
            f"{name}: not given, and rambo-env is an installed package (not its source "
            f"checkout), which has no default results ledger (it was {DEFAULT_LEDGER_DIR}); "
            f"pass {name}=<the results ledger's folder> (a clone's docs/results/ledger, or "
            "your own)"
        )


#: A ledger entry's ``status``: the run reached its planned iterations (``complete``), was
#: stopped before them by ``--stop-at-iteration`` (``stopped``), stopped on a diverged Q
#: (``diverged``; also a run failed on a non-finite actor, its ``results.json`` ``failed`` with
#: ``error.kind`` ``diverged``: ``--resume`` likely diverges again), was still going
#: (``running``: a process held it), or ended before them otherwise (``unfinished``:
#: interrupted or killed), or its ``results.json`` says ``failed`` otherwise (``unfinished``
#: too, also after its last iteration: its closing results are not written).
RUN_STATUSES = ("complete", "stopped", "diverged", "running", "unfinished")

#: The ``config.json`` settings that change a run's numbers and that the ledger key (dataset,
#: agent, k, λ, critic, seed, model seed) does not carry. Left out as bookkeeping: how long the
#: run goes (n_iterations, stop_at_iteration, q_limit), when it is evaluated (eval_every,
#: eval_last), where and how fast it runs (device, torch_threads, compile: same numbers to
#: float rounding, progress), the ledger, the dataset's spelling (its fingerprint is compared)
#: and precision (its own check).
RESULT_SETTINGS = (
    "env_id",
    "agent_steps_per_iteration",
    "adversary_steps_per_iteration",
    "n_rollouts",
    "real_ratio",
    "retain_iterations",
    "bc_epochs",
    "bc_max_steps",
    "bc_loss",
    "n_eval_episodes",
    "ensemble_hidden",
    "ensemble_max_logvar_init",
    "ensemble_min_logvar_init",
    "mle_max_epochs",
    "mle_max_time_s",
    "mle_max_steps",
    "mle_lr",
    "ent_coef",
    "ent_coef_max",
    "log_std_min",
    # probe 71 rows 16, 22: the (ref_min_score, ref_max_score) its scores are on (not a config
    # field: its data's; a run that recorded none: D4RL's pair of its env, :func:`_run_settings`)
    "ref_scores",
    # probe 83 row 24: the env its policy was evaluated in, ``{env_id, env_kwargs,
    # max_episode_steps}`` (not a config field: its data's recorded env / eval env / time limit;
    # None: a run before probe 81, not known, not compared; max_episode_steps None: registered)
    "evaluation_env",
    # probe 97 row 44: the agent's networks, config.json's ``resolved.agent`` as
    # :func:`rambo_env.run_io.effective_agent` compares them (not a config field: a wrapped
    # ``make_agent`` builds other networks under the same settings; None: a run before config
    # format 2, not known, not compared)
    "agent",
)
#: The key of :attr:`LedgerEntry.settings` under which a new entry records its run's code,
#: library versions, machine, torch threads and compile (:func:`provenance`): bookkeeping, not
#: a setting (no comparison reads it). Kept inside ``settings`` rather than as a field of its own
#: so that code older than probe 138 (which takes an entry's fields by name) still reads the
#: entry: a new field would make every older clone refuse the whole index.
PROVENANCE = "provenance"

#: What a run saved before a ``config.json`` field existed ran with, for each field added
#: after runs first saved their config (sessions 2-12): the one table of
#: ``agents.cotrain_setup`` (its ``LATER_FIELDS``, filled in by ``config_from_dict`` for a saved
#: config that lacks them) and of the ledger's settings of such a run (:func:`_run_settings`).
#: Mostly the field's default; not so: critic_layer_norm (the official critic, before the
#: default became auto in session 8), precision (fp32, not auto) and mle_lr (the official 3e-4,
#: not today's 1e-3).
SAVED_BEFORE_FIELD: Mapping[str, Any] = MappingProxyType(
    {
        "ent_coef": "auto",
        "ent_coef_max": None,
        "log_std_min": -20.0,
        "ensemble_max_logvar_init": 1.0,
        "ensemble_min_logvar_init": -6.0,
        "env_id": None,
        "bc_loss": "nll",
        "critic_layer_norm": False,
        "compile": None,
        "precision": "fp32",
        "mle_lr": 3e-4,
        "model_seed": None,
        "ledger": None,
        "mle_max_steps": None,  # session 38
        "agent_hidden": None,  # session 59: the agent's own sizes
    }
)


def _finite_or_none(value: float | None, low: float = -math.inf) -> bool:
    """None, or a finite number >= ``low`` (the ledger writes a score it could not measure as
    null: curves keep no NaN / inf, so a NaN in ``index.json`` was put there by hand)."""
    return value is None or (math.isfinite(value) and value >= low)


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger run (a row of ``index.json``)."""

    slug: str
    dataset: str
    algo: str
    rollout_length: int
    adversary_weight: float
    seed: int
    behaviour_score: float | None
    bc_score: float | None
    iterations: int
    last10_score: float | None
    """Mean normalised score of the last 10 evaluations (App. B.6)."""
    cotrain_wall_s: float | None
    """Sum of the run's iteration wall times (TensorBoard ``time/iteration_s``: rollouts, agent
    and adversary phases), its evaluations excluded; not results.json's ``wall_s.cotrain_total``,
    which includes them (probe 81 row 19: 9.26 s vs 10.20 s of one run, neither file said
    which). The key is kept for the entries already written."""
    critic_layer_norm: bool = False
    """LayerNorm critics (README deviation 15); False = the official critic (entries before it)."""
    run_dir: str | None = None
    """The run folder the entry was read from: relative to the repository when inside it, else
    absolute (None: entries written before it was recorded)."""
    precision: str = "fp32"
    """The dynamics ensemble's precision (``fp32`` or ``bf16``); written to ``index.json`` only
    when not ``fp32`` (entries before it: fp32)."""
    mle_epochs: int | None = None
    """MLE pretraining epochs of the run's model (None: not recorded; entries before it)."""
    mle_holdout_mse: float | None = None
    """Mean holdout MSE of the model's elites after pretraining (None: not recorded)."""
    dataset_fingerprint: str | None = None
    """The fingerprint of the run's data (``OfflineDataset.fingerprint``; None: not recorded,
    entries before it). Runs on other data under the same dataset name are refused."""
    model_seed: int | None = None
    """The seed of the run's pretrained model when it is not the run's own seed (``--model-seed``:
    seeds sharing one model); None = the run's seed."""
    diverged: bool = False
    """The run stopped because its average Q diverged (its ``results.json`` says so): the curve
    ends there, and the label says it (was: entered like a run still going; probe 18)."""
    n_transitions: int | None = None
    """The size of the run's dataset in transitions (its ``config.json``; None: not recorded,
    entries before it). A short name's run on fewer than the protocol's transitions is refused
    from the results ledger (probe 46)."""
    settings: dict | None = None
    """The run's settings that change its numbers and that the key does not carry
    (:data:`RESULT_SETTINGS`: real_ratio, n_rollouts, ensemble width …), from its
    ``config.json``; None: entries before it. A run of the same key with other settings is
    refused unless ``--replace`` (probe 41: it replaced the entry silently). Entries written
    since probe 138 hold one more key, :data:`PROVENANCE` (:func:`provenance`: commit, versions,
    machine, threads, compile), which is bookkeeping, not a setting."""
    planned_iterations: int | None = None
    """The iterations the run was set to reach (its ``n_iterations``; None: not recorded, entries
    before it)."""
    status: str | None = None
    """Where the run stood when it was entered (:data:`RUN_STATUSES`; None: not known, entries
    before it). Probe 48 row 18: a run stopped at iteration 1 of 2 was ``iterations: 1`` alone in
    ``index.json``, like a finished 1-iteration run."""
    score_label: str | None = None
    """What the run's normalised scores are called (:func:`rambo_env.run_io.run_score_label`:
    ``"D4RL-normalised"``, or the pair / env they are on instead); None: not recorded, entries
    before probe 83 (row 24: a run evaluated in another env or time limit, or on the data's own
    pair, read like a D4RL-protocol one in ``index.json``)."""
    dataset_source: str | None = None
    """Where the run's data were read from (its config.json's ``resolved.dataset.source``:
    ``minari:ID``, ``d4rl:…``, a file); None: not recorded, entries before probe 83 (row 24: a
    user's own local Minari dataset named like a D4RL id had a D4RL-looking slug only)."""

    def __post_init__(self) -> None:
        # a hand-edited index.json ("3e-4", "x", null): was a raw TypeError from standing() at
        # the end of a finished main-job run; now found by read_index (the run's start checks it)
        check_field_types(self, "fix the value by hand")
        # probe 22: values of the right type but out of range (k 0, λ -1 or NaN, seed -1,
        # precision "fp8", a NaN score) were taken, and drawn into the ledger's plot and labels (λ NaN: a raw
        # "not enough values to unpack" from the label)
        named = "a non-empty name"
        checks = {  # field -> (in range, what it takes)
            "slug": (bool(self.slug), named),
            "dataset": (bool(self.dataset), named),
            "algo": (bool(self.algo), named),
            "rollout_length": (self.rollout_length >= 1, "an int >= 1"),
            "adversary_weight": (
                math.isfinite(self.adversary_weight) and self.adversary_weight >= 0,
                "a finite number >= 0",
            ),
            "seed": (self.seed >= 0, "an int >= 0"),
            "iterations": (self.iterations >= 0, "an int >= 0"),
            "behaviour_score": (_finite_or_none(self.behaviour_score), "a finite number or null"),
            "bc_score": (_finite_or_none(self.bc_score), "a finite number or null"),
            "last10_score": (_finite_or_none(self.last10_score), "a finite number or null"),
            "cotrain_wall_s": (
                _finite_or_none(self.cotrain_wall_s, 0),
                "finite seconds >= 0 or null",
            ),
            "precision": (self.precision in PRECISIONS, " or ".join(PRECISIONS)),
            "mle_epochs": (
                self.mle_epochs is None or self.mle_epochs >= 0,
                "an int >= 0 or null",
            ),
            "mle_holdout_mse": (
                _finite_or_none(self.mle_holdout_mse, 0),
                "a finite number >= 0 or null",
            ),
            "model_seed": (
                self.model_seed is None or self.model_seed >= 0,
                "an int >= 0 or null",
            ),
            "n_transitions": (
                self.n_transitions is None or self.n_transitions >= 1,
                "an int >= 1 or null",
            ),
            "planned_iterations": (
                self.planned_iterations is None or self.planned_iterations >= 1,
                "an int >= 1 or null",
            ),
            "status": (
                self.status is None or self.status in RUN_STATUSES,
                f"one of {', '.join(RUN_STATUSES)} or null",
            ),
        }
        for name, (ok, takes) in checks.items():
            if not ok:
                raise ValueError(
                    f"{name}: invalid value {getattr(self, name)!r} (expected {takes}); "
                    "fix the value by hand"
                )

    @property
    def config(self) -> RamboPreset:
        return RamboPreset(self.rollout_length, self.adversary_weight)

    @property
    def label(self) -> str:
        critic = ", LayerNorm critics" if self.critic_layer_norm else ""
        mle = f", MLE {counted(self.mle_epochs, 'epoch')}" if self.mle_epochs is not None else ""
        ended = f", diverged after iteration {self.iterations}" if self.diverged else ""
        model = f" (model seed {self.model_seed})" if self.model_seed is not None else ""
        return (
            f"{self.algo} {config_label(self.config)}{critic}, seed {self.seed}{model}{mle}{ended}"
        )


def ledger_dataset(name: str, fingerprint: str | None) -> str:
    """The ledger's name for a run's dataset: its name, except for data that carry none (an npz,
    a dict of arrays, a D4RL-layout file: ``OfflineDataset``'s default ``custom``), which are
    ``custom-<fingerprint>``. Was ``custom`` for all of them: runs on different files were one
    ledger key ("both … same dataset"), and a run was compared with another file's run."""
    if name == OfflineDataset.name and fingerprint:
        return f"{name}-{fingerprint[:8]}"
    return name


def _slug(
    dataset: str,
    algo: str,
    config: RamboPreset,
    seed: int,
    layer_norm: bool,
    model_seed: int | None = None,
) -> str:
    critic = "-ln" if layer_norm else ""
    model = f"-m{model_seed}" if model_seed is not None else ""
    return f"{dataset_slug(dataset)}_{algo}_{config_slug(config)}{critic}_s{seed}{model}"


def read_index(ledger_dir: str | Path = DEFAULT_LEDGER_DIR) -> dict[str, LedgerEntry]:
    """``index.json`` as entries by slug (empty if there is no ledger yet: a missing folder, or
    one without an index; a file is refused, probe 62: it read as an empty ledger). The default
    of an installed package is refused too (:func:`check_default_ledger`; probe 109 rows 4-5:
    ``read_index()`` / ``standing()`` read it as empty, ``plot_dataset`` said "enter one with
    python scripts/ledger.py RUN --ledger …/site-packages/…")."""
    check_default_ledger(ledger_dir)
    if os.path.lexists(ledger_dir) and not Path(ledger_dir).is_dir():
        raise ValueError(f"ledger: {ledger_dir} is not a folder; pass the results ledger's folder")
    # probe 114 R8: another user's 0700 ledger was a raw "[Errno 13] … config.json" here
    refuse_unenterable(ledger_dir, "ledger: ", what="the ledger")
    if (Path(ledger_dir) / CONFIG_NAME).is_file():  # was: a ledger written into the run folder
        raise ValueError(
            f"ledger: {ledger_dir} is a run folder (it holds the run's {CONFIG_NAME}), not a "
            "results ledger; pass the ledger's folder with --ledger DIR and the runs as arguments"
        )
    path = Path(ledger_dir) / INDEX_NAME
    if os.path.lexists(path) and not path.is_file():  # was: an empty ledger, then the run's CSV
        raise ValueError(  # written and "index.json: not written (Is a directory) … free space"
            f"ledger: {path} is not a file (a folder or a dangling link); restore the ledger's "
            f"{INDEX_NAME} (git checkout -- {path}) or move that entry away"
        )
    if not path.is_file():
        return {}
    _check_ledger_readable(Path(ledger_dir))  # probe 111: all the files at once, not one a round
    check_readable(path, "ledger")  # probe 18: was "is not a ledger index … restore it from git"
    what = f"ledger: {path} is not a ledger index"
    # probe 26: "restore it from git" only, for a user's own ledger outside git too
    fix = "restore it (git checkout, or your copy), or move it away to start a new ledger"
    try:
        index = read_json(path)
    except (OSError, UnicodeDecodeError, ValueError) as err:  # JSONDecodeError is a ValueError
        raise ValueError(f"{what} (not readable JSON: {err}); {fix}") from None
    if not isinstance(index, dict):
        raise ValueError(f"{what} (expected an object of entries by slug); {fix}")
    entries = {}
    for slug, data in index.items():
        if isinstance(data, dict) and "format" in data:
            data = dict(data)
            where = f"ledger: {path} (entry {slug!r})"
            check_not_newer(where, data.pop("format"), LEDGER_FORMAT, "ledger", "read or update it")
        try:
            entries[slug] = LedgerEntry(**data)
        except (TypeError, ValueError) as err:  # not a dict, a missing / unknown / mistyped field
            raise ValueError(f"{what} (entry {slug!r}: {err}); {fix}") from None
    return entries


def _check_ledger_readable(ledger_dir: Path) -> None:
    """When this user may not read the ledger's ``index.json``: one ValueError naming it and every
    other ledger file (curve CSVs) this user may not read, with the command for their owner
    (probe 111: one file per error, three rounds of asking the owner)."""
    index = ledger_dir / INDEX_NAME
    if os.access(index, os.R_OK):
        return
    try:
        curves = sorted(ledger_dir.glob("*.csv"))
        closed = [index, *(p for p in curves if p.is_file() and not os.access(p, os.R_OK))]
    except OSError:
        return  # check_readable says it of index.json
    if len(closed) == 1:
        return
    names = ", ".join(f"{p.name} ({owner_text(p)})" for p in closed[:4])
    more = f" and {len(closed) - 4} more" if len(closed) > 4 else ""
    raise ValueError(
        f"ledger: {ledger_dir} holds files this user cannot read (Permission denied): {names}"
        f"{more}; ask their owner to make them readable (chmod a+r "
        f"{shell_path(ledger_dir)}/*.csv {shell_path(index)}), or pass a ledger of your own "
        "(--ledger)"
    )


def check_ledger_folder(ledger_dir: str | Path) -> None:
    """ValueError unless ``ledger_dir`` can be a results ledger: a folder that holds an
    ``index.json``, an empty folder (a new ledger starts there), or one that holds only a
    ledger's own files (CSVs, PNGs, temp files of an atomic write). A missing folder is the
    caller's to refuse or create. Was: ``--ledger ''`` (or ``.``, a project folder) silently
    filled the working folder with a ledger's CSV, PNG and index.json; probe 30: ``cotrain.py
    --ledger docs/results`` (the folder above the repository's ledger) ran in full, then said
    "no long run … yet" of a run the ledger below it has."""
    ledger_dir = Path(ledger_dir)
    if not ledger_dir.is_dir() or (ledger_dir / INDEX_NAME).exists():
        return
    ledger_dir = ledger_dir.resolve()
    try:
        names = [p.name for p in ledger_dir.iterdir()]
    except PermissionError as err:  # probe 158: a write-only folder (1733) was a traceback
        raise ValueError(
            f"ledger: {ledger_dir} cannot be listed by this user ({err.strerror or safe_reason(err)}; "
            f"{owner_text(ledger_dir)}), but the ledger reads its entries there; pass a folder "
            "you may read and write (--ledger), or ask its owner to make it readable"
        ) from None
    foreign = sorted(
        name
        for name in names
        if Path(name).suffix not in (".csv", ".png")
        and not (name.startswith(".") and name.endswith(".tmp"))
    )
    if not foreign:
        return
    below = sorted(
        p.parent
        for p in ledger_dir.glob(f"*/{INDEX_NAME}")
        if p.is_file() and not (p.parent / CONFIG_NAME).exists()
    )
    if len(below) == 1:
        fix = f"it is not a results ledger, but its subfolder {below[0].name}/ is: pass {below[0]}"
    elif below:
        fix = (
            f"it is not a results ledger, but its subfolders "
            f"{some_names([p.name for p in below])} are: pass one of those"
        )
    else:
        fix = "pass the results ledger's folder, or a new or empty one (--ledger)"
    raise ValueError(
        f"ledger: {ledger_dir} has no {INDEX_NAME} and holds files that are not a "
        f"ledger's ({some_names(foreign)}); {fix}"
    )


def last_evaluated(run_dir: str | Path, column: str = "normalized_score") -> int | None:
    """The last co-training iteration of ``run_dir`` with a score (``column``: return_mean for
    data without reference scores; None: none has one), for saying which iterations a last-10
    mean covers (probe 36: a 3-iteration run evaluated at iteration 2 only was entered as
    "3 iterations, last-10 mean" without a word)."""
    if column not in CURVE_COLUMNS:  # probe 62: an unknown column gave None, "never evaluated"
        raise ValueError(
            f"column: {column!r} is not a logged column; expected one of {list(CURVE_COLUMNS)}"
        )
    done = evaluations(run_dir, read_curves(run_dir), column)[0]
    return max(done) if done else None


def evaluations(
    run_dir: str | Path, rows: Sequence[Mapping[str, float | None]], column: str
) -> tuple[dict[int, float], list[int]]:
    """``({iteration: value}, lost)``: the co-training evaluations (iterations >= 1) of
    ``column`` in the curve ``rows`` of ``run_dir``, with those its ``results.json`` records but
    the curve lacks added (``lost``: their iterations). Probe 45: a run whose tb/ event files
    were deleted before a resume was entered as "last-10 mean 6.1" from its last iteration
    alone, while its results.json's final score over its 3 evaluations was 3.7. A curve value
    is kept where both have one (a whole run's entry is unchanged)."""
    done = {
        int(r["iteration"]): float(r[column])
        for r in rows
        if r["iteration"] > 0 and r.get(column) is not None
    }
    try:
        recorded = read_json(Path(run_dir) / RESULTS_NAME).get("evals")
    except (OSError, ValueError, AttributeError):
        return done, []
    lost = []
    for e in recorded if isinstance(recorded, list) else []:
        i = e.get("iteration") if isinstance(e, dict) else None
        value = e.get(column) if isinstance(e, dict) else None
        if is_int(i) and i > 0 and i not in done and is_real(value) and math.isfinite(value):
            done[i] = float(value)
            lost.append(i)
    return dict(sorted(done.items())), sorted(lost)


def protocol_transitions(dataset: str) -> int | None:
    """The protocol size (transitions) of a short name's dataset (``hopper-random``, or the id
    ``rambo/hopper/random-v0`` it reads): the generator's default, 1M per behaviour policy
    (D4RL's random / medium / expert; medium-expert 2M); None for other data and for
    ``medium-replay`` (the behaviour agent's replay buffer: its size varies)."""
    from rambo_env.data.generate import DEFAULT_N_TRANSITIONS, short_name_of_id
    from rambo_env.data.loaders import SHORT_NAMES

    named = SHORT_NAMES.get(dataset) or short_name_of_id(dataset)
    if named is None or named[1] == "medium-replay":
        return None
    return DEFAULT_N_TRANSITIONS * (2 if named[1] == "medium-expert" else 1)


def _check_protocol_size(
    run_dir: Path, dataset: str, n_transitions: int | None, ledger_dir: Path
) -> None:
    """A run on fewer transitions than its short name's protocol size is not entered in the
    results ledger among the protocol-size runs (probe 46: a run on 300 transitions of
    ``rambo/hopper/random-v0`` was filed as hopper-random, its size recorded nowhere). Another
    ledger (``--ledger DIR``) takes it, its size recorded; runs before the size was recorded
    are taken as before."""
    protocol = protocol_transitions(dataset)
    if n_transitions is None or protocol is None or n_transitions >= protocol:
        return
    if ledger_dir.resolve() != DEFAULT_LEDGER_DIR.resolve():
        return
    raise ValueError(
        f"run_dir: {run_dir} trained on {counted(n_transitions, 'transition')} of {dataset} "
        f"(its {CONFIG_NAME}), not the protocol's {protocol:,}; the results ledger "
        f"{ledger_dir} compares protocol-size runs only: enter it in a ledger of its own "
        "(--ledger DIR for small-data runs)"
    )


def lost_text(run_dir: str | Path, lost: Sequence[int]) -> str:
    """What :func:`evaluations`' ``lost`` iterations of ``run_dir`` are: those its results.json
    records and its tb/ lacks (``tb/CURVES_LOST``: lost, and said so by hand)."""
    tb = Path(run_dir) / TB_DIR
    why = (
        f"{TB_DIR}/{TB_LOST_NAME}: its curves were lost"
        if (tb / TB_LOST_NAME).exists()
        else "event files deleted or lost?"
    )
    return (
        f"{tb} lacks the evaluations of {counted(len(lost), 'iteration')} "
        f"({some_names([str(i) for i in lost])}) that its {RESULTS_NAME} records ({why})"
    )


def update_ledger(
    run_dir: str | Path, ledger_dir: str | Path = DEFAULT_LEDGER_DIR, replace: bool = False
) -> LedgerEntry:
    """Add or refresh one run (finished or in progress): its CSV, its index entry, its dataset PNG.

    A run of the same dataset / agent / (k, λ) / seed that reached fewer iterations than the
    entry already in the ledger is refused (it would silently drop the longer curve) unless
    ``replace``; refreshing a run in progress only ever adds iterations, so it is never refused.
    """
    # probe 20: replace="no" was truthy, so a shorter run silently replaced the ledger's longer one
    replace = check_flag(replace, "replace")
    check_default_ledger(ledger_dir)  # probe 107 row 5: was written into site-packages/docs
    run_dir, ledger_dir = Path(run_dir), Path(ledger_dir)
    # probe 19: was a raw "[Errno 17] File exists"
    refuse_link_loop(ledger_dir, "ledger: ", "; pass the results ledger's folder")
    if ledger_dir.exists() and not ledger_dir.is_dir():
        raise ValueError(f"ledger: {ledger_dir} is not a folder; pass the results ledger's folder")
    index = read_index(ledger_dir)  # a damaged index fails before anything is written
    check_ledger_folder(ledger_dir)
    run = _read_run(run_dir)
    check_results_status(run_dir)
    config, dataset, algo, seed = run["config"], run["dataset"], run["algo"], run["seed"]
    dataset_arg, layer_norm, resolved = run["dataset_arg"], run["layer_norm"], run["resolved"]
    then = "add it once its first iteration is done"
    _check_protocol_size(run_dir, dataset, run["n_transitions"], ledger_dir)
    logged = read_curves(run_dir)
    _check_logs_reach_results(run_dir, logged)
    rows = check_logged(logged, run_dir, then)  # tb/CURVES_LOST: results.json's evaluations
    rows = _with_results_rows(run_dir, rows)
    diverged = _diverged(run_dir)  # probe 71 row 25: was read (and a damage warned of) twice
    if max(r["iteration"] for r in rows) < 1:  # probe 24: was entered as a 0-iteration run
        if diverged:  # it will never log one: "wait" would be wrong advice
            raise ValueError(
                f"run_dir: {run_dir} diverged before its first co-training iteration (its "
                f"{RESULTS_NAME}), so it has no curve to enter; rerun it with a smaller "
                "adversary weight λ or a better-trained model"
            )
        first = (  # probe 45: bc_epochs 0 evaluates the untrained initial policy
            "initial policy's evaluation (no BC warm start)"
            if (run["settings"] or {}).get("bc_epochs") == 0
            else "BC warm-start evaluation"
        )
        after = (
            "after its initial policy's evaluation"
            if (run["settings"] or {}).get("bc_epochs") == 0
            else "after its BC warm start"
        )
        planned = _planned_iterations(run)
        at = f"iteration 0{f' of {planned}' if planned is not None else ''} ({after})"
        died = dead_lock_pid(run_dir)
        if died is not None:  # probe 51 row 13: was "add it once …", as for a live run
            raise ValueError(
                f"run_dir: {run_dir} has logged only its {first} (iteration 0): "
                f"{killed_text(run_dir, died, at)}, then run {script_line('ledger.py')} again"
            )
        failed = failed_text(run_dir, at)
        if failed is not None:  # probe 87 row 36: was "add it once …", no word of the failure
            raise ValueError(
                f"run_dir: {run_dir} has logged only its {first} (iteration 0): {failed}; "
                "scripts/ledger.py enters it once it has a co-training iteration"
            )
        raise ValueError(
            f"run_dir: {run_dir} has logged only its {first} (iteration 0), no co-training "
            f"iteration yet; {then}"
        )
    by_iteration, lost = evaluations(run_dir, logged, "normalized_score")
    scores = list(by_iteration.values())
    if lost:  # probe 45: was the mean of the curve's evaluations only, without a word
        curve = {r["iteration"] for r in rows}
        kept = "has only their scores" if set(lost) <= curve else "lacks them"
        note(
            f"[ledger] WARNING: {lost_text(run_dir, lost)}: the last-10 mean is taken from "
            f"{RESULTS_NAME}; the ledger's curve {kept} (restore tb/ to have them)",
        )
    bc = [r["normalized_score"] for r in rows if r["iteration"] == 0]
    walls = [r["iteration_s"] for r in rows if r.get("iteration_s") is not None]
    entry = LedgerEntry(
        slug=_slug(dataset, algo, config, seed, layer_norm, run["model_seed"]),
        dataset=dataset,
        algo=algo,
        rollout_length=config.rollout_length,
        adversary_weight=config.adversary_weight,
        seed=seed,
        behaviour_score=_behaviour_score(dataset_arg, resolved["dataset"], run["env_id"]),
        bc_score=bc[0] if bc else None,
        iterations=max((r["iteration"] for r in rows), default=0),
        last10_score=final_score(scores, N_FINAL_EVALS),
        cotrain_wall_s=_cotrain_wall_s(
            run_dir, walls, max((r["iteration"] for r in rows), default=0), diverged
        ),
        critic_layer_norm=layer_norm,
        run_dir=_run_dir_record(run_dir),  # was: not recorded (probe 7's leftover)
        precision=run["precision"],
        dataset_fingerprint=run["fingerprint"],
        diverged=diverged,
        model_seed=run["model_seed"],
        n_transitions=run["n_transitions"],
        # probe 138 row 21: the code and libraries that made it, as bookkeeping beside the
        # settings (older code compares RESULT_SETTINGS by name, so it reads the entry unchanged)
        settings=_with_provenance(run["settings"], _provenance(run_dir, run["resolved"])),
        score_label=run_score_label(run_dir),  # probe 83 row 24: was not recorded
        dataset_source=_dataset_source(resolved),
        **_model_record(resolved),
        **_progress_record(
            run_dir,
            max((r["iteration"] for r in rows), default=0),
            _planned_iterations(run),
            diverged,
        ),
    )
    _warn_results_missing(run_dir, entry.status)
    # Read-modify-write of index.json under the ledger's lock: two ledger.py processes at once
    # each kept only their own entry (was: one of the two silently lost).
    with _ledger_lock(ledger_dir):
        index = read_index(ledger_dir)  # again: another process may have added entries
        _check_no_name_clash(index, entry, run_dir)
        _check_same_data(index, entry, run_dir, replace)
        kept = index.get(entry.slug)
        if kept is not None and kept.precision != entry.precision and not replace:
            where = f" ({kept.run_dir})" if kept.run_dir else ""
            raise ValueError(  # was: a bf16 run silently replaced the fp32 run of its key
                f"ledger: {entry.slug} holds {with_article(kept.precision)} run{where} and {run_dir} is "
                f"{entry.precision} (the key does not tell them apart); the kept run stays (pass "
                "--replace to scripts/ledger.py to replace it, or keep the other precision's "
                "runs in their own ledger: --ledger DIR)"
            )
        _check_same_settings(kept, entry, run_dir, replace)
        if kept is not None and entry.iterations < kept.iterations and not replace:
            where = f" ({kept.run_dir})" if kept.run_dir else ""
            raise ValueError(
                f"ledger: {entry.slug} holds a run of {counted(kept.iterations, 'iteration')}{where} and "
                f"{run_dir} reached only {entry.iterations}; the longer run is kept (pass "
                f"--replace to scripts/ledger.py to replace it)"
            )
        if kept is not None and kept.run_dir and kept.run_dir != entry.run_dir:
            # probe 92 row 34: an old entry whose folder was gone was replaced by a run of other
            # settings without a word that they could not be compared
            unknown = settings_unknown(kept)
            note(  # probe 19: another run of the key (as long or longer) replaced it silently
                f"[ledger] {entry.slug}: the ledger's run {kept.run_dir} "
                f"({counted(kept.iterations, 'iteration')}) is replaced by {run_dir} ({entry.iterations}); add the other back "
                "with --replace to keep it instead"
                + (f" (the settings could not be compared: {unknown})" if unknown else ""),
            )
        stale, untold = _same_run_entries(index, entry, run["recorded_fingerprint"])
        for other in untold:  # said at each ledger.py of the run until index.json is mended
            note(  # probe 120 row 21: was replaced (and its CSV and plot removed) as this run
                f"[ledger] {other.slug} is kept beside {entry.slug}: an entry of the same run "
                f"folder ({other.run_dir}) and settings, filed by an older rambo_env without its "
                f"data's fingerprint, {_untied_reason(other, entry)}; if it is this run under an "
                f"older name, remove {other.slug} from index.json, {other.slug}.csv and "
                f"{_old_plot_advice(index, other, ledger_dir)}",
            )
        for old in stale:  # probe 116 S3: was kept beside it, its CSV and plot too, unsaid
            del index[old.slug]
        index[entry.slug] = entry
        png = ledger_dir / f"{dataset_slug(dataset)}.png"
        # the plots of the datasets the stale entries were filed under: redrawn without them, or
        # removed when no run of that dataset is left
        redrawn, emptied = _stale_plots(index, stale, dataset, ledger_dir)
        for path in (png, *redrawn):
            check_output_file(
                path, "ledger: plot", "remove or rename it; the ledger writes its plot there"
            )
        for old in stale:
            plot = ledger_dir / f"{dataset_slug(old.dataset)}.png"
            done = (
                f", {plot.name} removed"
                if plot in emptied
                else f", {plot.name} redrawn"
                if plot in redrawn or old.dataset == dataset
                else ""
            )
            note(
                f"[ledger] {old.slug} is replaced by {entry.slug}: the same run "
                f"({old.run_dir}), entered by an older rambo_env under "
                + (
                    f"its dataset's old name {old.dataset!r}"
                    if old.dataset != entry.dataset
                    else "another key"
                )
                + f"; {old.slug}.csv removed{done}",
            )
        # The plot is drawn first, from the new entry in memory, to a temp file beside it (was:
        # the CSV and the index were written, then a failing PNG left them without their plot).
        # Probe 30: drawn in the system's temp folder, a failure named that folder, not the
        # ledger (the advice pointed at the wrong disk).
        csv = ledger_dir / f"{entry.slug}.csv"
        for path in (csv, ledger_dir / INDEX_NAME, png, *redrawn):  # probe 152: a kill -9's temp
            with suppress(OSError):  # files; the folder is held, so none is a live writer's
                clear_stray_writes(path.parent, path.name)
        with StagedFiles("--ledger") as staged:
            staged.write(
                png,
                lambda tmp: _plot(dataset, ledger_dir, index, {entry.slug: rows}, tmp, staged=True),
            )
            for path, name in redrawn.items():
                staged.write(
                    path,
                    lambda tmp, name=name: _plot(name, ledger_dir, index, {}, tmp, staged=True),
                )
            # Each write is atomic; a signal between them left a CSV the index did not list (or
            # an index whose plot lagged): held now, and raised once all three are written.
            said = f"while {entry.slug} was written to the ledger: its entry was completed first"
            with interrupts_deferred("ledger", said, reraise=True):
                before = _kept_bytes(csv)
                write_curves_csv(csv, rows)
                dropped = [ledger_dir / f"{old.slug}.csv" for old in stale] + emptied
                dropped_before = {path: _kept_bytes(path) for path in dropped}
                try:
                    for path in dropped:
                        path.unlink(missing_ok=True)
                    write_json(
                        ledger_dir / INDEX_NAME,
                        {s: _entry_record(e) for s, e in sorted(index.items())},
                    )
                except BaseException:  # probe 85 row 18: an error (not a signal) here left
                    _put_back(csv, before)  # a CSV index.json did not list: put back as it was
                    for path, kept_bytes in dropped_before.items():
                        _put_back(path, kept_bytes)
                    raise
                staged.commit()
    return entry


def _same_run_entries(
    index: dict[str, LedgerEntry], entry: LedgerEntry, recorded_fingerprint: str | None
) -> tuple[list[LedgerEntry], list[LedgerEntry]]:
    """The ledger's entries of ``entry``'s very run under another key, and those it cannot tell
    apart from it. First: the same run folder, agent, (k, λ), critic and seeds, on the same data
    (their fingerprint now, or as the run's config.json records it). Probe 116 S3: a run an older
    rambo_env had entered under its dataset's old name (``hopper-random`` for
    ``rambo/hopper/mine-v0``, probe 113) was entered again under today's name, and the old entry
    kept beside real hopper-random runs, unsaid. An entry filed before fingerprints were recorded
    (probe 119 row 35) is the same run only where what it recorded of the data and model ties it
    (:func:`_tied_to`): probe 120 row 21, a folder reused for other data with the same settings
    replaced (and deleted) the other data's entry. Second: the fingerprint-less entries of the
    same folder and settings that nothing ties to the run, kept beside it, said."""
    same: list[LedgerEntry] = []
    untold: list[LedgerEntry] = []
    for other in _same_folder_and_settings(index, entry, recorded_fingerprint):
        tied = other.dataset_fingerprint is not None or _tied_to(other, entry)
        (same if tied else untold).append(other)
    return same, untold


def _same_folder_and_settings(
    index: dict[str, LedgerEntry], entry: LedgerEntry, recorded_fingerprint: str | None
) -> list[LedgerEntry]:
    """The entries under another key of ``entry``'s run folder, agent, (k, λ), critic and seeds
    whose fingerprint is its data's (now or as recorded) or not recorded."""
    fingerprints = {entry.dataset_fingerprint, recorded_fingerprint, None}
    return [
        other
        for other in index.values()
        if other.slug != entry.slug
        and other.run_dir is not None
        and other.run_dir == entry.run_dir
        and other.dataset_fingerprint in fingerprints
        and (other.algo, other.seed, other.rollout_length, other.critic_layer_norm)
        == (entry.algo, entry.seed, entry.rollout_length, entry.critic_layer_norm)
        and other.model_seed == entry.model_seed
        and math.isclose(other.adversary_weight, entry.adversary_weight, rel_tol=1e-9)
    ]


def _untied_reason(other: LedgerEntry, entry: LedgerEntry) -> str:
    """Why :func:`_tied_to` does not tie ``other`` to ``entry``'s run, in words. Probe 122 row
    20: an entry that recorded neither behaviour score nor holdout MSE was said to be one whose
    behaviour score and model "do not tie it"."""
    pairs = [(other.behaviour_score, entry.behaviour_score)]
    pairs.append((other.mle_holdout_mse, entry.mle_holdout_mse))
    if all(None in pair for pair in pairs):
        return (
            "which records nothing that could tie it to this run (no behaviour score or model "
            "holdout MSE that this run has too)"
        )
    return (
        "whose behaviour score, model or data differ from this run's (the folder reused for "
        "other data?)"
    )


def _old_plot_advice(index: dict[str, LedgerEntry], other: LedgerEntry, ledger_dir: Path) -> str:
    """The advice's words for the plot of ``other``'s dataset: removed with it when no other
    entry of that dataset is left, else redrawn."""
    png = ledger_dir / f"{dataset_slug(other.dataset)}.png"
    if any(e.dataset == other.dataset and e.slug != other.slug for e in index.values()):
        return f"redraw its dataset's plot {png} (ledger.py on another run of {other.dataset})"
    return f"its dataset's plot {png}"


def _tied_to(other: LedgerEntry, entry: LedgerEntry) -> bool:
    """``other`` (an entry without a fingerprint) recorded what ``entry``'s run has of its data
    and model: its behaviour score or its model's holdout MSE (both recorded, equal), and no
    recorded dataset size, env or one of those two that differs. A folder reused for other data
    (``rm -rf run``, a new run into it) differs in them."""
    pairs = [(other.behaviour_score, entry.behaviour_score)]
    pairs.append((other.mle_holdout_mse, entry.mle_holdout_mse))
    known = [(a, b) for a, b in pairs if a is not None and b is not None]
    if not known or not all(math.isclose(a, b, rel_tol=1e-6) for a, b in known):
        return False
    if None not in (other.n_transitions, entry.n_transitions) and (
        other.n_transitions != entry.n_transitions
    ):
        return False
    envs = [(e.settings or {}).get("env_id") for e in (other, entry)]
    return None in envs or envs[0] == envs[1]


def _stale_plots(
    index: dict[str, LedgerEntry], stale: Sequence[LedgerEntry], dataset: str, ledger_dir: Path
) -> tuple[dict[Path, str], list[Path]]:
    """The plots of the datasets ``stale`` entries (dropped from ``index``) were filed under,
    other than ``dataset``: those to redraw (path -> dataset: runs of it are left) and those to
    remove (none is)."""
    redrawn, emptied = {}, []
    for name in sorted({old.dataset for old in stale} - {dataset}):
        path = ledger_dir / f"{dataset_slug(name)}.png"
        if any(e.dataset == name for e in index.values()):
            redrawn[path] = name
        elif path.exists():
            emptied.append(path)
    return redrawn, emptied


def _kept_bytes(path: Path) -> bytes | bool | None:
    """``path``'s content, None if there is no such file, False if it cannot be read (then
    :func:`_put_back` leaves it as the write made it; the write says what is wrong)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return False


def _put_back(path: Path, before: bytes | bool | None) -> None:
    """``path`` as it was before a write whose companion write failed: removed if it was not
    there, else its earlier content (best effort: the failure that called it is the error)."""
    if before is False:
        return
    with suppress(OSError):
        if before is None:
            path.unlink(missing_ok=True)
        else:
            atomic_write(path, lambda tmp: tmp.write_bytes(before))


def _check_logs_reach_results(run_dir: Path, logged: Sequence[Mapping[str, Any]]) -> None:
    """One ValueError when ``run_dir``'s results.json says the run finished (or stopped) after
    more iterations than its tb/ logs hold and ``tb/CURVES_LOST`` does not say so (probe 64 rows
    39-40: a finished run whose event file was damaged mid-file or cut was entered as "stopped
    at iteration 1 of 2 … continue it with --resume", or refused with "add it once its first
    iteration is done", which can never happen)."""
    tb = run_dir / TB_DIR
    if (tb / TB_LOST_NAME).exists() or ledger_holder(run_dir) is not None:
        return
    if dead_lock_pid(run_dir) is not None:  # a later session killed: said elsewhere
        return
    try:
        results = read_json(run_dir / RESULTS_NAME)
    except (OSError, ValueError):  # none yet or damaged: said elsewhere
        return
    if not isinstance(results, dict) or results.get("status") not in ("finished", "stopped"):
        return
    done = results.get("iterations_completed")
    reached = max((int(r["iteration"]) for r in logged), default=None)
    if not is_int(done) or reached is None or reached >= done:  # none: check_logged's error
        return
    damaged = damaged_event_files(run_dir)
    why = (
        f"{some_names([str(p.relative_to(tb)) for p in damaged])} damaged"
        if damaged
        # probe 87 (minor note): a TensorBoard writer that switched itself off was guessed
        # "deleted or lost" only
        else "event files deleted or lost, or not written: a [cotrain] WARNING said TensorBoard "
        "logging was off?"
    )
    did = "finished" if results["status"] == "finished" else "stopped after"
    raise ValueError(
        f"run_dir: {run_dir} {did} {counted(done, 'iteration')} ({RESULTS_NAME}) but its "
        f"TensorBoard logs in {tb} hold only up to iteration {reached} ({why}); restore {TB_DIR}/ from a copy of the "
        f"run, or, to enter it without the missing curve rows, touch {shell_path(tb / TB_LOST_NAME)} "
        f"(their evaluations are then taken from its {RESULTS_NAME})"
    )


def _with_results_rows(
    run_dir: Path, rows: list[dict[str, float | None]]
) -> list[dict[str, float | None]]:
    """``rows`` with, when ``tb/CURVES_LOST`` says the curves were lost, the rows of the
    evaluations its results.json records past the curve's last iteration (score and return
    only), so that a run whose event file was cut is entered with all its iterations."""
    if not rows or not (run_dir / TB_DIR / TB_LOST_NAME).exists():
        return rows
    last = max(r["iteration"] for r in rows)
    later = [r for r in results_rows(run_dir) if r["iteration"] > last]  # type: ignore[operator]
    return [*rows, *later]


def _model_record(resolved: dict[str, Any]) -> dict[str, Any]:
    """Which MLE model the run co-trained (its ``config.json``): ``mle_epochs`` and the elites'
    mean ``mle_holdout_mse``, where recorded. Runs of one ledger key may differ in it (an epoch
    cap, README deviation 17), so the index says which model each curve comes from."""
    model = resolved.get("model") if isinstance(resolved.get("model"), dict) else {}
    record: dict[str, Any] = {}
    if isinstance(model.get("epochs"), int):
        record["mle_epochs"] = model["epochs"]
    mse = model.get("holdout_mse_elites")
    if isinstance(mse, list) and mse and all(isinstance(m, int | float) for m in mse):
        record["mle_holdout_mse"] = float(sum(mse) / len(mse))
    return record


def _check_no_name_clash(index: dict[str, LedgerEntry], entry: LedgerEntry, run_dir: Path) -> None:
    """Another dataset of the ledger whose name gives the same file names (``a/b`` and ``a b``
    are both ``a_b``: the same CSV and PNG) is refused: was the other dataset's entry replaced,
    or its plot overwritten, silently."""
    slug = dataset_slug(entry.dataset)
    for other in index.values():
        if other.dataset != entry.dataset and dataset_slug(other.dataset) == slug:
            raise ValueError(
                f"ledger: {run_dir}'s dataset {entry.dataset!r} and the ledger's dataset "
                f"{other.dataset!r} ({other.slug}) have the same file name in the ledger "
                f"({slug}); rename one of them (the dataset's name, e.g. the 'name' array of an "
                "npz), or keep these runs in their own ledger (--ledger DIR)"
            )


def _check_same_data(
    index: dict[str, LedgerEntry], entry: LedgerEntry, run_dir: Path, replace: bool
) -> None:
    """Every ledger run of one dataset name is on the same data (where both fingerprints are
    recorded). Probe 18: a run on other data under the same name (a dataset regenerated with
    another size or seed, an npz named like another) silently replaced the ledger's run and
    shared its dataset's plot. ``replace`` lets the run replace its own key's entry only."""
    for other in index.values():
        if (
            other.dataset != entry.dataset
            or other.dataset_fingerprint is None
            or entry.dataset_fingerprint is None
            or other.dataset_fingerprint == entry.dataset_fingerprint
            or (replace and other.slug == entry.slug)
        ):
            continue
        where = f" ({other.run_dir})" if other.run_dir else ""
        instead = (
            "pass --replace to scripts/ledger.py to replace it, "
            if other.slug == entry.slug
            else ""
        )
        raise ValueError(
            f"ledger: {run_dir} trained on other data than the ledger's run {other.slug}{where}, "
            f"under the same dataset name {entry.dataset!r} (data fingerprint "
            f"{entry.dataset_fingerprint[:8]} vs {other.dataset_fingerprint[:8]}); the kept run "
            f"stays ({instead}keep these runs in a ledger of their own: --ledger DIR; renaming "
            "the data does not help a generated dataset: make_dataset.py names it after its env "
            "and level, whatever its --dataset-id)"
        )


def _run_settings(cfg: dict[str, Any], resolved: dict[str, Any]) -> dict[str, Any]:
    """The :data:`RESULT_SETTINGS` of a run's saved ``config`` (env_id: the env it ran in, the
    dataset's where it gave none); one saved before a setting existed: what it ran with."""
    settings = {
        name: cfg[name] if name in cfg else SAVED_BEFORE_FIELD[name]
        for name in RESULT_SETTINGS
        if name in cfg or name in SAVED_BEFORE_FIELD
    }
    dataset = resolved.get("dataset") if isinstance(resolved.get("dataset"), dict) else {}
    settings["env_id"] = cfg.get("env_id") or dataset.get("env_id")
    pair = [dataset.get("ref_min_score"), dataset.get("ref_max_score")]
    settings["ref_scores"] = pair if None not in pair else None
    settings["evaluation_env"] = _evaluation_env(settings["env_id"], resolved)
    settings["agent"] = effective_agent(resolved.get("agent"))  # probe 97 row 44
    return _with_ref_scores(settings)


def _evaluation_env(env_id: Any, resolved: dict[str, Any]) -> dict[str, Any] | None:
    """The env a run's policy was evaluated in, as its config.json's ``resolved.termination``
    records it (the dataset's evaluation env, else the data's env kwargs and time limit), as
    ``{env_id, env_kwargs, max_episode_steps}``; None for a run before probe 81 (none recorded:
    not known). Probe 83 row 24: a 50-step evaluation's entry read like a D4RL-protocol one."""
    termination = resolved.get("termination")
    if not isinstance(termination, dict) or "env_kwargs" not in termination:
        return None
    recorded = termination.get("evaluation_env")
    if isinstance(recorded, dict):
        return {
            "env_id": recorded.get("env_id"),
            "env_kwargs": recorded.get("env_kwargs") or {},
            "max_episode_steps": recorded.get("max_episode_steps"),
        }
    return {
        "env_id": env_id,
        "env_kwargs": termination.get("env_kwargs") or {},
        "max_episode_steps": termination.get("max_episode_steps"),
    }


def _with_ref_scores(settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` with ``ref_scores``: a run (or entry) that recorded none scored on D4RL's
    pair of its env (None: an env without one), as every run before probe 71 did."""
    if settings.get("ref_scores") is not None:
        return settings
    env = d4rl_ref_env(settings.get("env_id"))
    return {**settings, "ref_scores": list(REF_SCORES[env]) if env is not None else None}


def _kept_settings(kept: LedgerEntry) -> dict[str, Any] | None:
    """The settings of the ledger's run: its entry's, else (entries before they were recorded)
    its run folder's ``config.json`` if that is still there; None: not known."""
    if not kept.run_dir:  # an entry before probe 71 without a folder: its pair is not known
        return kept.settings
    path = Path(kept.run_dir)
    path = (path if path.is_absolute() else DEFAULT_LEDGER_DIR.parents[2] / path) / CONFIG_NAME
    if kept.settings is not None and "ref_scores" in kept.settings:
        if "agent" in kept.settings:
            return kept.settings
        try:  # probe 97 row 44: an entry before the agent was a setting: its folder's record
            agent = effective_agent(read_json(path)["resolved"].get("agent"))
        except (OSError, KeyError, TypeError, AttributeError, ValueError):
            agent = None  # gone or foreign: not known, not compared
        return {**kept.settings, "agent": agent}
    try:
        saved = read_json(path)
        settings = _run_settings(saved["config"], saved["resolved"])
    except (OSError, KeyError, TypeError, AttributeError, ValueError):
        settings = None  # gone or foreign: not compared (its pair: D4RL's, as entered)
    if kept.settings is None:
        return settings
    # an entry before probe 71: its run folder's pair, else not known (probe 76 row 19: D4RL's
    # was assumed, so a run on data with their own pair was "not compared" with its own old
    # entry once that entry's folder was gone; an unknown pair is not compared)
    pair = settings.get("ref_scores") if settings is not None else None
    return {**kept.settings, "ref_scores": pair}


def setting_differences(entry: LedgerEntry, run_dir: str | Path) -> tuple[list[str], list[str]]:
    """How the run in ``run_dir`` (its ``config.json``) differs from the ledger's ``entry``, as
    ``"name this run's vs the ledger's"`` texts: ``(settings, bookkeeping)``. ``settings``: the
    :data:`RESULT_SETTINGS` the key does not tell apart (the two runs are not comparable);
    ``bookkeeping``: seed, model seed and precision (comparable, but named). Probe 68:
    cotrain's closing line set a ``--real-ratio 0`` run against a 0.5 ledger run, and an fp32,
    seed-1 run against a bf16, seed-0 one, without a word. Unreadable: nothing said."""
    try:
        saved = read_json(Path(run_dir) / CONFIG_NAME)
        cfg, resolved = saved["config"], saved["resolved"]
        ours = _run_settings(cfg, resolved)
    except (OSError, KeyError, TypeError, AttributeError, ValueError):
        return [], []
    theirs = _kept_settings(entry) or {}
    settings = [
        _setting_text(name, ours[name], theirs[name])
        for name in RESULT_SETTINGS
        if name in ours and name in theirs and not _same_setting(name, ours[name], theirs[name])
    ]
    bookkeeping = [
        f"{name} {mine!r} vs {kept!r}"
        for name, mine, kept in (
            ("seed", cfg.get("seed"), entry.seed),
            ("model_seed", cfg.get("model_seed"), entry.model_seed),
            ("precision", cfg.get("precision"), entry.precision),
        )
        if mine is not None and kept is not None and mine != kept
    ]
    return settings, bookkeeping


def _setting_text(name: str, ours: Any, theirs: Any) -> str:
    """``"name ours vs theirs"`` for a setting two runs differ in; the agent by the parts of its
    networks that differ (``"agent's activation_fn '…Tanh' vs '…ReLU'"``)."""
    if name == "agent" and isinstance(ours, dict) and isinstance(theirs, dict):
        texts = []
        for part in sorted(set(ours) | set(theirs)):
            mine, kept = ours.get(part), theirs.get(part)
            if mine == kept:
                continue
            if part == "policy_kwargs" and isinstance(mine, dict) and isinstance(kept, dict):
                texts += [  # the entries that differ (those other than the policy's defaults)
                    f"agent's policy_kwargs.{key} {mine.get(key, '<default>')!r} vs "
                    f"{kept.get(key, '<default>')!r}"
                    for key in sorted(set(mine) | set(kept))
                    if mine.get(key, "<default>") != kept.get(key, "<default>")
                ]
            else:
                texts.append(f"agent's {part} {mine!r} vs {kept!r}")
        return ", ".join(texts)
    return f"{name} {ours!r} vs {theirs!r}"


def _same_setting(name: str, ours: Any, theirs: Any) -> bool:
    """Whether two runs' values of setting ``name`` are the same (reference pairs: to a float32
    round trip of the data's file)."""
    if name == "ref_scores":  # None: an env without D4RL's pair, unknown: not compared
        return ours is None or theirs is None or same_ref_pair(ours, theirs)
    if name in ("evaluation_env", "agent"):  # None: a run before probe 81 / 97, not known
        return ours is None or theirs is None or ours == theirs
    if name == "ent_coef":  # probe 92 rows 75, 76: "1e-1" vs "0.1", "auto_1.0" vs "auto" (the
        # same α as SB3 reads them) were other settings; compared as SB3 reads them
        read = sb3_ent_coef(ours), sb3_ent_coef(theirs)
        return read[0] == read[1] if None not in read else ours == theirs
    return ours == theirs


def _check_same_settings(
    kept: LedgerEntry | None, entry: LedgerEntry, run_dir: Path, replace: bool
) -> None:
    """Probe 41: a run of the same key with other settings (``--real-ratio 0`` against the
    ledger's 0.5, other n_rollouts, ensemble width …) silently replaced the ledger's run, and
    the index could not tell the two apart. Refused unless ``replace``; settings only one of
    the two recorded are not compared."""
    if kept is None or replace or entry.settings is None:
        return
    settings = _kept_settings(kept)
    if settings is None:
        return
    ours = _with_ref_scores(entry.settings)
    differ = [
        _setting_text(name, ours[name], settings[name])
        for name in RESULT_SETTINGS
        if name in ours and name in settings and not _same_setting(name, ours[name], settings[name])
    ]
    if not differ:
        return
    where = f" ({kept.run_dir})" if kept.run_dir else ""
    raise ValueError(
        f"ledger: {run_dir} ran with other settings than the ledger's run {kept.slug}{where}, "
        f"which the key does not tell apart: {', '.join(differ)} (this run's vs the ledger's); "
        "the kept run stays (pass --replace to scripts/ledger.py to replace it, or keep these "
        "runs in their own ledger: --ledger DIR)"
    )


def _provenance(run_dir: Path, resolved: dict[str, Any]) -> dict[str, Any]:
    """What made the run's numbers beyond its settings, as a new entry records it
    (``settings[PROVENANCE]``): ``session_versions``, the rambo_env commit (with
    ``rambo_env_dirty`` / ``rambo_env_diff``), library versions and machine of each session
    (results.json's, else config.json's ``resolved.versions``), and ``session_settings``, each
    session's torch threads and compile (results.json's); a record the run lacks is left out."""
    try:
        results = read_json(run_dir / RESULTS_NAME)
    except (OSError, ValueError):
        results = None
    results = results if isinstance(results, dict) else {}
    record: dict[str, Any] = {}
    versions = results.get("session_versions")
    if not (isinstance(versions, list) and versions and all(isinstance(v, dict) for v in versions)):
        at_start = resolved.get("versions")
        versions = [at_start] if isinstance(at_start, dict) else None
    if versions:
        record["session_versions"] = versions
    settings = results.get("session_settings")
    if isinstance(settings, list) and settings and all(isinstance(v, dict) for v in settings):
        record["session_settings"] = settings
    return record


def _with_provenance(settings: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """``settings`` with ``record`` (:func:`_provenance`) under :data:`PROVENANCE`, when the run
    recorded any of it."""
    return {**settings, PROVENANCE: record} if record else settings


def provenance(entry: LedgerEntry) -> dict[str, Any] | None:
    """What an entry records of the code, libraries, machine and torch threads / compile that
    made its run (:func:`_provenance`); None for an entry written before probe 138, which records
    none."""
    kept = (entry.settings or {}).get(PROVENANCE)
    return kept if isinstance(kept, dict) else None


def _iterations_completed(run_dir: Path) -> int | None:
    """``results.json``'s ``iterations_completed`` (a diverged run's last good checkpoint), None
    without it (no file, damaged, or not an int)."""
    try:
        done = read_json(run_dir / RESULTS_NAME).get("iterations_completed")
    except (OSError, ValueError, AttributeError):
        return None
    return done if is_int(done) else None


def _cotrain_wall_s(
    run_dir: Path, walls: list[float], iterations: int, diverged: bool = False
) -> float | None:
    """:attr:`LedgerEntry.cotrain_wall_s`: the sum of the logged iteration times, or, when tb/
    lacks some of them (marked ``CURVES_LOST``, rows not logged again), results.json's mean
    iteration time times its iterations (probe 83 row 28: was the sum of only the logged ones,
    1.68 s of a run whose 8 iterations took 5.96 s, without a word); None without it (said when
    tb/ holds some of them). A ``diverged`` run's times are those of its completed iterations:
    the diverged one logs none (probe 94 row 24: was None and a false warning)."""
    if diverged:
        done = _iterations_completed(run_dir)
        if done is not None and 0 <= done < iterations:
            iterations = done
    if len(walls) >= iterations:
        return sum(walls) if walls else None
    try:
        saved = read_json(run_dir / RESULTS_NAME)
    except (OSError, ValueError):
        saved = None
    saved = saved if isinstance(saved, dict) else {}
    mean, done = saved.get("iteration_s_mean"), saved.get("iterations_completed")
    if is_real(mean) and math.isfinite(mean) and done == iterations:
        return float(mean) * iterations
    if not walls:  # logs that never held them (a run of an older version): nothing to name
        return None
    note(
        f"[ledger] WARNING: {run_dir}: the iteration times of {iterations - len(walls)} of its "
        f"{iterations} iterations are in neither its TensorBoard logs nor its {RESULTS_NAME}: "
        "its cotrain_wall_s is left empty",
    )
    return None


def _entry_record(entry: LedgerEntry) -> dict[str, Any]:
    """An entry as ``index.json`` stores it: ``precision`` only when not fp32 and the MLE fields
    only when known (no churn in the entries written before they existed)."""
    record = {"format": LEDGER_FORMAT, **vars(entry)}
    if record.get("precision") == "fp32":
        del record["precision"]
    for name in (
        "mle_epochs",
        "mle_holdout_mse",
        "dataset_fingerprint",
        "model_seed",
        "n_transitions",
        "settings",
        "planned_iterations",
        "status",
        "score_label",
        "dataset_source",
    ):
        if record.get(name) is None:
            del record[name]
    if not record.get("diverged"):
        del record["diverged"]
    return record


def _dataset_source(resolved: dict[str, Any]) -> str | None:
    """The run's ``resolved.dataset.source`` (``minari:ID``, …), None when not a string."""
    source = resolved["dataset"].get("source")
    return source if isinstance(source, str) and source else None


def _planned_iterations(run: dict[str, Any]) -> int | None:
    """The run's planned iterations (its config.json's ``n_iterations``), None when not an int."""
    planned = run["n_iterations"]
    return int(planned) if is_int(planned) and planned >= 1 else None


def _progress_record(
    run_dir: Path, iterations: int, planned: int | None, diverged: bool
) -> dict[str, Any]:
    """``planned_iterations`` and ``status`` of an entry: what ``scripts/ledger.py`` says of the
    run when entering it (still going; stopped at iteration i of n), kept in ``index.json``;
    ``diverged``: :func:`_diverged` of the run, read once per entry."""
    part = stopped_part_way(run_dir)
    if part is not None:
        planned = part[1]
    if ledger_holder(run_dir) is not None:
        status = "running"
    elif diverged or failed_diverged(run_dir):  # probe 89 row 24: was "unfinished" if failed
        status = "diverged"
    elif part is not None:
        status = "stopped"
    elif planned is None:
        status = None
    else:
        # probe 87 row 40: a run failed after its last iteration was entered as complete
        done = iterations >= planned and _failed_results(run_dir) is None
        status = "complete" if done else "unfinished"
    return {"planned_iterations": planned, "status": status}


def _run_dir_record(run_dir: Path) -> str:
    """How the index names a run folder: relative to the repository (``runs/x``) when inside
    it, so the committed index does not carry this machine's paths; else absolute."""
    path, repo = run_dir.resolve(), DEFAULT_LEDGER_DIR.parents[2]
    return str(path.relative_to(repo)) if path.is_relative_to(repo) else str(path)


def is_entry_of(entry: LedgerEntry, run_dir: str | Path) -> bool:
    """``entry`` was read from the run folder ``run_dir`` (its recorded ``run_dir``; False for
    entries written before it was recorded)."""
    return entry.run_dir is not None and entry.run_dir == _run_dir_record(Path(run_dir))


def run_slug(run_dir: str | Path) -> str:
    """The ledger key of a run folder (``<dataset>_<algo>_k<k>-lam<λ>[-ln]_s<seed>[-m<model seed>]``), from its
    ``config.json``; the errors of :func:`update_ledger` for a folder that is not a run."""
    run = _read_run(Path(run_dir))
    return _slug(
        run["dataset"],
        run["algo"],
        run["config"],
        run["seed"],
        run["layer_norm"],
        run["model_seed"],
    )


def filed_dataset(run_dir: str | Path) -> tuple[str, str | None]:
    """The dataset name and data fingerprint the ledger files the run of ``run_dir`` under
    (today's name of its data when an older rambo_env recorded another: :func:`_renamed_dataset`);
    the errors of :func:`update_ledger` for a folder that is not a run."""
    run = _read_run(Path(run_dir))
    return run["dataset"], run["fingerprint"]


def recorded_ledger(run_dir: str | Path) -> Path | None:
    """The ledger folder a run's ``config.json`` records (its cotrain ``--ledger``), or None:
    none recorded (the default ledger, or a run from before the field); the errors of
    :func:`update_ledger` for a folder that is not a run."""
    ledger = _read_run(Path(run_dir))["ledger"]
    return None if ledger is None else Path(ledger)


def stopped_part_way(run_dir: str | Path) -> tuple[int, int] | None:
    """(iterations done, iterations planned) of a run its ``results.json`` says was stopped
    before its end (``--stop-at-iteration``) and that no process continues; else None. Probe 47
    row 61: such a run was entered like a finished one, without a word (it is entered: long
    runs are ledgered as they go)."""
    results = _results_with_status(run_dir, "stopped")
    if results is None:
        return None
    done, planned = results.get("iterations_completed"), results.get("n_iterations")
    if not (is_int(done) and is_int(planned)) or done >= planned:
        return None
    return int(done), int(planned)


def _results_with_status(run_dir: str | Path, status: str) -> dict[str, Any] | None:
    """The ``results.json`` of a run it says ``status`` and that no process continues; else None
    (none yet, damaged: said elsewhere)."""
    # Probe 50 row 54: a lock left by a dead process says a later session (--resume) was killed
    # outright: the results.json is that of the earlier session, not where the run stands.
    if ledger_holder(run_dir) is not None or dead_lock_pid(run_dir) is not None:
        return None
    try:
        results = read_json(Path(run_dir) / RESULTS_NAME)
    except (OSError, ValueError):  # none yet or damaged: said elsewhere
        return None
    if not isinstance(results, dict) or results.get("status") != status:
        return None
    return results


def _failed_results(run_dir: str | Path) -> dict[str, Any] | None:
    """The ``results.json`` of a run it says ``failed`` and that no process continues."""
    return _results_with_status(run_dir, "failed")


def _error_words(results: dict[str, Any], run_dir: str | Path) -> str:
    """``"RuntimeError in iteration 2 (the evaluation): …"`` from a failed run's ``error``."""
    error = results.get("error")
    try:
        phase = f" ({error['phase']})" if error.get("phase") else ""
        said = f": {error['message']}" if error["message"] else ""  # probe 87: was a bare ": "
        return f"{error['type']} in iteration {error['iteration']}{phase}{said}"
    except (AttributeError, KeyError, TypeError):
        return f"an error (see {Path(run_dir) / RESULTS_NAME})"


def failed_diverged(run_dir: str | Path) -> bool:
    """The run's ``results.json`` says ``failed`` on a divergence (``error.kind`` ``diverged``: a
    non-finite actor; no process continues it): its ``--resume`` likely diverges again, so its
    ledger entry is ``diverged``, not ``unfinished`` (probe 89 row 24)."""
    results = _failed_results(run_dir)
    error = None if results is None else results.get("error")
    return isinstance(error, dict) and error.get("kind") == "diverged"


def failed_with(run_dir: str | Path) -> str | None:
    """The error that ended a run its ``results.json`` says ``failed`` (an exception inside an
    iteration, its last checkpoint kept) and that no process continues: ``"RuntimeError in
    iteration 2 (the evaluation): …"``; else None. Probe 85 rows 13, 17: such a run was said to
    have "stopped … without finishing", the error it died of named nowhere."""
    results = _failed_results(run_dir)
    return None if results is None else _error_words(results, run_dir)


#: Where the "how to go on" part of a failed run's message starts (``agents.cotrain``'s
#: ``failure_message``: ``"failed: WHAT; the last checkpoint (iteration N) is kept…"``, or
#: ``"…; checkpoint N is kept…"`` after the caller's ``on_iteration`` callback raised).
_FAILURE_KEPT = ("; the last checkpoint (", "; checkpoint ")


def failed_text(run_dir: str | Path, at: str) -> str | None:
    """What ledger.py and curves.py say of a run its ``results.json`` says ``failed`` (no
    process continues it), ``at`` where its logs end (``iteration 4 of 8``); else None. The
    run's own words, from the message cotrain wrote (``"failed: WHAT; HOW"``), its
    ``--resume`` spelled as the command: a non-finite actor "diverged" and is not to be
    resumed. A run failed after its last iteration (all done: the caller's ``on_iteration``
    raised) lacks only its closing results. Probe 87 rows 12, 40: the readers advised
    ``--resume`` for a diverged run, and the ledger entered a failed 5-of-5 run as complete."""
    results = _failed_results(run_dir)
    if results is None:
        return None
    resume = f"{script_line('cotrain.py')} --resume {shell_path(Path(run_dir))}"
    message = results.get("message")
    text = message.removeprefix("failed: ") if isinstance(message, str) else ""
    if not (isinstance(message, str) and message.startswith("failed: ") and text.strip()):
        what, how = _error_words(results, run_dir), f"continue it with {resume}"
    elif (split := max(text.rfind(kept) for kept in _FAILURE_KEPT)) >= 0:
        what, how = text[:split], text[split + 2 :]
    else:  # a message of another form: the run's words whole
        what, how = text, ""
    # "the run diverged in …" after "its run failed at …"; an empty error left "…: "
    what = what.rstrip().removesuffix(":").removeprefix("the run ")
    if how and "cotrain.py --resume" not in how:
        how = how.replace("--resume", resume)
    done, planned = results.get("iterations_completed"), results.get("n_iterations")
    if is_int(done) and is_int(planned) and done >= planned:
        return (
            f"its run failed after its last iteration ({done} of {planned}: {what}), so its "
            f"closing results were not written ({RESULTS_NAME} says failed); {resume} writes "
            "them"
        )
    return f"its run failed at {at}: {what}" + (f"; {how}" if how else "")


#: What a tool does with a run whose ``results.json`` is damaged (:func:`_diverged`): the
#: ledger's words; curves.py and load_session (diagnose.py) give their own (probe 71 row 25).
_UNKNOWN_LEDGER = "so its ledger entry is not marked diverged"


def _diverged(run_dir: Path, unknown: str = _UNKNOWN_LEDGER) -> bool:
    """The run's ``results.json`` says it stopped on a diverged Q and no process continues it
    (a resumed run rewrites the file only when it ends). ``unknown``: what the calling tool does
    when the file is damaged, for its warning."""
    if ledger_holder(run_dir) is not None:
        return False
    path = run_dir / RESULTS_NAME
    if not path.exists():  # none yet (killed, or stopped before its end): not diverged
        return False
    try:
        results = read_json(path)
    except (OSError, ValueError) as err:
        results = safe_reason(err)
    if not (isinstance(results, dict) and isinstance(results.get("status"), str)):
        why = (
            results
            if isinstance(results, str)
            else f"no status in {with_article(type(results).__name__)}"
        )
        note(  # probe 20: was taken as "not diverged" without a word
            f"[rambo_env] WARNING: {path} is damaged ({why}): whether the run diverged is not "
            f"known, {unknown}; restore the file if you have it",
        )
        return False
    return results["status"] == "diverged"


def check_results_status(run_dir: Path) -> None:
    """One ValueError naming the run's ``results.json`` when its ``status`` is a str cotrain
    never writes (:data:`RESULTS_STATUSES`): probe 58 row 44, ``"banana"`` was entered as a
    finished run without a word. A missing or damaged file is said elsewhere."""
    path = run_dir / RESULTS_NAME
    try:
        results = read_json(path)
    except (OSError, ValueError):
        return
    status = results.get("status") if isinstance(results, dict) else None
    if isinstance(status, str) and status not in RESULTS_STATUSES:
        raise ValueError(
            f"run_dir: {path}: status {status!r:.40} is not one of "
            f"{', '.join(RESULTS_STATUSES)} (what cotrain writes); restore it"
        )
    if isinstance(results, dict):
        check_results_fields(results, path)


def _finite_number(value: Any) -> bool:
    return is_real(value) and math.isfinite(value)


def check_results_fields(results: Mapping[str, Any], path: Path) -> None:
    """One ValueError naming ``path``, the field and its value when a number cotrain writes is
    not one: ``final_score`` / ``final_return`` a finite number or null, ``q_history`` a list of
    finite numbers or nulls (cotrain writes a non-finite value as null, so an ``Infinity`` was
    put there by hand). Probe 59 row 56: ``final_score: "abc"`` and ``q_history: [Infinity]``
    were kept by ``--resume`` and taken by the ledger without a word."""
    bad: tuple[str, Any] | None = None
    for name in ("final_score", "final_return"):
        value = results.get(name)
        if value is not None and not _finite_number(value) and bad is None:
            bad = (name, value)
    q_history = results.get("q_history")
    if bad is None and "q_history" in results:
        if not isinstance(q_history, list):
            bad = ("q_history", q_history)
        else:
            for i, q in enumerate(q_history):
                if q is not None and not _finite_number(q):
                    bad = (f"q_history[{i}]", q)
                    break
    if bad is not None:
        name, value = bad
        raise ValueError(
            f"run_dir: {path}: {name} is {value!r:.40}, not a finite number or null (what "
            "cotrain writes; edited by hand?); restore it from a copy of the run folder, or "
            "rerun the run"
        )


def stale_lock_pid(run_dir: str | Path) -> int | None:
    """The live PID a run folder's ``.lock`` names when the lock is stale: a bare PID (no start
    time to rule out reuse, :func:`rambo_env.run_io.bare_lock_pid`) in a run whose
    ``results.json`` says it finished every iteration its ``config.json`` plans (an extension
    rewrites the plan first, so its live run is not taken for stale). Else None. Probe 58 row
    71: a finished run whose lock named a reused PID was entered as "still going"."""
    run_dir = Path(run_dir)
    pid = bare_lock_pid(run_dir)
    if pid is None or run_holder(run_dir) != pid:
        return None
    try:
        results = read_json(run_dir / RESULTS_NAME)
        planned = read_json(run_dir / CONFIG_NAME)["config"]["n_iterations"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (isinstance(results, dict) and results.get("status") == "finished"):
        return None
    done = results.get("iterations_completed")
    return pid if is_int(done) and is_int(planned) and done >= planned else None


def ledger_holder(run_dir: str | Path) -> int | None:
    """:func:`rambo_env.run_io.run_holder`, but None for a stale lock (:func:`stale_lock_pid`):
    a finished run's ``results.json`` wins over a bare PID that may have been reused."""
    holder = run_holder(run_dir)
    return None if holder is not None and stale_lock_pid(run_dir) == holder else holder


def killed_text(run_dir: Path, pid: int, at: str) -> str:
    """What the ledger and curves.py say of a run whose process ``pid`` was killed outright
    (its ``.lock`` left: :func:`rambo_env.run_io.dead_lock_pid`) ``at`` (``iteration 2 of 8``),
    with the command that continues it (probes 50-51: such runs were entered without a word)."""
    return (
        f"its run (process {pid}) stopped at {at} without finishing (killed? out of memory?); "
        f"continue it with {script_line('cotrain.py')} --resume {shell_path(run_dir)}"
    )


def diverged_where(run_dir: Path, of: str = "", unknown: str = _UNKNOWN_LEDGER) -> str | None:
    """``diverged at iteration 2 of 8 (results.json: <reason>)`` for a run whose ``results.json``
    says it stopped on a divergence (:func:`_diverged`; ``of`` its planned iterations, `` of 8``),
    None for any other run: the words curves.py and diagnose.py share (probe 55 row 22, probe 57
    row 46). ``unknown``: what the caller does when the file is damaged (:func:`_diverged`)."""
    if not _diverged(run_dir, unknown):
        return None
    try:
        at = read_json(run_dir / RESULTS_NAME).get("diverged_at")
    except (OSError, ValueError, AttributeError):
        at = None
    at = at if isinstance(at, dict) else {}
    where = f" at iteration {at['iteration']}{of}" if is_int(at.get("iteration")) else ""
    why = f": {at['reason']}" if isinstance(at.get("reason"), str) and at["reason"] else ""
    return f"diverged{where} ({RESULTS_NAME}{why})"


def diverged_text(run_dir: Path, done: int, of: str = "") -> str | None:
    """What curves.py says of a run whose ``results.json`` says it stopped on a divergence
    (:func:`diverged_where`; ``done`` its last logged iteration, ``of`` its planned iterations,
    `` of 8``), None for any other run. Probe 55
    row 22: such a run's curve was plotted as "0 iterations" without a word of why it ends."""
    where = diverged_where(run_dir, of, "so its curve is not marked diverged")
    if where is None:
        return None
    # probe 94 row 23: the last logged iteration (the diverged one) was called its last good
    # checkpoint; the checkpoint kept is results.json's iterations_completed
    kept = _iterations_completed(run_dir)
    if kept is None or kept == done:
        return (
            f"its run {where}; its curve ends there, at iteration {done} (its last good checkpoint)"
        )
    return (
        f"its run {where}; its curve ends at iteration {done}, its last good checkpoint is "
        f"iteration {kept}"
    )


def _warn_results_missing(run_dir: Path, status: str | None) -> None:
    """Probe 52 row 51: a run that reached its planned iterations (``status`` complete), with
    no process on it and no lock of a killed one, but no ``results.json`` (removed by a cleanup)
    was entered without a word; a damaged one is warned of (:func:`_diverged`). A run still
    going, killed (a dead lock) or stopped part-way has its own note (``scripts/ledger.py``)."""
    path = run_dir / RESULTS_NAME
    if status != "complete" or path.exists() or path.is_symlink():
        return
    if ledger_holder(run_dir) is not None or dead_lock_pid(run_dir) is not None:
        return
    note(
        f"[rambo_env] WARNING: {path} is missing although the run ended (its logged iterations "
        "reach its planned ones and no process runs it): whether it finished or "
        "diverged is not known, so its ledger entry is not marked diverged; restore the file if "
        "you have it",
    )


def _read_run(run_dir: Path) -> dict[str, Any]:
    """What the ledger reads from a run's ``config.json`` (one ValueError naming the file)."""
    check_run_folder(run_dir)
    config_path = run_dir / CONFIG_NAME
    if not config_path.is_file():
        # was: "(not a run folder?)" for a run still in its setup
        check_not_starting(run_dir, "add it after its first iteration")
        # probe 49: a run killed in its setup was "(not a run folder?)" too
        check_not_died_starting(
            run_dir, f"{RERUN_DIED_START}, then add it after its first iteration"
        )
        held = [n for n in (CHECKPOINT_NAME, RESULTS_NAME) if (run_dir / n).exists()]
        if held:  # probe 85 row 26: was "(not a run folder?)" for a run whose config.json went
            raise FileNotFoundError(
                f"run_dir: {run_dir} holds a run ({', '.join(held)}) but not its {CONFIG_NAME} "
                "(deleted or moved?); restore it from a copy of the run (cotrain.py's --resume "
                "needs it too)"
            )
        raise FileNotFoundError(f"run_dir: {run_dir} has no {CONFIG_NAME} (not a run folder?)")
    check_run_readable(run_dir, [CONFIG_NAME])  # probe 114: every unreadable file at once
    check_readable(config_path, "run_dir")  # was: a bare "[Errno 13] Permission denied: …"
    try:
        saved = read_json(config_path)
        cfg, resolved = saved["config"], saved["resolved"]
        config = RamboPreset(int(resolved["rollout_length"]), float(resolved["adversary_weight"]))
        dataset = ledger_dataset(
            resolved["dataset"]["name"], resolved["dataset"].get("fingerprint")
        )
        algo, seed, dataset_arg = cfg["algo"], int(cfg["seed"]), cfg["dataset"]
        model_seed = cfg.get("model_seed")  # runs before the option: their own seed
        model_seed = None if model_seed is None or int(model_seed) == seed else int(model_seed)
        # runs before session 8 record it only in the config (absent there: the official critic)
        layer_norm = bool(resolved.get("critic_layer_norm", cfg.get("critic_layer_norm") or False))
        precision = str(cfg.get("precision", "fp32"))  # runs before the option: fp32
        fingerprint = resolved["dataset"].get("fingerprint")
        fingerprint = fingerprint if isinstance(fingerprint, str) else None
        ledger = cfg.get("ledger")  # runs before the option: none (the default ledger)
        if ledger is not None and not (isinstance(ledger, str) and ledger):
            raise TypeError(f"ledger {ledger!r} is not a folder path")
        settings = _run_settings(cfg, resolved)
        n_transitions = resolved["dataset"].get("n_transitions")  # runs before it: none
        n_transitions = n_transitions if is_int(n_transitions) and n_transitions > 0 else None
    except (KeyError, TypeError, ValueError) as err:  # not JSON, hand-made, foreign
        raise ValueError(
            f"run_dir: {config_path} is not a config.json written by cotrain ({safe_reason(err)}); "
            "pass the folder of a cotrain run"
        ) from None
    check_config_keys(saved, f"run_dir: {config_path}")  # probe 44: a stray key was ignored
    newer = newer_config_format(saved, f"run_dir: {config_path}")
    if newer:  # probe 113: entered as this code knows it, what the newer writer added dropped
        raise ValueError(newer)
    recorded_fingerprint = fingerprint  # the run's own record (its entry by an older rambo_env)
    renamed = _renamed_dataset(config_path, dataset_arg, cfg.get("env_id"), resolved["dataset"])
    if renamed is not None:  # the entry is filed as this code names the data, not as recorded
        resolved = {**resolved, "dataset": renamed}
        dataset = ledger_dataset(renamed["name"], renamed["fingerprint"])
        fingerprint = renamed["fingerprint"]
    return {
        "config": config,
        "dataset": dataset,
        "algo": algo,
        "seed": seed,
        "model_seed": model_seed,
        "dataset_arg": dataset_arg,
        "env_id": cfg.get("env_id"),  # the run's --env-id (probe 26: not passed to the reload)
        "layer_norm": layer_norm,
        "resolved": resolved,
        "precision": precision,
        "fingerprint": fingerprint,
        "recorded_fingerprint": recorded_fingerprint,
        "ledger": ledger,
        "settings": settings,
        "n_transitions": n_transitions,
        "n_iterations": cfg.get("n_iterations"),  # the planned iterations (_planned_iterations)
    }


def _renamed_dataset(
    config_path: Path, dataset_arg: str, env_id: str | None, record: dict[str, Any]
) -> dict[str, Any] | None:
    """The run's dataset record (``resolved.dataset``) under the name this code gives its Minari
    dataset, when the run's ``config.json`` records another one, the data being the run's; None
    when the names agree (or the data are not a Minari dataset's), or the data cannot be read or
    checked here (then the recorded name is kept, with a note: the ledger needs no data).
    ValueError when the names differ and the data there are not the run's.

    Probe 113 row 4: a run on ``rambo/hopper/mine-v0`` started before 5ce83ab recorded it as
    ``hopper-random`` (then its name while the flat cache lasted); its entry was filed under the
    standard dataset's name (key, plot, compared with real hopper-random runs), while the same
    command said "dataset 'hopper-mine' <- minari:rambo/hopper/mine-v0"."""
    from rambo_env.data.minari_io import minari_dataset_name

    name, source, fingerprint = record.get("name"), record.get("source"), record.get("fingerprint")
    if not isinstance(name, str) or not isinstance(source, str) or not source.startswith("minari:"):
        return None
    dataset_id = source.removeprefix("minari:").removesuffix(" (generated)")
    current = minari_dataset_name(dataset_id, record.get("env_id"))
    if current == name:
        return None
    key = (str(config_path), dataset_arg, env_id, name, fingerprint)
    if key not in _RENAMED:  # read once per process (update_ledger reads the run twice)
        _RENAMED[key] = _checked_rename(config_path, dataset_arg, env_id, record, current)
    return _RENAMED[key]


#: :func:`_renamed_dataset`'s answers by run and record (one dataset load and note per run).
_RENAMED: dict[tuple[Any, ...], dict[str, Any] | None] = {}


def _checked_rename(
    config_path: Path, dataset_arg: str, env_id: str | None, record: dict[str, Any], current: str
) -> dict[str, Any] | None:
    """:func:`_renamed_dataset`'s check of the data, once the names differ."""
    from dataclasses import replace

    from rambo_env.data.loaders import load_dataset

    name, fingerprint = record["name"], record.get("fingerprint")
    dataset_id = record["source"].removeprefix("minari:").removesuffix(" (generated)")
    recorded = f"{config_path} records the run's dataset {dataset_id} as {name!r}"
    try:
        loaded = load_dataset(dataset_arg, generate=False, env_id=env_id)
    except Exception as err:  # gone, damaged: the data cannot be checked
        unchecked = f"it cannot be read here ({safe_reason(err)})"
    else:
        if loaded.name == name:  # named as recorded after all (e.g. another env id)
            return None
        if not isinstance(fingerprint, str):
            unchecked = "the run recorded no fingerprint of its data"
        elif replace(loaded, name=name).fingerprint() != fingerprint:
            raise ValueError(
                f"run_dir: {recorded} (the name an older rambo_env gave it), this rambo_env names "
                f"it {loaded.name!r}, and its data there are not the run's (their fingerprint "
                f"differs): the run is filed under neither name; restore the run's dataset "
                f"{dataset_id} and run scripts/ledger.py again"
            )
        else:
            note(
                f"[ledger] note: {recorded} (the name an older rambo_env gave it); the data are "
                f"the same, filed as {loaded.name!r}, the name this rambo_env gives them",
            )
            renamed = {**record, "name": loaded.name, "fingerprint": loaded.fingerprint()}
            if renamed.get("behaviour_score") is None:  # as _behaviour_score would read it
                renamed["behaviour_score"] = loaded.behaviour_score()
            return renamed
    note(  # the ledger itself needs no data: the run is entered as recorded, not silently
        f"[ledger] note: {recorded}; this rambo_env would name it {current!r}, but {unchecked}, "
        f"so whether they are the same data is not known: filed under the recorded {name!r}",
    )
    return None


@contextmanager
def _ledger_lock(ledger_dir: Path) -> Iterator[None]:
    """Hold ``ledger_dir`` (created) for this process (:func:`folder_lock`: ``fcntl.flock`` on the
    folder itself, so no lock file is left to commit and a killed holder never blocks). Without
    ``fcntl`` (Windows) there is no lock. Probe 102 row 18: a file system without flock names
    the ledger (``--ledger``)."""
    with folder_lock(ledger_dir, "--ledger", "updating the ledger", script="ledger"):
        yield


def _behaviour_score(
    source: str, recorded: dict[str, Any], env_id: str | None = None
) -> float | None:
    """The run's recorded behaviour score; runs from before it was recorded: from the dataset,
    if the dataset found under the run's name is still the one it trained on."""
    if recorded.get("behaviour_score") is not None:
        return float(recorded["behaviour_score"])
    from rambo_env.data.loaders import load_dataset

    try:
        dataset = load_dataset(source, generate=False, env_id=env_id)
    except Exception:  # gone, or not loadable here: the ledger just has no behaviour line
        return None
    return (
        dataset.behaviour_score() if dataset.fingerprint() == recorded.get("fingerprint") else None
    )


def read_entry_curves(entry: LedgerEntry, ledger_dir: str | Path) -> list[dict[str, float | None]]:
    """The rows of ``entry``'s CSV; one ValueError naming the file and what to do when it is
    missing or damaged (was: a raw ``FileNotFoundError`` / "has no 'iteration' column" traceback
    at the end of a finished main-job run, and a ledger.py error after the new entry was written)."""
    path = Path(ledger_dir) / f"{entry.slug}.csv"
    try:
        return read_curves_csv(path)
    except (OSError, ValueError) as err:
        if permission_denied(err):  # probe 111: was "restore it (git checkout …)", for a file
            reason = (  # that is whole, but not this user's
                str(err).removeprefix(f"path: {path} ")
                if isinstance(err, ValueError)
                else f"is not readable by this user ({safe_reason(err)}; {owner_text(path)})"
            )
            raise ValueError(
                f"ledger: {path}, the curve of {INDEX_NAME}'s entry {entry.slug}, {reason}"
            ) from None
        reason = (
            "missing"
            if isinstance(err, FileNotFoundError)
            else str(err).removeprefix(f"path: {path} ")
            if isinstance(err, ValueError)
            else safe_reason(err)
        )
        raise ValueError(
            f"ledger: {path}, the curve of {INDEX_NAME}'s entry {entry.slug}, is unreadable "
            f"({reason}); restore it (git checkout -- {path}), or re-add its run with "
            "scripts/ledger.py RUN --replace"
        ) from None


def plot_dataset(dataset: str, ledger_dir: str | Path = DEFAULT_LEDGER_DIR) -> Path:
    """``<dataset>.png``: score and average Q per iteration of every ledger run on ``dataset``."""
    ledger_dir = Path(ledger_dir)
    path = ledger_dir / f"{dataset_slug(dataset)}.png"
    return _plot(dataset, ledger_dir, read_index(ledger_dir), {}, path)


def _plot(
    dataset: str,
    ledger_dir: Path,
    index: dict[str, LedgerEntry],
    rows: dict[str, list[dict[str, float | None]]],
    path: Path,
    staged: bool = False,
) -> Path:
    """The dataset's plot at ``path``; an entry's curve from ``rows`` (slug -> rows) if given
    there, else from its CSV in ``ledger_dir`` (a damaged one: one error, before any write).
    ``staged``: ``path`` is a :class:`StagedFiles` temp file (:func:`plot_curves`)."""
    entries = [e for e in index.values() if e.dataset == dataset]
    if not entries:  # probe 62: plot_curves' "runs: empty; … label -> rows", naming no ledger
        held = sorted({e.dataset for e in index.values()})
        raise ValueError(
            f"dataset: the results ledger {ledger_dir} holds no run of {dataset!r} "
            f"({'its datasets: ' + ', '.join(held) if held else 'it is empty'}); enter one with "
            f"{script_line('ledger.py')} RUN --ledger {shell_path(ledger_dir)}"
        )
    curves = {
        e.label: rows[e.slug] if e.slug in rows else read_entry_curves(e, ledger_dir)
        for e in entries
    }
    lines: dict[str, float] = {}
    for e in entries[:1]:
        if e.behaviour_score is not None:
            lines["behaviour policy (dataset)"] = e.behaviour_score
    # probe 94 row 39: was the first entry's BC score only, drawn as every curve's warm start;
    # each distinct one now (a label's one value unnamed, several each named by its run)
    warm: dict[str, dict[str, float]] = {}
    for e in entries:
        if e.bc_score is not None:  # probe 45: bc_epochs 0 evaluates the untrained policy
            name = iteration0_label((e.settings or {}).get("bc_epochs"))
            warm.setdefault(name, {})[e.label] = e.bc_score
    for name, scores in warm.items():
        if len(set(scores.values())) == 1:
            lines[name] = next(iter(scores.values()))
        else:
            lines.update({f"{name}: {run}": y for run, y in scores.items()})
    # probe 43 row 55: data without reference scores (Pendulum) had an empty score panel and
    # curves.py's advice "plot return_mean instead", which ledger.py has no option for
    score = "normalized_score" if _has_scores(curves.values()) else "return_mean"
    repo = DEFAULT_LEDGER_DIR.parents[2]  # a run_dir recorded relative to the repository
    lost = {  # probe 47 row 21: their empty q_avg was put down to "TD3 has no ent_coef?"
        e.label
        for e in entries
        if e.run_dir and (repo / e.run_dir / TB_DIR / TB_LOST_NAME).exists()
    }
    return plot_curves(
        path,
        curves,
        title=f"{dataset}: results ledger",
        columns=(score, "q_avg"),
        hlines={score: lines} if score == "normalized_score" else None,
        lost=lost,
        agents={e.label: e.algo for e in entries},
        staged=staged,
    )


def _has_scores(curves: Iterable[Sequence[Mapping[str, float | None]]]) -> bool:
    """Some row of ``curves`` has a normalised score (else their data carry no reference
    scores: the ledger shows the undiscounted return instead)."""
    return any(r.get("normalized_score") is not None for rows in curves for r in rows)


def last10_return(run_dir: str | Path) -> float | None:
    """The mean evaluation return (undiscounted, not normalised) of the last 10 co-training
    evaluations of ``run_dir``, for runs whose data carry no reference scores (None: none)."""
    returns = evaluations(run_dir, read_curves(run_dir), "return_mean")[0]
    return final_score(list(returns.values()), N_FINAL_EVALS)


def standing(
    dataset: str,
    algo: str,
    config: RamboPreset,
    iteration: int,
    ledger_dir: str | Path = DEFAULT_LEDGER_DIR,
    critic_layer_norm: bool = False,
    fingerprint: str | None = None,
) -> dict[str, Any] | None:
    """Where the ledger's longest run of this dataset / agent / (k, λ) / critic stood at
    ``iteration``; with ``fingerprint``, only a run on the same data (or one whose data were
    not recorded) counts.

    Returns None without such a run, else ``entry`` (:class:`LedgerEntry`), ``score_at`` (its
    last evaluation at or before ``iteration``, None if none), ``at_iteration`` (that
    evaluation's iteration), ``next_score`` / ``next_iteration`` (its first evaluation after
    ``iteration``, None if none) and ``n_evals`` (its evaluations after BC, which
    ``last10_score`` averages up to 10 of).

    One ValueError naming ``iteration`` (an int >= 0) or ``algo`` (one of
    :data:`~rambo_env.presets.ALGOS`) otherwise (probe 68: ``'2'`` was a raw TypeError, -1 / 2.5 /
    True gave a standing, ``'SAC'`` returned None as if no run existed).
    """
    if not is_int(iteration) or iteration < 0:
        raise ValueError(f"iteration: expected an int >= 0, got {iteration!r}")
    if not isinstance(config, RamboPreset):  # probe 69: a tuple was a raw AttributeError
        raise ValueError(
            f"config: expected a RamboPreset(rollout_length, adversary_weight), got "
            f"{type(config).__name__} {config!r}"
        )
    check_flag(critic_layer_norm, "critic_layer_norm")  # probe 69: 'yes' / None gave None
    if algo not in ALGOS:
        raise ValueError(
            f"algo: unknown agent {algo!r}{did_you_mean(str(algo), ALGOS)}; the ledger's runs "
            f"are of {list(ALGOS)}"
        )
    matches = [
        e
        for e in read_index(ledger_dir).values()
        if e.dataset == dataset
        and e.algo == algo
        and e.rollout_length == config.rollout_length
        and math.isclose(e.adversary_weight, config.adversary_weight, rel_tol=1e-9, abs_tol=0.0)
        and e.critic_layer_norm == critic_layer_norm
        and (fingerprint is None or e.dataset_fingerprint in (None, fingerprint))
    ]
    if not matches:
        index = read_index(ledger_dir)
        near = sorted({e.dataset for e in index.values() if e.dataset.lower() == dataset.lower()})
        if near and dataset not in near:  # probe 69: 'Hopper-Medium' returned None, unsaid
            note(
                f"[rambo_env] note: the ledger has no run of {dataset!r}, but of {near[0]!r} "
                "(dataset names are compared exactly)",
            )
        return None
    entry = max(matches, key=lambda e: (e.iterations, -e.seed))
    rows = read_entry_curves(entry, ledger_dir)
    evaluated = [r for r in rows if r["iteration"] > 0 and r.get("normalized_score") is not None]
    before = [r for r in evaluated if r["iteration"] <= iteration]
    after = [r for r in evaluated if r["iteration"] > iteration]
    last, following = (before[-1] if before else None), (after[0] if after else None)
    return {
        "entry": entry,
        "score_at": None if last is None else last["normalized_score"],
        "at_iteration": None if last is None else last["iteration"],
        "next_score": None if following is None else following["normalized_score"],
        "next_iteration": None if following is None else following["iteration"],
        "n_evals": len(evaluated),
    }


def settings_unknown(entry: LedgerEntry) -> str | None:
    """Why ``entry``'s settings cannot be known, or None: an entry written before the ledger
    recorded settings whose run folder is gone (probe 92 rows 33, 34: such an entry was compared
    with, and replaced by, runs of other settings without a word)."""
    if _kept_settings(entry) is not None:
        return None
    gone = f", and {entry.run_dir} no longer holds its {CONFIG_NAME}" if entry.run_dir else ""
    return f"its entry was written before the ledger recorded settings{gone}"
