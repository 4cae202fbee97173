"""Probe 77 (dataset loading and formats): constant float64 columns, the step counter of files
without timeouts, rows flagged both terminal and timeout, derived next states of terminal rows,
and the advice for d3rlpy / SB3 layouts and D4RL names of other envs."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from rambo_env.data import OfflineDataset
from rambo_env.data.dataset import DatasetValidationError
from rambo_env.data.loaders import load_dataset
from rambo_env.dynamics.termination import get_termination_fn, never_terminated
from tests.data.data_helpers import make_arrays


def _episodes(lengths, terminal_last, obs_dim=11, action_dim=3, seed=0):
    return make_arrays(
        list(lengths),
        terminal_last=list(terminal_last),
        obs_dim=obs_dim,
        action_dim=action_dim,
        seed=seed,
    )


def _write_h5(path, arrays, keys, **attrs):
    with h5py.File(path, "w") as f:
        for key in keys:
            f[key] = arrays[key]
        f.attrs.update(attrs)


def test_constant_float64_column_is_no_float32_rounding(capsys):
    # probe 77 rows 5, 29: was "float32 … rounds these float64 values … (1533916886% of the
    # column's std 4.9e-17; 1 of 1 distinct values kept): it is offset … centre it" on
    # Pusher's constant goal columns (np.std of a constant column is summation noise, not 0)
    arrays = _episodes([1000, 1000, 1000], [False] * 3)
    obs = arrays["observations"].astype(np.float64)
    obs[:, 3] = 0.1  # np.std gives ~3e-17 here
    assert obs[:, 3].std() > 0
    nxt = arrays["next_observations"].astype(np.float64)
    nxt[:, 3] = 0.1
    OfflineDataset.from_arrays({**arrays, "observations": obs, "next_observations": nxt})
    assert "centre it" not in capsys.readouterr().out
    # a column on a large offset still warns
    obs[:, 4] += 1e6
    OfflineDataset.from_arrays({**arrays, "observations": obs, "next_observations": nxt})
    assert "observations[:, 4]" in capsys.readouterr().out


def test_step_counter_uses_the_env_time_limit(tmp_path, capsys):
    # probe 77 row 11: was D4RL's 1000-step counter for Reacher-v5 (50-step) data: 3 episodes
    # of 999 steps, 57 derived transitions jumping into the next episode
    arrays = _episodes([50] * 12, [False] * 12, obs_dim=10, action_dim=2)
    path = tmp_path / "reacher.hdf5"
    _write_h5(
        path, arrays, ("observations", "actions", "rewards", "terminals"), env_id="Reacher-v5"
    )
    capsys.readouterr()
    ds = load_dataset(path)
    out = capsys.readouterr().out
    assert "ends after 50 steps without a terminal (Reacher-v5's registered" in out
    assert int(ds.timeouts.sum()) == 12 and ds.n_transitions == 12 * 49
    # every derived next state is its own episode's next observation
    assert not ds.unmarked_episode_ends().size
    # the same arrays as an npz
    npz = tmp_path / "reacher.npz"
    keep = ("observations", "actions", "rewards", "terminals")
    np.savez(npz, env_id="Reacher-v5", **{k: arrays[k] for k in keep})
    assert int(load_dataset(npz).timeouts.sum()) == 12


def test_d4rl_env_keeps_d4rl_counter(tmp_path, capsys):
    arrays = _episodes([1200], [False])
    path = tmp_path / "hopper.hdf5"
    _write_h5(path, arrays, ("observations", "actions", "rewards", "terminals"), env_id="Hopper-v5")
    capsys.readouterr()
    load_dataset(path)
    assert "ends after 1000 steps without a terminal (D4RL's time limit" in capsys.readouterr().out


def test_row_flagged_terminal_and_timeout_is_terminal_in_hdf5_and_npz(tmp_path, capsys):
    # probe 77 row 43: d3rlpy 1.x episode_terminals renamed to timeouts (as the warning advised)
    # marks the terminal rows as timeouts too: the hdf5 dropped all 94 of them silently, the
    # npz was refused ("… are both True"). Changed on purpose by probe 78 rows 31-32 (SB3's
    # flags made every time-limit end a terminal): episode_terminals is read as it is now, and a
    # row flagged both is decided by the env's exact rule on its next state, or refused where
    # nothing can decide. Probe 79 row 12: the hdf5 without next_observations was refused; a row
    # flagged timeout alone says these terminals are terminated only: read as terminals
    arrays = _episodes([30, 40, 30], [True, True, False])
    ends = arrays["terminals"] | arrays["timeouts"]
    flagged = {**arrays, "timeouts": ends}
    h5 = tmp_path / "renamed.h5"
    _write_h5(h5, flagged, ("observations", "actions", "rewards", "terminals", "timeouts"))
    capsys.readouterr()
    ds = load_dataset(h5, env_id="Hopper-v5")
    assert "2 row(s) are flagged both terminal and timeout" in capsys.readouterr().out
    assert int(ds.terminals.sum()) == 2 and not (ds.terminals & ds.timeouts).any()
    npz = tmp_path / "both.npz"
    np.savez(npz, env_id="Hopper-v5", **flagged)
    capsys.readouterr()
    ds = load_dataset(npz)
    said = capsys.readouterr().out
    assert "2 row(s) are flagged both terminal and timeout" in said
    assert "decided by Hopper-v5's exact termination rule" in said
    assert not (ds.terminals & ds.timeouts).any()
    assert int(ds.terminals.sum()) + int(ds.timeouts.sum()) == 3


def test_d3rlpy_v1_episode_terminals_read_as_episode_ends(tmp_path, capsys):
    # probe 77 row 43: 'episode_terminals' was ignored ("rename it if it holds one of them")
    arrays = _episodes([30, 40, 30], [True, False, False])
    path = tmp_path / "d3rlpy_v1.h5"
    with h5py.File(path, "w") as f:
        for key in ("observations", "actions", "rewards"):
            f[key] = arrays[key]
        f["terminals"] = arrays["terminals"].astype(np.float32)
        f["episode_terminals"] = (arrays["terminals"] | arrays["timeouts"]).astype(np.float32)
    ds = load_dataset(path, env_id="Hopper-v5")
    assert "'episode_terminals' (d3rlpy 1.x's" in capsys.readouterr().out
    assert int(ds.terminals.sum()) == 1 and int(ds.timeouts.sum()) == 2


def test_d3rlpy_v2_episode_layout_is_named(tmp_path):
    # probe 77 row 20: was "top-level key 'actions_0' is not a D4RL field (did you mean
    # 'actions'?) … rename it in the file"
    arrays = _episodes([10, 10], [True, False])
    path = tmp_path / "d3rlpy_v2.h5"
    with h5py.File(path, "w") as f:
        f["num_episodes"] = 2
        for i in range(2):
            rows = slice(10 * i, 10 * i + 10)
            f[f"observations_{i}"] = arrays["observations"][rows]
            f[f"actions_{i}"] = arrays["actions"][rows]
            f[f"rewards_{i}"] = arrays["rewards"][rows, None]
            f[f"terminated_{i}"] = i == 0
    with pytest.raises(DatasetValidationError) as err:
        load_dataset(path, env_id="Hopper-v5")
    assert "d3rlpy 2.x's per-episode layout" in str(err.value)
    assert "np.concatenate" in str(err.value) and "rename" not in str(err.value)


def test_sb3_env_axis_advice(tmp_path):
    # probe 77 row 35: was "flatten each row: observations.reshape(len(observations), 22)",
    # gluing two envs' states into one row
    arrays = _episodes([50, 50], [False, False])
    sb3 = {k: v.reshape(2, 50, *v.shape[1:]).swapaxes(0, 1) for k, v in arrays.items()}
    path = tmp_path / "sb3.npz"
    np.savez(path, env_id="Hopper-v5", **sb3)
    with pytest.raises(DatasetValidationError) as err:
        load_dataset(path)
    assert "observations.swapaxes(0, 1).reshape(-1, 11)" in str(err.value)
    assert "reshape(len(observations), 22)" not in str(err.value)


def test_d4rl_dir_with_a_name_of_another_env(tmp_path):
    # probe 77 row 36: was "'ant-medium-v2' is loaded as it is; leave d4rl_dir out"
    with pytest.raises(ValueError, match="is not a D4RL name this project reads") as err:
        load_dataset("ant-medium-v2", d4rl_dir=tmp_path)
    assert "loaded as it is" not in str(err.value)
    assert "env_id=" in str(err.value)


def test_derived_terminal_next_states_are_marked_and_said(tmp_path, capsys):
    # probe 77 row 27: terminal rows' derived next states (the next episode's first states)
    # taught the termination classifier start states as terminal (507 of 507 missed), with a
    # note that named the dynamics model only
    # (Pendulum-v1: an env without an exact termination rule, as InvertedPendulum-v5 was then)
    arrays = _episodes([20] * 6, [True] * 5 + [False], obs_dim=3, action_dim=1)
    path = tmp_path / "ip.hdf5"
    keys = ("observations", "actions", "rewards", "terminals", "timeouts")
    _write_h5(path, arrays, keys, env_id="Pendulum-v1")
    capsys.readouterr()
    ds = load_dataset(path)
    out = capsys.readouterr().out
    assert "cannot be fitted from them" in out
    assert "no termination rule can be learned from this file" in out
    known = ds.known_next_states()
    assert known.dtype == bool and not known[ds.terminals].any() and known[~ds.terminals].all()
    # with next_observations every next state is known
    # the classifier is not fitted on the stand-ins: the rollouts never terminate, said
    capsys.readouterr()
    assert get_termination_fn(ds.env_id, ds) is never_terminated
    assert "no termination rule can be learned from them" in capsys.readouterr().out
    # an env with an exact rule needs no next states to learn from: no warning
    _write_h5(tmp_path / "ip.hdf5", _episodes([20] * 6, [True] * 5 + [False], 4, 1), keys,
              env_id="InvertedPendulum-v5")  # fmt: skip
    capsys.readouterr()
    load_dataset(tmp_path / "ip.hdf5")
    assert "no termination rule can be learned" not in capsys.readouterr().out
    full = tmp_path / "ip_full.hdf5"
    _write_h5(full, arrays, (*keys, "next_observations"), env_id="Pendulum-v1")
    capsys.readouterr()
    assert load_dataset(full).known_next_states().all()
    assert "no termination rule can be learned" not in capsys.readouterr().out


def test_flags_the_validation_refuses_are_left_to_it(tmp_path):
    # the terminal-wins rule (row 43) leaves a scalar or short timeouts to the validation
    arrays = _episodes([30, 30], [True, False])
    for name, timeouts, said in (
        ("scalar", np.array(True), "field 'timeouts' is a scalar"),
        ("short", arrays["timeouts"][:10], "field 'timeouts' has 10 rows"),
    ):
        path = tmp_path / f"{name}.npz"
        np.savez(path, env_id="Hopper-v5", **{**arrays, "timeouts": timeouts})
        with pytest.raises(DatasetValidationError, match=said):
            load_dataset(path)
