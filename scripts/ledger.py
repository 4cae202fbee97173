"""Add or refresh runs in the results ledger (``docs/results/ledger``): CSV per run, index, PNG per dataset.

    python scripts/ledger.py runs/long-rambo-s0 runs/long-lam0-s0

Reads each run folder's config and TensorBoard log (finished or still running) and writes
``<dataset>_<algo>_k<k>-lam<λ>_s<seed>[-m<model seed>].csv``, ``index.json`` and ``<dataset>.png`` (score and
average Q per iteration, the behaviour policy and the BC warm start as horizontal lines).
Commit the ledger's files; the run folders stay out of git. A run that reached fewer iterations
than the ledger's run of the same dataset, agent, (k, λ) and seed is refused unless ``--replace``,
and so is one that ran with other settings (real_ratio, n_rollouts, ensemble width …: the
index records them per entry).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rambo_env.requirements import check_working_folder, interrupt_quietly_while_importing

interrupt_quietly_while_importing("ledger", __name__)  # probe 131 note (a)
check_working_folder()  # before torch, whose import dies raw in a deleted working folder

from rambo_env.command_line import accept_negative_numbers, script_line, shell_path
from rambo_env.ledger import (
    DEFAULT_LEDGER_DIR,
    check_ledger_folder,
    failed_text,
    killed_text,
    last10_return,
    last_evaluated,
    ledger_holder,
    read_index,
    recorded_ledger,
    run_slug,
    stale_lock_pid,
    stopped_part_way,
    update_ledger,
)
from rambo_env.run_io import (
    CHECKPOINT_NAME,
    CONFIG_NAME,
    LOCK_NAME,
    RESULTS_NAME,
    FlockUnsupportedError,
    WriteFailedError,
    check_matplotlib,
    check_writable,
    counted,
    dead_lock_pid,
    exit_on_interrupt,
    holder_text,
    load_torch_file,
    process_stopped,
    read_json,
    runs_below,
    safe_reason,
    stopped_text,
    tolerant_console,
    user_path,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n")[0],
        allow_abbrev=False,  # probe 134 row 8: no silent prefix match
    )
    parser.add_argument("runs", nargs="+", type=user_path, help="run folders")
    parser.add_argument(
        "--ledger",
        type=user_path,
        default=None,  # None: the one the runs recorded (their cotrain --ledger), else the default
        metavar="DIR",
        help="results ledger folder (default: the one the runs' config.json records, their "
        "cotrain.py --ledger; else the repository's docs/results/ledger)",
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="replace a ledger run of the same dataset, agent, (k, λ) and seed even if it "
        "reached more iterations or ran with other settings (default: refuse)",
    )
    # probe 55 row 41: '--ledger A --ledger B' took the last one without a word
    args = accept_negative_numbers(parser).parse_args(argv)
    try:  # probe 28: a bad MPLBACKEND was a raw traceback (curves) or blamed the run (ledger)
        check_matplotlib()
    except ValueError as err:
        parser.exit(2, f"error: {err}\n")
    # Runs of one ledger key, or one folder twice: the index keeps one run per key, so the later
    # would silently replace the earlier (was: both printed, the first dropped). Before any write.
    seen: dict[str, Path] = {}
    for run_dir in args.runs:
        try:
            slug = run_slug(run_dir)
        except (OSError, ValueError) as err:  # probe 51 row 57: a sweep folder names its runs
            parser.exit(2, f"error: {run_dir}: {err}{runs_below(run_dir)}\n")
        try:  # probe 51 row 33: a hand-edited seed was entered under the edited key
            check_checkpoint(run_dir)
        except ValueError as err:
            parser.exit(2, f"error: {err}\n")  # cotrain.py --resume's words
        if slug in seen:
            same = seen[slug].resolve() == run_dir.resolve()
            parser.exit(
                2,
                f"error: {run_dir}: "
                + (
                    "given twice; name each run once\n"
                    if same
                    else f"{seen[slug]} and {run_dir} are both {slug} (same dataset, agent, "
                    "(k, λ) and seed) and the ledger keeps one run per key: pass the one to "
                    "keep\n"
                ),
            )
        seen[slug] = run_dir
    if args.ledger is None:  # issue 14: was always the default, whatever the runs recorded
        try:
            args.ledger = runs_ledger(args.runs)
        except ValueError as err:
            parser.exit(2, f"error: {err}\n")
    new = not args.ledger.exists()
    try:  # was: "error: RUN: [Errno 2] No such file or directory: '/proc/led'" at the write
        check_writable(args.ledger, "ledger:", "pass a writable folder (--ledger)")
        read_index(args.ledger)  # probe 30: was refused per run ("error: RUN: ledger: …")
        check_ledger_folder(args.ledger)
    except ValueError as err:
        if new and args.ledger.is_dir() and not any(args.ledger.iterdir()):
            args.ledger.rmdir()  # check_writable made it
        parser.exit(2, f"error: {err}\n")
    if new:  # a typo would otherwise start a second ledger silently; said once it can be one
        print(f"[ledger] {args.ledger} does not exist: starting a new ledger there")  # (probe 63)
    for run_dir in args.runs:
        try:
            entry = update_ledger(run_dir, args.ledger, replace=args.replace)
        except (OSError, KeyError, ValueError) as err:  # OSError: e.g. --ledger under a file
            if new and args.ledger.is_dir() and not any(args.ledger.iterdir()):
                args.ledger.rmdir()  # probe 24: a refused first run left the new, empty ledger
            # probe 30: a ledger file that cannot be written (the dataset's plot, shared by
            # the runs) names itself; it was prefixed with the run being added (so was a ledger
            # on a file system without flock: probe 102 row 18)
            own = isinstance(err, (WriteFailedError, FlockUnsupportedError))
            said = err if own else f"{run_dir}: {err}"
            parser.exit(2, f"error: {said}\n")
        holder = ledger_holder(run_dir)
        stale = stale_lock_pid(run_dir)
        if stale is not None:  # probe 58 row 71: was entered as "still going"
            print(
                f"[ledger] note: {run_dir / LOCK_NAME} names process {stale}, but the run finished "
                f"all its iterations ({RESULTS_NAME}): the lock is stale (its PID was reused); "
                "entered as finished; remove the .lock",
                flush=True,
            )
        running = (  # was: a run in progress entered as if it had ended there
            (
                f" so far: its run is stopped: {stopped_text(holder)}; then run "
                f"{script_line('ledger.py')} again when it ends to add the rest"
                if process_stopped(holder, run_dir)
                else f" so far: its run ({holder_text(run_dir, holder)}) is still going; run "
                f"{script_line('ledger.py')} again when it ends to add the rest"
            )
            if holder is not None
            else ""
        )
        if holder is None and (part := stopped_part_way(run_dir)) is not None:
            running = (  # probe 47 row 61: was entered like a finished run, without a word
                f" so far: {run_dir} stopped at iteration {part[0]} of {part[1]} "
                f"(--stop-at-iteration); finish it with {script_line('cotrain.py')} --resume "
                f"{shell_path(run_dir)}, then run {script_line('ledger.py')} again: the ledger entry is "
                "then replaced"
            )
        died = dead_lock_pid(run_dir) if holder is None else None
        if died is not None and entry.status in ("unfinished", None):
            of = f" of {entry.planned_iterations}" if entry.planned_iterations else ""
            running = (  # probe 50 row 54: a run killed outright was entered without a word
                f" so far: {killed_text(run_dir, died, f'iteration {entry.iterations}{of}')}, "
                f"then run {script_line('ledger.py')} again: the ledger entry is then replaced"
            )
        # probe 89 row 24: a run failed on a non-finite actor is entered "diverged" (was:
        # "unfinished"), its entry not marked diverged (that is a diverged Q): its own words here
        failed_diverged = entry.status == "diverged" and not entry.diverged
        if not running and (entry.status == "unfinished" or failed_diverged):
            # probe 50 (fixO's note): a run interrupted by Ctrl-C / SIGTERM (its lock removed,
            # results.json "interrupted") or whose lock was removed by hand: was entered with
            # no word that it had not finished
            at = f"at iteration {entry.iterations} of {entry.planned_iterations}"
            how = (
                f"was interrupted (Ctrl-C or SIGTERM) {at}"
                if _results_status(run_dir) == "interrupted"
                else f"stopped {at} without finishing (no process runs it)"
            )
            running = (
                f" so far: its run {how}; continue it with {script_line('cotrain.py')} --resume "
                f"{shell_path(run_dir)}, then run {script_line('ledger.py')} again: the ledger entry is "
                "then replaced"
            )
            # probe 85 rows 13, 17: was "stopped … without finishing", no error named; probe 87
            # rows 12, 40: the run's own advice (a diverged run is not resumed), and a run
            # failed after its last iteration was entered as complete without a word
            if (failed := failed_text(run_dir, at.removeprefix("at "))) is not None:
                running = (
                    f" so far: {failed} (scripts/ledger.py run on it again replaces the "
                    "ledger entry)"
                )
        mean, column = entry.last10_score, "normalized_score"
        if mean is None and (mean := last10_return(run_dir)) is not None:
            column = "return_mean"  # probe 43 row 55: was "n/a" for data without reference scores
        last = last_evaluated(run_dir, column) if mean is not None else None
        covers = (  # probe 36: the mean of iteration 2 was entered as a 3-iteration run's
            f" (its last evaluation is of iteration {last}; the later ones were not evaluated)"
            if last is not None and last < entry.iterations
            else ""
        )
        shown = (
            "n/a"
            if mean is None
            else f"{mean:.1f}"
            if column == "normalized_score"
            else f"return {mean:.1f} (its data carry no reference scores, so no normalised "
            "score; the ledger's plot shows the return)"
        )
        label = (  # probe 83 row 24: a score not on the D4RL protocol read like one
            f" ({entry.score_label})"
            if entry.score_label not in (None, "D4RL-normalised") and column == "normalized_score"
            else ""
        )
        print(
            f"{entry.slug}: {counted(entry.iterations, 'iteration')}, last-10 mean {shown}"
            f"{label}{covers}{running}"
        )
    return 0


def check_checkpoint(run_dir: Path) -> None:
    """ValueError, as ``cotrain.py --resume`` gives (``agents.cotrain.check_identity``, reused),
    when the run's config.json disagrees with its checkpoint.pt on a setting (edited by hand, or
    the checkpoint copied from another run). Probe 51 row 33: config.json's seed edited 0 -> 7
    was entered under the edited ledger key (``…_s7``). The checkpoint is memory-mapped: only
    its small pickled part (the identity) is read, not its tensors, whatever the run's size.
    Nothing is checked where there is nothing to check against (no checkpoint yet, one written
    before identities were stored, a config.json that ``--resume`` itself cannot load: the
    ledger reads its own fields and says so); one that cannot be read is one WARNING (probe 52
    row 53: was entered without a word), and the run is still entered (its curves are whole)."""
    path = run_dir / CHECKPOINT_NAME
    if not path.is_file():
        return

    from agents.cotrain import check_identity, load_config

    try:
        state = load_torch_file(path, mmap=True)  # probe 135: protocol 3 without torch's warning
    except Exception:  # a pre-zip checkpoint cannot be memory-mapped: read it whole
        try:
            state = load_torch_file(path)
        except Exception as err:  # probe 52 row 53: a damaged checkpoint was entered silently
            print(
                f"[ledger] WARNING: {path} is unreadable ({safe_reason(err)}): whether "
                f"{CONFIG_NAME} matches the run was not checked, and the run cannot be "
                "continued with --resume (checkpoints are written atomically, so this file was "
                "damaged or replaced after it was written); its curves and evaluations are "
                "entered as they are",
                flush=True,
            )
            return
    try:
        load_config(run_dir)
    except Exception:  # an older / foreign config.json: --resume says, the ledger reads its own
        return
    if isinstance(state, dict) and isinstance(state.get("identity"), dict):
        check_identity(state, run_dir)


def _results_status(run_dir: Path) -> str | None:
    """The ``status`` of the run's ``results.json`` (None: none, damaged, or no status)."""
    try:
        results = read_json(run_dir / RESULTS_NAME)
    except (OSError, ValueError):
        return None
    return results.get("status") if isinstance(results, dict) else None


def runs_ledger(runs: list[Path]) -> Path:
    """The ledger of ``runs`` given no ``--ledger``: the one their config.json records (their
    ``cotrain.py --ledger``; the line printed names it), the default where none records one.
    ValueError when they record different ones, or a recorded one that no longer exists (it
    would otherwise be started anew there)."""
    recorded = {run: recorded_ledger(run) for run in runs}
    ledgers = {os.path.abspath(ledger or DEFAULT_LEDGER_DIR) for ledger in recorded.values()}
    if len(ledgers) > 1:
        named = "; ".join(
            f"{run}: {ledger if ledger is not None else f'none (the default {DEFAULT_LEDGER_DIR})'}"
            for run, ledger in recorded.items()
        )
        raise ValueError(
            f"ledger: the runs record different ledgers in their config.json ({named}); give "
            "--ledger DIR, or add them in separate calls"
        )
    named = [(run, ledger) for run, ledger in recorded.items() if ledger is not None]
    if not named:
        return DEFAULT_LEDGER_DIR
    run, ledger = named[0]
    where = f"recorded in {run / CONFIG_NAME}"
    if not ledger.exists():
        raise ValueError(
            f"ledger: {ledger} ({where}, the run's cotrain.py --ledger) does not exist; restore "
            "it, or give --ledger DIR"
        )
    print(f"[ledger] ledger: {ledger} ({where}; --ledger DIR picks another)")
    return ledger


if __name__ == "__main__":  # Ctrl-C / SIGTERM: one line, exit 130 (was: a raw traceback)
    tolerant_console()
    raise SystemExit(
        exit_on_interrupt(
            "ledger", "the entries printed above are whole; rerun for the other runs", main
        )
    )
