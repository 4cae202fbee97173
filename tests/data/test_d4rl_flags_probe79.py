"""Probe 79: rows flagged both terminal and timeout (rows 11, 12, 29) and hdf5 root attributes
near 'env_kwargs' that hold no JSON object (row 38)."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from rambo_env.data.dataset import DatasetValidationError
from rambo_env.data.loaders import load_dataset
from tests.data.data_helpers import make_arrays


def _gym_flags(obs_dim=11, action_dim=3):
    """Gymnasium's flags (terminals = terminated, timeouts = truncated): episode 0 terminated on
    the time limit's step (both flags, its next state fallen), episode 1 truncated alone."""
    arrays = make_arrays(
        [30, 30], terminal_last=[True, False], obs_dim=obs_dim, action_dim=action_dim
    )
    arrays["timeouts"][29] = True
    arrays["next_observations"][29] = 0.0
    arrays["next_observations"][29, 0] = 0.3  # Hopper: fallen
    return arrays


def _h5(path, arrays, keys, **attrs):
    with h5py.File(path, "w") as f:
        for key in keys:
            f[key] = arrays[key]
        f.attrs.update(attrs)
    return path


def test_the_both_flagged_note_advises_what_fits_the_rows(tmp_path, capsys):
    # probe 79 row 11: was "store terminals = terminated to keep this note away" for a file of
    # real terminations also flagged timeout (it stores terminals = terminated already)
    arrays = _gym_flags()
    np.savez(tmp_path / "hop.npz", env_id="Hopper-v5", **arrays)
    capsys.readouterr()
    ds = load_dataset(tmp_path / "hop.npz", progress=False)
    said = capsys.readouterr().out
    assert "1 terminal(s) (the env terminated there), 0 time-limit truncation(s)" in said
    assert "clear timeouts on terminal rows" in said
    assert "store terminals = terminated" not in said and "SB3" not in said
    assert ds.terminals[29] and not ds.timeouts[29]


def test_both_flagged_rows_without_a_rule_are_terminals_next_to_a_timeout_alone(tmp_path, capsys):
    # probe 79 rows 12 / 29: a gymnasium recording (terminated and truncated both True on one
    # step) was refused, advising "store terminals = terminated only", which it does; a row
    # flagged timeout alone says the terminals are not SB3's dones: read as terminals
    arrays = _gym_flags(obs_dim=2, action_dim=1)
    np.savez(tmp_path / "mcc.npz", env_id="MountainCarContinuous-v0", **arrays)
    capsys.readouterr()
    ds = load_dataset(tmp_path / "mcc.npz", progress=False)
    said = capsys.readouterr().out
    assert (
        "1 row(s) are flagged both terminal and timeout (first: row 29): read as terminals" in said
    )
    assert "clear timeouts on terminal rows" in said
    assert ds.terminals[29] and not ds.timeouts[29] and ds.timeouts[59]
    # Hopper-v5 without next_observations (D4RL v0 layout): read as terminals, not refused
    keys = ("observations", "actions", "rewards", "terminals", "timeouts")
    path = _h5(tmp_path / "hop_v0.hdf5", _gym_flags(), keys)
    ds = load_dataset(path, env_id="Hopper-v5", progress=False)
    assert int(ds.terminals.sum()) == 1 and not (ds.terminals & ds.timeouts).any()


def test_sb3_flags_without_a_rule_are_refused_with_both_ways_out(tmp_path):
    # probe 79 row 29: the refusal names the case (no row flagged timeout alone) and both fixes
    arrays = make_arrays([30, 30], terminal_last=[False, False], obs_dim=2, action_dim=1)
    arrays["terminals"] = arrays["terminals"] | arrays["timeouts"]
    np.savez(tmp_path / "sb3.npz", env_id="MountainCarContinuous-v0", **arrays)
    with pytest.raises(DatasetValidationError) as info:
        load_dataset(tmp_path / "sb3.npz")
    said = str(info.value)
    assert "no row is flagged timeout alone" in said
    assert "store terminals = terminated only" in said
    assert "terminals already terminated only" in said and "clear timeouts on those rows" in said


@pytest.mark.parametrize("key, value", [("env_args", "v5"), ("gym_kwargs", "[1, 2]")])
def test_a_root_attribute_near_env_kwargs_holding_no_json_object_is_not_refused(
    tmp_path, key, value
):
    # probe 79 row 38: was "root attribute 'env_args' (v5) is not read (did you mean
    # 'env_kwargs'?) …": every attribute was taken for a dict, the whole file refused
    arrays = make_arrays([30, 30], terminal_last=[True, False])
    keys = ("observations", "actions", "rewards", "terminals", "timeouts", "next_observations")
    path = _h5(tmp_path / "hop.hdf5", arrays, keys, **{key: value})
    assert load_dataset(path, env_id="Hopper-v5", progress=False).env_kwargs == {}
    path = _h5(tmp_path / "kw.hdf5", arrays, keys, gym_kwargs='{"healthy_z_range": [0.3, 1]}')
    with pytest.raises(DatasetValidationError, match=r"'gym_kwargs' .*did you mean 'env_kwargs'"):
        load_dataset(path, env_id="Hopper-v5")


def test_from_arrays_both_flagged_names_both_ways_out():
    # probe 79 row 29: was "… are both True; a time-limit truncation is never a terminal", no fix
    from rambo_env.data.dataset import OfflineDataset

    arrays = _gym_flags(obs_dim=2, action_dim=1)
    with pytest.raises(DatasetValidationError, match=r"both True; .* clear timeouts on those rows"):
        OfflineDataset.from_arrays(arrays, env_id="MountainCarContinuous-v0")
