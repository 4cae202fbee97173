"""Probe 78 (recheck of probe 77's dataset fixes): rows flagged both terminal and timeout, as
SB3's replay buffer stores time-limit ends (terminals = terminated or truncated)."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from rambo_env.data.dataset import DatasetValidationError
from rambo_env.data.loaders import load_dataset
from tests.data.data_helpers import make_arrays


def _sb3_flags(lengths, terminal_last, obs_dim, action_dim):
    """Episodes whose time-limit ends are flagged terminal too (SB3: dones as terminals)."""
    arrays = make_arrays(
        list(lengths), terminal_last=list(terminal_last), obs_dim=obs_dim, action_dim=action_dim
    )
    return {**arrays, "terminals": arrays["terminals"] | arrays["timeouts"]}


def test_both_flagged_rows_without_an_exact_rule_are_refused(tmp_path):
    # probe 78 row 31: was "note: … read as terminals (the env terminated there …)": every
    # time-limit end became a terminal without a word (at 1862348: refused)
    path = tmp_path / "sb3.npz"
    np.savez(path, **_sb3_flags([30, 30, 30], [False, False, False], 4, 2))
    with pytest.raises(DatasetValidationError) as info:
        load_dataset(path)  # no env named: no exact rule
    said = str(info.value)
    assert "3 row(s) are flagged both terminal and timeout (first: row 29)" in said
    assert "no exact termination rule" in said
    assert "terminals = terminated only" in said and "'episode_terminals'" in said


def test_both_flagged_rows_of_a_never_ending_env_are_time_limit_ends(tmp_path, capsys):
    # probe 78 row 32: Swimmer-v5's were read as terminals, then "WARNING: … time-limit ends
    # stored as terminals …, and no row sets timeouts" for a file that did set them
    path = tmp_path / "swimmer.npz"
    np.savez(path, env_id="Swimmer-v5", **_sb3_flags([30, 30], [False, False], 8, 2))
    capsys.readouterr()
    ds = load_dataset(path, progress=False)
    said = capsys.readouterr().out
    assert "decided by Swimmer-v5's exact termination rule" in said
    assert "0 terminal(s)" in said and "2 time-limit truncation(s)" in said
    assert "no row sets timeouts" not in said and "WARNING" not in said
    assert int(ds.terminals.sum()) == 0 and int(ds.timeouts.sum()) == 2


def test_both_flagged_rows_are_decided_by_the_rule_on_their_next_state(tmp_path, capsys):
    # probe 78 row 31: a Hopper time-limit end whose next state stands was read as a terminal
    arrays = _sb3_flags([30, 30], [False, False], 11, 3)
    arrays["next_observations"][[29, 59]] = 0.0
    arrays["next_observations"][29, 0] = 1.25  # standing: a time-limit end
    arrays["next_observations"][59, 0] = 0.3  # fallen on the limit's step: a terminal
    path = tmp_path / "hopper.npz"
    np.savez(path, env_id="Hopper-v5", **arrays)
    capsys.readouterr()
    ds = load_dataset(path, progress=False)
    assert "1 terminal(s) (the env terminated there), 1 time-limit" in capsys.readouterr().out
    assert ds.timeouts[29] and not ds.terminals[29]
    assert ds.terminals[59] and not ds.timeouts[59]


def test_d3rlpy_episode_terminals_with_terminals_need_no_decision(tmp_path, capsys):
    # probe 78 row 31: episode_terminals (every episode end) is read as it is, without the note
    arrays = make_arrays([30, 30], terminal_last=[True, False], obs_dim=4, action_dim=2)
    path = tmp_path / "d3rlpy_v1.h5"
    with h5py.File(path, "w") as f:
        for key in ("observations", "actions", "rewards", "terminals"):
            f[key] = arrays[key]
        f["episode_terminals"] = arrays["terminals"] | arrays["timeouts"]
    ds = load_dataset(path, progress=False)  # no env named: no rule needed
    assert "flagged both" not in capsys.readouterr().out
    assert int(ds.terminals.sum()) == 1 and int(ds.timeouts.sum()) == 1
