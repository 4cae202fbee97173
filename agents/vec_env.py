"""``RamboModelVecEnv``: the learned MDP as an SB3 ``VecEnv`` of ``num_envs`` model rollouts.

With ``num_envs = rollout_batch_size`` (50 000) and ``train_freq=(k, "step")`` one SB3 collect is
one k-step model rollout from dataset start states (Alg. 1 line 3): one ensemble forward per step,
each row under its own random elite. The rows' states and step counters stay on the device as
torch tensors; only observations, rewards and dones cross to numpy for SB3.

Autoreset follows SB3's convention: a done row is reset in the same step, its last observation is
in ``infos[i]["terminal_observation"]`` and ``infos[i]["TimeLimit.truncated"]`` is True iff the
row hit ``rollout_length`` without terminating. Only done rows get info entries.

The rows share one core (``mdp``, ``rollout_length``): ``get_attr`` / ``env_method`` read or call
it once and repeat the answer per index; ``set_attr`` must address every row (and cannot swap
``num_envs``, ``mdp`` or the spaces). SB3's ``set_options({"state": obs})`` starts rows from given
NORMALISED observations at the next ``reset()``, as ``RamboModelEnv.reset(options=…)`` does.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3.common.vec_env import VecEnv
from stable_baselines3.common.vec_env.base_vec_env import VecEnvIndices, VecEnvStepReturn

from rambo_env.envs.model_env import (
    NO_VIDEO,
    ModelMdp,
    RamboModelEnv,
    RolloutLength,
    as_action_tensor,
    check_open,
    check_reset_options,
    check_rollout_length,
    host_array,
    state_from_options,
)
from rambo_env.envs.registration import refuse_video_recorder
from rambo_env.envs.vector_env import check_num_envs_memory
from rambo_env.model import LearnedMDP
from rambo_env.run_io import check_seed, counted, numpy_underflow_ignored

__all__ = ["RamboModelVecEnv", "vec_env_mdp"]


def check_row_wrappers(vec_env: VecEnv) -> None:
    """No Gymnasium wrapper that changes what a model row observes, is rewarded or is stepped
    with, in an SB3 ``DummyVecEnv`` of model envs: ``NormalizeObservation``, ``NormalizeReward``,
    any ``ObservationWrapper`` / ``RewardWrapper`` but ``FlattenObservation`` (which leaves a 1-D
    Box as it is), any ``ActionWrapper`` (``RescaleAction``, ``ClipAction``, ``TransformAction``,
    …) and any wrapper whose spaces are not the model env's (``FrameStackObservation``); a
    rescale / cast / reshape onto the row's own spaces changes nothing and stays. Probe
    24: the first were taken where ``VecNormalize`` is refused, so one agent batch mixed two
    scales, silently. Probe 112: an action wrapper was taken too (the real rows' actions were
    rescaled to its space, the model stepped with the wrapped action while the buffer and the
    adversary used the agent's; ``ClipAction`` was SB3's raw "must have a finite lower and upper
    bound"), and ``FrameStackObservation`` blamed the dataset's shapes."""
    rows = getattr(getattr(vec_env, "unwrapped", None), "envs", None) or ()
    for row, env in enumerate(rows):
        if not isinstance(getattr(env, "unwrapped", None), RamboModelEnv):
            continue  # another env's rows are their own
        while isinstance(env, gym.Wrapper):
            problem = _row_wrapper_problem(env)
            if problem is not None:
                raise ValueError(
                    f"vec_env: row {row} is wrapped in Gymnasium's {type(env).__name__}, which "
                    f"{problem}"
                )
            env = env.env


#: Wrappers that change nothing when their spaces are the wrapped env's: a rescale onto the
#: same bounds, a cast to the same dtype, a reshape to the same shape (probe 115 row 13:
#: ``RescaleAction(env, low, high)`` with the env's own bounds, ``DtypeObservation(env,
#: np.float32)`` of float32 observations were refused as changing the rows).
_IDENTITY_WHEN_SAME_SPACES = (
    gym.wrappers.RescaleAction,
    gym.wrappers.RescaleObservation,
    gym.wrappers.DtypeObservation,
    gym.wrappers.ReshapeObservation,
)


def _row_wrapper_problem(wrapper: gym.Wrapper) -> str | None:
    """Why ``wrapper`` (one layer around a model env row) cannot stay; None if it may."""
    same_spaces = all(
        getattr(wrapper, what) == getattr(wrapper.env, what)
        for what in ("observation_space", "action_space")
    )
    if same_spaces and isinstance(wrapper, _IDENTITY_WHEN_SAME_SPACES):
        return None
    if isinstance(wrapper, gym.ActionWrapper):
        return (
            "changes the agent's actions before the model env steps them; the real transitions "
            "in the agent's buffer hold the dataset's actions and the adversary steps the model "
            "with the agent's raw actions, so one batch would mix two action scales (and the "
            "model env already clips actions to the dataset's bounds); drop the wrapper (wrap "
            "the REAL evaluation env instead)"
        )
    rescales = isinstance(
        wrapper, gym.ObservationWrapper | gym.RewardWrapper | gym.wrappers.NormalizeReward
    )
    if rescales and not isinstance(wrapper, gym.wrappers.FlattenObservation):
        return (
            "changes the model env's observations or rewards; the real transitions in the "
            "agent's buffer are on the mdp's ObsNormalizer scale with raw rewards, so one batch "
            "would mix two scales; drop the wrapper (the model env's observations are already "
            "normalised)"
        )
    for what in ("observation_space", "action_space"):
        outer, inner = getattr(wrapper, what), getattr(wrapper.env, what)
        if outer != inner:
            return (
                f"turns the model env's {what} {inner} into {outer}; the real transitions in the "
                "agent's buffer are the dataset's, in the model env's spaces, and the model "
                "steps one of them at a time; drop the wrapper (the model env's observation is "
                "its whole state)"
            )
    return None


def vec_env_mdp(vec_env: VecEnv | None) -> LearnedMDP | None:
    """The ``LearnedMDP`` a (possibly wrapped) ``RamboModelVecEnv`` rolls out; None for
    another VecEnv."""
    if vec_env is None:
        return None
    try:
        found = vec_env.get_attr("mdp", indices=[0])[0]
    except AttributeError:
        return None
    return found if isinstance(found, LearnedMDP) else None


#: Attributes ``set_attr`` refuses, and why: the rows' buffers, spaces and model are built for
#: them (probe 18: ``set_attr("num_envs", 7)`` / ``("mdp", None)`` were taken, then torch's
#: size-mismatch or an AttributeError at the next step).
_FIXED_ATTRIBUTES = {
    "num_envs": "the rows' state buffers are sized at construction; build a new "
    "RamboModelVecEnv(mdp, num_envs)",
    "mdp": "the spaces and buffers are the mdp's; build a new RamboModelVecEnv(mdp, num_envs) "
    "(the adversary updates the shared mdp in place)",
    "observation_space": "it is the mdp's",
    "action_space": "it is the mdp's",
}


#: Wrappers ``from_env`` may drop: gym.make's own, which change nothing a rollout returns
#: (a ``TimeLimit`` from ``max_episode_steps`` is its own, known case).
_HARMLESS_WRAPPERS = ("OrderEnforcing", "PassiveEnvChecker", "TimeLimit")

#: How a closed VecEnv is made anew (its ClosedEnvironmentError's advice).
_MAKE = "RamboModelVecEnv(…)"


def _check_no_dropped_wrappers(env: gym.Env) -> None:
    """Probe 18: ``from_env(NormalizeObservation(env), n)`` (or ``TransformReward``,
    ``ClipAction``, …) rolled out ``env.unwrapped``'s rows, dropping the wrappers silently."""
    dropped, layer = [], env
    while isinstance(layer, gym.Wrapper):
        if type(layer).__name__ not in _HARMLESS_WRAPPERS:
            dropped.append(type(layer).__name__)
        layer = layer.env
    if dropped:
        raise ValueError(
            f"env: wrapped in {', '.join(dropped)}, which RamboModelVecEnv.from_env would drop "
            "(its rows roll out env.unwrapped's mdp directly, in SB3's VecEnv API); pass the "
            "unwrapped env, and wrap the VecEnv instead (stable_baselines3.common.vec_env)"
        )


class RamboModelVecEnv(VecEnv):
    """SB3 front-end of a ``LearnedMDP``.

    Args:
        mdp: the shared learned MDP (e.g. ``gym.make("RamboModel-hopper-medium").unwrapped.mdp``).
        num_envs: number of parallel rollouts (rows).
        rollout_length: the paper's k: rows are truncated after this many steps.
        seed: seed of the rows' generator (start states, elites, noise); ``seed()`` reseeds at
            the next ``reset()`` as in SB3.
    """

    mdp = ModelMdp()
    rollout_length = RolloutLength()

    @property
    def metadata(self) -> dict[str, Any]:
        """SB3's ``metadata`` (set by ``VecEnv.__init__``); read by SB3's ``VecVideoRecorder``
        it is one clear error (carry45, probe 112: was SB3's ``AssertionError: The render_mode
        must be 'rgb_array', not None``, then an ignored AttributeError from its ``__del__``)."""
        refuse_video_recorder(self, NO_VIDEO)
        return self.__dict__.setdefault("_metadata", {"render_modes": []})

    @metadata.setter
    def metadata(self, value: dict[str, Any]) -> None:
        self.__dict__["_metadata"] = value

    def __init__(
        self,
        mdp: LearnedMDP,
        num_envs: int,
        rollout_length: int = 5,
        seed: int | None = None,
    ) -> None:
        if not isinstance(mdp, LearnedMDP):
            raise ValueError(f"mdp: expected a LearnedMDP, got {type(mdp).__name__}")
        if isinstance(num_envs, bool) or not isinstance(num_envs, int | np.integer) or num_envs < 1:
            raise ValueError(f"num_envs: expected a positive int, got {num_envs!r}")
        check_num_envs_memory(int(num_envs), mdp.obs_dim, mdp.action_dim)
        if seed is not None:
            check_seed(seed)  # was: numpy's raw error at reset()
        self.mdp = mdp
        self.rollout_length = check_rollout_length(rollout_length)
        self.render_mode: str | None = None
        super().__init__(
            int(num_envs),
            copy.deepcopy(mdp.observation_space),
            copy.deepcopy(mdp.action_space),
        )
        self._rng = np.random.default_rng(seed)
        self._pending_seed: int | None = None
        self._obs: torch.Tensor | None = None  # [n, O] normalised, on mdp.device
        self._n_steps = torch.zeros(self.num_envs, dtype=torch.long, device=mdp.device)
        self._actions: np.ndarray | None = None
        self._closed = False

    @classmethod
    def from_env(cls, env: gym.Env, num_envs: int, seed: int | None = None) -> RamboModelVecEnv:
        """Rows over the same core as a ``RamboModelEnv`` (``env.unwrapped.mdp``, its k)."""
        base = getattr(env, "unwrapped", None)
        if not (hasattr(base, "mdp") and hasattr(base, "rollout_length")):  # was: AttributeError
            raise ValueError(
                f"env: expected a RamboModelEnv (gym.make('RamboModel-…')), got "
                f"{type(base if base is not None else env).__name__}; a real env has no model to "
                "roll out: RamboModelVecEnv(mdp, num_envs) builds one from a LearnedMDP"
            )
        _check_no_dropped_wrappers(env)
        return cls(base.mdp, num_envs, rollout_length=base.rollout_length, seed=seed)

    def seed(self, seed: int | None = None) -> Sequence[int | None]:
        """Reseed the rows' generator at the next ``reset()`` (SB3 >= 2.0 semantics)."""
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1)[0])  # fresh OS entropy
        self._pending_seed = check_seed(seed)  # was: every later reset() failed in numpy
        return [self._pending_seed] * self.num_envs

    def set_options(self, options: list[dict] | dict | None = None) -> None:
        """SB3's ``set_options``; a dict whose ``"state"`` is a batch ``[num_envs, O]`` gives
        row ``i`` the state ``state[i]`` (probe 37: was refused with "observation(s) of shape
        (O,)", as SB3 hands the dict to every row), as ``RamboModelVectorEnv.reset`` takes one."""
        state = options.get("state") if isinstance(options, dict) else None
        ndim = getattr(state, "ndim", None)
        if ndim is None and isinstance(state, list | tuple):
            try:
                ndim = np.ndim(state)
            except ValueError:  # a ragged list: state_from_options names it at reset
                ndim = None
        if ndim == 2:
            rows = len(state)
            if rows != self.num_envs:
                raise ValueError(
                    f'options["state"]: a batch of {rows} observation(s) for {self.num_envs} '
                    f"rows; give one per row [{self.num_envs}, {self.observation_space.shape[0]}], "
                    "one observation [O] for every row, or a list of one dict per row"
                )
            options = [{**options, "state": state[row]} for row in range(rows)]
        super().set_options(options)

    @numpy_underflow_ignored  # probe 118 row 13: a caller's np.seterr
    def reset(self) -> np.ndarray:
        check_open(self._closed, "reset", _MAKE)
        if self._pending_seed is not None:
            self._rng = np.random.default_rng(self._pending_seed)
            self._pending_seed = None
        obs = self.mdp.initial(self.num_envs, self._rng)  # [n, O]
        self._apply_reset_options(obs)
        self._obs = obs
        self._n_steps.zero_()
        self._reset_options()
        return host_array(self._obs)

    def _apply_reset_options(self, obs: torch.Tensor) -> None:
        """SB3's ``set_options(…)`` for this reset: ``{"state": s}`` starts a row from the
        NORMALISED observation ``s [O]``, as ``RamboModelEnv.reset(options=…)`` does; a dict
        given to ``set_options`` goes to every row. Probe 18: was ignored without a word (a
        typo such as ``{"stat": …}`` too), so the rows started from dataset states."""
        options = self._options
        if not isinstance(options, list) or len(options) != self.num_envs:
            shown = (
                counted(len(options), "dict")
                if isinstance(options, list)
                else type(options).__name__
            )
            raise ValueError(
                f"options: set_options got {shown} for {counted(self.num_envs, 'row')}; pass one dict (for "
                "every row) or a list of one dict per row"
            )
        for row, row_options in enumerate(options):
            if not row_options:
                continue
            check_reset_options(row_options)
            if "state" in row_options:
                obs[row] = state_from_options(
                    row_options["state"], self.observation_space.shape, self.mdp
                )

    def step_async(self, actions: np.ndarray) -> None:
        check_open(self._closed, "step", _MAKE)
        self._actions = actions

    @numpy_underflow_ignored  # probe 118 row 13: a caller's np.seterr
    def step_wait(self) -> VecEnvStepReturn:
        check_open(self._closed, "step_wait", _MAKE)
        if self._obs is None or self._actions is None:
            raise gym.error.ResetNeeded("step_wait: call reset() and step_async() first")
        action_t = as_action_tensor(
            self._actions, self.mdp, n_rows=self.num_envs, env=self
        )  # [n, A]
        self._actions = None
        with torch.no_grad():  # one elite per row, noise from the env's own generator
            next_obs, reward, terminated = self.mdp.transition(
                self._obs,
                action_t,
                self._rng,
                check_finite=False,  # action_t: checked
            )  # [n, O], [n], [n]
        self.mdp.check_finite_step(next_obs, reward, "step_wait")  # before the autoreset hides it
        self._n_steps += 1
        truncated = self._n_steps >= self.rollout_length  # Section 5.2: k-step rollouts
        done = terminated | truncated  # [n]
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        if bool(done.any()):
            self._reset_done_rows(next_obs, done, terminated, infos)
        self._obs = next_obs
        return (
            host_array(next_obs),
            reward.cpu().numpy().astype(np.float32, copy=False),
            done.cpu().numpy(),
            infos,
        )

    def _reset_done_rows(
        self,
        next_obs: torch.Tensor,
        done: torch.Tensor,
        terminated: torch.Tensor,
        infos: list[dict[str, Any]],
    ) -> None:
        """SB3 immediate autoreset: record the terminal obs, overwrite done rows in place."""
        done_idx = done.nonzero().squeeze(1)  # [d]
        terminal_obs = next_obs[done_idx].cpu().numpy()  # [d, O]
        timeout = (~terminated[done_idx]).cpu().tolist()  # done and not terminated = truncated
        next_obs[done_idx] = self.mdp.initial(int(done_idx.shape[0]), self._rng)
        self._n_steps[done_idx] = 0
        for i, obs_i, timeout_i in zip(done_idx.cpu().tolist(), terminal_obs, timeout, strict=True):
            infos[i] = {"terminal_observation": obs_i, "TimeLimit.truncated": timeout_i}

    def rollout_state(self) -> dict[str, Any]:
        """Where the rows stand between collects (their normalised states, step counts and
        generator), for a checkpoint (:func:`agents.cotrain._save`): a resumed run goes on
        from them as the uninterrupted run would (probe 55 row 45)."""
        return {
            "env_rng": self._rng.bit_generator.state,
            "env_obs": None if self._obs is None else self._obs.detach().cpu(),
            "env_n_steps": self._n_steps.detach().cpu(),
        }

    def load_rollout_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`rollout_state` (no reseed pending), checked first: the keys, and one
        row per row of this env (probe 66 rows 85-86: the state of an env with other rows was
        taken, then no action shape could step it; ``{}`` was a raw ``KeyError: 'env_rng'``)."""
        keys = ("env_rng", "env_obs", "env_n_steps")
        missing = [k for k in keys if not isinstance(state, dict) or k not in state]
        if missing:
            got = type(state).__name__ if not isinstance(state, dict) else "a dict"
            raise ValueError(
                f"state: not a rollout_state() dict ({got} missing {', '.join(missing)}); give "
                "what RamboModelVecEnv.rollout_state() returned"
            )
        n, obs_dim = self.num_envs, self.observation_space.shape[0]
        steps, obs = state["env_n_steps"], state["env_obs"]
        for name, value, shape in (("env_n_steps", steps, (n,)), ("env_obs", obs, (n, obs_dim))):
            if name == "env_obs" and value is None:
                continue
            if not isinstance(value, torch.Tensor) or tuple(value.shape) != shape:
                got = (
                    tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
                )
                raise ValueError(
                    f"state[{name!r}]: expected a tensor of shape {shape} (this env has "
                    f"{counted(n, 'row')}), got {got}; a rollout state loads into an env of "
                    "the same rows (num_envs, e.g. the run's n_rollouts) and observation size"
                )
        if steps.dtype.is_floating_point or steps.dtype.is_complex or steps.dtype == torch.bool:
            raise ValueError(
                f"state['env_n_steps']: expected integer step counts, got {steps.dtype}"
            )
        if obs is not None and not bool(torch.isfinite(obs).all()):
            raise ValueError("state['env_obs']: holds NaN / inf; give a finite rollout state")
        device = self._n_steps.device
        self._rng.bit_generator.state = state["env_rng"]
        self._pending_seed = None
        self._obs = None if state["env_obs"] is None else state["env_obs"].to(device)
        self._n_steps = state["env_n_steps"].to(device)

    def close(self) -> None:
        """Ends the env: a later ``reset`` / ``step`` raises ``ClosedEnvironmentError``."""
        self._closed = True
        self._obs = None

    def get_images(self) -> Sequence[np.ndarray | None]:
        return [None for _ in range(self.num_envs)]

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        value = getattr(self, attr_name)
        return [value for _ in self._get_indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        self._check_all_rows(indices, "set_attr")
        if not hasattr(self, attr_name):  # was: a typo ("rollout_lenght") set a new attribute
            raise AttributeError(
                f"set_attr: {type(self).__name__} has no attribute {attr_name!r} (e.g. "
                "'rollout_length')"
            )
        if attr_name in _FIXED_ATTRIBUTES:  # probe 18: was taken, then a raw error at step
            raise ValueError(
                f"set_attr: {attr_name!r} cannot be changed: {_FIXED_ATTRIBUTES[attr_name]}"
            )
        setattr(self, attr_name, value)  # rollout_length: checked by RolloutLength

    def env_method(
        self,
        method_name: str,
        *method_args: Any,
        indices: VecEnvIndices = None,
        **method_kwargs: Any,
    ) -> list[Any]:
        # probe 23: env_method("reset", indices=[1]) reset every row and answered with one batch
        self._check_all_rows(indices, "env_method")
        result = getattr(self, method_name)(*method_args, **method_kwargs)
        return [result for _ in self._get_indices(indices)]

    def env_is_wrapped(
        self, wrapper_class: type[gym.Wrapper], indices: VecEnvIndices = None
    ) -> list[bool]:
        return [False for _ in self._get_indices(indices)]

    def _get_indices(self, indices: VecEnvIndices) -> list[int]:
        """SB3's row indices, each checked: was an index past the rows answered as row 0
        (``get_attr(…, indices=[10])`` of 4 rows), where ``DummyVecEnv`` raises."""
        rows = list(super()._get_indices(indices))
        for row in rows:
            if isinstance(row, bool) or not isinstance(row, int | np.integer):
                raise ValueError(f"indices: expected row numbers (ints), got {row!r}")
            if not -self.num_envs <= row < self.num_envs:
                raise IndexError(
                    f"indices: row {row} is out of range for {self.num_envs} rows "
                    f"(0 … {self.num_envs - 1})"
                )
        return [int(row) % self.num_envs for row in rows]

    def _check_all_rows(self, indices: VecEnvIndices, method: str) -> None:
        rows = set(self._get_indices(indices))
        if rows != set(range(self.num_envs)):
            raise ValueError(
                f"{method}: indices={indices!r}: the {self.num_envs} rows share one core, so it "
                f"acts on all rows at once (indices=None)"
            )
