"""Probe 83 (p83a) rows 5, 7, 58, 8, 9, 54, 11, 12, 14, 15, 35, 52: a Minari dataset's recorded
evaluation env (``eval_env_spec``) and time limits are checked at load, named where they are not
used, and scores of episodes of another length than D4RL's are labelled not comparable."""

from __future__ import annotations

import json

import gymnasium as gym
import numpy as np
import pytest

from rambo_env.data.dataset import DatasetValidationError
from rambo_env.data.loaders import load_dataset
from rambo_env.data.minari_io import minari_dataset_path
from tests.data.test_minari_env_spec_probe81a_spec import _make


def _evalenv(name: str = "p83/hop/evalenv-v0", **edit) -> str:
    """A Hopper-v5 dataset whose eval_env_spec (healthy_z_range, 50 steps) gets ``edit``."""
    ev = gym.make("Hopper-v5", max_episode_steps=50, healthy_z_range=(0.3, 2.0))
    _make(name, gym.make("Hopper-v5"), n_eps=3, eval_env=ev)
    if edit:
        path = minari_dataset_path(name) / "data" / "metadata.json"
        meta = json.loads(path.read_text())
        spec = json.loads(meta["eval_env_spec"])
        spec.update(edit)
        meta["eval_env_spec"] = json.dumps(spec)
        path.write_text(json.dumps(meta))
    return name


class _Identity:
    """An observation normalizer that changes nothing (Hopper-v5's dims)."""

    env_id = "Hopper-v5"

    def normalize(self, x):
        return x


def _evaluate_standing_still(data, n_episodes: int):
    """``evaluate_policy`` of zero actions in ``data``'s env, scored by ``data``."""
    from rambo_env.evaluation import evaluate_policy

    act = lambda obs: np.zeros((len(obs), 3), np.float32)  # noqa: E731
    return evaluate_policy(act, data.env_id, _Identity(), n_episodes=n_episodes, scorer=data)


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        # probe 83 row 5: was refused only after MLE + BC, naming env_kwargs / dataset.env_kwargs
        (
            {"kwargs": {"bogus_kw": 1}},
            "gym.make('Hopper-v5', bogus_kw=1, max_episode_steps=50) fails",
        ),
        # row 7: was "normalizer: fitted on obs_dim=11 … (17,)" after MLE + BC
        (
            {"id": "Walker2d-v5", "kwargs": {}, "max_episode_steps": 1000},
            "has observations of shape (17,), but the data's observations have 11 dims",
        ),
        # row 58: 12-dim observations of exclude_current_positions_from_observation=False
        (
            {"kwargs": {"exclude_current_positions_from_observation": False}},
            "has observations of shape (12,), but the data's observations have 11 dims",
        ),
    ],
)
def test_an_evaluation_env_that_does_not_fit_is_refused_at_load(edit, said) -> None:
    name = _evalenv("p83/hop/evbad-v0", **edit)
    with pytest.raises(DatasetValidationError) as err:
        load_dataset(name)
    assert "(Minari's eval_env_spec)" in str(err.value) and said in str(err.value)
    assert "pass --env-id / env_id=… to evaluate in the data's env" in str(err.value)


def test_an_absurd_recorded_time_limit_is_refused_at_load() -> None:
    # probe 83 row 12: a limit of 10**9 (terminate_when_unhealthy=False) hung the first evaluation
    _make(
        "p83/hop/mesbig-v0",
        gym.make("Hopper-v5", max_episode_steps=20, terminate_when_unhealthy=False),
        n_eps=3,
    )
    path = minari_dataset_path("p83/hop/mesbig-v0") / "data" / "metadata.json"
    meta = json.loads(path.read_text())
    spec = json.loads(meta["env_spec"])
    spec["max_episode_steps"] = 10**9
    meta["env_spec"] = json.dumps(spec)
    path.write_text(json.dumps(meta))
    with pytest.raises(DatasetValidationError, match=r"max_episode_steps=1000000000 \(Minari's "):
        load_dataset("p83/hop/mesbig-v0")


def test_the_evaluation_env_wrappers_are_warned_about(capsys) -> None:
    # probe 83 row 11: eval_env_spec.additional_wrappers were not named (env_spec's were)
    wrapper = {"name": "NormalizeObservation", "entry_point": "x:y", "kwargs": {}}
    load_dataset(_evalenv("p83/hop/evwrap-v0", additional_wrappers=[wrapper]))
    out = capsys.readouterr().out
    assert "WARNING: dataset 'p83/hop/evwrap-v0' records its evaluation env" in out
    assert "inside the wrappers NormalizeObservation (eval_env_spec.additional_wrappers)" in out


@pytest.mark.parametrize("env_id", ["Hopper-v4", "Hopper-v5"])
def test_env_id_evaluates_and_the_recorded_evaluation_env_is_said_unused(env_id, capsys) -> None:
    # probe 83 row 14: Hopper-v4 was followed by a false "not registered here … pass --env-id";
    # row 15: the data's own id left the recorded 50-step eval env evaluating without a word
    data = load_dataset(_evalenv(), env_id=env_id)
    assert data.evaluation_env()[:2] == (env_id, {})
    out = capsys.readouterr().out
    assert "not registered here" not in out
    assert f"not used: env_id= / --env-id {env_id} was given" in out


def test_evaluate_policy_with_a_dataset_scorer_evaluates_where_cotrain_does(capsys) -> None:
    # probe 83 row 35: scorer=dataset took its env_kwargs only (episodes of 141 steps > 50)
    data = load_dataset(_evalenv())
    result = _evaluate_standing_still(data, n_episodes=2)
    assert (np.asarray(result.lengths) <= 50).all()
    assert "max_episode_steps=50), the env the scorer's data record for evaluation" in (
        capsys.readouterr().out
    )


def test_a_recorded_evaluation_env_that_is_the_registered_one_is_not_noted(capsys) -> None:
    """Probe 57b: a Minari dataset made with ``env="Swimmer-v5"`` records the registered env
    (``max_episode_steps`` 1000, no kwargs): every scored evaluation said ``note: evaluating in
    gym.make('Swimmer-v5', max_episode_steps=1000), the env the scorer's data record …``, as if
    the data named a non-default env."""
    data = load_dataset(_evalenv("p83/hop/evdefault-v0", kwargs={}, max_episode_steps=1000))
    assert data.evaluation_env() == ("Hopper-v5", {}, 1000)
    capsys.readouterr()
    assert len(_evaluate_standing_still(data, n_episodes=1).lengths) == 1
    assert "the env the scorer's data record" not in capsys.readouterr().out


def test_a_time_limit_other_than_d4rls_is_labelled_not_comparable() -> None:
    # probe 83 rows 8, 9: 20- / 50-step returns were labelled plainly "D4RL-normalised"
    from rambo_env.data.scores import score_label

    label = score_label("Hopper-v5", None, None, {}, 50)
    assert "50-step time limit" in label and "not comparable with D4RL's" in label
    assert score_label("Hopper-v5", None, None, {}, 1000) == "D4RL-normalised"
    assert score_label("Hopper-v5", None, None, {}, None) == "D4RL-normalised"


def test_behaviour_score_of_episodes_longer_than_the_evaluation_env_is_noted() -> None:
    # probe 83 row 54: 1500-step data episodes beside a 50-step eval env, behaviour_score_note None
    from agents.cotrain_setup import behaviour_score_note

    src = gym.make("Hopper-v5", max_episode_steps=60, terminate_when_unhealthy=False)
    ev = gym.make("Hopper-v5", max_episode_steps=50, terminate_when_unhealthy=False)
    _make("p83/hop/long60ev50-v0", src, n_eps=3, eval_env=ev)
    note = behaviour_score_note(load_dataset("p83/hop/long60ev50-v0"))
    assert note is not None and "longer than the evaluation env's 50-step limit" in note


def test_behaviour_score_from_another_env_than_the_evaluation_env_is_noted() -> None:
    """Session 56: data collected in Hopper-v5 with an eval_env_spec of healthy_reward=2.0 closed
    with "behaviour policy (dataset average) 1.5" beside BC's 2.1 and the run's 2.8, scored in the
    evaluation env whose reward is another (a random policy scores 1.6x there); no note. An
    eval env of the data's own kwargs (another time limit only) keeps the time-limit notes."""
    from agents.cotrain_setup import behaviour_score_note

    src = gym.make("Hopper-v5", max_episode_steps=60, terminate_when_unhealthy=False)
    ev = gym.make(
        "Hopper-v5", max_episode_steps=60, terminate_when_unhealthy=False, healthy_reward=2.0
    )
    _make("s56/hop/evalreward-v0", src, n_eps=3, eval_env=ev)
    note = behaviour_score_note(load_dataset("s56/hop/evalreward-v0"))
    assert note == (
        "the data's returns in gym.make('Hopper-v5', terminate_when_unhealthy=False), this run's "
        "in its evaluation env gym.make('Hopper-v5', terminate_when_unhealthy=False, "
        "healthy_reward=2.0) (the dataset's eval_env_spec): another env's returns, not comparable"
    ), note
    same = gym.make("Hopper-v5", max_episode_steps=60, terminate_when_unhealthy=False)
    _make("s56/hop/evalsame-v0", src, n_eps=3, eval_env=same)
    assert behaviour_score_note(load_dataset("s56/hop/evalsame-v0")) is None
