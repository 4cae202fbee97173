"""``RamboModelVectorEnv``: ``num_envs`` model rollouts stepped by ONE ensemble forward.

Registered as the ``vector_entry_point`` of every ``RamboModel-*`` id, so
``gym.make_vec(id, num_envs=N)`` returns it. Each row draws its own elite and noise
(``LearnedMDP.draw``), so row ``i`` is exactly ``RamboModelEnv`` stepped with that row's member and
noise. The rows' states and step counters stay on the device between steps.

Autoreset: Gymnasium's default ``AutoresetMode.NEXT_STEP``. A row that returned
``terminated or truncated`` ignores its next action and returns a fresh start state with reward 0,
``terminated = truncated = False``. ``infos`` is ``{}`` (nothing per row).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
import torch
from gymnasium.vector import AutoresetMode
from gymnasium.vector.utils import batch_space

from rambo_env.envs.model_env import (
    NOTHING_TO_RENDER,
    ModelMdp,
    RolloutLength,
    as_action_tensor,
    build_mdp,
    check_known_keywords,
    check_max_episode_steps,
    check_open,
    check_render_mode,
    check_reset_options,
    check_reset_seed,
    check_rollout_length,
    check_spec_limit,
    host_array,
    note_made_by_gym,
    state_from_options,
    warn_normalize_observation,
)
from rambo_env.envs.registration import make_vec_call_locals
from rambo_env.run_io import numpy_underflow_ignored

if TYPE_CHECKING:
    from rambo_env.data.dataset import OfflineDataset
    from rambo_env.dynamics.ensemble import EnsembleConfig
    from rambo_env.dynamics.training import MLEConfig
    from rambo_env.model import LearnedMDP

__all__ = ["RamboModelVectorEnv", "check_num_envs_memory"]


#: Host bytes one row of a vector env costs beside its float32 observations and actions: its
#: Python objects (SB3's per-env info / option dicts and list slots, a step's info dict) and
#: int64 / bool arrays (measured after reset + step, Hopper dims: ~360 bytes per row in all).
_ROW_OVERHEAD_BYTES = 200

#: How a closed vector env is made anew (its ClosedEnvironmentError's advice).
_MAKE = "gym.make_vec / RamboModelVectorEnv(…)"


def check_num_envs_memory(num_envs: int, obs_dim: int = 1, action_dim: int = 1) -> None:
    """ValueError naming ``num_envs`` when its rows cannot fit in the host memory available now
    (was: ``RamboModelVecEnv(mdp, 10**9)`` / ``gym.make_vec(…, num_envs=10**9)`` allocated until
    the out-of-memory killer ended the process, or another one, without a message)."""
    from rambo_env.host_limits import available_memory_bytes, memory_error

    need = num_envs * (_ROW_OVERHEAD_BYTES + 4 * (3 * obs_dim + 2 * action_dim))
    room = available_memory_bytes()
    if room is not None and need > room:
        raise ValueError(
            memory_error(
                need,
                f"{num_envs} rows of num_envs",
                f"num_envs: {num_envs} rows need at least ~{need / 2**30:.3g} GiB of memory, but "
                f"only {room / 2**30:.3g} GiB is available",
                "; give fewer rows (co-training uses n_rollouts = 50 000)",
            )
        )


class RamboModelVectorEnv(gym.vector.VectorEnv):
    """Batched learned MDP. Same kwargs as ``RamboModelEnv`` plus ``num_envs``.

    ``reset(options={"state": obs})`` starts every row from the NORMALISED observations
    ``obs [num_envs, O]``.
    """

    metadata: dict[str, Any] = {  # noqa: RUF012 (gymnasium's convention)
        "render_modes": [],
        "autoreset_mode": AutoresetMode.NEXT_STEP,
    }
    rollout_length = RolloutLength()
    mdp = ModelMdp()

    def __init__(
        self,
        num_envs: int = 1,
        dataset: OfflineDataset | str | Path | None = None,
        rollout_length: int = 5,
        device: str | torch.device = "auto",
        mdp: LearnedMDP | None = None,
        ensemble_config: EnsembleConfig | None = None,
        mle_config: MLEConfig | None = None,
        seed: int | None = None,
        env_id: str | None = None,
        render_mode: str | None = None,
        registered_env: str | None = None,
        max_episode_steps: int | None = None,
        registered_dataset: str | None = None,
        progress: bool = True,
        cache: bool | None = None,
        precision: str | None = None,
        compile: bool | None = None,
        **unknown: Any,
    ) -> None:
        # A typo: before anything is built (this class's keywords, even from a subclass).
        check_known_keywords(type(self), unknown, owner=RamboModelVectorEnv)
        check_render_mode(render_mode)
        if isinstance(num_envs, bool) or not isinstance(num_envs, int | np.integer) or num_envs < 1:
            raise ValueError(f"num_envs: expected a positive int, got {num_envs!r}")
        check_num_envs_memory(int(num_envs))  # before the model is built (dims not known yet)
        self.num_envs = int(num_envs)
        self.rollout_length = check_rollout_length(rollout_length)
        # gym.make's rule (probe 48: k itself and -1 were refused here); before the model is built
        vec_locals = make_vec_call_locals()
        if vec_locals is not None and "max_episode_steps" not in (vec_locals.get("kwargs") or {}):
            # probe 67: make_vec copies a spec's limit into the kwargs; env.spec's is its k
            check_spec_limit(vec_locals.get("env_spec"), self.rollout_length, "gym.make_vec")
        check_max_episode_steps(max_episode_steps, self.rollout_length)
        self.mdp = build_mdp(
            dataset,
            mdp,
            device=device,
            ensemble_config=ensemble_config,
            mle_config=mle_config,
            seed=seed,
            env_id=env_id,
            registered_env=registered_env,
            rollout_length=self.rollout_length,  # the data's episode limit, before the MLE
            registered_dataset=registered_dataset,
            progress=progress,
            cache=cache,
            precision=precision,
            compile=compile,
        )
        if vec_locals is not None:  # probe 126: once per process, not per row
            note_made_by_gym(
                vec_locals.get("env_spec"), self.rollout_length, self.mdp, "gym.make_vec"
            )
        self.single_observation_space = copy.deepcopy(self.mdp.observation_space)
        self.single_action_space = copy.deepcopy(self.mdp.action_space)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self._obs: torch.Tensor | None = None  # [n, O] normalised
        self._n_steps = torch.zeros(self.num_envs, dtype=torch.long, device=self.mdp.device)
        self._autoreset = torch.zeros(self.num_envs, dtype=torch.bool, device=self.mdp.device)

    @numpy_underflow_ignored  # probe 118 row 13: a caller's np.seterr
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        check_open(self.closed, "reset", _MAKE)
        seed = check_reset_seed(seed, self.num_envs)
        check_reset_options(options)
        warn_normalize_observation(self)
        super().reset(seed=seed)
        if options is not None and "state" in options:
            self._obs = state_from_options(options["state"], self.observation_space.shape, self.mdp)
        else:
            self._obs = self.mdp.initial(self.num_envs, self.np_random)  # [n, O]
        self._n_steps.zero_()
        self._autoreset.zero_()
        return host_array(self._obs), {}

    @numpy_underflow_ignored  # probe 118 row 13: a caller's np.seterr
    def step(
        self, actions: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        check_open(self.closed, "step", _MAKE)
        if self._obs is None:
            raise gym.error.ResetNeeded("step: call reset() before step()")
        action_t = as_action_tensor(actions, self.mdp, n_rows=self.num_envs, env=self)  # [n, A]
        with torch.no_grad():  # one elite per row, noise from the env's own generator
            next_obs, reward, terminated = self.mdp.transition(
                self._obs,
                action_t,
                self.np_random,
                check_finite=False,  # action_t: checked
            )  # [n, O], [n], [n]
        self._n_steps += 1
        truncated = self._n_steps >= self.rollout_length  # Section 5.2: k-step rollouts
        reset_rows = self._autoreset  # NEXT_STEP: rows done at the previous step restart now
        if bool(reset_rows.any()):
            n_reset = int(reset_rows.sum())
            next_obs[reset_rows] = self.mdp.initial(n_reset, self.np_random)
            reward[reset_rows] = 0.0
            terminated[reset_rows] = False
            truncated[reset_rows] = False
            self._n_steps[reset_rows] = 0
        # after the autoreset: a row stepped on from its terminal state is not used
        self.mdp.check_finite_step(next_obs, reward, "step")
        self._obs = next_obs
        self._autoreset = terminated | truncated
        return (
            host_array(next_obs),
            reward.to(torch.float64).cpu().numpy(),
            terminated.cpu().numpy(),
            truncated.cpu().numpy(),
            {},
        )

    def render(self) -> None:
        """Refused: was gymnasium's generic "render function is not implemented"."""
        raise NotImplementedError(f"render: {NOTHING_TO_RENDER}")

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for key in ("_obs", "_n_steps", "_autoreset"):
            state[key] = None if state[key] is None else state[key].cpu()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for key in ("_obs", "_n_steps", "_autoreset"):
            if state[key] is not None:
                setattr(self, key, state[key].to(self.mdp.device))
