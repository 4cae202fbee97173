"""Probe 90: the load-time checks of the data against their env judged data of mixed origin (two
sources' rows concatenated) by the median over the sampled rows, so a part of up to half the rows
passed silently or got the whole data's cause; a part that disagrees while the rest agrees is now
named with its rows and its own cause."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from rambo_env.data import OfflineDataset, load_dataset

FIELDS = ("observations", "actions", "rewards", "next_observations", "terminals", "timeouts")


def roll(env_id: str, n: int, seed: int = 0, **kwargs) -> dict[str, np.ndarray]:
    """``n`` rows of uniform random actions in ``env_id`` (made with ``kwargs``), D4RL arrays."""
    env = gym.make(env_id, **kwargs)
    rng = np.random.default_rng(seed)
    rows: dict[str, list] = {k: [] for k in FIELDS}
    obs, _ = env.reset(seed=seed)
    while len(rows["observations"]) < n:
        action = rng.uniform(-1, 1, env.action_space.shape).astype(np.float32)
        nxt, reward, terminated, truncated, _ = env.step(action)
        for key, value in zip(
            FIELDS, (obs, action, reward, nxt, terminated, truncated), strict=True
        ):
            rows[key].append(value)
        obs = nxt
        if terminated or truncated:
            obs, _ = env.reset()
    env.close()
    out = {k: np.asarray(v) for k, v in rows.items()}
    out["timeouts"] = out["timeouts"] & ~out["terminals"]
    out["timeouts"][-1] = not out["terminals"][-1]
    return out


def cat(*parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]) for k in FIELDS}


@pytest.fixture(scope="module")
def hopper() -> tuple[dict, dict]:
    return roll("Hopper-v5", 1500, seed=0), roll("Hopper-v5", 1500, seed=1)


def _load(arrays, capsys, env_id: str = "Hopper-v5") -> str:
    load_dataset(OfflineDataset.from_arrays(arrays, env_id=env_id, name="mix"))
    return capsys.readouterr().out


def test_two_parts_of_the_env_load_without_a_warning(hopper, capsys) -> None:
    out = _load(cat(*hopper), capsys)
    assert "WARNING" not in out, out


def test_a_part_with_halved_actions_is_named(hopper, capsys) -> None:
    # probe 90 row 9: was silent (the median over the sampled rows passed)
    first, second = (dict(p) for p in hopper)
    second["actions"] = second["actions"] * 0.5
    out = _load(cat(first, second), capsys)
    assert "a part of the data, rows ~" in out and "-2999" in out, out
    assert "actions are 0.5x the env's" in out, out


def test_the_whole_data_halved_keeps_its_warning(hopper, capsys) -> None:
    whole = dict(hopper[0])
    whole["actions"] = whole["actions"] * 0.5
    out = _load(whole, capsys)
    assert "does not reproduce their next_observations" in out and "a part of" not in out, out


@pytest.mark.parametrize("first", [True, False])
def test_a_part_with_rewards_x10_is_named(hopper, capsys, first) -> None:
    # probe 90 rows 4, 5: was "correlation -0.09 ... another reward, or shuffled rows?" (the x10
    # part first) or the fit of the mix (x11.3, offset -5.99) without the rows
    parts = [dict(p) for p in hopper]
    parts[0 if first else 1]["rewards"] = parts[0 if first else 1]["rewards"] * 10
    out = _load(cat(*parts), capsys)
    assert "a part of its rows, rows " + ("0-~" if first else "~") in out, out
    assert "x10 the scale" in out and "shuffled" not in out, out


def test_a_minority_part_of_another_reward_weighting_is_named(hopper, capsys) -> None:
    # probe 90 row 37: 900 rows of forward_reward_weight=3.0 before 1500 default rows: was silent
    heavy = roll("Hopper-v5", 900, seed=2, forward_reward_weight=3.0)
    out = _load(cat(heavy, hopper[1]), capsys)
    assert "a part of its rows, rows " in out and "another source" in out, out


def test_a_z_scored_part_is_named_as_normalised(capsys) -> None:
    # probe 90 row 8: was the termination rule's and the dynamics' warnings, pointing at actions
    # (a half-normalised mix is not z-scored as a whole)
    first, second = roll("HalfCheetah-v5", 1200), roll("HalfCheetah-v5", 1200, seed=1)
    mean, std = first["observations"].mean(0), first["observations"].std(0) + 1e-6
    for key in ("observations", "next_observations"):
        first[key] = (first[key] - mean) / std
    out = _load(cat(first, second), capsys, env_id="HalfCheetah-v5")
    assert "a part of the data, rows 0-~" in out and "look normalised" in out, out
    assert "actions in another order" not in out, out


def test_a_minority_part_of_another_env_without_terminals_is_named(capsys) -> None:
    # probe 90 row 30: a part from another env of the same dimensions passed the transition check
    cheetah = roll("HalfCheetah-v5", 1200)
    walker = roll("Walker2d-v5", 400, terminate_when_unhealthy=False)
    out = _load(cat(cheetah, walker), capsys, env_id="HalfCheetah-v5")
    assert "a part of the data, rows ~" in out and "-1599" in out, out
