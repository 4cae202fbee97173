"""The paper's toy problems as real Gymnasium envs (App. C.1, App. C.3).

* :class:`SingleTransitionEnv` — the Single Transition Example (App. C.1, Figs 1-3): one action
  ``a ∈ [-1, 1]`` from a fixed initial state ``s0``, a successor ``s'`` drawn from a Gaussian
  chosen by the action band, reward ``r(s') = s'``, then the episode terminates.
* :class:`IllustrativeMDP` — the 1-D example used to visualise the adversarial model
  (App. C.3, Figs 4-6): reward ``R(s, a) = s`` (the current state), transitions that depend only
  on the action, never terminates, truncated after ``horizon`` steps. The paper gives its true
  dynamics only as a scatter of the dataset (Fig. 4, actions in ``[-0.3, 0.3]``); the dynamics
  here are our documented choice (:func:`illustrative_mean`): ``s'`` increases with ``a`` on the
  dataset range, so ``a = 0.3`` is the best in-distribution action, and every action with
  ``|a| > 0.3`` leads to a low state, so a policy exploiting a model that extrapolates upward
  is punished in the real env.

Both envs are SB3-free. Ids are registered by :func:`register_toy_envs` (idempotent), which
also registers their exact termination rules with
:data:`rambo_env.dynamics.termination.TERMINATION_FNS` (the learned MDP keys termination by exact
env id; an all-terminal dataset cannot train the fallback classifier).
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from rambo_env.envs.registration import (
    SB3_RENDER_MODE_FIX,
    calling_frame,
    renders_nothing,
    sb3_default_render_mode,
)

__all__ = [
    "ILLUSTRATIVE_HORIZON",
    "ILLUSTRATIVE_ID",
    "ILLUSTRATIVE_NOISE",
    "SINGLE_TRANSITION_BANDS",
    "SINGLE_TRANSITION_ID",
    "IllustrativeMDP",
    "SingleTransitionEnv",
    "illustrative_mean",
    "register_toy_envs",
    "single_transition_mean",
    "single_transition_std",
    "toy_env_ids",
]

SINGLE_TRANSITION_ID = "RamboToy-SingleTransition-v0"
ILLUSTRATIVE_ID = "RamboToy-Illustrative-v0"

#: App. C.1: (a_low, a_high, mean of s') per action band, closed intervals, s' ~ N(mean, 0.2).
SINGLE_TRANSITION_BANDS: tuple[tuple[float, float, float], ...] = (
    (-0.8, -0.65, 1.0),
    (-0.2, -0.05, 0.5),
    (0.05, 0.2, 1.25),
    (0.65, 0.8, 1.5),
)
SINGLE_TRANSITION_SIGMA = 0.2
"""σ of s' inside a band (App. C.1)."""
SINGLE_TRANSITION_OTHER = 0.5
"""Deterministic s' for every action outside the four bands (App. C.1)."""

ILLUSTRATIVE_IN_RANGE = 0.3
"""Half-width of the dataset's action range (App. C.3: a ∈ [-0.3, 0.3])."""
ILLUSTRATIVE_NOISE = 0.05
"""σ of the Gaussian transition noise of :class:`IllustrativeMDP` (our choice)."""
ILLUSTRATIVE_HORIZON = 10
"""Episode length of :class:`IllustrativeMDP` (our choice; the paper does not give one)."""


def _action_array(action: Any) -> np.ndarray:
    """Actions in float32, the action space's dtype (band edges compare as float32 too)."""
    return np.asarray(action, dtype=np.float32)


def single_transition_mean(action: Any) -> np.ndarray:
    """E[s' | a] of App. C.1 for an array of actions (any shape; same shape out)."""
    a = _action_array(action)
    out = np.full(a.shape, SINGLE_TRANSITION_OTHER)
    for low, high, mean in SINGLE_TRANSITION_BANDS:
        out[(a >= np.float32(low)) & (a <= np.float32(high))] = mean
    return out


def single_transition_std(action: Any) -> np.ndarray:
    """SD[s' | a] of App. C.1: 0.2 inside a band, 0 elsewhere (s' = 0.5 deterministically)."""
    a = _action_array(action)
    out = np.zeros(a.shape)
    for low, high, _ in SINGLE_TRANSITION_BANDS:
        out[(a >= np.float32(low)) & (a <= np.float32(high))] = SINGLE_TRANSITION_SIGMA
    return out


def illustrative_mean(action: Any) -> np.ndarray:
    """E[s' | a] of our App. C.3 dynamics: ``a`` for ``|a| <= 0.3``, ``-|a|`` otherwise."""
    a = _action_array(action)
    return np.where(np.abs(a) <= np.float32(ILLUSTRATIVE_IN_RANGE), a, -np.abs(a)).astype(
        np.float64
    )


def _check_keywords(cls: type, unknown: dict[str, Any]) -> None:
    """One ValueError naming a keyword the toy env does not take, with the ones it takes, as the
    model envs say (:func:`rambo_env.envs.model_env.check_known_keywords`)."""
    from rambo_env.envs.model_env import check_known_keywords  # lazy: it imports much more

    check_known_keywords(cls, unknown, module="rambo_env.envs.toys")


def _check_horizon_within_time_limit(horizon: int) -> None:
    """Refuse a ``horizon`` longer than the ``TimeLimit`` the enclosing ``gym.make`` puts around
    the illustrative MDP (probe 54: ``gym.make(ILLUSTRATIVE_ID, horizon=20)`` was cut at step 10 by
    the registered ``max_episode_steps`` without a word). A shorter horizon is fine: the env then
    truncates itself first. A ``max_episode_steps`` given to ``gym.make`` with the default horizon
    is the user's own shorter limit and is kept."""
    from rambo_env.envs.registration import make_call_locals

    make_locals = make_call_locals()
    if make_locals is None:  # built directly: no TimeLimit around it
        return
    given, spec = make_locals.get("max_episode_steps"), make_locals.get("env_spec")
    # probe 56: the fix named gym.make where the caller had called gym.make_vec
    maker = "gym.make_vec" if _under_make_vec() else "gym.make"
    rows = ", num_envs=…" if maker == "gym.make_vec" else ""
    if isinstance(given, int) and given > horizon:  # probe 67: cut at the horizon, spec said 20
        raise ValueError(
            f"max_episode_steps: {given} given to {maker} is longer than the env's own horizon "
            f"({horizon}), at which it truncates every episode itself; pass horizon={given} with "
            f"it: {maker}({ILLUSTRATIVE_ID!r}{rows}, horizon={given}, max_episode_steps={given})"
        )
    limit = given if given is not None else getattr(spec, "max_episode_steps", None)
    if not isinstance(limit, int) or limit < 1 or horizon <= limit:
        return  # None / -1: no TimeLimit (gymnasium refuses other values itself)
    asked = "horizon" in (make_locals.get("kwargs") or {}) or "horizon" in getattr(
        spec, "kwargs", {}
    )
    if given is not None and not asked:
        return
    where = (
        f"max_episode_steps={limit} given to gym.make"
        if given is not None
        else f"{ILLUSTRATIVE_ID}'s registered max_episode_steps ({limit})"
    )
    raise ValueError(
        f"horizon: {horizon} is longer than the TimeLimit of {limit} steps gym.make puts around "
        f"the env ({where}), which would cut every episode at step {limit}; pass "
        f"max_episode_steps={horizon} with it: {maker}({ILLUSTRATIVE_ID!r}{rows}, "
        f"horizon={horizon}, max_episode_steps={horizon})"
    )


def _under_make_vec() -> bool:
    """Whether ``gym.make_vec`` is building this env (its sync / async modes call gym.make)."""
    return calling_frame(gym.envs.registration.make_vec.__code__) is not None


class _ToyEnv(gym.Env):
    """Shared 1-D plumbing: float32 Box obs (1,), action Box [-1, 1] (1,), action checks."""

    # probe 91a row 7: instances only (gym.make warned first)
    metadata = renders_nothing("its whole state is the 1-D observation; leave VecVideoRecorder out")
    #: What ``gym.make`` without ``max_episode_steps`` gives (named when refusing a numpy one).
    DEFAULT_TIME_LIMIT: ClassVar[str] = "no TimeLimit (the env ends its own episodes)"

    def __init__(self, render_mode: str | None = None) -> None:
        from rambo_env.envs.registration import check_time_limit_is_python_int, make_call_locals

        # was: gymnasium's raw "unexpected keyword argument" TypeError; probe 97 row 20: "leave
        # render_mode out" alone, to a user of SB3's make_vec_env, who gave none
        if sb3_default_render_mode(render_mode):  # probe 131 R5: not the user's
            render_mode = None
        if render_mode is not None:
            raise ValueError(
                f"render_mode: {render_mode!r}, but {type(self).__name__} has nothing to render "
                "(its whole state is the 1-D observation); leave render_mode out ("
                f"{SB3_RENDER_MODE_FIX})"
            )
        make_locals = make_call_locals()  # probe 55: np.int64 was gymnasium's raw TypeError
        if make_locals is not None:  # from its TimeLimit, after construction; the model envs' rule
            check_time_limit_is_python_int(
                make_locals.get("max_episode_steps"), self.DEFAULT_TIME_LIMIT
            )
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(1,), dtype=np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
        self._state: float | None = None
        self._closed = False

    def close(self) -> None:
        self._closed = True
        super().close()

    def _check_reset(self, seed: Any, options: Any) -> int | None:
        """The model envs' rules for ``reset`` (probe 67: a closed toy env reset and stepped on,
        where the model envs raise ``ClosedEnvironmentError``; ``seed=True`` was seed 1)."""
        from rambo_env.envs.model_env import check_reset_seed  # lazy: torch

        self._check_open("reset")
        self._check_options(options)
        return check_reset_seed(seed)

    def _check_open(self, call: str) -> None:
        if self._closed:
            raise gym.error.ClosedEnvironmentError(
                f"{call}: the env was closed (close()); make a new one (gym.make)"
            )

    def _check_action(self, action: Any) -> float:
        """The action as a float clipped to [-1, 1] (the paper's action set), with one warning
        per env the first time it lies outside (probe 63: ``step(5.0)`` stepped as 1.0 without a
        word), as the model envs say (:func:`rambo_env.envs.model_env.warn_clipped_action`)."""
        from rambo_env.envs.model_env import (  # lazy: torch is not needed to register
            as_float32,
            warn_clipped_action,
        )

        self._check_open("step")
        if self._state is None:
            raise RuntimeError(f"{type(self).__name__}: call reset() before step()")
        if action is None:
            raise ValueError("action: expected one finite value, got None")
        a = as_float32(action, "action", (1,)).astype(np.float64).reshape(-1)  # was: numpy's
        # "could not convert string to float", or a complex action's real part with a warning
        if a.shape != (1,) or not np.isfinite(a[0]):
            raise ValueError(f"action: expected one finite value, got {action!r}")
        if not getattr(self, "_warned_clipped_action", False):
            warn_clipped_action(a, self, self, clipper=f"the toy env {type(self).__name__}")
        return float(np.clip(a[0], -1.0, 1.0))

    def _obs(self) -> np.ndarray:
        return np.array([self._state], dtype=np.float32)

    def _check_options(self, options: Any) -> None:
        """The toy MDPs take no reset option (was: ``options={"state": …}`` silently ignored)."""
        if options is not None and options != {}:
            raise ValueError(
                f"options: {type(self).__name__} takes no reset options, got {options!r}; its "
                "start state is a constructor argument (initial_state)"
            )


def _finite(value: Any, what: str, minimum: float | None = None) -> float:
    """A constructor argument as a float; one ValueError naming it for a string, None, a bool, a
    non-finite number or one below ``minimum`` (was: numpy's raw TypeError / ValueError, or a NaN
    initial state that made every observation NaN)."""
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or (minimum is not None and value < minimum):
        bound = "" if minimum is None else f" >= {minimum:g}"
        raise ValueError(f"{what}: expected a finite number{bound}, got {value!r}")
    return float(value)


class SingleTransitionEnv(_ToyEnv):
    """App. C.1 Single Transition Example: ``s0 -> a -> s' ~ p(s' | a)``, reward ``s'``, done.

    :param initial_state: s0 (paper: an unnamed fixed state; transitions do not depend on it).
    :param initial_spread: half-width of a uniform jitter around s0 (default 0: fixed s0, the
        paper's setting). The dataset maker uses a spread so that the z-score normaliser of the
        observations is not degenerate (std 0 -> 1e-6 would scale s' by 1e6).
    """

    DEFAULT_TIME_LIMIT = "no TimeLimit (every episode ends after its one step)"

    def __init__(
        self,
        initial_state: float = 0.0,
        initial_spread: float = 0.0,
        render_mode: str | None = None,
        **unknown: Any,
    ) -> None:
        # probe 53: gym.make("RamboToy-…", rollout_length=3) was gymnasium's raw TypeError
        _check_keywords(type(self), unknown)
        super().__init__(render_mode)
        self.initial_state = _finite(initial_state, "initial_state")
        self.initial_spread = _finite(initial_spread, "initial_spread", minimum=0.0)
        self._done = False

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=self._check_reset(seed, options))
        jitter = self.np_random.uniform(-1.0, 1.0) * self.initial_spread
        self._state, self._done = self.initial_state + jitter, False
        return self._obs(), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        a = self._check_action(action)
        if self._done:
            raise RuntimeError("SingleTransitionEnv: the episode has terminated; call reset()")
        mean = float(single_transition_mean(a))
        std = float(single_transition_std(a))
        next_state = mean + std * float(self.np_random.standard_normal()) if std > 0 else mean
        self._state, self._done = next_state, True
        return self._obs(), float(np.float32(next_state)), True, False, {"mean_next_state": mean}


class IllustrativeMDP(_ToyEnv):
    """App. C.3 illustrative MDP: ``R(s, a) = s``, ``s' = f(a) + N(0, σ²)``, truncated at H.

    ``f`` is :func:`illustrative_mean`. The episode starts at ``initial_state`` (0) and never
    terminates; step ``horizon`` returns ``truncated=True``.
    """

    DEFAULT_TIME_LIMIT = f"the registered TimeLimit of {ILLUSTRATIVE_HORIZON} steps (= horizon)"

    def __init__(
        self,
        horizon: int = ILLUSTRATIVE_HORIZON,
        noise_std: float = ILLUSTRATIVE_NOISE,
        initial_state: float = 0.0,
        render_mode: str | None = None,
        **unknown: Any,
    ) -> None:
        # probe 53: gym.make("RamboToy-…", rollout_length=3) was gymnasium's raw TypeError
        _check_keywords(type(self), unknown)
        super().__init__(render_mode)
        if isinstance(horizon, bool) or not (
            isinstance(horizon, int | np.integer) and horizon >= 1
        ):
            raise ValueError(f"horizon: expected an int >= 1, got {horizon!r}")
        self.horizon, self.noise_std = int(horizon), _finite(noise_std, "noise_std", minimum=0.0)
        self.initial_state = _finite(initial_state, "initial_state")
        _check_horizon_within_time_limit(self.horizon)
        self._t = 0

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=self._check_reset(seed, options))
        self._state, self._t = self.initial_state, 0
        return self._obs(), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        a = self._check_action(action)
        reward = float(np.float32(self._state))  # R(s, a) = s, the CURRENT state (App. C.3)
        mean = float(illustrative_mean(a))
        self._state = mean + self.noise_std * float(self.np_random.standard_normal())
        self._t += 1
        return self._obs(), reward, False, self._t >= self.horizon, {"mean_next_state": mean}


def toy_env_ids() -> list[str]:
    """The registered toy ids."""
    return [SINGLE_TRANSITION_ID, ILLUSTRATIVE_ID]


def register_toy_envs() -> None:
    """Register the toy env ids (done on ``import rambo_env``; idempotent).

    Their exact-id termination rules live in :data:`rambo_env.dynamics.termination.TERMINATION_FNS`.
    """
    from rambo_env.envs.registration import register_envs

    register_envs()
