"""Probe 77 rows 4 / 23: exact termination rules of the other MuJoCo envs, checked against
Gymnasium's own ``terminated``; the learned classifier's fit on held-out rows said; rules made
with an env's kwargs (rows 6 / 22)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from rambo_env.data.dataset import OfflineDataset
from rambo_env.dynamics.termination import (
    TerminationClassifier,
    get_termination_fn,
    hopper_terminated,
    never_terminated,
)


def _real_steps(env_id: str, n: int, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """(next observations [n, O], terminated [n]) of ``n`` random-action steps (fixed seeds)."""
    env = gym.make(env_id, **kwargs)
    env.action_space.seed(0)
    env.reset(seed=0)
    nxt, ended = [], []
    for _ in range(n):
        obs, _, terminated, truncated, _ = env.step(env.action_space.sample())
        nxt.append(obs)
        ended.append(terminated)
        if terminated or truncated:
            env.reset()
    env.close()
    return np.asarray(nxt, np.float32), np.asarray(ended, bool)


@pytest.mark.parametrize(
    ("env_id", "n"),
    [
        ("Ant-v5", 1500),
        ("Ant-v4", 600),
        ("Humanoid-v5", 800),
        ("Humanoid-v4", 400),
        ("InvertedPendulum-v5", 600),
        ("InvertedPendulum-v4", 300),
        ("InvertedDoublePendulum-v5", 600),
        ("InvertedDoublePendulum-v4", 300),
        ("Swimmer-v5", 200),
        ("Reacher-v5", 200),
        ("Pusher-v5", 200),
    ],
)
def test_exact_rules_match_the_simulator(env_id: str, n: int) -> None:
    # probe 77 rows 4 / 23: was a classifier fitted to the data's terminals, which missed 15 of
    # 30 Ant and 54 of 123 Humanoid terminations of held-out rows; get_termination_fn(env_id)
    # without data was "has no known termination rule"
    fn = get_termination_fn(env_id)
    nxt, ended = _real_steps(env_id, n)
    predicted = fn(torch.as_tensor(nxt)).numpy()
    assert (predicted == ended).all(), (env_id, int((predicted != ended).sum()))
    if env_id.startswith(("Humanoid", "InvertedPendulum", "InvertedDouble", "Ant-v5")):
        assert ended.any()  # the comparison saw terminations


def test_a_poorly_fitting_classifier_is_warned_about(capsys) -> None:
    # probe 77 rows 4 / 23: was only "a small classifier … predicts a termination", no fit quality
    rng = np.random.default_rng(0)
    nxt = rng.normal(size=(2000, 6)).astype(np.float32)
    terminals = rng.random(2000) < 0.05  # not a function of the state: it cannot be learned
    z = np.zeros(2000, np.float32)
    data = OfflineDataset(nxt, z[:, None], z, nxt, terminals, np.zeros(2000, bool), name="noisy")
    fn = get_termination_fn("Pendulum-v1", data)
    assert isinstance(fn, TerminationClassifier)
    out = capsys.readouterr().out
    assert "[rambo_env] WARNING: on 20 % of the rows of 'noisy' held out of its fit" in out
    assert "register it (rambo_env.dynamics.termination.TERMINATION_FNS[env_id] = fn" in out


def test_a_learnable_rule_gets_a_note_with_its_holdout_numbers(capsys) -> None:
    rng = np.random.default_rng(1)
    nxt = rng.normal(size=(3000, 4)).astype(np.float32)
    terminals = nxt[:, 0] > 1.0
    z = np.zeros(3000, np.float32)
    data = OfflineDataset(nxt, z[:, None], z, nxt, terminals, np.zeros(3000, bool), name="clean")
    get_termination_fn("Pendulum-v1", data)
    out = capsys.readouterr().out
    assert "WARNING" not in out
    assert "[rambo_env] note: on 20 % of the rows of 'clean' held out of its fit" in out


def test_rules_follow_the_env_kwargs() -> None:
    # probe 77 rows 6 / 22: data of Ant-v5(healthy_z_range=(0.2, 1.2)) were judged by 1.0
    from rambo_env.dynamics.termination import exact_rule, unmodelled_kwargs

    kwargs = {"healthy_z_range": [0.2, 1.2]}
    rule = exact_rule("Ant-v5", kwargs)
    nxt, ended = _real_steps("Ant-v5", 1500, **kwargs)
    assert (rule(torch.as_tensor(nxt)).numpy() == ended).all()
    assert (nxt[:, 0] > 1.0).any()  # rows the default rule would end
    assert exact_rule("Ant-v5", {"terminate_when_unhealthy": False}) is never_terminated
    assert exact_rule("Ant-v5", {"contact_cost_weight": 0.05}) is exact_rule("Ant-v5")
    assert exact_rule("Hopper-v5", {"healthy_z_range": [0.7, float("inf")]}) is hopper_terminated
    # a bound the rule does not follow: no exact rule, and it is named
    assert exact_rule("Hopper-v5", {"healthy_angle_range": [-0.5, 0.5]}) is None
    assert unmodelled_kwargs("Hopper-v5", {"healthy_angle_range": [-0.5, 0.5]}) == [
        "healthy_angle_range"
    ]
    with_x = exact_rule("Humanoid-v5", {"exclude_current_positions_from_observation": False})
    nxt, ended = _real_steps("Humanoid-v5", 300, exclude_current_positions_from_observation=False)
    assert (with_x(torch.as_tensor(nxt)).numpy() == ended).all() and ended.any()


def test_a_dataset_of_unfollowed_kwargs_gets_the_classifier_with_a_note(capsys) -> None:
    rng = np.random.default_rng(2)
    nxt = rng.normal(size=(600, 11)).astype(np.float32)
    terminals = nxt[:, 1] > 1.0
    z = np.zeros(600, np.float32)
    data = OfflineDataset(
        nxt, np.zeros((600, 3), np.float32), z, nxt, terminals, np.zeros(600, bool),
        env_id="Hopper-v5", metadata={"env_kwargs": {"healthy_angle_range": [-0.5, 0.5]}},
    )  # fmt: skip
    fn = get_termination_fn("Hopper-v5", data)
    assert isinstance(fn, TerminationClassifier)
    out = capsys.readouterr().out
    assert (
        "Hopper-v5's exact termination rule does not follow the env kwargs "
        "healthy_angle_range=[-0.5, 0.5] the data were collected with" in out
    )
