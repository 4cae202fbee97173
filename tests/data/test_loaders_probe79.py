"""Probe 79 rows 2, 19: data whose env kwargs are gymnasium's defaults spelled out (JSON lists for
numpy arrays, ints for floats) load as the default env's data."""

from __future__ import annotations

from rambo_env.data.loaders import load_dataset
from rambo_env.data.scores import score_label
from rambo_env.dynamics.termination import TERMINATION_FNS, exact_rule
from tests.data.test_loaders_probe77 import _episodes, _npz
from tests.dynamics.test_termination_probe79 import _json_defaults


def test_npz_of_all_default_kwargs_with_camera_lookat_loads(tmp_path) -> None:
    # probe 79 row 2: was a raw "ValueError: The truth value of an array with more than one
    # element is ambiguous" out of load_dataset (a JSON list lookat against np.array)
    kwargs = _json_defaults("Hopper-v5")
    data = load_dataset(
        _npz(tmp_path / "h.npz", _episodes("Hopper-v5", 200), "Hopper-v5", {"env_kwargs": kwargs})
    )
    assert exact_rule(data.env_id, data.env_kwargs) is TERMINATION_FNS["Hopper-v5"]
    assert score_label("Hopper-v5", None, None, data.env_kwargs).startswith("D4RL-normalised")
    assert "non-default" not in score_label("Hopper-v5", None, None, data.env_kwargs)


def test_int_values_of_float_defaults_are_d4rl_comparable(tmp_path) -> None:
    # probe 79 row 19: was "D4RL-normalised (env made with non-default kwargs:
    # forward_reward_weight=1, healthy_reward=1; not comparable with D4RL's)"
    meta = {"env_kwargs": {"forward_reward_weight": 1, "healthy_reward": 1}}
    data = load_dataset(_npz(tmp_path / "h.npz", _episodes("Hopper-v5", 200), "Hopper-v5", meta))
    assert score_label("Hopper-v5", None, None, data.env_kwargs) == "D4RL-normalised"
