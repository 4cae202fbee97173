"""RAMBO co-training, the project's main job (Alg. 1; Rigter, Lacerda & Hawes, NeurIPS 2022).

    python scripts/cotrain.py                          # default preset: hopper-medium, 11-51 min measured on 2 CPU cores
    python scripts/cotrain.py --preset paper           # the paper protocol (2000 iterations)
    python scripts/cotrain.py --dataset walker2d-medium --agent tqc --k 5 --lam 0 --seed 1
    python scripts/cotrain.py --resume runs/hopper-medium-sac-20250101-120000-s0

k (--k) is the length, in steps, of the rollouts the agent takes in the learned dynamics model;
λ (--lam) is the weight of the adversarial loss (the paper's Eq. 9) with which the model is
trained to lower the agent's value estimates (0 = no adversary). Both default to the dataset's
values in the paper (Table 5).

Every field of ``agents.cotrain.CotrainConfig`` is a flag (``--n-rollouts 10000``; ``none`` for
optional values). Writes a run folder (config, TensorBoard logs, checkpoint, results.json,
learning-curve PNG) and prints the D4RL-normalised score of the final policy.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import re
import sys
from pathlib import Path
from typing import Any

# probe 107 row 9: the clone's own package, not an installed copy (was: two copies in one run)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rambo_env.requirements import (
    check_plots_at_start,
    check_working_folder,
    interrupt_quietly_while_importing,
    note_small_address_space,
)

interrupt_quietly_while_importing("cotrain", __name__)  # probe 131 note (a)
note_small_address_space("cotrain", __name__)  # probe 137: OpenBLAS's exit under ulimit -v is raw
check_working_folder()  # before torch, whose import dies raw in a deleted working folder
check_plots_at_start()  # before `import agents` (SB3 2.7 imports matplotlib; probe 96b)

from agents.cotrain import (
    EXTEND_FIELDS,
    PRESETS,
    SESSION_FIELDS,
    CotrainConfig,
    RunInterrupted,
    _as_saved,
    failure_message,
    load_config,
    non_finite_actor,
    run_cotrain,
    same_settings_runs,
)
from agents.cotrain_setup import ENTROPY_ALGOS, check_eval_last_given, config_docs
from rambo_env.command_line import (
    accept_negative_numbers,
    check_switch_with_value,
    shell_path,
    shell_quote,
    stray_words,
    unrecognized_arguments,
)
from rambo_env.data.scores import NO_REF_SCORES
from rambo_env.host_limits import out_of_memory_line
from rambo_env.ledger import (
    DEFAULT_LEDGER_DIR,
    check_ledger_folder,
    default_ledger_unknown,
    filed_dataset,
    is_entry_of,
    ledger_dataset,
    protocol_transitions,
    read_index,
    setting_differences,
    settings_unknown,
    standing,
)
from rambo_env.presets import RamboPreset, get_preset
from rambo_env.provenance import script_command, script_invocation
from rambo_env.run_io import (
    CHECKPOINT_NAME,
    CONFIG_NAME,
    RESULTS_NAME,
    UmaskError,
    check_umask_for_folders,
    check_umask_for_run,
    checkpoint_iterations,
    counted,
    default_run_dir,
    holder_text,
    is_int,
    iteration0_label,
    other_holder,
    out_of_memory,
    read_json,
    refuse_unenterable,
    report_user_error,
    silence_stdout,
    thread_count,
    tolerant_console,
    tracebacks_wanted,
    user_folder_path,
    user_path,
    whole_number,
)
from rambo_env.sweep_report import config_label

#: Short flags for the most used fields (the long ``--field-name`` form always works too).
ALIASES = {
    "algo": ["--agent"],
    "rollout_length": ["--k"],
    "adversary_weight": ["--lam", "--lambda"],
    "n_iterations": ["--iterations"],
}


#: Config fields set by a flag of their own above (not the generic ``--field-name`` one).
OWN_FLAGS = ("ledger",)


#: Optional fields whose None means "work it out" (the run prints ``auto``): ``auto`` is a synonym
#: of ``none`` for them (probe 83 row 3: ``--torch-threads auto`` was "not a whole number (such
#: as 1000, 1e3 or 2.5e5)", examples out of its range, and ``none`` not named).
AUTO_FIELDS = ("torch_threads",)


def _parse_value(kind: str, optional: bool, auto: bool = False) -> Any:
    base = {"int": whole_number, "float": float, "str": str}[kind]  # whole_number: 1e3 too

    def parse(text: str) -> Any:
        if auto:  # a thread count: bench.py's and mle_quality.py's --threads parse it alike
            return thread_count(text)
        if optional and text.lower() == "none":
            return None
        return base(text)

    parse.__name__ = kind  # shown by argparse in "invalid int value" errors
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # probe 134 row 8: --env hopper-medium-v2 was taken as --env-id
    )
    parser.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        default=None,  # None: not given (refused with --resume), else "default"
        help="base config; flags override its fields (default: default)",
    )
    parser.add_argument(
        "--run-dir",
        type=user_folder_path,
        default=None,
        help="run folder (default runs/<dataset>-<algo>-<timestamp>-s<seed>)",
    )
    parser.add_argument(
        "--resume",
        type=user_folder_path,
        default=None,
        metavar="RUN_DIR",
        help="continue a killed run from its last checkpoint with its saved config "
        "(with --n-iterations N: extend it, a finished run too, to N iterations)",
    )
    parser.add_argument(  # probe 102 row 20: no one command survived both kinds of requeue
        "--resume-if-started",
        action="store_true",
        help="for a scheduler's requeue (the same command in every job): with --run-dir RUN, "
        "continue RUN as --resume RUN does once it holds a checkpoint, else start (or go on "
        "with) the run as the command says",
    )
    parser.add_argument(
        "--ledger",
        type=user_path,
        default=None,  # None: not given (a resume takes the one its run recorded)
        metavar="DIR",
        help="results ledger compared against at the end (default: the repository's "
        "docs/results/ledger); recorded in the run's config.json, so --resume without it "
        "reports to the same ledger; --resume with another one uses that for its session only",
    )
    docs = config_docs()
    defaults = dataclasses.asdict(PRESETS["default"])
    fields = parser.add_argument_group("run config (flags override the preset's values)")
    for field in dataclasses.fields(CotrainConfig):
        if field.name in OWN_FLAGS:
            continue
        flags = [f"--{field.name.replace('_', '-')}", *ALIASES.get(field.name, [])]
        help_text = f"{docs.get(field.name, '')} [default preset: {defaults[field.name]}]"
        if field.type in ("bool", "bool | None"):
            fields.add_argument(
                *flags,
                dest=field.name,
                action=argparse.BooleanOptionalAction,
                default=argparse.SUPPRESS,
                help=help_text,
            )
            continue
        # probe 135: dataset / ledger are annotated "str | os.PathLike[str]" (a Path is taken)
        kind = (
            str(field.type).replace(" ", "").replace("|None", "").replace("|os.PathLike[str]", "")
        )
        parse = _parse_value(
            kind, optional="None" in str(field.type), auto=field.name in AUTO_FIELDS
        )
        fields.add_argument(
            *flags,
            dest=field.name,
            type=parse,
            default=argparse.SUPPRESS,
            help=help_text,
            metavar=field.name.upper(),
        )
    parser.switch_unset = _switch_unset  # type: ignore[attr-defined]
    return accept_negative_numbers(parser)


#: Config fields only some agents use: a flag of one given for another agent is refused, also at
#: its default value (the config's own checks refuse only other values).
NOT_EVERY_AGENT = {
    "ent_coef": ENTROPY_ALGOS,
    "ent_coef_max": ENTROPY_ALGOS,
    "bc_loss": ENTROPY_ALGOS,
    "log_std_min": ("sac", "tqc"),  # the agents with a log-σ floor (agents.policies)
}


def _flag_names(field: str) -> str:
    """The flags of config field ``field``: ``--algo / --agent``."""
    return " / ".join([f"--{field.replace('_', '-')}", *ALIASES.get(field, [])])


def typed_flags(parser: argparse.ArgumentParser, argv: list[str]) -> dict[str, str]:
    """Config field -> the flag ``argv`` gave it by (``--lam`` for adversary_weight)."""
    typed = {}
    for word in argv:
        action = parser._option_string_actions.get(word.partition("=")[0])
        if word.startswith("--") and action is not None:
            typed[action.dest] = word.partition("=")[0]
    return typed


def _as_typed(message: str, args: argparse.Namespace, given: dict) -> str:
    """A config check's ``"adversary_weight: expected …"`` naming the short flag typed, ``"--lam
    (adversary_weight): expected …"`` (probe 123 row 7: named the config field alone)."""
    field, colon, rest = message.partition(":")
    typed = getattr(args, "_typed_flags", {}).get(field)
    if not colon or field not in given or typed not in ALIASES.get(field, []):
        return message  # --field-name spells the field: its message as the library's
    return f"{typed} ({field}):{rest}"


def _resume_if_started(
    args: argparse.Namespace, parser: argparse.ArgumentParser, given: dict
) -> dict:
    """``--resume-if-started``: where ``--run-dir RUN`` holds a started run (a checkpoint or
    results: what a new run there refuses), ``args`` become ``--resume RUN`` with the session
    and extension flags of ``given`` (returned; the config flags must agree with the run's
    saved config, which the run goes on with); else ``given`` as it is, for a new run or one
    whose start had no checkpoint yet. Probe 102 row 20: a job preempted before its first
    checkpoint left no folder, so the requeue's ``--resume RUN`` said "no folder (a typo?)",
    and the first command, which continues it then, is refused once a checkpoint exists."""
    if args.resume is not None or args.run_dir is None:
        parser.error(
            "--resume-if-started: give it with --run-dir RUN and the run's flags (the command "
            "every job of a requeued run repeats), not with --resume"
        )
    run_dir = args.run_dir
    refuse_unenterable(run_dir, "run_dir: ", what="the run")  # probe 111: was a raw errno
    started = [n for n in (CHECKPOINT_NAME, RESULTS_NAME) if (run_dir / n).exists()]
    if not started:
        return given
    saved = load_config(run_dir, resume=True)
    kept = set(SESSION_FIELDS) | set(EXTEND_FIELDS)
    # probe 105 row 6: was compared raw, so the run's own command with --precision auto (saved
    # as the bf16 / fp32 it resolved to) was refused; now the rule a resume of run_cotrain uses
    # (_as_saved: auto is the run's own precision, a relative dataset path its absolute one)
    try:
        flags = _as_saved(
            dataclasses.replace(saved, **{n: v for n, v in given.items() if n not in kept}), saved
        )
    except ValueError as err:  # a combination no run starts with: not the run's command
        parser.error(f"--resume-if-started: {err}")
    differ = [
        f"{_flag_names(n)} {given[n]!r} (the run's: {getattr(saved, n)!r})"
        for n in sorted(set(given) - kept)
        if getattr(flags, n) != getattr(saved, n)
    ]
    if differ:
        parser.error(
            f"--resume-if-started: {run_dir} holds a run started with other settings: "
            f"{'; '.join(differ)}; give the run's own command, or pick a new --run-dir"
        )
    if other_holder(run_dir) is None:  # else refused as in use (probe 133 row 17): no word first
        print(
            f"[cotrain] {run_dir} holds a started run ({', '.join(started)}): resuming it "
            "(--resume-if-started)",
            flush=True,
        )
    args.resume, args.run_dir, args.preset = run_dir, None, None
    return {n: v for n, v in given.items() if n in kept}


def resolve_args(
    args: argparse.Namespace, parser: argparse.ArgumentParser
) -> tuple[CotrainConfig, Path, bool]:
    """(config, run folder, resume?) from the parsed flags."""
    names = [f.name for f in dataclasses.fields(CotrainConfig) if f.name not in OWN_FLAGS]
    given = {name: getattr(args, name) for name in names if hasattr(args, name)}  # flags given
    if getattr(args, "resume_if_started", False):
        given = _resume_if_started(args, parser, given)
    if args.resume is not None:
        # probe 43: the flags, not the config fields ("got ['algo']" for --agent)
        protocol = [
            _flag_names(n) for n in sorted(set(given) - set(SESSION_FIELDS) - set(EXTEND_FIELDS))
        ]
        # was: "got ['--run-dir/--preset']" for either one (and a --preset default was let through)
        protocol += ["--run-dir"] * (args.run_dir is not None) + ["--preset"] * (
            args.preset is not None
        )
        if protocol:
            parser.error(
                f"--resume uses the saved config; only "
                f"{', '.join(map(_flag_names, SESSION_FIELDS))} and, to extend the run, "
                f"{', '.join(map(_flag_names, EXTEND_FIELDS))} may be given (got "
                f"{', '.join(protocol)})"
            )
        session = {"stop_at_iteration": None, **given}  # a resumed run goes on to the end
        return (  # probe 79 row 25: a real share refused since the run started, told so
            dataclasses.replace(load_config(args.resume, resume=True), **session),
            args.resume,
            True,
        )
    try:
        cfg = dataclasses.replace(PRESETS[args.preset or "default"], **given)
        if "eval_last" in given:  # probe 34 (a preset's default is not refused)
            check_eval_last_given(cfg)
    except ValueError as err:
        parser.error(_as_typed(str(err), args, given))
    # probe 69: --algo td3 --ent-coef auto (or --log-std-min -20, --bc-loss nll), the default
    # value typed for an agent that has no such setting, ran without a word
    for name, algos in NOT_EVERY_AGENT.items():
        if name in given and cfg.algo not in algos:
            parser.error(
                f"{_flag_names(name)}: {cfg.algo} does not use it (only {', '.join(algos)}); "
                "leave it out"
            )
    unused = [f"--{n.replace('_', '-')}" for n in ("bc_max_steps", "bc_loss") if n in given]
    if cfg.bc_epochs == 0 and unused:  # probe 19: was silently unused (no warm start runs)
        parser.error(
            f"{unused[0]}: not used: bc_epochs is 0 (no BC warm start runs); leave "
            f"{' and '.join(unused)} out, or give --bc-epochs >= 1"
        )
    run_dir = args.run_dir or default_run_dir(cfg.dataset, cfg.algo, cfg.seed)
    if args.ledger is not None:  # recorded absolute: a resume from another folder finds it
        cfg = dataclasses.replace(cfg, ledger=str(args.ledger.absolute()))
    return cfg, run_dir, False


def _fmt(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.1f}"


def _filed_dataset(results: dict, run_dir: str | Path | None) -> tuple[str, str | None]:
    """The dataset name and fingerprint the run is compared under: those the ledger files it
    under (probe 113: a resumed run an older rambo_env recorded under its data's old name was
    compared with the runs of that name, while scripts/ledger.py files it under today's);
    its results.json's when its folder cannot be read as a run."""
    fingerprint = results.get("dataset_fingerprint")
    if run_dir is not None:
        try:
            return filed_dataset(run_dir)
        except (OSError, ValueError):  # the run's own results stand; ledger.py says why
            pass
    return ledger_dataset(
        results.get("dataset_name") or results["dataset"], fingerprint
    ), fingerprint


def standing_lines(
    results: dict,
    ledger_dir: str | Path,
    *,
    bc_epochs: int | None = None,
    run_dir: str | Path | None = None,
) -> list[str]:
    """What the final number means: BC warm start (``bc_epochs`` 0: the initial policy, probe
    45), behaviour policy, this run, the ledger's long run (``run_dir``: this run's folder, whose
    settings are compared with that run's)."""
    # session 56: data without reference scores showed "n/a" for all three beside a label
    # saying "raw returns only": their returns, as the line above it and the ledger give
    raw = results.get("score_label") == NO_REF_SCORES
    key, behaviour, final = (
        ("return_mean", "behaviour_return", "final_return")
        if raw
        else ("normalized_score", "behaviour_score", "final_score")
    )
    bc = [e.get(key) for e in results["evals"] if e["iteration"] == 0]
    done = results["iterations_completed"]
    note = results.get("behaviour_score_note")  # probe 36: a cut episode's partial return
    note = f" ({note})" if note else ""
    lines = [
        f"where this stands ({results.get('score_label') or 'D4RL-normalised'}): "
        f"{iteration0_label(bc_epochs)} "
        f"{_fmt(bc[0] if bc else None)} | "
        f"behaviour policy (dataset average) {_fmt(results.get(behaviour))}{note} | "
        f"this run {_fmt(results.get(final))} after {counted(done, 'iteration')}"
    ]
    config = RamboPreset(results["rollout_length"], results["adversary_weight"])
    name, fingerprint = _filed_dataset(results, run_dir)
    layer_norm = bool(results.get("critic_layer_norm", False))
    if default_ledger_unknown(ledger_dir):  # probe 107 row 4: was "no long run … yet"
        lines.append("results ledger: no ledger (installed package; pass --ledger DIR)")
        return lines
    try:
        where = standing(
            name,
            results["algo"],
            config,
            done,
            ledger_dir,
            layer_norm,
            fingerprint=fingerprint,
        )
    except ValueError as err:  # a damaged ledger CSV: one line, the finished run stands
        lines.append(f"results ledger ({ledger_dir}): not compared: {err}")
        return lines
    if where is None:
        critic = ", LayerNorm critics" if layer_norm else ""
        other = standing(name, results["algo"], config, done, ledger_dir, layer_norm)
        if other is not None:  # probe 27: was "no long run … yet" of a run on other data
            lines.append(
                f"results ledger ({ledger_dir}): its run of {name} / {results['algo']} "
                f"({config_label(config)}{critic}) is on other data (fingerprint "
                f"{other['entry'].dataset_fingerprint}, this run's {fingerprint}): not compared"
            )
            return lines
        lines.append(
            f"results ledger ({ledger_dir}): no long run of {name} / {results['algo']} "
            f"({config_label(config)}{critic}) yet"
        )
        return lines
    entry = where["entry"]
    rows, protocol = results.get("dataset_n_transitions"), protocol_transitions(name)
    theirs = entry.n_transitions  # entries before sizes were recorded: protocol-size runs, but
    if theirs is None:  # probe 72 row 3: one on this run's very data (its fingerprint) has its
        same = entry.dataset_fingerprint is not None  # size (was "trained on 1,000,000")
        same = same and entry.dataset_fingerprint == fingerprint
        theirs = rows if same else protocol
    if rows is not None and theirs is not None and rows != theirs:  # probe 46: a 300-row run
        lines.append(  # was set against the 1M-transition long run as if the same data
            f"results ledger ({ledger_dir}): its run of {name} / {entry.label} trained on "
            f"{theirs:,} transitions, this run on {rows:,}: not "
            "compared"
        )
        return lines
    settings, bookkeeping = setting_differences(entry, run_dir) if run_dir else ([], [])
    if settings:  # probe 68: a --real-ratio 0 run was set against a 0.5 one without a word
        lines.append(
            f"results ledger ({ledger_dir}): its run of {name} / {entry.label} ran with other "
            f"settings: {', '.join(settings)} (this run's vs its): not compared"
        )
        return lines
    if where["score_at"] is not None:
        at = f"{_fmt(where['score_at'])} at iteration {where['at_iteration']}"
    else:  # was only "not evaluated by iteration 5" for a run evaluated every 10
        at = f"not evaluated by iteration {done}"
        if where["next_score"] is not None:
            at += f" (first evaluation: {_fmt(where['next_score'])} at {where['next_iteration']})"
    unknown = settings_unknown(entry) if run_dir is not None else None
    n_last = min(where["n_evals"], 10)  # was "its last 10 evaluations" for a run with 5
    # probe 81 row 32: an extended run was set against its own earlier entry as another run
    whose = (
        f"this run's own entry (recorded at iteration {entry.iterations}; scripts/ledger.py "
        f"{shell_path(run_dir)} updates it), {entry.dataset} / {entry.label}"
        if run_dir is not None and is_entry_of(entry, run_dir)
        else f"long run {entry.dataset} / {entry.label}"
    )
    lines.append(
        f"results ledger, {whose}: {at}; furthest "
        f"{counted(entry.iterations, 'iteration')}, mean of its last {n_last} evaluation{'s' * (n_last != 1)} "
        f"{_fmt(entry.last10_score)} ({Path(ledger_dir) / (entry.slug + '.csv')})"
        + (
            f"; it differs from this run in {', '.join(bookkeeping)} (this run's vs its)"
            if bookkeeping
            else ""
        )
        # probe 92 row 33: was compared without a word (its real_ratio, budgets unknown)
        + (f"; its settings are unknown ({unknown}): compared on the key alone" if unknown else "")
    )
    return lines


def _unfinished(run_dir: Path) -> str | None:
    """``"2 of 4 iterations done"`` for a run folder holding a checkpoint of a run that has not
    ended (its results.json says neither finished nor diverged, or there is none yet), else None.
    Without a count in its results.json (none yet: killed before its first iteration's ended),
    the checkpoint's own (probe 136: such a run was said to have "0 iterations done")."""
    if not (run_dir / CHECKPOINT_NAME).is_file():
        return None
    try:
        results = read_json(run_dir / RESULTS_NAME)
    except (OSError, ValueError):
        results = {}
    results = results if isinstance(results, dict) else {}
    if results.get("status") in ("finished", "diverged"):
        return None
    done = results.get("iterations_completed")
    done = done if is_int(done) and done >= 0 else checkpoint_iterations(run_dir)
    if done is None:
        return "a checkpoint whose iteration count could not be read"
    planned = results.get("n_iterations")
    return f"{done}" + (f" of {planned}" if is_int(planned) else "") + " iterations done"


def same_runs_notes(
    cfg: CotrainConfig, run_dir: Path, said: set[Path], interrupted: bool = True
) -> list[str]:
    """The notes on the run folders beside ``run_dir`` (in the same runs folder) that hold a run
    of ``cfg``'s settings and seed (:func:`same_settings_runs`), each said once (``said``): one
    running (this run duplicates it: a job-array mistake), and, with ``interrupted``, one
    unfinished that no process runs (a requeued job's rerun; ``--resume`` continues it). Probe
    133 rows 5, 16: both started a second run without a word."""
    lines: list[str] = []
    try:
        same = same_settings_runs(cfg, Path(run_dir).parent, exclude=run_dir)
    except (OSError, ValueError):  # a note: never the run's failure
        return lines
    for folder, holder in same:
        left = None if holder is not None or not interrupted else _unfinished(folder)
        if folder in said or (holder is None and left is None):
            continue
        said.add(folder)
        if holder is not None:
            lines.append(
                f"note: an identical run (same settings and seed) is running in {folder} "
                f"({holder_text(folder, holder)}): this one duplicates it; stop one of them "
                "unless two copies are meant (another --seed makes another run)"
            )
            continue
        lines.append(
            f"note: {folder} holds an unfinished run of the same settings and seed ({left}; "
            "no process runs it): this command starts a new run from scratch; to "
            f"continue that one instead: {continue_command(folder)}. A job script that a "
            "scheduler requeues (Slurm) should give its run a fixed folder: "
            f"{this_script()} <its flags> --run-dir RUN --resume-if-started starts "
            "the run once and continues it at every requeue"
        )
    return lines


def check_ledger(ledger_dir: Path, run_dir: Path | None = None) -> None:
    """The ledger folder is usable before the run starts (its index is read at the end), and is
    not ``run_dir`` or a folder inside it (probe 42: ``--run-dir runs/x --ledger runs/x``, the
    run's own empty folder, ran in full, then said "not compared: … is a run folder")."""
    if run_dir is not None and ledger_dir.resolve().is_relative_to(run_dir.resolve()):
        same = ledger_dir.resolve() == run_dir.resolve()
        where = "the run's own folder" if same else f"inside the run's folder {run_dir}"
        raise ValueError(
            f"ledger: {ledger_dir} is {where}, not a results ledger; pass the "
            f"ledger's folder with --ledger DIR (e.g. the repository's {DEFAULT_LEDGER_DIR}), "
            "outside the run's folder"
        )
    if ledger_dir.exists() and not ledger_dir.is_dir():
        raise ValueError(f"ledger: {ledger_dir} is not a folder; pass the results ledger's folder")
    if not ledger_dir.exists() and ledger_dir != DEFAULT_LEDGER_DIR:
        raise ValueError(
            f"ledger: {ledger_dir} does not exist; pass an existing folder (e.g. the "
            f"repository's {DEFAULT_LEDGER_DIR}) or create it"
        )
    if not default_ledger_unknown(ledger_dir):  # an installed package's: none (probe 107 row 4)
        read_index(ledger_dir)  # a damaged index.json fails now, not after the run
    # probe 30: --ledger docs/results (the folder above the ledger) ran in full, then said
    # "no long run … yet"; an empty folder is taken as a new ledger
    check_ledger_folder(ledger_dir)


def resume_ledger(
    recorded: str | None, given: Path | None, kept_at_all: bool = True
) -> tuple[Path, str]:
    """The ledger a ``--resume`` reports to, and the line that says which: the one its run
    recorded (``ledger`` in its config.json, None: the default) unless ``--ledger`` names
    another, which is used for this session only (the recorded one is kept for later resumes).
    Probe 28: a resume compared against the default ledger without a word; probe 29: a
    ``--ledger`` given when the run started was not recorded, so a resume forgot it.
    ``kept_at_all`` False: a config.json written before the ledger was recorded (probe 72 row 17:
    such a run was said to have been "started with the default ledger")."""
    kept = Path(recorded) if recorded is not None else DEFAULT_LEDGER_DIR
    started = f"--ledger {recorded}" if recorded is not None else "the default ledger"
    if given is None:
        how = (
            "the run's --ledger, recorded in its config.json"
            if recorded is not None
            else "the default: the run's config.json records no --ledger"
        )
        return kept, f"results ledger: {kept} ({how})"
    if given.absolute() == kept.absolute():
        return given, f"results ledger: {given} (the run's, as recorded)"
    if not kept_at_all:
        return given, (
            f"results ledger: {given.absolute()} (--ledger, for this session only: the run's "
            "config.json, written before runs recorded their ledger, names none, so a later "
            "--resume without --ledger reports to the default one)"
        )
    return given, (
        f"results ledger: {given.absolute()} (--ledger, for this session only: the run was "
        f"started with {started}, which its config.json keeps for a later --resume without "
        "--ledger)"
    )


def _config_names_ledger(run_dir: Path) -> bool:
    """Whether the run's config.json has the ``ledger`` field (runs of session 29 on)."""
    try:
        return "ledger" in read_json(Path(run_dir) / CONFIG_NAME)["config"]
    except (OSError, ValueError, KeyError, TypeError):
        return True  # unreadable: resolve_args has said so already


def this_script() -> str:
    """``python SCRIPT``, this script as typed (probe 145 R4: ``python scripts/cotrain.py`` was
    printed to paste also to a script started from another folder, where no such file is)."""
    return script_command(__file__, shell_quote)


def continue_command(run_dir: Path, cfg: CotrainConfig | None = None) -> str:
    """``python scripts/cotrain.py --resume RUN`` (:func:`this_script`; ``RUN`` as given, from
    the working folder), with this session's :data:`EXTEND_FIELDS`
    (``--n-iterations N``) where they differ from the run's ``config.json``: an extension is
    recorded there only once its setup has passed (probe 20), so one interrupted before that
    (probe 30) was told a command that finished the run at its old length."""
    command = f"{this_script()} --resume {shell_path(run_dir)}"
    if cfg is None:
        return command
    try:
        recorded = read_json(Path(run_dir) / CONFIG_NAME)["config"]
    except (OSError, ValueError, KeyError, TypeError):
        recorded = {}
    for name in EXTEND_FIELDS:
        value = getattr(cfg, name)
        if not isinstance(recorded, dict) or recorded.get(name) != value:
            command += f" --{name.replace('_', '-')} {value}"
    return command


def check_no_run_there(run_dir: Path) -> None:
    """ValueError for a new run's folder that holds a run (its config.json and checkpoint.pt),
    with this script's ``--resume`` command (:func:`continue_command`), before the "starting
    run" line. ``run_cotrain`` refuses it as well (probe 145 R4: it named
    ``scripts/cotrain.py --resume``, which does not paste from another folder, after
    "[cotrain] starting run …")."""
    if not ((run_dir / CONFIG_NAME).is_file() and (run_dir / CHECKPOINT_NAME).is_file()):
        return  # a start that did not finish, or no run: run_cotrain says what it is
    started = sorted(name for name in (CHECKPOINT_NAME, RESULTS_NAME) if (run_dir / name).exists())
    raise ValueError(
        f"run_dir: {run_dir} already holds a run ({', '.join(started)}); continue it with "
        f"{continue_command(run_dir)}, or pick a new folder"
    )


def check_session_umask(run_dir: Path, resume: bool = False) -> None:
    """``run_cotrain``'s refusal of a umask that takes the owner's own permission away, before
    the "starting run" / "resuming run" line: a new run folder it would make unusable (probe 147
    R3: said after that line), and a session in an existing one, ``--resume`` included, whose
    new files (the TensorBoard event file) this user could not write or read back (probe 148
    row 4: ``--resume`` under ``umask 277`` went on, TensorBoard logging off at its first
    iteration)."""
    try:
        if run_dir.exists():
            check_umask_for_run(run_dir, resume)
        else:
            check_umask_for_folders(run_dir)
    except UmaskError as err:
        raise ValueError(f"run_dir: {err}") from None


def interrupted_line(run_dir: Path | None, cfg: CotrainConfig | None = None) -> str:
    """What an interrupt that reached ``main`` left: the run's checkpoint (a second Ctrl-C while
    the first was being handled), or at most the MLE pretraining checkpoint (setup: dataset
    load or generation, MLE, BC). ``cfg``: this session's config (an extension it asked for is
    kept in the command)."""
    if run_dir is not None and (Path(run_dir) / CHECKPOINT_NAME).is_file():
        return (  # was: "interrupted before training" after iterations had been checkpointed
            "interrupted; the run's last checkpoint is kept: continue with: "
            f"{continue_command(run_dir, cfg)}"
        )
    return (  # was: "the MLE pretraining checkpoint is kept" also during dataset generation
        "interrupted before training: rerun the same command to continue (MLE pretraining "
        "resumes from its last epoch; a dataset generated on first use starts over, as none is "
        "saved half-done)"
    )


class SessionFiles:
    """Which files this session wrote: those that were not there at its start, or were changed
    since (another inode, size or modification time). Probe 106 row 19: their st_mtime was
    compared with ``time.time()`` taken at the start, so a file server whose clock lags the
    machine's by 30 s (NFS, Lustre) dropped "the MLE pretraining checkpoint … is kept": no
    wall clock is compared with a file time here. At the start it notes the MLE pretraining
    checkpoints in the cache; :meth:`note` adds a file (the run's checkpoint)."""

    def __init__(self) -> None:
        self.at_start: dict[Path, tuple[int, int, int] | None] = {}
        for path in self.mle_partials():
            self.note(path)

    @staticmethod
    def mle_partials() -> list[Path]:
        from rambo_env.dynamics.io import cache_dir

        with contextlib.suppress(OSError, ValueError):  # a bad cache path is said elsewhere
            return list(cache_dir().glob("dynamics-*.partial.pt"))
        return []

    @staticmethod
    def _stamp(path: Path) -> tuple[int, int, int] | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        return stat.st_ino, stat.st_size, stat.st_mtime_ns

    def note(self, path: str | Path) -> None:
        """Remember ``path`` as it is now (absent too)."""
        self.at_start[Path(path)] = self._stamp(Path(path))

    def written(self, path: str | Path) -> bool:
        """``path`` is there and was not, or was changed, since it was noted (a file never noted
        counts as written when it is there)."""
        now = self._stamp(Path(path))
        return now is not None and now != self.at_start.get(Path(path))


def stopped_by_error_line(
    run_dir: Path | None, cfg: CotrainConfig | None, since: SessionFiles
) -> str:
    """The resume hint after an error that ended a run which had checkpointed in this session
    (``since.written``), else "" (a refusal before training says its own way on). Probe 85 rows
    2, 4, 7, 8, 13, 25: an exception in co-training (a RuntimeError in an evaluation, an ENOSPC
    inside the adversary, torch's "Expected parameter loc …") ended with a bare traceback or a
    one-line input error, never saying the checkpoint was kept."""
    if run_dir is None or not since.written(Path(run_dir) / CHECKPOINT_NAME):
        return ""
    return (
        "the run stopped on this error; its last checkpoint is kept: once the cause is fixed, "
        f"continue with: {continue_command(run_dir, cfg)}"
    )


def mle_kept_note(since: SessionFiles) -> str:
    """``"; the MLE pretraining checkpoint <file> is kept"`` for the newest one this session
    wrote (``since.written``), else "". Probe 86 row 6: an error in MLE pretraining did not say
    that its checkpoint was kept (the path a rerun resumes from)."""
    newest, when = None, 0
    for path in since.mle_partials():
        if since.written(path):
            with contextlib.suppress(OSError):
                if newest is None or path.stat().st_mtime_ns >= when:
                    newest, when = path, path.stat().st_mtime_ns
    return "" if newest is None else f"; the MLE pretraining checkpoint {newest} is kept"


def _error_head(what: str, one_line: bool) -> None:
    """The first lines of a failure's report (the exception being handled): its traceback unless
    ``one_line`` (RAMBO_ENV_TRACEBACK=1 shows it anyway), ``[cotrain] error: WHAT``, then, for one
    line, the hint that the traceback is kept back (as report_user_error's line)."""
    one_line = one_line and not tracebacks_wanted()
    if not one_line:
        import traceback

        traceback.print_exc()
    print(f"[cotrain] error: {what}", file=sys.stderr)
    if one_line:
        print("(RAMBO_ENV_TRACEBACK=1 shows the traceback)", file=sys.stderr)


def _failure_head(err: BaseException) -> None:
    """The report's first lines for an exception before training: its traceback, or for out of
    memory (:func:`rambo_env.run_io.out_of_memory`: MemoryError, MuJoCo's, an import's under
    ``ulimit -v``) one line naming the limit and what to do. Probe 137: a 56-123-line traceback
    (a MemoryError in ``import torch._dynamo``, the simulator's in the warm start's evaluation)
    came before the stop line."""
    if out_of_memory(err) and not tracebacks_wanted():
        print(
            f"[cotrain] error: {out_of_memory_line(err)}\n(RAMBO_ENV_TRACEBACK=1 shows the "
            "traceback)",
            file=sys.stderr,
        )
        return
    import traceback

    traceback.print_exception(err)


def report_failed_run(err: BaseException, run_dir: Path | None, cfg: CotrainConfig | None) -> int:
    """Exit status 1 and where the run stands, for an exception raised inside an iteration (its
    ``cotrain_failure``, set by run_cotrain with the results.json it wrote): which iteration and
    part failed, the checkpoint kept, the command that continues it. A bug keeps its traceback
    before them; out of memory, an OSError (a full disk …) and a non-finite actor are one line
    (RAMBO_ENV_TRACEBACK=1 shows the traceback). Probe 85 rows 7, 8, 25: an OSError or torch's
    "Expected parameter loc …" was the one-line bad-input error (exit 2, no iteration named), a
    MemoryError a bare traceback."""
    iteration, phase = err.cotrain_failure  # type: ignore[attr-defined]
    context = getattr(err, "cotrain_failure_context", {})
    command = continue_command(run_dir, cfg) if run_dir is not None else "--resume"
    what, how = failure_message(
        err,
        iteration,
        phase,
        resume=command,
        device=context.get("device"),
        n_iterations=context.get("n_iterations"),
    )
    # probe 87 row 20: "status failed in its results.json" was said after its write had failed
    recorded = (
        "status failed in its results.json"
        if context.get("recorded", True)
        else f"not recorded: its {RESULTS_NAME} could not be written, see the WARNING above"
    )
    with contextlib.suppress(OSError):  # stderr may be the closed pipe too
        # a ValueError from inside training is a bug too, not input; torch's refusal of a
        # non-finite actor is the run's divergence; torch's OutOfMemoryError (probe 87 row 38)
        one_line = isinstance(err, MemoryError | OSError) or non_finite_actor(err)
        _error_head(what, one_line or out_of_memory(err))
        print(
            f"[cotrain] the run stopped on this error ({recorded}); {how}",
            file=sys.stderr,
            flush=True,
        )
    return 1


def _nothing_kept(run_dir: Path) -> bool:
    """``run_dir`` is gone or empty (a first session that stopped in its setup left nothing)."""
    try:
        return not run_dir.exists() or not any(run_dir.iterdir())
    except OSError:
        return False


def report_setup_failed(err: BaseException, run_dir: Path, cfg: CotrainConfig | None) -> int:
    """Exit status 1 and where the run stands, for an exception in a resumed session's setup
    (its ``cotrain_setup_failed``: the kept checkpoint's iteration), before anything of the run
    was rewritten. Out of memory is one line, as inside an iteration; a bug keeps its traceback.
    Probe 87 row 16: a MemoryError in the restore of an extending session was a bare traceback."""
    iteration = err.cotrain_setup_failed  # type: ignore[attr-defined]
    with contextlib.suppress(OSError):
        what = "out of memory" if out_of_memory(err) else type(err).__name__
        first = (str(err).strip().splitlines() or [""])[0]
        _error_head(
            f"{what} in the resumed session's setup, before training: {first}", out_of_memory(err)
        )
        then = (
            "free memory (other programs; another --device for the session), then retry"
            if out_of_memory(err)
            else "once the cause is fixed, retry"
        )
        print(
            f"[cotrain] the run is unchanged ({CONFIG_NAME} and {RESULTS_NAME} as they were, "
            f"checkpoint {iteration} kept): {then} with: {continue_command(run_dir, cfg)}",
            file=sys.stderr,
            flush=True,
        )
    return 1


#: What to do instead of giving one flag several values (one run takes one): probe 123 rows 1-4.
SEVERAL_RUNS = {
    "seed": ("seed", "scripts/sweep.py --seeds {seeds} runs several"),
    "adversary_weight": ("λ", "scripts/sweep.py --configs {configs} (k:λ pairs) runs several"),
    "rollout_length": ("k", "scripts/sweep.py --configs {configs} (k:λ pairs) runs several"),
    "dataset": ("dataset", "scripts/sweep.py --datasets {seeds} runs several"),
}

#: sweep.py's list flags typed to cotrain.py, which runs one of each: (cotrain.py's flag, what
#: one run takes, sweep.py's comma form). Probe 123 rows 2-3.
SWEEP_LIST_FLAGS = {
    "--seeds": ("--seed", "seed", "0,1,2"),
    "--datasets": ("--dataset", "dataset", "hopper-medium,walker2d-medium"),
    "--configs": ("--k / --lam", "(k, λ)", "5:3e-4,5:0"),
}

#: A word that is a value, not an option (a negative number, as :func:`accept_negative_numbers`).
_NEGATIVE = re.compile(r"^-(?:\d|\.\d|inf$|nan$)", re.IGNORECASE)


def _k_and_lam(args: argparse.Namespace) -> tuple[Any, Any]:
    """The (k, λ) a run of ``args`` takes, for a sweep.py ``--configs`` example: the flags', else
    the config's, else the dataset's preset (``k`` / ``λ`` where none is known)."""
    cfg = PRESETS[args.preset or "default"]
    k = getattr(args, "rollout_length", cfg.rollout_length)
    lam = getattr(args, "adversary_weight", cfg.adversary_weight)
    with contextlib.suppress(ValueError):
        preset = get_preset(getattr(args, "dataset", cfg.dataset))
        k = preset.rollout_length if k is None else k
        lam = preset.adversary_weight if lam is None else lam
    return ("k" if k is None else k), ("λ" if lam is None else f"{lam:g}")


def check_no_extra_words(
    parser: argparse.ArgumentParser, argv: list[str], args: argparse.Namespace, extra: list[str]
) -> None:
    """argparse's bare "unrecognized arguments: 1 2" for ``--seed 0 1 2`` / ``--lam 3e-4 0``
    (several values to a flag of one) names the flag and how to run several (probe 123 rows 1,
    4); sweep.py's ``--seeds 0,1,2`` gets a "did you mean --seed?" (rows 2-3); another unknown
    option close to a flag gets its name; other extra words as argparse said them."""
    if not extra:
        return
    first = extra[0]
    if first.partition("=")[0] in SWEEP_LIST_FLAGS:
        flag = first.partition("=")[0]
        ours, what, example = SWEEP_LIST_FLAGS[flag]
        parser.error(
            f"{flag}: did you mean {ours}? cotrain.py runs one {what}; scripts/sweep.py {flag} "
            f"{example} runs several"
        )
    # a word after a switch ("--progress yes"; probe 144 row 9: "--resume-if-started yes", a
    # switch of no --no- form, was "unrecognized arguments: yes")
    check_switch_with_value(parser, argv, extra)
    # probe 125 row 14: by position; argv.index found an earlier equal word ("--seed 0 --lam 3e-4
    # 0": the 0 of --seed) and fell back to "unrecognized arguments: 0"
    stray = (stray_words(parser, argv, extra) or [None])[0]
    if stray is not None and stray.option is not None and not first.startswith("-"):
        flag, eq, value = argv[stray.option].partition("=")
        action = stray.action
        if action is not None and action.nargs is None:
            flag = flag if flag in action.option_strings else max(action.option_strings, key=len)
            words = [value if eq else argv[stray.option + 1]]
            for word in argv[stray.at :]:
                if word.startswith("-") and not _NEGATIVE.match(word):
                    break
                words.append(word)
            what, several = SEVERAL_RUNS.get(action.dest, ("value", ""))
            k, lam = _k_and_lam(args)
            pairs = [f"{k}:{w}" if what == "λ" else f"{w}:{lam}" for w in words]
            several = several.format(seeds=",".join(words), configs=",".join(pairs))
            parser.error(
                f"{flag} takes one {what} per run (got {' '.join(words)}): run cotrain.py once "
                f"per {what}" + (f", or {several}" if several else "")
            )
    # a typo of a flag ("--sed 1"), another codebase's ("--epoch")
    parser.error(unrecognized_arguments(parser, extra))


def _switch_unset(action: argparse.Action) -> str:
    """What leaving a switch out gives, for :func:`rambo_env.run_io.switch_value_message`."""
    field = next(f for f in dataclasses.fields(CotrainConfig) if f.name == action.dest)
    return "auto" if "None" in str(field.type) else "the preset's value"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args, extra = parser.parse_known_args(argv)
    check_no_extra_words(parser, argv, args, extra)
    args._typed_flags = typed_flags(parser, argv)
    run_dir = cfg = None
    since = SessionFiles()  # probe 106 row 19: was time.time(), compared with file mtimes
    try:
        cfg, run_dir, resume = resolve_args(args, parser)
        default_dir = args.run_dir is None and not resume
        since.note(Path(run_dir) / CHECKPOINT_NAME)
        ledger, ledger_line = (
            resume_ledger(cfg.ledger, args.ledger, _config_names_ledger(run_dir))
            if resume
            else (DEFAULT_LEDGER_DIR if args.ledger is None else args.ledger, None)
        )
        try:
            check_ledger(ledger, run_dir if args.ledger is not None else None)  # as given
        except ValueError as err:
            if not resume or args.ledger is not None or cfg.ledger is None:
                raise
            raise ValueError(  # the recorded ledger was moved: say where it came from
                f"{err}; it is the run's ledger, recorded in {run_dir / 'config.json'}: give "
                "--ledger DIR to report to another for this session"
            ) from None
        said: set[Path] = set()
        # probe 133 row 17: a folder another process holds is refused by run_cotrain: no
        # "starting run" line before its error
        if other_holder(run_dir) is None:
            if not resume:
                check_no_run_there(Path(run_dir))
            check_session_umask(Path(run_dir), resume)
            print(f"[cotrain] {'resuming' if resume else 'starting'} run {run_dir}", flush=True)
            if ledger_line is not None:
                print(f"[cotrain] {ledger_line}", flush=True)
            for line in [] if resume else same_runs_notes(cfg, run_dir, said, default_dir):
                print(f"[cotrain] {line}", flush=True)

        def after_first(metrics: dict) -> None:  # a twin that was still in its setup at our start
            if metrics.get("iteration") != 1 or resume:
                return
            for line in same_runs_notes(cfg, run_dir, said, interrupted=False):
                print(f"[cotrain] {line}", flush=True)

        results = run_cotrain(
            cfg,
            run_dir,
            resume=resume,
            on_iteration=after_first,
            invocation=script_invocation(__file__, argv),  # probe 138: config.json's
        )
    except (ValueError, OSError) as err:  # bad input, unwritable files: one line, no traceback
        if hasattr(err, "cotrain_failure"):  # raised inside an iteration (probe 85 rows 7, 25)
            return report_failed_run(err, run_dir, cfg)
        code = report_user_error(err)
        if isinstance(err, BrokenPipeError) and (Path(run_dir or "") / CHECKPOINT_NAME).is_file():
            with contextlib.suppress(OSError):
                print(f"[cotrain] {interrupted_line(run_dir, cfg)}", file=sys.stderr, flush=True)
        elif line := stopped_by_error_line(run_dir, cfg, since):
            with contextlib.suppress(OSError):
                print(f"[cotrain] {line}", file=sys.stderr, flush=True)
        elif hasattr(err, "cotrain_setup_failed"):  # an OSError in a resumed session's setup
            with contextlib.suppress(OSError):
                print(
                    f"[cotrain] the run is unchanged (checkpoint {err.cotrain_setup_failed} kept): "
                    f"once the cause is fixed, retry with: {continue_command(run_dir, cfg)}",
                    file=sys.stderr,
                    flush=True,
                )
        return code
    except RunInterrupted as stop:  # Ctrl-C / SIGTERM in co-training: results.json is written
        results = stop.results
        if getattr(sys.stdout, "reader_gone", False):  # probe 93 row 42: `| head` mid-iteration
            code = report_user_error(BrokenPipeError())  # as a closed pipe before training
            with contextlib.suppress(OSError):
                print(f"[cotrain] {interrupted_line(run_dir, cfg)}", file=sys.stderr, flush=True)
            return code
    except KeyboardInterrupt:  # Ctrl-C before training (setup, MLE), or twice: no traceback
        print(f"[cotrain] {interrupted_line(run_dir, cfg)}", file=sys.stderr, flush=True)
        return 130
    except Exception as err:  # a bug: its traceback, then where the run stands (probe 85)
        if hasattr(err, "cotrain_failure"):  # raised inside an iteration (probe 85 rows 2, 8)
            return report_failed_run(err, run_dir, cfg)
        if line := stopped_by_error_line(run_dir, cfg, since):
            _failure_head(err)
            print(f"[cotrain] {line}", file=sys.stderr, flush=True)
            return 1
        if hasattr(err, "cotrain_setup_failed"):  # a resumed session's setup (probe 87 row 16)
            return report_setup_failed(err, run_dir, cfg)
        if run_dir is not None and args.resume is None and _nothing_kept(Path(run_dir)):
            # probe 85 row 21: the setup of a first session (dataset, MLE, BC) failed and its
            # folder is removed: said as Ctrl-C there says it (was a traceback alone); probe 87
            # row 19: also after config.json, in the warm-started policy's evaluation
            _failure_head(err)
            kept = "is removed" if not Path(run_dir).exists() else "holds nothing of it"
            mle = mle_kept_note(since)
            # probe 89: "MLE pretraining resumes" was said also when the model was already
            # trained and cached (an error in the warm start's evaluation)
            resumes = " (MLE pretraining resumes from its last epoch)" if mle else ""
            print(
                f"[cotrain] the run stopped on this error before training (its folder {kept})"
                f"{mle}: once the cause is fixed, rerun the same command{resumes}",
                file=sys.stderr,
                flush=True,
            )
            return 1
        if out_of_memory(err):  # probe 137: any other phase, one line too
            with contextlib.suppress(OSError):
                _failure_head(err)
            return 1
        raise
    if results.get("already_finished"):  # printed by run_cotrain; nothing was rewritten
        return 0
    try:
        print_results(results, cfg, run_dir, ledger)
    except BrokenPipeError:  # `| head`: the run is complete, its results.json says the rest
        silence_stdout()  # was: a raw BrokenPipeError traceback, exit 1, after a finished run
    return {"diverged": 1, "interrupted": 130}.get(results["status"], 0)


def _score_of(results: dict, whose: str) -> str:
    """``"D4RL-normalised score of <whose>"``, or which reference pair the score is on when it
    is not D4RL's (probe 71 rows 16, 22: a Minari dataset's own pair was called D4RL's)."""
    label = results.get("score_label") or "D4RL-normalised"  # runs before it: D4RL's pair
    if label == "D4RL-normalised":
        return f"D4RL-normalised score of {whose}"
    return f"score of {whose} ({label})"


def _times(wall_s: dict) -> str:
    """This session's wall time and the run's co-training total (probe 81 row 17: the closing
    line gave the session's alone, "12/12 iterations …, 3 s" of a run whose iterations took 10 s)."""
    total = wall_s.get("cotrain_total")
    run = f"; the run's co-training {total:.0f} s" if isinstance(total, int | float) else ""
    return f"this session {wall_s['session']:.0f} s{run}"


def print_results(results: dict, cfg: CotrainConfig, run_dir: Path, ledger: str | Path) -> None:
    """The closing lines of a run: status, score, where it stands, how to continue."""
    if results["message"]:
        print(f"[cotrain] {results['message']}", flush=True)
    score, ret = results["final_score"], results["final_return"]
    n_evals = min(10, sum(1 for e in results["evals"] if e["iteration"] > 0))
    print(
        f"[cotrain] {results['status']}: {results['iterations_completed']}/{results['n_iterations']} "
        f"iterations of {cfg.dataset} / {cfg.algo} (k={results['rollout_length']}, "
        f"λ={results['adversary_weight']}), {_times(results['wall_s'])}"
    )
    # probe 36: "the final policy" was said of iteration 2's score in a run of 3 iterations
    evaluated = [e["iteration"] for e in results["evals"] if e["iteration"] > 0]
    done = results["iterations_completed"]
    whose = (
        "the final policy"
        if not evaluated or evaluated[-1] == done
        else f"the policy of iteration {evaluated[-1]} (the last evaluated, not iteration {done})"
    )
    if whose == "the final policy" and results["status"] == "interrupted":  # probe 125 (Ctrl-C)
        whose = f"the policy at interruption (iteration {done} of {results['n_iterations']})"
    if score is not None:
        print(
            f"[cotrain] {_score_of(results, whose)}: {score:.1f} "
            f"(mean of the last {n_evals} evaluations; return {ret:.1f})"
        )
    elif ret is not None:
        print(f"[cotrain] return of {whose}: {ret:.1f} (mean of the last {n_evals} evaluations)")
    for line in standing_lines(results, ledger, bc_epochs=cfg.bc_epochs, run_dir=run_dir):
        print(f"[cotrain] {line}")
    print(f"[cotrain] results: {Path(run_dir) / 'results.json'}")
    if results["status"] in ("stopped", "interrupted"):
        # quoted: was "--resume rün dir/x", which the shell splits at the space
        print(f"[cotrain] continue with: {continue_command(run_dir, cfg)}")


if __name__ == "__main__":
    tolerant_console(own_closed_pipe=True)
    sys.exit(main())
