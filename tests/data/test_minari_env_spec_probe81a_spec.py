"""Probe 81 (p81b) rows 2, 6, 28, 30, 38, 44, 48: what a Minari dataset records besides its
env_spec id and kwargs — its env's time limit (``env_spec.max_episode_steps``), its evaluation env
(``eval_env_spec``), its wrappers (``env_spec.additional_wrappers``) — is read and used, and
``save_minari`` writes the env kwargs / time limit of the data it stores."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest

from rambo_env.data.loaders import load_dataset
from rambo_env.data.minari_io import dataset_to_episodes, minari_dataset_path, save_minari
from tests.scripts import REPO, python_path


def _buffers(env: gym.Env, n_eps: int = 6, seed: int = 0) -> list:
    """Random-action episodes of ``env`` as Minari EpisodeBuffers (fixed seeds)."""
    from minari.data_collector import EpisodeBuffer

    env.action_space.seed(seed)
    episodes = []
    for e in range(n_eps):
        obs, _ = env.reset(seed=seed + e)
        rows = {"o": [obs], "a": [], "r": [], "te": [], "tr": []}
        while True:
            action = env.action_space.sample()
            obs, reward, term, trunc, _ = env.step(action)
            for key, value in zip(
                "o a r te tr".split(), (obs, action, reward, term, trunc), strict=True
            ):
                rows[key].append(value)
            if term or trunc:
                break
        episodes.append(
            EpisodeBuffer(
                id=e,
                observations=np.asarray(rows["o"]),
                actions=np.asarray(rows["a"]),
                rewards=np.asarray(rows["r"], dtype=np.float64),
                terminations=np.asarray(rows["te"]),
                truncations=np.asarray(rows["tr"]),
            )
        )
    return episodes


def _make(dataset_id: str, env: gym.Env | None, n_eps: int = 6, **kwargs) -> None:
    import minari

    source = env if env is not None else gym.make("Hopper-v5")
    minari.create_dataset_from_buffers(
        dataset_id, _buffers(source, n_eps), env=env, algorithm_name="random", author="p81",
        author_email="p@example.com", code_permalink="none", **kwargs,
    )  # fmt: skip


def _mes20() -> None:
    _make(
        "p81/hop/mes20-v0",
        gym.make("Hopper-v5", max_episode_steps=20, terminate_when_unhealthy=False),
    )


def _run(script: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": python_path(), "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / script), *args], env=env, capture_output=True,
        text=True, timeout=600,
    )  # fmt: skip


_TINY = (
    "--lam 3e-4 --n-iterations 1 --agent-steps-per-iteration 20 --adversary-steps-per-iteration 5 "
    "--n-rollouts 50 --bc-epochs 1 --bc-max-steps 5 --n-eval-episodes 2 --eval-last 1 "
    "--ensemble-hidden 8 --agent-hidden 16 --mle-max-epochs 2 --no-compile --no-progress --torch-threads 1"
).split()


def test_the_recorded_evaluation_env_evaluates(capsys) -> None:
    # probe 81 row 2: was eval_env_spec (max_episode_steps=50, healthy_z_range=(0.3, 2.0)) never
    # read, the policy evaluated in env_spec's plain Hopper-v5; row 44: Minari's ref_min_score
    # is measured in the eval env
    ev = gym.make("Hopper-v5", max_episode_steps=50, healthy_z_range=(0.3, 2.0))
    _make("p81/hop/evalenv-v0", gym.make("Hopper-v5"), eval_env=ev)
    data = load_dataset("p81/hop/evalenv-v0")
    assert data.evaluation_env() == ("Hopper-v5", {"healthy_z_range": [0.3, 2.0]}, 50)
    assert (data.env_id, data.env_kwargs) == ("Hopper-v5", {})  # the data checks' env
    out = capsys.readouterr().out
    assert "records an evaluation env (Minari's eval_env_spec) gym.make('Hopper-v5', " in out
    assert "healthy_z_range=[0.3, 2.0], max_episode_steps=50): policies are evaluated there" in out
    from agents.cotrain_setup import termination_record
    from rambo_env.dynamics.termination import get_termination_fn

    mdp = type("M", (), {"termination_fn": get_termination_fn(data.env_id, data)})()
    assert termination_record(mdp, data)["evaluation_env"] == {
        "env_id": "Hopper-v5",
        "env_kwargs": {"healthy_z_range": [0.3, 2.0]},
        "max_episode_steps": 50,
    }


def test_evaluate_policy_takes_the_recorded_time_limit() -> None:
    # probe 81 row 6: a dataset of max_episode_steps=20 was evaluated over 1000-step episodes
    from rambo_env.evaluation import evaluate_policy

    class _Id:
        env_id = None

        def normalize(self, x):
            return x

    result = evaluate_policy(
        lambda obs: np.zeros((len(obs), 3), np.float32), "Hopper-v5", _Id(), n_episodes=2,
        env_kwargs={"terminate_when_unhealthy": False}, time_limit=20,
    )  # fmt: skip
    assert list(result.lengths) == [20, 20]
    with pytest.raises(ValueError, match=r"time_limit: must be None or an int >= 1, got 0"):
        evaluate_policy(lambda o: o, "Hopper-v5", _Id(), n_episodes=1, time_limit=0)


def test_the_recorded_time_limit_bounds_k_and_is_named(capsys) -> None:
    # probe 81 row 6: the note named terminate_when_unhealthy=False, not the 20-step limit; row
    # 30: k = 30 was taken (the check read the registered Hopper-v5's 1000 steps)
    _mes20()
    data = load_dataset("p81/hop/mes20-v0")
    assert data.env_max_episode_steps == 20
    assert data.evaluation_env() == ("Hopper-v5", {"terminate_when_unhealthy": False}, 20)
    out = capsys.readouterr().out
    assert "with its time limit max_episode_steps=20: the checks and the evaluation env" in out
    from agents.cotrain_setup import behaviour_score_note, check_rollout_length

    assert behaviour_score_note(data) is None  # was: "12 of 12 … cut before … 1000-step limit"
    with pytest.raises(ValueError, match=r"episode limit of 20 steps \(the data's recorded"):
        check_rollout_length(30, data.env_id, limit=data.env_max_episode_steps)


def test_cotrain_evaluates_and_diagnose_caps_at_the_recorded_time_limit(tmp_path) -> None:
    # probe 81 rows 6, 28: evaluation episodes lasted 1000 steps, diagnose's Monte-Carlo
    # "episodes last 1000 steps (cap 1000)" on data of a 20-step env
    _mes20()
    run, ledger = tmp_path / "run", tmp_path / "ledger"
    ledger.mkdir()
    done = _run("cotrain.py", "--dataset", "p81/hop/mes20-v0", "--run-dir", str(run), "--k", "2",
                *_TINY, "--ledger", str(ledger))  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    evals = json.loads((run / "results.json").read_text())["evals"]
    assert {e["length_mean"] for e in evals} == {20.0}
    done = _run("diagnose.py", str(run), "--n-starts", "20", "--n-episodes", "2")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "max_episode_steps=20) (the env the data record)" in done.stdout
    assert "(cap 20)" in done.stdout and "(cap 1000)" not in done.stdout
    too_long = _run("cotrain.py", "--dataset", "p81/hop/mes20-v0", "--run-dir",
                    str(tmp_path / "k30"), "--k", "30", *_TINY, "--ledger", str(ledger))  # fmt: skip
    assert too_long.returncode == 2
    assert "exceeds Hopper-v5's episode limit of 20 steps" in too_long.stderr


def test_a_dataset_naming_only_its_evaluation_env_is_of_that_env(capsys) -> None:
    # probe 81 row 38: was "names no Gymnasium env: … no policy is evaluated" while eval_env_spec
    # names Hopper-v5
    space = gym.make("Hopper-v5")
    _make("p81/hop/evalonly-v0", None, eval_env="Hopper-v5",
          observation_space=space.observation_space, action_space=space.action_space)  # fmt: skip
    data = load_dataset("p81/hop/evalonly-v0")
    assert data.env_id == "Hopper-v5"
    assert data.evaluation_env()[0] == "Hopper-v5"
    out = capsys.readouterr().out
    assert "names no Gymnasium env" not in out
    assert "records no env_spec (the env its data were collected in), only its evaluation" in out


def test_recorded_wrappers_are_named_not_applied(capsys) -> None:
    # probe 81 (root of rows 2-48): env_spec.additional_wrappers were dropped without a word
    from gymnasium.wrappers import NormalizeObservation

    _make("p81/hop/normobs-v0", NormalizeObservation(gym.make("Hopper-v5")))
    data = load_dataset("p81/hop/normobs-v0")
    assert data.env_wrappers == ["NormalizeObservation"]
    out = capsys.readouterr().out
    assert "WARNING: dataset 'p81/hop/normobs-v0' records its env as Hopper-v5 inside the " in out
    assert (
        "wrappers NormalizeObservation (Minari's env_spec.additional_wrappers), which are not applied"
        in out
    )


def test_save_minari_writes_the_env_kwargs_and_time_limit(capsys) -> None:
    # probe 81 row 48: a dataset of terminate_when_unhealthy=False re-saved was written with
    # env_spec kwargs {} and max_episode_steps 1000, without a word
    _mes20()
    data = load_dataset("p81/hop/mes20-v0")
    save_minari("p81/hop/resaved-v0", dataset_to_episodes(data), env_id=data.env_id)
    assert "writing the env the episodes' dataset records" in capsys.readouterr().out
    meta = json.loads(
        (minari_dataset_path("p81/hop/resaved-v0") / "data" / "metadata.json").read_text()
    )
    spec = json.loads(meta["env_spec"])
    assert (spec["kwargs"], spec["max_episode_steps"]) == ({"terminate_when_unhealthy": False}, 20)
    again = load_dataset("p81/hop/resaved-v0")
    assert (again.env_kwargs, again.env_max_episode_steps) == (
        {"terminate_when_unhealthy": False},
        20,
    )
    # given explicitly (episodes of no dataset)
    episodes = _buffers(gym.make("Hopper-v5", terminate_when_unhealthy=False), 4)
    save_minari("p81/hop/given-v0", episodes, env_id="Hopper-v5",
                env_kwargs={"terminate_when_unhealthy": False}, max_episode_steps=300)  # fmt: skip
    given = load_dataset("p81/hop/given-v0")
    assert (given.env_kwargs, given.env_max_episode_steps) == (
        {"terminate_when_unhealthy": False},
        300,
    )
    for bad, match in (
        ({"env_kwargs": [1]}, r"env_kwargs: expected a dict of gym.make keyword arguments"),
        ({"max_episode_steps": 0}, r"max_episode_steps: expected None or an int >= 1"),
        ({"env_kwargs": {"max_episode_steps": 5}}, r"pass it as save_minari\(…, max_episode_steps"),
    ):
        with pytest.raises(ValueError, match=match):
            save_minari("p81/hop/bad-v0", episodes, env_id="Hopper-v5", **bad)
    assert not minari_dataset_path("p81/hop/bad-v0").exists()
