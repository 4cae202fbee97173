"""Source text of the own-env modules the probe-98 (p98g) tests write into a temporary folder:
gymnasium's ``module:Env-v0`` form names them (``--env-id p98g_envs:P98gHopper-v0``)."""

ENVS = """
import gymnasium as gym
import numpy as np
from gymnasium import spaces


class Obs2d(gym.Env):
    \"\"\"(2, 2) observations, 2 continuous actions.\"\"\"

    def __init__(self):
        self.observation_space = spaces.Box(-np.inf, np.inf, (2, 2), np.float64)
        self.action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        return np.zeros((2, 2)), {}

    def step(self, a):
        return np.zeros((2, 2)), 0.0, False, False, {}


for _id, _entry in (
    ("P98gHopper-v0", "gymnasium.envs.mujoco.hopper_v5:HopperEnv"),
    ("P98gObs2d-v0", "p98g_envs:Obs2d"),
):
    if _id not in gym.registry:
        gym.register(_id, entry_point=_entry, max_episode_steps=1000)
"""

NOREG = "import gymnasium as gym  # registers nothing (a forgotten gym.register)\n"

BADENTRY = """
import gymnasium as gym
if 'P98gBad-v0' not in gym.registry:
    gym.register('P98gBad-v0', entry_point='p98g_envs:Obs2dX', max_episode_steps=50)
"""


def write_modules(folder, monkeypatch) -> None:
    """``p98g_envs``, ``p98g_noreg``, ``p98g_badentry`` importable from ``folder``."""
    for name, text in (("p98g_envs", ENVS), ("p98g_noreg", NOREG), ("p98g_badentry", BADENTRY)):
        (folder / f"{name}.py").write_text(text)
    monkeypatch.syspath_prepend(str(folder))
