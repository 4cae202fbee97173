"""Per-iteration curves of co-training runs -> one CSV per run + one comparison PNG.

    python scripts/curves.py --out docs/results/issue15-lam0 \\
        baseline=runs/ab-lam0-base-s0 kit-sac=runs/ab-lam0-kitsac-s0

writes ``docs/results/issue15-lam0-baseline.csv``, ``...-kit-sac.csv`` and
``docs/results/issue15-lam0.png`` (average Q, normalised score, α and the actor's log-σ per
iteration; a default panel no run has is left out). Works on runs still in progress. A RUN that is a ``.csv`` file (e.g. written by
``scripts/kit_side_by_side.py``) is read as curves and only plotted.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import itertools
import json
import math
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rambo_env.requirements import check_working_folder, interrupt_quietly_while_importing

interrupt_quietly_while_importing("curves", __name__)  # probe 131 note (a)
check_working_folder()  # before torch, whose import dies raw in a deleted working folder

from rambo_env.command_line import accept_negative_numbers, script_line, shell_path
from rambo_env.curves import (
    CURVE_COLUMNS,
    check_logged,
    empty_columns,
    plot_curves,
    read_curves,
    read_curves_csv,
    write_curves_csv,
)
from rambo_env.file_locks import folder_lock
from rambo_env.ledger import (
    diverged_text,
    evaluations,
    failed_text,
    killed_text,
    lost_text,
    stopped_part_way,
)
from rambo_env.run_io import (
    CONFIG_NAME,
    NAME_MAX,
    TB_DIR,
    StagedFiles,
    UmaskError,
    WriteFailedError,
    check_file_or_absent,
    check_locale_text,
    check_matplotlib,
    check_writable,
    clear_stray_writes,
    counted,
    dead_lock_pid,
    exit_on_interrupt,
    headless_figure,
    holder_text,
    is_int,
    iteration0_label,
    on_closed_pipe,
    process_stopped,
    read_json,
    run_algo,
    run_bc_epochs,
    run_holder,
    run_score_label,
    runs_below,
    staged_name_bytes,
    stopped_text,
    tolerant_console,
    user_path,
    windows_path_problem,
    with_article,
)

#: ``--help``'s examples and what it does with several seeds (probe 123 row 5: one sentence, no
#: example, nothing on seeds).
EPILOG = """examples:
  python scripts/curves.py --out plots/cmp mbpo=runs/A rambo=runs/B
  python scripts/curves.py --out plots/seeds mbpo_s0=runs/A mbpo_s1=runs/C rambo_s0=runs/B

Each LABEL=RUN_DIR is drawn as its own line: runs are not averaged over seeds, and labels must be
unique (one per seed: mbpo_s0=... mbpo_s1=...). For the mean ± std over seeds (a table, and
curves/<dataset>.png with a ± std band per (k, λ)), run the seeds with scripts/sweep.py
(--seeds 0,1,2 --configs 5:3e-4,5:0); its report is written at the end, and again by
python scripts/sweep.py --report-only SWEEP_DIR."""

_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


#: What a LABEL may be, said in each refusal of one.
_LABEL_RULE = (
    "LABEL=RUN_DIR with LABEL of ASCII letters (A-Z, a-z), digits and . _ + - (beginning with a "
    "letter or digit)"
)


def _shown(text: str) -> str:
    """``repr(text)`` with the bytes the locale did not decode read as UTF-8 where they are UTF-8,
    else as one ``\\xNN`` escape each (probe 148: ``'\\udcc3\\udca9'`` for é in ``LC_ALL=C``;
    probe 151 row 5: a Latin-1 byte was ``'l\\\\xe9'``, the backslash doubled by ``repr``)."""
    with contextlib.suppress(UnicodeEncodeError):  # a surrogate that no decoding made: as it is
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")
    return re.sub(r"(?<!\\)((?:\\\\)*)\\udc([89a-f][0-9a-f])", r"\1\\x\2", repr(text))


def _parse_run(text: str) -> tuple[str, Path]:
    label, sep, path = text.partition("=")
    if not sep or not _LABEL.match(label) or not path:
        # probe 148: in an ASCII locale (LC_ALL=C PYTHONUTF8=0) 'é=runs/r1' was shown as
        # '\udcc3\udca9=runs/r1': the bytes the locale did not decode, read as UTF-8
        why = f"; its LABEL {_shown(label)} is not ASCII" if not label.isascii() else ""
        raise argparse.ArgumentTypeError(
            # probe 131 note (c): "letters" read as any letter, and 'λ=a' was refused
            f"run: expected {_LABEL_RULE}, got {_shown(text)}{why}"
        )
    return label, user_path(path)  # ~ expanded


def _check_dash_runs(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """Refuse a word ``-a=runs/r`` before ``--`` that is no option of ours: argparse reads it as
    an unknown option (probe 151 row 6: "the following arguments are required: LABEL=RUN_DIR",
    the word given unnamed; beside another run "unrecognized arguments: -a=…")."""
    for word in itertools.takewhile(lambda w: w != "--", argv):
        option = word.partition("=")[0]
        if word.startswith("-") and "=" in word and option not in parser._option_string_actions:
            parser.error(
                f"run: got {_shown(word)}: a LABEL cannot begin with '-' (the word is read as an "
                f"option); expected {_LABEL_RULE}"
            )


def _column(text: str) -> str:
    if "=" in text:  # probe 32: was "invalid choice: 'h=runs/hum'", the run swallowed by the list
        raise argparse.ArgumentTypeError(
            f"{text!r} is a run (LABEL=RUN_DIR), not a column: give the runs before --columns (or "
            "end the list of columns with --)"
        )
    return text


def main(argv: list[str] | None = None) -> int:
    with contextlib.ExitStack() as held:  # the --out folder, once it is known (_main)
        return _main(argv, held)


def _main(argv: list[str] | None, held: contextlib.ExitStack) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n")[0],
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # probe 134 row 8: no silent prefix match
    )
    parser.add_argument(
        "runs",
        nargs="+",
        type=_parse_run,
        metavar="LABEL=RUN_DIR",
        help="a run folder (or curves .csv) and its legend label; each is its own line, labels "
        "unique",
    )
    parser.add_argument("--out", required=True, help="output prefix (folder/name)")
    parser.add_argument("--title", default="")
    parser.add_argument(
        "--columns",
        nargs="+",
        type=_column,
        default=None,
        choices=list(CURVE_COLUMNS),
        help="panels of the PNG (default: q_avg normalized_score ent_coef actor_log_std, those no "
        "run has left out; normalized_score as return_mean where no run has reference scores)",
    )
    parser.add_argument(
        "--hline",
        action="append",
        default=[],
        metavar="COLUMN:LABEL:VALUE",
        help="horizontal reference line, e.g. q_avg:max|r|/(1-γ):587.3 (repeatable)",
    )
    # probe 55 row 41: '--out a --out b' took the last one without a word
    _check_dash_runs(parser, sys.argv[1:] if argv is None else argv)
    args = accept_negative_numbers(parser).parse_args(argv)
    chosen = args.columns is not None  # a column asked for by name must have values to draw
    if not chosen:
        args.columns = ["q_avg", "normalized_score", "ent_coef", "actor_log_std"]
    try:  # probe 28: a bad MPLBACKEND was a raw traceback (curves) or blamed the run (ledger)
        check_matplotlib()
    except ValueError as err:
        parser.exit(2, f"error: {err}\n")
    twice = sorted({c for c in args.columns if args.columns.count(c) > 1})
    if twice:  # was: the same panel drawn twice, silently
        parser.error(f"--columns: {twice} given twice; name each column once")
    hlines: dict[str, dict[str, float]] = {}
    for spec in args.hline:
        column, _, rest = spec.partition(":")
        label, _, value = rest.rpartition(":")
        try:
            y = float(value)
        except ValueError:
            if spec.count(":") >= 2:  # probe 157: 'q_avg:lim:abc' was told only the form
                parser.error(
                    f"--hline: VALUE must be a number, got {value!r} in {spec!r}; give "
                    "COLUMN:LABEL:VALUE (e.g. q_avg:behaviour:587.3)"
                )
            parser.error(f"--hline: expected COLUMN:LABEL:VALUE, got {spec!r}")
        if column not in args.columns:
            parser.error(f"--hline: column {column!r} is not plotted; --columns are {args.columns}")
        if not math.isfinite(y):
            parser.error(f"--hline: expected a finite VALUE, got {value!r} in {spec!r}")
        if not label.strip():  # was: an unannotated gray line nobody could tell apart
            parser.error(
                f"--hline: no LABEL in {spec!r}; the line is annotated with it: give "
                "COLUMN:LABEL:VALUE (e.g. q_avg:behaviour:587.3)"
            )
        if label in hlines.get(column, {}):  # was: the last one drawn, the others dropped
            parser.error(
                f"--hline: {column}:{label} given twice (values {hlines[column][label]:g} and "
                f"{y:g}); give each line its own label"
            )
        hlines.setdefault(column, {})[label] = y
    outputs = [f"{args.out}.png", f"{args.out}{MANIFEST_SUFFIX}"]
    names = outputs + [f"{args.out}-{label}.csv" for label, _ in args.runs]
    windows = windows_path_problem(args.out, names)  # probe 150: the prefix, not name.png
    if windows is not None:
        parser.error(f"--out: {windows}")
    try:  # the longest names written; was: a raw "[Errno 36] File name too long" traceback
        for name in names:
            user_path(name, windows=False)
    except argparse.ArgumentTypeError as err:
        parser.error(f"--out: {err}")
    _check_out_room(parser, args.out, names)
    if (
        not args.out
        or args.out.endswith(("/", os.sep))
        or user_path(args.out, windows=False).is_dir()
    ):
        parser.error(  # was: hidden files '<folder>/.png' and '<folder>/-<label>.csv'
            f"--out: {args.out!r} names a folder, not an output prefix; give folder/name "
            "(writes folder/name.png and folder/name-<label>.csv)"
        )
    stem, ending = os.path.splitext(args.out)
    if ending.lower() in (".png", ".csv"):  # was: wrote name.png.png and name.png-<label>.csv
        parser.error(
            f"--out: {args.out!r} ends in {ending}, but --out is an output prefix (it writes "
            f"{args.out}.png and {args.out}-<label>.csv); give {stem}"
        )
    args.out = str(
        user_path(args.out, windows=False)
    )  # ~ expanded (was: a folder named ~ in the cwd)
    blocked = _blocking_file(Path(args.out).parent)
    if blocked is not None:
        parser.error(f"--out: {blocked} is a file, not a folder; pick another output prefix")
    existing = Path(os.path.abspath(args.out)).parent
    while not existing.exists() and existing != existing.parent:  # nothing made here yet
        existing = existing.parent
    try:  # probe 25: a read-only folder was a traceback after the runs were read
        check_writable(existing, "--out: folder", "pick an output prefix in a folder you can write")
    except ValueError as err:
        parser.error(str(err))
    written = [f"{args.out}-{label}.csv" for label, run in args.runs if run.suffix != ".csv"]
    manifest = Path(f"{args.out}{MANIFEST_SUFFIX}")
    for name in [*written, f"{args.out}.png", str(manifest)]:  # was: the CSVs before it written
        try:  # "cannot write <prefix> (Is a directory)", naming no file
            check_file_or_absent(name, "--out", "move it away or pick another output prefix")
        except ValueError as err:
            parser.error(str(err))
    if manifest.exists() and not _is_manifest(manifest):  # probe 40 row 22: was overwritten
        parser.error(
            f"--out: {manifest} exists and was not written by curves.py (not its list of the "
            f'CSVs it wrote, {{"csvs": [...]}}), so it would be overwritten; pick another --out, '
            "or move the file away"
        )
    # Probe 156 row 6: one writer in the --out folder at a time (another curves.py, a ledger
    # entry), from reading the earlier call's manifest to removing its stale CSVs: two runs on
    # one --out mixed their files. Not held (no flock there): written all the same, and the
    # leftovers of a killed write are left (they might be another run's live ones)
    locked = held.enter_context(
        folder_lock(
            Path(args.out).parent,
            "--out",
            "writing the --out files",
            script="curves",
            required=False,
        )
    )
    earlier = _written_before(args.out)  # read before this call's manifest replaces it
    for name in written:  # probe 39 row 40: a user's own file there was overwritten silently
        if not _ours(Path(name), earlier):
            parser.error(
                f"--out: {name} exists and was not written by curves.py (not in "
                f"{Path(args.out).name}{MANIFEST_SUFFIX}, no curve CSV header), so it would be "
                "overwritten; pick another --out, or move the file away"
            )
    for what, text in [("--title", args.title)] + [
        ("--hline", label) for lines in hlines.values() for label in lines
    ]:
        _check_text(text, what, parser)
    labels = [label for label, _ in args.runs]
    if len(set(labels)) != len(labels):
        parser.error(  # probe 123 row 5: said nothing of seeds (one line per run, not averaged)
            f"runs: labels must be unique, got {labels}: each run is its own line (runs are not "
            "averaged over seeds); give one label per run, such as mbpo_s0=... mbpo_s1=... (for "
            "the mean ± std over seeds, see --help)"
        )
    folded: dict[str, str] = {}
    # probe 150: A= and a= wrote x-A.csv and x-a.csv, one file on macOS; probe 152: only the
    # labels whose CSV is written (a .csv input's is not), was a refusal of X=a.csv x=b.csv
    for label in [label for label, run in args.runs if run.suffix != ".csv"]:
        if label.casefold() in folded:
            parser.error(
                f"runs: labels {folded[label.casefold()]!r} and {label!r} differ only in letter "
                f"case, so their CSVs ({args.out}-{folded[label.casefold()]}.csv, "
                f"{args.out}-{label}.csv) would be one file on a case-insensitive file system "
                "(macOS, Windows: the second overwrites the first); give labels that differ "
                "otherwise"
            )
        folded[label.casefold()] = label
    seen: dict[str, str] = {}
    for label, run in args.runs:  # probe 19: was two identical curves under two labels
        where = os.path.realpath(run)
        if where in seen:
            parser.error(
                f"runs: {seen[where]}= and {label}= name the same run ({run}); name each run once"
            )
        seen[where] = label
    inputs = {os.path.realpath(run): label for label, run in args.runs if run.suffix == ".csv"}
    # probe 152: letter case folded, as a case-insensitive file system (macOS) takes the names
    folded_inputs = {where.casefold(): where for where in inputs}
    for name in written:  # probe 23: was read as one run's curves, then overwritten by another's
        where = folded_inputs.get(os.path.realpath(name).casefold())
        if where is not None:
            case = (
                ""
                if where == os.path.realpath(name)
                else " (a name equal to it but for letter case: one file on macOS and Windows)"
            )
            parser.error(
                f"--out: {name} would be written, but it is the input of {inputs[where]}={case}; "
                "pick another output prefix (or move the CSV)"
            )
    curves, from_csv = {}, set()
    for label, run in args.runs:
        try:
            if run.suffix == ".csv":
                curves[label] = read_curves_csv(run)
                from_csv.add(label)
            else:
                # was: an empty tb/ (or lost events) written as "0 iterations" and plotted
                logged = read_curves(run)
                curves[label] = check_logged(
                    logged, run, "plot it once its first iteration is done"
                )
                lost = sorted(
                    {
                        i
                        for c in ("normalized_score", "return_mean")
                        for i in evaluations(run, logged, c)[1]
                    }
                )
                if lost:  # probe 46: a curve without its first iterations, without a word
                    kept = "holds only their scores" if not logged else "lacks them"
                    print(
                        f"[curves] WARNING: {lost_text(run, lost)}: {label}'s curve {kept}",
                        flush=True,
                    )
        # probe 51 row 58: a sweep's runs named; probe 111: a folder this user may not enter
        except (FileNotFoundError, PermissionError, ValueError) as err:
            closed = isinstance(err, PermissionError)
            below = "" if closed or (run / TB_DIR).exists() else runs_below(run)
            parser.exit(2, f"error: {err}{below}\n")
    states = [  # probe 51 rows 36-37: a run killed part-way was plotted without a word
        f"{label}: {state}"
        for label, run in args.runs
        if label not in from_csv
        and (state := run_state(run, max(r["iteration"] for r in curves[label]))) is not None
    ]
    # probe 74 row 9: each run's reference pair (a CSV's is not known: not compared)
    score_labels = {
        label: run_score_label(run) for label, run in args.runs if label not in from_csv
    }
    # probe 113: a SAC run older than the policy columns was told "e.g. TD3 has no …?"
    agents = {label: run_algo(run) for label, run in args.runs if label not in from_csv}
    empty = empty_columns(curves, args.columns, agents=agents)
    if empty and chosen:  # probe 32: was an empty panel and a blank CSV column, rc 0
        column, why = next(iter(empty.items()))
        parser.exit(2, f"error: --columns: no run has {with_article(column)} value; {why}\n")
    if empty:  # issue 14: a default panel no run has (TD3: ent_coef) was drawn empty, with a note
        args.columns = _default_columns(args.columns, empty, hlines, curves)
    # All or none (probe 30: a PNG that failed under ``ulimit -f`` left the CSVs written before
    # it): every file is written to a temp file beside it, then all are renamed into place.
    said = []
    try:
        for name in names if locked else ():  # probe 152: a kill -9's temp files and asides;
            with contextlib.suppress(OSError):  # the folder is held, so none is a live write
                clear_stray_writes(Path(name).parent, Path(name).name)
        with StagedFiles("--out") as staged:
            for label, rows in curves.items():
                if label in from_csv:
                    continue
                path = f"{args.out}-{label}.csv"
                staged.write(path, lambda tmp, rows=rows: write_curves_csv(tmp, rows, staged=True))
                done = sum(1 for r in rows if r["iteration"] > 0)  # probe 27: counted row 0
                first = iteration0_label(run_bc_epochs(dict(args.runs)[label]))
                bc = f" (and the {first}, iteration 0)" if len(rows) > done else ""
                said.append(f"{path}: {counted(done, 'iteration')}{bc}")
            written = [
                Path(f"{args.out}-{label}.csv").name for label in curves if label not in from_csv
            ]
            staged.write(  # probe 38 row 42: only these CSVs are removed by a later call
                f"{args.out}{MANIFEST_SUFFIX}",
                lambda tmp: Path(tmp).write_text(
                    json.dumps({"csvs": written}, indent=1) + "\n", encoding="utf-8"
                ),
            )
            png = staged.write(
                f"{args.out}.png",
                lambda tmp: plot_curves(
                    tmp,
                    curves,
                    title=args.title,
                    columns=args.columns,
                    hlines=hlines,
                    score_labels=score_labels,
                    agents=agents,
                    staged=True,
                ),
            )
            staged.commit()
            # probe 91 row 15: a closed pipe at the lines below ended a drawn figure with status 2
            on_closed_pipe("curves", lambda: f"the figure {png} WAS written")
        stale = _stale_csvs(args.out, labels, set(inputs), earlier)
        for path in stale:
            path.unlink(missing_ok=True)
    except WriteFailedError as err:
        # probe 148: a commit whose undo failed left some written: said so, not "none"
        written = ", ".join(str(path) for path in err.written)
        done = f"only {written} WERE written" if written else "none of the --out files was written"
        parser.exit(2, f"error: --out: {err}; {done}\n")
    except UmaskError as err:  # probe 147 R3: a folder made for --out under umask 277: traceback
        parser.exit(2, f"error: {err}\n")
    except OSError as err:  # no permission, a name too long, ...
        where = err.filename or args.out  # the file (was: the prefix only)
        parser.exit(2, f"error: --out: cannot write {where} ({err.strerror or err})\n")
    for line in said + states:
        print(line)
    if stale:  # probe 36: an earlier call's CSVs of other runs were left beside the new figure
        print(
            f"removed {', '.join(str(p) for p in stale)}: curves of an earlier call with this "
            "--out of runs not in this figure"
        )
    print(png)
    return 0


def run_state(run_dir: Path, done: int) -> str | None:
    """Where a run that has not finished stands, as the ledger says it (its helpers
    :func:`run_holder`, :func:`dead_lock_pid`, :func:`stopped_part_way`), ``done`` its last
    logged iteration; None for a finished run. Probe 51 rows 36-37: a run killed at iteration 12
    of 60 (or before its first iteration) was plotted without a word of it; probe 55 row 22: a
    diverged one too."""
    try:
        planned = read_json(run_dir / CONFIG_NAME)["config"]["n_iterations"]
    except (OSError, ValueError, KeyError, TypeError):
        planned = None
    of = f" of {planned}" if is_int(planned) else ""
    first = (  # probe 45: bc_epochs 0 evaluates the untrained initial policy
        "its initial policy's evaluation" if run_bc_epochs(run_dir) == 0 else "its BC warm start"
    )
    at = f"iteration {done}{of}" + (f" (after {first})" if done == 0 else "")
    resume = f"{script_line('cotrain.py')} --resume {shell_path(run_dir)}"
    holder = run_holder(run_dir)
    if holder is not None:
        if process_stopped(holder, run_dir):
            return f"its run is stopped at {at}: {stopped_text(holder)}"
        return f"its run ({holder_text(run_dir, holder)}) is still going ({at})"
    died = dead_lock_pid(run_dir)
    if died is not None:
        return killed_text(run_dir, died, at)
    diverged = diverged_text(run_dir, done, of)  # probe 55 row 22: was "0 iterations", no reason
    if diverged is not None:
        return diverged
    part = stopped_part_way(run_dir)
    if part is not None:
        return (
            f"its run stopped at iteration {part[0]} of {part[1]} (--stop-at-iteration); finish "
            f"it with {resume}"
        )
    # probe 85 rows 13, 17: was plotted without a word; probe 87 row 12: the run's own advice
    # (a diverged run is not resumed), not always "continue it with --resume"
    return failed_text(run_dir, at)


#: Beside ``<out>.png``: the CSVs that call wrote (``{"csvs": [names]}``), the only ones a later
#: call with this ``--out`` removes (probe 38 row 42: a user's own copy ``<out>-td3keep.csv``,
#: with this tool's header and a label-like name, was deleted as stale).
MANIFEST_SUFFIX = ".curves.json"


def _written_before(out: str) -> set[str]:
    """The CSV names the manifest of an earlier call with this ``--out`` lists (none: empty)."""
    try:
        listed = json.loads(Path(f"{out}{MANIFEST_SUFFIX}").read_text(encoding="utf-8"))["csvs"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {name for name in listed if isinstance(name, str)} if isinstance(listed, list) else set()


def _is_manifest(path: Path) -> bool:
    """``path`` (``<out>.curves.json``, there) holds what curves.py writes there: ``{"csvs":
    [names]}`` and nothing else."""
    try:
        held = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(held, dict)
        and set(held) == {"csvs"}
        and isinstance(held["csvs"], list)
        and all(isinstance(name, str) for name in held["csvs"])
    )


def _ours(path: Path, earlier: set[str]) -> bool:
    """``path`` (a ``<out>-<label>.csv`` this call would write) may be overwritten: absent, listed
    in the manifest of an earlier call with this ``--out`` (``earlier``), or holding this tool's
    CSV header, of this or an older version (a CSV of a call before the manifest)."""
    if not path.exists() or path.name in earlier:
        return True
    try:
        with path.open(encoding="utf-8") as f:
            first = f.readline().rstrip("\r\n")
    except (OSError, UnicodeDecodeError):
        return False
    fields = first.split(",")  # an older version's CSV had fewer columns (no td_gap)
    return fields[0] == "iteration" and len(fields) > 1 and set(fields[1:]) <= set(CURVE_COLUMNS)


def _stale_csvs(out: str, labels: list[str], inputs: set[str], earlier: set[str]) -> list[Path]:
    """The ``<out>-<label>.csv`` files an earlier curves.py call with this ``--out`` wrote for
    labels not in ``labels``: listed in its manifest (``earlier``), named by a label, holding this
    tool's CSV header, not an input of this call, and not another prefix's (``<out>-x-a.csv`` of
    an ``<out>-x.png``)."""
    folder, name = Path(out).parent, Path(out).name
    header = ",".join(["iteration", *CURVE_COLUMNS])
    stale = []
    try:
        candidates = sorted(folder.glob(f"{glob.escape(name)}-*.csv"))
    except OSError:
        return []
    for path in candidates:
        label = path.name[len(name) + 1 : -len(".csv")]
        parts = label.split("-")
        other_prefix = any(
            (folder / f"{name}-{'-'.join(parts[:i])}.png").exists() for i in range(1, len(parts))
        )
        if (
            label in labels
            or path.name not in earlier
            or not _LABEL.match(label)
            or other_prefix
            or os.path.realpath(path) in inputs
            or path.is_symlink()
            or not path.is_file()
        ):
            continue
        try:
            with path.open(encoding="utf-8") as f:
                first = f.readline().rstrip("\r\n")
        except (OSError, UnicodeDecodeError):
            continue
        if first == header:
            stale.append(path)
    return stale


def _default_columns(
    columns: list[str],
    empty: dict[str, str],
    hlines: dict[str, dict[str, float]],
    curves: dict[str, list[dict[str, float | None]]],
) -> list[str]:
    """The default ``columns`` without those no run has (``empty``), quietly: the panels the runs
    can fill. normalized_score (none without reference scores: Humanoid) gives way to
    return_mean where a run has that. A column given an ``--hline`` stays (asked for by it)."""
    kept = []
    for column in columns:
        if column not in empty or column in hlines:
            kept.append(column)
        elif column == "normalized_score" and not empty_columns(curves, ["return_mean"]):
            kept.append("return_mean")
    return kept or columns  # none to draw: the empty panels, each with its note


def _check_out_room(parser: argparse.ArgumentParser, out: str, names: list[str]) -> None:
    """Exit 2 when a name written for ``--out`` (with the temp file it is written through) is
    too long, giving the limit for ``--out`` itself, once (probe 147 R2: it was given for one
    derived name, ``.png`` then ``.curves.json``, so trimming to it failed again)."""
    size = len(os.fsencode(Path(out).name))
    longest = max(names, key=lambda name: staged_name_bytes(Path(name).name))
    extra = staged_name_bytes(Path(longest).name) - size
    if size + extra > NAME_MAX:
        shown = out if len(out) <= 80 else f"{out[:50]}…{out[-25:]}"
        parser.error(
            f"--out: {shown!r} has a name of {size} bytes; its longest name written, "
            f"{Path(longest).name[len(Path(out).name) :]!r} added, goes through a temp file "
            f"(.NAME.XXXXXXXX.tmp{Path(longest).suffix}) {extra} bytes longer than --out's, "
            f"and a file system takes at most {NAME_MAX}: give --out a name of at most "
            f"{NAME_MAX - extra} bytes"
        )


def _check_text(text: str, what: str, parser: argparse.ArgumentParser) -> None:
    """``text`` draws as a matplotlib label (``$…$`` is mathtext): a bad formula was a raw
    ``ParseSyntaxException`` traceback after the CSVs were written."""
    try:
        check_locale_text(text, what)  # probe 145 R7: was the mathtext message below
    except ValueError as err:
        parser.error(str(err))
    figure = headless_figure()
    figure.text(0.0, 0.0, text)
    try:
        figure.canvas.draw()
    except Exception as err:  # matplotlib's ValueError over pyparsing's exception
        reason = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        parser.error(
            f"{what}: {text!r} is not valid matplotlib mathtext between $ signs ({reason}); "
            "write a literal $ as \\$"
        )


def _blocking_file(folder: Path) -> Path | None:
    """The nearest existing ancestor of ``folder`` (itself included) if it is not a folder."""
    for path in (folder, *folder.parents):
        if path.exists():
            return None if path.is_dir() else path
    return None


if __name__ == "__main__":  # Ctrl-C / SIGTERM: one line, exit 130 (was: a raw traceback)
    tolerant_console()
    raise SystemExit(
        exit_on_interrupt("curves", "each file is written whole or not at all; rerun", main)
    )
