"""Probe 134 rows 9-10 and two inconsistencies: a dataset name given as the env id, a torch.save
file under a dataset's ending, d3rlpy's ``episode_terminals`` in an npz, and rows flagged both
terminal and timeout in a dict passed to load_dataset."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rambo_env.data import load_dataset
from rambo_env.data.dataset import DatasetValidationError, OfflineDataset
from rambo_env.evaluation import check_registered_id
from tests.data.data_helpers import make_arrays


@pytest.mark.parametrize(
    ("env_id", "said"),
    [
        ("hopper-medium-v2", "'hopper-medium-v2' is a dataset name (D4RL / Minari), not a"),
        ("walker2d_medium_replay-v2", "its env is Walker2d-v5"),
        ("mujoco/hopper/medium-v0", "its env is Hopper-v5"),
        ("hopper", "'hopper' is the short name of the Gymnasium env 'Hopper-v5'"),
    ],
)
def test_a_dataset_name_as_env_id_says_what_it_is(env_id, said):
    # row 9: was "not a registered Gymnasium env; import the package that registers it (on a
    # command line: --env-id MODULE:hopper-medium-v2 …)"
    arrays = make_arrays([30, 30], terminal_last=[True, False])
    with pytest.raises(DatasetValidationError) as info:
        load_dataset(arrays, env_id=env_id)
    text = str(info.value)
    assert said in text and "MODULE" not in text and "import the package" not in text
    with pytest.raises(DatasetValidationError, match="env_id='"):
        OfflineDataset.from_arrays(arrays, env_id=env_id)
    with pytest.raises(ValueError, match="--env-id"):
        check_registered_id(env_id)


def test_an_unknown_env_id_keeps_its_own_advice():
    arrays = make_arrays([30], terminal_last=[True])
    with pytest.raises(DatasetValidationError, match=r"did you mean 'Hopper-v5'\?\); import"):
        load_dataset(arrays, env_id="hoper-v5")


@pytest.mark.parametrize("name", ["ds.npz", "ds.hdf5", "ds.pt"])
def test_a_torch_save_file_is_named_as_one(tmp_path, name):
    # row 10: its zip members were listed as unknown arrays ("rename or drop them")
    arrays = make_arrays([30], terminal_last=[True])
    path = tmp_path / name
    torch.save({k: torch.as_tensor(v) for k, v in arrays.items()}, path)
    with pytest.raises(ValueError) as info:
        load_dataset(path)
    text = str(info.value)
    assert "torch.save file" in text and "np.savez(" in text
    assert "data.pkl" not in text and "unknown array" not in text


def test_episode_terminals_in_an_npz_are_read_as_in_an_hdf5(tmp_path, capsys):
    # was "unknown array(s) ['episode_terminals']" from an npz, read as the episode ends from
    # an .h5 (README: d3rlpy 1.x's dump)
    arrays = make_arrays([30, 40, 30], terminal_last=[True, False, True])
    ends = arrays.pop("terminals") | arrays.pop("timeouts")
    terminals = make_arrays([30, 40, 30], terminal_last=[True, False, True])["terminals"]
    np.savez(
        tmp_path / "d3.npz",
        env_id="Hopper-v5",
        terminals=terminals,
        episode_terminals=ends,
        **arrays,
    )
    capsys.readouterr()
    ds = load_dataset(tmp_path / "d3.npz", progress=False)
    assert "'episode_terminals' (d3rlpy 1.x's episode ends" in capsys.readouterr().out
    assert int(ds.terminals.sum()) == 2 and int(ds.timeouts.sum()) == 1
    assert int(ds.episode_ends().sum()) == 3
    # the same arrays as a dict load alike
    dict_ds = load_dataset(
        {**arrays, "terminals": terminals, "episode_terminals": ends}, env_id="Hopper-v5"
    )
    assert np.array_equal(dict_ds.timeouts, ds.timeouts)


def _both_flagged():
    """Gymnasium's flags with the first episode terminated on the time limit's step (both flags;
    its next state fallen for Hopper), the second truncated alone."""
    arrays = make_arrays([30, 30], terminal_last=[True, False])
    arrays["timeouts"][29] = True
    arrays["next_observations"][29] = 0.0
    arrays["next_observations"][29, 0] = 0.3  # Hopper: fallen
    return arrays


def test_rows_flagged_both_load_from_a_dict_as_from_an_npz(tmp_path, capsys):
    # was: the npz loaded with a note, the same dict raised "… are both True"
    arrays = _both_flagged()
    np.savez(tmp_path / "hop.npz", **arrays)
    from_file = load_dataset(tmp_path / "hop.npz", env_id="Hopper-v5", progress=False)
    capsys.readouterr()
    from_dict = load_dataset(arrays, env_id="Hopper-v5")
    said = capsys.readouterr().out
    assert "arrays in memory: 1 row(s) are flagged both terminal and timeout" in said
    assert "decided by Hopper-v5's exact termination rule" in said
    assert np.array_equal(from_dict.terminals, from_file.terminals)
    assert np.array_equal(from_dict.timeouts, from_file.timeouts)
    assert from_dict.terminals[29] and not from_dict.timeouts[29]
    assert arrays["terminals"][29] and arrays["timeouts"][29]  # the caller's arrays unchanged


def test_from_arrays_stays_strict_and_says_where_such_rows_load():
    with pytest.raises(DatasetValidationError, match=r"both True; .*load_dataset\(arrays, env_id"):
        OfflineDataset.from_arrays(_both_flagged(), env_id="Hopper-v5")
