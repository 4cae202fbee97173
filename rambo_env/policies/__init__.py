"""Behaviour policies shipped with rambo-env (pure torch; SB3-free).

The weights of the *medium* SAC behaviour policies used to generate the D4RL-protocol datasets
live next to this file as ``<env>_medium.pt`` (actor weights only). They are loaded into
:class:`SquashedGaussianActor`, whose parameter names match Stable-Baselines3's SAC ``Actor``
so that ``sac.actor.state_dict()`` can be saved and loaded here without importing SB3.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from rambo_env.dynamics.ensemble import resolve_device
from rambo_env.run_io import (
    PickleProtocolError,
    check_readable,
    is_int,
    load_torch_file,
    safe_reason,
)

__all__ = ["SquashedGaussianActor", "load_actor", "shipped_policy_path"]

POLICY_DIR = Path(__file__).resolve().parent
LOG_STD_MIN, LOG_STD_MAX = -20.0, 2.0  # SB3's SAC actor clamp


class SquashedGaussianActor(nn.Module):
    """tanh-squashed diagonal Gaussian MLP policy, parameter-compatible with SB3's SAC actor.

    Actions are produced in [-1, 1] and rescaled to the Box ``[action_low, action_high]``.
    """

    def __init__(
        self,
        obs_dim: int,
        action_dim: int,
        hidden_dims: tuple[int, ...] = (256, 256),
        action_low: np.ndarray | None = None,
        action_high: np.ndarray | None = None,
        obs_mean: np.ndarray | None = None,
        obs_std: np.ndarray | None = None,
    ) -> None:
        super().__init__()
        # probe 66 row 30: swapped bounds were taken (actions flipped silently), obs_std 0 gave
        # NaN actions, a bound of another shape / a float dim were torch's raw errors later
        for name, value in (("obs_dim", obs_dim), ("action_dim", action_dim)):
            if not (is_int(value) and value >= 1):
                raise ValueError(f"{name}: expected an int >= 1, got {value!r}")
        if not (
            isinstance(hidden_dims, tuple | list) and all(is_int(h) and h >= 1 for h in hidden_dims)
        ):
            raise ValueError(f"hidden_dims: expected a tuple of ints >= 1, got {hidden_dims!r}")
        layers: list[nn.Module] = []
        self.obs_dim, self.action_dim = int(obs_dim), int(action_dim)
        in_dim = self.obs_dim
        for h in hidden_dims:
            layers += [nn.Linear(in_dim, int(h)), nn.ReLU()]
            in_dim = int(h)
        self.latent_pi = nn.Sequential(*layers)
        self.mu = nn.Linear(in_dim, self.action_dim)
        self.log_std = nn.Linear(in_dim, self.action_dim)
        low = -np.ones(action_dim) if action_low is None else _vector(action_low, "action_low")
        high = np.ones(action_dim) if action_high is None else _vector(action_high, "action_high")
        for name, value, size in (
            ("action_low", low, action_dim),
            ("action_high", high, action_dim),
            ("obs_mean", obs_mean, obs_dim),
            ("obs_std", obs_std, obs_dim),
        ):
            if value is not None and _vector(value, name).shape != (size,):
                raise ValueError(
                    f"{name}: expected shape ({size},), got {_vector(value, name).shape}"
                )
        if not (low < high).all():
            raise ValueError(
                f"action_low / action_high: expected action_low < action_high everywhere, got "
                f"low {low.tolist()}, high {high.tolist()}; give the env's action_space bounds"
            )
        if obs_std is not None and not (_vector(obs_std, "obs_std") > 0).all():
            raise ValueError(
                f"obs_std: expected values > 0 (observations are divided by it), got "
                f"{_vector(obs_std, 'obs_std').tolist()}"
            )
        self.register_buffer("action_low", torch.as_tensor(low, dtype=torch.float32))
        self.register_buffer("action_high", torch.as_tensor(high, dtype=torch.float32))
        # An agent trained on normalised observations (agents.factory.make_agent: the model's
        # ObsNormalizer) acts on (obs - mean) / std; its actor file keeps the two (probe 53:
        # they were dropped, and the saved actor acted on raw observations).
        self.obs_mean: torch.Tensor | None
        self.obs_std: torch.Tensor | None
        for name, value in (("obs_mean", obs_mean), ("obs_std", obs_std)):
            stat = None if value is None else torch.as_tensor(value, dtype=torch.float32)
            self.register_buffer(name, stat)

    def forward(
        self,
        obs: torch.Tensor,
        deterministic: bool = False,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        if self.obs_mean is not None and self.obs_std is not None:
            obs = (obs - self.obs_mean) / self.obs_std
        latent = self.latent_pi(obs)
        mean = self.mu(latent)
        if deterministic:
            squashed = torch.tanh(mean)
        else:
            log_std = self.log_std(latent).clamp(LOG_STD_MIN, LOG_STD_MAX)
            noise = torch.randn(
                mean.shape, generator=generator, device=mean.device, dtype=mean.dtype
            )
            squashed = torch.tanh(mean + log_std.exp() * noise)
        # [-1, 1] -> [low, high]
        return self.action_low + 0.5 * (squashed + 1.0) * (self.action_high - self.action_low)

    @torch.no_grad()
    def act(
        self, obs: np.ndarray, deterministic: bool = False, generator: torch.Generator | None = None
    ) -> np.ndarray:
        if isinstance(obs, np.ndarray) and not obs.flags.writeable:  # a dataset's rows
            obs = obs.copy()  # (read-only: torch warns of sharing them)
        obs_t = torch.as_tensor(obs, dtype=torch.float32, device=self.mu.weight.device)
        # probe 66 row 29: another width was torch's raw "mat1 and mat2 shapes cannot be
        # multiplied"; NaN observations gave NaN actions without a word
        if obs_t.ndim == 0 or obs_t.shape[-1] != self.obs_dim:
            raise ValueError(
                f"obs: expected shape [..., {self.obs_dim}] (this actor's obs_dim), got "
                f"{list(obs_t.shape)}; give observations of the env the actor was trained on"
            )
        if not bool(torch.isfinite(obs_t).all()):
            index = [int(i) for i in torch.nonzero(~torch.isfinite(obs_t))[0]]
            raise ValueError(
                f"obs{index}: not finite ({obs_t[tuple(index)].item()}); the actor acts on "
                "finite observations: drop or fix the non-finite rows"
            )
        return self(obs_t, deterministic, generator).cpu().numpy()


def _vector(value: Any, name: str) -> np.ndarray:
    """``value`` as a float64 numpy array of finite numbers; ValueError naming ``name``."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected an array of numbers, got {value!r:.60}") from None
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: expected finite values, got {array.tolist()}")
    return array


def shipped_policy_path(env: str, level: str = "medium") -> Path:
    """Path of the shipped behaviour-policy weights for ``env`` (e.g. ``"hopper"``).

    ValueError for an (env, level) no policy is shipped for (was: the path of a file that does
    not exist, then ``FileNotFoundError`` from whoever loaded it).
    """
    path = POLICY_DIR / f"{env}_{level}.pt"
    if not path.is_file():
        shipped = sorted(p.stem for p in POLICY_DIR.glob("*.pt"))
        raise ValueError(
            f"no behaviour policy is shipped for env={env!r}, level={level!r} (shipped: "
            f"{shipped}); train one (scripts/make_dataset.py --train-policy) or pass its file"
        )
    return path


#: Keys of a cotrain run's ``checkpoint.pt`` (``agents.cotrain._save``), none of which a behaviour
#: actor file has: the file is told apart by them (no import of agents: this package is SB3-free).
_RUN_CHECKPOINT_KEYS = ("iteration", "history", "agent", "ensemble", "adversary")


#: What a behaviour actor file is, in the errors of :func:`load_actor`.
ACTOR_FILE = "an actor file saved by agents.behaviour.save_actor"
#: The SB3 agents whose actor ``agents.behaviour.save_actor`` extracts -> their loader.
_ACTOR_LOADERS = {"SAC": "stable_baselines3.SAC.load", "TQC": "sb3_contrib.TQC.load"}
#: Agent kind -> marks of its policy class's name or module in an SB3 zip (checked in order).
_AGENT_MARKS = (
    ("TQC", ("TQC", ".tqc.")),
    ("CrossQ", ("CrossQ", ".crossq.")),
    ("SAC", ("SAC", ".sac.")),
    ("TD3 / DDPG", ("TD3", ".td3.")),
)


def _saved_agent_kind(path: str | Path) -> str | None:
    """The agent an SB3 zip was saved by (``"SAC"``, ``"TQC"``, ``"TD3 / DDPG"``, ``"CrossQ"``, or
    its policy class's name), from its ``data`` member read as JSON: the policy class's module and
    the names in its methods' reprs (``<function TD3Policy.__init__ …>``). Nothing is unpickled;
    None when that JSON cannot be read."""
    try:
        with zipfile.ZipFile(path) as archive:
            policy = json.loads(archive.read("data"))["policy_class"]
        module = str(policy["__module__"])
        texts = " ".join(v for v in policy.values() if isinstance(v, str))
    except (OSError, KeyError, TypeError, ValueError, zipfile.BadZipFile):
        return None
    owner = re.search(r"<function (\w+)\.", texts)
    name = owner.group(1) if owner else module
    for kind, marks in _AGENT_MARKS:
        if any(mark in name or mark in module for mark in marks):
            return kind
    return f"another kind (its policy: {name}, {module})"


def _other_project_file(path: str | Path, payload: Any = None) -> str | None:
    """What ``path`` is when it is another file this project writes, not a behaviour actor:
    ``"… is an SB3 agent …: extract its actor with …"``; None otherwise. Found by the zip's member
    list or the weights-only ``payload``'s keys: nothing is unpickled (probe 48: an SB3 agent's
    zip and a cotrain run checkpoint got torch's raw zip error / ``KeyError: 'obs_dim'`` and
    "re-create it", though neither is damaged)."""
    names: set[str] = set()
    if payload is None:
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (OSError, zipfile.BadZipFile):
            pass
    if names and all(name.endswith(".npy") for name in names):  # probe 49: numpy's savez
        return (
            "is a dataset file (npz), not an actor file: a dataset is read by "
            f"rambo_env.load_dataset; pass {ACTOR_FILE}"
        )
    if {"data", "policy.pth"} <= names:  # SB3's BaseAlgorithm.save
        kind = _saved_agent_kind(path)
        if kind in _ACTOR_LOADERS or kind is None:  # None: its data unreadable, SAC's advice
            loader = _ACTOR_LOADERS.get(kind or "SAC")
            which = " (a SAC agent's)" if kind is None else ""
            return (
                "is an SB3 agent (agent.save), not a behaviour actor file: extract its actor with "
                f"agents.behaviour.save_actor({loader}({str(path)!r}), 'actor.pt'){which} and "
                "pass that file"
            )
        return (  # probe 49: a TD3 agent's zip was told to save_actor(SAC.load(…)), which fails
            f"is an SB3 agent (agent.save) of {kind}, not a behaviour actor file: only a SAC "
            "agent's actor (SAC, FusedSAC, TQC: a squashed Gaussian) can be extracted "
            "(agents.behaviour.save_actor); pass a SAC behaviour policy's actor file "
            "(scripts/make_dataset.py --train-policy trains one)"
        )
    if isinstance(payload, dict) and all(key in payload for key in _RUN_CHECKPOINT_KEYS):
        run_dir = Path(path).parent
        return (
            "is a cotrain run checkpoint (scripts/cotrain.py), not a behaviour actor file: "
            "extract its agent's actor with session, _ = "
            f"agents.cotrain.load_session({str(run_dir)!r}); "
            "agents.behaviour.save_actor(session.agent, 'actor.pt') (a SAC run's) and pass "
            "that file"
        )
    return None


def _optional_stat(payload: dict, key: str) -> np.ndarray | None:
    """The actor file's observation statistic ``key`` (``obs_mean`` / ``obs_std``, written by
    :func:`agents.behaviour.save_actor` for an agent trained on normalised observations), None
    when the file has none (raw observations: a behaviour policy trained in the real env)."""
    value = payload.get(key)
    if value is None:
        return None
    stat = value.numpy().astype(np.float32)
    if stat.shape != (int(payload["obs_dim"]),) or not np.all(np.isfinite(stat)):
        raise ValueError(f"{key} has shape {stat.shape} or non-finite values")
    if key == "obs_std" and not np.all(stat > 0):
        raise ValueError("obs_std holds values <= 0")
    return stat


def non_finite_weight(state: dict[str, Any]) -> str | None:
    """The key of the first floating tensor of ``state`` holding NaN / inf, else None (an
    actor of a diverged agent: refused by :func:`load_actor` and ``save_actor``, probe 58)."""
    return next(
        (k for k, v in state.items() if v.is_floating_point() and not v.isfinite().all()), None
    )


def load_actor(path: str | Path, device: str | torch.device = "cpu") -> SquashedGaussianActor:
    """Load a behaviour actor saved by :func:`agents.behaviour.save_actor`.

    Raises ValueError naming the file when it is not a readable actor payload or its weights do
    not match the architecture it declares (no silently random layers).
    """
    # resolved: torch.load cannot place storages on "cpu:0" (was: "not a behaviour actor"); and
    # before the load, so that a bad device is not called a bad file ("re-create it")
    map_location = resolve_device(device)
    if not isinstance(path, str | os.PathLike):  # was: torch's "… io.BytesIO …" advice
        raise ValueError(
            f"path: expected a policy file path (str / pathlib.Path), got {type(path).__name__}"
        )
    check_readable(path, "policy file")  # probe 18: was "not a behaviour actor … re-create it"
    if not os.path.exists(path):  # probe 49: was a bare FileNotFoundError, no what-to-do
        raise FileNotFoundError(
            f"policy file {path} does not exist; pass {ACTOR_FILE} (scripts/make_dataset.py "
            "--train-policy trains one)"
        )
    if os.path.isdir(path):  # probe 49: was "not a behaviour actor (IsADirectoryError…)"
        raise ValueError(f"policy file {path} is a folder, not a file; pass {ACTOR_FILE}")
    payload = None
    try:
        # probe 128 row 7, probe 131 R4: torch's pickle-protocol warning
        payload = load_torch_file(path, map_location)
        actor = SquashedGaussianActor(
            obs_dim=int(payload["obs_dim"]),
            action_dim=int(payload["action_dim"]),
            hidden_dims=tuple(int(h) for h in payload["hidden_dims"]),
            obs_mean=_optional_stat(payload, "obs_mean"),
            obs_std=_optional_stat(payload, "obs_std"),
        )
        state = payload["state_dict"]
        low, high = payload["action_low"].cpu(), payload["action_high"].cpu()
    except (FileNotFoundError, PickleProtocolError):
        raise
    except Exception as err:  # torch's unpickler / zip reader errors, missing keys, bad types
        kind = _other_project_file(path, payload)
        if kind is not None:
            raise ValueError(f"policy file {path} {kind}") from None
        raise ValueError(
            f"policy file {path}: not a behaviour actor saved by agents.behaviour.save_actor "
            f"({safe_reason(err)}); re-create it (scripts/make_dataset.py "
            "--train-policy) or pass another file"
        ) from None
    # the buffers come from the payload's own keys
    expected = set(actor.state_dict()) - {"action_low", "action_high", "obs_mean", "obs_std"}
    missing, unexpected = sorted(expected - set(state)), sorted(set(state) - expected)
    if missing or unexpected:
        raise ValueError(
            f"policy file {path}: weights do not match the actor it declares "
            f"(missing {missing}, unexpected {unexpected})"
        )
    # probe 58: NaN weights loaded without a word (make_dataset.py --policy then collected the
    # whole dataset before the first NaN action was refused), and swapped bounds were taken
    bad = non_finite_weight(state)
    if bad is not None:
        raise ValueError(
            f"policy file {path}: its weight {bad!r} holds NaN / inf (saved from a diverged "
            "agent?); pass another actor file, e.g. one saved before the agent diverged"
        )
    if low.shape != (actor.action_dim,) or high.shape != (actor.action_dim,):
        raise ValueError(
            f"policy file {path}: its action bounds have shape {tuple(low.shape)} / "
            f"{tuple(high.shape)} for action_dim {actor.action_dim}; re-create it"
        )
    if not (low.isfinite().all() and high.isfinite().all() and (low < high).all()):
        raise ValueError(
            f"policy file {path}: its action bounds are not finite with action_low < "
            f"action_high (low {low.tolist()}, high {high.tolist()}); re-create it "
            "(agents.behaviour.save_actor writes the env's own bounds)"
        )
    # set after the checks above, whose messages name the file (the constructor's would not)
    actor.register_buffer("action_low", low.to(torch.float32))
    actor.register_buffer("action_high", high.to(torch.float32))
    try:
        actor.load_state_dict(state, strict=False)  # the two action-bound buffers are not saved
    except RuntimeError as err:  # shape mismatches
        raise ValueError(f"policy file {path}: {str(err)[:300]}") from None
    return actor.to(device).eval()
