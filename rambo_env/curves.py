"""Per-iteration curves of co-training runs, read from their TensorBoard logs: CSV + comparison PNG.

A run folder's ``tb/`` holds one row per iteration (``agents.run_callbacks``); this module turns
it into a small table (iteration, average Q, normalised score, α, actor stats, model-rollout
reward, wall seconds) that can be committed under ``docs/results/`` and compared across runs.
It reads in-progress runs too (whatever iterations are logged so far).
"""

from __future__ import annotations

import csv
import io
import json
import math
import textwrap
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from rambo_env.command_line import script_line, shell_path
from rambo_env.data.scores import NO_REF_SCORES
from rambo_env.logging import note
from rambo_env.presets import ENTROPY_ALGOS
from rambo_env.run_io import (
    CHECKPOINT_NAME,
    CONFIG_NAME,
    RERUN_DIED_START,
    RESULTS_NAME,
    TB_DIR,
    TB_LOST_NAME,
    atomic_write,
    check_not_died_starting,
    check_not_starting,
    check_output_file,
    check_readable,
    check_run_folder,
    checkpoint_iterations,
    headless_figure,
    integer_ticks,
    is_int,
    is_real,
    iterations_on_record,
    run_folder_above,
    run_holder,
    with_article,
)

__all__ = [
    "CURVE_COLUMNS",
    "check_logged",
    "check_one_run",
    "check_tb_readable",
    "damaged_event_files",
    "plot_curves",
    "read_curves",
    "read_curves_csv",
    "results_rows",
    "write_curves_csv",
]

#: CSV column -> TensorBoard tag.
CURVE_COLUMNS: dict[str, str] = {
    "q_avg": "rambo/q_avg",
    "td_gap": "rambo/td_gap",
    "normalized_score": "eval/normalized_score",
    "return_mean": "eval/return_mean",
    "ent_coef": "train/ent_coef",
    "actor_log_std": "policy/log_std_mean",
    "actor_saturated_frac": "policy/saturated_frac",
    "actor_log_prob": "policy/log_prob_mean",
    "critic_loss": "train/critic_loss",
    "model_reward_mean": "rollout/model_reward_mean",
    "model_reward_max": "rollout/model_reward_max",
    "iteration_s": "time/iteration_s",
}


def _record_damage(path: Path) -> str | None:
    """Where a TensorBoard event file (TFRecord: ``[uint64 length][uint32 crc][data][uint32 crc]``
    per record) stops being whole, or None. TensorBoard's reader stops there without a word."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        offset = 0
        while offset < size:
            header = f.read(12)
            if len(header) < 12:
                return f"a record header cut at byte {offset} of {size}"
            length = int.from_bytes(header[:8], "little")
            end = offset + 12 + length + 4
            if end > size:
                return f"the record at byte {offset} runs past the end of the file ({size} bytes)"
            f.seek(end)
            offset = end
    return None


def read_curves(run_dir: str | Path) -> list[dict[str, float | None]]:
    """One dict per logged iteration (0 = after the warm start): ``iteration`` + CURVE_COLUMNS.

    A tag logged twice for one step (a resumed run re-logging an iteration) keeps the last value;
    a missing value is None.
    """
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    check_run_folder(run_dir)
    tb = Path(run_dir) / TB_DIR
    if not tb.is_dir():
        if (Path(run_dir) / CONFIG_NAME).is_file():  # was: "(not a run folder?)" for a run
            raise FileNotFoundError(
                f"run_dir: {tb} is missing: the TensorBoard logs the run's curves are read from "
                f"were deleted or moved; restore {TB_DIR}/ (its results.json keeps only the "
                "evaluations)"
            )
        check_not_starting(run_dir, "plot it after its first iteration")
        check_not_died_starting(
            run_dir, f"{RERUN_DIED_START}, then plot it after its first iteration"
        )
        raise FileNotFoundError(
            f"run_dir: {run_dir} has no {TB_DIR}/ folder and no {CONFIG_NAME}: not a run folder; "
            f"pass the folder of a run started by cotrain{run_folder_above(run_dir)}"
        )
    check_tb_readable(run_dir)
    by_step: dict[int, dict[str, float | None]] = {}
    steps: dict[Path, set[int]] = {}  # the iterations each event file logs
    files = sorted(p for p in tb.rglob("events.out.tfevents.*") if p.is_file())
    # A live run's newest file may end in a record still being written: not damage.
    writing = max(files, key=lambda p: p.stat().st_mtime) if files and run_holder(run_dir) else None
    for events in files:
        if events != writing:
            warn_damaged(events)
        acc = EventAccumulator(str(events), size_guidance={"scalars": 0})
        acc.Reload()
        tags = set(acc.Tags()["scalars"])
        steps[events] = {int(e.step) for tag in tags for e in acc.Scalars(tag)}
        for column, tag in CURVE_COLUMNS.items():
            if tag in tags:
                for event in acc.Scalars(tag):
                    by_step.setdefault(int(event.step), {})[column] = float(event.value)
    _check_one_run(Path(run_dir), steps)
    if files and writing is None:
        _warn_checkpoint_ahead(
            Path(run_dir), files, max((i for s in steps.values() for i in s), default=0)
        )
    return [
        {"iteration": step, **{c: by_step[step].get(c) for c in CURVE_COLUMNS}}
        for step in sorted(by_step)
    ]


#: The runs whose checkpoint was said to be ahead of their logs (run folder, iteration): said once
#: per process (the ledger reads a run's curves twice).
_SAID_AHEAD: set[tuple[str, int]] = set()


def _warn_checkpoint_ahead(run_dir: Path, files: list[Path], logged: int) -> None:
    """Warn once when the checkpoint of a run that no process runs holds iterations past its last
    logged one (probe 83 row 23: a kill between a checkpoint and its TensorBoard row and running
    results.json; the ledger and curves.py counted 7 iterations, the checkpoint's 8th not named).
    Read (memory-mapped, no pickle code) only when the checkpoint is newer than every event file:
    each row is written after its checkpoint, so a run whose rows are all there is not loaded."""
    checkpoint = run_dir / CHECKPOINT_NAME
    try:
        if checkpoint.stat().st_mtime <= max(p.stat().st_mtime for p in files):
            return
    except OSError:
        return
    held = checkpoint_iterations(run_dir)  # probe 135: no warning; unreadable: resume names it
    if held is None or held <= logged or (str(run_dir.resolve()), held) in _SAID_AHEAD:
        return
    _SAID_AHEAD.add((str(run_dir.resolve()), held))
    more = list(range(logged + 1, held + 1))
    note(
        f"[rambo_env] WARNING: {checkpoint} holds {held} iterations, but the run's TensorBoard "
        f"logs end at iteration {logged} (killed between a checkpoint and its records?): "
        f"iteration{'s' * (len(more) > 1)} {', '.join(map(str, more))} "
        f"{'is' if len(more) == 1 else 'are'} not counted here; {script_line('cotrain.py')} --resume "
        f"{shell_path(run_dir)} logs {'it' if len(more) == 1 else 'them'} (and its results.json)",
    )


#: The event files already said damaged (path, size, mtime): said once per process (probe 47
#: row 48: ledger.py read a run's curves twice and printed the warning twice).
_SAID_DAMAGED: set[tuple[str, int, float]] = set()


def warn_damaged(events: Path) -> None:
    """Warn once when the event file ``events`` is damaged (was: silently the records before the
    damage: a cut copy a curve without its last iterations, random bytes "no iteration logged
    yet")."""
    damage = _record_damage(events)
    if damage is None:
        return
    stat = events.stat()
    key = (str(events.resolve()), stat.st_size, stat.st_mtime)
    if key in _SAID_DAMAGED:
        return
    _SAID_DAMAGED.add(key)
    note(
        f"[rambo_env] WARNING: {events} is damaged ({damage}): the iterations logged "
        "after that point are missing from the curves; restore the file if you have "
        "it (the run's results.json keeps the evaluations)",
    )


def damaged_event_files(run_dir: str | Path) -> list[Path]:
    """The event files in ``run_dir``'s tb/ that are damaged (cut or overwritten mid-file)."""
    tb = Path(run_dir) / TB_DIR
    files = sorted(p for p in tb.rglob("events.out.tfevents.*") if p.is_file())
    return [p for p in files if _record_damage(p) is not None]


def check_tb_readable(run_dir: str | Path) -> None:
    """ValueError ``run_dir: RUN/tb/… is not readable by this user (…); make it readable (chmod
    u+r …)`` when ``run_dir``'s tb/ folder or one of its event files may not be read
    (:func:`rambo_env.run_io.check_readable`). Was: "has logged no iteration yet" or a raw
    ``PermissionError`` (curves.py, ledger.py); ``cotrain.py --resume``'s ``[Errno 13] Permission
    denied: '…/tb/events…'`` (for a finished run the path as bytes, ``b'…'``: probe 151 row 2)."""
    tb = Path(run_dir) / TB_DIR
    check_readable(tb, "run_dir")
    for events in sorted(p for p in tb.rglob("events.out.tfevents.*") if p.is_file()):
        check_readable(events, "run_dir")


def check_one_run(run_dir: str | Path) -> None:
    """:func:`read_curves`'s checks of ``run_dir``'s tb/ without reading the curves: it holds the
    event files of this run only (probe 46: ``cotrain --resume`` of a run whose tb/ held another
    run's event file went on without a word; the ledger and curves.py refused the folder later),
    and a damaged one is said (probe 47 row 49: the resume went on without a word)."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    check_tb_readable(run_dir)  # probe 151 row 2: cotrain --resume's raw PermissionError
    tb = Path(run_dir) / TB_DIR
    steps: dict[Path, set[int]] = {}
    for events in sorted(p for p in tb.rglob("events.out.tfevents.*") if p.is_file()):
        warn_damaged(events)
        acc = EventAccumulator(str(events), size_guidance={"scalars": 0})
        acc.Reload()
        steps[events] = {int(e.step) for tag in acc.Tags()["scalars"] for e in acc.Scalars(tag)}
    _check_one_run(Path(run_dir), steps)


def _check_one_run(run_dir: Path, steps: dict[Path, set[int]]) -> None:
    """One ValueError when ``run_dir``'s tb/ holds event files of another run (probe 31: a
    3-iteration run's tb/ with a 5-iteration run's files copied in read as 5 iterations, the last
    two the other run's, and the ledger entered them). A run logs its warm start (iteration 0)
    once, in the file of its first session (a session resumed from checkpoint 0 logs it again,
    but the first then logged nothing after it); a run that is not running logs no iteration
    past its results.json's ``iterations_completed`` (one more for a diverged run's last row),
    unless its checkpoint is newer than its results.json (a later session killed outright)."""
    tb = run_dir / TB_DIR
    whole = [p for p, s in steps.items() if 0 in s and any(i > 0 for i in s)]
    if len(whole) > 1:
        raise ValueError(
            f"run_dir: {tb} holds the TensorBoard logs of more than one run: "
            f"{', '.join(str(p.relative_to(tb)) for p in whole)} each log a run from its warm start (iteration "
            f"0) on, which a run does once (another run's files copied in?); move the event "
            f"files that are not this run's out of {TB_DIR}/"
        )
    if run_holder(run_dir) is not None:
        return
    results, checkpoint = run_dir / RESULTS_NAME, run_dir / CHECKPOINT_NAME
    try:
        saved = json.loads(results.read_text(encoding="utf-8-sig"))
        if checkpoint.exists() and checkpoint.stat().st_mtime > results.stat().st_mtime:
            return  # results.json of an earlier session
    except (OSError, ValueError):
        return
    done = saved.get("iterations_completed") if isinstance(saved, dict) else None
    if not is_int(done):
        return
    limit = done + (saved.get("status") == "diverged")
    beyond = sorted(p for p, s in steps.items() if any(i > limit for i in s))
    if beyond:
        logged = max(i for p in beyond for i in steps[p])
        raise ValueError(
            f"run_dir: {tb} logs iterations up to {logged} ({', '.join(str(p.relative_to(tb)) for p in beyond)}),"
            f" but {results} records {done} completed iteration(s) (status "
            f"{saved.get('status')!r}): another run's event files copied in?; move the event "
            f"files that are not this run's out of {TB_DIR}/"
        )


def check_logged(
    rows: list[dict[str, float | None]], run_dir: str | Path, then: str
) -> list[dict[str, float | None]]:
    """``rows`` of :func:`read_curves`, or one ValueError when the run has logged nothing yet (its
    tb/ folder empty or its events lost): ``then`` says what to do."""
    if not rows:
        done = iterations_on_record(run_dir)
        lost = Path(run_dir) / TB_DIR / TB_LOST_NAME
        if done and lost.exists() and results_rows(run_dir):
            return results_rows(run_dir)  # probe 46: the loss is known; the scores are kept
        if done:  # probe 26: "wait for the first iteration" of a finished run whose logs broke
            raise ValueError(  # probe 46: the marker was not named
                f"run_dir: {run_dir} has {done} iteration(s) on record ({RESULTS_NAME}), but its "
                f"TensorBoard logs in {Path(run_dir) / TB_DIR} hold none (damaged or replaced); "
                "restore tb/ from a copy of the run, or, to go on without the curves, touch "
                f"{shell_path(lost)} (the evaluations are then taken from its {RESULTS_NAME})"
            )
        raise ValueError(
            f"run_dir: {run_dir} has logged no iteration yet (no evaluation or iteration in "
            f"{Path(run_dir) / TB_DIR}); {then}"
        )
    return rows


def results_rows(run_dir: str | Path) -> list[dict[str, float | None]]:
    """The curve rows of the evaluations ``run_dir``'s results.json records (its score and
    return only; the other columns None), for a run whose tb/ is marked lost
    (``tb/CURVES_LOST``); [] when it records none."""
    try:
        recorded = json.loads((Path(run_dir) / RESULTS_NAME).read_text(encoding="utf-8-sig"))
        recorded = recorded.get("evals") if isinstance(recorded, dict) else None
    except (OSError, ValueError):
        return []
    rows: dict[int, dict[str, float | None]] = {}
    for e in recorded if isinstance(recorded, list) else []:
        i = e.get("iteration") if isinstance(e, dict) else None
        if not is_int(i) or i < 0:
            continue
        row: dict[str, float | None] = {"iteration": i, **dict.fromkeys(CURVE_COLUMNS)}
        for column in ("normalized_score", "return_mean"):
            value = e.get(column)
            row[column] = float(value) if is_real(value) and math.isfinite(value) else None
        rows[i] = row
    return [rows[i] for i in sorted(rows)]


_CSV_HINT = "pass a curves CSV (scripts/curves.py --out PREFIX writes PREFIX-LABEL.csv)"


def read_curves_csv(path: str | Path) -> list[dict[str, float | None]]:
    """Rows of a curves CSV (ours, or another implementation's with a subset of the columns).

    Needs an ``iteration`` column; columns not in :data:`CURVE_COLUMNS` are ignored, missing ones
    and empty cells are None. UTF-8, with or without the byte-order mark a spreadsheet writes
    (probe 20: such a file "has no 'iteration' column"; another encoding a raw decode error).
    """
    check_readable(path, "path")
    if not Path(path).is_file():  # probe 59: was a raw FileNotFoundError / IsADirectoryError
        if Path(path).is_dir():
            raise ValueError(f"path: {path} is a folder, not a file; {_CSV_HINT}")
        raise FileNotFoundError(f"path: {path} does not exist; {_CSV_HINT}")
    try:
        return _read_curves_csv(path)
    except UnicodeDecodeError as err:
        raise ValueError(
            f"path: {path} is not UTF-8 text ({err.reason} at byte {err.start}); save it as "
            "UTF-8 CSV"
        ) from None


def _read_curves_csv(path: str | Path) -> list[dict[str, float | None]]:
    with Path(path).open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or "iteration" not in reader.fieldnames:
            raise ValueError(f"path: {path} has no 'iteration' column (not a curves CSV)")
        twice = sorted({c for c in reader.fieldnames if reader.fieldnames.count(c) > 1})
        if twice:  # probe 26: the last one's values were taken, silently
            raise ValueError(f"path: {path}: column(s) {twice} appear twice in the header")
        known = [c for c in CURVE_COLUMNS if c in reader.fieldnames]
        if not known:  # was: an empty plot, silently (a typo in every column name)
            raise ValueError(
                f"path: {path} has none of the curve columns {list(CURVE_COLUMNS)} (its columns: "
                f"{reader.fieldnames}); name them as scripts/curves.py writes them"
            )
        rows, lines = [], {}
        for row in reader:
            if None in row or None in row.values():  # probe 26: extra fields dropped, silently
                raise ValueError(
                    f"path: {path}, line {reader.line_num}: "
                    f"{'more' if None in row else 'fewer'} fields than the header's "
                    f"{len(reader.fieldnames)}"
                )
            try:
                rows.append(
                    {
                        "iteration": int(row["iteration"]),
                        **{
                            c: float(row[c]) if row.get(c) not in (None, "") else None
                            for c in known
                        },
                        **{c: None for c in CURVE_COLUMNS if c not in known},
                    }
                )
            except (TypeError, ValueError) as err:  # was: "could not convert string to float"
                raise ValueError(
                    f"path: {path}, line {reader.line_num}: not a number ({err})"
                ) from None
            iteration = rows[-1]["iteration"]
            if iteration in lines:  # probe 26: drawn as a zig-zag (two runs' CSVs concatenated?)
                raise ValueError(
                    f"path: {path}, line {reader.line_num}: iteration {iteration} again (first "
                    f"on line {lines[iteration]}); one row per iteration"
                )
            lines[iteration] = reader.line_num
        if not rows:
            raise ValueError(f"path: {path} has no rows (no iteration to plot)")
        return sorted(rows, key=lambda r: r["iteration"])  # rows out of order: drawn in order


def _check_rows(rows: Any, what: str) -> None:
    """``rows`` is a list of :func:`read_curves` rows (mappings with an ``iteration``); one
    ValueError naming ``what`` otherwise (probe 21: None, a list of strings or rows without an
    iteration were a raw TypeError / AttributeError / ``KeyError: 'iteration'``)."""
    if not isinstance(rows, Sequence) or isinstance(rows, str):
        raise ValueError(f"{what}: expected a list of read_curves rows, got {type(rows).__name__}")
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping) or "iteration" not in row:
            raise ValueError(
                f"{what}[{i}]: expected a read_curves row (a dict with an 'iteration'), got "
                f"{str(row)[:60]!r}"
            )


_PATH_HINT = "name a file in a writable folder"


def _csv_text(rows: Sequence[Mapping[str, float | None]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["iteration", *CURVE_COLUMNS])
    for row in rows:
        cells = [row["iteration"]]
        for column in CURVE_COLUMNS:
            value = row.get(column)
            cells.append("" if value is None or not math.isfinite(value) else f"{value:.6g}")
        writer.writerow(cells)
    return out.getvalue()


def _check_values(rows: Sequence[Mapping[str, Any]]) -> None:
    """Each row's keys are ``iteration`` + :data:`CURVE_COLUMNS` and its values numbers or None;
    one ValueError naming the row and column otherwise (probe 59: a string was a raw TypeError
    naming neither, an unknown column was dropped without a word)."""
    for i, row in enumerate(rows):
        unknown = [c for c in row if c != "iteration" and c not in CURVE_COLUMNS]
        if unknown:
            raise ValueError(
                f"rows[{i}]: unknown column(s) {unknown}; known: {['iteration', *CURVE_COLUMNS]}"
            )
        for column, value in row.items():
            if column == "iteration" and not is_int(value):
                raise ValueError(
                    f"rows[{i}]['iteration']: expected an int, got {type(value).__name__} "
                    f"{value!r:.40}"
                )
            if value is not None and not is_real(value):
                raise ValueError(
                    f"rows[{i}][{column!r}]: expected a number or None, got "
                    f"{type(value).__name__} {value!r:.40}"
                )


def write_curves_csv(
    path: str | Path, rows: Sequence[Mapping[str, float | None]], *, staged: bool = False
) -> Path:
    """Atomic CSV of :func:`read_curves` rows.

    :param staged: ``path`` is a temp file of a :class:`rambo_env.run_io.StagedFiles` (its
        target checked up front): written as it is, not through a temp file of its own (probe
        147 R1: that one's name counted the temp room twice).
    """
    # probe 21: a folder / unwritable path failed only at the write, x.png was written as CSV
    path = Path(path) if staged else check_output_file(path, "path", _PATH_HINT, suffix=".csv")
    _check_rows(rows, "rows")
    _check_values(rows)
    text = _csv_text(rows)
    return _write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), staged)


def _write(path: Path, write: Callable[[Path], Any], staged: bool) -> Path:
    """``write(path)`` itself where ``path`` is a :class:`StagedFiles` temp file (``staged``),
    else through :func:`atomic_write`."""
    if not staged:
        return atomic_write(path, write)
    write(path)
    return path


def empty_columns(
    runs: Mapping[str, Sequence[Mapping[str, float | None]]],
    columns: Sequence[str],
    lost: Collection[str] = (),
    agents: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """The ``columns`` no run has a value in, each with why it may be empty (probe 32: a
    Humanoid run's normalized_score panel was drawn empty, without a word). ``lost``: the labels
    of the runs whose curves were lost (``tb/CURVES_LOST``: only their evaluations are kept).
    ``agents``: run label -> its agent (``algo``; None or left out: not known)."""

    def algos(labels: Collection[str]) -> list[str | None] | None:
        return None if agents is None else [agents.get(x) for x in labels]

    why = {
        "normalized_score": "the runs' datasets carry no reference scores (D4RL's random / "
        "expert returns: ref_min_score / ref_max_score in a dataset's metadata, else D4RL's own "
        "for Hopper, Walker2d and HalfCheetah; none for Humanoid, nor in a run made before that "
        "fallback from a file saved without them: rerun it): plot return_mean instead",
    }
    never = not any(_evaluated(rows) for rows in runs.values())
    fresh = _fresh(runs)
    if fresh:  # probe 51 row 36: a run killed after its BC warm start blamed the agent
        others = [x for x in runs if x not in fresh]
        why = {
            c: _fresh_text(fresh)
            + (f"; the others: {_no_such_value(c, algos(others))}" if others else "")
            for c in CURVE_COLUMNS
            if c not in EVAL_COLUMNS
        } | why
    lost = [label for label in runs if label in lost]
    if lost:  # probe 47 row 21: a SAC run's lost q_avg was "e.g. TD3 has no ent_coef?"
        others = [x for x in runs if x not in lost]
        why = {
            c: f"{', '.join(lost)}'s {_lost_text(lost)}"
            + (f"; the others: {_no_such_value(c, algos(others))}" if others else "")
            for c in CURVE_COLUMNS
            if c not in EVAL_COLUMNS
        } | why
    return {
        c: _NONE_EVALUATED
        if c in EVAL_COLUMNS and never
        else why.get(c, _no_such_value(c, algos(runs)))
        for c in columns
        if not any(r.get(c) is not None for rows in runs.values() for r in rows)
    }


def _fresh(runs: Mapping[str, Sequence[Mapping[str, float | None]]]) -> list[str]:
    """The labels of the runs with no co-training iteration (only iteration 0, the evaluation
    after the warm start): their training columns have no value whatever the agent."""
    return [
        label
        for label, rows in runs.items()
        if not any((r.get("iteration") or 0) >= 1 for r in rows)
    ]


def _fresh_text(labels: Sequence[str]) -> str:
    """Why runs with no co-training iteration have no training value (see :func:`_fresh`)."""
    has = "has" if len(labels) == 1 else "have"
    return (
        f"{', '.join(labels)} {has} no co-training iteration yet: only iteration 0, the "
        "evaluation after the warm start"
    )


def _lost_text(labels: Sequence[str]) -> str:
    """Why runs whose curves were lost have no value but their evaluations."""
    return (
        f"curves were lost ({TB_DIR}/{TB_LOST_NAME}): only {'its' if len(labels) == 1 else 'their'} "
        "evaluations are kept (results.json)"
    )


#: The columns a run logs only when it is evaluated in the real env (App. B.6).
EVAL_COLUMNS = ("normalized_score", "return_mean")
#: Why a run has no evaluation column at all (probe 44: a run on data naming no env was told
#: "an agent without it, e.g. TD3 has no ent_coef?" for its return_mean) ...
_NEVER_EVALUATED = (
    "never evaluated: its data name no Gymnasium env to evaluate in; scripts/cotrain.py "
    "--env-id YourEnv-v0 gives one"
)
_NONE_EVALUATED = (
    "no run was ever evaluated: their data name no Gymnasium env to evaluate in; "
    "scripts/cotrain.py --env-id YourEnv-v0 gives one"
)
#: The columns RamboCallback.policy_stats logs (``policy/*``; stochastic actors only), since
#: 8f141ef (2026-11-30): runs of older rambo_envs have none.
_POLICY_COLUMNS = ("actor_log_std", "actor_saturated_frac", "actor_log_prob")
#: The columns only a stochastic actor logs: TD3 / DDPG (a deterministic actor) have none.
_STOCHASTIC_ACTOR_COLUMNS = ("ent_coef", *_POLICY_COLUMNS)


def _agent_without(column: str, algos: Collection[str | None] | None = None) -> str:
    """Why runs may have no ``column`` value: their agent does not log it (probe 71 row 17: the
    example named ent_coef in every column's note, e.g. actor_log_std's). ``algos``: the runs'
    agents (their config.json's ``algo``; None where not known). Probe 113: a SAC run older than
    the policy columns was told "an agent without it, e.g. TD3 has no actor_log_std?"."""
    known = set(algos or ())
    if column in _STOCHASTIC_ACTOR_COLUMNS and known and None not in known:
        fixed = sorted(a for a in known if a not in ENTROPY_ALGOS)
        older = sorted(a for a in known if a in ENTROPY_ALGOS) if column in _POLICY_COLUMNS else []
        if len(fixed) + len(older) == len(known):  # each agent's reason is known
            said = [f"{'/'.join(fixed)}: a deterministic actor, no {column}"] if fixed else []
            if older:
                said.append(
                    f"{'/'.join(older)}: logged since 2026-11-30, so written by an older rambo_env"
                )
            return "; ".join(said)
    if column in _STOCHASTIC_ACTOR_COLUMNS:
        return f"an agent without it, e.g. TD3 has no {column}?"
    return "an agent that does not log it?"


def _unscored_text(labels: Sequence[str]) -> str:
    """Why evaluated runs have no normalized_score: their data carry no reference scores."""
    its = "its" if len(labels) == 1 else "their"
    return (
        f"{', '.join(labels)}: {its} data carry no reference scores and D4RL has none for "
        f"{its} env, so {its} evaluations are raw returns only (results.json); compare returns "
        "with --columns ... return_mean"
    )


def _no_such_value(column: str, algos: Collection[str | None] | None = None) -> str:
    """... and why no run has a ``column`` value (a column other than the evaluation ones)."""
    return f"no run logged it ({_agent_without(column, algos)})"


def _evaluated(rows: Sequence[Mapping[str, float | None]]) -> bool:
    """Some row has an evaluation return: the run was evaluated (cotrain evaluates iteration 0
    and the last one whenever its data name an env)."""
    return any(r.get("return_mean") is not None for r in rows)


def _pair_title(
    runs: Mapping[str, Sequence[Mapping[str, float | None]]],
    columns: Sequence[str],
    score_labels: Mapping[str, str],
) -> str:
    """The normalized_score panel's title: the reference pair its runs share when it is not
    D4RL's, a warning when they are on different pairs (with one note naming them), else ''.
    Probe 74 row 9: runs on D4RL's pair and on a dataset's own 0 / 1000 shared the panel (1.8
    vs 3.8 for one return) without a word."""
    if "normalized_score" not in columns:
        return ""
    groups: dict[str, list[str]] = {}  # score label -> the runs with a score on it
    for label, rows in runs.items():
        if any(r.get("normalized_score") is not None for r in rows):
            groups.setdefault(score_labels.get(label, "D4RL-normalised"), []).append(label)
    if len(groups) > 1:
        said = "; ".join(f"{', '.join(labels)}: {pair}" for pair, labels in groups.items())
        note(
            "[rambo_env] note: the normalized_score panel holds runs scored on different "
            f"reference pairs ({said}): their scores are on different scales, not comparable "
            "with each other; compare return_mean (--columns ... return_mean)"
        )
        return "normalized_score: runs on different reference pairs (not comparable)"
    pair = next(iter(groups), "D4RL-normalised")
    return "" if pair == "D4RL-normalised" else textwrap.fill(f"normalized_score {pair}", 90)


#: Line styles of runs 1-10, 11-20, … (each with the 10 colours C0-C9).
_LINE_STYLES = ("-", "--", ":", "-.")


#: Runs whose legend fits inside the top panel; more go in a legend beside the panels, of at
#: most :data:`_LEGEND_ROWS` labels per column.
_LEGEND_INSIDE = 10
_LEGEND_ROWS = 30


def plot_curves(
    path: str | Path,
    runs: Mapping[str, Sequence[Mapping[str, float | None]]],
    *,
    title: str = "",
    columns: Sequence[str] = ("q_avg", "normalized_score", "ent_coef", "actor_log_std"),
    hlines: Mapping[str, Mapping[str, float]] | None = None,
    lost: Collection[str] = (),
    score_labels: Mapping[str, str] | None = None,
    agents: Mapping[str, str | None] | None = None,
    staged: bool = False,
) -> Path:
    """PNG with one panel per column (vs iteration), one line per run label.

    :param hlines: column -> {label: y} horizontal reference lines (e.g. the behaviour score).
    :param lost: the labels of runs whose curves were lost (``tb/CURVES_LOST``), for the notes.
    :param score_labels: run label -> what its normalised scores are called
        (:func:`rambo_env.run_io.run_score_label`; a run not named: D4RL's pair). Runs on
        different reference pairs in the normalized_score panel get one note; a panel whose
        runs share a pair other than D4RL's names it in its title.
    :param agents: run label -> its agent (its config.json's ``algo``), for the notes on why a
        run has no value of a column (a run not named: not known).
    :param staged: ``path`` is a temp file of a :class:`rambo_env.run_io.StagedFiles`, as in
        :func:`write_curves_csv`.
    """
    if not staged:
        path = check_output_file(path, "path", _PATH_HINT, suffix=".png")  # probe 21: see above
    path = Path(path)
    if not isinstance(runs, Mapping):  # probe 21: None / a list was a raw AttributeError
        raise ValueError(
            f"runs: expected a dict label -> read_curves rows, got {type(runs).__name__}"
        )
    for label, rows in runs.items():
        _check_rows(rows, f"runs[{label!r}]")
    # probe 21: () was matplotlib's raw "Number of rows must be a positive integer", None a raw
    # TypeError, a bare string taken letter by letter
    if isinstance(columns, str) or not isinstance(columns, Sequence) or not columns:
        raise ValueError(
            f"columns: expected a non-empty list of {list(CURVE_COLUMNS)}, got {columns!r}"
        )
    if hlines is not None and not (
        isinstance(hlines, Mapping) and all(isinstance(v, Mapping) for v in hlines.values())
    ):  # probe 21: a string or a list was a raw AttributeError ('items')
        raise ValueError(f"hlines: expected a dict column -> {{label: y}}, got {hlines!r:.60}")
    unknown = [c for c in columns if c not in CURVE_COLUMNS]
    if unknown:
        raise ValueError(f"columns: unknown {unknown}; known: {list(CURVE_COLUMNS)}")
    for column, lines in (hlines or {}).items():
        if column not in columns:
            raise ValueError(f"hlines: column {column!r} is not plotted; columns are {columns}")
        bad = {name: y for name, y in lines.items() if not (is_real(y) and math.isfinite(y))}
        if bad:
            raise ValueError(f"hlines: expected finite values, got {bad} for {column!r}")
    if not runs:  # probe 59: was an empty PNG, "no run was ever evaluated"
        raise ValueError("runs: empty; nothing to plot (give at least one label -> rows)")
    if score_labels is not None and not (
        isinstance(score_labels, Mapping) and all(isinstance(v, str) for v in score_labels.values())
    ):
        raise ValueError(
            f"score_labels: expected a dict run label -> score label (str), got {score_labels!r:.60}"
        )
    pair_title = _pair_title(runs, columns, score_labels or {})
    empty = empty_columns(runs, columns, lost, agents)

    def algos(labels: Collection[str]) -> list[str | None] | None:
        return None if agents is None else [agents.get(x) for x in labels]

    for column, why in empty.items():
        note(
            f"[rambo_env] note: no run has {with_article(column)} value: its panel is empty; {why}"
        )
    for column in columns:  # probe 36: a run missing from a panel was read as another run
        lacking = [
            label
            for label, rows in runs.items()
            if not any(r.get(column) is not None for r in rows)
        ]
        if column not in empty and lacking:
            never = column in EVAL_COLUMNS and not any(_evaluated(runs[x]) for x in lacking)
            # probe 98 row 25: was "(an agent that does not log it?)" for an evaluated run whose
            # data carry no reference scores (its results.json: raw returns only)
            unscored = [x for x in lacking if (score_labels or {}).get(x) == NO_REF_SCORES]
            if column == "normalized_score" and unscored and not never:
                note(
                    f"[rambo_env] note: {', '.join(lacking)} "
                    f"{'has' if len(lacking) == 1 else 'have'} no {column} value "
                    f"({_unscored_text(unscored)}"
                    + (
                        f"; the others: "
                        f"{_agent_without(column, algos(set(lacking) - set(unscored)))}"
                        if len(unscored) < len(lacking)
                        else ""
                    )
                    + "): not in that panel; each run keeps its colour in every panel"
                )
                continue
            gone = [x for x in lacking if x in lost]
            fresh = [x for x in _fresh({x: runs[x] for x in lacking}) if x not in gone]
            note(
                f"[rambo_env] note: {', '.join(lacking)} {'has' if len(lacking) == 1 else 'have'} "
                f"no {column} value ("
                + (
                    _NEVER_EVALUATED
                    if never
                    else f"{', '.join(gone)}'s {_lost_text(gone)}"
                    if gone and column not in EVAL_COLUMNS
                    else _fresh_text(fresh)
                    + (
                        f"; the others: {_agent_without(column, algos(set(lacking) - set(fresh)))}"
                        if len(fresh) < len(lacking)
                        else ""
                    )
                    if fresh and column not in EVAL_COLUMNS
                    else _agent_without(column, algos(lacking))
                )
                + "): not in that panel; each run keeps its colour in every panel"
            )
    # one colour per run in every panel (probe 36: matplotlib's cycle restarted per panel, so a
    # run's colour changed where an earlier run had no values, e.g. TD3's ent_coef)
    # probe 38 row 67: the 11th run took the 1st run's colour; 10 colours x 4 line styles now
    colours = {label: f"C{i % 10}" for i, label in enumerate(runs)}
    styles = {label: _LINE_STYLES[(i // 10) % len(_LINE_STYLES)] for i, label in enumerate(runs)}
    if len(runs) > 10 * len(_LINE_STYLES):
        labels = list(runs)
        n_styles = 10 * len(_LINE_STYLES)
        note(
            f"[rambo_env] note: {len(runs)} runs, more than the {n_styles} distinct colour and "
            f"line-style pairs: {labels[n_styles]} is drawn as {labels[0]} (and so on); plot "
            "fewer runs per figure"
        )
    fig = headless_figure(figsize=(7, 2.4 * len(columns)))
    axes = fig.subplots(len(columns), 1, sharex=True)
    axes = [axes] if len(columns) == 1 else list(axes)
    for ax, column in zip(axes, columns, strict=True):
        for label, rows in runs.items():
            points = [(r["iteration"], r[column]) for r in rows if r.get(column) is not None]
            lost = [i for i, y in points if not math.isfinite(y)]
            if lost:  # probe 26: a diverged run's inf / nan Q vanished from its panel silently
                note(
                    f"[rambo_env] note: {label}: {len(lost)} {column} value(s) are not finite "
                    f"(first at iteration {lost[0]}); they are not drawn"
                )
            if points:
                xs, ys = zip(*points, strict=True)
                ax.plot(
                    xs, ys, marker="o", ms=2, label=label, color=colours[label], ls=styles[label]
                )
        for name, y in (hlines or {}).get(column, {}).items():
            ax.axhline(y, color="gray", ls="--", lw=1)
            ax.annotate(name, (0, y), fontsize=7, color="gray", va="bottom")
        ax.set_ylabel(column)
        ax.grid(alpha=0.3)
        if column == "normalized_score" and pair_title and ax is not axes[0]:
            ax.set_title(pair_title, fontsize=8)
    top = "\n".join(t for t in (title, pair_title if columns[0] == "normalized_score" else "") if t)
    axes[0].set_title(top, **({"fontsize": 8} if top != title else {}))
    handles: dict[str, Any] = {}  # every run in the legend, also one missing from the top panel
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    outside = len(handles) > _LEGEND_INSIDE
    if handles and not outside:
        axes[0].legend(list(handles.values()), list(handles), fontsize=7)
    axes[-1].set_xlabel("iteration")
    integer_ticks(axes[-1].xaxis)
    fig.tight_layout()
    if outside:  # probe 68: 20 runs' legend hid behind the next panel, 41 runs' 25 labels
        fig.legend(
            list(handles.values()),
            list(handles),
            fontsize=7,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            ncol=math.ceil(len(handles) / _LEGEND_ROWS),
        )
    extra = {"bbox_inches": "tight"} if outside else {}  # the figure grows to hold it
    return _write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100, **extra), staged)
