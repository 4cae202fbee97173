"""Generate a D4RL-protocol MuJoCo dataset and save it as a local Minari dataset.

Examples::

    python scripts/make_dataset.py --env hopper --level medium          # shipped medium policy
    python scripts/make_dataset.py --env hopper --level random --n-transitions 100000
    python scripts/make_dataset.py --env walker2d --level medium-replay --train-policy
    python scripts/make_dataset.py --env hopper --level expert --expert-policy runs/expert.pt

The dataset lands in the Minari root ($MINARI_DATASETS_PATH or ~/.minari/datasets) as
``rambo/<env>/<level>-v0`` and is then found by ``rambo_env.load_dataset("<env>-<level>")``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import inspect
import itertools
import json
import os
import sys
import time
import traceback
import warnings
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, get_args, get_type_hints

# The actor sees batches of 16 observations: extra threads only add overhead.
os.environ.setdefault("OMP_NUM_THREADS", "1")

# probe 107 row 9: the clone's own package, not an installed copy (was: two copies in one run)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rambo_env.requirements import check_working_folder, interrupt_quietly_while_importing

interrupt_quietly_while_importing("make_dataset", __name__)  # probe 131 note (a)
check_working_folder()  # before torch, whose import dies raw in a deleted working folder

from rambo_env.command_line import accept_negative_numbers
from rambo_env.data.generate import DEFAULT_N_TRANSITIONS, DEFAULT_N_WORKERS, generate_dataset
from rambo_env.data.scores import ENV_IDS, LEVELS, REF_SCORES
from rambo_env.run_io import (
    RUN_SEED_LIMIT,
    WriteFailedError,
    allocated_cores,
    as_json,
    check_seed,
    on_closed_pipe,
    report_failure,
    report_user_error,
    sigterm_as_keyboard_interrupt,
    status_on_request,
    tolerant_console,
    user_path,
    whole_number,
    with_elsewhere,
)

if TYPE_CHECKING:
    from agents.behaviour import BehaviourConfig


@dataclass(frozen=True)
class Args:
    env: str
    """hopper | halfcheetah | walker2d"""
    level: str
    """random | medium | medium-replay | medium-expert | expert"""
    n_transitions: int = DEFAULT_N_TRANSITIONS
    """transitions to collect (per part for medium-expert; medium-replay uses the whole buffer)"""
    seed: int = 0
    """seed of the env resets, the uniform actions and the policy's action noise"""
    policy: Path | None = None
    """medium behaviour-policy weights (default: the shipped rambo_env/policies/<env>_medium.pt)"""
    expert_policy: Path | None = None
    """expert policy weights, needed by expert / medium-expert unless --train-policy"""
    replay: Path | None = None
    """replay.npz of the behaviour agent (default: <behaviour-dir>/<env>/replay.npz)"""
    train_policy: bool = False
    """train missing behaviour agents online with SB3 SAC (agents.behaviour.train_behaviour)"""
    behaviour_dir: Path = Path("behaviour_runs")
    """where trained behaviour agents, checkpoints and replay buffers are kept"""
    behaviour_steps: int = 400_000
    """SAC step budget when training a medium agent (an expert agent gets 3x)"""
    dataset_id: str | None = None
    """Minari id to save under (default rambo/<env>/<level>-v0)"""
    force: bool = False
    """overwrite an existing dataset"""
    n_envs: int = 16
    """envs stepped together per worker (one batched actor forward per step)"""
    workers: int = DEFAULT_N_WORKERS
    """collection processes in parallel (the data depend on --seed, --workers and --n-envs)"""
    device: str = "cpu"
    """torch device of the behaviour policy"""
    progress: bool = True
    """show progress bars"""


_CHOICES = {"env": list(ENV_IDS), "level": list(LEVELS)}


def _field_docs() -> dict[str, str]:
    """The string literal under each ``Args`` field (CleanRL's habit) becomes its ``--help``."""
    body = ast.parse(inspect.getsource(Args)).body[0].body  # type: ignore[attr-defined]
    return {
        stmt.target.id: nxt.value.value
        for stmt, nxt in itertools.pairwise(body)
        if isinstance(stmt, ast.AnnAssign) and isinstance(nxt, ast.Expr)
    }


#: This script's options of a co-training setting (``--task hopper-medium-v2``, cotrain.py's
#: ``--dataset hopper-medium``): probe 137, was "set it with cotrain.py" / "did you mean
#: '--dataset-id'?" (the Minari id the dataset is saved under, not the one generated).
OWN_FIELD_FLAGS = {
    "dataset": "--env ENV --level LEVEL (hopper-medium: --env hopper --level medium; --dataset-id "
    "is the Minari id the generated dataset is saved under)"
}


def parse_args(argv: list[str] | None = None) -> Args:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # probe 134 row 8: no silent prefix match
    )
    docs, hints = _field_docs(), get_type_hints(Args)
    for f in fields(Args):
        kind = next((t for t in get_args(hints[f.name]) if t is not type(None)), hints[f.name])
        opts: dict = {"help": docs.get(f.name)}
        if f.default not in (MISSING, None) and kind is not bool and "default" not in opts["help"]:
            # probe 88 row 60: --workers / --n-envs printed no default (the README alone said 2)
            opts["help"] += f" (default: {f.default})"
        if f.name in _CHOICES:  # BooleanOptionalAction takes no choices= (Python 3.14 refuses it)
            opts["choices"] = _CHOICES[f.name]
        opts.update({"required": True} if f.default is MISSING else {"default": f.default})
        kind = user_path if kind is Path else kind  # ~ expanded
        kind = whole_number if kind is int else kind  # probe 50 row 29: 1e3 was refused
        opts.update({"action": argparse.BooleanOptionalAction} if kind is bool else {"type": kind})
        parser.add_argument("--" + f.name.replace("_", "-"), **opts)
    parser.field_flags = OWN_FIELD_FLAGS  # type: ignore[attr-defined]
    parser.field_notes = {"dataset": ""}  # type: ignore[attr-defined]
    # probe 55 row 41: '--env hopper --env walker2d' took the last one without a word
    return Args(**vars(accept_negative_numbers(parser).parse_args(argv)))


def train_agent(args: Args, kind: str) -> Path:
    """Train a behaviour agent (SB3 SAC) until its return enters the band; returns its run dir.

    An agent already trained there with the same settings is reused, not retrained; one trained
    with other settings, or killed part-way, continues from its last save. Each case is said
    first (probe 28: all were silent, and an agent trained with the same settings was trained on
    from its last save and its chosen actor replaced)."""
    from agents.behaviour import BandMissedWarning, check_out_dir_free, train_behaviour

    out, cfg = _agent_plan(args, kind)
    band, steps = cfg.band, cfg.max_steps
    check_out_dir_free(
        out, "--behaviour-dir"
    )  # probe 89 row 36: its files are another live training's
    line, reuse = _existing_agent(out, kind, cfg)
    if line is not None:
        print(f"[make_dataset] {line}", flush=True)
    if reuse:  # its chosen actor is there: nothing to train
        return out
    if line is not None and _REPLACES in line:  # probe 72 row 14: a new training killed part-way
        _remove_agent_files(out, kind)  # left the old agent's behaviour.json and chosen actor
        # beside the new agent's checkpoints: a folder describing two agents
    if line is None:
        print(
            f"[make_dataset] training the {kind} behaviour agent ({steps} SAC steps max) -> {out}"
        )
    # A killed training run continues from its last save (out/resume, every cfg.save_freq steps).
    with warnings.catch_warnings():  # its own WARNING below says what to do with the flags
        warnings.simplefilter("ignore", BandMissedWarning)
        try:
            summary = train_behaviour(
                cfg, out, progress_bar=args.progress, resume=True, actor_file=f"{kind}_actor.pt"
            )
        except WriteFailedError as err:  # probe 69 row 31: was "write elsewhere: --run-dir,
            raise with_elsewhere(err, "--behaviour-dir") from err  # RAMBO_ENV_CACHE", not ours
    print(f"[make_dataset] chosen checkpoint: {summary['chosen']} (in band: {summary['in_band']})")
    if not summary["in_band"]:  # probe 29: said only inside the line above
        chosen = summary["chosen"]
        # probe 54: with fewer steps than one save interval no resume save exists, and the advice
        # "continues from its last save" was wrong (the rerun trained from step 0)
        then = (
            "the training continues from its last save"
            if steps >= cfg.save_freq
            else f"it made no resume save (one every {cfg.save_freq} SAC steps), so the rerun "
            "trains from step 0"
        )
        print(
            f"[make_dataset] WARNING: the {kind} agent's return never entered the {kind} band "
            f"[{band[0]:g}, {band[1]:g}] in {steps} SAC steps; its closest checkpoint (step "
            f"{chosen.get('step')}, return {chosen.get('return_mean')}) collects this dataset, "
            f"which is therefore not {kind}-level (D4RL's protocol): raise --behaviour-steps "
            f"({then}) and rerun with --force",
            file=sys.stderr,
            flush=True,
        )
    return out


def _agent_plan(args: Args, kind: str) -> tuple[Path, BehaviourConfig]:
    """The folder and settings of the ``kind`` ("medium" / "expert") behaviour agent that
    ``--train-policy`` trains (or reuses) for ``args``."""
    from agents.behaviour import MEDIUM_BANDS, BehaviourConfig

    expert_return = REF_SCORES[args.env][1]
    band = (
        MEDIUM_BANDS[args.env] if kind == "medium" else (0.9 * expert_return, 1.5 * expert_return)
    )
    steps = args.behaviour_steps if kind == "medium" else 3 * args.behaviour_steps
    out = args.behaviour_dir / (args.env if kind == "medium" else f"{args.env}-expert")
    return out, BehaviourConfig(ENV_IDS[args.env], band=band, max_steps=steps, seed=args.seed)


def _agents_used(args: Args) -> list[str]:
    """The behaviour agents ("medium" / "expert") that :func:`generate` trains or reuses."""
    if not args.train_policy:
        return []
    medium = (args.level == "medium" and args.policy is None) or (
        args.level == "medium-replay" and args.replay is None
    )
    expert = args.level in ("expert", "medium-expert") and args.expert_policy is None
    return ["medium"] * medium + ["expert"] * expert


#: What ``train_behaviour`` writes in an agent's folder: files, then folders.
_AGENT_FILES, _AGENT_FOLDERS = ("replay.npz", "behaviour.json"), ("checkpoints", "resume")


def _remove_agent_files(agent_dir: Path, kind: str) -> None:
    """Remove what a finished training left in ``agent_dir`` (its files, its chosen actor and its
    checkpoints), before a new agent of other settings is trained there."""
    import shutil

    for path in (*(agent_dir / name for name in _AGENT_FILES), actor_file(agent_dir, kind)):
        path.unlink(missing_ok=True)
    for name in _AGENT_FOLDERS:
        if (agent_dir / name).is_dir() and not (agent_dir / name).is_symlink():
            shutil.rmtree(agent_dir / name)


def check_agent_files(args: Args) -> None:
    """Before any training or collection, for each behaviour agent ``--train-policy`` uses: the
    file it reuses from an earlier run (the chosen actor, or medium-replay's ``replay.npz``) loads,
    and, where it trains, no folder sits where a file goes (or a file where a folder goes).

    Probe 30: a damaged reused file (0 bytes, junk) failed after the reuse with "… re-create it
    (scripts/make_dataset.py --train-policy)", which reused the same file again; a folder at
    ``medium_actor.pt`` failed only after the whole training (hours), leaving ``checkpoints/``."""
    import dataclasses

    from rambo_env.data.generate import load_behaviour_policy
    from rambo_env.data.loaders import read_npz, validate_for_env
    from rambo_env.run_io import check_file_or_absent, check_readable, refuse_broken_link

    env_id = ENV_IDS[args.env]
    for kind in _agents_used(args):
        out, cfg = _agent_plan(args, kind)
        replay = out / "replay.npz"
        if args.level == "medium-replay" and replay.is_file():  # generate reuses it as it is
            check_readable(replay, "behaviour_dir")  # not "damaged": chmod fixes it
            try:
                validate_for_env(dataclasses.replace(read_npz(replay), env_id=env_id))
            except ValueError as err:
                raise ValueError(_damaged(replay, "replay buffer", kind, out, err)) from None
            continue
        if _existing_agent(out, kind, cfg)[1]:  # its chosen actor is reused as it is
            actor = actor_file(out, kind)
            check_readable(actor, "behaviour_dir")
            try:
                load_behaviour_policy(actor, "cpu", env_id)
            except ValueError as err:
                raise ValueError(_damaged(actor, "chosen actor", kind, out, err)) from None
            continue
        hint = (
            f"--train-policy writes the {kind} agent's files in {out}: move it away (or pass "
            "another --behaviour-dir)"
        )
        # issue 14: a broken link at the agent's folder failed with a raw "File exists", one at
        # its checkpoints/ or resume/ only after the first checkpoint's training
        for path in (out / name for name in _AGENT_FOLDERS):
            refuse_broken_link(path, "behaviour_dir: ")
        if out.exists() and not out.is_dir():
            raise ValueError(f"behaviour_dir: {out} is a file, not a folder; {hint}")
        for name in (f"{kind}_actor.pt", *_AGENT_FILES):
            check_file_or_absent(out / name, "behaviour_dir", hint)
        for name in _AGENT_FOLDERS:
            if (out / name).exists() and not (out / name).is_dir():
                raise ValueError(f"behaviour_dir: {out / name} is a file, not a folder; {hint}")


#: The hidden layers of SB3 SAC's default MlpPolicy actor, which ``train_behaviour`` trains.
_ACTOR_HIDDEN = (256, 256)


def check_behaviour_room(args: Args) -> None:
    """:class:`WriteFailedError` naming ``--behaviour-dir`` when its disk has less free room than
    a lower bound of what the behaviour agents to train (not those reused) write: each one's
    chosen actor, its weights alone (the latent layers, then the mean and log-std heads)."""
    from rambo_env.data.generate import env_dims
    from rambo_env.run_io import check_free_space, counted

    todo = []
    for kind in _agents_used(args):
        out, cfg = _agent_plan(args, kind)
        if args.level == "medium-replay" and (out / "replay.npz").is_file():
            continue  # generate reads that buffer, training nothing
        if not _existing_agent(out, kind, cfg)[1]:  # not reused: trained
            todo.append((kind, out))
    if not todo:
        return
    obs_dim, action_dim = env_dims(args.env)
    sizes = (obs_dim, *_ACTOR_HIDDEN)
    params = sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))
    params += 2 * (_ACTOR_HIDDEN[-1] + 1) * action_dim
    kind, out = todo[0]
    check_free_space(
        actor_file(out, kind),
        4 * params * len(todo),
        f"the training of {counted(len(todo), 'behaviour agent')} (its chosen actor)"
        if len(todo) == 1
        else f"the training of {counted(len(todo), 'behaviour agent')} (their chosen actors)",
        elsewhere="--behaviour-dir",
    )


def _damaged(path: Path, what: str, kind: str, out: Path, err: Exception) -> str:
    """The error for a damaged file that ``--train-policy`` would reuse: remove it (naming it),
    never "re-create it with --train-policy", which reuses it again."""
    from rambo_env.run_io import problem_of

    return (
        f"behaviour_dir: {path} (the {kind} agent's {what}, which --train-policy reuses from an "
        f"earlier run) is damaged ({problem_of(err, path)}); remove that file (rm {path}) so that "
        f"--train-policy makes it again, or move {out} away (or pass another --behaviour-dir) to "
        "train a new agent"
    )


def actor_file(agent_dir: Path, kind: str) -> Path:
    """The chosen actor of the ``kind`` ("medium" / "expert") agent trained in ``agent_dir``:
    ``<kind>_actor.pt``, or, for an expert trained before probe 28 (which saved it as
    ``medium_actor.pt``), that older file when it is the only one."""
    path, legacy = agent_dir / f"{kind}_actor.pt", agent_dir / "medium_actor.pt"
    return legacy if kind == "expert" and not path.is_file() and legacy.is_file() else path


def _trained(agent_dir: Path) -> tuple[dict | None, str]:
    """The saved settings (``behaviour.json``'s "config") of the agent trained in ``agent_dir``
    and the " (trained with max_steps N, in band: …)" that describes it; ``(None, "")`` when that
    file is missing or damaged."""
    try:
        summary = json.loads((agent_dir / "behaviour.json").read_text(encoding="utf-8"))
        config = summary.get("config", {})
        steps, in_band = config.get("max_steps"), summary.get("in_band")
        told = f" (trained with max_steps {steps}, in band: {in_band})"
    except (OSError, ValueError, AttributeError):
        return None, ""
    return config, told


_RETRAIN = "move that folder away (or pass another --behaviour-dir) to train a new one"
#: The words of :func:`_existing_agent`'s line when a new agent replaces a finished one.
_REPLACES = "that replaces it (its files are removed first)"


def _reused(agent_dir: Path, replay: Path) -> str:
    """The line that says which trained agent's replay buffer medium-replay reuses."""
    return (
        f"reusing {replay}, the replay buffer of the medium agent already trained in "
        f"{agent_dir}{_trained(agent_dir)[1]}; --behaviour-steps does not retrain it: {_RETRAIN}"
    )


def _existing_agent(agent_dir: Path, kind: str, cfg: BehaviourConfig) -> tuple[str | None, bool]:
    """What :func:`train_agent` does with what ``agent_dir`` already holds (probe 28): the line
    that says so and whether that is to reuse a finished agent of the same settings (True), or
    to continue one of other settings, or a killed one, from its last save, or to train a new
    one over a finished agent that left no save (False); ``(None, False)`` for a fresh training."""
    from dataclasses import asdict

    actor = actor_file(agent_dir, kind)
    old_name = (
        f"; its actor is {actor.name}, the name older versions gave an expert's actor"
        if actor.name != f"{kind}_actor.pt"
        else ""
    )
    try:  # the step of the last save (a damaged state.json is named by train_behaviour)
        step = json.loads((agent_dir / "resume" / "state.json").read_text(encoding="utf-8"))[
            "num_timesteps"
        ]
    except FileNotFoundError:
        step, saved = None, None
    except (OSError, ValueError, TypeError, KeyError):
        step, saved = None, " from its last save"
    else:
        saved = " from its last save" + (f" (step {step})" if isinstance(step, int) else "")
    files = (agent_dir / "behaviour.json", actor, agent_dir / "replay.npz")  # a finished one's
    if not all(path.is_file() for path in files):
        if saved is None:
            return None, False
        return (
            f"continuing the {kind} agent's training in {agent_dir} (a run that did not finish)"
            f"{saved} up to max_steps {cfg.max_steps}; {_RETRAIN} from step 0"
        ), False
    config, told = _trained(agent_dir)
    if not isinstance(config, dict) and saved is None:  # probe 29: was "other settings" and
        raise ValueError(  # a new agent trained from step 0 replaced the finished one
            f"behaviour_dir: {agent_dir / 'behaviour.json'} is damaged (not the summary a "
            f"finished training writes), so whether the {kind} agent there was trained with "
            f"these settings is unknown; restore that file, or {_RETRAIN}"
        )
    wanted = as_json(asdict(cfg))  # as behaviour.json holds it (lists; null for None and ±inf)
    if config == wanted:
        return (
            f"reusing the {kind} agent already trained in {agent_dir}{told}{old_name}; "
            f"--behaviour-steps does not retrain it: {_RETRAIN}"
        ), True
    if isinstance(config, dict):  # which settings differ
        changed = ", ".join(f"{k} {config.get(k)} -> {v}" for k, v in wanted.items()
                            if config.get(k) != v)  # fmt: skip
        told = f"{told[:-1]}; now {changed})"
    if saved is None:
        return (
            f"the {kind} agent already trained in {agent_dir}{told}{old_name} has other settings "
            f"and no resume save: training a new one from step 0 (max_steps {cfg.max_steps}) "
            f"{_REPLACES}; move that folder away (or pass another --behaviour-dir) to keep it"
        ), False
    if isinstance(step, int) and step >= cfg.max_steps:  # train_behaviour: learn() no steps
        plan = f", past max_steps {cfg.max_steps} (no more steps: a checkpoint is chosen again)"
    else:
        plan = f" up to max_steps {cfg.max_steps}"
    return (
        f"continuing the training of the {kind} agent already trained in {agent_dir}{told}"
        f"{old_name}{saved}{plan}, and replacing its chosen actor; {_RETRAIN} from step 0"
    ), False


def check_args(args: Args) -> str | None:
    """Every user value, before any behaviour-agent training or collection. Returns the notice
    of a Minari root that did not exist before this call (:func:`absent_root_note`), else None."""
    from rambo_env.data.generate import (
        check_generation_memory,
        check_level_inputs,
        check_n_envs,
        check_n_workers,
        check_policy_files,
        check_storage_dependencies,
        default_dataset_id,
    )
    from rambo_env.data.minari_io import (
        absent_root_note,
        check_dataset_id,
        check_dataset_place,
        check_minari_root,
        check_replaceable,
        check_trash_elsewhere,
        minari_dataset_path,
    )
    from rambo_env.dynamics.ensemble import check_device
    from rambo_env.run_io import check_torch_compile_cache, check_writable

    for name, low in (
        ("seed", 0),
        ("n_transitions", 2),  # probe 32: 1 wrote a dataset no trainer accepts
        ("n_envs", 1),
        ("workers", 1),
        ("behaviour_steps", 1),
    ):
        if getattr(args, name) < low:
            raise ValueError(f"{name}: expected >= {low}, got {getattr(args, name)}")
    # was: torch's raw "Overflow when unpacking long long"; probe 32: 2**32 was accepted here
    # but refused by cotrain / toys / sweep: one --seed range in every script
    check_seed(args.seed, limit=RUN_SEED_LIMIT)
    check_storage_dependencies()  # probe 115: a broken h5py was found after the collection
    if args.level == "medium-replay":  # probe 19: was silently ignored (the whole buffer saved)
        for name in ("n_transitions", "n_envs", "workers"):
            if getattr(args, name) != Args.__dataclass_fields__[name].default:
                raise ValueError(
                    f"{name} (--{name.replace('_', '-')}): {getattr(args, name)} is not used: "
                    "level 'medium-replay' is the behaviour agent's whole replay buffer (as in "
                    "D4RL), read from a file, not collected; leave the flag out"
                )
    if args.train_policy:  # was: "min() arg is an empty sequence" after the training
        from agents.behaviour import BehaviourConfig

        BehaviourConfig(ENV_IDS[args.env], (0.0, 0.0), max_steps=args.behaviour_steps)
    check_n_workers(args.workers, args.n_transitions, "workers")
    check_n_envs(args.n_envs)
    check_generation_memory(args.env, args.level, args.n_transitions)  # before any training
    check_level_inputs(
        args.level,
        policy_path=args.policy,
        expert_policy_path=args.expert_policy,
        replay_path=args.replay,
    )
    if args.train_policy and args.level == "random":  # was: silently nothing trained
        raise ValueError("train_policy (--train-policy): level 'random' uses no behaviour agent")
    reads_dir = args.train_policy or (args.level == "medium-replay" and args.replay is None)
    for name, used in (("behaviour_steps", args.train_policy), ("behaviour_dir", reads_dir)):
        if not used and getattr(args, name) != Args.__dataclass_fields__[name].default:
            flag = "--" + name.replace("_", "-")  # was: silently ignored (the shipped policy ran)
            raise ValueError(
                f"{name} ({flag}): {getattr(args, name)} is not used: level {args.level!r} "
                f"{'with --replay ' if args.replay is not None else ''}trains no behaviour agent "
                "without --train-policy; add --train-policy, or leave the flag out"
            )
    check_device(args.device, "--device")
    # probe 90 row 24: an actor file for other action bounds was found after both parts' collection
    check_policy_files(
        args.env, args.device, policy_path=args.policy, expert_policy_path=args.expert_policy
    )
    dataset_id = check_dataset_id(  # '' is refused (was: silently the default id)
        default_dataset_id(args.env, args.level) if args.dataset_id is None else args.dataset_id
    )
    absent = absent_root_note(dataset_id)  # probe 49: was made without a word; before it is made
    check_dataset_place(dataset_id)  # no file on that path (was: found after the training)
    check_trash_elsewhere(dataset_id, args.force)  # probe 129 row 5: before training
    if minari_dataset_path(dataset_id).exists() and not args.force:  # before training agents
        raise FileExistsError(
            f"dataset_id: {dataset_id!r} already exists at {minari_dataset_path(dataset_id)}; "
            "use --force to overwrite"
        )
    check_replaceable(dataset_id)  # probe 34: --force deleted a run made inside the folder
    check_minari_root()  # where the dataset is written
    if args.train_policy:  # where behaviour agents, their checkpoints and replay buffers go
        check_writable(args.behaviour_dir, "behaviour_dir:", "pass a writable --behaviour-dir")
        check_torch_compile_cache()  # SAC's optimizers import torch._dynamo, which makes it
        check_agent_files(args)  # a damaged reused file, a folder where a file goes
        check_behaviour_room(args)  # probe 69 row 31: was found at the first checkpoint
    return absent


def _agent_left(out: Path, kind: str) -> str | None:
    """What a behaviour training stopped by an error keeps in ``out`` (None: nothing there)."""
    from agents.behaviour import BehaviourConfig

    checkpoints = len(list((out / "checkpoints").glob("actor_*.pt")))
    if not checkpoints and not (out / "resume").is_dir():
        return None
    kept = f"the {kind} behaviour agent's folder {out} keeps {checkpoints} actor checkpoint(s)"
    if (out / "resume").is_dir():
        return f"{kept} and its resume save: the rerun continues its training from there"
    every = BehaviourConfig.__dataclass_fields__["save_freq"].default
    return (
        f"{kept} but no resume save yet (one every {every} SAC steps): the rerun trains it "
        "again from step 0"
    )


def saved_here(args: Args, since: float) -> bool:
    """The dataset of ``args`` was written by this command (its folder is newer than ``since``)."""
    from rambo_env.data.generate import default_dataset_id
    from rambo_env.data.minari_io import minari_dataset_path

    path = minari_dataset_path(args.dataset_id or default_dataset_id(args.env, args.level))
    try:
        return path.is_dir() and path.stat().st_mtime >= since
    except OSError:
        return False


def saved_line(args: Args, since: float) -> str | None:
    """``"the dataset … WAS saved …"`` when this command saved it, else None: what a closed
    stdout pipe after the save says (probe 91 row 15: was "so the script stopped", status 2)."""
    from rambo_env.data.generate import default_dataset_id
    from rambo_env.data.minari_io import named_root

    if not saved_here(args, since):
        return None
    dataset_id = args.dataset_id or default_dataset_id(args.env, args.level)
    return f"the dataset {dataset_id} WAS saved in the Minari root {named_root()}: it is complete"


def failure_left(args: Args, since: float, err: BaseException) -> str:
    """What a make_dataset stopped by an exception (not a user error) left, and what to run:
    the dataset saved before the error (it came in the optional flat cache), or nothing saved,
    with a behaviour training's files and a worker's out-of-memory remedy. Probe 86 rows 2, 4,
    22, 25: a bare traceback; after a saved dataset it looked like a failed generation."""
    from rambo_env.data.generate import default_dataset_id
    from rambo_env.data.minari_io import named_root

    dataset_id = args.dataset_id or default_dataset_id(args.env, args.level)
    if saved_here(args, since):
        with contextlib.suppress(OSError):
            frames = traceback.extract_tb(err.__traceback__)  # the call, or the function
            cache = any("write_flat_cache" in f"{f.name} {f.line}" for f in frames)
            where = "it came in writing its flat cache" if cache else "it came after the save"
            return (
                f"the dataset {dataset_id} WAS saved in the Minari root {named_root()} before "
                f"this error ({where}); load_dataset reads it from its Minari files (the flat "
                "cache, an optional copy for a faster first read, is written then): no need "
                "to rerun"
            )
    said = ["no dataset was saved (a collection is not kept half-done)"]
    if args.train_policy:
        for kind in ("medium", "expert"):
            out = args.behaviour_dir / (args.env if kind == "medium" else f"{args.env}-expert")
            with contextlib.suppress(OSError):
                if (line := _agent_left(out, kind)) is not None:
                    said.append(line)
    remedy = ""
    if isinstance(err, MemoryError):
        remedy = " with fewer --workers / --n-envs (or a smaller --n-transitions)"
    said.append(f"once the cause is fixed, rerun the same command{remedy}")
    return "; ".join(said)


def status_line(args: Args, since: float) -> str:
    """Where a make_dataset stands, for the status line SIGUSR1 prints
    (:func:`run_io.status_on_request`)."""
    from rambo_env.data.generate import default_dataset_id

    dataset_id = args.dataset_id or default_dataset_id(args.env, args.level)
    return (
        f"making {dataset_id} ({args.n_transitions} transitions, {args.workers} worker(s)), "
        f"{time.time() - since:.0f} s elapsed"
    )


def workers_note(args: Args) -> str | None:
    """A note when the collection starts more worker processes than this job was allotted cores
    (``SLURM_CPUS_PER_TASK``, a cgroup quota, the CPU affinity: :func:`allocated_cores`, as
    cotrain's thread count), else None. The default stays 2 whatever the allotment: the data
    depend on ``--workers`` (each worker draws its own seed stream), so a 1-CPU job makes the
    same dataset as a 2-CPU one. Probe 133: 2 processes on a 1-CPU allocation without a word."""
    if args.level == "medium-replay":  # read from a file: no workers
        return None
    cores, source = allocated_cores()
    if args.workers <= cores:
        return None
    given = "" if args.workers != DEFAULT_N_WORKERS else " (the default)"
    return (
        f"[make_dataset] note: {args.workers} collection worker processes{given} on "
        f"{cores} allotted core(s){f' ({source})' if source else ''}: they take turns, no "
        f"faster than {cores}; kept so that every allocation makes the same data (they depend "
        f"on --workers: --workers {cores} would start {cores} but make another dataset)"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    since = time.time()
    on_closed_pipe("make_dataset", lambda: saved_line(args, since))
    try:
        from rambo_env.data.minari_io import removing_new_root

        # was: SIGTERM left the workers collecting; probe 49: a failed or interrupted run
        # leaves no new, empty Minari root behind
        # probe 102 row 6: SIGUSR1 (Slurm --signal=USR1@60) was the default kill, its lock left;
        # now a status line, as cotrain's
        with (
            sigterm_as_keyboard_interrupt(),
            status_on_request("make_dataset", lambda: status_line(args, since)),
            removing_new_root(),
        ):
            absent = check_args(args)
            if absent is not None:  # probe 49: before any training or collection
                print(absent, flush=True)
            if (note := workers_note(args)) is not None:
                print(note, flush=True)
            generate(args)
    except (ValueError, OSError) as err:  # bad input, a failed write (full disk): one line
        return report_user_error(err)
    except KeyboardInterrupt:  # Ctrl-C / SIGTERM: was a raw traceback
        # probe 30: the training clause was printed when no --train-policy training ran
        training = (
            " (the behaviour training continues from its last save)" if args.train_policy else ""
        )
        print(
            "[make_dataset] interrupted: no dataset was saved and the collection workers were "
            f"stopped{training}; rerun the same command",
            file=sys.stderr,
            flush=True,
        )
        return 130
    except Exception as err:  # a bug, out of memory: its line, then what is kept (probe 86)
        return report_failure("make_dataset", err, lambda e: failure_left(args, since, e))
    return 0


def generate(args: Args) -> None:
    policy, expert, replay = args.policy, args.expert_policy, args.replay
    medium_dir = args.behaviour_dir / args.env
    if args.level == "medium-replay" and replay is None:
        replay = medium_dir / "replay.npz"
        if not replay.is_file() and args.train_policy:
            train_agent(args, "medium")
        elif args.train_policy:  # probe 27: an old agent's buffer was reused without a word
            print(f"[make_dataset] {_reused(medium_dir, replay)}", flush=True)
    if args.level == "medium" and args.train_policy and policy is None:
        policy = actor_file(train_agent(args, "medium"), "medium")
    if args.level in ("expert", "medium-expert") and expert is None and args.train_policy:
        # probe 28: expert_actor.pt (was medium_actor.pt, which an older expert folder may hold)
        expert = actor_file(train_agent(args, "expert"), "expert")
    generate_dataset(
        args.env,
        args.level,
        n_transitions=args.n_transitions,
        seed=args.seed,
        policy_path=policy,
        expert_policy_path=expert,
        replay_path=replay,
        dataset_id=args.dataset_id,
        force=args.force,
        n_envs=args.n_envs,
        n_workers=args.workers,
        progress=args.progress,
        device=args.device,
    )


if __name__ == "__main__":
    tolerant_console()
    sys.exit(main())
