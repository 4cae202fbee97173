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
                kwargs={"dataset": f"{env}-{level}"},
                disable_env_checker=True,
            )
    _register_toys()


def _register_toys() -> None:
    """The paper's toy MDPs (App. C.1, C.3); see rambo_env/envs/toys.py."""
    if "RamboToy-SingleTransition-v0" not in gym.registry:
        gym.register(
            id="RamboToy-SingleTransition-v0",
            entry_point="rambo_env.envs.toys:SingleTransitionEnv",
        )
    if "RamboToy-Illustrative-v0" not in gym.registry:
        gym.register(
            id="RamboToy-Illustrative-v0",
            entry_point="rambo_env.envs.toys:IllustrativeMDP",
            max_episode_steps=10,  # rambo_env.envs.toys.ILLUSTRATIVE_HORIZON
        )
