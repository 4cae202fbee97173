"""Sweep report: RAMBO (best configuration) and RAMBO-OFF (App. B.5) from co-training run folders.

The paper runs every dataset with each (k, λ) configuration of :data:`PAPER_CONFIGS` for five
seeds (App. B.4) and reports (Table 6) the mean ± std over seeds of the final normalised score
(App. B.6) with the RAMBO-OFF heuristic ``Q_avg + Q_var`` in brackets; RAMBO is the
configuration with the best score, RAMBO-OFF the one with the lowest heuristic (Table 1).
This module builds those tables from the ``results.json`` files that
:func:`agents.cotrain.run_cotrain` writes, so it works on the output of a Ray Tune sweep, of
hand-started runs, or of runs copied from a cluster. Pure python / numpy / matplotlib: no Ray,
no pandas.

Conventions (stated in the Markdown it writes):

- std is the population standard deviation over seeds (``ddof=0``; 0 for a single seed).
- A configuration with any diverged seed shows "−" (Table 6) and is never selected.
- Only finished or diverged runs count; others (stopped, interrupted, running) are listed as
  incomplete.
- RAMBO-OFF's score is the selected configuration's score on the same seeds (the paper reran
  five fresh seeds with it).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import math
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from rambo_env.command_line import script_line, shell_path
from rambo_env.data.loaders import is_dataset_file
from rambo_env.heuristics import (
    RamboOffTerms,
    mean_rambo_off,
    rambo_off_from_results,
    select_rambo_off,
)
from rambo_env.logging import note
from rambo_env.presets import RamboPreset
from rambo_env.run_io import (
    CONFIG_NAME,
    RESULTS_NAME,
    RESULTS_STATUSES,
    atomic_write,
    counted,
    headless_figure,
    integer_ticks,
    is_int,
    is_real,
    read_json,
    run_score_label,
)

__all__ = [
    "COMPLETE_STATUSES",
    "ERRORS_REPEAT",
    "PAPER_CONFIGS",
    "ConfigSummary",
    "DatasetSummary",
    "FailedTrial",
    "RunRecord",
    "SweepReport",
    "build_report",
    "config_flag",
    "config_label",
    "config_slug",
    "dataset_slug",
    "load_runs",
    "plot_sweep_curves",
    "summarise",
    "to_csv",
    "to_markdown",
    "write_report",
]

#: The (k, λ) configurations the paper tries on every dataset (App. B.4), in Table 6's order.
PAPER_CONFIGS = (RamboPreset(2, 3e-4), RamboPreset(5, 3e-4), RamboPreset(5, 0.0))

#: Run statuses that count in the table (a diverged run is a result: "−" in Table 6).
COMPLETE_STATUSES = ("finished", "diverged")

#: What a sweep says when ``--resume`` would fail its trials the same way again: its closing
#: lines (scripts/sweep.py, probe 32) and ``--report-only`` (probe 89 row 35) alike.
ERRORS_REPEAT = (
    "--resume would repeat these errors (the same data and settings): fix their cause, or drop "
    "the dataset / config from the grid, and start a new sweep"
)


@dataclass(frozen=True)
class RunRecord:
    """What the report needs from one run's ``results.json``."""

    dataset: str
    config: RamboPreset
    seed: int
    status: str
    final_score: float | None
    """Mean normalised score of the last 10 evaluations (App. B.6); None without reference scores."""
    final_return: float | None
    heuristic: RamboOffTerms
    """RAMBO-OFF terms from the training log (App. B.5)."""
    curve: tuple[tuple[int, float | None, float], ...]
    """(iteration, normalised score or None, return) per evaluation."""
    run_dir: Path
    algo: str | None = None
    """The SB3 agent that trained the run (``sac``, ``td3``, …); None if results.json lacks it."""
    iterations: int | None = None
    """The co-training iterations the run completed (``iterations_completed``; None: not
    recorded)."""
    score_label: str = "D4RL-normalised"
    """What its normalised scores are called (:func:`rambo_env.run_io.run_score_label`): which
    reference pair they are on."""
    fingerprint: str | None = None
    """The fingerprint of the data the run trained on (results.json's ``dataset_fingerprint``,
    else its config.json's); None where neither records one."""

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"

    @classmethod
    def from_results(cls, results: dict[str, Any], run_dir: str | Path = "") -> RunRecord:
        source = str(Path(run_dir) / RESULTS_NAME)
        for name in ("dataset", "rollout_length", "adversary_weight", "seed", "status"):
            if name not in results:
                raise ValueError(f"{source}: field {name!r} missing")
        _check_result_types(results, source)
        return cls(
            dataset=str(results["dataset"]),
            config=RamboPreset(int(results["rollout_length"]), float(results["adversary_weight"])),
            seed=int(results["seed"]),
            status=str(results["status"]),
            final_score=results.get("final_score"),
            final_return=results.get("final_return"),
            heuristic=rambo_off_from_results(results, source=source),
            curve=tuple(
                (int(e["iteration"]), e.get("normalized_score"), float(e["return_mean"]))
                for e in results.get("evals", [])
            ),
            run_dir=Path(run_dir),
            algo=None if results.get("algo") is None else str(results["algo"]),
            iterations=(
                results["iterations_completed"]
                if is_int(results.get("iterations_completed"))
                else None
            ),
            score_label=run_score_label(run_dir or None, results),
            fingerprint=_run_fingerprint(results, run_dir),
        )


def _run_fingerprint(results: dict[str, Any], run_dir: str | Path) -> str | None:
    """The data fingerprint of a run: its results.json's, else its config.json's."""
    found = results.get("dataset_fingerprint")
    if isinstance(found, str):
        return found
    if not run_dir:
        return None
    try:
        found = read_json(Path(run_dir) / CONFIG_NAME)["resolved"]["dataset"]["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return found if isinstance(found, str) else None


def _check_result_types(results: dict[str, Any], source: str) -> None:
    """The fields :meth:`RunRecord.from_results` reads have the types cotrain writes (probe 66
    row 93: a hand-edited seed 1.9 / true or rollout_length 5.7 was cast by ``int()`` to 1 / 1 /
    5, the run counted as another seed or configuration without a word; row 94: a string
    final_score was numpy's raw dtype error in summarise, naming neither file nor field)."""
    # the advice (restore it, or remove the run folder and resume) is load_runs' own
    checks = [
        ("dataset", results["dataset"], isinstance(results["dataset"], str), "a dataset name"),
        ("seed", results["seed"], is_int(results["seed"]) and results["seed"] >= 0, "an int >= 0"),
        ("rollout_length", results["rollout_length"],
         is_int(results["rollout_length"]) and results["rollout_length"] >= 1, "an int >= 1"),
        ("adversary_weight", results["adversary_weight"], is_real(results["adversary_weight"]),
         "a number"),
        ("status", results["status"], isinstance(results["status"], str), "a status (text)"),
    ]  # fmt: skip
    for name in ("final_score", "final_return"):  # nan / inf: warned of later (_finite_runs)
        value = results.get(name)
        checks.append((name, value, value is None or is_real(value), "a number or null"))
    evals = results.get("evals", [])
    if not isinstance(evals, list):
        checks.append(("evals", evals, False, "a list of evaluations"))
    for i, entry in enumerate(evals if isinstance(evals, list) else ()):
        if not isinstance(entry, dict):
            checks.append((f"evals[{i}]", entry, False, "an evaluation (object)"))
            continue
        for key, ok, takes in (
            ("iteration", is_int(entry.get("iteration")), "an int"),
            ("normalized_score", entry.get("normalized_score") is None
             or is_real(entry.get("normalized_score")), "a number or null"),
            ("return_mean", is_real(entry.get("return_mean")), "a number"),
        ):  # fmt: skip
            checks.append((f"evals[{i}].{key}", entry.get(key), ok, takes))
    for name, value, ok, takes in checks:
        if not ok:
            raise ValueError(f"{source}: field {name!r}: expected {takes}, got {value!r:.60}")


@dataclass(frozen=True)
class ConfigSummary:
    """One cell of Table 6: a configuration on a dataset, over its seeds."""

    config: RamboPreset
    seeds: tuple[int, ...]
    n_diverged: int
    score_mean: float | None
    """Mean over seeds; None if any seed diverged ("−") or no seed has a score."""
    score_std: float | None
    """Population std over seeds (``ddof=0``)."""
    heuristic: float
    """Mean over seeds of ``Q_avg + Q_var`` (App. B.5); ``+inf`` if any seed diverged."""


@dataclass(frozen=True)
class DatasetSummary:
    """One row of Tables 6 and 1."""

    dataset: str
    cells: tuple[ConfigSummary | None, ...]
    """One per configuration of the report (None: no complete run of it)."""
    rambo: RamboPreset | None
    """Best mean score (online tuning); ties go to the earlier configuration."""
    rambo_off: RamboPreset | None
    """Lowest finite mean heuristic (App. B.5); ties go to the earlier configuration."""
    score_label: str = "D4RL-normalised"
    """What its runs' normalised scores are called: the reference pair they are on."""

    def cell(self, config: RamboPreset | None) -> ConfigSummary | None:
        return next((c for c in self.cells if c is not None and c.config == config), None)


@dataclass(frozen=True)
class FailedTrial:
    """A trial of the grid whose ``results.json`` says ``failed`` (see :func:`failed_trials`)."""

    trial: str
    """``<dataset>/<k2-lam3e-4>/s<seed>``, as :attr:`SweepReport.missing` names it."""
    error: str
    """``ErrorType: first line of its message (iteration N, phase)``, from its ``error``."""
    repeats: bool
    """Its ``error.kind`` is ``diverged`` (a non-finite actor): ``--resume`` repeats the
    iteration from the same checkpoint and random state, and likely diverges again."""


#: The "pair" of a row shown in returns among rows of scores (its data carry no reference
#: scores): a scale of its own in :attr:`SweepReport.pairs` (session 56).
RETURNS_PAIR = "return (no reference scores)"


@dataclass(frozen=True)
class SweepReport:
    configs: tuple[RamboPreset, ...]
    rows: tuple[DatasetSummary, ...]
    score_label: str
    """``normalised score`` (App. B.6), or ``return`` when no run has reference scores (a row of
    data without them among scored rows: its pair :data:`RETURNS_PAIR`)."""
    incomplete: tuple[Path, ...] = ()
    """Run folders whose run did not finish (excluded)."""
    n_expected: int = 0
    """Runs the sweep's grid holds (0: no grid given)."""
    missing: tuple[str, ...] = ()
    """Grid runs without a finished or diverged run, as ``<dataset>/<k2-lam3e-4>/s<seed>`` (their
    folders below the runs folder): the tables are partial while any is missing."""
    agent: str | None = None
    """The SB3 agent of the runs (``sac``, ``td3``, …; several joined by ``", "``), named in the
    tables' titles and the CSV's ``agent`` column; None when no run names one."""
    n_iterations: int | None = None
    """The sweep's iterations per trial (None: not given)."""
    other_iterations: tuple[str, ...] = ()
    """Finished runs of the grid whose iterations differ from :attr:`n_iterations`, as
    ``<dataset>/<k2-lam3e-4>/s<seed> (3 iterations)``: extended or cut by hand (probe 46: a
    trial resumed by hand for a third iteration was shown as the 2-iteration sweep's result)."""
    failed: tuple[FailedTrial, ...] = ()
    """The missing trials whose run failed (not merely unfinished), with their error."""

    @property
    def pairs(self) -> dict[str, list[str]]:
        """Score label -> the datasets of the rows scored on that reference pair (empty when the
        tables hold returns)."""
        if self.score_label != "normalised score":
            return {}
        pairs: dict[str, list[str]] = {}
        for row in self.rows:
            pairs.setdefault(row.score_label, []).append(row.dataset)
        return pairs

    @property
    def iterations_note(self) -> str:
        """``WARNING: …`` naming :attr:`other_iterations`, else ``""``."""
        if not self.other_iterations:
            return ""
        shown = ", ".join(self.other_iterations[:MAX_LISTED])
        more = len(self.other_iterations) - MAX_LISTED
        shown += f" and {more} more" if more > 0 else ""
        return (
            f"WARNING: {counted(len(self.other_iterations), 'run')} of the grid ran other than the "
            f"sweep's {counted(self.n_iterations or 0, 'iteration')} (extended or cut by hand?): "
            f"{shown}; their scores are in the tables but are not the sweep's setting (rerun "
            "them with the sweep's iterations for a like-for-like table)"
        )

    @property
    def partial(self) -> str:
        """``1 of 2 trials finished; missing/unfinished: …`` when runs of the grid are missing,
        else ``""``."""
        if not self.missing:
            return ""
        shown = ", ".join(self.missing[:MAX_LISTED])
        more = len(self.missing) - MAX_LISTED
        shown += f" and {more} more" if more > 0 else ""
        done = self.n_expected - len(self.missing)
        return f"{done} of {self.n_expected} trials finished; missing/unfinished: {shown}"


#: Missing runs named in :attr:`SweepReport.partial` (a paper grid has 180).
MAX_LISTED = 20


# -- loading -------------------------------------------------------------------------------
def load_runs(runs_root: str | Path) -> tuple[list[RunRecord], list[Path]]:
    """Every ``results.json`` below ``runs_root``: (complete runs, folders of incomplete runs)."""
    root = Path(runs_root)
    if not root.is_dir():
        raise FileNotFoundError(f"runs_root: {root} is not a folder")
    records, incomplete = [], []
    for path in sorted(root.rglob(RESULTS_NAME)):
        try:
            data = read_json(path)
            status = data.get("status") if isinstance(data, dict) else None
            if status in RESULTS_STATUSES and status not in COMPLETE_STATUSES:
                # a trial that failed (or stopped) before its first iteration has no q_history
                # yet: was "damaged results.json", and the sweep ended without its tables
                incomplete.append(path.parent)
                continue
            record = RunRecord.from_results(data, path.parent)
        except (TypeError, ValueError) as err:  # was: "Expecting value: line 1 …", no file named
            reason = str(err).removeprefix(f"{path}: ")
            raise ValueError(
                f"{path}: damaged {RESULTS_NAME} ({type(err).__name__}: {reason}); restore it, or "
                "remove its run folder and continue the sweep (scripts/sweep.py --resume)"
            ) from None
        if record.status in COMPLETE_STATUSES:
            records.append(record)
        else:
            incomplete.append(path.parent)
    return records, incomplete


def failed_trials(
    incomplete: Iterable[Path], runs_root: str | Path, missing: Sequence[str] | None = None
) -> tuple[FailedTrial, ...]:
    """The runs among ``incomplete`` (below ``runs_root``; of the trials in ``missing`` when
    given) whose ``results.json`` says ``failed``: each with its error line, from the ``error``
    cotrain records (type, message, iteration, phase, kind), else its ``message``. A file
    unreadable by now is left out (it stays "missing/unfinished"). Probe 89 row 35: the
    report named a diverged trial only as unfinished and advised the ``--resume`` that
    repeats its divergence."""
    failed = []
    for run_dir in incomplete:
        try:
            trial = Path(run_dir).relative_to(runs_root).as_posix()
            results = read_json(Path(run_dir) / RESULTS_NAME)
        except (OSError, ValueError):
            continue
        if not isinstance(results, dict) or results.get("status") != "failed":
            continue
        if missing is not None and trial not in missing:
            continue
        error = results.get("error") if isinstance(results.get("error"), dict) else {}
        kind, message = error.get("kind"), results.get("message")
        if isinstance(error.get("type"), str) and isinstance(error.get("message"), str):
            line = f"{error['type']}: {error['message']}"
            where = [f"iteration {error['iteration']}"] if is_int(error.get("iteration")) else []
            where += [error["phase"]] if isinstance(error.get("phase"), str) else []
            line += f" ({', '.join(where)})" if where else ""
        elif isinstance(message, str) and message.strip():  # its own words: "failed: WHAT; HOW"
            line = message.removeprefix("failed: ")
        else:
            line = "no error recorded"
        failed.append(FailedTrial(trial, line, repeats=kind == "diverged"))
    return tuple(failed)


# -- selection -----------------------------------------------------------------------------
def summarise(
    records: Iterable[RunRecord],
    *,
    datasets: Sequence[str] | None = None,
    configs: Sequence[RamboPreset] | None = None,
    incomplete: Sequence[Path] = (),
    grid: Sequence[tuple[str, RamboPreset, int]] | None = None,
    agent: str | None = None,
    n_iterations: int | None = None,
) -> SweepReport:
    """Per dataset and configuration: score mean ± std over seeds and the mean heuristic;
    RAMBO = best mean score, RAMBO-OFF = lowest mean ``Q_avg + Q_var`` (App. B.5).

    :param datasets: row order (default: as first seen); datasets without runs are skipped.
    :param configs: column order (default: sorted like Table 6, k ascending then λ descending).
    :param grid: the (dataset, configuration, seed) runs a sweep holds; those without a
        complete run are the report's ``missing`` (probe 24: a half-finished sweep's table
        looked complete).
    :param agent: the agent the tables name (a sweep's ``algo``); default: the runs' agents
        (probe 28: the tables of a td3 sweep said RAMBO / RAMBO-OFF and named no agent). Given,
        it also selects: runs of another agent are left out (one WARNING; runs that name none
        are kept).
    :param n_iterations: the sweep's iterations per trial; finished runs of the grid with
        other iterations are named (:attr:`SweepReport.other_iterations`).
    """
    records = [r for r in records if r.status in COMPLETE_STATUSES]
    records = _runs_of_agent(records, agent)
    _check_one_run_per_seed(records)
    if agent is None:
        agent = ", ".join(sorted({r.algo for r in records if r.algo is not None})) or None
    seen = list(dict.fromkeys(r.config for r in records))
    configs = tuple(configs) if configs is not None else tuple(sorted(seen, key=_table6_order))
    missing = [c for c in seen if c not in configs]
    if missing:
        raise ValueError(f"configs: runs exist for {missing}, not in the given {list(configs)}")
    # probe 24: a diverged run (no score, "−" anyway) switched the whole table to raw returns.
    # Session 56: per dataset — one dataset without reference scores (Pendulum) switched every
    # row to returns, a Hopper row lost its score, and the total added Hopper's return to
    # Pendulum's. Now such a row shows returns (its pair "return": a scale of its own, so the
    # tables say the rows are on different scales and give no total), the others their scores.
    scored = {
        d: all(r.final_score is not None for r in records if r.dataset == d and not r.diverged)
        for d in dict.fromkeys(r.dataset for r in records)
    }
    use_scores = any(scored.values())
    label = "normalised score" if use_scores else "return"
    if use_scores:
        _check_one_pair_per_dataset([r for r in records if scored[r.dataset]])
    _check_one_data_per_dataset(records)
    order = list(datasets) if datasets is not None else []
    order += [d for d in dict.fromkeys(r.dataset for r in records) if d not in order]
    rows = []
    for dataset in order:
        runs = [r for r in records if r.dataset == dataset]
        if not runs:
            continue
        own = use_scores and scored[dataset]
        cells = tuple(
            _summarise_config(c, [r for r in runs if r.config == c], own) for c in configs
        )
        pair = next((r.score_label for r in runs if r.final_score is not None), None)
        pair = (pair or "D4RL-normalised") if own or not use_scores else RETURNS_PAIR
        rows.append(_select(dataset, cells, pair))
    done = {(r.dataset, r.config, r.seed) for r in records}
    missing = tuple(
        f"{dataset_slug(d)}/{config_slug(c)}/s{seed}"
        for d, c, seed in grid or ()
        if (d, c, seed) not in done
    )
    in_grid = set(grid or ())
    other = tuple(
        f"{dataset_slug(r.dataset)}/{config_slug(r.config)}/s{r.seed} "
        f"({counted(r.iterations, 'iteration')})"
        for r in records
        if n_iterations is not None
        and r.status == "finished"
        and r.iterations is not None
        and r.iterations != n_iterations
        and (not in_grid or (r.dataset, r.config, r.seed) in in_grid)
    )
    return SweepReport(
        configs,
        tuple(rows),
        label,
        tuple(Path(p) for p in incomplete),
        n_expected=len(grid or ()),
        missing=missing,
        agent=agent,
        n_iterations=n_iterations,
        other_iterations=other,
    )


def _runs_of_agent(records: list[RunRecord], agent: str | None) -> list[RunRecord]:
    """``records`` of the agent ``agent`` (and those naming none); the others left out with one
    WARNING. Probe 92 row 42: ``build_report(root, agent="sac")`` over a sac and a tqc run of
    one dataset, (k, λ) and seed called them duplicate seeds ("move one of them out"), and the
    tqc run would have been tabled as sac's."""
    if agent is None:
        return records
    other = [r for r in records if r.algo is not None and r.algo != agent]
    if other:
        agents = ", ".join(sorted({str(r.algo) for r in other}))
        note(
            f"[sweep] WARNING: {counted(len(other), 'run')} of other agents ({agents}) below "
            f"the runs folder left out of the tables of agent {agent!r} (e.g. {other[0].run_dir})",
        )
    return [r for r in records if r.algo is None or r.algo == agent]


def _check_one_run_per_seed(records: Sequence[RunRecord]) -> None:
    """Probe 20: two runs of one dataset, (k, λ) and seed (a trial folder copied inside the
    sweep, e.g. as a backup) were both counted, as two seeds of the mean ± std, silently."""
    first: dict[tuple[str, RamboPreset, int], RunRecord] = {}
    for record in records:
        key = (record.dataset, record.config, record.seed)
        kept = first.get(key)
        if kept is not None and None not in (kept.algo, record.algo) and kept.algo != record.algo:
            raise ValueError(  # probe 92 row 42: was "both runs of …: move one of them out"
                f"runs: {kept.run_dir} and {record.run_dir} are runs of different agents "
                f"({kept.algo} vs {record.algo}) of {record.dataset} with "
                f"{config_label(record.config)} and seed {record.seed}; table one agent at a "
                f"time: pass agent={kept.algo!r} (or {record.algo!r}) to build_report, or keep each agent's runs "
                "in their own folder"
            )
        if key in first:
            raise ValueError(
                f"runs: {first[key].run_dir} and {record.run_dir} are both runs of "
                f"{record.dataset} with {config_label(record.config)} and seed {record.seed}; the "
                "table counts one run per seed: move one of them out of the sweep's runs folder"
            )
        first[key] = record


def _first_disagreeing(
    records: Sequence[RunRecord], value: Callable[[RunRecord], object]
) -> tuple[RunRecord, RunRecord] | None:
    """The first run of each dataset and the first later run of that dataset whose ``value``
    differs from it, or None when every dataset's runs agree."""
    first: dict[str, RunRecord] = {}
    for record in records:
        kept = first.setdefault(record.dataset, record)
        if value(kept) != value(record):
            return kept, record
    return None


def _check_one_pair_per_dataset(records: Sequence[RunRecord]) -> None:
    """Probe 74 row 10: runs of one dataset scored on different reference pairs (D4RL's and
    the data's own 0 / 1000) were averaged over seeds, without a word: one ValueError."""
    pair = _first_disagreeing(
        [r for r in records if r.final_score is not None], lambda r: r.score_label
    )
    if pair is not None:
        kept, record = pair
        raise ValueError(
            f"runs: {kept.run_dir} and {record.run_dir} are both runs of {record.dataset}, "
            f"but their scores are on different reference pairs ({kept.score_label}; "
            f"{record.score_label}), so their mean mixes scales; keep one pair per dataset "
            "(move the other runs out of the runs folder, or give their data another "
            "dataset name)"
        )


def _check_one_data_per_dataset(records: Sequence[RunRecord]) -> None:
    """Probe 124 rows 40, 42: a dataset regenerated (``make_dataset.py --force``) or deleted and
    generated anew during a sweep left its seeds on different data, and the table averaged them
    without a word: one ValueError naming two such runs and both fingerprints."""
    pair = _first_disagreeing(
        [r for r in records if r.fingerprint is not None], lambda r: r.fingerprint
    )
    if pair is not None:
        kept, record = pair
        other = sorted(
            str(r.run_dir) for r in records
            if r.dataset == record.dataset and r.fingerprint == record.fingerprint
        )  # fmt: skip
        raise ValueError(
            f"runs: {kept.run_dir} and {record.run_dir} are both runs of {record.dataset}, "
            f"but on different data (fingerprint {kept.fingerprint} vs "
            f"{record.fingerprint}: the dataset was regenerated or replaced during the "
            f"sweep), so their mean mixes two datasets; keep the runs of one data: move the "
            f"others out of the runs folder ({counted(len(other), 'run')} on "
            f"{record.fingerprint}, e.g. {other[0]}) and rerun those trials on the same data"
        )


def _summarise_config(
    config: RamboPreset, runs: list[RunRecord], use_scores: bool
) -> ConfigSummary | None:
    if not runs:
        return None
    runs = sorted(runs, key=lambda r: r.seed)
    n_diverged = sum(r.diverged for r in runs)
    scores = [r.final_score if use_scores else r.final_return for r in runs]
    have = n_diverged == 0 and all(s is not None for s in scores)
    return ConfigSummary(
        config=config,
        seeds=tuple(r.seed for r in runs),
        n_diverged=n_diverged,
        score_mean=float(np.mean(scores)) if have else None,
        score_std=float(np.std(scores)) if have else None,  # ddof=0 over seeds
        heuristic=mean_rambo_off([r.heuristic for r in runs], key=config_label(config)),
    )


def _select(
    dataset: str, cells: tuple[ConfigSummary | None, ...], score_label: str = "D4RL-normalised"
) -> DatasetSummary:
    present = [c for c in cells if c is not None]
    rambo, best = None, -math.inf
    for cell in present:  # strict ">": ties go to the earlier configuration
        if (
            cell.score_mean is not None
            and math.isfinite(cell.score_mean)
            and cell.score_mean > best
        ):
            rambo, best = cell.config, cell.score_mean
    finite = {c.config: c.heuristic for c in present if math.isfinite(c.heuristic)}
    rambo_off = select_rambo_off(finite) if finite else None  # App. B.5: min Q_avg + Q_var
    return DatasetSummary(dataset, cells, rambo, rambo_off, score_label)


def _table6_order(config: RamboPreset) -> tuple[int, float]:
    return config.rollout_length, -config.adversary_weight


# -- formatting ----------------------------------------------------------------------------
def _fmt_lambda(lam: float) -> str:
    """``3e-4`` as in the paper, ``0`` for no adversary (a negative zero too)."""
    if lam == 0:
        return "0"
    if abs(lam) >= 1e-2:
        return f"{lam:g}"
    mantissa, exponent = f"{lam:.6e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def config_label(config: RamboPreset) -> str:
    """``k = 2, λ = 3e-4`` (a Table 6 column header)."""
    return f"k = {config.rollout_length}, λ = {_fmt_lambda(config.adversary_weight)}"


def config_flag(config: RamboPreset) -> str:
    """``2:3e-4``, as ``sweep.py --configs`` takes it (probe 44: a duplicate was shown as
    ``RamboPreset(rollout_length=2, adversary_weight=0.0003)``)."""
    return f"{config.rollout_length}:{_fmt_lambda(config.adversary_weight)}"


def config_slug(config: RamboPreset) -> str:
    """``k2-lam3e-4`` (file and column names)."""
    return f"k{config.rollout_length}-lam{_fmt_lambda(config.adversary_weight)}"


#: Longest dataset slug: a ledger CSV adds ~40 characters, and a file name takes 255 bytes.
MAX_DATASET_SLUG = 100


def dataset_slug(dataset: str) -> str:
    """A file-name-safe short form: the stem of a path, ``/`` of a Minari id replaced; a longer
    one cut to :data:`MAX_DATASET_SLUG` with a hash of the whole (was: a dataset named by 300
    characters trained, then its ledger CSV failed "File name too long … check free space")."""
    name = Path(dataset).stem if is_dataset_file(dataset) else dataset
    # no leading dot: was a hidden ledger CSV / PNG (".._sac_…csv") for a dataset named ".."
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_").lstrip(".") or "dataset"
    if len(slug) > MAX_DATASET_SLUG:
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        slug = f"{slug[: MAX_DATASET_SLUG - 11]}-{digest}"
    return slug


def _fmt_heuristic(value: float, digits: int = 1) -> str:
    """Table 6 style: ``348.1``, large values ``1.2e8``, ``inf`` when diverged; ``digits``
    after the point (:func:`_separating_digits`)."""
    if not math.isfinite(value):
        return "inf"
    if abs(value) >= 1e5:
        mantissa, exponent = f"{value:.{digits}e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    return f"{value:.{digits}f}"


#: Most digits after the point a table shows to separate a choice from a competitor (a float
#: has 17 significant digits; two values equal to this many are shown as equal).
MAX_DIGITS = 17


def _separating_digits(
    chosen: float | None, others: Iterable[float | None], fmt: Callable[[float, int], str]
) -> int:
    """Digits after the point (at least 1) at which ``fmt`` prints ``chosen`` unlike every other
    finite value of ``others`` that differs from it (probe 121: heuristics 3.18260 and
    3.18447 both printed 3.2, the second bolded as RAMBO-OFF's choice, though "ties go to the
    configuration listed first"). Rounding keeps the order, so distinct printed values show
    the choice. Values equal to the last bit stay equal (a true tie: the first listed wins)."""
    if chosen is None or not math.isfinite(chosen):
        return 1
    rivals = [v for v in others if v is not None and math.isfinite(v) and v != chosen]
    digits = 1
    while digits < MAX_DIGITS and any(fmt(v, digits) == fmt(chosen, digits) for v in rivals):
        digits += 1
    return digits


#: A cell whose runs finished without an evaluation (probe 42: shown as "−", whose legend says
#: "diverged", when the data named no env to evaluate in).
NOT_EVALUATED = "n/a"
NOT_EVALUATED_LEGEND = f"{NOT_EVALUATED}: not evaluated (the data name no env: pass --env-id)"


def _not_evaluated(cell: ConfigSummary | None) -> bool:
    """No seed diverged, yet no score: some run finished without any evaluation."""
    return cell is not None and cell.score_mean is None and cell.n_diverged == 0


def _fmt_score(cell: ConfigSummary | None, digits: int = 1) -> str:
    if _not_evaluated(cell):
        return NOT_EVALUATED
    if cell is None or cell.score_mean is None:
        return "−"
    return f"{cell.score_mean:.{digits}f} ± {cell.score_std:.{digits}f}"


def _fixed(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def _row_digits(row: DatasetSummary) -> tuple[int, int]:
    """(score digits, heuristic digits) of a row: 1, or as many as separate the bold choice
    (RAMBO's score, RAMBO-OFF's heuristic) from every other configuration of the row."""
    cells = [c for c in row.cells if c is not None]
    best = row.cell(row.rambo)
    lowest = row.cell(row.rambo_off)
    score_digits = _separating_digits(
        None if best is None else best.score_mean, [c.score_mean for c in cells], _fixed
    )
    heuristic_digits = _separating_digits(
        None if lowest is None else lowest.heuristic,
        [c.heuristic for c in cells],
        _fmt_heuristic,
    )
    return score_digits, heuristic_digits


def _table6_cell(cell: ConfigSummary | None, row: DatasetSummary) -> str:
    if cell is None:
        return ""
    score_digits, heuristic_digits = _row_digits(row)
    score = _fmt_score(cell, score_digits)
    if cell.config == row.rambo:
        score = f"**{score}**"
    heuristic = _fmt_heuristic(cell.heuristic, heuristic_digits)
    if cell.config == row.rambo_off:
        heuristic = f"**{heuristic}**"
    diverged = f" [{cell.n_diverged}/{len(cell.seeds)} diverged]" if cell.n_diverged else ""
    return f"{score} ({heuristic}){diverged}"


def _table1_cell(row: DatasetSummary, config: RamboPreset | None) -> str:
    if config is None:
        return NOT_EVALUATED if any(_not_evaluated(c) for c in row.cells) else "−"
    return f"{_fmt_score(row.cell(config), _row_digits(row)[0])} ({config_label(config)})"


def to_markdown(report: SweepReport) -> str:
    """Table 6 layout (per configuration) followed by Table 1 layout (RAMBO, RAMBO-OFF)."""
    headers = [config_label(c) for c in report.configs]
    # probe 28: a td3 / tqc / … sweep's tables named no agent (only sweep.json did)
    agent = f", agent: {report.agent}" if report.agent else ""
    unevaluated = any(_not_evaluated(c) for row in report.rows for c in row.cells)
    # probe 74 row 10: rows on a pair other than D4RL's were tabled (and added up) as D4RL's
    pairs = report.pairs
    mixed = len(pairs) > 1
    shared = next(iter(pairs)) if len(pairs) == 1 else "D4RL-normalised"
    on = "" if shared == "D4RL-normalised" else f", {shared}"
    lines = [
        f"## RAMBO per (k, λ) configuration (paper Table 6 layout){agent}",
        "",
        *([f"**Partial tables: {report.partial}.**", ""] if report.partial else []),
        *([f"**{report.iterations_note}.**", ""] if report.iterations_note else []),
        f"Final {report.score_label}{on} (mean ± std over seeds, std with ddof=0; App. B.6). In "
        "brackets: the RAMBO-OFF heuristic Q_avg + Q_var from the training log (App. B.5), mean "
        "over seeds. Bold score: best configuration (RAMBO). Bold bracket: lowest heuristic "
        "(RAMBO-OFF's choice). Both are chosen on the unrounded values (table.csv holds them; a "
        "row shows more digits where the choice would print equal to another; exact ties go to "
        'the configuration listed first). "−": the value function diverged in some seed (never '
        "selected).",
        *([NOT_EVALUATED_LEGEND + "."] if unevaluated else []),
        *([f"**{_mixed_pairs_note(pairs)}**"] if mixed else []),
        "",
        "| dataset | " + " | ".join(headers) + " | seeds |",
        "|---" * (len(headers) + 2) + "|",
    ]
    for row in report.rows:
        cells = [_table6_cell(c, row) for c in row.cells]
        seeds = sorted({s for c in row.cells if c is not None for s in c.seeds})
        lines.append(f"| {_row_name(row, mixed)} | " + " | ".join(cells) + f" | {len(seeds)} |")
    lines += [
        "",
        f"## RAMBO and RAMBO-OFF (paper Table 1 layout){agent}",
        "",
        "RAMBO: the configuration with the best mean score. RAMBO-OFF: the configuration with the "
        "lowest heuristic, scored on the same seeds (the paper reran five fresh seeds with it).",
        *([NOT_EVALUATED_LEGEND + "."] if unevaluated else []),
        "",
        "| dataset | RAMBO | RAMBO-OFF |"
        if not report.agent
        else f"| dataset | RAMBO ({report.agent}) | RAMBO-OFF ({report.agent}) |",
        "|---|---|---|",
    ]
    for row in report.rows:
        lines.append(
            f"| {_row_name(row, mixed)} | {_table1_cell(row, row.rambo)} | "
            f"{_table1_cell(row, row.rambo_off)} |"
        )
    totals = [_total(report, "rambo"), _total(report, "rambo_off")]
    # no sum over different scales: pairs, nor returns of several datasets (session 56: the
    # returns of two datasets' envs were added up)
    returns = report.score_label == "return" and len(report.rows) > 1
    if all(t is not None for t in totals) and not mixed and not returns:
        lines.append(f"| total | {totals[0]:.1f} | {totals[1]:.1f} |")
    if report.incomplete:
        lines += ["", f"Incomplete runs (not in the tables): {len(report.incomplete)}"]
        lines += [f"- {p}" for p in report.incomplete]
    return "\n".join(lines) + "\n"


def _mixed_pairs_note(pairs: dict[str, list[str]]) -> str:
    """The line of tables whose rows are scored on different reference pairs."""
    said = "; ".join(f"{', '.join(datasets)}: {pair}" for pair, datasets in pairs.items())
    return (
        f"The rows are scored on different reference pairs ({said}): scores on different pairs "
        "are on different scales, not comparable with each other, and not added up (no total)."
    )


def _row_name(row: DatasetSummary, mixed: bool) -> str:
    """A row's dataset, with its pair when the rows are on different pairs and it is not
    D4RL's."""
    if mixed and row.score_label != "D4RL-normalised":
        return f"{row.dataset} ({row.score_label})"
    return row.dataset


def _total(report: SweepReport, which: str) -> float | None:
    means = []
    for row in report.rows:
        cell = row.cell(getattr(row, which))
        if cell is None or cell.score_mean is None:
            return None
        means.append(cell.score_mean)
    return math.fsum(means) if means else None


def to_csv(report: SweepReport) -> str:
    """One row per dataset like Table 6 + Table 1, numbers only (empty = none, ``inf`` = diverged).
    The last columns are the sweep's: ``n_trials`` of its grid, ``n_trials_finished`` and
    ``complete`` (``True`` / ``False``; all three empty when no grid was given)."""
    fields = ["dataset", "agent"]  # probe 28: the agent (empty when no run names one)
    for c in report.configs:
        slug = config_slug(c)
        fields += [f"{slug}_{x}" for x in ("mean", "std", "heuristic", "n_seeds", "n_diverged")]
    for name in ("rambo", "rambo_off"):
        fields += [f"{name}_{x}" for x in ("k", "lambda", "mean", "std")]
    fields.append("score_label")  # probe 74 row 10: the pair each row's scores are on
    # probe 86 row 15: was no word in the CSV that a partial sweep's RAMBO / RAMBO-OFF columns
    # are chosen among the finished configurations only (table.md says "Partial tables")
    fields += ["n_trials", "n_trials_finished", "complete"]
    known = report.n_expected > 0  # a grid given: else whether it is complete is not known
    done = report.n_expected - len(report.missing)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in report.rows:
        line: dict[str, Any] = {
            "dataset": row.dataset,
            "agent": report.agent or "",
            "score_label": row.score_label if report.pairs else report.score_label,
            "n_trials": report.n_expected if known else "",
            "n_trials_finished": done if known else "",
            "complete": (not report.missing) if known else "",
        }
        for config, cell in zip(report.configs, row.cells, strict=True):
            slug = config_slug(config)
            if cell is not None:
                line |= {
                    f"{slug}_mean": _num(cell.score_mean),
                    f"{slug}_std": _num(cell.score_std),
                    f"{slug}_heuristic": _num(cell.heuristic),
                    f"{slug}_n_seeds": len(cell.seeds),
                    f"{slug}_n_diverged": cell.n_diverged,
                }
        for name in ("rambo", "rambo_off"):
            config = getattr(row, name)
            cell = row.cell(config)
            if config is not None and cell is not None:
                line |= {
                    f"{name}_k": config.rollout_length,
                    f"{name}_lambda": repr(config.adversary_weight),
                    f"{name}_mean": _num(cell.score_mean),
                    f"{name}_std": _num(cell.score_std),
                }
        writer.writerow(line)
    return out.getvalue()


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return repr(float(value)) if math.isfinite(value) else "inf"


# -- learning curves -----------------------------------------------------------------------
def plot_sweep_curves(
    path: str | Path,
    records: Sequence[RunRecord],
    dataset: str,
    configs: Sequence[RamboPreset],
    score_label: str = "normalised score",
    pair: str = "D4RL-normalised",
) -> Path:
    """PNG of one dataset: score vs iteration, one line per configuration (mean over seeds,
    shaded ± std band over the seeds evaluated at that iteration). Where fewer than all its
    seeds are evaluated (a diverged seed stops early), the line is dashed, its points hollow and
    its band lighter, and the legend says so (``4; 3 from iteration 4; 1/4 diverged, − in the
    table``; probe 121: the mean switched seed sets silently under one seed count). ``pair``:
    what the dataset's scores are called (:attr:`DatasetSummary.score_label`), in the title when
    not D4RL's."""
    fig = headless_figure(figsize=(7, 4))
    ax = fig.subplots()
    for config in configs:
        runs = [r for r in records if r.dataset == dataset and r.config == config]
        by_iteration: dict[int, list[float]] = {}
        for run in runs:
            for iteration, score, ret in run.curve:
                value = score if score_label == "normalised score" else ret
                if value is not None:
                    by_iteration.setdefault(iteration, []).append(value)
        if not by_iteration:
            continue
        xs = np.array(sorted(by_iteration))  # [n_evals]
        mean = np.array([np.mean(by_iteration[x]) for x in xs])
        std = np.array([np.std(by_iteration[x]) for x in xs])
        counts = [len(by_iteration[x]) for x in xs]
        full = np.array([n == len(runs) for n in counts])  # [n_evals] every seed evaluated
        label = f"{config_label(config)} ({_curve_seeds(runs, xs, counts)})"
        (line,) = ax.plot(xs, np.where(full, mean, np.nan), marker="o", ms=3, label=label)
        color = line.get_color()
        if not full.all():  # the rest: dashed, hollow points, over fewer seeds
            ax.plot(xs, mean, ls="--", lw=1, color=color, alpha=0.6, zorder=line.get_zorder() - 1)
            ax.plot(xs[~full], mean[~full], ls="", marker="o", ms=3, mfc="none", color=color)
            ax.fill_between(xs, mean - std, mean + std, where=~full, color=color, alpha=0.08)
        ax.fill_between(xs, mean - std, mean + std, where=full, color=color, alpha=0.2)
    ax.set_xlabel("iteration")
    integer_ticks(ax.xaxis)
    ax.set_ylabel(f"{score_label} (mean ± std over seeds)")
    if score_label == "normalised score" and pair != "D4RL-normalised":
        ax.set_title(f"{dataset}\n{textwrap.fill(pair, 90)}", fontsize=9)
    else:
        ax.set_title(dataset)
    ax.grid(alpha=0.3)
    if ax.lines:
        ax.legend(title="configuration (seeds; dashed: fewer seeds)", fontsize=8, title_fontsize=8)
    fig.tight_layout()
    return atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))


def _curve_seeds(runs: Sequence[RunRecord], xs: np.ndarray, counts: Sequence[int]) -> str:
    """A sweep curve's seed count: ``4``, with the stretches averaged over fewer seeds
    (``4; 3 from iteration 4``, ``4; 3 at iterations 5–6``) and the diverged seeds as in the
    table (``1/4 diverged, − in the table``)."""
    parts = [str(len(runs))]
    start = 0
    for i in range(1, len(xs) + 1):  # stretches of one count
        if i < len(xs) and counts[i] == counts[start]:
            continue
        if counts[start] != len(runs):
            first, last = int(xs[start]), int(xs[i - 1])
            if i == len(xs) and i - start > 1:
                where = f"from iteration {first}"
            elif first == last:
                where = f"at iteration {first}"
            else:
                where = f"at iterations {first}–{last}"
            parts.append(f"{counts[start]} {where}")
        start = i
    if len(parts) > MAX_STRETCHES + 1:
        parts = [*parts[: MAX_STRETCHES + 1], "…"]
    n_diverged = sum(r.diverged for r in runs)
    if n_diverged:
        parts.append(f"{n_diverged}/{len(runs)} diverged, − in the table")
    return "; ".join(parts)


#: Stretches over fewer seeds a sweep curve's legend names (then "…").
MAX_STRETCHES = 3


# -- files ---------------------------------------------------------------------------------
def build_report(
    runs_root: str | Path,
    *,
    datasets: Sequence[str] | None = None,
    configs: Sequence[RamboPreset] | None = None,
    grid: Sequence[tuple[str, RamboPreset, int]] | None = None,
    agent: str | None = None,
    n_iterations: int | None = None,
) -> SweepReport:
    """The report of the run folders below ``runs_root`` (:func:`load_runs`, :func:`summarise`),
    nothing written (a sweep still running writes its own files when it ends)."""
    return _load_and_summarise(runs_root, datasets, configs, grid, agent, n_iterations)[1]


def _load_and_summarise(
    runs_root: str | Path,
    datasets: Sequence[str] | None,
    configs: Sequence[RamboPreset] | None,
    grid: Sequence[tuple[str, RamboPreset, int]] | None,
    agent: str | None = None,
    n_iterations: int | None = None,
) -> tuple[list[RunRecord], SweepReport]:
    records, incomplete = load_runs(runs_root)
    records = _finite_runs(_planned_runs(records, runs_root, grid))
    report = summarise(
        records,
        datasets=datasets,
        configs=configs,
        incomplete=incomplete,
        grid=grid,
        agent=agent,
        n_iterations=n_iterations,
    )
    missing = report.missing if grid is not None else None
    report = replace(report, failed=failed_trials(incomplete, runs_root, missing))
    return records, report


def _planned_runs(
    records: list[RunRecord],
    runs_root: str | Path,
    grid: Sequence[tuple[str, RamboPreset, int]] | None,
) -> list[RunRecord]:
    """``records`` without the runs whose trial folder (``<dataset>/<k…-lam…>/s<seed>`` below
    ``runs_root``) holds another trial's run: one WARNING each, and the trial counts as missing.
    Probe 52 row 64: a cotrain run of another dataset copied into a trial folder became a row of
    the tables (a dataset the sweep never ran)."""
    planned = {
        Path(runs_root) / dataset_slug(d) / config_slug(c) / f"s{seed}": (d, c, seed)
        for d, c, seed in grid or ()
    }
    kept = []
    for record in records:
        trial = planned.get(record.run_dir)
        if trial is None or trial == (record.dataset, record.config, record.seed):
            kept.append(record)
            continue
        dataset, config, seed = trial
        iterations = (
            f", {counted(record.iterations, 'iteration')}" if record.iterations is not None else ""
        )
        note(
            f"[sweep] WARNING: {record.run_dir} holds a run of {record.dataset} "
            f"({config_label(record.config)}, seed {record.seed}{iterations}), not this sweep's "
            f"trial {dataset} ({config_label(config)}, seed {seed}): copied in?; left out of "
            "the tables; put back the trial's own run, or remove the folder and continue the "
            "sweep (scripts/sweep.py --resume)",
        )
    return kept


def _finite_runs(records: list[RunRecord]) -> list[RunRecord]:
    """``records`` without the finished runs whose final score (or return, without reference
    scores) is NaN / inf: one WARNING each, and the trial counts as missing. cotrain writes a
    finite score for a finished run, so this is a damaged file (probe 58 row 15: tabled as
    "nan ± nan" without a word)."""
    kept = []
    for record in records:
        field = "final_score" if record.final_score is not None else "final_return"
        value = getattr(record, field)
        if record.status != "finished" or value is None or math.isfinite(float(value)):
            kept.append(record)
            continue
        note(
            f"[sweep] WARNING: {record.run_dir / RESULTS_NAME}: {field} is {_fmt_non_finite(float(value))} though "
            "status is finished; left out of the tables; restore it or rerun the trial (remove "
            "its folder and continue the sweep: scripts/sweep.py --resume)",
        )
    return kept


def _fmt_non_finite(value: float) -> str:
    return "NaN" if math.isnan(value) else str(value)


def write_report(
    out_dir: str | Path,
    runs_root: str | Path,
    *,
    datasets: Sequence[str] | None = None,
    configs: Sequence[RamboPreset] | None = None,
    grid: Sequence[tuple[str, RamboPreset, int]] | None = None,
    agent: str | None = None,
    n_iterations: int | None = None,
) -> tuple[SweepReport, dict[str, Path]]:
    """Build the report from the run folders below ``runs_root`` (:func:`build_report`) and
    write, atomically, ``table.md``, ``table.csv`` and ``curves/<dataset>.png`` into
    ``out_dir``."""
    records, report = _load_and_summarise(runs_root, datasets, configs, grid, agent, n_iterations)
    out_dir = Path(out_dir)
    markdown, table = to_markdown(report), to_csv(report)
    files = {
        "markdown": atomic_write(
            out_dir / "table.md", lambda tmp: tmp.write_text(markdown, encoding="utf-8")
        ),
        "csv": atomic_write(
            out_dir / "table.csv", lambda tmp: tmp.write_text(table, encoding="utf-8")
        ),
    }
    for row in report.rows:
        png = out_dir / "curves" / f"{dataset_slug(row.dataset)}.png"
        # a row of returns among scored rows (session 56) plots its returns
        value = "return" if row.score_label == RETURNS_PAIR else report.score_label
        try:
            files[f"curves:{row.dataset}"] = plot_sweep_curves(
                png, records, row.dataset, report.configs, value, row.score_label
            )
        except Exception as err:  # any plotting failure: the tables stand
            # probe 86 row 19: was a raw traceback after table.md / table.csv were rewritten,
            # the old PNG left beside them without a word, and no closing lines of the sweep
            with contextlib.suppress(OSError):
                png.unlink(missing_ok=True)  # not an older report's curves beside new tables
            note(
                f"[sweep] WARNING: {png} was not drawn ({type(err).__name__}: {err}); the "
                f"tables are written; any older {png.name} was removed; draw it again with: "
                f"{script_line('sweep.py')} --report-only {shell_path(out_dir)}",
            )
    return report, files
