"""Online SB3 SAC training of the D4RL-protocol behaviour policies (the data-collecting agents).

D4RL's ``medium`` datasets come from an SAC policy stopped early at about one third of expert
return, ``medium-replay`` from that agent's replay buffer up to the stopping point. This module
trains such an agent in Gymnasium MuJoCo v5, evaluates the *stochastic* policy (the one that
collects the data) every ``eval_freq`` steps and stops at the first evaluation inside the target
return band, keeping a checkpoint of every evaluation.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3 import SAC
from stable_baselines3.common.callbacks import BaseCallback

from rambo_env.command_line import shell_path
from rambo_env.logging import note
from rambo_env.policies import non_finite_weight
from rambo_env.progress import learn_closes_its_bars
from rambo_env.run_io import (
    LOCK_NAME,
    FolderInUseError,
    atomic_write,
    check_flag,
    check_seed,
    escalated_warning,
    hold_folder,
    is_int,
    is_real,
    items_of,
    numpy2_pickle_error,
    other_holder,
    python_fields,
    read_json,
    refuse_broken_link,
    replace_folder,
    restore_set_aside,
    safe_reason,
    save_checkpoint,
    user_stacklevel,
    warn_each_time,
    with_article,
    write_json,
)

__all__ = [
    "MEDIUM_BANDS",
    "BandMissedWarning",
    "BehaviourConfig",
    "check_out_dir_free",
    "evaluate_actor",
    "save_actor",
    "save_resume_state",
    "train_behaviour",
]

#: Target average (stochastic-policy) returns of D4RL's medium datasets, per env.
MEDIUM_BANDS: dict[str, tuple[float, float]] = {
    "hopper": (1400.0, 1700.0),
    "halfcheetah": (4600.0, 5000.0),
    "walker2d": (3000.0, 3500.0),
}


class BandMissedWarning(UserWarning):
    """:func:`train_behaviour` ran to ``max_steps`` without an evaluation inside the band: the
    chosen (closest) checkpoint's data is not at the band's level."""


def _action_space_problem(env_id: str) -> str | None:
    """Why SAC cannot act in ``env_id`` (its action space is not a ``Box``: SAC's squashed
    Gaussian policy, Haarnoja et al. 2018, acts in a continuous box), else None."""
    env = gym.make(env_id)
    try:
        space = env.action_space
    finally:
        env.close()
    if isinstance(space, gym.spaces.Box):
        return None
    return f"has {with_article(type(space).__name__)} action space ({space})"


@dataclass(frozen=True)
class BehaviourConfig:
    env_id: str
    """Gymnasium env id, e.g. ``Hopper-v5``."""
    band: tuple[float, float] | Sequence[float]
    """Stop at the first evaluation whose mean return lies in [low, high] (a list or array of two
    is taken; stored as a tuple of two floats)."""
    max_steps: int = 400_000
    """Give up after this many env steps (keeps the checkpoint closest to the band)."""
    eval_freq: int = 2_500
    """Env steps between evaluations."""
    n_eval_episodes: int = 10
    seed: int = 0
    learning_starts: int = 5_000
    buffer_size: int | None = None
    """SAC replay capacity (default ``max_steps``: never wraps, so ``replay.npz`` is the whole history)."""
    save_freq: int = 25_000
    """Env steps between resumable saves (SB3 model + replay buffer + history) in ``out_dir/resume``."""

    def __post_init__(self) -> None:
        python_fields(self)  # probe 61: numpy numbers are stored (and reach JSON) as Python ones
        # was: an inverted or NaN band, seed -1, buffer_size 0, learning_starts -1, float step
        # counts and unregistered envs accepted (failing, or never stopping, during training)
        try:
            gym.spec(self.env_id)
        except Exception as err:
            raise ValueError(
                f"BehaviourConfig.env_id: {self.env_id!r} is not a Gymnasium env id "
                f"({safe_reason(err)})"
            ) from None
        try:
            problem = _action_space_problem(self.env_id)
        except Exception as err:  # a missing dependency (mujoco), a broken env
            if said := escalated_warning(err, f"gym.make({self.env_id!r})"):  # probe 91 row 8
                raise ValueError(f"BehaviourConfig.env_id: {said}, or name another env") from None
            raise ValueError(
                f"BehaviourConfig.env_id: {self.env_id!r} cannot be built ({safe_reason(err)})"
            ) from None
        if problem is not None:  # probe 58: SB3's assertion, only when training started
            raise ValueError(
                f"BehaviourConfig.env_id: {self.env_id!r} {problem}; SAC behaviour policies "
                "need a Box one (continuous actions, e.g. Hopper-v5)"
            )
        expect = "(low, high) returns with low <= high"
        band = items_of(  # probe 44: a numpy array of two returns was refused
            self.band,
            "BehaviourConfig.band",
            expect,
            lambda b: is_real(b) and not math.isnan(b),
            "return",
        )
        if not (len(band) == 2 and band[0] <= band[1]):
            raise ValueError(f"BehaviourConfig.band: expected {expect}, got {self.band!r}")
        # probe 132 row 4: a list band was kept (unhashable, != the tuple form, a JSON round trip
        # unequal); any sequence is stored as its hint says, a tuple of two floats
        object.__setattr__(self, "band", tuple(float(b) for b in band))
        for name, low in (
            ("max_steps", 1),
            ("eval_freq", 1),
            ("n_eval_episodes", 1),
            ("save_freq", 1),
            ("learning_starts", 0),
        ):
            value = getattr(self, name)
            if not is_int(value) or value < low:
                raise ValueError(f"BehaviourConfig.{name}: expected an int >= {low}, got {value!r}")
        check_seed(self.seed, "BehaviourConfig.seed")
        size = self.buffer_size
        if size is not None and (not is_int(size) or size < self.max_steps):
            raise ValueError(
                f"BehaviourConfig.buffer_size: expected None or an int >= max_steps="
                f"{self.max_steps}, got {size!r}: a smaller buffer wraps, so replay.npz (the "
                "medium-replay data) would lose the start of the history"
            )
        # probe 11: below eval_freq, no evaluation ("min() arg is an empty sequence" after
        # training); probe 27: at most learning_starts, an untrained agent, silently; probe 37:
        # two errors in turn (2000: "at least 2500", then 2500: "more than 5000"): one minimum,
        # the first evaluation (a kept checkpoint) after SAC's first gradient step
        least = self.eval_freq * (self.learning_starts // self.eval_freq + 1)
        if self.max_steps < least:
            raise ValueError(
                f"BehaviourConfig.max_steps: {self.max_steps} is too few: SAC collects random "
                f"actions for its first {self.learning_starts} steps (learning_starts) and the "
                f"agent is evaluated, its checkpoint kept, every {self.eval_freq} steps "
                f"(eval_freq), so the first checkpoint of a trained policy is at step {least}; "
                f"give at least {least} steps (--behaviour-steps; the default: 400000)"
            )


class _BandStopCallback(BaseCallback):
    """Evaluates the stochastic policy every ``eval_freq`` steps; stops inside the return band."""

    def __init__(self, cfg: BehaviourConfig, out_dir: Path) -> None:
        super().__init__()
        self.cfg, self.out_dir = cfg, out_dir
        self.eval_env = gym.make(cfg.env_id)
        self.history: list[dict] = []
        self.t0 = time.time()
        self.wall_before = 0.0  # wall seconds of earlier (resumed) sessions

    def _on_step(self) -> bool:
        if self.num_timesteps % self.cfg.eval_freq != 0:
            return True
        returns = evaluate_actor(
            lambda o: self.model.predict(o, deterministic=False)[0],
            self.eval_env,
            self.cfg.n_eval_episodes,
            seed=10_000 + len(self.history),
        )
        mean = float(np.mean(returns))
        entry = {
            "step": self.num_timesteps,
            "return_mean": mean,
            "return_std": float(np.std(returns)),
            "wall_s": round(self.wall_before + time.time() - self.t0, 1),
        }
        self.history.append(entry)
        save_actor(self.model, self.out_dir / "checkpoints" / f"actor_{self.num_timesteps}.pt")
        if self.num_timesteps % self.cfg.save_freq == 0:
            save_resume_state(
                self.model, self.history, entry["wall_s"], self.out_dir, self.cfg.env_id
            )
        self.logger.record("behaviour/eval_return", mean)
        note(
            f"[behaviour] step {self.num_timesteps}: stochastic return {mean:.1f} ({entry['wall_s']} s)",
        )
        low, high = self.cfg.band
        return not (low <= mean <= high)


def evaluate_actor(act_fn, env: gym.Env, n_episodes: int, seed: int) -> np.ndarray:
    """Undiscounted returns of ``n_episodes`` episodes of ``act_fn(obs) -> action``."""
    returns = np.zeros(n_episodes)
    for ep in range(n_episodes):
        obs, _ = env.reset(seed=seed + ep)
        done = False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(act_fn(obs))
            returns[ep] += reward
            done = terminated or truncated
    return returns


#: The agents whose actor :func:`save_actor` saves (SB3's SAC actor layout).
SAVABLE_AGENTS = "a SAC agent (stable_baselines3.SAC, agents.fused.FusedSAC or sb3_contrib.TQC)"


def _unsavable_actor(model: object) -> str | None:
    """Why ``model``'s actor is not the squashed-Gaussian ReLU MLP that
    :class:`rambo_env.policies.SquashedGaussianActor` rebuilds (SAC's policy, Haarnoja et al.
    2018, Sec. 4.2; also TQC's), else None."""
    from stable_baselines3.common.base_class import BaseAlgorithm

    if not isinstance(model, BaseAlgorithm):
        return f"got {type(model).__name__}, not an SB3 agent"
    name = type(model).__name__
    actor = getattr(model, "actor", None)
    latent = getattr(actor, "latent_pi", None)
    if actor is None or not isinstance(latent, torch.nn.Sequential):
        how = "a deterministic actor" if hasattr(actor, "mu") else "no SAC-style actor"
        return f"got {name}, which has {how} (no squashed Gaussian to save)"
    if getattr(actor, "use_sde", False):
        return f"got {name} with gSDE (use_sde=True), whose actor file would act wrongly"
    others = sorted(
        {type(m).__name__ for m in latent if not isinstance(m, torch.nn.Linear | torch.nn.ReLU)}
    )
    if others or not isinstance(getattr(actor, "log_std", None), torch.nn.Linear):
        layers = f" ({', '.join(others)} layers)" if others else ""
        return f"got {name}, whose actor{layers} is not the ReLU MLP an actor file holds"
    return None


def save_actor(model: SAC, path: Path, normalizer: Any = None) -> None:
    """Save the SAC actor's weights in the SB3-free format of :func:`rambo_env.policies.load_actor`.

    ``model``: :data:`SAVABLE_AGENTS` with the default ReLU MLP actor and no gSDE; any other
    (TD3's deterministic actor, CrossQ's BatchNorm layers, not an agent) is one ValueError before
    anything is written (probe 49: a raw ``AttributeError: 'Actor' object has no attribute
    'latent_pi'``). ``normalizer``: the :class:`rambo_env.ObsNormalizer` the agent's
    observations were normalised with; by default that of its mixed replay buffer (an agent of
    :func:`agents.factory.make_agent`, trained in the model env; its zip keeps it, so also after
    ``SAC.load``), else none (raw observations: a behaviour policy trained in the real env). The file keeps its mean and std, and the loaded
    actor normalises raw observations itself (probe 53: they were dropped, and the actor of a
    RAMBO agent acted on raw observations)."""
    problem = _unsavable_actor(model)
    if problem is not None:
        raise ValueError(
            f"model: save_actor takes {SAVABLE_AGENTS}, whose squashed-Gaussian actor "
            f"load_actor rebuilds; {problem}: train the behaviour policy with SAC "
            "(scripts/make_dataset.py --train-policy) and save its actor"
        )
    if normalizer is None:  # as agents.fused's ``normalizer`` finds it (also after SAC.load)
        normalizer = getattr(getattr(model, "replay_buffer", None), "normalizer", None)
        if normalizer is None:
            normalizer = (getattr(model, "replay_buffer_kwargs", None) or {}).get("normalizer")
    obs_dim = int(np.prod(model.observation_space.shape))
    stats = {}
    if normalizer is not None:
        mean, std = (np.asarray(getattr(normalizer, k, None), np.float32) for k in ("mean", "std"))
        if mean.shape != (obs_dim,) or std.shape != (obs_dim,):
            raise ValueError(
                f"normalizer: expected an ObsNormalizer of {obs_dim} observation dims (the "
                f"agent's), got mean / std of shape {mean.shape} / {std.shape}"
            )
        stats = {"obs_mean": torch.tensor(mean), "obs_std": torch.tensor(std)}  # copies
    space = model.action_space
    state = {k: v.detach().cpu() for k, v in model.actor.state_dict().items()}
    bad = non_finite_weight(state)
    if bad is not None:  # probe 58: written without a word, and later used by --policy
        raise ValueError(
            f"model: the actor's weight {bad!r} holds NaN / inf (the agent diverged?); save the "
            "actor of a checkpoint from before it diverged (nothing was written)"
        )
    hidden = tuple(m.out_features for m in model.actor.latent_pi if isinstance(m, torch.nn.Linear))
    save_checkpoint(
        path,
        {
            "state_dict": state,
            "obs_dim": obs_dim,
            "action_dim": int(np.prod(space.shape)),
            "hidden_dims": list(hidden),
            "action_low": torch.as_tensor(space.low, dtype=torch.float32),
            "action_high": torch.as_tensor(space.high, dtype=torch.float32),
            **stats,
        },
    )


#: Resume files that SB3 reads with (cloud)pickle: loading them runs code, so a resume loads
#: them only if they are byte-identical to what this project's own save wrote (hash in state.json).
_PICKLED = ("model.zip", "replay_buffer.pkl")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_resume_state(state_path: Path) -> dict:
    """``resume/state.json`` as :func:`save_resume_state` wrote it; one ValueError naming the file
    otherwise (was: a raw ``JSONDecodeError`` / ``AttributeError: 'list' object has no attribute
    'get'``, or SB3's ``FileNotFoundError`` for a ``{}``)."""
    try:
        state = read_json(state_path)
        problem = None
        if not isinstance(state, dict):
            problem = f"holds a JSON {type(state).__name__}, not an object"
        elif not isinstance(state.get("sha256"), dict) or not isinstance(
            state.get("history"), list
        ):
            problem = "has no 'sha256' object and 'history' list"
        elif not is_real(state.get("wall_s")):
            problem = f"'wall_s' is not a number ({state.get('wall_s')!r})"
    except (OSError, ValueError) as err:  # JSONDecodeError (not UTF-8 too) is a ValueError
        problem = f"not readable JSON ({err})"
    if problem is not None:
        raise ValueError(
            f"{state_path}: not the resume state this project saves ({problem}); delete "
            f"{state_path.parent} to start the behaviour policy over"
        )
    return state


def _check_resume_files(resume_dir: Path, state: dict) -> None:
    """Refuse to unpickle resume files that are not the ones :func:`save_resume_state` wrote."""
    recorded = state.get("sha256") or {}
    for name in _PICKLED:
        if not (resume_dir / name).is_file():  # was: SB3's raw FileNotFoundError
            raise ValueError(
                f"{resume_dir / name}: missing from the resume state; delete {resume_dir} to "
                "start the behaviour policy over"
            )
        if recorded.get(name) != _sha256(resume_dir / name):
            raise ValueError(
                f"{resume_dir / name}: not the file this project saved there (hash mismatch or "
                "no hash recorded); it is pickled data, so it is not loaded. Delete "
                f"{resume_dir} to start the behaviour policy over"
            )


def _held_env_id(out: Path) -> tuple[str, str] | None:
    """(env id, file recording it) of the behaviour agent in ``out``: ``resume/state.json``'s
    ``env_id`` (written since probe 64), else ``behaviour.json``'s config; None if neither says."""
    for name, keys in (
        ("resume/state.json", ("env_id",)),
        ("behaviour.json", ("config", "env_id")),
    ):
        try:
            value: Any = read_json(out / name)
            for key in keys:
                value = value.get(key) if isinstance(value, dict) else None
        except (OSError, ValueError):  # missing or damaged: the resume's own checks name it
            continue
        if isinstance(value, str):
            return value, f"its {name}"
    return None


def _other_env_error(cfg: BehaviourConfig, out: Path, held: str, where: str) -> ValueError:
    """The error for ``out`` holding the behaviour agent of another env than ``cfg.env_id``."""
    fix = "pass its env_id" if held.startswith("another") else f"pass env_id={held!r}"
    return ValueError(
        f"cfg.env_id: {cfg.env_id!r}, but {out} holds a behaviour agent of {held} ({where}); "
        f"{fix} to continue it, or another out_dir"
    )


def save_resume_state(
    model: SAC, history: list[dict], wall_s: float, out_dir: Path, env_id: str | None = None
) -> None:
    """Atomically replace ``out_dir/resume`` with the SB3 model, its replay buffer and the history
    (and ``env_id``, the env it trains on, where given: a resume with another env is refused)."""
    final, tmp, old = out_dir / "resume", out_dir / "resume.tmp", out_dir / "resume.old"
    restore_resume(out_dir)  # probe 86 row 28: the next save deleted the only good one
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        model.save(tmp / "model.zip")
        model.save_replay_buffer(tmp / "replay_buffer.pkl")
        state = {
            "num_timesteps": model.num_timesteps,
            "history": history,
            "wall_s": wall_s,
            "sha256": {name: _sha256(tmp / name) for name in _PICKLED},
        }
        if env_id is not None:
            state["env_id"] = env_id
        (tmp / "state.json").write_text(json.dumps(state, indent=2), encoding="utf-8")
        shutil.rmtree(old, ignore_errors=True)
        # probe 86 row 28: a failed rename of resume.tmp left no resume/ (the last good save
        # sat in resume.old, which nothing read): the previous one is now put back
        replace_folder(tmp, final, old)
    finally:  # probe 86 row 29: a failed write left resume.tmp with a partial replay buffer
        shutil.rmtree(tmp, ignore_errors=True)


def restore_resume(out_dir: Path) -> None:
    """Put ``out_dir/resume.old`` (the last good save, set aside by :func:`save_resume_state`)
    back as ``out_dir/resume`` where that is missing: its replacement failed, and so did putting
    it back (one WARNING naming both)."""
    restore_set_aside(out_dir / "resume", out_dir / "resume.old", "resume save")


def train_behaviour(
    cfg: BehaviourConfig,
    out_dir: str | Path,
    progress_bar: bool = True,
    resume: bool = False,
    actor_file: str = "medium_actor.pt",
) -> dict:
    """Train an SAC behaviour agent until its stochastic return enters ``cfg.band``.

    Writes ``out_dir/<actor_file>`` (the chosen checkpoint; ``make_dataset.py`` names an expert's
    ``expert_actor.pt``), ``out_dir/replay.npz`` (the replay buffer up to that checkpoint: the
    ``medium-replay`` data) and ``out_dir/behaviour.json``.
    Every ``cfg.save_freq`` steps the SB3 model, replay buffer and evaluation history are saved
    to ``out_dir/resume``; ``resume=True`` continues from there (the episode in progress at the
    save restarts with a fresh reset; SB3 calls the callback before storing that step's
    transition, so one transition per resume is missing from the buffer). Returns the summary.
    """
    if (
        not isinstance(actor_file, str)
        or actor_file in ("", "..")
        or Path(actor_file).name != actor_file
    ):
        raise ValueError(  # probe 28: the actor's name inside out_dir, not a path elsewhere
            f"actor_file: expected a file name such as 'expert_actor.pt', got {actor_file!r}"
        )
    out = Path(out_dir)
    for name in ("checkpoints", "resume"):  # issue 14: was a raw "File exists" after training
        refuse_broken_link(out / name, "out_dir: ")
    for path in (out, out / "checkpoints", out / "resume"):  # probe 58: a raw "File exists"
        if path.exists() and not path.is_dir():
            raise ValueError(
                f"out_dir: {path} is a file; pass a folder for the behaviour agent's files"
            )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:  # a parent that is a file, no permission
        raise ValueError(
            f"out_dir: cannot create {out} ({err.strerror or err}); pass a folder you can write "
            "for the behaviour agent's files"
        ) from None
    # probe 89 row 36: a second training in one out_dir while the first ran put the first's
    # set-aside save "back" under its feet, resumed from it and trained alongside: now refused
    with hold_folder(out, _in_use(out)):
        return _train_held(cfg, out, progress_bar, resume, actor_file)


def _in_use(out: Path, name: str = "out_dir") -> str:
    """The error for ``out`` (the argument ``name``) held by another live training (``{pid}``:
    its PID)."""
    where = shell_path(out).replace("{", "{{").replace("}", "}}")
    return (
        f"{name}: {where} is in use by process {{pid}} (a behaviour agent training there); "
        f"wait for it to end or pass another folder (if process {{pid}} trains none, its PID "
        f"was reused: remove {where}/{LOCK_NAME})"
    )


def check_out_dir_free(out_dir: str | Path, name: str = "out_dir") -> None:
    """One :class:`~rambo_env.run_io.FolderInUseError` where another live process trains a
    behaviour agent in ``out_dir`` (its ``.lock``, :func:`train_behaviour`): for a caller that
    looks at the folder's files first (``make_dataset.py``, ``name`` its flag; probe 89 row 36)."""
    pid = other_holder(out_dir)  # probe 109: its PID may be this one's on another host
    if pid is not None:
        raise FolderInUseError(_in_use(Path(out_dir), name).format(pid=pid))


def _train_held(
    cfg: BehaviourConfig, out: Path, progress_bar: bool, resume: bool, actor_file: str
) -> dict:
    """:func:`train_behaviour` in the existing ``out``, held by this process (its ``.lock``)."""
    restore_resume(out)  # probe 86 row 28: a resume.old without resume/ was never read
    held = [
        name
        for name in ("behaviour.json", actor_file, "replay.npz", "checkpoints", "resume")
        if os.path.lexists(out / name)
    ]
    if held and not check_flag(resume, "resume"):  # probe 63: a second call retrained over a
        raise ValueError(  # finished agent from step 0 and replaced its files without a word
            f"out_dir: {out} already holds a behaviour agent ({', '.join(held)}); pass "
            "resume=True to continue its training from its last save (a finished one: to choose "
            "again, or to go on up to a larger max_steps), another folder, or remove those files "
            "to train a new one"
        )
    recorded = _held_env_id(out) if held else None
    if recorded is not None and recorded[0] != cfg.env_id:  # probe 64: was SB3's "Observation
        raise _other_env_error(
            cfg, out, *recorded
        )  # spaces do not match", naming no folder or field
    env = gym.make(cfg.env_id)
    callback = _BandStopCallback(cfg, out)
    state_path = out / "resume" / "state.json"
    if resume and state_path.is_file():
        state = _read_resume_state(state_path)
        _check_resume_files(out / "resume", state)
        name = "model.zip"
        try:
            model = SAC.load(out / "resume" / name, env=env, device="cpu")
            name = "replay_buffer.pkl"
            model.load_replay_buffer(out / "resume" / name)
        except ValueError as err:  # a save from before state.json recorded its env_id
            if "spaces do not match" not in str(err):
                raise
            where = "its resume/model.zip"
            raise _other_env_error(cfg, out, f"another env ({err})", where) from None
        except ImportError as err:  # probe 96b row 20: a numpy-2 save resumed under numpy 1
            fix = f", or delete {out / 'resume'} to start the behaviour policy over"
            newer = numpy2_pickle_error(err, out / "resume" / name, fix)
            if newer is None:
                raise
            raise newer from None
        callback.history, callback.wall_before = state["history"], float(state["wall_s"])
        note(f"[behaviour] resuming {out} at step {model.num_timesteps}")
    else:
        model = SAC(
            "MlpPolicy",
            env,
            seed=cfg.seed,
            learning_starts=cfg.learning_starts,
            buffer_size=cfg.buffer_size or cfg.max_steps,
            verbose=0,
            device="cpu",
        )
    from agents.factory import quiet_logger

    model.set_logger(quiet_logger())  # no empty <tmp>/SB3-<date> folder (probe 17)
    remaining = cfg.max_steps - model.num_timesteps
    with learn_closes_its_bars():  # probe 77 row 9: SB3's bar was left open by an interrupt
        model.learn(
            remaining, callback=callback, progress_bar=progress_bar, reset_num_timesteps=not resume
        )
    # probe 58: one clock with the history's (was 4.7 s in total, 6.4 s at the chosen checkpoint)
    wall = callback.wall_before + time.time() - callback.t0
    low, high = cfg.band
    centre = 0.5 * (low + high)
    best = min(callback.history, key=lambda e: abs(e["return_mean"] - centre))
    chosen = out / "checkpoints" / f"actor_{best['step']}.pt"
    _check_chosen(chosen, out / actor_file)
    # probe 19: copies were cut by a signal
    atomic_write(out / actor_file, lambda tmp: shutil.copyfile(chosen, tmp))
    _save_replay(model, best["step"], out / "replay.npz")
    summary = {
        "config": asdict(cfg),
        "chosen": best,
        "history": callback.history,
        "wall_s": round(wall, 1),
        "in_band": low <= best["return_mean"] <= high,
    }
    # probe 62: json.dumps wrote an infinite band as bare Infinity tokens (not JSON for jq or a
    # browser); write_json stores them as null, as every run file does
    write_json(out / "behaviour.json", summary)
    if not summary["in_band"]:  # probe 58: said only by make_dataset.py, not to library users
        then = (
            "resume=True continues from its last save"
            if (out / "resume" / "state.json").is_file()
            else f"no resume save was made (one every {cfg.save_freq} steps), so it trains from "
            "step 0"
        )
        warn_each_time(
            f"{out}: the behaviour agent's return never entered the band [{low:g}, {high:g}] in "
            f"{cfg.max_steps} SAC steps; the closest checkpoint (step {best['step']}, return "
            f"{best['return_mean']:.1f}) was chosen, so its data is not at the band's level: "
            f"raise max_steps and train again ({then})",
            BandMissedWarning,
            stacklevel=user_stacklevel(),
        )
    return summary


def _check_chosen(chosen: Path, actor: Path) -> None:
    """The chosen checkpoint loads (probe 30: a damaged one was copied as the actor, which the
    next ``make_dataset.py --train-policy`` reused as it is, and re-choosing copied it again)."""
    from rambo_env.policies import load_actor
    from rambo_env.run_io import check_readable, problem_of

    check_readable(chosen, "behaviour checkpoint")  # chmod fixes it: not "damaged"
    try:
        load_actor(chosen)
    except (ValueError, FileNotFoundError) as err:
        problem = (
            "missing"
            if isinstance(err, FileNotFoundError)
            else "damaged (" + problem_of(err, chosen) + ")"
        )
        raise ValueError(
            f"{chosen}: the checkpoint chosen for {actor} is {problem}, so the training in "
            f"{actor.parent} cannot make its actor: move that folder away (or pass another "
            "--behaviour-dir) to train a new agent"
        ) from None


def _save_replay(model: SAC, n_steps: int, path: Path) -> None:
    """The first ``n_steps`` transitions of the (single-env, never wrapped) replay buffer."""
    buf = model.replay_buffer
    n = min(n_steps, buf.buffer_size if buf.full else buf.pos)
    dones = buf.dones[:n, 0].astype(bool)
    timeouts = buf.timeouts[:n, 0].astype(bool)
    timeouts[-1] |= not dones[-1]  # the trailing partial episode is cut by us: a truncation
    arrays = {
        "observations": buf.observations[:n, 0].astype(np.float32),
        "actions": model.policy.unscale_action(buf.actions[:n, 0]).astype(np.float32),
        "rewards": buf.rewards[:n, 0].astype(np.float32),
        "next_observations": buf.next_observations[:n, 0].astype(np.float32),
        "terminals": dones & ~buf.timeouts[:n, 0].astype(bool),
        "timeouts": timeouts,
    }

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:  # a file object: np.savez_compressed would append .npz
            np.savez_compressed(f, **arrays)

    atomic_write(path, write)
