"""RAMBO sweeps on Ray Tune: datasets × (k, λ) × seeds (App. B.4), then the RAMBO / RAMBO-OFF table.

    python scripts/sweep.py --datasets hopper-medium --seeds 0,1 --iterations 5   # small, local
    python scripts/sweep.py --datasets mujoco --preset paper     # the paper grid: 12 × 3 × 5 runs
    python scripts/sweep.py --datasets walker2d-medium --configs 2:3e-4,5:0 --algo tqc
    python scripts/sweep.py --resume runs/sweeps/sac-default-<time>    # continue an interrupted one
    python scripts/sweep.py --report-only runs/sweeps/sac-default-<time>  # tables only, no Ray
    python scripts/sweep.py <grid flags> --sweep-dir DIR --resume-if-started  # every requeued job
    ray start --head   # then, on the other nodes: ray start --address <head-ip>:6379
    python scripts/sweep.py --address auto --datasets mujoco --preset paper --sweep-dir /nfs/sweep

Each trial is one co-training run (agents.cotrain.run_cotrain). Without --address, the cluster
at $RAY_ADDRESS is joined when that is set (as ray.init() does), else Ray starts locally on this
machine's cores with --cpus-per-trial CPUs per trial. Writes the sweep folder (sweep.json, runs/,
tune/, table.md, table.csv, curves/<dataset>.png; the tables name the agent) and prints table.md.
Needs the `sweep` extra (pip install -e ".[sweep]"), except --report-only.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import re
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

# probe 107 row 9: the clone's own package, not an installed copy (was: two copies in one run)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rambo_env.requirements import (
    MissingExtraError,
    check_plots_at_start,
    check_working_folder,
    interrupt_quietly_while_importing,
)

interrupt_quietly_while_importing("sweep", __name__)  # probe 131 note (a)
check_working_folder()  # before torch, whose import dies raw in a deleted working folder
check_plots_at_start()  # before `import agents` (SB3 2.7 imports matplotlib; probe 96b)

from agents.cotrain import PRESETS, config_differences
from agents.cotrain_setup import (
    ALGOS,
    COMPILE_MIN_ITERATIONS,
    LAYER_NORM_ALGOS,
    CotrainConfig,
    check_eval_last_given,
    config_docs,
)
from agents.sweep import (
    DATASET_GROUPS,
    PAPER_CONFIGS,
    PAPER_SEEDS,
    SWEEP_FILE,
    TUNE_DIR,
    SweepOutcome,
    SweepResources,
    SweepSpec,
    dataset_groups_text,
    load_sweep,
    moved_from,
    not_a_sweep_text,
    resume_sweep,
    run_sweep,
    sweep_report,
    write_sweep_report,
)
from rambo_env.command_line import (
    NEGATIVE_NUMBER,
    accept_negative_numbers,
    check_switch_with_value,
    did_you_mean,
    empty_item_problem,
    shell_path,
    shell_quote,
    shown_word,
    stray_words,
    unrecognized_arguments,
)
from rambo_env.presets import RamboPreset, get_preset
from rambo_env.provenance import script_command, script_invocation
from rambo_env.run_io import (
    FolderInUseError,
    check_matplotlib,
    check_umask_for_run,
    counted,
    exit_on_interrupt,
    expand_home,
    holder_text,
    process_stopped,
    report_failure,
    report_user_error,
    run_holder,
    sigterm_as_keyboard_interrupt,
    stopped_text,
    tolerant_console,
    unused_path,
    user_path,
    whole_number,
)
from rambo_env.sweep_report import ERRORS_REPEAT, SweepReport, config_flag, to_markdown

#: CotrainConfig fields settable for every trial (sizes for small runs, device).
PASS_THROUGH = (
    "env_id",  # probe 42: the loader's "pass env_id=... (--env-id)" named a flag sweep.py lacked
    "n_rollouts",
    "agent_steps_per_iteration",
    "adversary_steps_per_iteration",
    "bc_epochs",
    "bc_max_steps",
    "eval_every",
    "eval_last",
    "n_eval_episodes",
    "ensemble_hidden",
    "agent_hidden",
    "mle_max_epochs",
    "mle_max_time_s",
    "mle_max_steps",
    "ent_coef",
    "q_limit",
    "device",
    "precision",
)
#: SweepResources fields (flags of the same name).
RESOURCE_FLAGS = ("cpus_per_trial", "gpus_per_trial", "max_concurrent", "max_failures")


def _optional(base: type) -> Any:
    def parse(text: str) -> Any:
        return None if text.lower() == "none" else base(text)

    parse.__name__ = base.__name__  # argparse's "invalid int value" message
    return parse


def parse_configs(text: str) -> tuple[RamboPreset, ...]:
    """``"2:3e-4,5:0"`` -> (RamboPreset(2, 3e-4), RamboPreset(5, 0.0))."""
    configs = []
    items = text.split(",")
    if not "".join(items).strip():
        raise argparse.ArgumentTypeError(f"no (k, λ) configuration in {text!r}; give 'k:lam,...'")
    for item in items:
        if not item.strip():  # probe 96a row 28: was "got ''" for "2:3e-4, 5:0" unquoted
            raise argparse.ArgumentTypeError(
                f"an empty item in {text!r} (a stray comma, or a space after one?); give "
                "'k:lam,k:lam' without spaces (or quote the list)"
            )
        k, sep, lam = item.strip().partition(":")
        try:
            configs.append(RamboPreset(int(k), float(lam)))
        except ValueError:
            sep = ""
        if not sep:
            raise argparse.ArgumentTypeError(f"expected 'k:lam,...', got {item!r}")
    return tuple(configs)


def _file_with_a_comma(pieces: list[str]) -> str | None:
    """The existing file that adjacent comma-split ``pieces`` of ``--datasets`` name when joined
    again (``/f/a,b.npz``), else None."""
    for start in range(len(pieces)):
        for end in range(start + 2, len(pieces) + 1):
            joined = ",".join(pieces[start:end]).strip()
            with contextlib.suppress(OSError, ValueError):  # too long, ~nobody: no file
                if joined and expand_home(joined).is_file():
                    return joined
    return None


def parse_datasets(text: str) -> tuple[str, ...]:
    # probe 45: '/f/a,b.npz', an existing file, was split into '/f/a' and 'b.npz', each missing
    joined = _file_with_a_comma(text.split(","))
    if joined is not None:
        raise argparse.ArgumentTypeError(
            f"{joined!r} is a file, but --datasets splits on commas; rename the file "
            "(or link it under a name without a comma)"
        )
    names = [n.strip() for n in text.split(",")]
    if not any(names):
        raise argparse.ArgumentTypeError(f"no dataset in {text!r}")
    empty = empty_item_problem(text, "name,name,...")  # as --seeds: was dropped silently
    if empty:
        raise argparse.ArgumentTypeError(empty)
    for name in names:
        _check_grid_keyword(name)
    return tuple(d for n in names for d in DATASET_GROUPS.get(n, [n]))


def _check_grid_keyword(name: str) -> None:
    """ArgumentTypeError, with a did-you-mean, for a ``--datasets`` item that is a grid keyword in
    another case or with a typo (``MuJoCo``, ``mujcoo``) and can be no other dataset: no file or
    folder of that name, no Minari / D4RL id (``/``, ``-vN``), no short name. Probe 157: was the
    loader's "unknown dataset 'MuJoCo'. Valid: a short name […]", after the grid line, with no
    word of the keyword."""
    from rambo_env.data.loaders import SHORT_NAMES

    if name in DATASET_GROUPS or name in SHORT_NAMES or "/" in name or os.sep in name:
        return
    if re.search(r"-v[0-9]+$", name) or os.path.lexists(expand_home(name)):
        return
    hint = did_you_mean(name, list(DATASET_GROUPS))
    if hint:
        raise argparse.ArgumentTypeError(f"unknown dataset {name!r}{hint}; {dataset_groups_text()}")


def parse_algo(text: str) -> str:
    """``--algo``: one of :data:`ALGOS`, with a did-you-mean as cotrain.py's ``--agent`` (probe
    157: ``--algo SAC`` was argparse's plain "invalid choice")."""
    if text in ALGOS:
        return text
    raise argparse.ArgumentTypeError(
        f"unknown agent {text!r}{did_you_mean(text, ALGOS)}; choose from {', '.join(ALGOS)}"
    )


def parse_seeds(text: str) -> tuple[int, ...]:
    items = [s.strip() for s in text.split(",")]
    if not any(items):
        raise argparse.ArgumentTypeError(f"no seed in {text!r}")
    empty = empty_item_problem(text, "0,1,...")  # probe 19: "0," was [0], a seed lost, no word
    if empty:
        raise argparse.ArgumentTypeError(empty)
    try:
        return tuple(int(s) for s in items)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected '0,1,...', got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # probe 134 row 8: --dataset / --seed were taken as --datasets / --seeds
    )
    parser.field_flags = FIELD_FLAGS  # type: ignore[attr-defined]
    grid = parser.add_argument_group("grid")
    grid.add_argument(
        "--datasets",
        type=parse_datasets,
        default=None,
        help="comma-separated names or paths; 'mujoco' = the 12 MuJoCo datasets [hopper-medium]",
    )
    grid.add_argument(
        "--configs",
        type=parse_configs,
        default=None,
        help="(k, λ) configurations as 'k:lam,...' [paper: 2:3e-4,5:3e-4,5:0]",
    )
    seeds = ",".join(map(str, PAPER_SEEDS))
    grid.add_argument("--seeds", type=parse_seeds, default=None, help=f"[{seeds}]")
    run = parser.add_argument_group("every trial's co-training config")
    run.add_argument("--preset", choices=sorted(PRESETS), default=None, help="[default]")
    run.add_argument(
        "--algo", "--agent", type=parse_algo, choices=ALGOS, default=None, help="[sac]"
    )
    run.add_argument(
        "--iterations", type=whole_number, default=None, help="n_iterations [preset's]"
    )
    docs, fields = config_docs(), {f.name: f for f in dataclasses.fields(CotrainConfig)}
    for name in PASS_THROUGH:
        kind = str(fields[name].type)
        # probe 84 row 13: int was argparse's "invalid int value: '1e3'" where cotrain.py takes it
        base = {"int": whole_number, "float": float, "str": str}[kind.split(" ")[0]]
        run.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            type=_optional(base) if "None" in kind else base,
            default=argparse.SUPPRESS,
            help=docs[name],
        )
    ray = parser.add_argument_group("Ray")
    ray.add_argument(
        "--sweep-dir", type=user_path, default=None, help="[runs/sweeps/<algo>-<time>]"
    )
    ray.add_argument(
        "--resume", type=user_path, default=None, metavar="SWEEP_DIR", help="continue it"
    )
    ray.add_argument("--report-only", type=user_path, default=None, metavar="SWEEP_DIR")
    ray.add_argument(  # probe 133: a requeued job's same command was refused ("not empty")
        "--resume-if-started",
        action="store_true",
        help="for a scheduler's requeue (the same command in every job): with --sweep-dir DIR, "
        "continue DIR as --resume DIR does once it holds a sweep (sweep.json), else start the "
        "sweep as the command says",
    )
    ray.add_argument(
        "--address",
        default=None,
        help="join this Ray cluster ('auto', host:port, ray://host:10001; not a dashboard "
        "http:// address) [$RAY_ADDRESS if set, else a local Ray]",
    )
    ray.add_argument("--cpus-per-trial", type=float, default=None, help="[1]")
    ray.add_argument("--gpus-per-trial", type=float, default=None, help="[0]")
    ray.add_argument(
        "--max-concurrent", type=whole_number, default=None, help="[as resources allow]"
    )
    ray.add_argument(
        "--max-failures", type=whole_number, default=None, help="retries of a failed trial [2]"
    )
    ray.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1, help="Tune output [1]")
    return accept_negative_numbers(parser)


def resolve_args(
    args: argparse.Namespace, parser: argparse.ArgumentParser
) -> tuple[SweepSpec, SweepResources, Path]:
    """(spec, resources, sweep folder) of a new sweep from the parsed flags."""
    overrides = {n: getattr(args, n) for n in PASS_THROUGH if hasattr(args, n)}
    if args.algo is not None:
        overrides["algo"] = args.algo
    if args.iterations is not None:
        overrides["n_iterations"] = args.iterations
    preset = args.preset or "default"
    ray_given = {n: getattr(args, n) for n in RESOURCE_FLAGS if getattr(args, n) is not None}
    try:
        base = dataclasses.replace(PRESETS[preset], **overrides)
        if "eval_last" in overrides:  # probe 34 (a preset's default is not refused)
            check_eval_last_given(base)
        spec = SweepSpec(
            ("hopper-medium",) if args.datasets is None else args.datasets,
            PAPER_CONFIGS if args.configs is None else args.configs,
            PAPER_SEEDS if args.seeds is None else args.seeds,
            base,
        )
        resources = SweepResources(**ray_given)
    except ValueError as err:
        parser.error(str(err))
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    # probe 24: two sweeps started in the same second shared one folder (-2 now, as runs do)
    sweep_dir = args.sweep_dir or unused_path(Path("runs/sweeps") / f"{base.algo}-{preset}-{stamp}")
    return spec, resources, sweep_dir


def _sweep_flags_given(args: argparse.Namespace) -> list[str]:
    """Flags that define a new sweep (not allowed with --resume / --report-only)."""
    names = ["datasets", "configs", "seeds", "preset", "algo", "iterations", "sweep_dir"]
    names += [*PASS_THROUGH, *RESOURCE_FLAGS]
    return [f"--{n.replace('_', '-')}" for n in names if getattr(args, n, None) is not None]


#: The sweep's own flags for CotrainConfig fields whose option is not ``--field-name`` (another
#: codebase's name for one, :func:`rambo_env.run_io.unknown_option_hint`; probe 134 row 12).
FIELD_FLAGS = {
    "dataset": "--datasets (a comma-separated list)",
    "seed": "--seeds (a comma-separated list)",
    "adversary_weight": "λ in --configs k:λ (comma-separated (k, λ) pairs, e.g. 5:3e-4)",
    "rollout_length": "k in --configs k:λ (comma-separated (k, λ) pairs, e.g. 5:3e-4)",
    "n_iterations": "--iterations",
    # not a field: cotrain.py's run folder (probe 137: was a bare "unrecognized arguments")
    "run_dir": "--sweep-dir (each trial's run folder is made under it)",
}


#: The flags that take one comma-separated list (toys.py's --seeds / --lam take words).
LIST_FLAGS = {"--datasets": "name,name", "--configs": "k:lam,k:lam", "--seeds": "0,1"}


#: cotrain.py's one-run (k, λ) flags, typed to sweep.py, which takes (k, λ) pairs (probe 125 row 8).
COTRAIN_CONFIG_FLAGS = {
    "--lam": "λ",
    "--lambda": "λ",
    "--adversary-weight": "λ",
    "--k": "k",
    "--rollout-length": "k",
}


#: What a sweep does instead of a cotrain.py setting it has no flag for (probe 136 R3); the other
#: such settings (:func:`_cotrain_only_flag`) are the preset's in every trial.
SWEEP_INSTEAD = {
    "torch_threads": "each trial runs --cpus-per-trial torch threads",
    "progress": "trials draw no progress bars (they log to Ray Tune; --verbose 0/1/2 sets its output)",
    "stop_at_iteration": "every trial runs its --iterations to the end (Ctrl-C stops the sweep, "
    "--resume SWEEP_DIR goes on)",
    "ledger": "a sweep compares its trials with no ledger (scripts/ledger.py compares a "
    "finished trial's run folder with one)",
}


#: What a CotrainConfig field's None is, said for a preset's value (probe 137: "none" read as
#: off for --critic-layer-norm / --compile, whose None is auto).
NONE_MEANS = {
    "critic_layer_norm": f"auto (on for {' / '.join(LAYER_NORM_ALGOS)}, off for the other algos)",
    "compile": f"auto (on for runs of {COMPILE_MIN_ITERATIONS} or more iterations)",
}


def _cotrain_only_flag(parser: argparse.ArgumentParser, flag: str) -> str | None:
    """The message for ``flag``, cotrain.py's option of a CotrainConfig field that sweep.py has
    no option for (``--real-ratio``, ``--no-progress``), else None. Probe 136 R3: argparse's
    spelling match sent ``--real-ratio`` to ``--eval-last``, ``--bc-loss`` to ``--bc-epochs``."""
    name = flag.removeprefix("--")
    name = name.removeprefix("no-") if name.startswith("no-") else name
    field = name.replace("-", "_")
    fields = {f.name: f for f in dataclasses.fields(CotrainConfig)}
    if field not in fields or field in FIELD_FLAGS:
        return None
    if any(action.dest == field for action in parser._actions):
        return None
    instead = SWEEP_INSTEAD.get(field)
    if instead is None:
        values = ", ".join(
            f"{p}: {NONE_MEANS.get(field, 'none') if getattr(cfg, field) is None else getattr(cfg, field)}"
            for p, cfg in sorted(PRESETS.items())
        )
        instead = f"every trial takes its --preset's value ({values})"
    return f"{flag}: sweep.py has no {flag}: it is a cotrain.py setting of one run; {instead}"


def _configs_example(args: argparse.Namespace, argv: list[str], at: int) -> str:
    """sweep.py's ``--configs`` for cotrain.py's ``--k`` / ``--lam`` words from ``argv[at:]``:
    every k given with every λ given, the first dataset's preset for the one not given."""
    given: dict[str, list[str]] = {"k": [], "λ": []}
    what = None
    for word in argv[at:]:
        flag, eq, value = word.partition("=")
        if flag in COTRAIN_CONFIG_FLAGS:
            what = COTRAIN_CONFIG_FLAGS[flag]
            word = value if eq else ""
        elif word.startswith("-") and not NEGATIVE_NUMBER.match(word):
            what = None
        if what is not None:
            given[what] += [w for w in word.split(",") if w.strip()]
    preset = get_preset("hopper-medium")
    with contextlib.suppress(ValueError, TypeError, IndexError):
        preset = get_preset((args.datasets or ("hopper-medium",))[0])
    ks = given["k"] or [str(preset.rollout_length)]
    lams = given["λ"] or [f"{preset.adversary_weight:g}"]
    return ",".join(f"{k}:{lam}" for k in ks for lam in lams)


def grid_text(spec: SweepSpec) -> str:
    """``3 trials = 1 dataset × 3 (k, λ) × 1 seed [2]``: the start line names the grid (probe 125
    row 38: ``--seeds 2`` meant as "two seeds" ran seed 2, and the line said only "3 trials")."""
    seeds = ",".join(map(str, spec.seeds))
    return (
        f"{counted(spec.n_trials, 'trial')} = {counted(len(spec.datasets), 'dataset')} × "
        f"{len(spec.configs)} (k, λ) × {counted(len(spec.seeds), 'seed')} [{seeds}]"
    )


def _check_no_extra_words(
    parser: argparse.ArgumentParser,
    argv: list[str],
    extra: list[str],
    args: argparse.Namespace,
):
    """argparse's "unrecognized arguments: 1 2" for ``--seeds 0 1 2`` (toys.py's space-separated
    form; probe 96a row 76) names the list flag and its comma form; cotrain.py's ``--lam`` /
    ``--k`` get sweep.py's ``--configs k:λ,…`` (probe 125 row 8); other extra words as before."""
    if not extra:
        return
    # probe 125 row 13: the stray word by position (argv.index found an earlier equal word, the
    # "1" of "--iterations 1 --seeds 0 1", and fell back to "unrecognized arguments")
    stray = (stray_words(parser, argv, extra) or [None])[0]
    flag = extra[0].partition("=")[0]
    if flag in COTRAIN_CONFIG_FLAGS:
        at = argv.index(extra[0]) if stray is None else stray.at
        example = _configs_example(args, argv, at)
        parser.error(
            f"{flag}: sweep.py has no {flag}, it runs (k, λ) pairs: give --configs {example} "
            f"(k:λ, comma-separated; cotrain.py's {flag} is one run's)"
        )
    cotrain_only = _cotrain_only_flag(parser, flag)
    if cotrain_only is not None:
        parser.error(cotrain_only)
    # probe 144 row 9: "--resume-if-started yes" was "unrecognized arguments: yes"
    check_switch_with_value(parser, argv, extra)
    if stray is not None and stray.option is not None and not extra[0].startswith("-"):
        flag, _, first = argv[stray.option].partition("=")
        action = stray.action
        if (
            action is not None
            and action.nargs is None
            and action.dest in ("datasets", "configs", "seeds")
        ):
            flag = f"--{action.dest}"
            words = [first] if first else []
            for word in argv[stray.option + 1 :]:
                if word.startswith("--"):
                    break
                words.append(word)
            items = [w.strip(",") for w in words if w.strip(",")]
            # probe 129 row 12: "--seeds 3 3" was told "give --seeds 3,3", which is then
            # refused for its duplicate: a sweep runs each item once
            joined = ",".join(dict.fromkeys(items))
            once = (
                " (each once: a sweep takes no duplicates)" if len(set(items)) < len(items) else ""
            )
            toys = ", toys.py's form" if flag == "--seeds" else ""
            parser.error(
                f"argument {flag}: takes one comma-separated list ('{LIST_FLAGS[flag]}'), got the "
                f"words {' '.join(words)!r} (space-separated{toys}): give {flag} {joined}{once}"
            )
        if action is not None and action.nargs is None:
            # probe 129 row 11: "--iterations 1 1" was only "unrecognized arguments: 1"
            flag = flag if flag in action.option_strings else max(action.option_strings, key=len)
            value = first if first else argv[stray.option + 1]
            word = "word" if len(extra) == 1 else "words"
            parser.error(
                f"argument {flag}: takes one value, got {shown_word(value)} and then the stray "
                f"{word} {' '.join(map(shown_word, extra))}: delete the stray {word} (or give "
                "the option it belongs to)"
            )
    parser.error(unrecognized_arguments(parser, extra))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args, extra = parser.parse_known_args(argv)
    _check_no_extra_words(parser, argv, extra, args)
    try:  # probe 138: sweep.json and each trial run's config.json record the invocation
        return _main(args, parser, script_invocation(__file__, argv))
    except (ValueError, OSError, MissingExtraError) as err:  # bad input, a failed write, no
        return report_user_error(err)  # Ray: one line, no traceback


def _sweep_differences(
    spec: SweepSpec,
    resources: SweepResources,
    saved: SweepSpec,
    saved_resources: SweepResources,
    given: Sequence[str] = (),
) -> list[str]:
    """``--flag value (the sweep's: value)`` for each setting of a command's sweep (``spec``,
    ``resources``) other than a saved one's; precision ``auto`` is the one the sweep resolved at
    its start (as cotrain.py's ``--resume-if-started`` takes it). A resource flag not among
    ``given`` is ``--flag not given`` (probe 136 R4: ``--max-concurrent None``, as if typed)."""
    if spec.base.precision == "auto":
        spec = dataclasses.replace(
            spec, base=dataclasses.replace(spec.base, precision=saved.base.precision)
        )
    flags = {"n_iterations": "--iterations", "rollout_length": "--k", "adversary_weight": "--lam"}
    pairs = [(f"--{n}", getattr(spec, n), getattr(saved, n)) for n in ("datasets", "seeds")]
    # session 56: was (RamboPreset(rollout_length=2, adversary_weight=0.0003),), not the flag's form
    configs = [" ".join(config_flag(c) for c in x) for x in (spec.configs, saved.configs)]
    pairs.append(("--configs", *configs))
    pairs += [
        (flags.get(n, f"--{n.replace('_', '-')}"), mine, theirs)
        for n, mine, theirs in config_differences(spec.base, saved.base, ignore=())
    ]
    mine, theirs = dataclasses.asdict(resources), dataclasses.asdict(saved_resources)
    said = [f"{flag} {a!r} (the sweep's: {b!r})" for flag, a, b in pairs if a != b]
    for name, default in mine.items():
        if default == theirs[name]:
            continue
        flag = f"--{name.replace('_', '-')}"
        if name in given:
            said.append(f"{flag} {default!r} (the sweep's: {theirs[name]!r})")
        else:
            by_default = "" if default is None else f", {default!r} by default"
            said.append(f"{flag} not given{by_default} (the sweep's: {theirs[name]!r})")
    return said


def _resume_if_started(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Path | None:
    """``--resume-if-started``: the sweep folder to continue as ``--resume`` does, when
    ``--sweep-dir DIR`` holds a sweep (its sweep.json) started with this command's settings
    (others are refused, naming them); None when it holds none yet (the sweep starts as the
    command says). As cotrain.py's (probe 102 row 20); probe 133: a requeued job's same command
    was refused ("is not empty; resume it …") at every requeue."""
    if args.resume is not None or args.report_only is not None or args.sweep_dir is None:
        parser.error(
            "--resume-if-started: give it with --sweep-dir DIR and the sweep's flags (the "
            "command every job of a requeued sweep repeats), not with --resume / --report-only"
        )
    sweep_dir = args.sweep_dir
    if not os.path.lexists(sweep_dir / SWEEP_FILE):
        return None
    spec, resources, _ = resolve_args(args, parser)
    given = [n for n in RESOURCE_FLAGS if getattr(args, n) is not None]
    differ = _sweep_differences(spec, resources, *load_sweep(sweep_dir), given)
    if differ:
        parser.error(
            f"--resume-if-started: {sweep_dir} holds a sweep started with other settings: "
            f"{'; '.join(differ)}; give the sweep's own command, or pick a new --sweep-dir"
        )
    return sweep_dir


def _main(
    args: argparse.Namespace,
    parser: argparse.ArgumentParser,
    invocation: dict[str, Any] | None = None,
) -> int:
    if args.resume_if_started:
        started = _resume_if_started(args, parser)
        if started is not None:
            report = sweep_report(started)
            if report.n_expected and not report.missing:  # as cotrain.py's finished run
                print(to_markdown(report))
                print(
                    f"[sweep] {started} already finished all {counted(report.n_expected, 'trial')}"
                    f"; nothing to resume (tables unchanged: {started / 'table.md'})",
                    flush=True,
                )
                return 0
            print(
                f"[sweep] {started} holds a started sweep ({SWEEP_FILE}): resuming it "
                "(--resume-if-started)",
                flush=True,
            )
            # only what a --resume takes: the sweep's flags are its saved ones (compared above)
            args = argparse.Namespace(
                resume=started, report_only=None, address=args.address, verbose=args.verbose
            )
    existing = args.resume or args.report_only
    if args.resume is not None and args.report_only is not None:  # was: "got ['both']"
        parser.error(
            "--resume and --report-only were both given; --resume continues the sweep (and "
            "writes its report at the end), --report-only writes the report without Ray: pick one"
        )
    if existing is not None and _sweep_flags_given(args):
        parser.error(
            f"--resume / --report-only use the saved sweep.json; got {_sweep_flags_given(args)}: "
            "drop them, or, to run another grid (more seeds, datasets or configs), start a new "
            "sweep with another --sweep-dir"  # probe 53: said nothing of how to add seeds
        )
    # the report's curves/<dataset>.png (and every trial's learning curve): before any sweep
    # work (probe 29: a bad MPLBACKEND failed each trial's setup, or the report at the end)
    check_matplotlib()
    if args.report_only is not None:
        return _report_only(args.report_only)
    if args.resume is not None:
        if not os.path.lexists(Path(args.resume) / SWEEP_FILE):  # probe 49: a missing path too
            raise FileNotFoundError(not_a_sweep_text(args.resume))  # before "resuming"
        # probe 148 row 4: each trial's run_cotrain refuses a resume under umask 277: said once
        check_umask_for_run(Path(args.resume), resume=True)
        print(f"[sweep] resuming {args.resume}", flush=True)
        sweep_dir = args.resume

        def sweep() -> SweepOutcome:
            return resume_sweep(
                sweep_dir, address=args.address, verbose=args.verbose, invocation=invocation
            )
    else:
        spec, resources, sweep_dir = resolve_args(args, parser)
        if Path(sweep_dir).is_dir():  # probe 151 row 1: an existing (empty) folder, before Ray
            check_umask_for_run(Path(sweep_dir), resume=False, sweep=True)
        print(f"[sweep] {grid_text(spec)} -> {sweep_dir}", flush=True)

        default_base = sweep_dir

        def sweep() -> SweepOutcome:
            nonlocal sweep_dir
            while True:
                try:
                    return run_sweep(
                        spec,
                        sweep_dir,
                        resources,
                        address=args.address,
                        verbose=args.verbose,
                        invocation=invocation,
                    )
                except FolderInUseError:
                    if args.sweep_dir is not None:
                        raise
                # probe 24: a sweep started in the same second took the default name first
                taken, sweep_dir = sweep_dir, unused_path(default_base)
                print(f"[sweep] {taken} was taken by another sweep: -> {sweep_dir}", flush=True)

    # probe 24: a stopped sweep printed its finished trials' tables as final, exit 0
    try:
        outcome = exit_on_interrupt("sweep", lambda: interrupted_at(sweep_dir), sweep)
    except (ValueError, OSError, MissingExtraError):  # main's one line
        raise
    except Exception as err:  # probe 89 row 20: was the traceback alone (Tuner.fit's error)
        return report_failure("sweep", err, lambda _: failure_left(sweep_dir))
    print(to_markdown(outcome.report))
    if outcome.report.iterations_note:  # probe 46: a trial extended by hand, without a word
        print(f"[sweep] {outcome.report.iterations_note}", flush=True)
    print(
        f"[sweep] {counted(outcome.n_trials, 'trial')}, {outcome.n_errors} errored, {outcome.wall_s:.0f} s"
    )
    print(f"[sweep] tables: {outcome.files['markdown']}, {outcome.files['csv']}")
    for line in outcome.errors:  # probe 32: only Ray's traceback named the cause
        print(f"[sweep] errored trial {line}")
    if outcome.n_errors and outcome.errors_repeat:  # probe 32: --resume repeated the crash
        print(f"[sweep] {ERRORS_REPEAT}")
    elif outcome.n_errors:
        print(f"[sweep] {_continue(sweep_dir)}")
    return 1 if outcome.n_errors else 0


def _report_only(sweep_dir: Path) -> int:
    """Print (and write, unless the sweep is still running) the tables; no Ray: Ctrl-C / SIGTERM
    are ours to report."""
    holder = run_holder(sweep_dir)  # probe 24: a running sweep's files were overwritten
    try:
        with sigterm_as_keyboard_interrupt():
            report = sweep_report(sweep_dir) if holder else write_sweep_report(sweep_dir)[0]
    except KeyboardInterrupt:  # probe 19: was a raw KeyboardInterrupt traceback
        print(
            "[sweep] interrupted: each report file is written whole or not at all, but some "
            "may be missing; rerun the same command",
            file=sys.stderr,
            flush=True,
        )
        return 130
    print(to_markdown(report))
    if holder:
        print(
            f"[sweep] the sweep is still running ({holder_text(sweep_dir, holder)}): these tables "
            "are partial; table.md / table.csv were not written (the sweep writes them when it "
            "ends)" + (f"; {stopped_text(holder)}" if process_stopped(holder, sweep_dir) else "")
        )
    elif report.partial:  # probe 24: a half-finished sweep's tables looked complete
        for trial in report.failed:  # probe 89 row 35: named only as unfinished
            print(f"[sweep] failed trial {trial.trial}: {trial.error}")
        print(f"[sweep] partial tables: {report.partial}; {_failed_advice(report, sweep_dir)}")
    if report.iterations_note:  # probe 46: a trial extended by hand, without a word
        print(f"[sweep] {report.iterations_note}", flush=True)
    return 0


def interrupted_at(sweep_dir: Path) -> str:
    """What ``[sweep] interrupted:`` says: how far the sweep got, and how to continue it."""
    if not (sweep_dir / "sweep.json").is_file():
        return "before the sweep started (no trial ran); rerun the same command"
    try:
        report = sweep_report(sweep_dir)
    except (ValueError, OSError):  # a damaged results.json: --report-only names it
        return _continue(sweep_dir)
    done = report.n_expected - len(report.missing)
    return f"{done} of {report.n_expected} trials finished; {_continue(sweep_dir)}"


def _failed_advice(report: SweepReport, sweep_dir: Path) -> str:
    """How to go on from a partial report, as the sweep's closing lines say it: a diverged
    trial (``error.kind`` in its results.json) fails again on ``--resume``; any other failure
    (a bug, out of memory, a full disk) continues once its cause is fixed. Probe 89 row 35:
    ``--report-only`` advised ``--resume`` for a sweep whose own closing lines said it would
    repeat the errors."""
    if not report.failed:
        return _continue(sweep_dir)
    repeating = [trial.trial for trial in report.failed if trial.repeats]
    if len(repeating) == len(report.failed):
        return f"{counted(len(repeating), 'trial')} failed (diverged): {ERRORS_REPEAT}"
    text = f"{counted(len(report.failed), 'trial')} failed (fix the cause first); "
    text += _continue(sweep_dir)
    if repeating:  # --resume reruns them too, and they diverge again
        text += f" (but {', '.join(repeating)} diverged and would diverge again: {ERRORS_REPEAT})"
    return text


def failure_left(sweep_dir: Path) -> str:
    """What ``[sweep] stopped on this error:`` says after an exception in the sweep driver (a
    bug in it or in Ray Tune): what is kept and how to go on. Probe 89 row 20: a RuntimeError
    of ``Tuner.fit`` was its traceback alone."""
    if not (sweep_dir / SWEEP_FILE).is_file():
        return "before the sweep started (no trial ran); once the cause is fixed, rerun the same command"
    tune_dir = sweep_dir / TUNE_DIR
    try:
        saved = any(tune_dir.glob("experiment_state-*.json"))
    except OSError:
        saved = False
    tune = (
        f"so is Tune's state ({tune_dir}): --resume continues it"
        if saved
        else "Tune's state was not saved: --resume starts the grid afresh from sweep.json, "
        "the finished trials kept"
    )
    where = f"{interrupted_at(sweep_dir)} (once the cause is fixed)"
    return f"{SWEEP_FILE} and the finished trials' run folders are kept; {tune}; {where}"


def _continue(sweep_dir: Path) -> str:
    """``continue with: python scripts/sweep.py --resume SWEEP``, this script as typed (probe 145
    R4: ``python scripts/sweep.py`` was printed also to a sweep started from another folder)."""
    script = script_command(__file__, shell_quote)
    moved = moved_from(sweep_dir)
    if moved is not None:  # probe 65: advised the --resume that a moved folder refuses
        return (
            f"it was made at {moved[0]} (its trials write there): move it back, then continue "
            f"with: {script} --resume {shell_path(moved[0])}"
        )
    return f"continue with: {script} --resume {shell_path(sweep_dir)}"


if __name__ == "__main__":
    tolerant_console()
    sys.exit(main())
