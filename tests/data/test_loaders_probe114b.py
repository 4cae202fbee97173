"""Probe 114 R4: an env whose (wrapper's) reset raised on a second call was a raw traceback from
the loaders' data checks that step the env (check_env_api leaves an env's own faults "to where
it is used"), naming neither the env nor the check. Now one error naming both, chaining the
env's own."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from rambo_env import load_dataset
from tests.data.test_dataset_probe114b import _rows


class OneReset(gym.ObservationWrapper):
    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.resets = 0

    def reset(self, **kw):
        self.resets += 1
        if self.resets > 1:
            raise RuntimeError("only one reset allowed per env (a hardware rig)")
        return super().reset(**kw)

    def observation(self, obs):
        return obs


if "P114bOneReset-v0" not in gym.registry:
    gym.register(
        "P114bOneReset-v0",
        entry_point=lambda **kw: OneReset(gym.make("P114bHuge-v0", **kw)),
        max_episode_steps=20,
    )


def test_env_failing_in_a_data_check_is_named_with_the_check() -> None:
    rows = _rows(200)
    obs = np.concatenate([rows["observations"], rows["next_observations"][-1:]])
    obs = (obs - obs.mean(0)) / obs.std(0)  # normalised-looking: that check steps the env
    rows["observations"], rows["next_observations"] = obs[:-1], obs[1:]
    with pytest.raises(RuntimeError) as err:
        load_dataset(rows, env_id="P114bOneReset-v0")
    msg = str(err.value)  # was: the wrapper's own RuntimeError, from deep in the loaders
    assert msg.startswith("env_id 'P114bOneReset-v0': the env raised RuntimeError: only one reset")
    assert "to check the data's normalised-looking observations against its own" in msg
    assert isinstance(err.value.__cause__, RuntimeError)  # the env's own traceback kept
