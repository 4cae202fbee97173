"""Probe 67b: D4RL-layout files without next_observations, and an env_id that agrees with the
file's name."""

from __future__ import annotations

import h5py
import numpy as np

from rambo_env.data.d4rl_io import read_d4rl_hdf5
from rambo_env.data.generate import generate_dataset
from rambo_env.data.loaders import load_dataset
from rambo_env.data.scores import REF_SCORES


def _write(path, ds, with_next: bool, **attrs) -> None:
    with h5py.File(path, "w") as f:
        for key in ("observations", "actions", "rewards", "terminals", "timeouts"):
            f[key] = getattr(ds, key)
        if with_next:
            f["next_observations"] = ds.next_observations
        f.attrs.update(attrs)


def test_derived_next_states_of_terminal_rows_are_said_not_blamed_on_the_flags(tmp_path, capsys):
    """A file without next_observations whose episodes end in terminals (D4RL's v0 layout,
    ``np.savez(env.get_dataset())``): each terminal row takes the next row's observation, as
    d4rl.qlearning_dataset does; the loader then warned "… are no episode ends … set terminals /
    timeouts only on each episode's last row" and that the terminals contradict Hopper's rule."""
    generate_dataset("hopper", "random", n_transitions=600, progress=False, n_workers=1)
    ds = load_dataset("hopper-random")
    assert ds.terminals.sum() > 5
    path = tmp_path / "hopper-random-v2.hdf5"
    _write(path, ds, with_next=False)
    capsys.readouterr()
    loaded = load_dataset(path)
    out = capsys.readouterr().out
    ended = int(ds.terminals[:-1].sum())
    assert f"note: {ended} terminal row(s): the file holds no state after a terminal step" in out
    # the tiny file's D4RL name is warned about (probe 98 row 54); no other warning
    warnings = [line for line in out.splitlines() if "WARNING" in line]
    assert all("named like D4RL's hopper-random" in line for line in warnings), warnings
    ends = np.flatnonzero(loaded.terminals[:-1])
    np.testing.assert_array_equal(loaded.next_observations[ends], loaded.observations[ends + 1])


def test_an_env_id_agreeing_with_the_file_name_keeps_its_reference_scores(tmp_path):
    """A root attribute env_id='Hopper-v5' on hopper_medium_expert-v2.hdf5 dropped the name's
    D4RL reference scores (normalized_score then raised); another env's id still drops them."""
    generate_dataset("hopper", "random", n_transitions=300, progress=False, n_workers=1)
    ds = load_dataset("hopper-random")
    path = tmp_path / "hopper_medium_expert-v2.hdf5"
    _write(path, ds, with_next=True, env_id="Hopper-v5")
    read = read_d4rl_hdf5(path)
    assert (read.ref_min_score, read.ref_max_score) == REF_SCORES["hopper"]
    assert read.normalized_score(1000.0) > 0


def test_the_same_data_as_an_npz_are_said_alike(tmp_path, capsys):
    """Probe 68b row: ``np.savez`` of the same D4RL-layout arrays still got the "… are no episode
    ends" warning (the .hdf5 fix covered arrays_to_dataset, not the npz reader)."""
    generate_dataset("hopper", "random", n_transitions=600, progress=False, n_workers=1)
    ds = load_dataset("hopper-random")
    path = tmp_path / "d4rl_layout.npz"
    keys = ("observations", "actions", "rewards", "terminals", "timeouts")
    np.savez(path, env_id=np.array("Hopper-v5"), **{k: getattr(ds, k) for k in keys})
    capsys.readouterr()
    load_dataset(path)
    out = capsys.readouterr().out
    assert "terminal row(s): the file holds no state after a terminal step" in out
    assert "WARNING" not in out
