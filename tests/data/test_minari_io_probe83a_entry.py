"""Probe 83 (p83a) rows 27, 32, 46, 47, 50: save_minari writes numpy env kwargs and keeps the
evaluation env of the data it re-saves; a continuous multi-dim / Tuple action space gets advice
that fits it; a hand-damaged eval_env_spec is named with its value."""

from __future__ import annotations

import json

import gymnasium as gym
import numpy as np
import pytest

from rambo_env.data.dataset import space_trouble as _space_trouble
from rambo_env.data.loaders import load_dataset
from rambo_env.data.minari_io import (
    dataset_to_episodes,
    minari_dataset_path,
    save_minari,
)
from tests.data.test_minari_env_spec_probe81a_spec import _make, _mes20


def _metadata(dataset_id: str) -> dict:
    return json.loads((minari_dataset_path(dataset_id) / "data" / "metadata.json").read_text())


def test_numpy_env_kwargs_are_written_as_json(capsys) -> None:
    # probe 83 row 27: was written with env_spec null (Minari could not serialise np.bool_ /
    # np.float32 / an array) without an error: the env, kwargs and time limit were all lost
    _mes20()
    episodes = dataset_to_episodes(load_dataset("p81/hop/mes20-v0"))
    kwargs = {
        "terminate_when_unhealthy": np.bool_(False),
        "forward_reward_weight": np.float32(1.0),
        "healthy_angle_range": np.array([-0.2, 0.2]),
    }
    save_minari("p83/np-v0", episodes, env_id="Hopper-v5", env_kwargs=kwargs)
    spec = json.loads(_metadata("p83/np-v0")["env_spec"])
    assert spec["kwargs"] == {
        "terminate_when_unhealthy": False,
        "forward_reward_weight": 1.0,
        "healthy_angle_range": [-0.2, 0.2],
    }
    assert spec["max_episode_steps"] == 20
    back = load_dataset("p83/np-v0")
    assert back.env_max_episode_steps == 20
    assert back.env_kwargs["healthy_angle_range"] == [-0.2, 0.2]


def test_a_kwarg_json_cannot_store_is_named_before_writing() -> None:
    _mes20()
    episodes = dataset_to_episodes(load_dataset("p81/hop/mes20-v0"))
    with pytest.raises(ValueError, match=r"env_kwargs\['healthy_z_range'\]: not JSON"):
        save_minari("p83/obj-v0", episodes, env_id="Hopper-v5", env_kwargs={"healthy_z_range": {1}})
    assert not minari_dataset_path("p83/obj-v0").exists()


def test_a_resave_keeps_the_recorded_evaluation_env(capsys) -> None:
    # probe 83 row 50: was written with eval_env_spec null and no word; the reload evaluated in
    # ('Hopper-v5', {}, 1000) while the refs it carried were said to be of the eval env
    evaluation = gym.make("Hopper-v5", max_episode_steps=50, healthy_z_range=(0.3, 2.0))
    _make("p83/ev-v0", gym.make("Hopper-v5"), eval_env=evaluation)
    data = load_dataset("p83/ev-v0")
    assert data.evaluation_env() == ("Hopper-v5", {"healthy_z_range": [0.3, 2.0]}, 50)
    capsys.readouterr()
    save_minari("p83/ev2-v0", dataset_to_episodes(data), env_id=data.env_id)
    assert "as the Minari eval_env_spec" in capsys.readouterr().out
    assert load_dataset("p83/ev2-v0").evaluation_env() == (
        "Hopper-v5",
        {"healthy_z_range": [0.3, 2.0]},
        50,
    )


@pytest.mark.parametrize(
    "space",
    [
        gym.spaces.Box(-1, 1, (2, 2), np.float32),
        gym.spaces.Tuple((gym.spaces.Box(-1, 1, (1,)), gym.spaces.Box(-1, 1, (1,)))),
    ],
)
def test_continuous_action_spaces_get_flattening_advice(space) -> None:
    # probe 83 row 32: was "discrete-action data need a discrete-action offline RL method"
    trouble = _space_trouble(space, flattenable=False)
    assert "discrete" not in trouble
    assert "continuous actions" in trouble and "gymnasium.spaces.flatten" in trouble


def test_discrete_action_spaces_keep_their_advice() -> None:
    for space in (gym.spaces.MultiDiscrete([3, 3]), gym.spaces.Tuple((gym.spaces.Discrete(2),))):
        assert "discrete-action offline RL method" in _space_trouble(space, flattenable=False)


def _damage_eval_env_spec(dataset_id: str, edit) -> None:
    path = minari_dataset_path(dataset_id) / "data" / "metadata.json"
    metadata = json.loads(path.read_text())
    metadata["eval_env_spec"] = edit(metadata["eval_env_spec"])
    path.write_text(json.dumps(metadata))


def _with_spec(**fields):
    return lambda text: json.dumps({**json.loads(text), **fields})


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (_with_spec(id=None), r"its eval_env_spec's 'id' is None, not a Gymnasium env id"),
        (lambda _text: "[1, 2]", r"its eval_env_spec '\[1, 2\]' is not a JSON object"),
        (lambda _text: "{not json", r"its eval_env_spec '\{not json' is not JSON"),
    ],
)
def test_a_damaged_eval_env_spec_is_named(edit, said) -> None:
    # probe 83 row 46: was Minari's own error ("TypeError: 'str' object cannot be interpreted as
    # an integer" naming nothing) and advice to re-create the data with make_dataset.py
    evaluation = gym.make("Hopper-v5", max_episode_steps=50, healthy_z_range=(0.3, 2.0))
    _make("p83/bad-v0", gym.make("Hopper-v5"), eval_env=evaluation)
    _damage_eval_env_spec("p83/bad-v0", edit)
    with pytest.raises(ValueError, match=said) as caught:
        load_dataset("p83/bad-v0")
    assert "correct or remove the 'eval_env_spec' entry" in str(caught.value)
    assert "make_dataset.py" not in str(caught.value)


@pytest.mark.parametrize("limit", ["50", -5])
def test_a_bad_recorded_eval_time_limit_is_warned_of(limit, capsys) -> None:
    # probe 83 row 47: the limit was dropped without a word (the registered 1000 steps used)
    evaluation = gym.make("Hopper-v5", max_episode_steps=50, healthy_z_range=(0.3, 2.0))
    _make("p83/lim-v0", gym.make("Hopper-v5"), eval_env=evaluation)
    _damage_eval_env_spec("p83/lim-v0", _with_spec(max_episode_steps=limit))
    for _ in range(2):  # also from the flat cache
        data = load_dataset("p83/lim-v0")
        assert data.evaluation_env()[2] is None
        out = capsys.readouterr().out
        assert f"eval_env_spec max_episode_steps) as {limit!r}, not an int >= 1" in out
        assert "registered limit (1000 steps)" in out
