"""Termination functions: agree with the real Gymnasium v5 envs; exact-id dispatch; learned rule."""

from __future__ import annotations

import dataclasses

import gymnasium as gym
import numpy as np
import pytest
import torch

from rambo_env.data.dataset import OfflineDataset
from rambo_env.dynamics.termination import (
    TerminationClassifier,
    always_terminated,
    get_termination_fn,
    hopper_terminated,
    never_terminated,
    terminal_disagreements,
    walker2d_terminated,
)


def random_rollouts(env_id: str, n_episodes: int, max_steps: int = 300):
    """Raw next observations and the env's own ``terminated`` flags under random actions."""
    env = gym.make(env_id)
    env.action_space.seed(0)
    next_obs, flags = [], []
    for episode in range(n_episodes):
        env.reset(seed=episode)
        for _ in range(max_steps):
            obs, _, terminated, truncated, _ = env.step(env.action_space.sample())
            next_obs.append(obs)
            flags.append(terminated)
            if terminated or truncated:
                break
    env.close()
    return torch.as_tensor(np.array(next_obs)), torch.as_tensor(np.array(flags))


@pytest.mark.parametrize(
    ("env_id", "fn"), [("Hopper-v5", hopper_terminated), ("Walker2d-v5", walker2d_terminated)]
)
def test_matches_real_env(env_id: str, fn) -> None:
    next_obs, terminated = random_rollouts(env_id, n_episodes=8)
    assert terminated.sum() == 8  # random actions topple every episode
    predicted = fn(next_obs)
    assert predicted.dtype == torch.bool and predicted.shape == terminated.shape
    assert torch.equal(predicted, terminated)
    assert get_termination_fn(env_id) is fn
    assert torch.equal(fn(next_obs.double()), terminated)


def test_halfcheetah_never_terminates() -> None:
    next_obs, terminated = random_rollouts("HalfCheetah-v5", n_episodes=1, max_steps=200)
    assert not terminated.any()
    fn = get_termination_fn("HalfCheetah-v5")
    assert fn is never_terminated
    out = fn(next_obs)
    assert out.dtype == torch.bool and out.shape == (200,) and not out.any()


def test_hopper_rule_edges() -> None:
    alive = torch.tensor([[1.2, 0.0] + [0.0] * 9])
    assert not hopper_terminated(alive).any()
    for dim, value in (
        (0, 0.7),
        (1, 0.2),
        (1, -0.2),
        (5, 100.0),
        (3, float("nan")),
        (8, float("inf")),
    ):
        obs = alive.clone()
        obs[0, dim] = value
        assert hopper_terminated(obs).item(), (dim, value)


def test_walker_rule_edges() -> None:
    alive = torch.tensor([[1.2, 0.0] + [50.0] * 15])  # other dims are unconstrained
    assert not walker2d_terminated(alive).any()
    for dim, value in ((0, 0.8), (0, 2.0), (1, 1.0), (1, -1.0)):
        obs = alive.clone()
        obs[0, dim] = value
        assert walker2d_terminated(obs).item(), (dim, value)


def synthetic_dataset(n: int, seed: int, with_terminals: bool = True) -> OfflineDataset:
    """Terminated iff next_obs[0] > 0.5 and next_obs[1] < 0 (a conjunction, ~15 % positives)."""
    rng = np.random.default_rng(seed)
    next_obs = rng.normal(size=(n, 4)).astype(np.float32)
    terminals = (next_obs[:, 0] > 0.5) & (next_obs[:, 1] < 0) & with_terminals
    z = np.zeros(n, np.float32)
    return OfflineDataset(next_obs, z[:, None], z, next_obs, terminals, np.zeros(n, bool))


def test_learned_classifier_separates_synthetic_rule() -> None:
    data = synthetic_dataset(4000, seed=0)
    fn = get_termination_fn("MyEnv-v0", data)  # probe 77: Ant-v5 has its exact rule now
    assert isinstance(fn, TerminationClassifier)
    test = synthetic_dataset(4000, seed=1)
    predicted = fn(torch.tensor(test.next_observations)).numpy()
    truth = test.terminals
    assert predicted.dtype == np.bool_ and predicted.shape == truth.shape
    assert (predicted[truth]).mean() > 0.9 and (~predicted[~truth]).mean() > 0.9  # both classes
    assert (predicted == truth).mean() > 0.95
    nan_row = torch.tensor([[np.nan, 0.0, 0.0, 0.0]])
    assert fn(nan_row).item()


def test_dispatch_without_rule() -> None:
    assert (
        get_termination_fn(None, synthetic_dataset(100, 0, with_terminals=False))
        is never_terminated
    )
    with pytest.raises(ValueError, match="'Hopper-v3' has no known termination rule"):
        get_termination_fn("Hopper-v3")  # exact ids only: no substring dispatch (v4's is v5's)
    with pytest.raises(ValueError, match="terminals: need both classes"):
        TerminationClassifier.fit(np.zeros((5, 2)), np.ones(5, bool))


def test_data_whose_every_row_is_terminal_always_terminate(capsys) -> None:
    """Probe 26: episodes of length 1, all ending in a terminal state, of an env without a
    known rule: "terminals: need both classes" after MLE pretraining. As data without any
    terminal never terminate, data of terminals only always do (said once)."""
    data = synthetic_dataset(100, 0)
    data = OfflineDataset(
        data.observations, data.actions, data.rewards, data.next_observations,
        np.ones(100, bool), np.zeros(100, bool),
    )  # fmt: skip
    fn = get_termination_fn("MyEnv-v0", data)
    assert fn is always_terminated
    assert "every row of" in capsys.readouterr().out


def test_terminal_disagreements_with_the_env_rule() -> None:
    next_obs, terminated = random_rollouts("Hopper-v5", n_episodes=3)
    terminals = terminated.numpy()
    found = terminal_disagreements("Hopper-v5", next_obs.numpy(), terminals)
    assert [rows.tolist() for rows in found] == [[], []]  # the env's own flags agree
    flipped = terminals.copy()
    first_end = int(np.flatnonzero(terminals)[0])
    flipped[[0, first_end]] = ~flipped[[0, first_end]]
    found = terminal_disagreements("Hopper-v5", next_obs.numpy(), flipped)
    assert [rows.tolist() for rows in found] == [[0], [first_end]]
    assert [
        r.tolist() for r in terminal_disagreements("HalfCheetah-v5", np.zeros((3, 17)), [0, 1, 0])
    ] == [[1], []]
    assert terminal_disagreements("Hopper-v3", next_obs.numpy(), terminals) is None  # no rule
    found = terminal_disagreements("Hopper-v4", next_obs.numpy(), flipped)  # v5's rule (probe 39)
    assert [rows.tolist() for rows in found] == [[0], [first_end]]
    assert terminal_disagreements(None, next_obs.numpy(), terminals) is None


def test_an_env_without_a_known_rule_says_how_rollouts_end(capsys) -> None:
    """Issue 14: a Humanoid run's model rollouts ended by a classifier fitted to the data's
    terminals without a word; now one note names the env and how its rollouts end (learned, or
    never without terminal rows). An env with a known rule (Hopper) says nothing."""
    data = synthetic_dataset(400, 0)
    # probe 77: Humanoid-v5 has its exact rule now; Pendulum-v1 (no terminal states) has none
    data = dataclasses.replace(data, env_id="Pendulum-v1", name="humanoid-medium")
    fn = get_termination_fn("Pendulum-v1", data)
    assert isinstance(fn, TerminationClassifier)
    n = int(data.terminals.sum())
    said = capsys.readouterr().out.splitlines()
    assert said[0] == (
        "[rambo_env] note: 'Pendulum-v1' has no known termination rule: model rollouts end where "
        f"a small classifier fitted to the terminal flags of 'humanoid-medium' ({n} terminal of "
        "400 rows) predicts a termination (learned from the data, not the env's exact rule)"
    )
    assert len(said) == 2 and "held out of its fit" in said[1]  # probe 77: its holdout fit
    calm = dataclasses.replace(synthetic_dataset(100, 0, with_terminals=False), name="calm")
    assert get_termination_fn("MyEnv-v0", calm) is never_terminated
    assert capsys.readouterr().out == (
        "[rambo_env] note: 'MyEnv-v0' has no known termination rule: model rollouts never "
        "terminate, as no row of 'calm' is terminal (they end at the rollout length only)\n"
    )
    assert get_termination_fn("Hopper-v5", data) is hopper_terminated
    assert capsys.readouterr().out == ""
    # probe 41: data naming no env (arrays without env_id) read "note: None has no known …"
    assert get_termination_fn(None, calm) is never_terminated
    assert capsys.readouterr().out == (
        "[rambo_env] note: the dataset names no env, so no termination rule is known: model "
        "rollouts never terminate, as no row of 'calm' is terminal (they end at the rollout "
        "length only)\n"
    )
    ended = dataclasses.replace(calm, terminals=np.ones_like(calm.terminals))
    assert get_termination_fn(None, ended) is always_terminated
    assert "terminal state and the dataset names no env, so no termination rule is known: " in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize(
    ("rule", "given", "match"),
    [
        (
            hopper_terminated,
            np.zeros((8, 11), dtype=np.float32),
            r"raw_next_obs: Hopper's rule .* torch tensor \[\.\.\., 11\], got ndarray; "
            r"pass torch.as_tensor\(obs\)",
        ),
        (hopper_terminated, torch.tensor(1.0), r"raw_next_obs: .* got a 0-d tensor"),
        (
            hopper_terminated,
            torch.zeros(8, 5),
            r"raw_next_obs: shape \(8, 5\), but Hopper's rule \(hopper_terminated\) needs "
            r"\[\.\.\., 11\] .*last dim 5",
        ),
        (
            walker2d_terminated,
            torch.zeros(8, 11),  # a Hopper state given to Walker2d's rule
            r"raw_next_obs: shape \(8, 11\), but Walker2d's rule .* needs \[\.\.\., 17\]",
        ),
        (never_terminated, np.zeros((4, 17)), r"never_terminated expects a torch tensor"),
        (always_terminated, [[0.0]], r"always_terminated expects a torch tensor"),
    ],
)
def test_rules_refuse_non_tensors_and_wrong_widths(rule, given, match) -> None:
    """Probe 63: an ndarray was torch's raw TypeError, a 0-d tensor a raw IndexError, and a
    5-dim state (or a Hopper state given to Walker2d's rule) was judged on its first two columns
    without a word."""
    with pytest.raises(ValueError, match=match):
        rule(given)


def test_rule_checks_are_shape_only_and_compile() -> None:
    """The checks run inside every model step (and the adversary's compiled loss): one state
    [11] is still judged, and dynamo traces the rules in one graph (no data-dependent branch)."""
    assert hopper_terminated(torch.zeros(11)).shape == ()
    obs = torch.zeros(4, 11)
    obs[:, 0] = 1.25
    for rule, x in ((hopper_terminated, obs), (walker2d_terminated, torch.ones(3, 17))):
        compiled = torch.compile(rule, backend="eager", fullgraph=True, dynamic=True)
        assert torch.equal(compiled(x), rule(x))
