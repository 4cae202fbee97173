"""RAMBO co-training, the library entry point: :class:`CotrainConfig` + :func:`run_cotrain`.

``scripts/cotrain.py`` and the Ray Tune sweep both call :func:`run_cotrain`; there is no second
training loop. A run is Alg. 1 wired into SB3 (see ``docs/ARCHITECTURE.md``): the learned MDP
(line 1) as a 50 000-row VecEnv, an ordinary SB3 / sb3-contrib agent with the mixed buffer
(lines 3-4), :class:`~agents.callback.RamboCallback` for the adversary (line 5) and
:class:`~agents.run_callbacks.RunMonitorCallback` for evaluation, logging and checkpoints.

Checkpoint (``<run_dir>/checkpoint.pt``, written atomically after every iteration) holds: the
agent's networks and optimizers (SB3 ``_get_torch_save_params``: policy, actor/critic
optimizers, entropy coefficient and its optimizer), its counters (``num_timesteps``,
``_n_updates``), the ensemble weights (adversarially trained, incl. elite indices), the
adversary's Adam state and generators, the mixed buffer's real-row generator, the TD3/DDPG
noise generator, the callback's counters and Q generator, the global python/numpy/torch RNG
states, the run history (Q per iteration, evaluations, times), and since session 32 the model pool
of synthetic transitions (its filled rows: ~140 MB at paper sizes, 0.15-0.3 s to write) and where
the model rollouts stand (the rows' states, step counts and generator; SB3's last observation).
So a resumed run continues exactly as the uninterrupted one (probe 55 row 45: it drew other
rollout starts and trained on a refilled pool); a checkpoint without the pool (older) resumes
with the pool refilled by the next rollout and reseeded rollout starts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import math
import os
import shutil
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from stable_baselines3.common.logger import KVWriter, Logger, TensorBoardOutputFormat

from agents import timing
from agents.buffer import real_share_off, recorded_run
from agents.callback import ADVERSARY_STEPS_ATTR, is_non_finite_actor_error
from agents.cotrain_setup import (
    COMPILE_MIN_ITERATIONS,
    CotrainConfig,
    Session,
    build_session,
    check_device,
    config_from_dict,
    config_to_dict,
    library_versions,
)
from agents.factory import COMPILED_ALGOS
from agents.fused import draws_global_rng, normalised_inputs, python_optimizer_numbers
from agents.run_callbacks import EvalSchedule, RunHistory, RunMonitorCallback
from rambo_env import command_line, curves, provenance, run_io
from rambo_env.adversary import NonFiniteModelError
from rambo_env.compile import compile_disabled, ran_compiled
from rambo_env.data.loaders import absolute_dataset
from rambo_env.evaluation import N_FINAL_EVALS, evaluate_policy, evaluation_seed, final_score
from rambo_env.heuristics import rambo_off_terms
from rambo_env.ledger import SAVED_BEFORE_FIELD
from rambo_env.logging import note
from rambo_env.presets import BASE_HYPERPARAMETERS
from rambo_env.progress import stop_stale_rich_bars
from rambo_env.requirements import dirty_note
from rambo_env.umask import owner_denied

__all__ = [
    "EXTEND_FIELDS",
    "PRESETS",
    "SESSION_FIELDS",
    "CotrainConfig",
    "RunInterrupted",
    "config_differences",
    "failure_message",
    "load_config",
    "load_session",
    "non_finite_actor",
    "run_cotrain",
    "same_settings_runs",
]

#: Fields that may change when a run is resumed (how it runs, not what it computes).
SESSION_FIELDS = (
    "device",
    "torch_threads",
    "compile",
    "stop_at_iteration",
    "progress",
    "ledger",
    "q_limit",  # the stop rule: a larger one continues a run that diverged (probe 33)
)
#: Fields a resumed run may change to extend it (``--resume RUN --n-iterations 500``).
EXTEND_FIELDS = ("n_iterations",)

#: Named presets. ``default``: 11-51 min measured on a 2-core CPU, dataset generation included
#: (see :class:`CotrainConfig`); ``paper``: the full protocol of App. B (2000 iterations,
#: MLE to convergence, 50 BC epochs).
PRESETS: dict[str, CotrainConfig] = {
    "default": CotrainConfig(),
    "paper": CotrainConfig(
        n_iterations=2000,
        eval_every=10,
        mle_max_epochs=None,
        mle_max_time_s=None,
        mle_max_steps=None,
        bc_max_steps=None,
    ),
}


def critic_line(cfg: CotrainConfig) -> str:
    """Which critic the run trains (README deviation 15), said at the start of every run."""
    if not cfg.uses_critic_layer_norm:
        why = (
            "as set"
            if cfg.critic_layer_norm is False
            else f"auto: {cfg.algo} has no LayerNorm option"
        )
        return f"critics: the library's / official MLP ({why})"
    why = "as set" if cfg.critic_layer_norm else f"auto for {cfg.algo}"
    return (
        f"critics: LayerNorm after each hidden layer ({why}; README deviation 15 — the official "
        "critic's average Q runs away; the official critic: --no-critic-layer-norm)"
    )


def precision_line(cfg: CotrainConfig, kept: bool = False) -> str:
    """The dynamics ensemble's precision and why (issue 12), said at the start of every run;
    ``kept``: a resumed run's precision, resolved when the run started (its config.json)."""
    resolved = cfg.uses_precision
    if kept:
        why = "the run's own, resolved when it started (config.json)"
    elif cfg.precision != "auto":
        why = "as set" if resolved == "fp32" else "as set; mixed: fp32 weights, heads and losses"
    elif resolved == "bf16":
        why = "auto: this hardware has native bf16; mixed: fp32 weights, heads and losses"
    else:
        why = "auto: no native bf16 here"
    official = "" if resolved == "fp32" else "; --precision fp32 = the official precision"
    return f"dynamics ensemble: {resolved} ({why}{official})"


def compile_line(cfg: CotrainConfig) -> str:
    """Whether the loss functions are compiled (issue 12), said at the start of every run."""
    if cfg.compile is None:
        why = f"auto: {run_io.counted(cfg.n_iterations, 'iteration')} {'>=' if cfg.uses_compile else '<'} {COMPILE_MIN_ITERATIONS}"
    else:
        why = "as set"
    what = "adversary + MLE" + (" + SAC" if cfg.algo in COMPILED_ALGOS else "") + " losses"
    if cfg.uses_compile and (off := compile_disabled()) is not None:  # probe 73 row 6: was
        return f"{what}: eager, although compile is on ({why}): {off}, so torch compiles nothing"
    if cfg.uses_compile:
        return f"{what}: torch.compile ({why}; the first compile takes about a minute; --no-compile = eager)"
    return f"{what}: eager ({why}; --compile for long runs)"


def _run_dir_arg(run_dir: Any) -> Path:
    """``run_dir`` as a Path; one ValueError for anything else (was: os.fspath's raw TypeError)."""
    if not isinstance(run_dir, str | os.PathLike):
        raise ValueError(
            f"run_dir: expected a folder path (str / pathlib.Path), got {type(run_dir).__name__} "
            f"{run_dir!r:.60}"
        )
    return Path(run_dir)


def _check_existing_run_folder(run_dir: Path) -> str:
    """One ValueError unless ``run_dir`` is an existing folder (a run to load or resume): a file,
    a link loop, a broken link, or no folder at all (a typo?) is named as such. Returns the
    "is not a run folder (…)" text for the caller's later errors. Probe 51: ``run_cotrain(…,
    resume=True)`` into a folder that did not exist said "has no checkpoint.pt to resume from: its
    run stopped before its first checkpoint", as if a run had stopped there."""
    not_a_run = f"{run_dir} is not a run folder (pass the folder of a run started by cotrain)"
    # probe 111: another user's 0700 run folder (or one below a 0700 home) was a raw errno
    run_io.refuse_unenterable(run_dir, "run_dir: ", what="the run")
    if run_dir.is_file():  # was: "no folder RUN/config.json", as if nothing were there
        raise ValueError(
            f"run_dir: {run_dir} is a file, not a run folder; pass the folder that holds the "
            f"run ({run_dir.parent}, if the file is one of its)"
        )
    # probe 19: was "no folder …" for a symbolic link loop
    run_io.refuse_link_loop(run_dir, "run_dir: ")
    run_io.refuse_broken_link(run_dir, "run_dir: ")  # issue 14: was "no folder …"
    if not run_dir.is_dir():
        raise ValueError(
            f"run_dir: no folder {run_dir} (a typo?), so no {run_io.CONFIG_NAME}: {not_a_run}"
        )
    return not_a_run


def load_config(run_dir: str | Path, resume: bool = False) -> CotrainConfig:
    """The config a run was started with (``<run_dir>/config.json``). A real share refused since
    it started (real_ratio 0.999: all 256 rows real) is read with one WARNING; ``resume``: refused
    (the run cannot go on as it was). So is one of a newer config format (written by a newer
    rambo_env, probe 97 row 14): read with one WARNING, refused for ``resume``.

    A reproduction (this config, ``run_cotrain`` into a new folder) trains every iteration at the
    config's ``torch_threads`` and ``compile`` (the run's first session's): it gives the run's
    numbers only when the run's ``session_settings`` (results.json, checkpoint) hold one entry of
    those settings; a run resumed at others cannot be reproduced by one session, and a new run of
    this config says so in one note (probe 83 row 14: not said; README "Same seed, same numbers").

    :raises ValueError: ``run_dir`` is not a run folder (no folder, no ``config.json``, or one
        that is not JSON / has no ``config`` object).
    """
    run_dir = _run_dir_arg(run_dir)
    path = run_dir / run_io.CONFIG_NAME
    not_a_run = _check_existing_run_folder(run_dir)
    run_io.check_file_or_absent(path, "run_dir", f"restore the run's {run_io.CONFIG_NAME}")
    if not path.is_file():
        if run_io.other_holder(run_dir) is not None:  # not this process's own claim (resume)
            run_io.check_not_starting(run_dir, "come back after its first iteration")  # probe 27
        held = _run_files(run_dir)
        if held:  # was: "not a run folder", while a new run there said "continue it: --resume"
            raise ValueError(
                f"run_dir: {path} is missing, but {run_dir} holds a run ({', '.join(held)}); "
                f"it cannot continue without its config: restore {run_io.CONFIG_NAME} (from a "
                "backup or a copy of the folder), or start a new run in another folder"
            )
        run_io.check_not_died_starting(  # probe 49: was "RUN is not a run folder"
            run_dir, f"there is nothing to resume: {run_io.RERUN_DIED_START}"
        )
        above = run_io.run_folder_above(run_dir)  # probe 31: --resume RUN/tb
        raise ValueError(
            f"run_dir: {path} not found: {not_a_run}{above or run_io.runs_below(run_dir)}"
        )
    run_io.check_run_readable(run_dir, [run_io.CONFIG_NAME])  # probe 114: all at once
    run_io.check_readable(path, "run_dir")  # was: "not readable JSON …: not a run folder"
    try:
        data = run_io.read_json(path)
    except (OSError, UnicodeDecodeError, ValueError) as err:  # JSONDecodeError is a ValueError
        problem = f"is not readable JSON ({err})" if path.stat().st_size else "is empty (0 bytes)"
        _refuse_damaged_config(run_dir, path, problem)
        raise ValueError(f"run_dir: {path} {problem}: {not_a_run}") from None
    if not isinstance(data, dict) or not isinstance(data.get("config"), dict):
        _refuse_damaged_config(run_dir, path, 'has no "config" object')
        raise ValueError(f'run_dir: {path} has no "config" object: {not_a_run}')
    run_io.check_config_keys(data, f"run_dir: {path}")  # probe 44: was ignored
    newer = provenance.newer_config_format(data, f"run_dir: {path}")
    if newer and resume:  # probe 97 row 14: was resumed without a word when its fields parsed
        _refuse_newer_format(path, data["format"])
    ratio = data["config"].get("real_ratio")
    if resume and run_io.is_real(ratio) and real_share_off(ratio, BASE_HYPERPARAMETERS.batch_size):
        raise ValueError(  # probe 79 row 25: was "give real_ratio <= 0.996", which --resume refuses
            f"run_dir: {path}: real_ratio {ratio:g} at batch_size "
            f"{BASE_HYPERPARAMETERS.batch_size} (the agent's) is no longer run (its real share "
            "is all rows or none): the run cannot be resumed; rerun it in a new folder with "
            "--real-ratio <= 0.996 (paper: 0.5), or 1 with --lam 0 for the real data alone "
            "(load_session / diagnose still read this one)"
        )
    try:
        with recorded_run(path):  # probe 79 row 25: was refused, the run not even inspectable
            cfg = config_from_dict(data["config"], saved=True)
    except (TypeError, ValueError) as err:
        if newer:  # probe 92 row 30: was "unknown field(s) [...]; did you mean …?" (a typo)
            raise ValueError(f"{newer} ({err})") from None
        raise ValueError(f"run_dir: {path}: {err}") from None
    if newer:
        _say_newer_format(path, data["format"])
    if cfg.precision == "auto":  # was: resolved anew on resume (another cache key: MLE again)
        raise ValueError(
            f"run_dir: {path}: precision is 'auto', but a run saves the precision it resolved at "
            "its start (fp32 or bf16; its dynamics model is cached under it), so the file was "
            "edited by hand; put back the run's value (its first [cotrain] line names it)"
        )
    if not resume:
        _remember_sessions(cfg, run_dir)
    return cfg


#: The config.json files (and their formats) :func:`_say_newer_format` has warned of.
_NEWER_FORMATS_SAID: set[tuple[str, int]] = set()


def _refuse_newer_format(path: Path, fmt: int) -> None:
    """ValueError for a resume of a run whose config.json (``path``) is of a newer format
    (``fmt``) than this code's."""
    raise ValueError(
        f"run_dir: {path} was written by a newer rambo_env (config format {fmt} > "
        f"{provenance.CONFIG_FORMAT}, this code's): a resume rewrites {run_io.CONFIG_NAME} and would "
        "drop what this code does not know; update the code (git pull) to resume it "
        "(load_session / diagnose.py read it as it is, with a warning)"
    )


def _say_newer_format(path: Path, fmt: int) -> None:
    """One WARNING per file and process when a run's config.json is of a newer format than this
    code's (written by a newer rambo_env) and is read (load_config, load_session, diagnose.py),
    not resumed: what this code does not know of it is not used (probe 97 row 14: it was read
    without a word whenever all its fields parsed, e.g. a newer ``resolved`` entry)."""
    said = (str(Path(path).resolve()), fmt)
    if said in _NEWER_FORMATS_SAID:
        return
    _NEWER_FORMATS_SAID.add(said)
    note(
        f"[rambo_env] WARNING: {path} was written by a newer rambo_env (config format {fmt} > "
        f"{provenance.CONFIG_FORMAT}, this code's): read as this code knows it, what it added is not "
        "used or checked; update the code (git pull) to read it in full (--resume refuses it)",
    )


#: The session settings of the runs whose config :func:`load_config` read, by that config: a new
#: run of the same config says where it parts from them (:func:`_say_reproduction_parts`).
_LOADED_FROM: dict[CotrainConfig, tuple[Path, list[dict[str, Any]]]] = {}


def _remember_sessions(cfg: CotrainConfig, run_dir: Path) -> None:
    """Keep the session settings ``run_dir``'s results.json records, for ``cfg`` (read from it)."""
    try:
        saved = run_io.read_json(run_dir / run_io.RESULTS_NAME)
    except (OSError, ValueError):
        return
    settings = _saved_settings(saved) if isinstance(saved, dict) else []
    if settings:
        _LOADED_FROM[cfg] = (run_dir, settings)


def _say_reproduction_parts(cfg: CotrainConfig, threads: int) -> None:
    """A new run of a config :func:`load_config` read says in one note when the run it came from
    trained at other settings, or at several (probe 83 row 14: a run trained at torch threads
    [1, 2, 1, 2, 1] was reproduced at 1 thread without a word, final score 2.4956 vs 2.4563)."""
    if cfg not in _LOADED_FROM:
        return
    run_dir, settings = _LOADED_FROM[cfg]
    now = {"torch_threads": threads, "compiled": cfg.compiles}
    same = [
        s["torch_threads"] == threads and s["compiled"] in (None, now["compiled"]) for s in settings
    ]
    # probe 92 row 36: sessions [1 thread, compiled None] + [1 thread, eager] (a run resumed
    # across versions: None = not recorded) were "its numbers part from that run's", though
    # equal; an unrecorded value is unknown, so no difference is claimed from it
    if all(same):
        return
    ran = f"torch threads {[s['torch_threads'] for s in settings]}"
    if any(s["compiled"] is not None for s in settings):
        ran += f", compiled {[s['compiled'] for s in settings]}"
    mode = "compiled" if now["compiled"] else "eager"
    note(
        f"[cotrain] note: this config is {run_dir}'s (load_config), whose sessions trained at "
        f"{ran} ({run_dir / run_io.RESULTS_NAME}); this run trains every iteration at "
        f"{run_io.counted(threads, 'torch thread')}, {mode}: its numbers part from that run's "
        '(README "Same seed, same numbers")',
    )


def _run_files(run_dir: Path) -> list[str]:
    """The files in ``run_dir`` that only a run writes (its checkpoint, its results)."""
    return sorted(
        name for name in (run_io.CHECKPOINT_NAME, run_io.RESULTS_NAME) if (run_dir / name).exists()
    )


def _refuse_damaged_config(run_dir: Path, path: Path, problem: str) -> None:
    """ValueError for a damaged ``config.json`` in a folder that holds a run (probe 29: was
    "RUN is not a run folder" for a run whose config.json was emptied or cut)."""
    held = _run_files(run_dir)
    if held:
        raise ValueError(
            f"run_dir: {path} {problem}, but {run_dir} holds a run ({', '.join(held)}): its "
            f"{run_io.CONFIG_NAME} is damaged; restore it from a backup or a copy of the run "
            "folder (it cannot be rebuilt from the checkpoint), or start a new run in another "
            "folder"
        )


def load_session(
    run_dir: str | Path, device: str | torch.device | None = None
) -> tuple[Session, RunHistory]:
    """A run's live objects (agent, learned MDP, adversary) as of its last checkpoint, for analysis.

    Rebuilds the session from ``config.json`` (the dataset and the cached MLE model must be where
    the run found them) and loads ``checkpoint.pt``, the model pool included (checkpoints since
    session 32; an older one leaves the pool empty). The caller's global random generators and
    torch thread count are as they were before the call. A run that diverged is said to be (one
    line, :func:`say_if_diverged`): what is loaded is its last good checkpoint.
    """
    # probe 88 row 56: was pathlib's raw TypeError for run_dir None / a number
    run_dir = _run_dir_arg(run_dir)
    if isinstance(device, torch.device):  # probe 96a row 71: taken, as make_mdp / make_agent do
        device = str(device)  # (was: "expected str, …; fix the value (e.g. in config.json)")
    if device is not None:
        if not isinstance(device, str):
            raise ValueError(
                f"load_session: device: expected None (the run's own), a str ('cpu', 'cuda', "
                f"'cuda:N', 'auto') or a torch.device, got {device!r}"
            )
        check_device(device)  # the argument's: its advice names device=, not config.json
    run_io.check_default_device("load_session")  # probe 91 row 5: was torch's raw meta error
    run_io.check_default_dtype("load_session")  # probe 118 row 12: loaded float64 weights
    with recorded_run(run_dir / run_io.CONFIG_NAME):  # probe 79 row 25
        session, history = _load_session(run_dir, device)
    _say_run_in_progress(run_dir, history.iteration)
    return session, history


def _say_run_in_progress(run_dir: Path, iteration: int) -> None:
    """One note when another live process holds the run (its ``.lock``): what was loaded is the
    checkpoint as of now (probe 96a row 63: a live run was loaded without a word)."""
    holder = run_io.other_holder(run_dir)  # probe 109: its PID may be this one's elsewhere
    if holder is not None:
        note(
            f"[rambo_env] note: {run_dir} is still being trained by "
            f"{run_io.holder_text(run_dir, holder)} (its "
            f"{run_io.LOCK_NAME}): loaded its checkpoint of iteration {iteration}; the run goes "
            "on, so its checkpoint may change: load it again for a later one",
        )


def _load_session(run_dir: str | Path, device: str | None) -> tuple[Session, RunHistory]:
    """:func:`load_session`'s work."""
    cfg = load_config(run_dir)
    if device is not None:
        cfg = dataclasses.replace(cfg, device=device)
    checkpoint = Path(run_dir) / run_io.CHECKPOINT_NAME
    _check_run_checkpoint(  # before the dataset load and the model build
        Path(run_dir),
        "(nothing can be loaded without it), or rerun the run in a new folder",
        "(the run died before its first checkpoint); nothing to load",
    )
    state = _load_run_checkpoint(checkpoint)  # before the dataset load and the model build
    # probe 31: as --resume does (was: a regenerated dataset analysed without a word, a foreign
    # checkpoint loaded as the run's)
    fingerprint = check_identity(state, Path(run_dir))
    # probe 56: the build (SB3 seeds the global generators) and the checkpoint's RNG states left
    # the caller's python / numpy / torch streams re-seeded; kept as run_cotrain keeps them
    with _one_run_at_a_time("load_session"), run_io.process_state_kept():
        session = build_session(
            cfg,
            expected_fingerprint=fingerprint,
            from_checkpoint=True,
            recorded_model=_recorded_model(Path(run_dir)),
            recorded_dataset=_recorded_dataset(Path(run_dir)),
            recorded_resolved=_recorded_resolved(Path(run_dir)),  # its (k, λ): probe 79
        )
        check_agent_record(session, _recorded_resolved(Path(run_dir)), Path(run_dir), "rebuilt")
        history = _restore(session, state, checkpoint, resuming=False)
    say_if_diverged(Path(run_dir), history.iteration)
    recorded = run_io.read_json(Path(run_dir) / run_io.CONFIG_NAME).get("resolved")
    say_setting_changed(session, recorded, history.iteration, "loaded")  # probe 78 row 33
    return session, history


def check_agent_record(session: Session, recorded: Any, run_dir: Path, doing: str) -> None:
    """ValueError when the agent rebuilt here is not the one the run built at its start, as its
    config.json's ``resolved['agent']`` records it (:func:`agents.cotrain_setup.agent_record`),
    before its weights are loaded. Probe 92b rows 31, 79: a run trained with ``make_agent`` wrapped
    to add ``policy_kwargs=dict(activation_fn=torch.nn.Tanh)`` was loaded (load_session,
    diagnose.py) and resumed as a ReLU actor holding the Tanh-trained weights, without a word (the
    same shapes). A run that records none (config format 1 or none) is loaded as before."""
    was = recorded.get("agent") if isinstance(recorded, dict) else None
    if not isinstance(was, dict):
        return
    # probe 97 row 51: compared as networks (the built net_arch / activation, the policy class,
    # policy_kwargs other than the policy's defaults), not as the raw policy_kwargs dict
    where = _first_difference(
        run_io.effective_agent(was),
        run_io.effective_agent(run_io.as_json(session.resolved["agent"])),
    )
    if where is None:
        return
    key, in_file, now = where
    raise ValueError(
        f"{run_dir / run_io.CONFIG_NAME}: the run's agent was built with {key} {in_file!r}, but "
        f"the agent {doing} here has {key} {now!r} (the main job takes no policy_kwargs: was "
        "agents.factory.make_agent wrapped, config.json's agent_hidden edited, or the code "
        "changed, at the run's start?): "
        "load or resume it with the agent built as at its start (the same wrapper), or start a "
        "new run"
    )


def say_setting_changed(
    session: Session, start: Any, iteration: int, doing: str = "resumed"
) -> None:
    """One WARNING when a resumed run's termination rule or evaluation env differ from those
    its config.json records (``resolved['termination']``), or, for a run that does not record
    them (started before probe 78), may differ: the code before probe 77 (1862348) ended Ant /
    Humanoid / … rollouts by a learned classifier and ignored the data's env kwargs. Probe 78
    rows 15, 33: such a run resumed with the exact rule and the kwargs' env without a word, and
    its final return averaged evaluations of two envs."""
    from rambo_env.dynamics.termination import (
        RULES_BEFORE_PROBE_77,
        kwargs_from_record,
        same_kwargs,
        stable_text,
    )

    start = start if isinstance(start, dict) else {}
    now = session.resolved["termination"]
    dataset = session.dataset
    was = start.get("termination")
    now_kwargs = kwargs_from_record(now["env_kwargs"])  # non-default, ±inf as floats
    if isinstance(was, dict):
        changed = []
        # probe 79 row 40: a partial's / object's name held its address (one per process)
        if stable_text(str(was.get("rule"))) != stable_text(now["rule"]):
            changed.append(f"termination rule {was.get('rule')!r} -> {now['rule']!r}")
        # probe 79 rows 22, 24: compared as envs (non-default kwargs, 1 = 1.0, ±inf kept)
        if not same_kwargs(dataset.env_id, was.get("env_kwargs"), now["env_kwargs"]):
            changed.append(
                f"evaluation env kwargs {kwargs_from_record(was.get('env_kwargs'))!r} -> "
                f"{now_kwargs!r}"
            )
        # probe 81: the data's recorded time limit and the recorded evaluation env
        for key, what in (
            ("max_episode_steps", "evaluation env time limit"),
            ("evaluation_env", "evaluation env"),
        ):
            if was.get(key) != now.get(key):
                changed.append(f"{what} {was.get(key)!r} -> {now.get(key)!r}")
        hedge = ""
    else:  # not recorded: what the code before probe 77 did, where it differs
        changed = []
        if dataset.env_id not in RULES_BEFORE_PROBE_77 and now["rule"].startswith("exact"):
            changed.append(
                f"termination rule: now {now['rule']} (a run started before probe 77 ended "
                f"{dataset.env_id} rollouts by a learned classifier)"
            )
        kwargs_change = (
            f"evaluation env: now gym.make({dataset.env_id!r}, **{now_kwargs}) (a run started "
            "before probe 77 evaluated in the default env)"
        )
        if not changed:
            # probe 79 rows 24, 39: a run of default kwargs data was warned of "all defaults"
            # kwargs, and one started after probe 77 (the same env then; its config.json
            # records no more than one of 1862348: nothing tells them apart) was told to rerun
            # probe 79 (follow-up): was only the env named for a Hopper / Walker2d run on data of non-default healthy ranges
            # ended rollouts by the exact default rule before probe 77, by a learned
            # classifier since (the rule cannot follow those kwargs); the note named the env only
            rule_change = ""
            if dataset.env_id in RULES_BEFORE_PROBE_77 and not now["rule"].startswith("exact"):
                rule_change = (
                    f"; termination rule: now {now['rule']} (a run started before probe 77 "
                    f"ended {dataset.env_id} rollouts by its exact default rule, which does not "
                    "follow these kwargs)"
                )
            if now_kwargs:
                both = " and rule" if rule_change else ""
                note(
                    f"[rambo_env] note: {doing} at iteration {iteration}; its config.json does "
                    f"not record its evaluation env{both} (runs started before probe 78 do "
                    f"not): {kwargs_change}{rule_change}; a run started after probe 77 "
                    f"evaluated in this env{both} too, one started before it has iterations of "
                    f"two envs{both and ' and rules'}",
                )
            return
        if now_kwargs:
            changed.append(kwargs_change)
        hedge = " (if it started before probe 77; its config.json does not record them)"
    if changed:
        note(
            f"[rambo_env] WARNING: {doing} at iteration {iteration} with a setting the run did "
            f"not start with{hedge}: "
            f"{'; '.join(changed)}; the iterations before and after are not of one setting (nor "
            "its final return, a mean over both): rerun it in a new folder for one setting",
        )


def say_if_diverged(run_dir: Path, iteration: int) -> None:
    """One line when the run's ``results.json`` says it diverged (``ledger.diverged_where``):
    what is loaded is its last good checkpoint, ``iteration``. Probe 57 row 46 (diagnose.py)
    and probe 58 row 59 (:func:`load_session`): a run that diverged at iteration 1 was loaded
    "at iteration 0" without a word of the divergence (curves.py and the ledger say it)."""
    from rambo_env.ledger import diverged_where  # lazy: the ledger is not needed to train

    try:
        planned = run_io.read_json(run_dir / run_io.CONFIG_NAME)["config"]["n_iterations"]
    except (OSError, ValueError, KeyError, TypeError):
        planned = None
    of = f" of {planned}" if run_io.is_int(planned) else ""
    # probe 71 row 25: a damaged results.json was "its ledger entry is not marked diverged"
    where = diverged_where(run_dir, of, "so it is loaded as a run that did not diverge")
    if where is not None:
        note(
            f"[cotrain] {run_dir} {where}: loading its last good checkpoint, iteration {iteration}",
        )


def _recorded_dataset(run_dir: Path) -> dict[str, Any] | None:
    """The run's dataset as its ``config.json`` records it (name, source, transitions,
    fingerprint, Minari root); None if not recorded."""
    try:
        record = run_io.read_json(run_dir / run_io.CONFIG_NAME)["resolved"]["dataset"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return record if isinstance(record, dict) else None


def _recorded_resolved(run_dir: Path) -> dict[str, Any] | None:
    """The run's ``config.json`` ``resolved`` block (what it worked out at its start: its (k, λ)
    are kept on resume); None if not recorded."""
    try:
        record = run_io.read_json(run_dir / run_io.CONFIG_NAME)["resolved"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return record if isinstance(record, dict) else None


def _recorded_model(run_dir: Path) -> str | None:
    """Where the run's dynamics model was cached, as its ``config.json`` records it ("cache: P" /
    "trained: P"); None if not recorded."""
    try:
        source = run_io.read_json(run_dir / run_io.CONFIG_NAME)["resolved"]["model"]["source"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return source.split(": ", 1)[1] if isinstance(source, str) and ": " in source else None


@run_io.numpy_underflow_ignored  # probe 118 row 13: a caller's np.seterr
def run_cotrain(
    cfg: CotrainConfig,
    run_dir: str | Path,
    resume: bool = False,
    *,
    on_iteration: Callable[[dict[str, Any]], None] | None = None,
    invocation: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Run (or continue) one RAMBO co-training run; returns the results dict (also in results.json).

    :param cfg: the run's config. With ``resume=True`` it must equal the saved one except for
        :data:`SESSION_FIELDS` (use :func:`load_config` and ``dataclasses.replace``).
    :param run_dir: the run folder (created; must be empty or absent unless resuming).
    :param resume: continue from ``<run_dir>/checkpoint.pt``.
    :param on_iteration: called with the iteration's metrics after each checkpoint (e.g. a Ray
        Tune reporter); not part of the config.
    :param invocation: how the script that runs this session was invoked
        (:func:`rambo_env.run_io.script_invocation`: scripts/cotrain.py and sweep.py pass theirs),
        recorded with the session's kind and start time in config.json's ``invocations``
        (:func:`rambo_env.run_io.session_invocation`); None: a library call, recorded with
        ``argv`` and ``command`` None.
    :raises RunInterrupted: (a ``KeyboardInterrupt``) on Ctrl-C / SIGTERM during co-training,
        after results.json is written (status ``interrupted``; its ``results``); the last
        checkpoint is kept for ``resume=True``. The caller's torch thread count and global RNG
        states are restored on return either way.
    :raises Exception: an error inside an iteration (a bug, ``MemoryError``, …) after
        results.json is written with status ``failed`` (its message says where and how to go
        on; the exception's ``cotrain_failure`` holds (iteration, phase)); the last checkpoint is kept.
    :return: ``status`` (finished | stopped | diverged), ``message``,
        ``final_score`` (mean normalised score of the last 10 evaluations, App. B.6), ``evals``,
        ``q_history``, ``rambo_off`` (App. B.5), wall times, and the resolved (k, λ).
    """
    # was: a dict cfg a raw AttributeError, run_dir=None a raw TypeError, resume="no" resumed,
    # on_iteration=5 a TypeError after the setup and the first iteration
    if not isinstance(cfg, CotrainConfig):
        raise ValueError(
            f"cfg: expected an agents.cotrain.CotrainConfig, got {run_io.type_name(cfg, CotrainConfig, 'cfg')} "
            "(CotrainConfig(**your_dict) builds one)"
        )
    run_dir = _run_dir_arg(run_dir)
    resume = run_io.check_flag(resume, "resume")
    if on_iteration is not None and not callable(on_iteration):
        raise ValueError(
            f"on_iteration: expected a callable (metrics dict -> None) or None, got "
            f"{type(on_iteration).__name__}"
        )
    _check_takes_one_argument(on_iteration)
    provenance.check_invocation(invocation)
    session_call = provenance.session_invocation(invocation, resume)  # probe 138: when it began
    if resume:  # probe 51: was "its run stopped before its first checkpoint" for a mistyped path
        _check_existing_run_folder(run_dir)
    if run_dir.exists():  # probe 148 row 4: --resume under umask 277 went on (a new folder:
        run_io.check_umask_for_run(run_dir, resume)  # claim_run_dir's make_folders checks it)
    run_io.check_outside_stores(run_dir)  # probe 34: make_dataset --force deleted such a run
    # probe 77 row 9: a rich bar of an interrupted agent.learn(progress_bar=True) held a
    # notebook's output; the co-training bar then died with a RecursionError after the setup
    stop_stale_rich_bars()
    run_io.check_output_streams(cfg.progress)  # probe 75: a closed / replaced stream, late
    run_io.check_default_device("run_cotrain")  # probe 91 row 5: was torch's raw meta error
    run_io.check_default_dtype("run_cotrain")  # probe 118 row 12: refused before the setup
    progress = _Progress(run_dir, cfg.n_iterations)
    # SIGTERM = Ctrl-C for the whole run: one killed in setup (MLE, BC) also frees its folder.
    with (
        _one_run_at_a_time("run_cotrain"),
        _excepthook_kept(),
        run_io.claim_run_dir(run_dir, resume),
        run_io.sigterm_as_keyboard_interrupt(respect_caller=True),  # probe 75: a caller's own
        run_io.swallowed_interrupt_kept(),  # probe 77 row 15
        run_io.status_on_request("cotrain", progress.line),  # SIGUSR1 (probe 34)
        run_io.process_state_kept(),  # probe 25: the caller's threads and RNG streams
        draws_global_rng("run_cotrain"),  # probe 118: an agent's learn in another thread
        _compile_state_kept(),  # probe 118 row 16
    ):
        try:
            results = _run(cfg, run_dir, resume, on_iteration, progress, session_call)
        except RunInterrupted:
            raise
        except KeyboardInterrupt as err:  # probe 75 row 45: a bare KeyboardInterrupt (no word)
            raise KeyboardInterrupt(_interrupted_message(err, run_dir, resume)) from None
        except run_io.WriteFailedError as err:
            if not run_io.is_file(run_dir / run_io.CHECKPOINT_NAME):
                raise  # a start before its first checkpoint: the same command starts it again
            # probe 30: advised "then rerun", and the same command is refused ("already holds a
            # run"): a run with a checkpoint is continued with --resume
            raise run_io.WriteFailedError(
                Path(err.filename),
                err,
                err.elsewhere,
                f"continue the run with {command_line.script_line('cotrain.py')} --resume "
                f"{command_line.shell_path(run_dir)} (run_cotrain(…, resume=True))",
            ) from err
    if results["status"] == "interrupted":  # probe 25: was returned, so `for seed in …` went on
        raise RunInterrupted(results)
    return results


def _interrupted_message(err: KeyboardInterrupt, run_dir: Path, resume: bool) -> str:
    """What a ``KeyboardInterrupt`` outside co-training (the setup: dataset, MLE pretraining,
    BC; or a second Ctrl-C) leaves, and how a library caller continues."""
    cause = str(err) or "Ctrl-C"
    if run_io.is_file(run_dir / run_io.CHECKPOINT_NAME):
        return (
            f"{cause}: interrupted; the run's last checkpoint is kept: continue with "
            "run_cotrain(cfg, run_dir, resume=True)"
        )
    again = "resume=True" if resume else "resume=False, as it was: nothing to resume yet"
    return (
        f"{cause}: interrupted before training (the setup: dataset, MLE pretraining, BC): call "
        f"run_cotrain with the same arguments again ({again}); MLE pretraining resumes from its "
        "last epoch"
    )


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C / SIGTERM during co-training, raised once the run's results.json is written and
    its last checkpoint kept (``--resume`` continues it); :attr:`results` holds those results.

    A ``KeyboardInterrupt``, so that a caller's loop over runs stops as Ctrl-C asks (probe 25:
    ``run_cotrain`` returned ``{"status": "interrupted"}`` and the next run started)."""

    def __init__(self, results: dict[str, Any]) -> None:
        super().__init__(results["message"])
        self.results = results

    def __reduce__(self) -> tuple[Any, ...]:
        # probe 69 row 35: copy / pickle called __init__ with the message (args), not the
        # results: "string indices must be integers" for a trial interrupted inside Ray
        return (type(self), (self.results,), self.__dict__)


def _check_takes_one_argument(on_iteration: Callable[..., Any] | None) -> None:
    """``on_iteration`` can be called with the metrics dict alone (probe 22: ``lambda: …`` or a
    two-argument function was a raw TypeError after the setup and the first iteration)."""
    if on_iteration is not None:
        run_io.check_called_with(
            on_iteration,
            ({},),
            "on_iteration",
            "cannot be called with the iteration's metrics dict alone; give a callable of one "
            "argument (metrics dict -> None)",
        )


class _Progress:
    """Where a run stands, for the status line SIGUSR1 prints (:func:`run_io.status_on_request`)."""

    def __init__(self, run_dir: Path, n_iterations: int) -> None:
        self.run_dir, self.n_iterations = run_dir, n_iterations
        self.history: RunHistory | None = None
        self.t_start = time.monotonic()

    def line(self) -> str:
        elapsed = f"{time.monotonic() - self.t_start:.0f} s"
        if self.history is None:
            return (
                f"setting up (dataset, dynamics model, BC warm start), {elapsed} elapsed, "
                f"run dir {self.run_dir}"
            )
        h = self.history
        q = f"last average Q {h.q_history[-1]:.4g}" if h.q_history else "no average Q yet"
        score = "no evaluation yet"
        if h.evals:
            last = h.evals[-1]
            value = last.get("normalized_score")
            what = "score" if value is not None else "return"
            value = value if value is not None else last.get("return_mean")
            if run_io.is_real(value):
                score = f"last {what} {value:.1f} (iteration {last.get('iteration')})"
        return (
            f"iteration {h.iteration}/{self.n_iterations} done, {elapsed} elapsed, {q}, "
            f"{score}, run dir {self.run_dir}"
        )


def _run(
    cfg: CotrainConfig,
    run_dir: Path,
    resume: bool,
    on_iteration: Callable[[dict[str, Any]], None] | None,
    progress: _Progress | None = None,
    invocation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    t_start = time.perf_counter()
    invocation = invocation or provenance.session_invocation(None, resume)
    cfg = _check_run_dir(cfg, run_dir, resume)
    # the session flags before the already-finished shortcut (probe 71 row 35: a finished run
    # took --device gpu / --torch-threads 100000 with "nothing to resume", rc 0)
    threads, why = run_io.resolve_torch_threads(cfg.torch_threads)
    check_device(cfg.device, "--device")  # probe 41: was found resolving the precision below
    done = _already_finished(cfg, run_dir) if resume else None
    if done is not None:  # nothing to do: no dataset load, no model, nothing rewritten (but
        # the tb/ rows a kill lost, probe 83 row 29)
        return done
    if resume:
        _say_session_only(cfg, run_dir)
    torch.set_num_threads(threads)
    note(f"[cotrain] torch threads: {threads} ({why})")
    _say_uncommitted()
    if not resume:
        _say_reproduction_parts(cfg, threads)
    note(f"[cotrain] {precision_line(cfg, kept=resume)}")
    cfg = dataclasses.replace(cfg, precision=cfg.uses_precision)  # saved resolved (config.json)
    if resume:
        state = _load_run_checkpoint(run_dir / run_io.CHECKPOINT_NAME)
        _check_stop_at(cfg, int(state["iteration"]), run_dir)  # before the dataset and model
        _check_not_diverged(cfg, int(state["iteration"]), run_dir)
        _check_tb_kept(int(state["iteration"]), run_dir)
        curves.check_one_run(run_dir)  # probe 46: another run's event files in tb/ (as the ledger)
        unlogged = _unlogged_iterations(run_dir, int(state["iteration"]))
        fingerprint = check_identity(state, run_dir)
        extend = _extend(cfg, int(state["iteration"]), run_dir)
        try:  # probe 87 row 16: an error here (a MemoryError in the restore) was a bare traceback
            session = build_session(
                cfg,
                expected_fingerprint=fingerprint,
                recorded_model=_recorded_model(run_dir),
                recorded_dataset=_recorded_dataset(run_dir),
                run_dir=run_dir,
                recorded_resolved=_recorded_resolved(run_dir),  # its (k, λ): probe 79
            )
            session.resolved_at_start = run_io.read_json(run_dir / run_io.CONFIG_NAME)["resolved"]
            check_agent_record(session, session.resolved_at_start, run_dir, "resumed")
            history = _restore(session, state, run_dir / run_io.CHECKPOINT_NAME)
        except Exception as err:  # a refusal (ValueError) says its own way on
            if not isinstance(err, ValueError):
                _mark_setup_failed(err, run_dir, int(state["iteration"]))
            raise
        _say_other_schedule(cfg, history)
        _say_settings_changed(session)
        _say_versions_changed(session)
        say_setting_changed(session, session.resolved_at_start, int(state["iteration"]))
        # probe 20: recorded once the setup has passed (a refused resume changed it); probe 85
        # row 23: and the restore (an error in it left config.json extended, 8 -> 12, beside
        # results.json's "finished 8/8", and a later plain --resume extended it without a word)
        extend()
        _record_stop_at(cfg, run_dir)
        _raise_config_format(run_dir)
        session.command = _record_invocation(run_dir, invocation)  # probe 138
    else:  # a relative dataset path in config.json named another file from another folder
        unlogged = []
        cfg = dataclasses.replace(cfg, dataset=absolute_dataset(cfg.dataset))
        session = build_session(cfg, run_dir=run_dir)
        session.command = invocation["command"]  # probe 138: results.json's
        try:
            history = _start(session, run_dir, invocation)
        except BaseException:  # probe 87 row 19: the folder was left holding config.json alone
            _forget_start(run_dir)
            raise
    if progress is not None:
        progress.history, progress.n_iterations = history, cfg.n_iterations
    note(f"[cotrain] {critic_line(cfg)}")
    note(f"[cotrain] {compile_line(cfg)}")
    setup_s = time.perf_counter() - t_start
    remaining = cfg.n_iterations - history.iteration
    key = timing.timing_key(
        dataclasses.replace(cfg, torch_threads=threads),
        session.k,
        session.resolved["adversary_weight"],
        str(session.mdp.device),
    )
    first_new = len(history.iteration_s)
    paper = CotrainConfig()  # the paper's per-iteration sizes (the default preset has them)
    sizes = ("n_rollouts", "agent_steps_per_iteration", "adversary_steps_per_iteration")
    paper_sizes = all(
        getattr(cfg, n) == getattr(paper, n) for n in (*sizes, "ensemble_hidden", "agent_hidden")
    )
    # probe 65: a session stopping at stop_at_iteration was priced for every remaining iteration
    planned, scope = remaining, "remaining iteration(s)"
    if cfg.stop_at_iteration is not None and cfg.stop_at_iteration < cfg.n_iterations:
        planned = max(cfg.stop_at_iteration - history.iteration, 0)
        scope = (
            f"iteration(s) this session runs (to stop_at_iteration {cfg.stop_at_iteration} of "
            f"{cfg.n_iterations} in all)"
        )
    for line in timing.estimate_lines(
        key,
        planned,
        # probe 108 row 10: without its suspended iterations (a 24.5 s SIGSTOP'd iteration
        # priced a resumed session's 4.3 s ones)
        own_history=history.timed(),
        paper_sizes=paper_sizes,
        compiling=cfg.compiles,
        scope=scope,
    ):
        note(f"[cotrain] {line}")
    # A compiled session's first iteration includes the compile (a minute or more): its
    # estimate follows the second (was: 118 s per iteration, twice the 60 s that followed).
    settled = 2 if cfg.uses_compile else 1

    def session_times() -> list[float]:  # without a compiled session's first iteration
        # probe 106 row 8: nor an iteration during which the process was stopped (a 25 s
        # SIGSTOP made a 7 s iteration 33 s, the machine's record and the next estimate)
        return history.timed(first_new + settled - 1)

    def report(metrics: dict[str, Any]) -> None:
        done = len(history.iteration_s) - first_new  # this session's iterations
        if done == settled and planned > settled:
            lines = timing.estimate_lines(
                key,
                planned - settled,
                measured_s=None
                if metrics["iteration"] in history.suspended
                else metrics["iteration_s"],
                # probe 94 row 13: a resumed session's was "this run's first iteration"
                measured_as=(
                    "this run's first iteration"
                    if first_new == 0
                    else "this session's first iteration"
                )
                if settled == 1
                else "this session's second iteration; the first included the compile",
                paper_sizes=paper_sizes,
                scope=scope,
            )
            for line in lines:
                note(f"[cotrain] after iteration {metrics['iteration']}: {line}")
        # Every iteration (was: only at the end, so a session killed at its end never recorded)
        timing.record_iteration_time(key, session_times())
        if on_iteration is not None:
            try:
                on_iteration(metrics)
            except Exception as err:  # probe 87 rows 30, 40: was put in the next iteration's
                # model rollouts ("iteration 6" of a 5-iteration run)
                err.cotrain_callback_after = metrics["iteration"]  # type: ignore[attr-defined]
                raise

    # probe 81 rows 22, 33: a resumed session's results.json (an earlier session's "finished" or
    # "stopped") is kept current while it trains: "running", the checkpoint's iterations
    current = resume and (run_dir / run_io.RESULTS_NAME).is_file()

    diverged_before = _divergence_record(run_dir, history.iteration) if current else None

    said: set[str] = set()  # the bookkeeping files whose failed write was told (probe 85)

    def write_running(h: RunHistory) -> None:
        _write_running_results(
            session, h, run_dir, setup_s, time.perf_counter() - t_start, diverged_before, said
        )

    # probe 85 row 26: config.json deleted while the run trained was not noticed; the run then
    # could neither enter the ledger nor be resumed. Written again from this session's copy.
    config_kept = run_io.read_json(run_dir / run_io.CONFIG_NAME)

    def after_save(h: RunHistory) -> None:
        _keep_config(run_dir, config_kept)
        if current:
            write_running(h)

    monitor = _make_monitor(session, history, run_dir, report, after_save)
    stop_now = cfg.stop_at_iteration is not None and history.iteration >= cfg.stop_at_iteration
    if remaining > 0 and not stop_now:
        tb_logger: Logger | None = None
        learning = False  # the errors of the steps before learn() go on as they were
        try:
            if current:
                write_running(history)
            if session.agent._last_obs is None:  # a new run, or a checkpoint without rollouts
                session.vec_env.seed(cfg.seed * 100_003 + history.iteration)  # rollout starts
            # A fixed TensorBoard folder: a resumed session appends a new event file to it, which
            # tells TensorBoard to drop the earlier files' records from its first step on (probe
            # 43 row 49: resumed from checkpoint 0, the warm start's step 0 showed twice; from N,
            # an iteration N + 1 logged before the interrupt would show twice too)
            first_step = history.iteration + 1 if history.iteration > 0 else 0
            tb_logger = tensorboard_logger(
                run_dir / run_io.TB_DIR, purge_step=first_step if resume else None
            )
            session.agent.set_logger(tb_logger)
            _log_again(tb_logger, history, unlogged, run_dir, monitor.start_records)
            learning = True
            with _continue_noted(monitor):
                session.agent.learn(
                    total_timesteps=remaining * session.k * cfg.n_rollouts,
                    callback=[session.rambo_callback, monitor],
                    log_interval=None,
                    tb_log_name="cotrain",
                    reset_num_timesteps=not resume,
                )
        # probe 106 row 24: Ctrl-C / SIGTERM after results.json said "running" and before
        # learn() (the TensorBoard writer's wait) left it "running … if no process runs the
        # run, it was killed"; now the interrupt is recorded as it is during training
        except KeyboardInterrupt:  # Ctrl-C / SIGTERM: keep the last checkpoint, write results
            monitor.interrupt()
        except NonFiniteModelError as err:  # e.g. a huge λ: diverged, the last checkpoint kept
            monitor.model_diverged(str(err))
        except (run_io.WriteFailedError, run_io.RunDirMovedError):
            raise  # the run's own writes: their errors say where the run stands (probes 28, 30)
        except Exception as err:  # probe 85: a bug, out of memory, a full disk in an iteration
            if not learning:
                raise
            if not run_io.is_closed_stdout(err):
                _record_failure(
                    err, session, history, run_dir, setup_s, t_start, diverged_before, config_kept
                )
                raise
            # probe 93 row 42: the script's reader exited (`| head`) mid-iteration: was "failed:
            # BrokenPipeError in iteration 2", exit status 1; now stopped as a signal stops it
            run_io.silence_stdout()  # the closing lines go nowhere instead of failing again
            monitor.interrupt("the program reading the output exited: a closed pipe")
        finally:  # probe 25: its writer thread outlived each run in a long-lived process
            if tb_logger is not None:
                tb_logger.close()
            # probe 119 row 9: what other writers (SB3, TensorBoard, torch) made in a user's
            # run folder for root (sudo) takes the folder's owner, as the run's own files do
            run_io.give_tree_to_folder_owner(run_dir, trees=[run_dir])
            monitor.close_bar()  # probe 77 row 5: an error left it open for the process's life
    else:
        monitor.status = "finished" if remaining <= 0 else "stopped"
        if resume:  # probe 83 row 29: the last checkpoint's row, lost by a kill, logged again
            _log_again_at_end(run_dir, history, monitor.start_records)
    # was: Ctrl-C / SIGTERM here left results.json without learning_curve.png and advised a
    # --resume that then found the run finished; now the results are written whole first.
    with run_io.interrupts_deferred(
        "cotrain", "while the results were written: they were completed first"
    ):
        timing.record_iteration_time(key, session_times())
        _keep_config(run_dir, config_kept)
        return _finish(session, monitor, history, run_dir, setup_s, time.perf_counter() - t_start)


def _keep_config(run_dir: Path, saved: dict[str, Any]) -> None:
    """Write the run's config.json again from ``saved`` (this session's copy, read after its
    setup recorded it) when it is gone, with one WARNING; called after each checkpoint and
    before the closing results.json (probe 85 row 26: deleted while the run trained, it stayed
    missing without a word, and ledger.py and --resume then refused the finished run)."""
    path = run_dir / run_io.CONFIG_NAME
    if path.exists() or path.is_symlink():
        return
    run_io.check_run_dir_kept(run_dir)  # probe 28: never a new folder at a moved run's path
    run_io.write_json(path, saved)
    note(
        f"[rambo_env] WARNING: {path} was missing (deleted while the run trained?): written "
        "again from the run's settings, as this session read them at its start",
    )


def _mark_setup_failed(err: Exception, run_dir: Path, iteration: int) -> None:
    """``err`` ended a resumed session in its setup (dataset, model, the checkpoint's restore),
    before anything of the run was rewritten: its :attr:`cotrain_setup_failed` is the kept
    checkpoint's iteration (scripts/cotrain.py says the run is unchanged) and a note says how to
    retry. Probe 87 row 16: a MemoryError in the restore of an extending session was a bare
    traceback, no word that config.json, results.json and the checkpoint were as they were."""
    err.cotrain_setup_failed = iteration  # type: ignore[attr-defined]
    with contextlib.suppress(Exception):
        err.add_note(
            "run_cotrain: the resumed session stopped in its setup, before training; the run is "
            f"unchanged (config.json and results.json as they were, checkpoint {iteration} kept): "
            f"once the cause is fixed, resume it again (run_cotrain(cfg, {str(run_dir)!r}, "
            f"resume=True), or {command_line.script_line('cotrain.py')} --resume "
            f"{command_line.shell_path(run_dir)})"
        )


def _forget_start(run_dir: Path) -> None:
    """Remove the config.json of a first session that stopped before its checkpoint 0 (in the
    warm-started policy's evaluation, or its write), so that the folder it created is removed as
    after an error earlier in the setup and the same command starts the run again. Probe 87 row
    19: the folder was left holding config.json alone, after a bare traceback."""
    if run_io.is_file(run_dir / run_io.CHECKPOINT_NAME):
        return
    with contextlib.suppress(OSError):
        (run_dir / run_io.CONFIG_NAME).unlink(missing_ok=True)


class TolerantTensorBoard(KVWriter):
    """SB3's TensorBoard output, switched off at its first failed write: one WARNING naming the
    folder and the error, then the run goes on without TensorBoard logs for the rest of the
    session (its checkpoints and results.json are written as before). Probe 33: a full disk
    under tb/ only (a quota, a separate log volume) ended the run with the writer thread's
    traceback and ``error: [Errno 28] No space left on device``, naming no file."""

    def __init__(self, folder: Path, purge_step: int | None = None) -> None:
        self.folder = folder
        # probe 127 (N4): built directly (not by tensorboard_logger), the writer thread's failed
        # append was printed as "Exception in thread Thread-2" before this class's WARNING
        _quiet_tensorboard_thread_errors()
        self.inner: TensorBoardOutputFormat | None = (
            TensorBoardOutputFormat(str(folder))
            if purge_step is None
            else _PurgingTensorBoard(str(folder), purge_step)
        )
        # probe 119 row 9: a new run root (sudo) starts in a user's folder: tb/ and its event
        # file take the run folder's owner (the user's --resume was refused)
        run_io.give_tree_to_folder_owner(Path(folder).parent, trees=[Path(folder)])

    def write(self, key_values: dict[str, Any], key_excluded: Any, step: int = 0) -> None:
        if self.inner is None:
            return
        # probe 85 row 10: was OSError only; any other error in a log write (an encoding or
        # protobuf error) ended the training. Exception, not BaseException: Ctrl-C / SIGTERM
        # still stop the run; a MemoryError here is a log record's allocation, which switching
        # the writer off (its queue freed) outlives, and a real shortage stops the training's own
        # next allocation anyway.
        try:
            self.inner.write(key_values, key_excluded, step)
        except Exception as err:
            self._switch_off(err, step)

    def close(self) -> None:
        if self.inner is None:
            return
        try:
            self.inner.close()
        except Exception as err:
            self._switch_off(err, None)
        self.inner = None

    def _switch_off(self, err: Exception, step: int | None) -> None:
        inner, self.inner = self.inner, None
        with contextlib.suppress(Exception):
            inner.close()  # raises the writer thread's error again
        where = f" at iteration {step}" if step else ""
        if isinstance(err, OSError) and err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            # probe 127 (N4): a permission error was told to free space
            why = f"{err.strerror or err}: not writable"
            target = command_line.shell_path(os.fsdecode(err.filename or self.folder))
            fix = f"make {target} writable by this user (chmod u+w, or run as its owner)"
            mask = run_io.umask_now(self.folder)
            if owner_denied(mask):  # probe 148 row 4: the umask's own doing was not said
                fix = (
                    f"umask {mask:03o} leaves no {' or '.join(owner_denied(mask))} permission for "
                    f"you on the files made (mode {0o666 & ~mask:03o}): set umask 022 (or 077 to "
                    f"keep others out), make {target} writable (chmod u+rw)"
                )
            if err.errno == errno.EROFS:
                fix = "move the run folder to a writable file system (or remount it read-write)"
        elif isinstance(err, OSError):
            why, fix = err.strerror or err, "free space there (or fix the folder)"
        else:
            why, fix = f"{type(err).__name__}: {err}", "see the error"
        note(
            f"[cotrain] WARNING: {self.folder}: TensorBoard logs not written{where} "
            f"({why}); TensorBoard logging is off for the rest of this "
            "session, the run goes on (checkpoints, results.json and its evaluations are kept; "
            f"tb/ lacks the later iterations): {fix} and "
            "--resume later sessions to log again",
        )


class _PurgingTensorBoard(TensorBoardOutputFormat):
    """SB3's TensorBoard output whose new event file starts with a purge at ``purge_step``
    (torch's ``SummaryWriter(purge_step=…)``): TensorBoard drops the records of the folder's
    earlier files from that step on, which a resumed session logs again."""

    def __init__(self, folder: str, purge_step: int) -> None:
        from torch.utils.tensorboard import SummaryWriter

        _wait_past_newest_event_file(Path(folder))
        earlier = _event_files(Path(folder))
        self.writer = SummaryWriter(log_dir=folder, purge_step=purge_step)
        self._is_closed = False
        # probe 114 L1: root (sudo) resuming a user's run: their tb/ files
        run_io.give_tree_to_folder_owner(Path(folder), trees=[Path(folder)])
        _narrow_to_earlier_mode(Path(folder), earlier)


def _event_files(folder: Path) -> dict[Path, tuple[int, int]]:
    """The TensorBoard event files in ``folder``: ``(mtime_ns, permission bits)`` of each."""
    found = {}
    for path in folder.glob("events.out.tfevents.*"):
        with contextlib.suppress(OSError):
            st = path.lstat()
            if stat.S_ISREG(st.st_mode):
                found[path] = (st.st_mtime_ns, stat.S_IMODE(st.st_mode))
    return found


def _narrow_to_earlier_mode(folder: Path, earlier: dict[Path, tuple[int, int]]) -> None:
    """A resumed session's new event file in ``folder`` is no more open than the newest earlier
    one (its mode ANDed with that one's), as a replaced run file keeps its mode (run_io's
    atomic_write). Session 43 (carry45): a run made under umask 077 (tb/ 0700, event files
    0600) resumed by root (umask 022) got a 0644 event file; the chown alone gave it back.
    Only the group / other bits are narrowed: the owner's are kept, since the writer appends to
    the file (reopens it) at each flush. Probe 127 (N4): earlier files made read-only (``chmod
    a-w``) gave the new one 0444, so its writer's next append failed (Permission denied) and the
    session logged nothing."""
    if not earlier:
        return
    _, kept = max(earlier.values())
    kept |= stat.S_IRWXU
    for path, (_, mode) in _event_files(folder).items():
        if path not in earlier and mode & ~kept:
            with contextlib.suppress(OSError):  # gone meanwhile, or not ours to change
                os.chmod(path, mode & kept)


def _wait_past_newest_event_file(folder: Path, longest_s: float = 2.0) -> None:
    """Wait (at most ``longest_s``) until the wall clock's second is past the newest event file's
    in ``folder``, so the next one's name sorts after it. TensorBoard reads a folder's files in
    name order (``events.out.tfevents.<second>.<host>.<pid>.<n>``) and purges only the records
    read before the purge: a resume in the same second as the earlier file (a short run resumed
    in-process) whose counter went from 9 to 10 sorted first, and every step showed twice."""
    seconds = []
    for path in folder.glob("events.out.tfevents.*"):
        with contextlib.suppress(IndexError, ValueError):
            seconds.append(int(path.name.split(".")[3]))
    if not seconds:
        return
    wait = max(seconds) + 1 - time.time()
    if 0 < wait <= longest_s:
        time.sleep(wait)
    elif wait > longest_s:
        # Probe 106 row 4: the wall clock went back between sessions (an NTP step, the run moved
        # to a machine whose clock is behind): the new file sorted before the earlier one's and
        # TensorBoard drew steps [4, 5, 6, 7, 1, 2, 3], without a word. The file's name is the
        # writer's time.time() (a filename_suffix comes after it), and the writer reopens the
        # file by that name, so it is told here rather than renamed; earlier files are the
        # user's records (not renamed either), and a folder per session would split the curve.
        ahead = timing.format_duration(wait - 1)
        note(
            f"[rambo_env] WARNING: {folder} holds an event file named {ahead} later than this "
            "machine's clock (the clock went back since, or the run moved here from a machine "
            "whose clock is ahead): this session's TensorBoard file sorts before it, so "
            "TensorBoard draws the curves out of step order (results.json, curves.py and the "
            "ledger are not affected); read the run's curves with scripts/curves.py",
        )


@contextlib.contextmanager
def _continue_noted(monitor: RunMonitorCallback) -> Any:
    """Tell ``monitor`` of each SIGCONT (the process continued after SIGSTOP / Ctrl-Z) while
    the run trains, so that a stopped iteration's wall time stays out of the time estimates.
    Only where SIGCONT has its default handler, in the main thread; restored afterwards (the
    process continues on SIGCONT whatever its handler)."""
    cont = run_io.default_action_signal("SIGCONT")
    if cont is None:
        yield
        return
    previous = signal.signal(cont, lambda signum, frame: monitor.continued())
    try:
        yield
    finally:
        signal.signal(cont, previous)


def tensorboard_logger(folder: Path, purge_step: int | None = None) -> Logger:
    """An SB3 logger writing TensorBoard events to ``folder`` (:class:`TolerantTensorBoard`);
    ``purge_step``: the first step a resumed session writes (earlier files' records from it on
    are dropped by TensorBoard)."""
    _quiet_tensorboard_thread_errors()
    folder.mkdir(parents=True, exist_ok=True)
    return Logger(folder=str(folder), output_formats=[TolerantTensorBoard(folder, purge_step)])


_THREAD_HOOK_SET = False
_RUN_LOCK = threading.RLock()


@contextlib.contextmanager
def _one_run_at_a_time(what: str) -> Any:
    """One :func:`run_cotrain` / :func:`load_session` at a time in a process (the same thread may
    nest them). Probe 75 row 39: two runs in two threads of one process both "finished" with
    numbers neither run gives alone (seed 0: 2.2178 vs 1.7789), and the caller was left with
    another thread count: a run sets process-wide state (torch's threads, the global random
    generators, signal handlers)."""
    if not _RUN_LOCK.acquire(blocking=False):
        raise ValueError(
            f"{what}: another run_cotrain / load_session is going on in this process (in another "
            "thread); a run sets process-wide state (torch's thread count, the global random "
            "generators, signal handlers), so two at once give wrong numbers: run them one after "
            "the other, or in separate processes (multiprocessing, or scripts/cotrain.py)"
        )
    try:
        yield
    finally:
        _RUN_LOCK.release()


#: What torch.compile (inductor) sets for the process and needs only while it compiles / loads.
_INDUCTOR_ENV = "_TORCHINDUCTOR_PYOBJECT_TENSOR_DATA_PTR"


@contextlib.contextmanager
def _compile_state_kept() -> Any:
    """The recursion limit and :data:`_INDUCTOR_ENV` as the caller had them once a run returns:
    inductor raises the limit to 2000 at each compile and sets the variable before each load of
    a compiled kernel, so both are set again whenever they are needed. Probe 118 row 16: a run
    compiled by default (>= 20 iterations) left 1000 -> 2000 and the variable in the caller's
    process. torch's own atexit handlers, compile worker threads and ``setuptools/_vendor`` in
    ``sys.path`` stay (the README says so; ``compile=False`` compiles nothing)."""
    limit, value = sys.getrecursionlimit(), os.environ.get(_INDUCTOR_ENV)
    try:
        yield
    finally:
        if sys.getrecursionlimit() != limit:
            sys.setrecursionlimit(limit)
        if value is None:
            os.environ.pop(_INDUCTOR_ENV, None)
        else:
            os.environ[_INDUCTOR_ENV] = value


@contextlib.contextmanager
def _excepthook_kept() -> Any:
    """``threading.excepthook`` as the caller had it once a run returns (probe 75 row 6: the
    TensorBoard-quieting hook of :func:`_quiet_tensorboard_thread_errors` stayed for the life of
    the process)."""
    global _THREAD_HOOK_SET
    before, was_set = threading.excepthook, _THREAD_HOOK_SET
    try:
        yield
    finally:
        if _THREAD_HOOK_SET and not was_set:
            threading.excepthook, _THREAD_HOOK_SET = before, False


def _quiet_tensorboard_thread_errors() -> None:
    """TensorBoard's writer thread dies on an OSError (a full disk) with Python's "Exception in
    thread" traceback; :class:`TolerantTensorBoard` reports that error when it surfaces at the
    next write, so the thread's own traceback is left out (every other thread's is kept)."""
    global _THREAD_HOOK_SET
    if _THREAD_HOOK_SET:
        return
    previous = threading.excepthook

    def hook(args: Any) -> None:
        if isinstance(args.exc_value, OSError) and type(args.thread).__name__ == (
            "_AsyncWriterThread"
        ):
            return
        previous(args)

    threading.excepthook = hook
    _THREAD_HOOK_SET = True


# -- run folder ----------------------------------------------------------------------------
def _as_saved(cfg: CotrainConfig, saved: CotrainConfig) -> CotrainConfig:
    """``cfg`` with the two values a run saves resolved taken as saved: precision ``auto`` is the
    run's own (resolved when it started; its model is cached under it), and a relative dataset
    path that names the saved absolute one is that (was: refused, toys.py --out rel)."""
    changes: dict[str, str] = {}
    if cfg.precision == "auto":
        changes["precision"] = saved.precision
    if absolute_dataset(cfg.dataset) == saved.dataset:
        changes["dataset"] = saved.dataset
    return dataclasses.replace(cfg, **changes)


def _check_run_dir(cfg: CotrainConfig, run_dir: Path, resume: bool) -> CotrainConfig:
    """The run folder fits ``cfg`` (fresh: empty or a start that did not finish; resume: a
    checkpoint and the same config). Returns ``cfg`` (on resume as the run saved it, see
    :func:`_as_saved`)."""
    config_path = run_dir / run_io.CONFIG_NAME
    if not resume:
        content = [p for p in run_dir.iterdir() if p.name != run_io.LOCK_NAME]
        started = {run_io.CHECKPOINT_NAME, run_io.RESULTS_NAME} & {p.name for p in content}
        if started and not config_path.is_file():
            load_config(run_dir)  # raises: a run without its config.json cannot be resumed either
        if started and _checkpoint_gone(run_dir):  # probe 42: was "continue it with --resume",
            # which refuses it ("start a new run in another folder"): circular
            raise ValueError(
                f"run_dir: {run_dir} holds a run ({', '.join(sorted(started))}) without its "
                f"{run_io.CHECKPOINT_NAME} (deleted or moved?), so it can be neither continued "
                "nor started again there; pick a new folder (--run-dir), or remove this one "
                f"(rm -r {command_line.shell_path(run_dir)}) to start over in it"
            )
        if started:
            raise ValueError(  # was: "pass resume=True", advice the CLI has no flag for
                f"run_dir: {run_dir} already holds a run ({', '.join(sorted(started))}); continue "
                f"it with {command_line.script_line('cotrain.py')} --resume "
                f"{command_line.shell_path(run_dir)} (run_cotrain("
                "…, resume=True)), or pick a new folder"
            )
        run_io.check_no_foreign_entries(run_dir)  # only a run's own files are ever cleared
        if content:  # a start that died before its first checkpoint: nothing to resume
            note(f"[cotrain] {run_dir}: no checkpoint, clearing a start that did not finish")
            for path in content:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        return cfg
    if not _finished_without_checkpoint(cfg, run_dir):  # issue 14: "already finished" first
        _check_run_checkpoint(  # probe 19: the no-checkpoint case said no more: no way on
            run_dir,
            "to resume, or start the run again in a new folder (--run-dir, without --resume)",
            "to resume from: its run stopped before its first checkpoint (or the file was "
            "deleted); start it again with the command that started it, without --resume (its "
            "config.json records the settings; the unfinished start is cleared), or pick a new "
            "folder",
        )
    tb = run_dir / run_io.TB_DIR
    if (tb.exists() or tb.is_symlink()) and not tb.is_dir():  # was: "[Errno 17] File exists:
        raise ValueError(  # 'RUN/tb'" at the first logged iteration, after the setup
            f"run_dir: {tb} is not a folder, but the run's TensorBoard logs go there; restore "
            "the run's tb/ folder, or move that file away (a resumed run starts a new event file)"
        )
    for name in (run_io.RESULTS_NAME, run_io.CURVE_NAME):  # probe 30: found only once the
        run_io.check_file_or_absent(  # resumed iteration had run (minutes at paper size)
            run_dir / name, "run_dir", f"move it away: the run writes its {name} there"
        )
    saved = None
    with contextlib.suppress(OSError, ValueError, AttributeError):  # damaged: load_config says
        saved = run_io.read_json(config_path)
        saved = saved if provenance.newer_config_format(saved, config_path) else None
    if saved:  # probe 97 row 14: run_cotrain(…, resume=True) refuses it as --resume does
        _refuse_newer_format(config_path, saved["format"])
    saved_cfg = load_config(run_dir)
    # probe 138: before the setup
    provenance.recorded_invocations(
        run_io.read_json(config_path), config_path, "run_dir", "cotrain"
    )
    cfg = _as_saved(cfg, saved_cfg)
    for name, value, saved in config_differences(cfg, saved_cfg, (*SESSION_FIELDS, *EXTEND_FIELDS)):
        raise ValueError(
            f"cfg.{name}: {value!r} differs from the saved config's {saved!r} in "
            f"{config_path}; only {SESSION_FIELDS} and (to extend the run) "
            f"{EXTEND_FIELDS} may change on resume"
        )
    return cfg


def config_differences(
    cfg: CotrainConfig, saved: CotrainConfig, ignore: Sequence[str] = SESSION_FIELDS
) -> list[tuple[str, Any, Any]]:
    """``(field, cfg's value, saved's value)`` for each field of ``cfg`` other than ``saved``'s,
    those in ``ignore`` left out: what ``--resume`` refuses to change and what makes a finished
    toy run not the one asked for (scripts/toys.py)."""
    new, old = dataclasses.asdict(cfg), dataclasses.asdict(saved)
    return [
        (name, new[name], old[name])
        for name in new
        if name not in ignore and new[name] != old[name]
    ]


def same_settings_runs(
    cfg: CotrainConfig, runs_root: str | Path, exclude: str | Path | None = None
) -> list[tuple[Path, int | None]]:
    """The run folders right inside ``runs_root`` (``exclude`` left out) whose ``config.json``
    records ``cfg``'s settings and seed: every field but :data:`SESSION_FIELDS`, precision
    ``auto`` and a relative dataset path taken as saved (as a resume takes them,
    :func:`_as_saved`), with the live process holding each (None: no process runs it). Only
    config.json files are read; a folder without a readable one is skipped (a run still in its
    setup has none yet). Probe 133: a rerun of a requeued job started a new run beside its
    interrupted one, and a job-array mistake ran the same run twice, without a word."""
    mine = json.loads(json.dumps(config_to_dict(cfg)))  # tuples as the lists config.json holds
    mine["dataset"] = absolute_dataset(cfg.dataset)
    skip = Path(exclude).absolute() if exclude is not None else None
    try:
        folders = sorted(Path(runs_root).iterdir())
    except OSError:
        return []
    found = []
    for folder in folders:
        if skip is not None and folder.absolute() == skip:
            continue
        try:
            theirs = run_io.read_json(folder / run_io.CONFIG_NAME)["config"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not isinstance(theirs, dict):
            continue
        theirs = {**SAVED_BEFORE_FIELD, **theirs}  # a field saved later: the value runs had
        ours = dict(mine, precision=theirs.get("precision")) if cfg.precision == "auto" else mine
        if all(theirs.get(n, ...) == v for n, v in ours.items() if n not in SESSION_FIELDS):
            found.append((folder, run_io.other_holder(folder)))
    return found


def _check_tb_kept(done: int, run_dir: Path) -> None:
    """A run past its first iteration still has its ``tb/`` folder and an event file in it (was:
    ``--resume`` after ``tb/`` was deleted or moved, or after its event files were deleted
    (probe 45), went on without a word, so its curves, the ledger and ``scripts/curves.py``
    silently lacked the iterations before the resume). A run resumed from checkpoint 0 (after
    BC) never had one. A ``tb/CURVES_LOST`` file made by hand says the loss is known: go on."""
    tb = run_dir / run_io.TB_DIR
    if done < 1 or (tb / run_io.TB_LOST_NAME).exists():
        return
    go_on = (
        f"to continue without the earlier curves, say so: mkdir -p {command_line.shell_path(tb)} && "
        f"touch {command_line.shell_path(tb / run_io.TB_LOST_NAME)} (the ledger then takes the "
        f"run's score from its {run_io.RESULTS_NAME})"
    )
    if not (tb.exists() or tb.is_symlink()):
        raise FileNotFoundError(
            f"run_dir: {tb} is missing: the TensorBoard logs of the run's {done} iteration(s) "
            f"were deleted or moved, and a resumed run would log only the later ones; restore "
            f"tb/, or {go_on}"
        )
    if tb.is_dir() and not any(p.is_file() for p in tb.rglob("events.out.tfevents.*")):
        raise FileNotFoundError(
            f"run_dir: {tb} holds no TensorBoard event file, but the run has {done} "
            f"iteration(s) done: its logs were deleted or moved, and a resumed run would log "
            f"only the later ones; restore tb/'s event files, or {go_on}"
        )


def _unlogged_iterations(run_dir: Path, done: int) -> list[int]:
    """The checkpointed iterations 1..``done`` without a TensorBoard row (``time/iterations``) in
    ``run_dir``'s tb/: a kill between an iteration's checkpoint and its row (probe 81 row 10).
    0 first when no step-0 record is there (probe 83 row 27: a deleted first event file lost the
    warm start's records, not named). None when tb/ says its curves are lost (``CURVES_LOST``) or
    holds no event file."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    tb = run_dir / run_io.TB_DIR
    files = sorted(p for p in tb.rglob("events.out.tfevents.*") if p.is_file())
    if done < 1 or not files or (tb / run_io.TB_LOST_NAME).exists():
        return []
    logged: set[int] = set()
    step_0 = False
    for events in files:
        acc = EventAccumulator(str(events), size_guidance={"scalars": 0})
        acc.Reload()
        tags = acc.Tags()["scalars"]
        if "time/iterations" in tags:
            logged |= {int(e.step) for e in acc.Scalars("time/iterations")}
        step_0 = step_0 or any(e.step == 0 for tag in tags for e in acc.Scalars(tag))
    return [0] * (not step_0) + [i for i in range(1, done + 1) if i not in logged]


def _log_again(
    logger: Any,
    history: RunHistory,
    iterations: list[int],
    run_dir: Path,
    start_records: dict[str, float] | None = None,
) -> None:
    """Log the rows of ``iterations`` (checkpointed, but missing from tb/) again from the
    checkpoint's history: average Q, iteration time and the evaluation (probe 81 row 10: a kill
    between an iteration's checkpoint and its row lost the row for good, the resume silent).
    Their losses and rollout statistics are not in the checkpoint and stay missing. Step 0 logs
    ``start_records`` (MLE and BC summaries, from config.json) and the warm start's evaluation."""
    evals = {e["iteration"]: e for e in history.evals}
    if 0 in iterations and not start_records and 0 not in evals:
        iterations = [i for i in iterations if i != 0]  # nothing of step 0 to log: never had it
    if not iterations:
        return
    for it in iterations:
        if it == 0:
            for key, value in (start_records or {}).items():
                logger.record(key, value)
        else:
            logger.record("rambo/q_avg", history.q_history[it - 1])
            logger.record("time/iterations", it)
            logger.record("time/iteration_s", history.iteration_s[it - 1])
        if it in evals:
            for key, tag in (
                ("return_mean", "eval/return_mean"),
                ("return_std", "eval/return_std"),
                ("normalized_score", "eval/normalized_score"),
                ("eval_s", "time/eval_s"),
            ):
                if evals[it].get(key) is not None:
                    logger.record(tag, evals[it][key])
        logger.dump(step=it)
    shown = ", ".join(map(str, iterations[:5])) + (f", … {iterations[-1]}" * (len(iterations) > 5))
    # probe 83 row 27: rows missing before ones still logged (an event file deleted) were
    # guessed "killed between a checkpoint …", and TensorBoard lists them after the later rows
    later = [i for i in range(iterations[0] + 1, history.iteration + 1) if i not in iterations]
    why = (
        "event files deleted or lost?"
        if later
        else "killed between a checkpoint and its TensorBoard row?"
    )
    order = (
        f"; TensorBoard lists them after the rows already logged (to {later[-1]}), so its charts "
        "draw a line back to them"
        if later
        else ""
    )
    note(
        f"[cotrain] note: {run_dir / run_io.TB_DIR} lacked the row of "
        f"{run_io.counted(len(iterations), 'iteration')} ({shown}; {why}): logged again from the "
        "checkpoint (average Q, iteration time, evaluation; not that iteration's losses"
        f"{'; step 0: the MLE and BC summaries from config.json' if 0 in iterations else ''})"
        f"{order}",
    )


def _log_again_at_end(run_dir: Path, history: RunHistory, start_records: dict[str, float]) -> None:
    """:func:`_log_again` for a resume with no iteration left to train (probe 83 row 29: a kill
    between the LAST checkpoint and its TensorBoard row was never repaired: the finish-at-once
    and "already finished" paths logged nothing, and scripts/ledger.py then refused the run)."""
    unlogged = _unlogged_iterations(run_dir, history.iteration)
    if not unlogged:
        return
    logger = tensorboard_logger(run_dir / run_io.TB_DIR, purge_step=history.iteration + 1)
    try:
        _log_again(logger, history, unlogged, run_dir, start_records)
    finally:
        logger.close()


def _divergence_record(run_dir: Path, done: int) -> dict[str, Any] | None:
    """The divergence the run stopped at after checkpoint ``done``, ``{"iterations_completed",
    "diverged_at", "message"}``: from a diverged results.json, or kept in the ``running`` one of a
    resume (larger ``--q-limit``) killed before it passed that iteration (probe 83 row 12: the
    running record hid it, so a plain ``--resume`` went back to the run's limit and diverged
    again without a word). None if the run did not stop diverged at ``done``."""
    try:
        saved = run_io.read_json(run_dir / run_io.RESULTS_NAME)
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict):
        return None
    if saved.get("status") == "diverged":
        record = {k: saved.get(k) for k in ("iterations_completed", "diverged_at", "message")}
    elif saved.get("status") in ("running", "failed") and isinstance(
        saved.get("diverged_before"), dict
    ):
        record = saved["diverged_before"]
    else:
        return None
    return record if record.get("iterations_completed") == done else None  # else another checkpoint


def _check_not_diverged(cfg: CotrainConfig, done: int, run_dir: Path) -> None:
    """A run that stopped as diverged is not resumed into the same divergence (probe 33: each
    ``--resume`` repeated the diverging iteration from the same checkpoint and RNG state, and
    diverged again). Its results.json names the iteration; a Q divergence continues under a
    session ``--q-limit`` above the recorded average Q, anything else is refused here, before
    the dataset and the model are loaded."""
    saved = _divergence_record(run_dir, done)
    if saved is None:
        return
    at = saved.get("diverged_at")
    at = at if isinstance(at, dict) else {}
    iteration = at.get("iteration", done + 1)
    q_avg, q_limit = at.get("q_avg"), at.get("q_limit")
    results = run_dir / run_io.RESULTS_NAME
    again = (
        f"a resume repeats iteration {iteration} from the same checkpoint and random state and "
        "diverges again"
    )
    if run_io.is_real(q_avg) and math.isfinite(q_avg) and run_io.is_real(q_limit):
        if cfg.q_limit is not None and cfg.q_limit >= abs(q_avg):
            return  # a larger session limit lets that iteration pass
        command = (
            f"{command_line.script_line('cotrain.py')} --resume {command_line.shell_path(run_dir)}"
        )
        raise ValueError(
            f"run_dir: {run_dir} diverged at iteration {iteration}: average Q = {q_avg:.4g} "
            f"above the limit |Q| <= {q_limit:.4g} ({results}); {again}: to go on past it, "
            f"give a larger limit ({command} --q-limit {_limit_above(q_avg)}), or start a new "
            "run with other settings"
        )
    why = at.get("reason") or saved.get("message") or "see its message"
    raise ValueError(
        f"run_dir: {run_dir} diverged at iteration {iteration} ({why}; {results}); {again}: "
        "nothing to resume; start a new run with other settings (e.g. a smaller --lam)"
    )


def _limit_above(q_avg: float) -> str:
    """A round ``--q-limit`` value above ``|q_avg|`` (for the hint of :func:`_check_not_diverged`)."""
    return f"{10 ** math.ceil(math.log10(max(abs(q_avg), 1e-300)) + 1e-12):g}"


def _check_stop_at(cfg: CotrainConfig, done: int, run_dir: Path) -> None:
    """A resumed run asked to stop at or before the iterations it already has: nothing to do."""
    if cfg.stop_at_iteration is not None and cfg.stop_at_iteration <= done:
        raise ValueError(
            f"stop_at_iteration: {cfg.stop_at_iteration} <= iterations done {done} in {run_dir}: "
            "nothing to do; raise it (or leave it out) to continue the run"
        )


def _finished_results(run_dir: Path) -> dict[str, Any] | None:
    """The saved ``results.json`` of a run that finished (``status`` ``finished``), else None."""
    results_path = run_dir / run_io.RESULTS_NAME
    if not results_path.is_file():
        return None
    try:
        saved = run_io.read_json(results_path)
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("status") != "finished":
        return None
    return saved


def _checkpoint_gone(run_dir: Path) -> bool:
    """No checkpoint.pt at all (no file, link or folder there: those are named by
    :func:`_check_run_checkpoint`)."""
    checkpoint = run_dir / run_io.CHECKPOINT_NAME
    return not (checkpoint.exists() or checkpoint.is_symlink())


def _finished_without_checkpoint(cfg: CotrainConfig, run_dir: Path) -> bool:
    """True for a run that finished all ``cfg.n_iterations`` and whose checkpoint.pt was
    deleted: :func:`_already_finished` says so (issue 14: a plain ``--resume`` of it said
    "checkpoint.pt is missing …: deleted or moved" instead). One error when such a run, finished
    at its recorded ``n_iterations``, is asked to go on to more (``--n-iterations N``) or fewer:
    it finished first, then what extending needs. Anything else (a run short of its recorded
    ``n_iterations``: an extension interrupted before its first iteration) is False, left to
    :func:`_check_run_checkpoint`."""
    saved = _finished_results(run_dir)
    done = saved.get("iterations_completed") if saved is not None else None
    if not _checkpoint_gone(run_dir) or not run_io.is_int(done):
        return False
    if cfg.n_iterations == done:
        return True
    finished = (
        f"run_dir: {run_dir} already finished {'its' if done == 1 else 'all'} "
        f"{run_io.counted(done, 'iteration')} (its {run_io.RESULTS_NAME})"
    )
    recorded = load_config(run_dir).n_iterations
    if cfg.n_iterations < done:
        if cfg.n_iterations == recorded:  # as _extend says it
            raise ValueError(
                f"{finished}, but n_iterations is {cfg.n_iterations} in "
                f"{run_dir / run_io.CONFIG_NAME} (edited by hand?): nothing to resume; put back "
                f"the run's value ({done})"
            )
        raise ValueError(
            f"{finished}; --n-iterations {cfg.n_iterations} is fewer: nothing to resume; leave "
            "--n-iterations out"
        )
    if cfg.n_iterations > done and recorded == done:  # else: an interrupted extension
        raise FileNotFoundError(
            f"{finished}, but extending it to {cfg.n_iterations} (--n-iterations) needs its "
            f"{run_io.CHECKPOINT_NAME}, which is missing (deleted or moved): restore it from a "
            "copy of the run folder, or start a new run in another folder"
        )
    return False


def _already_finished(cfg: CotrainConfig, run_dir: Path) -> dict[str, Any] | None:
    """The saved results of a run that has already done all ``n_iterations``, else None.

    ``finished`` is written once, after the last checkpoint; a run killed before that (stopped,
    interrupted, no results.json yet) is resumed as usual.
    """
    saved = _finished_results(run_dir)
    if saved is None or saved.get("iterations_completed") != cfg.n_iterations:
        return None
    results_path = run_dir / run_io.RESULTS_NAME
    from rambo_env.ledger import check_results_fields  # lazy: the ledger is not needed to train

    check_results_fields(saved, results_path)  # probe 59: a hand-edited score was kept
    curves.check_tb_readable(run_dir)  # probe 151 row 2: was [Errno 13] … b'…/tb/events…'
    command = (
        f"{command_line.script_line('cotrain.py')} --resume {command_line.shell_path(run_dir)}"
    )
    checkpoint = run_dir / run_io.CHECKPOINT_NAME
    state = _load_run_checkpoint(checkpoint) if checkpoint.is_file() else None
    if state is not None:  # probe 31: results.json was trusted over the checkpoint
        held = int(state["iteration"])
        if held != cfg.n_iterations:
            raise ValueError(
                f"run_dir: {results_path} says the run finished all {cfg.n_iterations} "
                f"iterations, but {checkpoint} holds iteration {held} (restored from an older "
                "copy, or the results.json of another run?); a resume continues from the "
                f"checkpoint: move {run_io.RESULTS_NAME} away to continue the run from iteration "
                f"{held} to {cfg.n_iterations}, or restore the checkpoint.pt of iteration "
                f"{cfg.n_iterations}"
            )
    if _checkpoint_gone(run_dir):  # issue 14: was "… deleted or moved" first
        extend = (
            f"its {run_io.CHECKPOINT_NAME} is missing (deleted or moved): restore it from a copy "
            f"of the run folder to extend the run ({command} --n-iterations N)"
        )
    else:
        extend = (  # probe 75 row 40: an API caller was pointed at the command line only
            f"to extend it: {command} --n-iterations N (N > {cfg.n_iterations}), or "
            "run_cotrain(dataclasses.replace(cfg, n_iterations=N), run_dir, resume=True)"
        )
    message = (
        f"{run_dir} already finished {'its' if cfg.n_iterations == 1 else 'all'} "
        f"{run_io.counted(cfg.n_iterations, 'iteration')}; nothing to resume "
        f"(results unchanged: {results_path}); {extend}"
    )
    note(f"[cotrain] {message}")
    _redraw_missing_curve(cfg, saved, run_dir)
    if state is not None:  # probe 83 row 29: its last row, lost by a kill, logged again
        resolved = _recorded_resolved(run_dir) or {}
        _log_again_at_end(
            run_dir,
            RunHistory.from_state_dict(state["history"]),
            _start_records(resolved) if isinstance(resolved.get("model"), dict) else {},
        )
    return {**saved, "message": message, "already_finished": True}


#: The first 8 bytes of every PNG, and the last 12 (the empty IEND chunk and its CRC).
_PNG_START = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


def _whole_png(path: Path) -> bool:
    """``path`` starts with the PNG signature and ends with its IEND chunk (a PNG not cut)."""
    try:
        with open(path, "rb") as f:
            start = f.read(len(_PNG_START))
            f.seek(max(0, os.fstat(f.fileno()).st_size - len(_PNG_END)))
            end = f.read()
    except OSError:
        return False
    return start == _PNG_START and end == _PNG_END


def _older_than_results(path: Path, run_dir: Path) -> bool:
    """``path`` was last written before the run's results.json (:func:`_finish` draws the
    curve after it)."""
    try:
        return path.stat().st_mtime < (run_dir / run_io.RESULTS_NAME).stat().st_mtime
    except OSError:
        return False


def _redraw_missing_curve(cfg: CotrainConfig, saved: dict[str, Any], run_dir: Path) -> None:
    """Draw a finished run's learning curve again from its results.json when the PNG is missing
    (probe 69: a kill while it was drawn left the run finished without it, and --resume said only
    "nothing to resume") or not a whole PNG (probe 71 row 28: a cut one was kept without a
    word), or older than results.json (probe 81 row 21: an extend killed between the two kept
    the shorter run's curve without a word)."""
    path = run_dir / run_io.CURVE_NAME
    stale = _older_than_results(path, run_dir)
    if path.exists() and (not path.is_file() or (_whole_png(path) and not stale)):
        return
    was = "missing (killed while it was drawn?)" if not path.exists() else "not a whole PNG (cut?)"
    # probe 85 row 9: a failed drawing (one WARNING at the run's end) leaves it missing too
    failed = "" if path.exists() else " (or its drawing failed: a WARNING said so at the run's end)"
    if path.exists() and _whole_png(path):
        was = f"older than its {run_io.RESULTS_NAME} (killed before it was drawn again?)"
    evals = saved.get("evals") or []
    have_scores = any(e.get("normalized_score") is not None for e in evals)
    run_io.plot_learning_curve(
        path,
        [e["iteration"] for e in evals],
        [e.get("normalized_score") if have_scores else e.get("return_mean") for e in evals],
        saved.get("q_history") or [],
        value_label=curve_label(saved.get("score_label")) if have_scores else "return",
        title=f"{saved.get('dataset_name') or saved.get('dataset')} {cfg.algo} "
        f"k={saved.get('rollout_length')} λ={saved.get('adversary_weight')} seed {cfg.seed}",
    )
    note(f"[cotrain] {path.name} was {was}: drawn again{failed}")


def _extend(cfg: CotrainConfig, done: int, run_dir: Path) -> Callable[[], None]:
    """A resumed run given another ``n_iterations`` (``--resume RUN --n-iterations N``): continue
    it to N (a finished run too); fewer than it has done is refused here. Returns the write that
    records N in its config.json, called after the setup (dataset load, model): probe 20, a
    resume refused there (its dataset moved, a device this machine lacks) had already recorded
    N, so the next plain ``--resume`` ran N iterations without a word."""
    saved = run_io.read_json(run_dir / run_io.CONFIG_NAME)
    before = saved["config"].get("n_iterations")
    if cfg.n_iterations < done and before == cfg.n_iterations:  # was: "finished: 3/1 iterations"
        raise ValueError(
            f"n_iterations: {cfg.n_iterations} in {run_dir / run_io.CONFIG_NAME} < the {done} "
            f"iterations {run_dir} has done (edited by hand?); put back the run's value (at "
            f"least {done}), or extend the run with --n-iterations N"
        )
    if before == cfg.n_iterations:
        return lambda: _say_extended_before(cfg, done, run_dir)
    if cfg.n_iterations < done:
        raise ValueError(
            f"n_iterations: {cfg.n_iterations} < the {run_io.counted(done, 'iteration')} {run_dir} "
            "has done; "
            "give more to extend the run (or leave it out to finish it as configured)"
        )

    def record() -> None:
        saved["config"]["n_iterations"] = cfg.n_iterations
        run_io.check_run_dir_kept(run_dir)  # probe 28: never a new folder at a moved run's path
        run_io.write_json(run_dir / run_io.CONFIG_NAME, saved)
        note(f"[cotrain] n_iterations of {run_dir}: {before} -> {cfg.n_iterations}")

    return record


def _say_extended_before(cfg: CotrainConfig, done: int, run_dir: Path) -> None:
    """A note when config.json's ``n_iterations`` is above the count results.json says the run
    finished at: a session that extended the run failed before it trained (probe 85 row 23: a
    plain --resume then extended 8 -> 12 without a word; :func:`_extend` is now recorded after
    the restore, runs left so by earlier versions remain)."""
    try:
        results = run_io.read_json(run_dir / run_io.RESULTS_NAME)
    except (OSError, ValueError):  # none or damaged: said elsewhere
        return
    if not isinstance(results, dict) or results.get("status") != "finished":
        return
    planned = results.get("n_iterations")
    if not run_io.is_int(planned) or planned >= cfg.n_iterations or planned != done:
        return
    note(
        f"[cotrain] note: {run_dir / run_io.CONFIG_NAME} records n_iterations {cfg.n_iterations} "
        f"but {run_dir / run_io.RESULTS_NAME} says the run finished {done}/{planned} (an earlier "
        f"session that extended it stopped before it trained?): this session extends it, "
        f"n_iterations {planned} -> {cfg.n_iterations}, as config.json records",
    )


def _say_other_schedule(cfg: CotrainConfig, history: RunHistory) -> None:
    """A note when the run's final window holds evaluations its schedule of ``cfg.n_iterations``
    would not make (probe 81 row 4: extended from 6 to 8 iterations with --eval-last 2, the run
    kept iteration 5's evaluation, so its final score averaged [2, 4, 5, 6, 7, 8], 2.4557, and an
    uninterrupted 8-iteration run's [2, 4, 6, 7, 8], 2.4956, without a word). The evaluations are
    kept (they were made; TensorBoard and the ledger hold them)."""
    schedule = EvalSchedule(cfg.n_iterations, every=cfg.eval_every, last=cfg.eval_last)
    planned = [i for i in range(1, cfg.n_iterations + 1) if schedule.due(i)]
    start = planned[-N_FINAL_EVALS] if len(planned) >= N_FINAL_EVALS else 0
    other = [
        e["iteration"]
        for e in history.evals
        if e["iteration"] > start and not schedule.due(e["iteration"])
    ]
    if other:
        note(
            f"[cotrain] note: {run_io.counted(len(other), 'iteration')} "
            f"({', '.join(map(str, other))}) {'was' if len(other) == 1 else 'were'} evaluated "
            f"under the run's earlier, shorter schedule, which its {cfg.n_iterations}-iteration one "
            f"(--eval-every {cfg.eval_every} --eval-last {cfg.eval_last}) does not make: the "
            f"final score (mean of the last {N_FINAL_EVALS} evaluations) counts "
            f"{'it' if len(other) == 1 else 'them'}, so it can differ from an uninterrupted "
            f"{cfg.n_iterations}-iteration run's",
        )


#: The session fields a resumed session runs with but config.json does not record (it keeps the
#: run's own for a later plain ``--resume``); ``ledger`` has its own line (scripts/cotrain.py),
#: ``stop_at_iteration`` is recorded (:func:`_record_stop_at`).
_SESSION_ONLY = ("device", "torch_threads", "compile", "progress", "q_limit")


def _say_session_only(cfg: CotrainConfig, run_dir: Path) -> None:
    """One note naming the session fields this resumed session runs with other than the values
    config.json keeps (the run's own, which a later plain ``--resume`` takes). Probe 90: after
    ``--resume RUN --no-compile`` config.json still said ``compile: true`` and the resume said
    nothing of it (nor of ``--q-limit``, ``--device``, ``--progress``)."""
    saved = run_io.read_json(run_dir / run_io.CONFIG_NAME)["config"]
    differs = [
        (name, getattr(cfg, name), saved[name])
        for name in _SESSION_ONLY
        if name in saved and getattr(cfg, name) != saved[name]
    ]
    if not differs:
        return
    now = ", ".join(f"{name}={value!r}" for name, value, _ in differs)
    kept = ", ".join(f"{name}={value!r}" for name, _, value in differs)
    note(
        f"[cotrain] note: this session runs with {now}, for this session only: "
        f"{run_dir / run_io.CONFIG_NAME} keeps the run's {kept}, which a later --resume without "
        "these flags uses (results.json's session_settings record each session's threads and "
        "compile)",
    )


def _record_stop_at(cfg: CotrainConfig, run_dir: Path) -> None:
    """Record this session's ``stop_at_iteration`` in config.json (None: the run goes on to its
    end). Probe 81 row 29: the first session's stop stayed there after a resume finished the run,
    so load_config + run_cotrain into a new folder reproduced a run stopped at it. The other
    session fields keep the first session's values (a plain ``--resume`` takes them)."""
    path = run_dir / run_io.CONFIG_NAME
    saved = run_io.read_json(path)
    if saved["config"].get("stop_at_iteration") == cfg.stop_at_iteration:
        return
    saved["config"]["stop_at_iteration"] = cfg.stop_at_iteration
    run_io.check_run_dir_kept(run_dir)  # probe 28: never a new folder at a moved run's path
    run_io.write_json(path, saved)


def check_identity(state: dict[str, Any], run_dir: Path) -> str:
    """The checkpoint belongs to this run folder: same config, same dataset. -> dataset fingerprint."""
    saved = run_io.read_json(run_dir / run_io.CONFIG_NAME)
    try:
        fingerprint = saved["resolved"]["dataset"]["fingerprint"]
    except (KeyError, TypeError) as err:  # a hand-edited config.json
        fingerprint = err
    if not isinstance(fingerprint, str):
        raise ValueError(
            f"run_dir: {run_dir / run_io.CONFIG_NAME} records no dataset fingerprint "
            f'("resolved" → "dataset" → "fingerprint": {fingerprint!r}); cotrain writes it at the '
            "start of a run: restore the file or start a new run"
        )
    identity = state.get("identity")
    if identity is None:  # a checkpoint written before identities were stored
        return fingerprint
    checkpoint = run_dir / run_io.CHECKPOINT_NAME
    # Fields added after the run started are missing from its config.json: their defaults (the
    # earlier behaviour) are what it ran with, so compare the loaded config, not the raw JSON.
    config = dataclasses.asdict(load_config(run_dir))
    for name, value in identity["config"].items():
        # the dataset's path: where it was found (saved absolute since probe 12, relative by
        # older runs); what it holds is compared below, by its fingerprint
        if name in (*SESSION_FIELDS, *EXTEND_FIELDS, "dataset"):
            continue
        if name in config and config[name] != value:
            # probe 43: a hand-edited config.json (λ changed) was "belongs to another run"
            raise ValueError(
                f"{checkpoint} and {run_dir / run_io.CONFIG_NAME} disagree on {name} "
                f"({value!r} in the checkpoint, {config[name]!r} in {run_io.CONFIG_NAME}): "
                f"{run_io.CONFIG_NAME} edited by hand, or the checkpoint copied from another "
                f"run?; set {name} back to {value!r} in {run_io.CONFIG_NAME} (or put back this "
                "run's own checkpoint) to resume it, or start a new run with the other value"
            )
    if identity["dataset_fingerprint"] != fingerprint:
        raise ValueError(
            f"{checkpoint}: trained on dataset {identity['dataset_fingerprint']}, but "
            f"{run_dir / run_io.CONFIG_NAME} records dataset {fingerprint}"
        )
    recorded = identity.get("resolved")  # None: a checkpoint written before it was stored
    where = _first_difference(recorded, saved["resolved"]) if recorded is not None else None
    if where is not None:  # probe 31: a hand edit there was ignored, the stale value kept
        key, in_checkpoint, in_file = where
        raise ValueError(
            f"{run_dir / run_io.CONFIG_NAME}: resolved.{key} is {in_file!r}, but {checkpoint} "
            f'records {in_checkpoint!r} (edited by hand?): the "resolved" block records what '
            "the run worked out at its start and is never read back to change it; put back the "
            "run's value (settings that may change on resume are flags: scripts/cotrain.py "
            "--help), or start a new run"
        )
    return fingerprint


def _first_difference(a: Any, b: Any, key: str = "") -> tuple[str, Any, Any] | None:
    """The first dotted key where JSON records ``a`` and ``b`` differ, with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        for name in sorted(set(a) | set(b), key=str):
            found = _first_difference(
                a.get(name, "<absent>"), b.get(name, "<absent>"), f"{key}.{name}" if key else name
            )
            if found is not None:
                return found
        return None
    return None if a == b else (key or "(all)", a, b)


#: The older config.json formats that hold the same fields as :data:`provenance.CONFIG_FORMAT`'s (3
#: only marks the checkpoint's new RunHistory entry, probe 124 rows 17, 35; 4 adds the optional
#: ``invocations``, which a resume records, probe 138).
_CONFIG_FORMATS_AS_NOW = (2, 3)


def _raise_config_format(run_dir: Path) -> None:
    """Record today's config format in a resumed run's config.json when it holds the same fields
    (:data:`_CONFIG_FORMATS_AS_NOW`): its checkpoint is now this code's, so older code resuming it
    is told "written by a newer rambo_env" by config.json (probe 124 rows 17, 35), not refused on a
    state key it does not know."""
    path = run_dir / run_io.CONFIG_NAME
    saved = run_io.read_json(path)
    if saved.get("format") in _CONFIG_FORMATS_AS_NOW:
        run_io.write_json(path, {**saved, "format": provenance.CONFIG_FORMAT})


def _write_resolved_config(session: Session, run_dir: Path, invocation: dict[str, Any]) -> None:
    run_io.check_run_dir_kept(run_dir)  # probe 28: moved during the setup
    run_io.write_json(
        run_dir / run_io.CONFIG_NAME,
        {
            "format": provenance.CONFIG_FORMAT,  # probe 92 row 30: a newer writer told from a typo
            "config": config_to_dict(session.cfg),
            "resolved": session.resolved,
            "invocations": [invocation],  # probe 138: a resume appends its own
        },
    )


def _record_invocation(run_dir: Path, invocation: dict[str, Any]) -> str | None:
    """Append this resumed session's ``invocation`` to the run's config.json's ``invocations``
    (the earlier sessions' kept; probe 138: a run folder recorded no command line). Returns the
    run's first command (its ``start`` entry's; None: started from Python or before probe 138)."""
    path = run_dir / run_io.CONFIG_NAME
    saved = run_io.read_json(path)
    kept = provenance.recorded_invocations(saved, path, "run_dir", "cotrain")
    run_io.check_run_dir_kept(run_dir)  # probe 28: never a new folder at a moved run's path
    run_io.write_json(path, {**saved, "invocations": [*kept, invocation]})
    first = kept[0] if kept else invocation
    return first.get("command") if first.get("kind") == "start" else None


# -- start / restore -----------------------------------------------------------------------
def _start(session: Session, run_dir: Path, invocation: dict[str, Any]) -> RunHistory:
    """Fresh run: BC warm start (App. B.4), evaluation of the warm-started policy, checkpoint 0."""
    session.warm_start()
    _write_resolved_config(session, run_dir, invocation)
    history = RunHistory()
    if session.can_evaluate:
        history.evals.append({"iteration": 0, **_evaluate(session, 0)})
    _save(session, history, run_dir)
    return history


def _agent_state(agent: Any) -> dict[str, Any]:
    python_optimizer_numbers(agent)  # probe 132 row 1: torch's weights-only load refuses numpy
    state_names, variable_names = agent._get_torch_save_params()
    return {
        "modules": {name: _getattr(agent, name).state_dict() for name in state_names},
        "variables": {name: _getattr(agent, name).detach() for name in variable_names},
        "counters": {
            "num_timesteps": agent.num_timesteps,
            "_n_updates": agent._n_updates,
            "_episode_num": agent._episode_num,
        },
    }


def _load_agent_state(agent: Any, state: dict[str, Any]) -> None:
    agent.set_parameters(state["modules"], exact_match=True, device=agent.device)
    with torch.no_grad():
        for name, value in state["variables"].items():
            _getattr(agent, name).copy_(value.to(agent.device))
    for name, value in state["counters"].items():
        setattr(agent, name, int(value))


def _save(
    session: Session,
    history: RunHistory,
    run_dir: Path,
    before_rename: Callable[[], None] | None = None,
) -> None:
    """Atomic checkpoint of everything but the model pool (see the module docstring);
    ``before_rename``: :func:`rambo_env.run_io.save_checkpoint`'s."""
    # probe 28: a run folder moved while the run trained got a new folder at its old path
    # holding only this checkpoint (and a TensorBoard thread's traceback); now one error first
    run_io.check_run_dir_kept(run_dir)
    agent, noise = session.agent, getattr(session.agent, "action_noise", None)
    state = {
        "format_version": CHECKPOINT_FORMAT,
        "identity": {
            "config": config_to_dict(session.cfg),
            "dataset_fingerprint": session.resolved["dataset"]["fingerprint"],
            # probe 31: the record config.json keeps, to tell a hand edit of it on resume
            "resolved": run_io.as_json(
                session.resolved if session.resolved_at_start is None else session.resolved_at_start
            ),
        },
        "iteration": history.iteration,
        "history": history.state_dict(),
        "agent": _agent_state(agent),
        "ensemble": session.mdp.ensemble.state_dict(),
        "adversary": session.adversary.state_dict(),
        "buffer_generator": agent.replay_buffer.generator.get_state(),
        "noise_rng": noise.rng.bit_generator.state if hasattr(noise, "rng") else None,
        "callback": session.rambo_callback_state(),
        "rng": run_io.get_rng_state(),
        # probe 55 row 45: without these a resumed run drew other rollout starts and trained on
        # one iteration's rollouts, so it parted from the uninterrupted run after the resume
        "pool": _pool_state(agent.replay_buffer),
        "rollouts": _rollout_state(session.vec_env, agent),
        **session_record(session),
    }
    run_io.save_checkpoint(run_dir / run_io.CHECKPOINT_NAME, state, before_rename)


#: The SB3 replay-buffer arrays that hold the model pool (``optimize_memory_usage`` is refused).
_POOL_ARRAYS = ("observations", "next_observations", "actions", "rewards", "dones", "timeouts")


def _pool_state(buffer: Any) -> dict[str, Any]:
    """The model pool's filled rows (Alg. 1 line 9's D_model) and write position, as tensors
    that share the buffer's memory (no copy); ~140 MB at paper sizes (1.25 M hopper rows)."""
    rows = buffer.buffer_size if buffer.full else buffer.pos
    return {
        "pos": int(buffer.pos),
        "full": bool(buffer.full),
        "arrays": {name: torch.from_numpy(getattr(buffer, name)[:rows]) for name in _POOL_ARRAYS},
    }


def _load_pool_state(buffer: Any, state: dict[str, Any]) -> None:
    rows = buffer.buffer_size if state["full"] else state["pos"]
    for name in _POOL_ARRAYS:
        array = getattr(buffer, name)
        saved = state["arrays"][name].numpy()
        if saved.shape != (rows, *array.shape[1:]):
            raise ValueError(
                f"checkpoint: its model pool's {name} has shape {saved.shape}, but this run's "
                f"pool takes {(rows, *array.shape[1:])}: the checkpoint is of other settings"
            )
        array[:rows] = saved
    buffer.pos, buffer.full = int(state["pos"]), bool(state["full"])


def _rollout_state(vec_env: Any, agent: Any) -> dict[str, Any]:
    """Where the model rollouts stand between iterations: the rows (Section 5.2's k-step
    rollouts from dataset start states: :meth:`RamboModelVecEnv.rollout_state`) and SB3's last
    observation / episode starts, so the next collect goes on from them."""
    starts = agent._last_episode_starts
    return {
        **vec_env.rollout_state(),
        "last_obs": None if agent._last_obs is None else torch.from_numpy(agent._last_obs),
        "last_episode_starts": None if starts is None else torch.from_numpy(np.asarray(starts)),
    }


def _load_rollout_state(vec_env: Any, agent: Any, state: dict[str, Any]) -> None:
    vec_env.load_rollout_state(state)
    agent._last_obs = None if state["last_obs"] is None else state["last_obs"].numpy().copy()
    starts = state["last_episode_starts"]
    agent._last_episode_starts = None if starts is None else starts.numpy().copy()


#: The ``format_version`` :func:`_save` writes, and what a checkpoint of it holds. Every version
#: reads the older checkpoints it meets (their missing entries are defaulted, e.g. the model pool
#: before session 32, RunHistory's ``suspended`` before probe 106); this code refuses a higher one
#: as a newer rambo_env's (probe 113). Rule: add 1 (and :data:`provenance.CONFIG_FORMAT`'s, which older
#: code checks first on --resume) for any change an older reader would refuse or misread: a
#: renamed or re-shaped entry, and a key added to a state dict that is read strictly
#: (``check_state_dict``: RunHistory, RamboCallback, ModelAdversary, ...; the recorded keys per
#: format in tests/agents/test_cotrain_probe124.py fail on a key added without a bump). 2: RunHistory's
#: ``suspended`` (2d9ffd0, probe 106; probe 124 rows 17, 35: older code said "unknown key(s)
#: ['suspended']" instead of "written by a newer rambo_env").
CHECKPOINT_FORMAT = 2
#: The checkpoint formats this code reads (the older ones are read with their missing entries
#: defaulted).
READ_CHECKPOINT_FORMATS = (1, 2)
_CHECKPOINT_KEYS = (
    "iteration",
    "history",
    "agent",
    "ensemble",
    "adversary",
    "buffer_generator",
    "noise_rng",
    "callback",
    "rng",
)


def _check_run_checkpoint(run_dir: Path, restore: str, absent: str) -> None:
    """One error when ``run_dir`` has no checkpoint file: "deleted or moved" (then ``restore``,
    the way on) where the folder shows a finished iteration, else ``absent`` (probe 29: a finished
    run whose checkpoint.pt was deleted was said to have died before its first checkpoint)."""
    checkpoint = run_dir / run_io.CHECKPOINT_NAME
    run_io.check_file_or_absent(checkpoint, "run_dir", "restore the run's checkpoint file")
    if checkpoint.is_file():
        return
    evidence = run_io.trained_evidence(run_dir)
    if evidence is not None:
        raise FileNotFoundError(
            f"run_dir: {checkpoint} is missing, but {evidence}: the checkpoint was deleted or "
            f"moved; restore it from a copy of the run folder {restore}"
        )
    raise FileNotFoundError(f"run_dir: {run_dir} has no {run_io.CHECKPOINT_NAME} {absent}")


def _load_run_checkpoint(path: Path) -> dict[str, Any]:
    """A run's ``checkpoint.pt``, checked to be one :func:`_save` wrote, before any dataset load.

    was: a torch file of another kind (a cached dynamics model copied over it, a hand-made dict)
    failed with a raw ``KeyError: 'iteration'`` / ``TypeError``, or a ``KeyError: 'agent'`` after
    the dataset load and the model build; an unknown ``format_version`` was read as version 1.
    """
    state = run_io.load_checkpoint(path)
    advice = "it is not a run checkpoint written by cotrain; restore the run's own file or start a new run"
    if not isinstance(state, dict):
        raise ValueError(
            f"{path}: holds {run_io.with_article(type(state).__name__)}, not a checkpoint dict: {advice}"
        )
    missing = [key for key in _CHECKPOINT_KEYS if key not in state]
    if missing:
        raise ValueError(f"{path}: has no {missing} entries: {advice}")
    version = state.get("format_version", CHECKPOINT_FORMAT)
    # probe 113: a newer one was "resume it with the version of rambo-env that wrote it"; probe
    # 116 R1 / S2: so were '1', -1, None (no such version), and True / 1.0 passed
    provenance.check_not_newer(
        f"{path}: the checkpoint",
        version,
        CHECKPOINT_FORMAT,
        "checkpoint",
        "resume or load it",
        "format_version",
        allow_none=False,
    )
    if version not in READ_CHECKPOINT_FORMATS:
        raise ValueError(
            f"{path}: checkpoint format_version {version!r}, but this code reads version "
            f"{CHECKPOINT_FORMAT}; resume it with the version of rambo-env that wrote it"
        )
    iteration = state["iteration"]
    if isinstance(iteration, bool) or not isinstance(iteration, int) or iteration < 0:
        raise ValueError(f"{path}: iteration {iteration!r} is not an int >= 0: {advice}")
    return state


def _restore(
    session: Session, state: dict[str, Any], checkpoint: Path, resuming: bool = True
) -> RunHistory:
    """The checkpoint's state into ``session``; ``resuming``: a run going on (else load_session,
    for analysis: nothing goes on, and an old checkpoint's pool stays empty)."""
    agent = session.agent
    _check_ensemble_fits(session, state["ensemble"], checkpoint)
    _load_agent_state(agent, state["agent"])
    session.mdp.ensemble.load_state_dict(state["ensemble"])
    session.adversary.load_state_dict(state["adversary"])
    # probe 119 rows 18-21: the run's one adversary trained both (what mdp.save / agent.save
    # record, and what the callback's fresh-adversary warning reads)
    session.mdp.adversary_steps = session.adversary.n_steps
    setattr(agent, ADVERSARY_STEPS_ATTR, session.adversary.n_steps)
    run_io.restore_generator(
        agent.replay_buffer.generator, state["buffer_generator"], "buffer_generator"
    )
    if state["noise_rng"] is not None:
        agent.action_noise.rng.bit_generator.state = state["noise_rng"]
    session.load_rambo_callback_state(state["callback"])
    run_io.set_rng_state(state["rng"])
    # checkpoints before session 32 hold neither: the run goes on from a refilled pool and
    # reseeded rollout starts (the resumed iterations then differ from an uninterrupted run's)
    if state.get("pool") is not None:
        _load_pool_state(agent.replay_buffer, state["pool"])
    if state.get("rollouts") is not None:
        _load_rollout_state(session.vec_env, agent, state["rollouts"])
    session.session_settings = _saved_settings(state) or _configured_settings(checkpoint.parent)
    session.session_versions = _saved_versions(state) or _saved_versions(
        {"session_versions": [(session.resolved_at_start or {}).get("versions")]}
    )
    missing = [name for name in ("pool", "rollouts") if state.get(name) is None]
    if missing:  # probe 72 row 5: was silent (a resumed old run scored 3.44 vs 4.08 uninterrupted)
        held = " or ".join({"pool": "model pool", "rollouts": "rollout starts"}[m] for m in missing)
        # probe 92 rows 8, 32: load_session / diagnose were told "the run goes on from a
        # refilled pool", though nothing goes on there and the pool is left empty
        then = (
            "the run goes on from a refilled pool and new rollout starts, so its numbers from here "
            "differ from an uninterrupted run's"
            if resuming
            else f"the loaded session has {'an empty model pool' if 'pool' in missing else ''}"
            f"{' and ' if len(missing) == 2 else ''}"
            f"{'new rollout starts' if 'rollouts' in missing else ''} (a resume would refill the "
            "pool and draw new rollout starts, so its numbers would differ from an uninterrupted "
            "run's)"
        )
        note(
            f"[cotrain] note: {checkpoint} holds no {held} (written before session 32): {then}",
        )
    return RunHistory.from_state_dict(state["history"])


def session_record(session: Session) -> dict[str, Any]:
    """The settings the run's sessions trained at that its numbers depend on, this session's last
    (checkpoint, results.json; README "Same seed, same numbers"): ``session_settings``, a list of
    ``{"torch_threads", "compiled"}`` in order without repeats (probe 82 rows 20, 21: compile was
    not recorded), and ``torch_threads``, their thread counts (session 38's key, kept).

    Probe 91 row 10: the caller's ``torch.set_float32_matmul_precision('medium')`` (or
    ``torch.backends.cuda.matmul.allow_tf32 = True``, which sets 'high') changed the numbers and was
    recorded nowhere; other than 'highest' (torch's default) it is recorded as
    ``matmul_precision`` (cuDNN's TF32 switch is not: the models compute no convolutions)."""
    # probe 142 row 9: what ran, not what was asked: every compile failing (no C++ compiler)
    # ran the session eagerly; compiled if any loss ran compiled (None: none has run yet)
    compiled = session.cfg.compiles and ran_compiled(session.compile_mark) is not False
    now = {"torch_threads": torch.get_num_threads(), "compiled": compiled}
    precision = torch.get_float32_matmul_precision()
    if precision != "highest":  # absent: 'highest', as every record written before probe 91
        now["matmul_precision"] = precision
    earlier = session.session_settings
    settings = earlier if earlier and earlier[-1] == now else [*earlier, now]
    threads = [s["torch_threads"] for s in settings]
    # probe 102 row 9: the versions of each session (an optional key: older code ignores it),
    # as this session's setup read them (``resolved["versions"]``): the code it imported then.
    # Session 59: they were read again at every checkpoint (two git calls, ≈ 24 ms each time),
    # so a checkout changed while the run went on was recorded as the code that ran.
    now_versions = session.resolved["versions"]
    ran = session.session_versions
    return {
        "torch_threads": [t for i, t in enumerate(threads) if i == 0 or threads[i - 1] != t],
        "session_settings": settings,
        "session_versions": ran if ran and ran[-1] == now_versions else [*ran, now_versions],
    }


def _saved_versions(state: dict[str, Any]) -> list[dict[str, str]]:
    """A checkpoint's (or results.json's) ``session_versions``; [] where it holds none (written
    before probe 102) or not a list of ``{library: version}`` records."""
    saved = state.get("session_versions")
    if (
        isinstance(saved, list)
        and saved
        and all(
            isinstance(v, dict)
            and all(isinstance(k, str) and isinstance(x, str) for k, x in v.items())
            for v in saved
        )
    ):
        return [dict(v) for v in saved]
    return []


def _say_uncommitted() -> None:
    """One note at the start when rambo_env runs from a checkout with uncommitted changes to its
    tracked files (probe 138 row 18: a run of them recorded the commit alone, no word)."""
    versions = library_versions()
    said = dirty_note(versions, versions.get("rambo_env_commit"), "the numbers of this run")
    if said is not None:
        note(f"[cotrain] {said}")


def _say_versions_changed(session: Session) -> None:
    """A resumed session under other library versions than the run's last session says so in
    one note, saved -> now (probe 102 row 9: a requeue onto a node with torch 2.1.0 -> 2.13.0 went
    on without a word, and nothing recorded it)."""
    if not session.session_versions:
        return
    last, now = session.session_versions[-1], library_versions()
    changed = [
        f"{name} {last.get(name, 'unrecorded')} -> {now.get(name, 'absent')}"
        for name in sorted(set(last) | set(now))
        # a name the last session did not record (e.g. rambo_env_commit before probe 107) is
        # unknown there: no change is claimed from it; the changed files' list (one per line)
        # changes with rambo_env_diff, which names the change
        if name in last and name != "rambo_env_changed" and last.get(name) != now.get(name)
    ]
    if changed:
        note(
            f"[cotrain] note: this session runs under other versions than the run's last session "
            f"({', '.join(changed)}): its numbers from here may differ from an uninterrupted "
            "run's (results.json's session_versions records each session's)",
        )


def _saved_settings(state: dict[str, Any]) -> list[dict[str, Any]]:
    """A checkpoint's session settings; from its thread counts alone (compiled None: unknown)
    where it holds none (written before probe 82), [] where it holds neither (before session 38)."""
    saved = state.get("session_settings")
    if isinstance(saved, list) and all(
        isinstance(s, dict)
        and run_io.is_int(s.get("torch_threads"))
        and s["torch_threads"] >= 1
        and s.get("compiled") in (True, False, None)
        and s.get("matmul_precision", "high") in ("high", "medium")
        for s in saved
    ):
        return [
            {"torch_threads": int(s["torch_threads"]), "compiled": s.get("compiled")}
            | ({"matmul_precision": s["matmul_precision"]} if "matmul_precision" in s else {})
            for s in saved
        ]
    threads = state.get("torch_threads")
    if not isinstance(threads, list) or not all(run_io.is_int(t) and t >= 1 for t in threads):
        return []
    return [{"torch_threads": int(t), "compiled": None} for t in threads]


def _configured_settings(run_dir: Path) -> list[dict[str, Any]]:
    """For a checkpoint without session settings (written before session 38): its config.json's
    ``torch_threads`` when that is a count (the first session's, pinned), as the run's record
    (probe 83 row 16: such a run extended at another count got no note, and its records named
    only the new count); [] where it is None (auto: unknown)."""
    recorded = _recorded_config_field(run_dir, "torch_threads")
    if not run_io.is_int(recorded) or recorded < 1:
        return []
    return [{"torch_threads": int(recorded), "compiled": None}]


def _recorded_config_field(run_dir: Path, name: str) -> Any:
    """The run's config.json ``config[name]``; None if not recorded or unreadable."""
    try:
        config = run_io.read_json(run_dir / run_io.CONFIG_NAME)["config"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return config.get(name) if isinstance(config, dict) else None


def _say_settings_changed(session: Session) -> None:
    """A resumed session at another torch thread count, or compiling where the run's last session
    ran eager (or the reverse), says in one note that its numbers now part from an uninterrupted
    run's (session 38: a tiny run's average Q differed from iteration 2, 15.0030 at 1 thread vs
    15.0036 at 2, the final score 3.44 vs 3.41; probe 82 rows 20, 21: a resume that compiled,
    also by the auto switch of a longer --n-iterations, said nothing: evals 802.72 vs 803.34)."""
    if not session.session_settings:
        return
    last = session.session_settings[-1]
    now_threads, now_compiled = torch.get_num_threads(), session.cfg.compiles
    changed, keeps = [], []
    if last["torch_threads"] != now_threads:
        changed.append(
            f"trains at {run_io.counted(now_threads, 'torch thread')}, the run's last session at "
            f"{last['torch_threads']} (float sums split per thread)"
        )
        keeps.append(f"--torch-threads {last['torch_threads']}")
    if last["compiled"] is not None and last["compiled"] != now_compiled:
        mode = {True: "compiled", False: "eager"}
        changed.append(
            f"runs its losses {mode[now_compiled]}, the run's last session {mode[last['compiled']]}"
            " (compiled kernels round floats differently)"
        )
        keeps.append("--no-compile" if last["compiled"] is False else "--compile")
    # probe 93 row 20: a resume at another matmul precision said nothing. A record without
    # "matmul_precision" is 'highest': session_record leaves torch's default out, and the
    # records written before probe 91 most likely ran at that default (torch's); read as
    # unknown, a change from them would go unsaid, the case this note is for.
    was, now_precision = (
        last.get("matmul_precision", "highest"),
        torch.get_float32_matmul_precision(),
    )
    if was != now_precision:
        changed.append(
            f"multiplies float32 matrices at precision {now_precision!r}, the run's last session "
            f"at {was!r} (torch.set_float32_matmul_precision: TF32 / bf16 matmuls round "
            "differently)"
        )
        keeps.append(f"torch.set_float32_matmul_precision({was!r}) before the call")
    if changed:
        # probe 83 row 35: after sessions at mixed settings no flag gives an uninterrupted run's
        # numbers any more (was: "--torch-threads N keeps them" there too)
        mixed = any(s != session.session_settings[0] for s in session.session_settings)
        keep = (
            f"{' '.join(keeps)} keeps them"
            if not mixed
            else f"its earlier sessions already mixed settings, so no flag gives them now; "
            f"{' '.join(keeps)} matches its last session"
        )
        note(
            f"[cotrain] note: this session {'; and '.join(changed)}: its numbers from here differ "
            f"slightly from an uninterrupted run's ({keep})",
        )


def _check_ensemble_fits(session: Session, saved: Any, checkpoint: Path) -> None:
    """The checkpoint's ensemble weights fit the session's model, or one error naming both files.

    Issue 14 (probe 33): a cached model of other settings swapped in under the run's key was a raw
    ``RuntimeError: size mismatch for hidden.0.weight`` traceback."""
    own = session.mdp.ensemble.state_dict()
    source = str(session.resolved.get("model", {}).get("source", "the dynamics model"))
    model = source.split(": ", 1)[1] if ": " in source else source
    if not isinstance(saved, dict):
        raise ValueError(
            f"{checkpoint}: its 'ensemble' entry is {run_io.with_article(type(saved).__name__)}, not a state dict"
        )
    differ = [
        f"{name}: checkpoint {tuple(saved[name].shape) if name in saved else 'none'}, model "
        f"{tuple(tensor.shape)}"
        for name, tensor in own.items()
        if name not in saved or getattr(saved[name], "shape", None) != tensor.shape
    ]
    differ += [f"{name} not in the model" for name in saved if name not in own]
    if differ:
        raise ValueError(
            f"{checkpoint}: the run's dynamics ensemble does not fit the model {model} "
            f"({'; '.join(differ[:3])}{' …' if len(differ) > 3 else ''}): that model is of other "
            "settings (copied or swapped in the model cache?); delete it (pretraining rebuilds it) "
            "or restore the run's own model, then resume again"
        )


def _getattr(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


# -- per-iteration pieces ------------------------------------------------------------------
def _evaluate(session: Session, iteration: int) -> dict[str, Any]:
    """10 deterministic episodes in the real env (App. B.6), distinct seeds per evaluation."""
    cfg, agent = session.cfg, session.agent
    # probe 81 rows 2, 6, 44: the dataset's recorded evaluation env (Minari's eval_env_spec,
    # where its ref_min_score is measured) and time limit; was env_spec's id and kwargs only
    env_id, env_kwargs, time_limit = session.dataset.evaluation_env()
    with normalised_inputs(agent):  # evaluate_policy normalises (no raw-observation watch)
        result = evaluate_policy(
            lambda obs: agent.predict(obs, deterministic=True)[0],
            env_id,
            session.mdp.normalizer,
            n_episodes=cfg.n_eval_episodes,
            # probe 103 row 15: was 1_000_000 + 100_000·seed + n_eval·iteration throughout
            seed=evaluation_seed(cfg.seed, cfg.n_eval_episodes, iteration),
            scorer=session.dataset,
            env_kwargs=env_kwargs,  # probe 77 row 22: was the default env
            time_limit=time_limit,
        )
    return result.to_dict()


def _make_monitor(
    session: Session,
    history: RunHistory,
    run_dir: Path,
    on_iteration: Callable[[dict[str, Any]], None] | None,
    after_save: Callable[[RunHistory], None] | None = None,
) -> RunMonitorCallback:
    cfg = session.cfg

    def save(h: RunHistory) -> None:
        # probe 106 rows 3, 9, 14, 17: Ctrl-C / SIGTERM held from the checkpoint's rename on;
        # once it is in place the iteration is done, even if after_save then fails
        _save(session, h, run_dir, monitor.hold_interrupts)
        monitor.checkpoint_landed()
        if after_save is not None:
            after_save(h)

    monitor = RunMonitorCallback(
        history,
        n_iterations=cfg.n_iterations,
        q_fn=lambda: session.rambo_callback.last_stats["q_avg"],
        evaluate_fn=(lambda it: _evaluate(session, it)) if session.can_evaluate else None,
        save_fn=save,
        schedule=EvalSchedule(cfg.n_iterations, every=cfg.eval_every, last=cfg.eval_last),
        q_limit=session.q_limit,
        q_warn=session.resolved["q_return_bound"],
        stop_at_iteration=cfg.stop_at_iteration,
        progress=cfg.progress,
        # probe 81 row 12: a resume from checkpoint 0 logged mle/* again but not bc/final_loss
        # (a resumed session's resolved record holds no BC loss; its config.json's does)
        start_records=_start_records({**(session.resolved_at_start or {}), **session.resolved}),
        on_iteration=on_iteration,
    )
    return monitor


def _start_records(resolved: dict[str, Any]) -> dict[str, float]:
    """MLE pretraining (Alg. 1 line 1) and BC summaries, logged at iteration 0."""
    model = resolved["model"]
    records = {f"mle/{k}": float(model[k]) for k in ("epochs", "mle_wall_s") if k in model}
    if model.get("holdout_mse_elites"):
        records["mle/holdout_mse_elites"] = sum(model["holdout_mse_elites"]) / len(
            model["holdout_mse_elites"]
        )
    if "bc_final_loss" in resolved:
        records["bc/final_loss"] = float(resolved["bc_final_loss"])
    return records


def curve_label(label: str | None) -> str:
    """The learning curve's axis label of scores called ``label`` (:func:`score_label`; None:
    a run saved before it was recorded, D4RL's pair)."""
    if label is None or label == "D4RL-normalised":
        return "D4RL normalised score"
    return f"score, {label}"


def _ref_pair(dataset: Any) -> list[float] | None:
    """``[ref_min_score, ref_max_score]`` the run's scores are on; None without a pair."""
    if dataset.ref_min_score is None or dataset.ref_max_score is None:
        return None
    return [float(dataset.ref_min_score), float(dataset.ref_max_score)]


def _rambo_off(q_history: list[float], status: str) -> dict[str, float] | None:
    """App. B.5 terms; a diverged run counts as non-finite (Table 6 "—": never selected)."""
    q = [*q_history, math.nan] if status == "diverged" else q_history
    return rambo_off_terms(q).to_dict() if q else None


# -- results -------------------------------------------------------------------------------
def _finish(
    session: Session,
    monitor: RunMonitorCallback,
    history: RunHistory,
    run_dir: Path,
    setup_s: float,
    session_s: float,
) -> dict[str, Any]:
    results = _results_record(
        session, monitor.status, monitor.message, monitor.diverged_at, history, setup_s, session_s
    )
    run_io.check_run_dir_kept(run_dir)  # probe 28: moved, then Ctrl-C / the last iteration
    run_io.write_json(run_dir / run_io.RESULTS_NAME, results)
    _draw_curve(session, history, results, run_dir)
    return results


def _draw_curve(
    session: Session,
    history: RunHistory,
    results: dict[str, Any],
    run_dir: Path,
    said: set[str] | None = None,
    going: str = "the run goes on",
) -> None:
    """The run's learning_curve.png from its history (after its results.json). A failed drawing
    is one WARNING (once per session with ``said``, the failures already told) and the run goes
    on: probe 85 rows 9, 27, a matplotlib / font error here ended the training (the redraw after
    a resumed session's checkpoint) or skipped the closing lines of a run whose results.json was
    already written, with a bare traceback. ``going``: what the run does next (probe 87 row 23:
    "the run goes on" was said of a run stopping on its error)."""
    cfg = session.cfg
    scores = [e.get("normalized_score") for e in history.evals if e["iteration"] > 0]
    have_scores = any(s is not None for s in scores)
    path = run_dir / run_io.CURVE_NAME
    try:
        run_io.plot_learning_curve(
            path,
            [e["iteration"] for e in history.evals],
            [e.get("normalized_score") if have_scores else e["return_mean"] for e in history.evals],
            history.q_history,
            value_label=curve_label(results["score_label"]) if have_scores else "return",
            title=f"{session.dataset.name} {cfg.algo} k={results['rollout_length']} "
            f"λ={results['adversary_weight']} seed {cfg.seed}",
        )
    except Exception as err:  # Exception: Ctrl-C still stops a session that trains
        _bookkeeping_failed(
            path,
            err,
            f"drawn at iteration {history.iteration}",
            f"its results are in {run_io.RESULTS_NAME}; {command_line.script_line('cotrain.py')} "
            "--resume "
            f"{command_line.shell_path(run_dir)} draws it again once the run has ended",
            said,
            going,
        )


def _bookkeeping_failed(
    path: Path,
    err: Exception,
    what: str,
    then: str,
    said: set[str] | None,
    going: str = "the run goes on",
) -> None:
    """One WARNING for a run's file that is bookkeeping (its learning curve, the "running"
    results.json of a resumed session) and failed to be written: ``going`` (the run goes on, or
    stops on its own error). With ``said`` (the files already told this session) a file is told
    once."""
    if said is not None:
        if path.name in said:
            return
        said.add(path.name)
    again = "; its later failures this session are not said again" if said is not None else ""
    note(
        f"[rambo_env] WARNING: {path} not {what} ({type(err).__name__}: {err}); {going} "
        f"({then}){again}",
    )


def _write_running_results(
    session: Session,
    history: RunHistory,
    run_dir: Path,
    setup_s: float,
    session_s: float,
    diverged_before: dict[str, Any] | None = None,
    said: set[str] | None = None,
) -> None:
    """A resumed session's results.json and learning curve while it trains: status ``running``
    and the checkpoint's iterations, rewritten when the session starts and after each checkpoint
    (probe 81 rows 22, 33: an extend kept "finished 12/12" and the 12-iteration curve while
    config.json said 20 and the checkpoint held 15, also after a kill). A first session writes
    neither until it ends; :func:`_finish` replaces them. Both are bookkeeping: a failed write
    is one WARNING per file (``said``) and the session trains on (probe 85 rows 11, 27: a
    MemoryError or a plot error here ended the training)."""
    n = session.cfg.n_iterations
    message = (
        f"running: iteration {history.iteration} of {n} done (process {os.getpid()}); this file "
        "is rewritten after each checkpoint and when the session ends; if no process runs the "
        "run, it was killed: continue it with --resume"
    )
    results = _results_record(session, "running", message, None, history, setup_s, session_s)
    if diverged_before is not None and diverged_before.get("iterations_completed") == (
        history.iteration
    ):  # probe 83 row 12: kept until the session passes that iteration (see _divergence_record)
        results["diverged_before"] = diverged_before
    run_io.check_run_dir_kept(run_dir)  # a moved run folder still stops the run (probe 28)
    try:
        run_io.write_json(run_dir / run_io.RESULTS_NAME, results)
    except Exception as err:  # Exception: Ctrl-C still stops a session that trains
        _bookkeeping_failed(
            run_dir / run_io.RESULTS_NAME,
            err,
            f"rewritten at iteration {history.iteration}",
            f"its checkpoint is kept; {run_io.RESULTS_NAME} is written when the session ends",
            said,
        )
    _draw_curve(session, history, results, run_dir, said)


#: The part of an iteration an exception came from, by the innermost frame of its traceback
#: that names one: (function name, or None for any; text in the frame's line, or None; phase).
_PHASES = (
    ("_evaluate", None, "the evaluation"),
    ("run_adversary", None, "the adversary update"),
    ("_save", None, "the checkpoint write"),
    ("train", None, "the agent's gradient steps"),
    ("check_finite_actor", None, "the agent's gradient steps"),  # RamboCallback's check of them
    (None, ".train(", "the agent's gradient steps"),
    # probe 87 row 30: the callbacks SB3 calls inside collect_rollouts (the run's bookkeeping:
    # Q, its checkpoint, TensorBoard, the caller's on_iteration) are no part of the rollouts: an
    # error from a frame not named above gives no phase rather than "the model rollouts"
    ("on_rollout_start", None, None),
    ("on_rollout_end", None, None),
    ("on_step", None, None),
    ("collect_rollouts", None, "the model rollouts"),
)

#: The phase of an error raised by the caller's ``on_iteration`` (after a checkpoint).
CALLBACK_PHASE = "the caller's on_iteration callback"


def _failure_phase(err: BaseException) -> str | None:
    """Which part of an iteration ``err`` was raised in (:data:`_PHASES`), None if unknown."""
    import traceback

    for frame in reversed(traceback.extract_tb(err.__traceback__)):  # innermost first
        for name, text, phase in _PHASES:
            if (name is None or frame.name == name) and (
                text is None or text in (frame.line or "")
            ):
                return phase  # None: a callback's own frames
    return None


def out_of_memory(err: BaseException) -> bool:
    """``err`` is an allocation that failed: Python's ``MemoryError``, or torch's
    ``OutOfMemoryError`` of a GPU (a ``RuntimeError``; probe 87 row 38: it got the bug path)."""
    oom = getattr(torch, "OutOfMemoryError", None) or getattr(torch.cuda, "OutOfMemoryError", None)
    return isinstance(err, MemoryError) or (oom is not None and isinstance(err, oom))


def failure_kind(err: BaseException, phase: str | None) -> str:
    """results.json's ``error["kind"]``: ``callback`` (the caller's on_iteration), ``out_of_memory``,
    ``diverged`` (a non-finite actor), ``os_error`` (a full disk …) or ``bug``."""
    if phase == CALLBACK_PHASE:
        return "callback"
    if out_of_memory(err):
        return "out_of_memory"
    if non_finite_actor(err):
        return "diverged"
    return "os_error" if isinstance(err, OSError) else "bug"


def non_finite_actor(err: BaseException) -> bool:
    """``err`` is torch's refusal of a distribution built from non-finite actor outputs
    ("Expected parameter loc … found invalid values") or RamboCallback's
    :class:`~agents.callback.NonFiniteActorError`: the policy's weights went non-finite."""
    return is_non_finite_actor_error(err)


def failure_message(
    err: BaseException,
    iteration: int,
    phase: str | None,
    resume: str = "--resume",
    device: str | None = None,
    n_iterations: int | None = None,
) -> tuple[str, str]:
    """(what failed, what is kept and how to go on) of a run that ``err`` ended in iteration
    ``iteration`` (``iteration - 1`` is its last checkpoint; with :data:`CALLBACK_PHASE`, after
    iteration ``iteration``, its checkpoint): results.json's message (status ``failed``) is
    ``"failed: WHAT; HOW"``; ``resume``: the command that continues the run; ``device``: the
    session's (a GPU's out of memory names it); ``n_iterations``: the run's (a callback's error
    after the last one leaves a complete training)."""
    first = (str(err).strip().splitlines() or [""])[0]
    if phase == CALLBACK_PHASE:  # probe 87 rows 30, 40: was "iteration N + 1 (the model rollouts)"
        where = f"{CALLBACK_PHASE} after iteration {iteration}"
        kept = f"checkpoint {iteration} is kept"
        if n_iterations is not None and iteration >= n_iterations:
            return f"{type(err).__name__} in {where}: {first}", (
                f"{kept}; the training is complete ({iteration} of {n_iterations} iterations): "
                f"{resume} writes its closing results"
            )
        return f"{type(err).__name__} in {where}: {first}", (
            f"{kept}: once the cause is fixed, continue with {resume}"
        )
    where = f"iteration {iteration}" + (f" ({phase})" if phase else "")
    kept = f"the last checkpoint (iteration {iteration - 1}) is kept"
    if out_of_memory(err) and not isinstance(err, MemoryError):  # torch's: a GPU's memory
        gpu = device if device is not None and device != "cpu" else "the GPU"
        return f"out of memory on {gpu} in {where} ({first})", (
            f"{kept}: free memory on {gpu} (other processes using it) and continue with "
            f"{resume}, or continue on the CPU with {resume} --device cpu; a new run with a "
            "smaller --n-rollouts or --retain-iterations keeps a smaller model-rollout buffer"
        )
    limit = run_io.address_space_limit_text()
    if limit and run_io.out_of_memory(err):  # probe 137: the limit named, and what to do
        said = "" if isinstance(err, MemoryError) else f" ({type(err).__name__}: {first})"
        what = f"out of memory in {where}{limit}{said}"
        if "not enough memory to " in first:  # host_limits.out_of_memory_text's: names the limit
            what = f"{where}: {first.split('; raise the limit')[0]}"
        return what, (
            f"{kept}: raise the limit (ulimit -v unlimited, or the batch system's memory "
            f"request) and continue with {resume}"
        )
    if isinstance(err, MemoryError):
        return f"out of memory in {where}", (
            f"{kept}: free memory (other programs; another --device for the session) and "
            f"continue with {resume}; a new run with a smaller --n-rollouts or "
            "--retain-iterations keeps a smaller model-rollout buffer"
        )
    if non_finite_actor(err):  # as the divergence guard says of Q and of the model
        # probe 141: RamboCallback's own check (before the adversary) names the actor itself
        said = (
            first
            if "became non-finite" in first
            else f"the actor's outputs became non-finite (torch: {first})"
        )
        return (
            f"the run diverged in {where}: {said}",
            f"{kept}, from before the divergence: {resume} repeats that iteration from the same "
            "checkpoint and random state and likely diverges again; start a new run with other "
            "settings (e.g. a smaller --k or another --lam)",
        )
    return f"{type(err).__name__} in {where}: {first}", (
        f"{kept}: once the cause is fixed, continue with {resume}"
    )


def _record_failure(
    err: Exception,
    session: Session,
    history: RunHistory,
    run_dir: Path,
    setup_s: float,
    t_start: float,
    diverged_before: dict[str, Any] | None,
    config_kept: dict[str, Any] | None = None,
) -> None:
    """results.json of a run that ``err`` ended inside an iteration: status ``failed``, the
    error (type, first line, iteration, phase, kind) and the checkpoint's iterations; ``err`` gets
    :attr:`cotrain_failure` (iteration, phase), :attr:`cotrain_failure_context` (the device, the
    run's iterations, whether results.json recorded it) and a note saying how to continue. Probe
    85 rows 2, 4, 13, 17: a first session wrote no results.json, a resumed one left "running …
    if no process runs the run, it was killed" (also while a notebook that caught the error
    lived on). A failure to write it is not raised over ``err``. Ctrl-C / SIGTERM meanwhile is
    held until it is written (probe 87 row 21: the error was lost, "interrupted" said alone);
    config.json, deleted meanwhile, is written again from ``config_kept`` (probe 87 row 24: the
    printed --resume command was refused)."""
    after = getattr(err, "cotrain_callback_after", None)  # the caller's on_iteration's error
    if after is not None:
        iteration, phase = int(after), CALLBACK_PHASE
    else:
        iteration, phase = history.iteration + 1, _failure_phase(err)
    n, device = session.cfg.n_iterations, str(session.mdp.device)
    what_how = failure_message(err, iteration, phase, device=device, n_iterations=n)
    message = "failed: {}; {}".format(*what_how)
    err.cotrain_failure = (iteration, phase)  # type: ignore[attr-defined]  # scripts/cotrain.py
    context = {"device": device, "n_iterations": n, "recorded": False}
    err.cotrain_failure_context = context  # type: ignore[attr-defined]
    with contextlib.suppress(Exception):
        err.add_note(
            f"run_cotrain: {message} (run_cotrain(cfg, {str(run_dir)!r}, resume=True), or "
            f"{command_line.script_line('cotrain.py')} --resume "
            f"{command_line.shell_path(run_dir)})"
        )
    session_s = time.perf_counter() - t_start
    with run_io.interrupts_deferred(
        "cotrain", "while the failure was recorded: it was recorded first; the run stops on it"
    ):
        if config_kept is not None:
            try:
                _keep_config(run_dir, config_kept)
            except Exception as failed:  # said; results.json is still written
                with contextlib.suppress(OSError):
                    note(
                        f"[rambo_env] WARNING: {run_dir / run_io.CONFIG_NAME} is missing and "
                        f"could not be written again ({type(failed).__name__}: {failed})",
                    )
        try:
            run_io.check_run_dir_kept(run_dir)  # moved meanwhile: no folder made at the old path
            results = _results_record(session, "failed", message, None, history, setup_s, session_s)
            first = (str(err).strip().splitlines() or [""])[0]
            results["error"] = {
                "type": type(err).__name__,
                "message": first,
                "iteration": iteration,  # with kind "callback": the iteration it came after
                "phase": phase,
                "kind": failure_kind(err, phase),  # probe 87
            }
            if diverged_before is not None and diverged_before.get("iterations_completed") == (
                history.iteration
            ):  # as _write_running_results: a plain --resume must not pass that divergence
                results["diverged_before"] = diverged_before
            run_io.write_json(run_dir / run_io.RESULTS_NAME, results)
            context["recorded"] = True
            _draw_curve(session, history, results, run_dir, going="the run stops on its error")
        except Exception as failed:  # err is what the caller gets
            with contextlib.suppress(OSError):
                note(
                    f"[rambo_env] WARNING: {run_dir / run_io.RESULTS_NAME} could not record the "
                    f"failure ({type(failed).__name__}: {failed})",
                )


def _results_record(
    session: Session,
    status: str,
    message: str,
    diverged_at: dict[str, Any] | None,
    history: RunHistory,
    setup_s: float,
    session_s: float,
) -> dict[str, Any]:
    """The run's results.json record (:data:`run_io.RESULTS_STATUSES`)."""
    cfg = session.cfg
    scores = [e.get("normalized_score") for e in history.evals if e["iteration"] > 0]
    bound = session.resolved["q_return_bound"]
    above = [i for i, q in enumerate(history.q_history, 1) if q > bound]
    return {
        "status": status,
        "message": message,
        "diverged_at": diverged_at,
        "dataset": cfg.dataset,
        "dataset_name": session.dataset.name,
        "dataset_fingerprint": session.resolved["dataset"]["fingerprint"],
        "dataset_n_transitions": session.resolved["dataset"].get("n_transitions"),
        "behaviour_score": session.resolved["dataset"].get("behaviour_score"),
        "behaviour_score_note": session.resolved["dataset"].get("behaviour_score_note"),
        "behaviour_return": session.resolved["dataset"].get("behaviour_return"),
        # probe 71 rows 16, 22: the pair the scores are on, and what they are called
        "ref_scores": _ref_pair(session.dataset),
        "score_label": session.dataset.score_label(),  # of the env that evaluates (probe 81)
        "algo": cfg.algo,
        "seed": cfg.seed,
        # probe 138: the seed of the run's pretrained model (--model-seed, else the seed)
        "model_seed": cfg.mle_seed,
        **{k: session.resolved[k] for k in ("rollout_length", "adversary_weight")},
        "critic_layer_norm": session.resolved["critic_layer_norm"],
        "n_iterations": cfg.n_iterations,
        "iterations_completed": history.iteration,
        "final_score": final_score(scores),
        "final_return": final_score(
            [e["return_mean"] for e in history.evals if e["iteration"] > 0]
        ),
        "evals": history.evals,
        "q_history": history.q_history,
        "q_return_bound": bound,
        "q_above_bound_from": above[0] if above else None,
        "rambo_off": _rambo_off(history.q_history, status),
        "wall_s": {"cotrain_total": history.wall_s, "session": session_s, "session_setup": setup_s},
        # session 38, probe 82: the numbers of a seed depend on them (README "Same seed, same
        # numbers"): torch_threads and session_settings (threads and compile per session)
        **session_record(session),
        "command": session.command,  # probe 138: config.json's invocations hold each session's
        "iteration_s_mean": (sum(history.iteration_s) / len(history.iteration_s))
        if history.iteration_s
        else None,
    }
