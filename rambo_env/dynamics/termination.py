"""Termination functions for model rollouts, on RAW (un-normalised) next observations.

The MuJoCo rules are the official static functions (MOPO/RAMBO ``static_fns``), identical to
Gymnasium v5's (and v4's) ``terminated`` with the default ``exclude_current_positions_from_observation``:
Hopper ``obs[0]`` = torso height, ``obs[1]`` = torso angle; Walker2d likewise; Ant / Humanoid
``obs[0]`` = torso height; InvertedPendulum ``obs[1]`` = pole angle; InvertedDoublePendulum the
pole tip's height from ``sin`` / ``cos`` of its two hinge angles (``obs[1:5]``); HalfCheetah,
Swimmer, Reacher, Pusher never terminate. Data of an env made with other kwargs
(``dataset.env_kwargs``: ``healthy_z_range``, ``terminate_when_unhealthy``, …) get the rule with
those kwargs where it is a simple range (:func:`exact_rule`), else none. For any other env a small
classifier is fitted to the dataset's terminal flags (Section 5.2: the reward and termination are
part of the learned model), or nothing terminates if the dataset has no terminals;
:func:`get_termination_fn` then prints one note saying which, and a WARNING when the classifier
misses many of the terminations of rows held out of its fit.
Callers holding normalised states un-normalise them first (:class:`~rambo_env.normalization.ObsNormalizer`).
"""

from __future__ import annotations

import functools
import math
import numbers
import re
import types
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from rambo_env.logging import note

__all__ = [
    "TERMINATION_FNS",
    "TerminationClassifier",
    "always_terminated",
    "ant_terminated",
    "check_rule",
    "exact_rule",
    "get_termination_fn",
    "hopper_terminated",
    "humanoid_terminated",
    "inverted_double_pendulum_terminated",
    "inverted_pendulum_terminated",
    "never_terminated",
    "terminal_disagreements",
    "walker2d_terminated",
]

TerminationFn = Callable[[torch.Tensor], torch.Tensor]


def _check_raw_next_obs(raw_next_obs: Any, rule: str, obs_dim: int | None = None) -> None:
    """One ValueError naming ``rule``'s argument for a non-tensor, a 0-d tensor, or (with
    ``obs_dim``) a last dim other than the env's observation dim (probe 63: an ndarray was
    torch's raw TypeError, a 0-d tensor a raw IndexError, and a 5-dim or a Hopper state given to
    Walker2d's rule was judged silently on its first two columns). Type and shape only: no host
    sync, and ``torch.compile`` guards on them like any shape."""
    if not isinstance(raw_next_obs, torch.Tensor):
        how = "; pass torch.as_tensor(obs)" if isinstance(raw_next_obs, np.ndarray | list) else ""
        raise ValueError(
            f"raw_next_obs: {rule} expects a torch tensor [..., {obs_dim or 'obs_dim'}], got "
            f"{type(raw_next_obs).__name__}{how}"
        )
    if raw_next_obs.ndim == 0:
        raise ValueError(
            f"raw_next_obs: {rule} expects a tensor [..., {obs_dim or 'obs_dim'}] (one state "
            "or a batch of them), got a 0-d tensor"
        )
    if obs_dim is not None and raw_next_obs.shape[-1] != obs_dim:
        raise ValueError(
            f"raw_next_obs: shape {tuple(raw_next_obs.shape)}, but {rule} needs "
            f"[..., {obs_dim}] (the env's observation dim); last dim {raw_next_obs.shape[-1]}"
        )


def _check_flags(terminals: Any, n_rows: int, caller: str) -> np.ndarray:
    """``terminals`` as bool [n_rows]: bools or 0 / 1 numbers, a ``(N, 1)`` column squeezed as
    :meth:`OfflineDataset.from_arrays` does; one ValueError naming ``caller``'s argument for
    another shape, a value other than 0 / 1 (a probability) or a non-number (probe 66 rows 31-32,
    35: a ``(N, 1)`` column broadcast against [N] to N x N "disagreeing" rows, numbered past N;
    0.3 counted as terminal; soft labels 0.9 / 0.2 all counted terminal)."""
    if isinstance(terminals, torch.Tensor):
        terminals = terminals.detach().cpu().numpy()
    flags = np.asarray(terminals)
    if flags.ndim == 2 and flags.shape[1] == 1:
        flags = flags[:, 0]  # D4RL hdf5 files store (N, 1) columns
    if flags.shape != (n_rows,):
        raise ValueError(
            f"terminals: {caller} expects bool flags [{n_rows}] (one per next_obs row), got "
            f"shape {flags.shape}"
        )
    if flags.dtype == np.bool_:
        return flags
    if flags.dtype.kind not in "iuf":
        raise ValueError(f"terminals: {caller} expects bool flags, got dtype {flags.dtype}")
    bad = np.flatnonzero((flags != 0) & (flags != 1))
    if bad.size:
        raise ValueError(
            f"terminals[{bad[0]}] = {flags[bad[0]]}: {caller} expects bool flags (or 0 / 1), "
            "not probabilities; threshold them (terminals > 0.5) first"
        )
    return flags.astype(bool)


def _check_next_obs(next_obs: Any, caller: str) -> np.ndarray:
    """``next_obs`` as a float32 [N, O] array (a copy: a dataset's arrays are read-only); one
    ValueError naming ``caller`` for another shape or a non-number."""
    if isinstance(next_obs, torch.Tensor):
        next_obs = next_obs.detach().cpu().numpy()
    arr = np.asarray(next_obs)
    if arr.ndim != 2 or arr.dtype.kind not in "iuf":
        raise ValueError(
            f"next_obs: {caller} expects raw next observations [N, obs_dim] of real numbers, got "
            f"shape {arr.shape}, dtype {arr.dtype}"
        )
    return np.array(arr, dtype=np.float32)


def hopper_terminated(raw_next_obs: torch.Tensor) -> torch.Tensor:
    """Hopper-v5: alive iff all finite, |obs[1:]| < 100, height obs[0] > 0.7, |angle obs[1]| < 0.2.

    ``raw_next_obs`` [..., 11] -> bool [...].
    """
    _check_raw_next_obs(raw_next_obs, "Hopper's rule (hopper_terminated)", 11)
    height, angle = raw_next_obs[..., 0], raw_next_obs[..., 1]
    alive = (
        torch.isfinite(raw_next_obs).all(dim=-1)
        & (raw_next_obs[..., 1:].abs() < 100).all(dim=-1)
        & (height > 0.7)
        & (angle.abs() < 0.2)
    )
    return ~alive


def walker2d_terminated(raw_next_obs: torch.Tensor) -> torch.Tensor:
    """Walker2d-v5: alive iff 0.8 < height obs[0] < 2.0 and -1 < angle obs[1] < 1.

    ``raw_next_obs`` [..., 17] -> bool [...].
    """
    _check_raw_next_obs(raw_next_obs, "Walker2d's rule (walker2d_terminated)", 17)
    height, angle = raw_next_obs[..., 0], raw_next_obs[..., 1]
    alive = (height > 0.8) & (height < 2.0) & (angle > -1.0) & (angle < 1.0)
    return ~alive


class HealthyZRule:
    """Ant / Humanoid: alive iff the torso height ``obs[z_index]`` lies in ``(low, high)`` (bounds
    included with ``closed``, as Ant's ``min_z <= z <= max_z``; Humanoid's are strict) and, with
    ``finite``, every entry is finite (Ant's ``np.isfinite(state).all()``). A class, not a closure,
    so that its bounds show in ``repr`` and a rule made from an env's kwargs compares equal to
    another of the same kwargs.

    ``raw_next_obs`` [..., O] (O > ``z_index``) -> bool [...].
    """

    def __init__(
        self, name: str, low: float, high: float, *, closed: bool, finite: bool, z_index: int = 0
    ) -> None:
        self.name, self.low, self.high = name, float(low), float(high)
        self.closed, self.finite, self.z_index = closed, finite, z_index
        self.__name__ = f"{name.lower()}_terminated"

    def __call__(self, raw_next_obs: torch.Tensor) -> torch.Tensor:
        _check_raw_next_obs(raw_next_obs, f"{self.name}'s rule ({self.__name__})")
        if raw_next_obs.shape[-1] <= self.z_index:
            raise ValueError(
                f"raw_next_obs: shape {tuple(raw_next_obs.shape)}, but {self.name}'s rule reads "
                f"the torso height at obs[{self.z_index}]"
            )
        z = raw_next_obs[..., self.z_index]
        if self.closed:
            alive = (z >= self.low) & (z <= self.high)
        else:
            alive = (z > self.low) & (z < self.high)
        if self.finite:
            alive = alive & torch.isfinite(raw_next_obs).all(dim=-1)
        return ~alive

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HealthyZRule) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((self.name, self.low, self.high, self.closed, self.finite, self.z_index))

    def __repr__(self) -> str:
        lo, hi = ("[", "]") if self.closed else ("(", ")")
        return (
            f"{self.__name__}(alive iff obs[{self.z_index}] in {lo}{self.low}, {self.high}{hi}"
            f"{' and finite' if self.finite else ''})"
        )


# Gymnasium ant_v5.py / ant_v4.py: is_healthy = isfinite(state_vector()).all() and
# min_z <= qpos[2] <= max_z, healthy_z_range=(0.2, 1.0); obs[0] = qpos[2] (x, y excluded).
# MOPO / RAMBO static_fns/ant.py: the same test on next_obs[:, 0].
ant_terminated = HealthyZRule("Ant", 0.2, 1.0, closed=True, finite=True)
# Gymnasium humanoid_v5.py / humanoid_v4.py: is_healthy = min_z < qpos[2] < max_z,
# healthy_z_range=(1.0, 2.0); obs[0] = qpos[2]. MOPO / RAMBO static_fns/humanoid.py alike.
humanoid_terminated = HealthyZRule("Humanoid", 1.0, 2.0, closed=False, finite=False)


def inverted_pendulum_terminated(raw_next_obs: torch.Tensor) -> torch.Tensor:
    """InvertedPendulum-v5 / -v4: terminated iff any entry is not finite or |pole angle obs[1]|
    > 0.2 (Gymnasium inverted_pendulum_v5.py; MOPO / RAMBO static_fns/inverted_pendulum.py).

    ``raw_next_obs`` [..., 4] -> bool [...].
    """
    _check_raw_next_obs(raw_next_obs, "InvertedPendulum's rule (inverted_pendulum_terminated)", 4)
    alive = torch.isfinite(raw_next_obs).all(dim=-1) & (raw_next_obs[..., 1].abs() <= 0.2)
    return ~alive


def inverted_double_pendulum_terminated(raw_next_obs: torch.Tensor) -> torch.Tensor:
    """InvertedDoublePendulum-v5 / -v4: terminated iff the pole tip's height y <= 1 (Gymnasium
    inverted_double_pendulum_v5.py: ``y = data.site_xpos[0][2]``). Both poles are 0.6 long on a
    cart at height 0, so y = 0.6 cos(q1) + 0.6 cos(q1 + q2), with ``obs[1:3]`` = sin(q1), sin(q2)
    and ``obs[3:5]`` = cos(q1), cos(q2) (v5 obs 9 dims, v4 11: the same first five). The
    simulator's y differs by < 1e-4 (its soft constraints): it matched every ``terminated`` of
    6000 random-policy steps (946 terminations) of each version.

    ``raw_next_obs`` [..., >= 5] -> bool [...].
    """
    rule = "InvertedDoublePendulum's rule (inverted_double_pendulum_terminated)"
    _check_raw_next_obs(raw_next_obs, rule)
    if raw_next_obs.shape[-1] < 5:
        raise ValueError(
            f"raw_next_obs: shape {tuple(raw_next_obs.shape)}, but {rule} reads sin / cos of the "
            "two hinge angles at obs[1:5] (9 dims in -v5, 11 in -v4)"
        )
    sin1, sin2, cos1, cos2 = raw_next_obs[..., 1:5].unbind(-1)
    tip_height = 0.6 * cos1 + 0.6 * (cos1 * cos2 - sin1 * sin2)  # cos(q1 + q2)
    return ~(tip_height > 1.0)  # NaN heights terminate too


def never_terminated(raw_next_obs: torch.Tensor) -> torch.Tensor:
    """HalfCheetah, Swimmer, Reacher, Pusher (and any env without terminal states; Gymnasium's
    ``terminated`` is always False there): all False, bool [...]."""
    _check_raw_next_obs(raw_next_obs, "never_terminated")
    return torch.zeros(raw_next_obs.shape[:-1], dtype=torch.bool, device=raw_next_obs.device)


def always_terminated(raw_next_obs: torch.Tensor) -> torch.Tensor:
    """Every transition terminates (App. C.1: one action, then the episode ends); bool [...]."""
    _check_raw_next_obs(raw_next_obs, "always_terminated")
    return torch.ones(raw_next_obs.shape[:-1], dtype=torch.bool, device=raw_next_obs.device)


TERMINATION_FNS: dict[str, TerminationFn] = {
    "Hopper-v5": hopper_terminated,
    "Walker2d-v5": walker2d_terminated,
    "HalfCheetah-v5": never_terminated,
    # Gymnasium's v4 envs end by the same rules on the same observation layout (hopper_v4.py /
    # walker2d_v4.py: healthy ranges, exclude_current_positions_from_observation; probe 39: the
    # load-time termination checks were silent for -v4 ids). v2 / v3 are mujoco-py envs.
    "Hopper-v4": hopper_terminated,
    "Walker2d-v4": walker2d_terminated,
    "HalfCheetah-v4": never_terminated,
    # probe 77 rows 4 / 23: Ant's and Humanoid's rollouts ended by a classifier that missed
    # 50 % / 44 % of the real terminations of held-out rows; each rule below matched Gymnasium's
    # `terminated` on every one of 6000 random-policy steps of its -v4 and -v5 env.
    "Ant-v5": ant_terminated,
    "Ant-v4": ant_terminated,
    "Humanoid-v5": humanoid_terminated,
    "Humanoid-v4": humanoid_terminated,
    "InvertedPendulum-v5": inverted_pendulum_terminated,
    "InvertedPendulum-v4": inverted_pendulum_terminated,
    "InvertedDoublePendulum-v5": inverted_double_pendulum_terminated,
    "InvertedDoublePendulum-v4": inverted_double_pendulum_terminated,
    "Swimmer-v5": never_terminated,
    "Swimmer-v4": never_terminated,
    "Reacher-v5": never_terminated,
    "Reacher-v4": never_terminated,
    "Pusher-v5": never_terminated,
    "Pusher-v4": never_terminated,
    # The paper's toys (rambo_env/envs/toys.py): App. C.1 ends after one step, C.3 never ends.
    "RamboToy-SingleTransition-v0": always_terminated,
    "RamboToy-Illustrative-v0": never_terminated,
}
"""Exact termination rules keyed by exact Gymnasium env id (no substring matching)."""


#: Env kwargs that change where an episode terminates (or, ``exclude_current_positions_…``,
#: where the rule's height sits in the observation); any other kwarg (reward weights, reset noise,
#: contact forces in the observation) leaves the rule as it is.
_TERMINATION_KWARGS = (
    "terminate_when_unhealthy",
    "healthy_z_range",
    "healthy_angle_range",
    "healthy_state_range",
    "exclude_current_positions_from_observation",
    "xml_file",
)


def _non_default(
    env_id: str, env_kwargs: Any, *, null_is_nonfinite: bool = False
) -> dict[str, Any]:
    """``env_kwargs`` without the entries equal to ``env_id``'s own defaults (its registration's
    kwargs, else its class's signature; :func:`same_value`): a dataset that records the defaults
    is judged as the default env."""
    if not isinstance(env_kwargs, dict) or not env_kwargs:
        return {}
    defaults = _defaults(env_id)
    if defaults is None:  # no spec, an entry point that does not load: take all as given
        return dict(env_kwargs)
    return {
        k: v
        for k, v in env_kwargs.items()
        if k not in defaults or not same_value(v, defaults[k], null_is_nonfinite=null_is_nonfinite)
    }


def _defaults(env_id: str) -> dict[str, Any] | None:
    """The kwargs ``gym.make(env_id)`` makes its env with; None where that is not known."""
    import inspect

    import gymnasium as gym

    try:
        spec = gym.spec(env_id)
        entry = spec.entry_point
        entry = gym.envs.registration.load_env_creator(entry) if isinstance(entry, str) else entry
        defaults = {
            k: p.default
            for k, p in inspect.signature(entry).parameters.items()
            if p.default is not inspect.Parameter.empty
        }
        defaults.update(spec.kwargs or {})
    except Exception:
        return None
    return defaults


_NUMBER = bool | int | float | np.bool_ | np.integer | np.floating


def same_value(a: Any, b: Any, *, null_is_nonfinite: bool = False) -> bool:
    """Whether kwarg values ``a`` and ``b`` make the same env: dicts key by key, lists / tuples /
    arrays element by element, numbers by value (``1`` = ``1.0`` = ``np.float64(1.0)``; a bool
    as gymnasium uses it, ``True`` = ``1``), anything else by ``==`` of one type. Probe 79 rows
    2, 3, 19, 20, 35: a JSON list ``lookat`` against gymnasium's ``np.array`` default was numpy's
    raw "truth value of an array … is ambiguous"; ``forward_reward_weight=1`` /
    ``np.float64(0.001)`` / ``terminate_when_unhealthy=1`` were called non-default.
    ``null_is_nonfinite``: a None matches ±inf / nan (a config.json of probe 78 recorded them so)."""
    if isinstance(a, dict) or isinstance(b, dict):
        return (
            isinstance(a, dict)
            and isinstance(b, dict)
            and a.keys() == b.keys()
            and all(same_value(a[k], b[k], null_is_nonfinite=null_is_nonfinite) for k in a)
        )
    seq = list | tuple | np.ndarray
    if isinstance(a, seq) or isinstance(b, seq):
        if not (isinstance(a, seq) and isinstance(b, seq)):
            return False
        a = a.tolist() if isinstance(a, np.ndarray) else list(a)  # python scalars, nested lists
        b = b.tolist() if isinstance(b, np.ndarray) else list(b)
        return len(a) == len(b) and all(
            same_value(x, y, null_is_nonfinite=null_is_nonfinite) for x, y in zip(a, b, strict=True)
        )
    if null_is_nonfinite and (a is None) != (b is None):
        other = b if a is None else a
        return isinstance(other, _NUMBER) and not math.isfinite(float(other))
    if isinstance(a, _NUMBER) and isinstance(b, _NUMBER):
        return bool(a == b)
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # an == that does not give one truth value: not the same
        return False


#: Env kwargs gymnasium's MuJoCo envs take as a flag (``if self._terminate_when_unhealthy``)
_FLAG_KWARGS = ("terminate_when_unhealthy", "exclude_current_positions_from_observation")


#: Env kwargs MuJoCo needs as a whole number (``frame_skip``: ``mj_step(…, nstep=2.0)`` raises
#: at the first step; Ant-v5's ``main_body`` body id, or its name: the annotation lets a str
#: pass; the renderer's sizes and camera id), whatever their default's literal
_INT_KWARGS = ("frame_skip", "main_body", "width", "height", "camera_id", "max_geom")


@functools.lru_cache(maxsize=64)
def _env_params(env_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The default of each keyword of registered ``env_id``'s constructor (its registered kwargs
    over its ``__init__``'s defaults) and each keyword's annotation, ({}, {}) where the env is
    not registered or its constructor cannot be read. Importing its entry point is what
    ``gym.make`` does."""
    import inspect

    import gymnasium as gym
    from gymnasium.envs.registration import load_env_creator

    spec = gym.registry.get(env_id)
    if spec is None:
        return {}, {}
    try:
        entry = load_env_creator(spec.entry_point) if isinstance(spec.entry_point, str) else None
        target = entry or spec.entry_point
        params = inspect.signature(target.__init__ if isinstance(target, type) else target)
    except Exception:  # an entry point that fails to import: gym.make says so itself
        return {}, {}
    defaults = {
        name: p.default for name, p in params.parameters.items() if p.default is not p.empty
    }
    notes = {
        name: p.annotation for name, p in params.parameters.items() if p.annotation is not p.empty
    }
    return {**defaults, **(spec.kwargs or {})}, notes


def _annotation_allows(annotation: Any, value: Any) -> bool:
    """Whether a constructor's ``annotation`` names ``value``'s type (a str in Ant-v5's
    ``main_body: int | str``, a None in an ``Optional``); a bool only where it names bool. A
    postponed (text) annotation is read by its words ``str`` / ``None`` / ``Optional``."""
    import typing

    if isinstance(annotation, str):
        words = set(re.findall(r"[A-Za-z_]+", annotation))
        return (isinstance(value, str) and "str" in words) or (
            value is None and bool(words & {"None", "Optional"})
        )
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    kinds = typing.get_args(annotation) if union else (annotation,)
    for kind in kinds:
        if kind is None or kind is type(None):
            if value is None:
                return True
        elif isinstance(kind, type) and isinstance(value, kind):
            if not isinstance(value, bool) or kind is bool:
                return True
    return False


def _is_real_value(value: Any) -> bool:
    """A real number as gym.make's MuJoCo envs take it: a python / numpy int or float, a 0-d
    numeric numpy array, a Decimal / Fraction; not a bool, a complex or a string."""
    from rambo_env.run_io import is_real  # lazy: run_io imports this package

    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "iuf"
    return is_real(value) or (
        isinstance(value, numbers.Number) and not isinstance(value, bool | np.bool_ | complex)
    )


def _kwarg_type_problem(env_id: str, key: str, value: Any) -> str | None:
    """Whether ``value`` is surely not what ``env_id``'s constructor takes for ``key``: for a
    bool default a bool (or 0 / 1); for a number default a real number, an int for
    :data:`_INT_KWARGS` (the default's literal does not decide: Ant-v5's
    ``forward_reward_weight=1`` is a float weight, probe 99 rows 2, 3, 10, 11, 41); for a tuple
    default a sequence; anything the ``__init__`` annotation names passes (Ant-v5's
    ``main_body: int | str``); other defaults are not judged."""
    from rambo_env.run_io import is_int  # lazy: run_io imports this package

    defaults, notes = _env_params(env_id)
    default = defaults.get(key, None)
    if key in notes and _annotation_allows(notes[key], value):
        return None
    if isinstance(default, bool | np.bool_):
        ok = isinstance(value, bool | np.bool_) or (is_int(value) and value in (0, 1))
        kind = "a bool (true / false)"
    elif isinstance(default, numbers.Number) and key in _INT_KWARGS:
        ok, kind = is_int(value), "an int"
    elif isinstance(default, numbers.Number) and not isinstance(default, complex):
        ok, kind = _is_real_value(value), "a real number"
    elif isinstance(default, tuple):
        ok, kind = isinstance(value, list | tuple | np.ndarray), "a sequence"
    else:
        return None
    if ok:
        return None
    return (
        f"{key}={value!r} is {type(value).__name__}, not {kind} ({env_id}'s {key} defaults to "
        f"{default!r}); give it as {kind}"
    )


def env_kwargs_problem(env_kwargs: Any, env_id: Any = None) -> str | None:
    """What is wrong with ``env_kwargs`` (gym.make's kwargs of the data's / the evaluation env)
    for the rules here and the MuJoCo envs, else None: a ``…_range`` that is not two real
    numbers, a flag (:data:`_FLAG_KWARGS`) that is not a bool or 0 / 1; with registered
    ``env_id``, a value not of its constructor default's type. Probe 78 rows 8, 10, 22:
    ``healthy_z_range='0.2,1.2'`` / ``1.2`` passed gym.make and failed raw at the env's first step,
    ``terminate_when_unhealthy='False'`` would be truthy. Probe 96a rows 53, 54:
    ``forward_reward_weight='1.0'`` / ``frame_skip=2.0`` failed raw at the first step."""
    if not isinstance(env_kwargs, dict):
        return None
    for key, value in env_kwargs.items():
        if key.endswith("_range"):
            pair = np.asarray(value, dtype=object) if isinstance(value, list | tuple) else value
            if isinstance(value, np.ndarray):
                pair = value.astype(object)
            ok = (
                isinstance(pair, np.ndarray)
                and pair.shape == (2,)
                and all(
                    isinstance(v, int | float | np.integer | np.floating)
                    and not isinstance(v, bool | np.bool_)
                    and not math.isnan(float(v))  # Humanoid's contact_cost_range: (-inf, 10)
                    for v in pair
                )
            )
            if not ok:
                return (
                    f"{key}={value!r} is not a range of two numbers (low, high), e.g. "
                    f"{key}=[0.2, 1.2]"
                )
        elif key in _FLAG_KWARGS:
            if not (
                isinstance(value, bool | np.bool_)
                or (isinstance(value, int | np.integer) and value in (0, 1))
            ):
                return f"{key}={value!r} is not a flag (true / false)"
        elif isinstance(env_id, str) and key != "render_mode":
            problem = _kwarg_type_problem(env_id, key, value)
            if problem is not None:
                return problem
    return None


#: Envs whose exact rule existed before probe 77 (1862348, which ignored the data's env kwargs)
RULES_BEFORE_PROBE_77 = frozenset(
    {"Hopper-v5", "Walker2d-v5", "HalfCheetah-v5", "Hopper-v4", "Walker2d-v4", "HalfCheetah-v4"}
    | {"RamboToy-SingleTransition-v0", "RamboToy-Illustrative-v0"}
)


def rule_name(fn: Any) -> str:
    """What ends a model's rollouts, as a run's config.json records it (probe 78 rows 15, 33: a
    resumed run changed rule without a word): ``"exact: …"``, ``"learned classifier"``."""
    if isinstance(fn, TerminationClassifier):
        return "learned classifier"
    if isinstance(fn, types.FunctionType):
        return f"exact: {fn.__name__}"
    # probe 79 row 40: a functools.partial / callable object was its repr with its memory
    # address, another in every process: each resume said "rule changed"
    return f"exact: {stable_text(repr(fn))}"


def stable_text(text: str) -> str:
    """``text`` without the memory addresses of default reprs (``<f at 0x7ff9…>`` -> ``<f>``,
    ``<m.Rule object at 0x…>`` -> ``<m.Rule object>``): the same in every process."""
    return re.sub(r" at 0x[0-9a-fA-F]+", "", text)


def non_default_kwargs(env_id: str, env_kwargs: Any) -> dict[str, Any]:
    """``env_kwargs`` without those equal to ``env_id``'s defaults (nor ``render_mode``)."""
    return {k: v for k, v in _non_default(env_id, env_kwargs).items() if k != "render_mode"}


def kwargs_record(env_id: str | None, env_kwargs: Any) -> dict[str, Any]:
    """``env_id``'s non-default kwargs in ``env_kwargs`` as config.json's
    ``resolved['termination']['env_kwargs']`` records them: JSON values, a non-finite float as the
    string ``"inf"`` / ``"-inf"`` / ``"nan"`` (:func:`kwargs_from_record` reads them back). Probe 79
    rows 22, 24: all kwargs were recorded, ±inf as null (``healthy_z_range [0.7, null]``, a range
    that makes no env), and a resume warned of "all defaults" kwargs."""
    from rambo_env.run_io import as_json

    def encode(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        if isinstance(value, list | tuple | np.ndarray):
            return [encode(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
        if isinstance(value, float | np.floating) and not math.isfinite(float(value)):
            return str(float(value))  # 'inf', '-inf', 'nan'
        return value

    if not isinstance(env_kwargs, dict):
        return {}
    made = non_default_kwargs(env_id, env_kwargs) if env_id else dict(env_kwargs)
    try:
        return as_json(encode(made))
    except (TypeError, ValueError):  # not JSON: recorded as text
        return {k: repr(v) for k, v in made.items()}


def kwargs_from_record(recorded: Any) -> Any:
    """:func:`kwargs_record`'s record with its ``"inf"`` / ``"-inf"`` / ``"nan"`` floats back."""
    if isinstance(recorded, dict):
        return {k: kwargs_from_record(v) for k, v in recorded.items()}
    if isinstance(recorded, list):
        return [kwargs_from_record(v) for v in recorded]
    return float(recorded) if recorded in ("inf", "-inf", "nan") else recorded


def same_kwargs(env_id: str | None, was: Any, now: Any) -> bool:
    """Whether two records of an env's kwargs (:func:`kwargs_record`, or a probe-78 record of
    all kwargs, ±inf as null) make the same ``env_id`` env: their non-default kwargs agree."""
    was, now = kwargs_from_record(was or {}), kwargs_from_record(now or {})
    if env_id:
        # a probe-78 record's null stood for ±inf (healthy_z_range [0.7, null]: the default)
        was = _non_default(env_id, was, null_is_nonfinite=True)
        was.pop("render_mode", None)
        now = non_default_kwargs(env_id, now)
    return same_value(was, now, null_is_nonfinite=True)


_SAID_MODULE_KEYS: set[str] = set()


def _registered_rule(env_id: Any) -> TerminationFn | None:
    """``TERMINATION_FNS[env_id]``, else a rule keyed by ``env_id``'s ``module:id`` form (e.g.
    ``'myenvs:Reach2D-v0'`` for ``'Reach2D-v0'``; one note per key) or None. Probe 98 row 6: a
    rule keyed as the user typed ``--env-id`` was never read, as the data store the plain id."""
    if not isinstance(env_id, str):
        return None
    if env_id in TERMINATION_FNS:
        return TERMINATION_FNS[env_id]
    keys = [k for k in TERMINATION_FNS if isinstance(k, str) and k.partition(":")[2] == env_id]
    if not keys:
        return None
    if keys[0] not in _SAID_MODULE_KEYS:
        _SAID_MODULE_KEYS.add(keys[0])
        note(
            f"[rambo_env] note: TERMINATION_FNS[{keys[0]!r}] is used as the rule of {env_id!r} "
            f"(the data store the plain id); key it {env_id!r}",
        )
    return TERMINATION_FNS[keys[0]]


def unmodelled_kwargs(env_id: str | None, env_kwargs: Any = None) -> list[str]:
    """The names in ``env_kwargs`` (the kwargs the data's env was made with) that change
    ``env_id``'s termination in a way :func:`exact_rule` cannot follow; [] when it follows all."""
    rule = _registered_rule(env_id)
    if rule is None or not env_kwargs:
        return []
    env_kwargs = _non_default(env_id, env_kwargs)
    given = [k for k in _TERMINATION_KWARGS if k in env_kwargs]
    if rule is never_terminated or rule is always_terminated:
        return []  # no kwarg of these envs makes them end
    if not env_kwargs.get("terminate_when_unhealthy", True):  # probe 78 row 10: 0 is False
        return []  # never ends: every other bound is moot
    if isinstance(rule, HealthyZRule):  # bounds and the height's place are followed
        followed = ("terminate_when_unhealthy", "healthy_z_range")
        followed += ("exclude_current_positions_from_observation",)
        return [k for k in given if k not in followed]
    return [k for k in given if k != "terminate_when_unhealthy"]


def exact_rule(env_id: str | None, env_kwargs: Any = None) -> TerminationFn | None:
    """``env_id``'s exact termination rule for an env made with ``env_kwargs`` (the kwargs given
    to ``gym.make``; None / {} for the defaults), else None: no rule for the env, or a kwarg the
    rule cannot follow (:func:`unmodelled_kwargs`, e.g. Hopper's ``healthy_angle_range``).
    ``terminate_when_unhealthy=False`` never ends; Ant's / Humanoid's ``healthy_z_range`` moves
    their bounds, and ``exclude_current_positions_from_observation=False`` their height to
    ``obs[2]`` (after x, y). Probe 77 rows 6 / 22: Ant data of ``healthy_z_range=(0.2, 1.2)``
    were judged by the default bounds, or by none, without a word."""
    rule = _registered_rule(env_id)
    if rule is None or not env_kwargs:
        return rule
    env_kwargs = _non_default(env_id, env_kwargs)
    if unmodelled_kwargs(env_id, env_kwargs):
        return None
    if rule is never_terminated or rule is always_terminated:
        return rule
    if not env_kwargs.get("terminate_when_unhealthy", True):  # gymnasium's truthiness (0)
        return never_terminated
    if isinstance(rule, HealthyZRule):
        try:
            low, high = (float(v) for v in env_kwargs.get("healthy_z_range", (rule.low, rule.high)))
        except (TypeError, ValueError):  # not two numbers: gym.make says what
            return None
        with_x = not env_kwargs.get("exclude_current_positions_from_observation", True)
        made = HealthyZRule(
            rule.name, low, high, closed=rule.closed, finite=rule.finite, z_index=2 if with_x else 0
        )
        return rule if made == rule else made
    return rule


def terminal_disagreements(
    env_id: str | None, next_obs: np.ndarray, terminals: np.ndarray, env_kwargs: Any = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """Rows whose ``terminals`` flag contradicts ``env_id``'s exact rule (for an env made with
    ``env_kwargs``: :func:`exact_rule`); None without one.

    ``next_obs`` [N, O] raw, ``terminals`` bool (or 0 / 1) [N] or [N, 1] -> (int64 rows flagged terminal whose next
    state the rule keeps alive, int64 rows not flagged whose next state the rule ends). One
    vectorised pass over one float32 copy (a dataset's arrays are read-only): a few ms for 1M
    Hopper rows.
    """
    rule = exact_rule(env_id, env_kwargs)
    if rule is None:
        return None
    ended = rule_ends(rule, next_obs, "terminal_disagreements")  # [N]
    terminals = _check_flags(terminals, len(ended), "terminal_disagreements")
    return np.flatnonzero(terminals & ~ended), np.flatnonzero(~terminals & ended)


def rule_ends(rule: TerminationFn, next_obs: Any, caller: str = "rule_ends") -> np.ndarray:
    """bool [N]: where termination ``rule`` ends the episode at each raw next state of
    ``next_obs`` [N, O] (an array or tensor; one float32 copy, one vectorised pass)."""
    raw = torch.from_numpy(_check_next_obs(next_obs, caller))
    with torch.no_grad():
        return rule(raw).reshape(raw.shape[0]).numpy().astype(bool)


class TerminationClassifier(nn.Module):
    """Learned ``terminated(raw_next_obs)`` for envs without a known rule: a small MLP on
    standardised next observations, trained on balanced batches of terminal / non-terminal rows."""

    def __init__(self, obs_dim: int, hidden_dim: int = 64) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(obs_dim, hidden_dim),
            nn.ReLU(),
            nn.Linear(hidden_dim, hidden_dim),
            nn.ReLU(),
            nn.Linear(hidden_dim, 1),
        )
        self.register_buffer("obs_mean", torch.zeros(obs_dim))
        self.register_buffer("obs_std", torch.ones(obs_dim))

    def logits(self, raw_next_obs: torch.Tensor) -> torch.Tensor:
        """[..., O] -> [...] logit of P(terminated)."""
        # probe 66 row 35: another width was torch's raw "size of tensor a (17) must match"
        _check_raw_next_obs(raw_next_obs, "TerminationClassifier", self.obs_mean.shape[0])
        x = raw_next_obs.to(device=self.obs_mean.device, dtype=self.obs_mean.dtype)
        x = torch.nan_to_num((x - self.obs_mean) / self.obs_std, posinf=1e6, neginf=-1e6)
        return self.net(x).squeeze(-1)

    @torch.no_grad()
    def forward(self, raw_next_obs: torch.Tensor) -> torch.Tensor:
        """[..., O] -> bool [...] on the input's device; non-finite rows count as terminated."""
        terminated = (self.logits(raw_next_obs) > 0).to(raw_next_obs.device)
        return terminated | ~torch.isfinite(raw_next_obs).all(dim=-1)

    @classmethod
    def fit(
        cls,
        next_obs: np.ndarray,
        terminals: np.ndarray,
        *,
        n_steps: int = 500,
        batch_size: int = 512,
        seed: int = 0,
    ) -> TerminationClassifier:
        """Train on raw ``next_obs`` [N, O] and bool ``terminals`` [N] (both classes required);
        each Adam step sees ``batch_size`` rows, half terminal, half not (class balance).
        ``seed`` fixes the whole fit: the initial weights and the batches (the global torch RNG
        is neither read nor advanced)."""
        from rambo_env.run_io import check_seed, is_int

        # probe 66 rows 34-35: n_steps 0 / -5 and batch_size 0 / 1 returned an untrained model,
        # seed 2.5 was torch's raw "manual_seed expected a long"
        seed = check_seed(seed, "seed")
        if not is_int(n_steps) or n_steps < 1:
            raise ValueError(f"n_steps: expected an int >= 1 (default 500), got {n_steps!r}")
        if not is_int(batch_size) or batch_size < 2 or batch_size % 2:
            raise ValueError(
                "batch_size: expected an even int >= 2 (half terminal rows, half not; default "
                f"512), got {batch_size!r}"
            )
        # probe 67: a dataset's read-only arrays gave torch's "NumPy array is not writable"
        obs = torch.tensor(_check_next_obs(next_obs, "TerminationClassifier.fit"))
        label = torch.tensor(_check_flags(terminals, obs.shape[0], "TerminationClassifier.fit"))
        pos, neg = label.nonzero().squeeze(1), (~label).nonzero().squeeze(1)
        if pos.numel() == 0 or neg.numel() == 0:
            raise ValueError(
                f"terminals: need both classes, got {pos.numel()} terminal of {len(label)}"
            )
        gen = torch.Generator().manual_seed(seed)
        # probe 66 row 33: the initial weights came from the global RNG, so one seed gave
        # different models run to run; now drawn from `seed` without touching the global RNG
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = cls(obs.shape[1])
        finite = torch.isfinite(obs).all(dim=1)
        model.obs_mean.copy_(obs[finite].mean(0))
        model.obs_std.copy_(obs[finite].std(0, correction=0).clamp_min(1e-6))
        optimizer = torch.optim.Adam(model.net.parameters(), lr=3e-3)
        half = batch_size // 2
        target = torch.cat([torch.ones(half), torch.zeros(half)])  # [batch]
        for _ in range(n_steps):
            rows = torch.cat(
                [
                    pos[torch.randint(pos.numel(), (half,), generator=gen)],
                    neg[torch.randint(neg.numel(), (half,), generator=gen)],
                ]
            )  # [batch]
            loss = nn.functional.binary_cross_entropy_with_logits(model.logits(obs[rows]), target)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        return model.eval()


#: Share of held-out terminations the classifier may miss (or of held-out alive rows it may
#: end) before :func:`get_termination_fn` warns.
_CLASSIFIER_MISS_LIMIT = 0.1


def _holdout_fit(next_obs: np.ndarray, terminals: np.ndarray) -> tuple[int, int, int, int] | None:
    """How well a :class:`TerminationClassifier` fitted on 80 % of the rows predicts the other
    20 % (each class split alike, rows drawn with seed 0): (terminations held out, of them missed,
    alive rows held out, of them ended); None with fewer than 5 terminal rows to hold out."""
    terminals = np.asarray(terminals, dtype=bool)
    rng = np.random.default_rng(0)
    held = np.zeros(len(terminals), dtype=bool)
    for rows in (np.flatnonzero(terminals), np.flatnonzero(~terminals)):
        held[rng.permutation(rows)[: len(rows) // 5]] = True
    if (held & terminals).sum() < 5 or not (terminals & ~held).any():
        return None
    model = TerminationClassifier.fit(next_obs[~held], terminals[~held])
    pred = model(torch.as_tensor(np.asarray(next_obs[held], dtype=np.float32))).numpy()
    truth = terminals[held]
    return (
        int(truth.sum()),
        int((truth & ~pred).sum()),
        int((~truth).sum()),
        int((~truth & pred).sum()),
    )


def _say_holdout_fit(name: str, next_obs: np.ndarray, terminals: np.ndarray) -> None:
    """The classifier's fit on rows it was not fitted on, in one line: a WARNING when it misses
    more than :data:`_CLASSIFIER_MISS_LIMIT` of the held-out terminations or ends as large a share
    of the held-out alive rows (probe 77 rows 4 / 23: it missed 15 of 30 Ant and 54 of 123
    Humanoid terminations of held-out rows, and nothing said how well it fitted)."""
    fit = _holdout_fit(next_obs, terminals)
    if fit is None:
        note(
            f"[rambo_env] note: {name!r} has too few terminal rows to check the termination "
            "classifier on rows held out of its fit; register the env's exact rule "
            "(rambo_env.dynamics.termination.TERMINATION_FNS[env_id] = fn) if it has one"
        )
        return
    n_end, missed, n_alive, ended = fit
    said = (
        f"on 20 % of the rows of {name!r} held out of its fit, the termination classifier "
        f"missed {missed} of {n_end} terminations ({missed / n_end:.0%}) and ended {ended} of "
        f"{n_alive} alive rows ({ended / max(n_alive, 1):.1%})"
    )
    if missed / n_end > _CLASSIFIER_MISS_LIMIT or ended / max(n_alive, 1) > _CLASSIFIER_MISS_LIMIT:
        note(
            f"[rambo_env] WARNING: {said}: model rollouts run on through (or stop at) such "
            "states; if the env has an exact termination rule, register it "
            "(rambo_env.dynamics.termination.TERMINATION_FNS[env_id] = fn, fn(raw_next_obs) -> "
            "bool; env_id the plain id dataset.env_id, not 'module:id') before building the model; else collect more terminal rows",
        )
    else:
        note(f"[rambo_env] note: {said}")


#: What a rule of :data:`TERMINATION_FNS` takes and returns (the README says the same).
RULE_CONTRACT = (
    "rules get a torch tensor (a batch of raw next observations [B, obs_dim], float, on the "
    "model's device and part of the autograd graph) and must return a torch bool tensor [B] "
    "built with torch operations (no numpy: np.asarray / .numpy() fail on it)"
)


def check_rule(rule: TerminationFn, env_id: str | None, next_obs: Any) -> None:
    """Call ``rule`` once on two rows of ``next_obs`` (raw, [N, O]) as the model rollouts do (a
    float32 tensor in the autograd graph), before any model is trained: one ValueError naming the
    rule and the env when it fails or returns no [B] torch tensor. Probe 98 row 7: a rule written
    in numpy was torch's "Can't call numpy() on Tensor that requires grad" at the first
    ``mdp.transition``, after the MLE pretraining, naming neither the rule nor the env."""
    if getattr(rule, "__module__", None) == __name__:
        return  # this module's rules: checked against Gymnasium's terminated (tests)
    rows = _check_next_obs(np.asarray(next_obs)[:2], "check_rule")
    if not len(rows):
        return
    raw = torch.from_numpy(rows).requires_grad_(True)
    name = getattr(rule, "__qualname__", None) or type(rule).__name__
    where = f"termination rule {name} of {env_id!r} (TERMINATION_FNS[{env_id!r}])"
    try:
        out = rule(raw)
    except Exception as err:
        raise ValueError(
            f"{where} failed on a batch of {len(rows)} next observations: "
            f"{type(err).__name__}: {err}; {RULE_CONTRACT}"
        ) from err
    if not isinstance(out, torch.Tensor) or out.numel() != len(rows):
        got = (
            f"a tensor of shape {tuple(out.shape)}"
            if isinstance(out, torch.Tensor)
            else type(out).__name__
        )
        raise ValueError(
            f"{where} returned {got} for a batch of {len(rows)} next observations; {RULE_CONTRACT}"
        )


def get_termination_fn(env_id: str | None, dataset: Any = None) -> TerminationFn:
    """Termination function for ``env_id`` (exact Gymnasium id; made with ``dataset.env_kwargs``:
    :func:`exact_rule`), else one learned from ``dataset.next_observations`` / ``dataset.terminals`` (never-terminates without terminals,
    always-terminates when every row is terminal); the latter says so in one note (issue 14: a
    Humanoid run's rollouts ended by a learned rule without a word)."""
    env_kwargs = getattr(dataset, "env_kwargs", None) or {}
    rule = exact_rule(env_id, env_kwargs)
    if rule is not None:
        if dataset is not None:  # a user's rule in numpy: said here, not at the first rollout
            check_rule(rule, env_id, dataset.next_observations)
        return rule
    if dataset is None:
        raise ValueError(
            f"env_id={env_id!r} has no known termination rule ({sorted(TERMINATION_FNS)}); "
            "pass the dataset to learn one from its terminals"
        )
    terminals = np.asarray(dataset.terminals, dtype=bool)
    next_obs = dataset.next_observations
    name = getattr(dataset, "name", None) or "the dataset"
    known = _known_next_states(dataset)
    stand_ins = int((terminals & ~known).sum())
    if stand_ins:  # probe 77 row 27: start states of the next episode were learned as terminal
        terminals, next_obs = terminals[known], next_obs[known]
    # probe 41: env_id None read "note: None has no known termination rule"
    no_rule = (
        f"{env_id!r} has no known termination rule"
        if env_id is not None
        else "the dataset names no env, so no termination rule is known"
    )
    unmodelled = unmodelled_kwargs(env_id, env_kwargs)
    if unmodelled:  # probe 77 row 22: the default rule judged data of another healthy range
        no_rule = (
            f"{env_id}'s exact termination rule does not follow the env kwargs "
            f"{', '.join(f'{k}={env_kwargs[k]!r}' for k in unmodelled)} the data were collected "
            "with"
        )
    unknown = f"[rambo_env] note: {no_rule}: model rollouts"
    if stand_ins and not terminals.any():
        note(  # load_dataset warned about this file already: a note here
            f"[rambo_env] note: {no_rule}, and the next states of the {stand_ins} terminal "
            f"row(s) of {name!r} are not in the data (derived from the next row: the next "
            "episode's first state), so no termination rule can be learned from them: model "
            "rollouts never terminate (they end at the rollout length only); store the data's "
            "next_observations, or register the env's exact rule "
            "(rambo_env.dynamics.termination.TERMINATION_FNS[env_id] = fn)",
        )
        return never_terminated
    if not terminals.any():
        note(
            f"{unknown} never terminate, as no row of {name!r} is terminal (they end at the "
            "rollout length only)"
        )
        return never_terminated
    if terminals.all():  # probe 26: was "terminals: need both classes" after MLE pretraining
        note(
            f"[rambo_env] note: every row of {name!r} ends in a terminal state and {no_rule}: "
            "model rollouts end after one step (mark time-limit "
            "ends as timeouts if they are not terminals)"
        )
        return always_terminated
    left_out = (
        f"; {stand_ins} terminal row(s) whose next states are not in the data left out"
        if stand_ins
        else ""
    )
    note(
        f"{unknown} end where a small classifier fitted to the terminal flags of {name!r} "
        f"({int(terminals.sum())} terminal of {len(terminals)} rows{left_out}) predicts a "
        "termination (learned from the data, not the env's exact rule)"
    )
    _say_holdout_fit(name, next_obs, terminals)
    return TerminationClassifier.fit(next_obs, terminals)


def _known_next_states(dataset: Any) -> np.ndarray:
    """bool[N]: the rows whose next states the data hold (:meth:`OfflineDataset.known_next_states`);
    all rows for a dataset-like object without that method."""
    known = getattr(dataset, "known_next_states", None)
    if known is None:
        return np.ones(len(np.asarray(dataset.terminals)), dtype=bool)
    return np.asarray(known(), dtype=bool)
