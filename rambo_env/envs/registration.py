"""Registration of ``RamboModel-<env>-<level>`` ids (entry points only: nothing heavy is imported)."""

from __future__ import annotations

import gymnasium as gym

__all__ = ["ENVS", "LEVELS", "env_ids", "register_envs"]

ENVS = ("hopper", "halfcheetah", "walker2d")
LEVELS = ("random", "medium", "medium-replay", "medium-expert", "expert")


def env_ids() -> list[str]:
    return [f"RamboModel-{env}-{level}" for env in ENVS for level in LEVELS]


def register_envs() -> None:
    """Register every ``RamboModel-<env>-<level>`` id; idempotent."""
    for env in ENVS:
        for level in LEVELS:
            env_id = f"RamboModel-{env}-{level}"
            if env_id in gym.registry:
                continue
            gym.register(
                id=env_id,
                entry_point="rambo_env.envs.model_env:RamboModelEnv",
                vector_entry_point="rambo_env.envs.vector_env:RamboModelVectorEnv",
                kwargs={
                    "dataset": f"{env}-{level}",
                    "registered_env": env,
                    "registered_dataset": f"{env}-{level}",
                },
                disable_env_checker=True,
            )
    _register_toys()


def _register_toys() -> None:
    """The paper's toy MDPs (App. C.1, C.3); see rambo_env/envs/toys.py."""
    from rambo_env.envs.toys import ILLUSTRATIVE_HORIZON, ILLUSTRATIVE_ID, SINGLE_TRANSITION_ID

    if SINGLE_TRANSITION_ID not in gym.registry:
        gym.register(id=SINGLE_TRANSITION_ID, entry_point="rambo_env.envs.toys:SingleTransitionEnv")
    if ILLUSTRATIVE_ID not in gym.registry:
        gym.register(
            id=ILLUSTRATIVE_ID,
            entry_point="rambo_env.envs.toys:IllustrativeMDP",
            max_episode_steps=ILLUSTRATIVE_HORIZON,
        )
