"""Probe 114 R1, R2: Minari data recorded through a wrapper other than FlattenObservation
(``TimeAwareObservation``: one more observation column; ``RescaleAction(env, -2, 2)``: actions
beyond the env's [-1, 1]) were "fix the env_id stored with the data" / "re-create them with
actions in its bounds (or clip the actions)", though the stored env_id is right and clipping
would corrupt sound data. Now the recorded wrappers are named (never imported or applied) with
the register-the-wrapped-id recipe, and that id loads as the data's env."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

from rambo_env.data.dataset import DatasetValidationError
from rambo_env.data.loaders import load_dataset

minari = pytest.importorskip("minari")
from tests.data.test_minari_io_probe110 import _episodes  # noqa: E402


class Drift(gym.Env):
    def __init__(self) -> None:
        self.observation_space = spaces.Box(-np.inf, np.inf, (3,), np.float32)
        self.action_space = spaces.Box(-1, 1, (2,), np.float32)

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.x = self.np_random.uniform(-1, 1, 3).astype(np.float32)
        return self.x.copy(), {}

    def step(self, a):
        self.x = (self.x + 0.1 * float(np.mean(a))).astype(np.float32)
        return self.x.copy(), -float(np.abs(self.x).mean()), False, False, {}


WRAPPERS = {
    "TimeAwareObservation": gym.wrappers.TimeAwareObservation,
    "RescaleAction": lambda env: gym.wrappers.RescaleAction(env, -2.0, 2.0),
}
for _name, _wrap in WRAPPERS.items():
    if f"P114bT{_name}-v0" not in gym.registry:
        gym.register(
            f"P114bT{_name}-v0",
            entry_point=lambda _wrap=_wrap, **kw: _wrap(gym.make("P114bTDrift-v0", **kw)),
        )
if "P114bTDrift-v0" not in gym.registry:
    gym.register(
        "P114bTDrift-v0",
        entry_point="tests.data.test_minari_io_probe114b:Drift",
        max_episode_steps=40,
    )


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
def test_recorded_wrapper_named_with_the_wrapped_registration(wrapper, capsys) -> None:
    env = WRAPPERS[wrapper](gym.make("P114bTDrift-v0"))
    dataset_id = f"p114bt/{wrapper.lower()}/random-v0"
    minari.create_dataset_from_buffers(
        dataset_id=dataset_id, buffer=_episodes(env, 200), env=env, algorithm_name="random"
    )
    with pytest.raises(DatasetValidationError) as err:
        load_dataset(dataset_id)
    msg = str(err.value)
    # was: "… the env the data name themselves …: fix the env_id stored with the data" (R1) and
    # "… re-create them with actions in its bounds (or clip the actions)" (R2)
    assert f"the data record their env inside {wrapper} (Minari's env_spec.additional_wrap" in msg
    assert f"{wrapper}(gymnasium.make('P114bTDrift-v0', **kw), …)" in msg
    assert "fix the env_id" not in msg and "clip" not in msg
    ds = load_dataset(dataset_id, env_id=f"P114bT{wrapper}-v0")  # the advised registration
    assert ds.env_id == f"P114bT{wrapper}-v0"
    assert "overrides it" not in capsys.readouterr().out
