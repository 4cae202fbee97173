"""Probe 104 rows 9, 10, 23: D4RL-layout data without next_observations (next states derived from
the next row, each time-limit row dropped) are counted at the episode lengths they ran."""

from __future__ import annotations

import gymnasium as gym
import h5py
import numpy as np

import rambo_env
from rambo_env.data.d4rl_io import arrays_to_dataset
from rambo_env.data.loaders import _warn_short_time_limit


def _d4rl_arrays(lengths: list[int], falls: list[bool], seed: int = 0) -> dict[str, np.ndarray]:
    """D4RL's own layout (no next_observations): episodes of ``lengths`` steps, each ending in a
    terminal (``falls``) or a timeout."""
    rng = np.random.default_rng(seed)
    n = sum(lengths)
    ends = np.cumsum(lengths) - 1
    terminals, timeouts = np.zeros(n, bool), np.zeros(n, bool)
    terminals[ends[np.asarray(falls)]] = True
    timeouts[ends[~np.asarray(falls)]] = True
    return {
        "observations": rng.normal(size=(n, 11)).astype(np.float32),
        "actions": rng.uniform(-1, 1, (n, 3)).astype(np.float32),
        "rewards": rng.normal(size=n).astype(np.float32),
        "terminals": terminals,
        "timeouts": timeouts,
    }


def _derived(lengths, falls, stored=None):
    return arrays_to_dataset(
        _d4rl_arrays(lengths, falls), None, None, "test", {"env_id": "Hopper-v5", **(stored or {})}
    )


def test_genuine_default_limit_data_without_next_observations_get_no_time_limit_warning(capsys):
    # probe 104 row 23: was "4 of its 5 timeout episode(s) end at exactly 999 steps … collected
    # with max_episode_steps=999? … record it" for genuine 1000-step hopper data in D4RL's layout
    lengths = [1000, 120, 90, 1000, 300, 1000, 80, 1000, 60, 40]
    falls = [False, True, True, False, True, False, True, False, True, True]
    data = _derived(lengths, falls)
    capsys.readouterr()
    _warn_short_time_limit(data)
    assert capsys.readouterr().out == ""


def test_shorter_limit_is_named_as_collected(capsys):
    # probe 104 row 9: a 30-step limit was advised as "max_episode_steps=29"
    lengths = [30, 12, 30, 9, 30, 30, 14, 30, 20]
    falls = [False, True, False, True, False, False, True, False, True]
    data = _derived(lengths, falls)
    capsys.readouterr()
    _warn_short_time_limit(data)
    out = capsys.readouterr().out
    assert "end at exactly 30 steps" in out and "max_episode_steps=30?" in out
    assert "29" not in out.split("rows")[0]


def test_recorded_limit_is_not_contradicted(capsys):
    # probe 104 row 10: a file recording env_max_episode_steps=30 was noted "records 30", then
    # warned "collected with max_episode_steps=29? … record it (… 29 …)"
    lengths = [30, 12, 30, 9, 30, 30, 14, 30, 20]
    falls = [False, True, False, True, False, False, True, False, True]
    data = _derived(lengths, falls, {"metadata": {"env_max_episode_steps": 30}})
    capsys.readouterr()
    _warn_short_time_limit(data)
    assert capsys.readouterr().out == ""


def test_real_hopper_hdf5_without_next_observations_names_its_limit(tmp_path, capsys):
    # probe 104 rows 9, 10 end to end: Hopper-v5 random data of a 30-step limit in D4RL's layout
    env = gym.make("Hopper-v5", max_episode_steps=30)
    rng = np.random.default_rng(0)
    rows: dict[str, list] = {k: [] for k in ("observations", "actions", "rewards", "terminals")}
    rows["timeouts"] = []
    obs, _ = env.reset(seed=0)
    while len(rows["rewards"]) < 600:
        action = rng.uniform(-1, 1, 3).astype(np.float32)
        nxt, reward, terminated, truncated, _ = env.step(action)
        step = (obs, action, reward, terminated, truncated and not terminated)
        for key, value in zip(rows, step, strict=True):
            rows[key].append(value)
        obs = env.reset()[0] if terminated or truncated else nxt
    path = tmp_path / "d4rl.hdf5"
    with h5py.File(path, "w") as f:
        for key, value in rows.items():
            f[key] = np.asarray(value, np.float32 if key in ("observations", "rewards") else None)
        f.attrs["env_id"] = "Hopper-v5"
    rambo_env.load_dataset(str(path))
    out = capsys.readouterr().out
    assert "max_episode_steps=30?" in out and "max_episode_steps=29?" not in out
    with h5py.File(path, "a") as f:
        f.attrs["metadata_json"] = '{"env_max_episode_steps": 30}'
    data = rambo_env.load_dataset(str(path))
    assert data.env_max_episode_steps == 30
    assert "end at exactly" not in capsys.readouterr().out
