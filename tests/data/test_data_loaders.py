"""load_dataset: D4RL hdf5 files and names, npz, dicts, Minari ids, short-name resolution, errors."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
import types
from pathlib import Path

import h5py
import minari
import numpy as np
import pytest

from rambo_env.data import (
    DatasetUnavailableError,
    DatasetValidationError,
    OfflineDataset,
    load_dataset,
)
from rambo_env.data.generate import generate_dataset
from rambo_env.data.minari_io import (
    dataset_to_episodes,
    episodes_to_dataset,
    minari_dataset_path,
    save_minari,
)
from tests.data.data_helpers import make_arrays, make_dataset, nothing_in_the_minari_root

TIMEOUT_ROW, TERMINAL_ROW = 4, 8


def _write_d4rl_hdf5(path, *, column_vectors: bool = True):
    """D4RL layout: episode 0 ends in a timeout (row 4), episode 1 in a terminal (row 8).

    The stored successor of the timeout row differs from the next row (the reset state), as in D4RL.
    """
    a = make_arrays([5, 4, 3], terminal_last=[False, True, False])
    a["next_observations"][TIMEOUT_ROW] = 7.0
    with h5py.File(path, "w") as f:
        for key, value in a.items():
            f[key] = value[:, None] if column_vectors and value.ndim == 1 else value
        f["infos/qpos"] = np.zeros((12, 6))  # extra D4RL keys are ignored
    return a


def test_an_hdf5_field_that_is_a_group_names_it(tmp_path):
    """Probe 9: an hdf5 file whose 'actions' is a group gave h5py's raw TypeError "Accessing a
    group is done with bytes or str, not <class 'tuple'>"."""
    a = make_arrays([5, 4], terminal_last=[False, True])
    path = tmp_path / "x.hdf5"
    with h5py.File(path, "w") as f:
        for key, value in a.items():
            if key != "actions":
                f[key] = value
        f.create_group("actions")
    with pytest.raises(DatasetValidationError, match=r"'actions' is a group, not an array"):
        load_dataset(str(path), env_id="Hopper-v5")


def test_an_hdf5_key_misspelling_a_d4rl_field_is_refused(tmp_path):
    """Probe 26: ``timeout`` (for ``timeouts``) was ignored without a word: without
    next_observations the episodes were then cut every 1000 steps, and 39 transitions crossing
    episode ends were trained on (the npz reader refuses the same typo). Other extra keys stay
    ignored, as D4RL's own (``infos/``, ``metadata/``)."""
    path = tmp_path / "typo.hdf5"
    a = _write_d4rl_hdf5(path)
    with h5py.File(path, "a") as f:
        f["timeout"] = f["timeouts"][()]
        del f["timeouts"]
        f["metadata/algorithm"] = "sac"
        f["some_extra_array"] = np.zeros(len(a["rewards"]))
    with pytest.raises(DatasetValidationError, match=r"top-level key 'timeout' is not a D4RL "
                       r"field \(did you mean 'timeouts'\?\)"):  # fmt: skip
        load_dataset(str(path), env_id="Hopper-v5")
    with h5py.File(path, "a") as f:
        f["timeouts"] = f["timeout"][()]
        del f["timeout"]
    assert load_dataset(str(path), env_id="Hopper-v5").n_transitions == len(a["rewards"])


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        ({"terminals": None}, r"missing key\(s\) \['terminals'\]; got keys"),
        (
            {"rewards": np.float32(1)},
            r"field 'rewards' is a scalar \(shape \(\)\); it needs one value per row \(9,\)",
        ),
        (
            {"rewards": np.zeros(5, np.float32)},
            r"field 'rewards' has 5 rows but 'observations' has 9",
        ),
        ({"rows": 1}, r"'observations' has 1 row\(s\): without next_observations .* at least 2"),
        ({"rows": 0}, r"'observations' has 0 row\(s\)"),
    ],
)
def test_hdf5_fields_next_states_are_derived_from_are_checked_first(tmp_path, edit, match):
    """Probe 16: a D4RL-layout file without next_observations whose ``terminals`` were missing gave
    a raw ``KeyError: 'terminals'``; a scalar, short or empty field (or 1 row) "unreadable
    (IndexError …); re-create or re-download it", for a file that reads fine."""
    a = make_arrays([5, 4], terminal_last=[False, True])
    del a["next_observations"], a["timeouts"]
    rows = edit.pop("rows", None)
    if rows is not None:
        a = {k: v[:rows] for k, v in a.items()}
    a.update(edit)
    path = tmp_path / "x.hdf5"
    with h5py.File(path, "w") as f:
        for key, v in a.items():
            if v is not None:
                f[key] = v
    with pytest.raises(DatasetValidationError, match=match) as err:
        load_dataset(str(path), env_id="Hopper-v5")
    assert "unreadable" not in str(err.value)


def _write_arrays_hdf5(path, arrays: dict):
    """``arrays`` as the top-level datasets of a new hdf5 file at ``path`` (D4RL's layout)."""
    with h5py.File(path, "w") as f:
        for key, v in arrays.items():
            f[key] = v
    return path


@pytest.mark.parametrize("derive", [False, True])
@pytest.mark.parametrize("value", [0.5, 2, b"a"])
def test_hdf5_timeouts_that_are_not_booleans_are_refused(tmp_path, value, derive):
    """Probe 13: an hdf5 file's timeouts of 0.5, 2 or b"a" were cast to True before any check
    (every row ended an episode, silently); the terminals were checked, the timeouts not."""
    a = make_arrays([5, 4], terminal_last=[False, True])
    a["timeouts"] = np.full(9, value)
    if derive:
        del a["next_observations"]
    path = _write_arrays_hdf5(tmp_path / "x.hdf5", a)
    with pytest.raises(
        DatasetValidationError, match=r"timeouts(\[0\] = \S+ is not a boolean|.*dtype)"
    ):
        load_dataset(str(path), env_id="Hopper-v5")


@pytest.mark.parametrize("derive", [False, True])
@pytest.mark.parametrize("extra", [-3, 4])
def test_hdf5_timeouts_of_another_length_are_named(tmp_path, extra, derive):
    """Probe 29: timeouts 3 rows short (or 4 long) beside next_observations were numpy's raw
    "operands could not be broadcast together", naming no field or file."""
    a = make_arrays([5, 4], terminal_last=[False, True])
    a["timeouts"] = np.zeros(9 + extra, dtype=bool)
    if derive:
        del a["next_observations"]
    path = _write_arrays_hdf5(tmp_path / "x.hdf5", a)
    with pytest.raises(
        DatasetValidationError,
        match=rf"field 'timeouts' has {9 + extra} rows but 'observations' has 9",
    ):
        load_dataset(str(path), env_id="Hopper-v5")


@pytest.mark.parametrize("fmt", ["hdf5", "hdf5 without next_observations", "npz", "dict"])
@pytest.mark.parametrize(
    ("key", "needs"),
    [
        ("rewards", r"one value per row \(9,\): store an array with a value per step"),
        ("actions", r"one row per step \(9, action_dim\): store an array \[N, action_dim\]"),
        ("observations", r"one row per step \(9, obs_dim\): store an array \[N, obs_dim\]"),
        ("next_observations", r"one row per step \(9, obs_dim\)"),
        ("terminals", r"one flag per row \(9,\)"),
        ("timeouts", r"one flag per row \(9,\)"),
    ],
)
def test_any_per_row_field_stored_as_a_scalar_is_refused(tmp_path, key, needs, fmt):
    """Probe 35: ``timeouts`` / ``terminals`` stored as a 0-d False loaded as "no timeouts" (only
    the generic warning of rows that end an episode without a flag). Its leftover: 0-d observations in an hdf5 file were a raw "len() of unsized object"
    TypeError, 0-d rewards / actions "has shape () (ndim 0); expected ndim 1" (or "has shape ()
    but 'observations' has 9 rows"); only the flags had the clear error."""
    if key == "next_observations" and fmt == "hdf5 without next_observations":
        pytest.skip("the field is not stored")
    a = make_arrays([5, 4], terminal_last=[False, True])
    a[key] = np.bool_(False) if key in ("terminals", "timeouts") else np.float32(0.5)
    if fmt == "hdf5 without next_observations":
        del a["next_observations"]
    if fmt == "dict":
        src = a
    elif fmt == "npz":
        np.savez(tmp_path / "x.npz", **a)
        src = str(tmp_path / "x.npz")
    else:
        src = str(_write_arrays_hdf5(tmp_path / "x.hdf5", a))
    with pytest.raises(
        DatasetValidationError, match=rf"field '{key}' is a scalar \(shape \(\)\); it needs {needs}"
    ) as err:
        load_dataset(src, env_id="Hopper-v5")
    assert fmt == "dict" or src in str(err.value)  # the file is named


@pytest.mark.parametrize("fmt", ["npz", "hdf5"])
@pytest.mark.parametrize(("obs", "nxt"), [("float16", "float32"), ("float32", "float16")])
def test_observations_and_next_observations_at_two_precisions_are_named(
    tmp_path, capsys, fmt, obs, nxt
):
    """A probe: float16 observations beside float32 next_observations were "9 row(s) end an episode
    without a flag … mark them as timeouts" (each row's float16 rounding taken for a new episode,
    the advice wrong); now one warning names both fields and dtypes and continuity is judged at
    the coarser precision, so a real unflagged episode end is still found."""
    a = make_arrays([5, 4, 3], terminal_last=[False, True, False])
    a["observations"], a["next_observations"] = (
        a["observations"].astype(obs),
        a["next_observations"].astype(nxt),
    )
    path = tmp_path / f"mixed.{fmt}"
    if fmt == "npz":
        np.savez(path, **a)
    else:
        _write_arrays_hdf5(path, a)
    d = load_dataset(str(path), env_id="Hopper-v5")
    out = capsys.readouterr().out
    assert "without a flag" not in out and "mark them as timeouts" not in out, out
    assert out.count("are stored as") == 1, out  # probe 50: the warning was printed twice
    assert (
        f"'observations' are stored as {obs} but 'next_observations' as {nxt}" in out
        and "judged at float16 precision" in out
        and "store both fields at the same precision (float32)" in out
    ), out
    assert d.unmarked_episode_ends(rtol=float(np.finfo(np.float16).eps)).size == 0
    a["timeouts"][4] = False  # a real episode end without a flag is still said
    OfflineDataset.from_arrays(a)
    assert "1 row(s) end an episode without a flag (first: row 4" in capsys.readouterr().out


def test_float64_observations_beside_float32_next_observations_say_nothing(capsys):
    a = make_arrays([5, 4], terminal_last=[False, True])
    a["observations"] = a["observations"].astype(np.float64)
    OfflineDataset.from_arrays(a)
    assert "WARNING" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("link", "said"),
    [
        (
            "missing_file",
            r"is an external link to '/x' in the file \S+nothere\.h5, which is missing",
        ),
        (
            "missing_object",
            r"is an external link to '/nope' in the file \S+other\.h5, whose object",
        ),
        ("soft", r"is a soft link to '/nope', which is not in the file"),
    ],
    ids=["missing_file", "missing_object", "soft"],
)
def test_an_hdf5_field_linked_to_what_is_missing_is_named(tmp_path, link, said):
    """A probe: a field that is an h5py ExternalLink to a missing file was h5py's raw KeyError
    "Unable to synchronously open object (can't open file)", with a traceback from the CLI. A
    link that resolves still loads."""
    a = make_arrays([5, 4], terminal_last=[False, True])
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = a["next_observations"]
    path = _write_arrays_hdf5(tmp_path / "linked.hdf5", a)
    with h5py.File(path, "a") as f:
        del f["next_observations"]
        f["next_observations"] = h5py.ExternalLink(str(other), "/x")
    assert load_dataset(str(path), env_id="Hopper-v5").n_transitions == 9
    with h5py.File(path, "a") as f:
        del f["next_observations"]
        f["next_observations"] = {
            "missing_file": h5py.ExternalLink(str(tmp_path / "nothere.h5"), "/x"),
            "missing_object": h5py.ExternalLink(str(other), "/nope"),
            "soft": h5py.SoftLink("/nope"),
        }[link]
    with pytest.raises(DatasetValidationError, match=rf"hdf5 file \S+linked\.hdf5: field "
                       rf"'next_observations' {said}") as err:  # fmt: skip
        load_dataset(str(path), env_id="Hopper-v5")
    assert "re-create" in str(err.value)


def _store_externally(path, key: str, raw) -> None:
    """Field ``key`` of the hdf5 file ``path`` rewritten into the external raw file ``raw``
    (h5py ``external=``)."""
    with h5py.File(path, "a") as f:
        value = f[key][()]
        del f[key]
        f.create_dataset(key, data=value, external=[(str(raw), 0, h5py.h5f.UNLIMITED)])


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_an_hdf5_field_in_a_missing_external_raw_file_is_named(tmp_path, monkeypatch, relative):
    """Issue 14: a field stored with h5py ``external=`` whose raw file is missing was
    "unreadable (OSError … unable to open external raw data file); re-create or re-download
    it"; now the field and the raw file are named. Present, it loads."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HDF5_EXTFILE_PREFIX", raising=False)
    a = make_arrays([5, 4], terminal_last=[False, True])
    path = _write_arrays_hdf5(tmp_path / "ext.hdf5", a)
    raw = "rewards.bin" if relative else tmp_path / "rewards.bin"
    _store_externally(path, "rewards", raw)
    assert load_dataset(str(path), env_id="Hopper-v5").n_transitions == 9
    (tmp_path / "rewards.bin").unlink()
    with pytest.raises(DatasetValidationError, match=rf"hdf5 file \S+ext\.hdf5: field 'rewards' "
                       rf"is stored in the external raw file {re.escape(str(tmp_path))}/rewards"
                       r"\.bin.*, which is missing \(h5py external=\)") as err:  # fmt: skip
        load_dataset(str(path), env_id="Hopper-v5")
    said = str(err.value)
    assert "put that file in place" in said and "unreadable" not in said, said
    assert ("working folder" in said) == relative, said


def test_d4rl_hdf5_file_keeps_timeouts_and_stored_next_observations(tmp_path):
    path = tmp_path / "hopper_medium-v2.hdf5"
    a = _write_d4rl_hdf5(path)
    d = load_dataset(str(path))
    assert d.rewards.shape == (12,) and d.terminals.shape == (12,)
    assert np.flatnonzero(d.timeouts).tolist() == [TIMEOUT_ROW, 11]
    assert np.flatnonzero(d.terminals).tolist() == [TERMINAL_ROW]
    np.testing.assert_array_equal(d.next_observations[TIMEOUT_ROW], np.full(11, 7.0, np.float32))
    assert not np.array_equal(d.next_observations[TIMEOUT_ROW], d.observations[TIMEOUT_ROW + 1])
    np.testing.assert_array_equal(d.next_observations, a["next_observations"])
    assert (d.env_id, d.name, d.ref_min_score, d.ref_max_score) == (
        "Hopper-v5",
        "hopper-medium",
        -20.272305,
        3234.3,
    )
    assert d.source == f"d4rl-hdf5:{path}"


def test_d4rl_step_flagged_terminal_and_timeout_is_a_terminal(tmp_path):
    path = tmp_path / "walker2d_medium_replay-v2.hdf5"
    a = make_arrays([5, 4, 3], terminal_last=[False, True, False], obs_dim=17, action_dim=6)
    a["timeouts"][TERMINAL_ROW] = True
    # probe 78 row 31: a row flagged both is what Walker2d's exact rule says of its next state:
    # a fallen one here (make_arrays' random next state is read as a time-limit end)
    a["next_observations"][TERMINAL_ROW, 0] = 0.3
    with h5py.File(path, "w") as f:
        for key, value in a.items():
            f[key] = value
    d = load_dataset(path)
    assert d.name == "walker2d-medium-replay" and d.env_id == "Walker2d-v5"
    assert d.terminals[TERMINAL_ROW] and not d.timeouts[TERMINAL_ROW]


def test_d4rl_name_reads_file_from_d4rl_dir_and_env_var(tmp_path, monkeypatch, capsys):
    _write_d4rl_hdf5(tmp_path / "hopper_medium-v2.hdf5")
    d = load_dataset("hopper-medium-v2", d4rl_dir=tmp_path)
    assert d.source.endswith("hopper_medium-v2.hdf5") and d.name == "hopper-medium"
    assert "hopper_medium-v2.hdf5" in capsys.readouterr().out  # the resolved source is printed
    monkeypatch.setenv("D4RL_DATASET_DIR", str(tmp_path))
    assert load_dataset("hopper-medium-v2").fingerprint() == d.fingerprint()
    with pytest.raises(DatasetUnavailableError, match=r"hopper_expert-v2\.hdf5"):
        load_dataset("hopper-expert-v2")


def test_a_missing_d4rl_file_names_the_folder_searched(tmp_path, monkeypatch):
    """was: "$D4RL_DATASET_DIR (= None)" whenever the folder came from the variable."""
    monkeypatch.setenv("D4RL_DATASET_DIR", str(tmp_path))
    with pytest.raises(DatasetUnavailableError, match=rf"\(= {re.escape(str(tmp_path))}\)"):
        load_dataset("hopper-expert-v2")
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    monkeypatch.setenv("D4RL_DATASET_DIR", str(a_file))
    with pytest.raises(DatasetUnavailableError, match=r"a-file, which is not a folder\)"):
        load_dataset("hopper-expert-v2")
    for value in ("", None):  # probe 12: was "(= None)" and "download it into that directory"
        if value is None:
            monkeypatch.delenv("D4RL_DATASET_DIR")
        else:
            monkeypatch.setenv("D4RL_DATASET_DIR", value)
        with pytest.raises(DatasetUnavailableError, match=r"\(= neither is set\).* set D4RL_DA"):
            load_dataset("hopper-expert-v2")


def test_d4rl_file_without_next_observations_derives_them(tmp_path):
    path = tmp_path / "hopper_random-v0.hdf5"
    a = make_arrays([5, 4, 3], terminal_last=[False, True, False])
    with h5py.File(path, "w") as f:
        for key in ("observations", "actions", "rewards", "terminals", "timeouts"):
            f[key] = a[key]
    d = load_dataset(path)
    assert d.n_transitions == 12 - 2  # the timeout row 4 and the last row have no known successor
    np.testing.assert_array_equal(d.next_observations[:4], a["observations"][1:5])
    # Row 3 is episode 0's last stored step (its successor row was dropped): a timeout, not an
    # unmarked episode end followed by episode 1's first row.
    assert np.flatnonzero(d.timeouts).tolist() == [3, 9] and d.unmarked_episode_ends().size == 0
    assert d.episode_ends().sum() == 3


def test_d4rl_file_without_next_observations_whose_rows_are_all_episode_ends(tmp_path):
    """Probe 24: a file without next_observations whose every row is a timeout (episodes of
    length 1) said "dataset is empty: field 'observations' has 0 rows" of a 300-row file."""
    path = tmp_path / "hopper_random-v0.hdf5"
    a = make_arrays([6], terminal_last=[False])
    with h5py.File(path, "w") as f:
        for key in ("observations", "actions", "rewards", "terminals"):
            f[key] = a[key]
        f["timeouts"] = np.ones(6, dtype=bool)
    with pytest.raises(ValueError, match=r"no row has a known next state: all 6 rows are episode "
                       r"ends .*store next_observations in the file"):  # fmt: skip
        load_dataset(path)


def test_terminals_that_contradict_the_env_rule_warn_once_at_load(capsys):
    a = make_arrays([5, 4, 3], terminal_last=[False, True, False])
    for key in ("observations", "next_observations"):
        a[key][:, :2] = (1.25, 0.0)  # Hopper standing: the rule keeps every row alive
    a["next_observations"][8, 0] = 0.5  # the terminal row fell: agrees with the rule
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    assert "WARNING" not in capsys.readouterr().out
    a["terminals"][2] = True  # terminal, but its next state is alive
    a["next_observations"][4, 0] = 0.5  # fell, but only a timeout
    a["timeouts"][4] = False
    a["observations"][5] = a["next_observations"][4]  # (so no unmarked episode end either)
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert "terminals contradict Hopper-v5's termination rule" in out
    assert "1 (first: row 2) terminal row(s)" in out and "1 (first: row 4) non-terminal" in out
    load_dataset(OfflineDataset.from_arrays(a))  # no env, no rule: nothing to compare with
    assert "contradict" not in capsys.readouterr().out


def test_time_limit_ends_stored_as_terminals_warn_as_such(capsys):
    """Probe 38 row 69: ``done = terminated or truncated`` written as terminals (timeouts all
    False) was blamed on the env version / layout by the termination warning."""
    a = make_arrays([6, 6, 6, 5], terminal_last=[False] * 4)  # chunks of equal length
    for key in ("observations", "next_observations"):
        a[key][:, :2] = (1.25, 0.0)  # Hopper standing: the rule keeps every row alive
    a["terminals"], a["timeouts"] = a["timeouts"], np.zeros_like(a["timeouts"])
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert "4 terminal row(s) (first: row 5, step 6 of its episode)" in out
    assert "time-limit ends stored as terminals" in out and "move them to timeouts" in out
    a["terminals"][[5, 11]] = False  # one alive terminal of its own length, mid-data: no pattern
    a["observations"][[6, 12]] = a["next_observations"][[5, 11]]
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    out = capsys.readouterr().out
    assert "terminals contradict" in out and "time-limit" not in out


def test_time_limit_ends_stored_as_terminals_in_part_of_the_data_warn_as_such(capsys):
    """Probe 39 row 110: with one time-limit end kept as a timeout and the others stored as
    terminals (two loggers merged), the time-limit diagnosis was skipped (it needed timeouts all
    False) and the termination warning blamed the env version / layout."""
    a = make_arrays([6, 6, 6, 5], terminal_last=[False] * 4)
    for key in ("observations", "next_observations"):
        a[key][:, :2] = (1.25, 0.0)  # Hopper standing: the rule keeps every row alive
    a["terminals"], a["timeouts"] = a["timeouts"].copy(), np.zeros_like(a["timeouts"])
    a["terminals"][5], a["timeouts"][5] = False, True  # the first end kept as a timeout
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert "3 terminal row(s) (first: row 11, step 6 of its episode)" in out
    assert "while 1 other row(s) set timeouts: time-limit ends stored as terminals" in out
    assert "contradict" not in out
    b = make_arrays([6, 1, 6, 1, 6, 1], terminal_last=[False, True] * 3)  # one-row "episodes"
    for key in ("observations", "next_observations"):
        b[key][:, :2] = (1.25, 0.0)  # each terminal right after a timeout: no time limit
    load_dataset(OfflineDataset.from_arrays(b, env_id="Hopper-v5"))
    out = capsys.readouterr().out
    assert "terminals contradict" in out and "time-limit" not in out


@pytest.mark.parametrize("env_id", ["Hopper-v5", "Walker2d-v5", "Hopper-v4"])
def test_falls_stored_as_timeouts_or_without_a_flag_warn_as_such(capsys, env_id):
    """Probe 39 rows 72 / 73: falls stored as timeouts (``timeouts = terminated or truncated``,
    terminals all False) were blamed on the env version / layout; falls with no flag at all
    (terminals lost) were "mark them as timeouts" (wrong: they are falls) plus that blame. Each
    is now one warning naming the fault; the genuine data say nothing (also under -v4: probe 39
    rows 60 / 37, the checks were skipped for -v4 ids)."""
    a = _rollout(env_id, 300)
    assert a["terminals"].sum() >= 3  # random policy: it falls
    load_dataset(dict(a), env_id=env_id)
    assert "WARNING" not in capsys.readouterr().out
    falls = np.flatnonzero(a["terminals"])
    as_timeouts = {**a, "terminals": np.zeros_like(a["terminals"]),
                   "timeouts": a["terminals"] | a["timeouts"]}  # fmt: skip
    load_dataset(as_timeouts, env_id=env_id)
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert (
        f"falls stored as timeouts? {falls.size} timeout row(s) (first: row {falls[0]}) end "
        f"where {env_id}'s termination rule ends the episode, short of its time limit" in out
    )
    assert "set terminals on them" in out and "contradict" not in out
    lost = {**a, "terminals": np.zeros_like(a["terminals"])}
    load_dataset(lost, env_id=env_id)
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert (
        f"terminals missing? {falls.size} row(s) end an episode without a flag where "
        f"{env_id}'s termination rule ends it (first: row {falls[0]}; 0 row(s) set terminals)"
        in out
    )
    assert "mark them as timeouts" not in out and "contradict" not in out
    cut = {k: v[: falls[-1] + 1] for k, v in lost.items()}  # the data end with a fall
    load_dataset(cut, env_id=env_id)
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1 and f"terminals missing? {falls.size - 1} row(s)" in out, out


def test_termination_rules_cover_the_v4_envs(capsys):
    """Probe 39 rows 60 / 37: the termination checks were silent under -v4 ids, whose rules and
    observation layout equal v5's (gymnasium's hopper_v4.py / walker2d_v4.py)."""
    from rambo_env.dynamics.termination import TERMINATION_FNS

    for env in ("Hopper", "Walker2d", "HalfCheetah"):
        assert TERMINATION_FNS[f"{env}-v4"] is TERMINATION_FNS[f"{env}-v5"]
    a = make_arrays([6, 6, 6, 5], terminal_last=[False] * 4)
    for key in ("observations", "next_observations"):
        a[key][:, :2] = (1.25, 0.0)
    a["terminals"], a["timeouts"] = a["timeouts"], np.zeros_like(a["timeouts"])
    load_dataset(dict(a), env_id="Hopper-v4")
    assert "time-limit ends stored as terminals" in capsys.readouterr().out


def test_normalised_observations_warn_as_such_and_nothing_else(capsys):
    """Probe 38 row 30: observations stored z-scored (VecNormalize's output) were blamed on the
    actions and the env version by the transition and termination checks."""
    a = make_arrays([60, 60], terminal_last=[False, False])
    mean, std = a["observations"].mean(0), a["observations"].std(0)
    for key in ("observations", "next_observations"):
        a[key] = (a[key] - mean) / std  # one running mean / std for both, as VecNormalize
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert "observations look normalised (mean 0, std 1 on each of the 11 columns" in out
    assert "store the raw observations (VecNormalize.get_original_obs())" in out
    for key in ("observations", "next_observations"):
        a[key][:, 0] += 1.25  # Hopper's height: raw
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    assert "look normalised" not in capsys.readouterr().out


def test_npz_and_dict_inputs(tmp_path):
    src = make_dataset(name="mine", ref_min_score=0.0, ref_max_score=10.0)
    d = load_dataset(src.to_npz(tmp_path / "mine.npz"))
    assert d.fingerprint() == src.fingerprint() and d.source.startswith("npz:")
    a = make_arrays([3], terminal_last=[True])
    e = load_dataset(a)
    assert isinstance(e, OfflineDataset) and e.source == "arrays" and e.n_transitions == 3


def test_data_of_a_d4rl_env_without_reference_scores_take_d4rl_s(tmp_path, capsys):
    """Issue 14 (probe 35 line 16): a Hopper-v5 npz saved without ref_min_score / ref_max_score
    scored 'n/a' everywhere (cotrain, results.json, ledger, curves), though D4RL has Hopper's
    reference returns. They are taken at load, with one note; the fingerprint (model cache key,
    a resumed run's identity) is unchanged."""
    from rambo_env.data.scores import REF_SCORES, d4rl_ref_env

    src = make_dataset(name="mine")  # Hopper-v5, no reference scores
    d = load_dataset(str(src.to_npz(tmp_path / "mine.npz")))
    assert (d.ref_min_score, d.ref_max_score) == REF_SCORES["hopper"]
    out = capsys.readouterr().out
    assert out.count("carries no reference scores") == 1
    assert (
        "note: dataset 'mine' carries no reference scores; using D4RL's hopper returns (-20.27 / "
        "3234.3: random / expert policy) for the normalised score" in out
    )
    assert d.fingerprint() == src.fingerprint() and d.behaviour_score() is not None
    assert d4rl_ref_env("Walker2d-v4") == "walker2d" and d4rl_ref_env("Hopper-v3") is None
    assert load_dataset(src, env_id="Hopper-v4").ref_max_score == REF_SCORES["hopper"][1]
    assert "using D4RL's hopper returns" in capsys.readouterr().out
    own = load_dataset(make_dataset(ref_min_score=0.0, ref_max_score=10.0))  # its own: kept
    assert (own.ref_min_score, own.ref_max_score) == (0.0, 10.0)
    unnamed = load_dataset(make_arrays([3], terminal_last=[True]))  # no env: no scores, as before
    assert unnamed.ref_min_score is None and unnamed.behaviour_score() is None
    assert "carries no reference scores" not in capsys.readouterr().out


def test_a_dataset_path_with_a_tilde_is_read_from_home(tmp_path, monkeypatch):
    """``--dataset=~/mine.npz`` (the shell leaves that ~): was "npz file ~/mine.npz does not exist"."""
    monkeypatch.setenv("HOME", str(tmp_path))
    src = make_dataset(name="mine")
    src.to_npz(tmp_path / "mine.npz")
    d = load_dataset("~/mine.npz")
    assert d.fingerprint() == src.fingerprint() and d.source == f"npz:{tmp_path / 'mine.npz'}"


def test_dataset_not_matching_its_env_is_rejected():
    d = make_dataset(env_id="HalfCheetah-v5")  # 11-dim observations, HalfCheetah has 17
    with pytest.raises(ValueError, match="'observations' has obs_dim 11"):
        load_dataset(d)


def test_data_of_other_dims_than_their_env_say_what_to_do(tmp_path):
    """Probe 48: 12-dim observations named Hopper-v5 data (11) were refused with "field
    'observations' has obs_dim 12 but the env's observation space is Box(…) (env_id='Hopper-v5')"
    and no what-to-do (the out-of-bounds actions one had it). Now both dims mismatches give the
    advice; a caller with its own advice (data that name no env, taken as the id's) gives only
    its own."""

    advice = ": the data do not fit that env; name the env they come from (env_id=…, --env-id)"
    for obs_dim, action_dim, key, said in (
        (12, 3, "observations", "obs_dim 12 but the env's observation space is Box("),
        (11, 4, "actions", "action_dim 4 but the env's action space is Box("),
    ):
        arrays = make_arrays(
            [5, 4], terminal_last=[False, True], obs_dim=obs_dim, action_dim=action_dim
        )
        data = OfflineDataset.from_arrays(arrays, env_id="Hopper-v5", name="mine")
        for load, arg in ((load_dataset, data), (data.to_npz, tmp_path / "m.npz")):
            with pytest.raises(ValueError) as err:
                load(arg)
            assert f"field '{key}' has {said}" in str(err.value)
            assert str(err.value).endswith(f"(env_id='Hopper-v5'){advice}"), err.value
    from rambo_env.data.loaders import _taken_as

    arrays = make_arrays([5, 4], terminal_last=[False, True])  # Hopper dims, no env named
    with pytest.raises(ValueError) as err:
        _taken_as(OfflineDataset.from_arrays(arrays, name="mine"), "Walker2d-v5", "the id's")
    assert "but it does not fit Walker2d-v5: field 'observations' has obs_dim 11" in str(err.value)
    assert "name the env they come from" not in str(err.value), err.value


def test_an_env_id_that_is_registered_but_cannot_be_made_is_one_error():
    """``Hopper-v3`` (mujoco-py) is in gymnasium's registry: was its raw ImportError at load."""
    import gymnasium as gym

    def broken(**kwargs):
        raise ImportError("needs mujoco-py")

    gym.register(id="BrokenForTest-v0", entry_point=broken)
    try:
        for env_id in ("BrokenForTest-v0", "Hopper-v3"):
            with pytest.raises(
                DatasetValidationError, match=f"env_id: '{env_id}' is registered but cannot be made"
            ):
                load_dataset(make_dataset(), env_id=env_id)
    finally:
        del gym.registry["BrokenForTest-v0"]


def test_a_learned_model_env_as_the_data_env_is_refused_before_anything_is_made(monkeypatch):
    """Probe 12: ``--env-id RamboModel-hopper-medium`` was made to check the data's dims, which
    loads (or generates, 1M steps) hopper-medium and trains a dynamics model."""
    import rambo_env.envs.model_env as model_env

    def made(*args, **kwargs):
        raise AssertionError("the model env was made")

    monkeypatch.setattr(model_env.RamboModelEnv, "__init__", made)
    with pytest.raises(DatasetValidationError, match="'RamboModel-hopper-medium' is this project"):
        load_dataset(make_dataset(), env_id="RamboModel-hopper-medium")


def test_an_env_id_that_does_not_fit_a_short_name_fails_before_generating(monkeypatch):
    """Probe 12: ``--dataset hopper-random --env-id Walker2d-v5`` generated 1M Hopper steps
    (minutes) and only then failed on the dims."""
    import rambo_env.data.generate as generate

    def generated(*args, **kwargs):
        raise AssertionError("generated")

    monkeypatch.setattr(generate, "generate_dataset", generated)
    for env_id, match in (
        ("Walker2d-v5", r"env_id: 'Walker2d-v5' does not fit 'hopper-random', which is Hopper-v5"),
        ("NoSuchEnv-v0", r"does not fit .*'NoSuchEnv-v0' is not a registered Gymnasium env"),
    ):
        with pytest.raises(DatasetValidationError, match=match):
            load_dataset("hopper-random", env_id=env_id)
    with pytest.raises(AssertionError, match="generated"):  # same dims: on to the data
        load_dataset("hopper-random", env_id="Hopper-v4")


def test_an_env_id_off_by_case_or_a_typo_names_the_registered_one(monkeypatch):
    """Probe 18: ``--env-id hopper-v5`` said "not a registered Gymnasium env" and named none."""
    from rambo_env.evaluation import registered_hint

    with pytest.raises(
        DatasetValidationError,
        match=r"'hopper-v5' is not a registered .* \(did you mean 'Hopper-v5'\?\)",
    ):
        load_dataset("hopper-random", env_id="hopper-v5")
    assert registered_hint("Hoper-v5").startswith(" (did you mean 'Hopper-v5'")
    assert registered_hint("NoSuchEnv-v0") == ""  # nothing close: no guess


def test_a_folder_or_a_path_that_is_no_dataset_file_says_so(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    (tmp_path / "notes.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    for bad in (str(folder), f"{folder}/", "data", "notes.txt", "./data", "../x/y-v0"):
        with pytest.raises(ValueError, match=r"not a dataset file \(expected .npz / .hdf5"):
            load_dataset(bad, generate=False)  # was a Minari "not found" advising make_dataset


def test_file_endings_in_any_case_and_a_folder_named_like_a_file(tmp_path):
    """``x.NPZ`` was "not a dataset file (expected .npz …)"; a folder ``x.npz`` "does not exist"."""
    src = make_dataset(name="mine")
    upper = src.to_npz(tmp_path / "mine.npz").rename(tmp_path / "MINE.NPZ")
    assert load_dataset(str(upper)).fingerprint() == src.fingerprint()
    for name, what in (("dir.npz", "npz file"), ("dir.HDF5", "D4RL hdf5 file")):
        (tmp_path / name).mkdir()
        with pytest.raises(
            DatasetUnavailableError, match=f"{what} .*{name} is a folder, not a file"
        ):
            load_dataset(str(tmp_path / name))


def test_no_make_dataset_advice_for_an_env_the_generator_does_not_know():
    with pytest.raises(DatasetUnavailableError) as info:
        load_dataset("mujoco/tmp/medium-v0")
    message = str(info.value)
    assert "--env tmp" not in message and "ENV in ['halfcheetah', 'hopper', 'walker2d']" in message


def test_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match=r"unknown dataset 'hopper-mediocre'.*'hopper-medium'"):
        load_dataset("hopper-mediocre")


@pytest.mark.parametrize(
    ("source", "kwargs", "message"),
    [
        ("x.npz", {"n_transitions": 100}, r"n_transitions: only size and seed a dataset generated"),
        ("mujoco/hopper/medium-v0", {"seed": 3}, r"seed: only .*'mujoco/hopper/medium-v0' is"),
        ("x.hdf5", {"n_transitions": 5, "seed": 1}, r"n_transitions and seed: .*leave them out"),
        ("arrays", {"n_transitions": 5}, r"n_transitions: .*but dict is loaded as it is"),
    ],
)
def test_generation_size_and_seed_with_a_stored_dataset_are_refused(
    tmp_path, source, kwargs, message
):
    """Probe 9: ``load_dataset("x.npz", n_transitions=1000)`` silently returned the whole file."""
    if source == "arrays":
        source = make_arrays([4, 2], terminal_last=[True, False])
    elif source.endswith((".npz", ".hdf5")):
        source = str(tmp_path / source)
    with pytest.raises(ValueError, match=message):
        load_dataset(source, **kwargs)


def test_generate_and_name_of_the_wrong_type_are_refused(monkeypatch):
    """Probe 10: ``load_dataset(…, generate="no")`` generated (any truthy value); a dataset name
    that is not a string (``name=5``) was taken."""
    from rambo_env.data import generate

    monkeypatch.setattr(generate, "generate_dataset", lambda *a, **k: pytest.fail("generated"))
    with pytest.raises(ValueError, match=r"generate: expected True or False, got str 'no'"):
        load_dataset("hopper-medium", generate="no")
    with pytest.raises(DatasetValidationError, match=r"name: expected a string, got 5"):
        OfflineDataset.from_arrays(make_arrays([4, 2], terminal_last=[True, False]), name=5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name_or_path": None}, r"dataset: expected a name or path .*, got NoneType 'None'"),
        ({"name_or_path": ["x.npz"]}, r"dataset: expected .*, got list"),
        ({"name_or_path": b"x.npz"}, r"dataset: expected .*, got bytes"),
        ({"name_or_path": "hopper-medium", "seed": -1}, r"seed: expected an int >= 0, got -1"),
        ({"name_or_path": "hopper-medium", "n_transitions": 0}, r"n_transitions: .*got 0"),
        ({"name_or_path": "hopper-medium", "seed": 1.5}, r"seed: expected an int >= 0, got 1.5"),
        # probe 10: any truthy value switched them on (generate="no" generated a dataset)
        ({"name_or_path": "hopper-medium", "download": "no"}, r"download: expected True or Fa"),
    ],
)
def test_load_dataset_argument_types_are_checked_first(kwargs, message):
    """Issue 14 probe: None / a list / bytes became the names 'None', "['x.npz']" (a Minari id),
    b'x.npz'; a negative seed or size reached the generator."""
    with pytest.raises(ValueError, match=message):
        load_dataset(**kwargs, generate=False)  # (never generate 1M transitions in a test)


@pytest.mark.parametrize(
    "error",
    [
        ImportError(
            'huggingface_hub is not installed. Please install it using `pip install "minari[hf]"`'
        ),
        ConnectionError("Failed to establish a new connection"),
        ValueError(
            "Couldn't find any version for dataset mujoco/hopper/medium in the remote Farama server."
        ),
    ],
)
def test_minari_download_failure_gives_one_clear_error(monkeypatch, error):
    def fail(dataset_id, download=False):
        raise error

    monkeypatch.setattr(minari, "load_dataset", fail)
    with pytest.raises(DatasetUnavailableError) as info:
        load_dataset("mujoco/hopper/medium-v0", download=True)
    message = str(info.value)
    assert "minari download mujoco/hopper/medium-v0" in message
    assert "python scripts/make_dataset.py --env hopper --level medium" in message
    assert type(error).__name__ in message and info.value.__cause__ is error


def test_minari_missing_locally_without_download():
    with pytest.raises(DatasetUnavailableError, match=r"was not downloaded \(download=False\)\n"):
        load_dataset("mujoco/hopper/medium-v0")  # probe 46: not Minari's "Use download=True"


def _save_as_minari(dataset_id: str, dataset: OfflineDataset) -> None:
    from rambo_env.data.generate import short_name_of_id

    save_minari(
        dataset_id,
        dataset_to_episodes(dataset),
        env_id="Hopper-v5",
        ref_min_score=-20.272305,
        ref_max_score=3234.3,  # a short name's id: as the generator writes it (probe 45)
        short_name_data=short_name_of_id(dataset_id) if dataset_id.startswith("rambo/") else None,
    )


def _hold_open_for_writing(path):
    """A subprocess holding the hdf5 file ``path`` open for writing (kill it when done)."""
    import subprocess

    writer = subprocess.Popen(
        [sys.executable, "-c", f"import h5py, time; f = h5py.File({str(path)!r}, 'a'); "
         "print('open', flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert writer.stdout.readline().strip() == "open"
    return writer


@pytest.mark.parametrize("fault", ["locked", "external_link", "soft_link", "external_raw"])
def test_a_minari_main_file_locked_or_linked_to_what_is_missing_is_named(tmp_path, fault):
    """Issue 14: a Minari dataset's main_data.hdf5 locked by a writer, or with a field that is a
    link to a missing file / object or stored in a missing external raw file, was "its episode
    data are unreadable (…); re-create it": the same specific message as for a D4RL file now."""
    if fault == "locked" and os.environ.get("HDF5_USE_FILE_LOCKING", "").upper() == "FALSE":
        pytest.skip("file locks are off")
    _save_as_minari("t/hopper/held-v0", make_dataset((7, 5), (True, False)))
    main = minari_dataset_path("t/hopper/held-v0") / "data" / "main_data.hdf5"
    field = "episode_0/actions"
    if fault == "external_raw":
        _store_externally(main, field, tmp_path / "actions.bin")
        (tmp_path / "actions.bin").unlink()
    elif fault != "locked":
        with h5py.File(main, "a") as f:
            del f[field]
            f[field] = (
                h5py.ExternalLink(str(tmp_path / "nothere.h5"), "/x")
                if fault == "external_link"
                else h5py.SoftLink("/nope")
            )
    said = {
        "locked": "locked: another process holds it open for writing",
        "external_link": "field 'episode_0/actions' is an external link to '/x' in the file "
        f"{tmp_path}/nothere.h5, which is missing",
        "soft_link": "field 'episode_0/actions' is a soft link to '/nope', which is not in the file",
        "external_raw": "field 'episode_0/actions' is stored in the external raw file "
        f"{tmp_path}/actions.bin, which is missing",
    }[fault]
    writer = _hold_open_for_writing(main) if fault == "locked" else None
    try:
        with pytest.raises(ValueError, match=re.escape(f"hdf5 file {main}: {said}")) as err:
            load_dataset("t/hopper/held-v0")
    finally:
        if writer is not None:
            writer.kill()
            writer.wait(timeout=60)
            writer.stdout.close()  # probe 91 row 9: was a ResourceWarning under -W error
    assert "unreadable" not in str(err.value) and "re-create it (" not in str(err.value), err.value
    if fault == "locked":
        assert load_dataset("t/hopper/held-v0").n_transitions == 12  # intact


def test_a_minari_id_without_or_with_another_version_asks_did_you_mean_the_newest_local():
    """Probe 52 row 73: ``rambo/hopper/random`` (no version) / ``p52/trunc-v1`` (only -v0 local)
    said on its first line only "not in the local Minari root … was not downloaded"."""
    _save_as_minari("mine/hopper/walk-v0", make_dataset((7, 5), (True, False)))
    _save_as_minari("mine/hopper/walk-v1", make_dataset((7, 5), (True, False)))
    root = minari_dataset_path("")
    for typo in ("mine/hopper/walk", "mine/hopper/walk-v3"):
        with pytest.raises(DatasetUnavailableError) as info:
            load_dataset(typo)
        first = str(info.value).splitlines()[0]
        assert first.endswith(
            f"was not downloaded (download=False); did you mean 'mine/hopper/walk-v1' (in the "
            f"local Minari root {root})? Else, to get the data, either"
        ), first


def test_a_minari_id_off_by_case_or_version_names_the_local_dataset():
    """Probe 18: ``rambo/hopper/random`` (no version) or ``RAMBO/hopper/random-v0`` next to a
    local ``rambo/hopper/random-v0`` were told to download or generate the data."""
    _save_as_minari("mine/hopper/walk-v0", make_dataset((7, 5), (True, False)))
    for typo in ("MINE/hopper/walk-v0", "mine/hopper/Walk-v2"):
        with pytest.raises(DatasetUnavailableError) as info:
            load_dataset(typo)
        assert "A local dataset has nearly that id: 'mine/hopper/walk-v0'" in str(info.value)
    with pytest.raises(DatasetUnavailableError) as info:
        load_dataset("mine/hopper/run-v0")
    assert "nearly that id" not in str(info.value)
    assert load_dataset("mine/hopper/walk-v0").n_transitions == 12


def test_short_name_resolution_order(tmp_path, capsys):
    generated = generate_dataset(
        "hopper", "random", n_transitions=60, n_envs=2, progress=False, n_workers=1
    )
    official = make_dataset((7, 5), (True, False))
    _write_d4rl_hdf5(tmp_path / "hopper_random-v2.hdf5")

    assert load_dataset("hopper-random", generate=False).fingerprint() == generated.fingerprint()
    d4rl = load_dataset("hopper-random", d4rl_dir=tmp_path)  # a D4RL file beats the generated one
    assert d4rl.source.startswith("d4rl-hdf5:") and d4rl.name == "hopper-random"
    _save_as_minari("mujoco/hopper/random-v0", official)  # local Minari beats both
    d = load_dataset("hopper-random", d4rl_dir=tmp_path)
    assert d.source == "minari:mujoco/hopper/random-v0" and d.name == "hopper-random"
    np.testing.assert_array_equal(d.observations, official.observations)
    assert "minari:mujoco/hopper/random-v0" in capsys.readouterr().out


def test_short_name_generates_on_first_use_or_says_how(capsys):
    with pytest.raises(
        DatasetUnavailableError, match=r"scripts/make_dataset.py --env walker2d --level random"
    ):
        load_dataset("walker2d-random", generate=False)
    d = load_dataset("walker2d-random", n_transitions=40, seed=3)
    out = capsys.readouterr().out
    assert "generating rambo/walker2d/random-v0" in out
    assert d.n_transitions == 40 and d.env_id == "Walker2d-v5" and d.name == "walker2d-random"
    assert minari_dataset_path("rambo/walker2d/random-v0").is_dir()
    assert load_dataset("walker2d-random").fingerprint() == d.fingerprint()  # now found locally


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (None, "MINARI_DATASETS_PATH is not set: the default root"),
        ("", "MINARI_DATASETS_PATH is set but empty: the default root"),
    ],
)
def test_a_short_name_not_found_names_the_root_and_how_it_was_chosen(
    tmp_path, monkeypatch, value, said
):
    # Probe 50: with MINARI_DATASETS_PATH='' (a shell variable that was never set) or unset, "not
    # in the Minari root as …" named no root, and the empty value silently meant the default.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if value is None:
        monkeypatch.delenv("MINARI_DATASETS_PATH")
    else:
        monkeypatch.setenv("MINARI_DATASETS_PATH", value)
    root = tmp_path / "home" / ".minari" / "datasets"
    with pytest.raises(DatasetUnavailableError) as err:
        load_dataset("walker2d-random", generate=False)
    assert f"not in the Minari root {root} ({said}) as mujoco/walker2d/random-v0" in str(err.value)


def test_d4rl_package_is_used_when_it_imports(monkeypatch):
    arrays = make_arrays([4, 2], terminal_last=[True, False])
    made = []

    class FakeEnv:
        def get_dataset(self):
            return {**arrays, "rewards": arrays["rewards"][:, None], "infos/qpos": np.zeros(6)}

    fake_gym = types.SimpleNamespace(make=lambda name: made.append(name) or FakeEnv())
    monkeypatch.setitem(sys.modules, "d4rl", types.ModuleType("d4rl"))
    monkeypatch.setitem(sys.modules, "gym", fake_gym)
    d = load_dataset("hopper-medium-v2")
    assert made == ["hopper-medium-v2"] and d.source == "d4rl:hopper-medium-v2"
    assert d.rewards.shape == (6,) and d.env_id == "Hopper-v5" and d.name == "hopper-medium"


def test_minari_cannot_store_inconsistent_successors():
    a = make_arrays([5, 4], terminal_last=[True, False])
    a["next_observations"][2, 1] = 99.0  # inside episode 0
    with pytest.raises(
        DatasetValidationError,
        match=r"next_observations\[2, 1\] = 99.0 differs from observations\[3, 1\]",
    ):
        dataset_to_episodes(OfflineDataset.from_arrays(a))


def test_a_killed_writers_staging_folder_is_removed_by_the_next_write():
    import subprocess
    import sys

    from rambo_env.data.minari_io import minari_dataset_path

    root = minari_dataset_path("")
    root.mkdir(parents=True, exist_ok=True)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = root / f".rambo-tmp-{int(dead.stdout)}-abc"  # its process is gone
    (stale / "partial").mkdir(parents=True)
    live = root / f".rambo-tmp-{os.getpid()}-xyz"  # a writer that still runs
    live.mkdir()
    # issue 14: the room probe of a writer killed between its create and unlink was left
    stale_probe = root / f".rambo-tmp-{int(dead.stdout)}-room"
    stale_probe.write_bytes(b"\0" * 4096)
    live_probe = root / f".rambo-tmp-{os.getppid()}-room"  # a live writer (not this one)
    live_probe.write_bytes(b"")
    other = root / f".rambo-tmp-{int(dead.stdout)}-notes"  # a file of no writer: kept
    other.write_text("x")
    _save_as_minari("t/hopper/stale-v0", make_dataset((7, 5), (True, False)))
    assert not stale.exists() and live.exists()
    assert not stale_probe.exists() and live_probe.exists() and other.exists()


def test_an_action_out_of_bounds_in_a_minari_dataset_is_a_data_error_not_a_cache_write():
    """Probe 30: ``load_dataset('p30/actbig-v0')`` with actions[3, 1] = 7.0 (Box(-1, 1)) said
    "dataset …: <RAMBO_ENV_CACHE>/datasets/p30__actbig-v0/<hash>.npz not written: actions[3, 1] =
    7.0 is outside the action space", as if the disk had failed. The data are refused as data
    (field, index, value, bounds, env, what to do), and nothing is cached."""
    from rambo_env.dynamics.io import cache_dir

    _save_as_minari("t/hopper/actbig-v0", make_dataset((7, 5), (True, False)))
    main = minari_dataset_path("t/hopper/actbig-v0") / "data" / "main_data.hdf5"
    with h5py.File(main, "r+") as f:  # written by another tool: save_minari refuses it (probe 44)
        f["episode_0/actions"][3, 1] = 7.0
    with pytest.raises(DatasetValidationError) as info:
        load_dataset("t/hopper/actbig-v0")
    assert str(info.value) == (
        "dataset 't/hopper/actbig-v0': actions[3, 1] = 7.0 is outside the action space "
        "[-1.0, 1.0] (env_id='Hopper-v5'; 1 row(s) out of bounds): the data do not fit that env; "
        "re-create them with actions in its bounds (or clip the actions), or name the env they "
        "come from (env_id=…, --env-id)"
    )
    assert not (cache_dir() / "datasets").exists()  # no flat cache of refused data


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("garbage.npz", b"not a zip", "not an npz"),
        ("garbage.hdf5", b"not hdf5", r"hdf5 file .*garbage\.hdf5: unreadable"),
    ],
)
def test_damaged_dataset_files_are_one_error_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        load_dataset(str(path))


def test_an_npz_of_pickled_objects_is_refused_without_advising_an_unsafe_load(tmp_path):
    """A probe: an object entry beside good arrays was "holds pickled objects, not arrays",
    naming neither the entry nor what to do; its header names it (nothing is unpickled)."""
    path = tmp_path / "objects.npz"
    np.savez(path, observations=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="holds pickled objects") as info:
        load_dataset(str(path))
    assert "allow_pickle" not in str(info.value)
    a = make_arrays([5, 4], terminal_last=[False, True])
    np.savez(path, **a, metadata=np.array({"policy": "sac"}, dtype=object))
    with pytest.raises(ValueError, match=r"objects\.npz: entry 'metadata' holds pickled objects "
                       r"\(dtype object\), not arrays; this loader never unpickles: store") as info:  # fmt: skip
        load_dataset(str(path), env_id="Hopper-v5")
    assert "JSON text in 'metadata_json'" in str(info.value)
    np.savez(path, **a, metadata=np.array([{}], dtype=object), name=np.array(["x"], dtype=object))
    with pytest.raises(ValueError, match=r"entries 'metadata', 'name' hold pickled objects"):
        load_dataset(str(path), env_id="Hopper-v5")


@pytest.mark.skipif(
    os.environ.get("HDF5_USE_FILE_LOCKING", "").upper() == "FALSE", reason="file locks are off"
)
def test_an_hdf5_file_another_process_holds_open_for_writing_is_said_locked(tmp_path):
    """A probe: an intact file held open by a writer was "unreadable (BlockingIOError … unable to
    lock file …); re-create or re-download it"; now it is said locked, with what to do."""
    import subprocess
    import sys

    a = make_arrays([5, 4], terminal_last=[False, True])
    path = _write_arrays_hdf5(tmp_path / "held.hdf5", a)
    writer = subprocess.Popen(
        [sys.executable, "-c", f"import h5py, time; f = h5py.File({str(path)!r}, 'a'); "
         "print('open', flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout.readline().strip() == "open"
        with pytest.raises(ValueError, match=r"hdf5 file \S+held\.hdf5: locked: another process "
                           r"holds it open for writing") as info:  # fmt: skip
            load_dataset(str(path), env_id="Hopper-v5")
    finally:
        writer.kill()
        writer.wait(timeout=60)
    said = str(info.value)
    assert "close that writer" in said and "HDF5_USE_FILE_LOCKING=FALSE" in said, said
    assert "re-create" not in said and "unreadable" not in said, said
    assert load_dataset(str(path), env_id="Hopper-v5").n_transitions == 9  # intact


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"env_id": "gymnasium.envs.classic_control:CartPoleEnv"}, "names a module to import"),
        ({"env_id": "NoSuchEnv-v9"}, "not a registered Gymnasium env"),
        ({"env_id": 7}, "expected a Gymnasium id string"),
        ({"ref_min_score": "low"}, "ref_min_score: expected a finite number"),
        ({"ref_min_score": 5.0, "ref_max_score": 1.0}, "must be < ref_max_score"),
    ],
)
def test_bad_dataset_metadata_is_refused_at_load(tmp_path, meta, message):
    dataset = make_dataset((7, 5), (True, False))
    path = tmp_path / "d.npz"
    dataset.to_npz(path)
    data = dict(np.load(path))
    data.update({key: np.asarray(value) for key, value in meta.items()})
    np.savez(path, **data)
    with pytest.raises(ValueError, match=message):
        load_dataset(str(path))


def test_d4rl_file_without_next_observations_and_timeouts_uses_a_step_counter(tmp_path):
    from rambo_env.data import d4rl_io

    path = tmp_path / "hopper_random-v0.hdf5"
    lengths = (4, 3, 4)  # a time-limited episode, a terminated one, a time-limited one
    a = make_arrays(list(lengths), terminal_last=[False, True, False])
    with h5py.File(path, "w") as f:
        for key in ("observations", "actions", "rewards", "terminals"):  # no timeouts
            f[key] = a[key]
    original = d4rl_io.D4RL_MAX_EPISODE_STEPS
    d4rl_io.D4RL_MAX_EPISODE_STEPS = 4  # the counter's limit, here 4 steps
    try:
        d = load_dataset(path)
    finally:
        d4rl_io.D4RL_MAX_EPISODE_STEPS = original
    # Rows 3 (4th step of episode 1) and 10 (the last row) have no known successor: dropped. No
    # derived next state crosses an episode boundary.
    assert d.n_transitions == 11 - 2
    np.testing.assert_array_equal(d.next_observations[:3], a["observations"][1:4])
    np.testing.assert_array_equal(d.next_observations[3:5], a["observations"][5:7])
    assert d.unmarked_episode_ends().size == 0 and np.flatnonzero(d.timeouts).tolist() == [2, 8]


def test_an_hdf5_file_without_d4rl_fields_names_the_file_and_a_minari_file_its_id(tmp_path):
    """was: "missing key(s) ['observations', …]; got keys []", naming no file (a Minari
    main_data.hdf5 passed as --dataset)."""
    _save_as_minari("t/hopper/file-v0", make_dataset((7, 5), (True, False)))
    path = minari_dataset_path("t/hopper/file-v0") / "data" / "main_data.hdf5"
    with pytest.raises(DatasetValidationError, match=r"main_data.hdf5: a Minari dataset file") as e:
        load_dataset(path)
    assert f"probably t/hopper/file-v0 with MINARI_DATASETS_PATH={minari_dataset_path('')}" in str(
        e.value
    )
    other = tmp_path / "other.hdf5"
    with h5py.File(other, "w") as f:
        f["foo"] = [1, 2]
    with pytest.raises(DatasetValidationError, match=r"other.hdf5: none of the D4RL fields"):
        load_dataset(other)


def test_a_flat_cache_write_on_a_full_disk_warns_and_the_load_goes_on(capsys, monkeypatch):
    import errno

    from rambo_env.data import minari_io

    _save_as_minari("t/hopper/full-v0", make_dataset((7, 5), (True, False)))
    assert not minari_io._cache_path("t/hopper/full-v0").exists()  # a load reads Minari, caches

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", disk_full)
    capsys.readouterr()
    d = load_dataset("t/hopper/full-v0")  # was: the load failed on its cache write
    out = capsys.readouterr().out
    assert "WARNING: flat cache of t/hopper/full-v0 not written" in out and "is full" in out
    assert d.n_transitions == 12 and not minari_io._cache_path("t/hopper/full-v0").exists()


def test_a_flat_cache_folder_that_cannot_be_made_warns_and_the_load_goes_on(capsys):
    """Probe 12: a file where the flat cache's folder goes must not fail the load (the cache
    only saves the next slow read)."""
    import shutil

    from rambo_env.data import minari_io

    _save_as_minari("t/hopper/blocked-v0", make_dataset((7, 5), (True, False)))
    root = minari_io._cache_path("t/hopper/blocked-v0").parent.parent
    shutil.rmtree(root, ignore_errors=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    root.write_text("not a folder")
    try:
        capsys.readouterr()
        assert load_dataset("t/hopper/blocked-v0").n_transitions == 12
        assert "WARNING: flat cache of t/hopper/blocked-v0 not written" in capsys.readouterr().out
    finally:
        root.unlink()


def test_a_folder_named_npz_in_the_flat_cache_is_left_and_the_load_goes_on(capsys):
    """Probe 17: the stale-cache cleanup raised a raw IsADirectoryError on a folder named
    ``*.npz`` (one the user made, or one where the cache file goes)."""
    from rambo_env.data import minari_io

    _save_as_minari("t/hopper/dirnpz-v0", make_dataset((7, 5), (True, False)))
    cache = minari_io._cache_path("t/hopper/dirnpz-v0")
    (cache.parent / "old.npz").mkdir(parents=True)
    (cache.parent / "stale.npz").write_bytes(b"earlier version")
    capsys.readouterr()
    assert load_dataset("t/hopper/dirnpz-v0").n_transitions == 12
    assert cache.is_file() and (cache.parent / "old.npz").is_dir()
    assert not (cache.parent / "stale.npz").exists()
    cache.unlink()
    cache.mkdir()  # a folder where the cache file goes: the write warns, the load goes on
    assert load_dataset("t/hopper/dirnpz-v0").n_transitions == 12
    assert "WARNING: flat cache of t/hopper/dirnpz-v0 not written" in capsys.readouterr().out


def test_damaged_flat_cache_is_rebuilt_and_damaged_minari_data_named(capsys):
    from rambo_env.data import minari_io

    _save_as_minari("t/hopper/flat-v0", make_dataset((7, 5), (True, False)))
    first = load_dataset("t/hopper/flat-v0")  # writes the flat cache
    cache = minari_io._cache_path("t/hopper/flat-v0")
    assert cache is not None and cache.is_file()
    cache.write_bytes(b"damaged")
    again = load_dataset("t/hopper/flat-v0")
    assert "is unreadable" in capsys.readouterr().out
    assert again.fingerprint() == first.fingerprint() and cache.is_file()  # rebuilt

    cache.unlink()
    for data_file in minari_dataset_path("t/hopper/flat-v0").rglob("*.hdf5"):
        data_file.write_bytes(b"damaged")
    with pytest.raises((ValueError, DatasetUnavailableError), match="flat-v0"):
        load_dataset("t/hopper/flat-v0")


def test_a_validation_error_names_the_dataset_and_discrete_actions_are_explained(tmp_path):
    """Probe 11: a Minari / npz dataset with discrete actions (CartPole: one int per step) gave
    "field 'actions' has shape (600,) (ndim 1); expected ndim 2", and no validation error named
    the dataset (``field 'rewards' has 1995 rows but …``)."""
    a = make_arrays([5, 4], terminal_last=[False, True])
    discrete = {**a, "actions": np.arange(9) % 2}
    np.savez(tmp_path / "cartpole.npz", **discrete)
    with pytest.raises(
        DatasetValidationError,
        match=r"^dataset '.*cartpole.npz': field 'actions' has shape \(9,\); .* a discrete action",
    ):
        load_dataset(str(tmp_path / "cartpole.npz"))
    np.savez(tmp_path / "short.npz", **{**a, "rewards": a["rewards"][:-1]})
    with pytest.raises(DatasetValidationError, match=r"^dataset '.*short.npz': field 'rewards'"):
        load_dataset(tmp_path / "short.npz")


def test_names_too_long_for_the_file_system_are_one_error_naming_the_argument(tmp_path):
    """Probe 11: a 300-character npz path, Minari id or ``--dataset-id`` gave a bare
    ``[Errno 36] File name too long: '…'`` (make_dataset: naming no flag)."""
    from rambo_env.data.minari_io import check_dataset_id

    long = "a" * 300
    minari_dataset_path("rambo/hopper").mkdir(parents=True)  # else the lookup stops earlier
    for name in (str(tmp_path / f"{long}.npz"), f"rambo/hopper/{long}-v0"):
        with pytest.raises(ValueError, match=r"^dataset: .* is too long for the file system"):
            load_dataset(name)
    with pytest.raises(ValueError, match=r"^dataset_id: .* has a part of 303 bytes"):
        check_dataset_id(f"rambo/hopper/{long}-v0")
    assert check_dataset_id(f"rambo/hopper/{'a' * 237}-v0")  # 240 bytes + the lock's 15: fine
    # probe 25: 241-255 bytes passed, then "the lock … cannot be made (File name too long)"
    with pytest.raises(ValueError, match=r"^dataset_id: .* ends in a name of 241 bytes; its "
                       r"generation lock file \(\.<name>\.generate\.lock\) adds 15"):  # fmt: skip
        check_dataset_id(f"rambo/hopper/{'a' * 238}-v0")


def test_a_dataset_path_that_is_a_pipe_is_not_said_to_be_missing(tmp_path):
    """Probe 11: ``--dataset x.npz`` naming a FIFO (``mkfifo``) said "does not exist"."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(tmp_path / "pipe.npz")
    with pytest.raises(DatasetUnavailableError, match=r"pipe.npz is not a regular file"):
        load_dataset(str(tmp_path / "pipe.npz"))


def test_save_minari_refuses_an_empty_episode_before_writing():
    """Probe 11: an EpisodeBuffer with no step (one observation) gave Minari's raw
    ``IndexError: index 0 is out of bounds for axis 0 with size 0`` from its hdf5 writer."""
    from minari.data_collector import EpisodeBuffer

    good = dataset_to_episodes(make_dataset([3], terminal_last=[True]))
    empty = EpisodeBuffer(
        id=1,
        observations=np.zeros((1, 11), np.float32),
        actions=np.zeros((0, 3), np.float32),
        rewards=np.zeros(0, np.float32),
        terminations=np.zeros(0, bool),
        truncations=np.zeros(0, bool),
    )
    with pytest.raises(DatasetValidationError, match=r"episodes\[1\] \(id 1\) has no step"):
        save_minari("t/hopper/empty-v0", [*good, empty], env_id="Hopper-v5")
    assert not minari_dataset_path("t/hopper/empty-v0").exists()


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [
        (
            {"env_id": "Walker2d-v5"},
            "field 'observations' has obs_dim 11 but the env's observation space is",
        ),
        (
            {"ref_min_score": 3000.0, "ref_max_score": -20.0},
            "ref_min_score: 3000.0 must be < ref_max_score -20.0",
        ),
        ({"episodes": []}, "dataset is empty: 0 episodes"),
        ({"ref_min_score": "abc"}, "ref_min_score: expected a finite number or None, got 'abc'"),
        ({"ref_min_score": 1.0}, "ref_min_score: given without ref_max_score"),
    ],
)
def test_save_minari_refuses_what_load_dataset_would_refuse_before_writing(kwargs, said):
    """Probe 44: episodes of another env's dims, inverted reference scores, no episode, a
    non-number reference score (load then used D4RL's without a word) and one of the pair
    (Minari drops it) were all written, and refused or replaced only when loaded; a dataset
    that can never load was left in the Minari root."""
    args = {"env_id": "Hopper-v5", "episodes": dataset_to_episodes(make_dataset()), **kwargs}
    episodes = args.pop("episodes")
    with pytest.raises(DatasetValidationError) as info:
        save_minari("t/hopper/bad-v0", episodes, **args)
    assert str(info.value).startswith(
        "Minari dataset 't/hopper/bad-v0' not written (load_dataset would refuse it): "
    )
    assert said in str(info.value)
    assert nothing_in_the_minari_root()


def test_save_minari_names_an_offline_dataset_given_as_episodes():
    """Probe 44: an OfflineDataset as ``episodes`` was Python's raw "'OfflineDataset' object is
    not iterable"."""
    with pytest.raises(ValueError, match=r"^episodes: expected a list of minari EpisodeBuffers, "
                       r"got an OfflineDataset; convert it first: .*dataset_to_episodes"):  # fmt: skip
        save_minari("t/hopper/ds-v0", make_dataset(), env_id="Hopper-v5")
    assert nothing_in_the_minari_root()


def test_a_relative_d4rl_dataset_dir_is_made_absolute(tmp_path, monkeypatch):
    """Probe 11: a relative ``D4RL_DATASET_DIR`` stayed relative, so a sweep's trials (run by
    Tune in their own folders) did not find the file the driver had found."""
    from rambo_env.data.d4rl_io import resolve_d4rl_dir

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("D4RL_DATASET_DIR", "d4rl")
    assert resolve_d4rl_dir() == tmp_path / "d4rl"


@pytest.mark.parametrize("damage", ["no main_data.hdf5", "metadata.json not JSON"])
def test_a_damaged_local_minari_dataset_is_not_said_to_be_missing(damage):
    """Probe 11: a local Minari dataset without ``data/main_data.hdf5`` or with a damaged
    ``metadata.json`` was "not in the local Minari root … not downloaded", with advice to
    download or generate it, while its folder was there."""
    _save_as_minari("t/hopper/hurt-v0", make_dataset((7, 5), (True, False)))
    data = minari_dataset_path("t/hopper/hurt-v0") / "data"
    if damage == "no main_data.hdf5":
        (data / "main_data.hdf5").unlink()
    else:
        (data / "metadata.json").write_text("{bad")
    with pytest.raises(ValueError, match=r"'t/hopper/hurt-v0' at .*hurt-v0 is damaged \(") as e:
        load_dataset("t/hopper/hurt-v0")
    assert not isinstance(e.value, DatasetUnavailableError) and "--force" in str(e.value)


def test_an_emptied_minari_dataset_folder_is_damaged_not_missing_nor_regenerated(monkeypatch):
    """Probe 16: a dataset folder without ``data/`` (emptied, a cut copy) was "not in the local
    Minari root" with advice to download it, and under a short name generation then failed with
    "already exists …; use --force to overwrite" (a make_dataset.py flag) from load_dataset."""
    from rambo_env.data import generate

    monkeypatch.setattr(generate, "generate_dataset", lambda *a, **k: pytest.fail("generated"))
    for dataset_id, name in (
        ("t/hopper/gone-v0", "t/hopper/gone-v0"),
        ("rambo/hopper/random-v0", "hopper-random"),
    ):
        minari_dataset_path(dataset_id).mkdir(parents=True)
        (minari_dataset_path(dataset_id) / "notes.txt").write_text("x")
        with pytest.raises(
            ValueError, match=r"is damaged \(it holds no data/metadata.json\); re-create"
        ):
            load_dataset(name)


def test_a_minari_root_that_is_a_file_is_named_when_loading(tmp_path, monkeypatch, capsys):
    """Probe 16: ``MINARI_DATASETS_PATH`` naming a file gave "not in the local Minari root …
    FileExistsError", with advice to download or generate the dataset. Probe 41 row 41: a short
    name to generate first said "'hopper-medium' is not available locally: generating …", then
    refused the root."""
    (tmp_path / "afile").write_text("x")
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "afile"))
    monkeypatch.setenv("D4RL_DATASET_DIR", str(tmp_path / "d4rl"))
    with pytest.raises(
        ValueError, match=r"MINARI_DATASETS_PATH: Minari root .*afile is not a folder"
    ):
        load_dataset("t/hopper/any-v0")
    with pytest.raises(ValueError) as refused:
        load_dataset("hopper-medium")
    assert str(refused.value) == (
        f"MINARI_DATASETS_PATH: Minari root {tmp_path / 'afile'} is not a folder; set "
        "MINARI_DATASETS_PATH to a writable folder"
    )
    assert "generating" not in capsys.readouterr().out  # no line announcing what is refused


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        # probe 83 row 46: these two were Minari's raw TypeError / KeyError, naming no field
        ({"env_spec": "[1, 2]"}, r"its env_spec '\[1, 2\]' is not a JSON object"),
        ({"env_spec": json.dumps({"id": 5})}, r"its env_spec's 'id' is 5, not a Gymnasium env id"),
        ({"env_spec": {"id": "Hopper-v5"}}, r"AssertionError"),
        ({"rambo_env": [1]}, r"'rambo_env' is not a JSON object"),
        ({"total_episodes": 1}, r"total_steps=12 and total_episodes=1, but the 1 episode\(s\)"),
        ({"total_steps": 5}, r"total_steps=5 .* hold 12 steps"),
    ],
)
def test_a_local_minari_dataset_with_odd_metadata_is_damaged(edit, said):
    """Probe 13: an ``env_spec`` that is not Minari's JSON gave Minari's raw TypeError /
    KeyError / AssertionError, a ``rambo_env`` entry that is not an object a raw "not a mapping",
    and ``total_episodes`` cut to 1 silently loaded the first episode only."""
    _save_as_minari("t/hopper/odd-v0", make_dataset((7, 5), (True, False)))
    path = minari_dataset_path("t/hopper/odd-v0") / "data" / "metadata.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **edit}))
    with pytest.raises(ValueError, match=rf"'t/hopper/odd-v0' at .*odd-v0 is damaged \(.*{said}"):
        load_dataset("t/hopper/odd-v0")


def test_download_for_a_source_minari_never_downloads_is_refused(tmp_path):
    """Probe 18: ``load_dataset("x.npz", download=True)`` (or a D4RL name, a dict, an
    ``OfflineDataset``) ignored ``download`` without a word."""
    path = make_dataset().to_npz(tmp_path / "x.npz")
    for src, what in (
        (path, "the file"),
        ("hopper-medium-v2", "the D4RL name"),
        (make_dataset(), "OfflineDataset"),
        (dict(vars(make_dataset())), "dict"),
    ):
        with pytest.raises(ValueError, match=rf"download: only a Minari id .* but {what}"):
            load_dataset(src, download=True)
    assert load_dataset(path, download=False).n_transitions == make_dataset().n_transitions


def test_env_id_naming_a_module_imports_it(tmp_path, monkeypatch):
    """Probe 18: ``--env-id my_pkg.envs:MyEnv-v0`` (gymnasium's module:id form, the only way a
    command line can register its own env) was refused as "a dataset may only name an env that
    is already registered"; a dataset file naming a module is still refused."""
    (tmp_path / "probe18_envs.py").write_text(
        "import gymnasium as gym\n"
        "if 'Probe18Hopper-v0' not in gym.registry:\n"
        "    gym.register('Probe18Hopper-v0', entry_point='gymnasium.envs.mujoco.hopper_v5:HopperEnv',"
        " max_episode_steps=1000)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    path = make_dataset().to_npz(tmp_path / "x.npz")
    loaded = load_dataset(path, env_id="probe18_envs:Probe18Hopper-v0")
    assert loaded.env_id == "Probe18Hopper-v0"
    with pytest.raises(DatasetValidationError, match=r"importing 'no_such_mod18' failed \(Module"):
        load_dataset(path, env_id="no_such_mod18:X-v0")
    with pytest.raises(DatasetValidationError, match=r"is not of the form module:EnvId-vN"):
        load_dataset(path, env_id=":X-v0")
    with pytest.raises(
        DatasetValidationError, match=r"names a module to import, and data never import code"
    ):
        # a dataset's own metadata never imports code: refused as the dataset is built
        dataclasses.replace(make_dataset(), env_id="probe18_envs:Probe18Hopper-v0")


def test_a_d4rl_dir_that_is_not_a_path_is_named():
    """Probe 11: ``load_dataset("hopper-medium-v2", d4rl_dir=5)`` gave os.fspath's raw
    ``TypeError: expected str, bytes or os.PathLike object, not int``."""
    with pytest.raises(ValueError, match=r"d4rl_dir: expected a folder path .* got int 5"):
        load_dataset("hopper-medium-v2", d4rl_dir=5)


def test_a_d4rl_dir_for_a_source_that_never_looks_there_is_refused(tmp_path):
    """Probe 12: ``load_dataset("x.npz", d4rl_dir=…)`` (or a Minari id, a dict) ignored it."""
    path = make_dataset().to_npz(tmp_path / "x.npz")
    for src in (path, str(path), "mine/hopper/x-v0", make_dataset()):
        with pytest.raises(ValueError, match=r"d4rl_dir: only a D4RL name .* leave d4rl_dir out"):
            load_dataset(src, d4rl_dir=tmp_path)


def test_a_d4rl_version_d4rl_never_published_is_named():
    """Probe 11: ``hopper-medium-v9`` advised downloading ``hopper_medium-v9.hdf5`` from D4RL,
    which never made it."""
    with pytest.raises(
        DatasetUnavailableError, match=r"D4RL has versions \[0, 1, 2\] of hopper-medium, not v9"
    ):
        load_dataset("hopper-medium-v9")


def test_a_minari_dataset_folder_or_an_id_with_a_trailing_slash_is_told_its_id():
    """Probe 15: ``--dataset <root>/t/hopper/folder-v0`` (the local Minari dataset's folder) or
    ``t/hopper/folder-v0/`` (tab completion) said only "is not a dataset file"."""
    _save_as_minari("t/hopper/folder-v0", make_dataset((7, 5), (True, False)))
    folder = minari_dataset_path("t/hopper/folder-v0")
    for text in (str(folder), f"{folder}/"):
        with pytest.raises(ValueError, match=r"is a local Minari dataset's folder") as e:
            load_dataset(text)
        assert (
            f"probably t/hopper/folder-v0 with MINARI_DATASETS_PATH={minari_dataset_path('')}"
            in (str(e.value))
        )
    with pytest.raises(ValueError, match=r"a Minari id has no trailing '/': t/hopper/folder-v0$"):
        load_dataset("t/hopper/folder-v0/")


@pytest.mark.parametrize("value", [None, {}, "hopper-medium"])
def test_validate_for_env_names_what_is_not_a_dataset(value):
    """Probe 21: ``validate_for_env(None)`` (a dict, a name) was a raw AttributeError."""
    from rambo_env.data.loaders import validate_for_env

    with pytest.raises(ValueError, match="dataset: expected an OfflineDataset"):
        validate_for_env(value)


def test_a_dataset_another_process_is_generating_is_waited_for_and_read(tmp_path, capsys):
    """Probe 24: two processes that both needed a not-yet-generated short name at once both
    collected it, and the second's save was a raw ``FileExistsError`` whose advice
    (force=True) would have overwritten the first's dataset. Now the second waits for the
    first's lock (one line says for whom) and reads what it saved."""
    import subprocess
    import sys
    import time

    from rambo_env.data.minari_io import minari_dataset_path

    lock = minari_dataset_path("rambo/hopper/random-v0").parent / ".random-v0.generate.lock"
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; from rambo_env.data import generate as g; "
         "collect = g._level_episodes; "  # slowed: the lock is held for 2 s at least
         "g._level_episodes = lambda *a: (time.sleep(2), collect(*a))[1]; "
         "g.generate_dataset('hopper', 'random', n_transitions=300, seed=1, n_envs=2, "
         "progress=False, n_workers=1)"],
        env=dict(os.environ, OMP_NUM_THREADS="1"),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not lock.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert lock.exists(), "the child process never took the lock"
        dataset = load_dataset("hopper-random", n_transitions=300, seed=1)
    finally:
        assert child.wait(timeout=300) == 0
    out = capsys.readouterr().out
    assert "waiting for process" in out and "which is generating the same dataset" in out
    assert "rambo/hopper/random-v0 was generated by another process meanwhile: reading it" in out
    assert dataset.n_transitions == 300 and dataset.source.startswith("minari:rambo/hopper/random")
    assert not lock.exists()  # the lock file goes with its holder


def test_a_relative_minari_root_is_said_once(tmp_path, monkeypatch, capsys):
    """Probe 24: ``MINARI_DATASETS_PATH=relminari`` was read against each working folder without
    a word, so every folder silently generated its own copy (minutes at 1M transitions)."""
    monkeypatch.setenv("MINARI_DATASETS_PATH", "relminari")
    monkeypatch.chdir(tmp_path)
    assert (
        minari_dataset_path("rambo/hopper/random-v0")
        == tmp_path / "relminari/rambo/hopper/random-v0"
    )
    minari_dataset_path("rambo/hopper/medium-v0")
    out = capsys.readouterr().out
    assert out.count("MINARI_DATASETS_PATH=relminari is a relative path, read from the working "
                     f"folder as {tmp_path / 'relminari'}") == 1  # fmt: skip
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "abs"))
    minari_dataset_path("rambo/hopper/random-v0")
    assert capsys.readouterr().out == ""


def test_duplicated_rows_are_said_at_load(capsys):
    """Probe 24: a dataset concatenated with itself loaded and trained without a word; MLE's
    holdout (a random row split) then had a twin for most holdout rows among its training rows."""
    from rambo_env.data.loaders import duplicated_rows

    a = make_arrays([5, 4, 3], terminal_last=[False, True, False])
    load_dataset(a)
    assert "repeat an earlier row" not in capsys.readouterr().out
    twice = {k: np.concatenate([v, v]) for k, v in a.items()}
    load_dataset(twice)
    out = capsys.readouterr().out
    assert (
        out.count("repeat an earlier row") == 1
        and "12 of 24 rows repeat an earlier row exactly (first: row 12)" in out
    )
    d = OfflineDataset.from_arrays(a)
    assert duplicated_rows(d).tolist() == []
    a["rewards"][7] = a["rewards"][2]  # one field equal is not a repeat
    assert duplicated_rows(OfflineDataset.from_arrays(a)).tolist() == []


@pytest.mark.parametrize(
    ("given", "got"),
    [
        (None, r"\(rambo_env.load_dataset\(name_or_path\) gives one\), got None$"),
        ("hopper-medium", r"\(rambo_env.load_dataset\('hopper-medium'\) gives one\), got str "),
        ({"observations": []}, r"\(rambo_env.load_dataset\(name_or_path\) gives one\), got dict$"),
    ],
)
def test_content_helpers_refuse_what_is_not_a_dataset(given, got):
    """Probe 63: ``duplicated_rows(None)`` / ``check_content('hopper-medium')`` were raw
    AttributeErrors ('NoneType' object has no attribute 'observations')."""
    from rambo_env.data.loaders import check_content, duplicated_rows

    for helper in (duplicated_rows, check_content):
        with pytest.raises(ValueError, match=r"^dataset: expected an OfflineDataset " + got):
            helper(given)


def test_a_minari_dataset_written_by_another_minari_version_is_not_said_to_be_damaged():
    """Probe 25: a dataset written by a newer Minari (0.5.4) and read with an older one (0.5.0,
    the declared floor) was "is damaged …; re-create it … --force or delete the folder", advice
    that would destroy good files. It names both versions and says to upgrade Minari."""
    import minari

    _save_as_minari("t/hopper/newer-v0", make_dataset((7, 5), (True, False)))
    path = minari_dataset_path("t/hopper/newer-v0") / "data" / "metadata.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "minari_version": "9.9.9"}))
    with pytest.raises(DatasetUnavailableError) as e:
        load_dataset("t/hopper/newer-v0")
    said = str(e.value)
    assert "written by Minari 9.9.9" in said and f"installed Minari {minari.__version__}" in said
    assert "pip install -U minari" in said and "damaged" not in said and "--force" not in said


def test_a_first_use_generation_follows_the_progress_setting(monkeypatch):
    """Probe 25: ``scripts/cotrain.py --dataset hopper-random --no-progress`` on a machine
    without that dataset still drew the generation's tqdm bar (15 redraws in 6 s into a log)."""
    import rambo_env.data.generate as generate

    asked = []

    def generated(*args, **kwargs):
        asked.append(kwargs.get("progress", True))
        raise RuntimeError("stop here")

    monkeypatch.setattr(generate, "generate_dataset", generated)
    for progress in (False, True):
        with pytest.raises(RuntimeError, match="stop here"):
            load_dataset("hopper-random", progress=progress)
    assert asked == [False, True]
    with pytest.raises(ValueError, match="progress"):
        load_dataset("hopper-random", progress="no")


def test_a_one_letter_namespace_is_refused_before_collection():
    """Probe 28: `make_dataset.py --dataset-id p/h1-v0` collected every transition, then Minari
    refused the id ("Malformed dataset ID"): its namespaces take at least 2 characters."""
    import minari.dataset.minari_dataset as minari_ds

    from rambo_env.data.minari_io import check_dataset_id

    with pytest.raises(
        ValueError, match=r"dataset_id: 'p/h1-v0' has the namespace 'p'.*'pp/h1-v0'"
    ):
        check_dataset_id("p/h1-v0")
    for ok in ("ab/h1-v0", "a/b/c-v0", "h1-v0", "rambo/hopper/medium-v0"):
        assert check_dataset_id(ok) == ok
        minari_ds.parse_dataset_id(ok)  # and Minari takes what is accepted


def test_a_stored_dataset_of_another_seed_is_said_as_another_size_is(capsys):
    """Probe 30: ``load_dataset('hopper-random', seed=3)`` with the seed-0 data stored returned
    them without a word; another n_transitions already printed a note."""
    generate_dataset("hopper", "random", n_transitions=60, n_envs=2, progress=False, n_workers=1)
    capsys.readouterr()
    assert load_dataset("hopper-random", seed=3, n_transitions=60).metadata["seed"] == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "[rambo_env] note: rambo/hopper/random-v0 holds data of seed 0 (asked 3); regenerate "
        "with python scripts/make_dataset.py --env hopper --level random --seed 3 --force"
    )
    load_dataset("hopper-random", seed=0)
    assert "of seed" not in capsys.readouterr().out  # (a note on its size, 60 transitions)


def test_a_stored_dataset_of_another_seed_is_said_for_an_asked_seed_0_too(capsys):
    """Issue 14: the note was given for a non-zero asked seed only, so ``seed=0`` (the default)
    used seed-2 data without a word. Now any seed given is compared; none given (the default,
    None) asks for no particular seed: the stored data, silently."""
    generate_dataset(
        "hopper", "random", n_transitions=60, n_envs=2, progress=False, n_workers=1, seed=2
    )
    capsys.readouterr()
    assert load_dataset("hopper-random", seed=0).metadata["seed"] == 2
    assert (  # after a note on its size (probe 45)
        "[rambo_env] note: rambo/hopper/random-v0 holds data of seed 2 (asked 0); regenerate "
        "with python scripts/make_dataset.py --env hopper --level random --seed 0 --force"
    ) in capsys.readouterr().out.splitlines()
    for quiet in ({}, {"seed": 2}):
        assert load_dataset("hopper-random", **quiet).metadata["seed"] == 2
        assert "of seed" not in capsys.readouterr().out  # (a note on its size, 60 transitions)


def test_env_id_and_name_inside_metadata_json_are_read_and_checked(tmp_path, capsys):
    """Probe 30: an npz whose ``metadata_json`` held ``{"env_id": "Hopper-v5", "name": "x"}``
    kept them as free metadata and warned "names no Gymnasium env" (and trained as 'custom').
    They are read when the file has no entry of its own, and checked as one would be."""
    arrays = make_arrays([5, 4], terminal_last=[True, False])
    path = tmp_path / "inside.npz"
    meta = {"env_id": "Hopper-v5", "name": "x", "note": "kept"}
    np.savez(path, **arrays, metadata_json=np.asarray(json.dumps(meta)))
    dataset = load_dataset(path)
    assert (dataset.env_id, dataset.name) == ("Hopper-v5", "x")
    assert dataset.metadata == {"note": "kept"}
    assert "names no Gymnasium env" not in capsys.readouterr().out
    np.savez(
        path, **arrays, env_id="Walker2d-v5", metadata_json=np.asarray(json.dumps(meta))
    )  # the file's own entry wins
    with pytest.raises(DatasetValidationError, match="Walker2d-v5"):
        load_dataset(path)
    np.savez(path, **arrays, metadata_json=np.asarray(json.dumps({"env_id": "Nope-v0"})))
    with pytest.raises(DatasetValidationError, match=r"env_id: 'Nope-v0' is not a registered"):
        load_dataset(path)


def test_a_tilde_in_the_minari_root_is_the_home_folder(tmp_path, monkeypatch, capsys):
    """Probe 31: a literal ``~`` (a quoted env file) in ``MINARI_DATASETS_PATH`` made a folder
    named ``~`` in the working folder and generated every dataset there, without a word (the
    relative-path note expanded ``~`` itself). ``RAMBO_ENV_CACHE`` expanded it already."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MINARI_DATASETS_PATH", "~/m")
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    assert minari_dataset_path("rambo/hopper/medium-v0") == (
        tmp_path / "home/m/rambo/hopper/medium-v0"
    )
    assert "relative path" not in capsys.readouterr().out


def _no_generation(*args, **kwargs):
    raise AssertionError("generated although the Minari root is wrong")


def test_a_minari_root_set_to_a_namespace_or_dataset_folder_is_refused_before_generating(
    tmp_path, monkeypatch, capsys
):
    """Probe 31: ``MINARI_DATASETS_PATH`` one level too deep (``…/minari/rambo``) started a 1M-row
    generation of rambo/hopper/medium-v0 beside the dataset the folder held. Reading there is not
    refused; writing (generating, make_dataset.py, save_minari) is, naming the right root."""
    import rambo_env.data.generate as generate_module
    from rambo_env.data.minari_io import check_dataset_place

    monkeypatch.setattr(generate_module, "generate_dataset", _no_generation)
    _save_as_minari("rambo/hopper/medium-v0", make_dataset())
    root = minari_dataset_path("")
    for deep, what in (
        ("rambo", "namespace folder (it holds namespace_metadata.json)"),
        ("rambo/hopper", "namespace folder (it holds namespace_metadata.json)"),
        ("rambo/hopper/medium-v0", "dataset's folder (it holds data/metadata.json)"),
    ):
        monkeypatch.setenv("MINARI_DATASETS_PATH", str(root / deep))
        expected = (
            f"MINARI_DATASETS_PATH: the Minari root {root / deep} looks like a Minari {what}, not "
            f"the root: rambo/hopper/medium-v0 would be written to "
            f"{root / deep / 'rambo/hopper/medium-v0'}; set MINARI_DATASETS_PATH={root} (the "
            f"folder holding {deep}/)"
        )
        with pytest.raises(ValueError) as info:
            load_dataset("hopper-medium")
        assert str(info.value) == expected
        assert "generating" not in capsys.readouterr().out
        with pytest.raises(ValueError, match="looks like a Minari"):
            check_dataset_place("rambo/hopper/medium-v0")  # make_dataset.py, generate_dataset
        with pytest.raises(ValueError, match="looks like a Minari"):
            _save_as_minari("rambo/hopper/medium-v0", make_dataset())
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root / "rambo"))  # hopper/medium-v0 there
    (root / "rambo/namespace_metadata.json").unlink()  # found by the id's layout alone
    with pytest.raises(ValueError, match=r"Minari namespace folder \(it holds hopper/medium-v0\)"):
        load_dataset("hopper-medium")
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))  # the right root: read as before
    assert load_dataset("rambo/hopper/medium-v0").n_transitions == 12


class _Generated(Exception):
    """Raised by a stand-in generator: the notice before it is all a test reads."""


def _stop_generation(*args, **kwargs):
    raise _Generated


def test_a_mistyped_minari_root_is_said_before_generating(tmp_path, monkeypatch, capsys):
    """Probe 48 row 53: ``MINARI_DATASETS_PATH=…/minar1`` (a typo of the root ``…/minari``)
    created that root and started a 1M-transition generation with only the usual "generating"
    line, which named no size. The notice now names the size, says the root does not exist yet,
    and names a sibling root with a close name that holds the data."""
    import rambo_env.data.generate as generate_module

    monkeypatch.setattr(generate_module, "generate_dataset", _stop_generation)
    monkeypatch.setenv("D4RL_DATASET_DIR", str(tmp_path / "d4rl"))
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    _save_as_minari("rambo/hopper/random-v0", make_dataset())
    typo = tmp_path / "minar1"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(typo))
    capsys.readouterr()
    with pytest.raises(_Generated):
        load_dataset("hopper-random")
    out = capsys.readouterr().out
    assert (
        "generating rambo/hopper/random-v0 (D4RL protocol, 1,000,000 transitions, about 1-4 min per million on 2 cores; "
        in out
    )
    assert (
        f"[rambo_env] WARNING: the Minari root {typo} (MINARI_DATASETS_PATH) does not exist yet: "
        "it will be created; if the path is a typo, stop now (Ctrl-C) and fix it; did you mean "
        f"MINARI_DATASETS_PATH={tmp_path / 'minari'}, which holds rambo/hopper/random-v0?\n"
    ) in out, out
    assert not typo.exists()  # probe 49: made by the root check, removed after the failure
    other = tmp_path / "elsewhere"  # no close sibling holds the data: no guess
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(other))
    with pytest.raises(_Generated):
        load_dataset("hopper-random")
    assert (
        f"the Minari root {other} (MINARI_DATASETS_PATH) does not exist yet: it will be created; "
        "if the path is a typo, stop now (Ctrl-C) and fix it\n"
    ) in capsys.readouterr().out
    monkeypatch.delenv("MINARI_DATASETS_PATH")  # a fresh machine's default root: calm
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(_Generated):
        load_dataset("hopper-random")
    out = capsys.readouterr().out
    assert (
        f"[rambo_env] the Minari root {tmp_path / 'home/.minari/datasets'} does not exist yet: "
        "it is created\n"
    ) in out, out
    assert "WARNING" not in out
    (tmp_path / "home/.minari/datasets").mkdir(parents=True)
    with pytest.raises(_Generated):  # it exists now: no line
        load_dataset("hopper-random")
    assert "does not exist" not in capsys.readouterr().out


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_an_interrupted_generation_leaves_no_new_empty_minari_root(tmp_path, monkeypatch, capsys):
    """Probe 49 row 16: a first-use generation into a mistyped ``MINARI_DATASETS_PATH`` stopped
    by Ctrl-C left the empty root, so the rerun no longer warned that the root did not exist and
    generated again. The root (and the folders made above it) is removed again while empty, and
    an existing empty root is warned of when a close sibling holds the data."""
    import rambo_env.data.generate as generate_module

    monkeypatch.setattr(generate_module, "_level_episodes", _interrupt)
    monkeypatch.setenv("D4RL_DATASET_DIR", str(tmp_path / "d4rl"))
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    _save_as_minari("rambo/hopper/random-v0", make_dataset())
    typo = tmp_path / "minar1"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(typo))
    warned = (
        f"[rambo_env] WARNING: the Minari root {typo} (MINARI_DATASETS_PATH) does not exist yet: "
        "it will be created; if the path is a typo, stop now (Ctrl-C) and fix it; did you mean "
        f"MINARI_DATASETS_PATH={tmp_path / 'minari'}, which holds rambo/hopper/random-v0?\n"
    )
    for _ in range(2):  # the rerun warns again
        capsys.readouterr()
        with pytest.raises(KeyboardInterrupt):
            load_dataset("hopper-random")
        assert warned in capsys.readouterr().out
        assert not typo.exists()
    deep = tmp_path / "new" / "deeper" / "root"  # the folders made above it go too
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(deep))
    with pytest.raises(KeyboardInterrupt):
        generate_module.generate_dataset("hopper", "random", n_transitions=100, n_workers=1)
    assert not (tmp_path / "new").exists()
    # a root left empty by an older version: warned of only when a close sibling holds the data
    typo.mkdir()
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(typo))
    capsys.readouterr()
    with pytest.raises(KeyboardInterrupt):
        load_dataset("hopper-random")
    assert (
        f"[rambo_env] WARNING: the Minari root {typo} (MINARI_DATASETS_PATH) is empty; if the "
        "path is a typo, stop now (Ctrl-C) and fix it; did you mean "
        f"MINARI_DATASETS_PATH={tmp_path / 'minari'}, which holds rambo/hopper/random-v0?\n"
    ) in capsys.readouterr().out
    assert typo.is_dir()  # it was there before: kept
    fresh = tmp_path / "fresh"  # an empty root with no such sibling: no alarm
    fresh.mkdir()
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(fresh))
    with pytest.raises(KeyboardInterrupt):
        load_dataset("hopper-random")
    out = capsys.readouterr().out
    assert "generating rambo/hopper/random-v0" in out and "WARNING" not in out, out
    assert fresh.is_dir()


def test_a_minari_id_without_its_namespace_names_the_id_not_the_root():
    """Probe 44 row 61: ``load_dataset('hopper/rand-v0')`` with ``user/hopper/rand-v0`` in the
    (right) Minari root advised MINARI_DATASETS_PATH=<root>/user, which would hide every other
    dataset there: the id is what lacks its namespace. (A root one level too high, where the
    dataset was written under the id given, still names the root: the test below.)"""
    _save_as_minari("user/hopper/rand-v0", make_dataset())
    root = minari_dataset_path("")
    with pytest.raises(DatasetUnavailableError) as info:
        load_dataset("hopper/rand-v0")
    assert str(info.value) == (
        f"Minari dataset 'hopper/rand-v0': the Minari root {root} holds no hopper/rand-v0, but "
        "holds user/hopper/rand-v0: did you mean the id user/hopper/rand-v0? (a Minari id starts "
        "with its namespace folder)"
    )
    assert load_dataset("user/hopper/rand-v0").n_transitions == 12


def test_an_unknown_short_name_in_another_case_says_did_you_mean():
    """Probe 44 row 63: ``load_dataset('Hopper-Medium')`` listed the short names but named no
    'hopper-medium' (make_agent does)."""
    with pytest.raises(ValueError, match=r"^unknown dataset 'Hopper-Medium' \(did you mean "
                       r"'hopper-medium'\?\)\. Valid: a short name"):  # fmt: skip
        load_dataset("Hopper-Medium")


def test_a_compressed_dataset_file_says_decompress_it_first(tmp_path):
    """Probe 44 row 57: ``load_dataset('x.npz.gz')`` was only "is not a dataset file"."""
    packed = tmp_path / "x.npz.gz"
    packed.write_bytes(b"\x1f\x8b")
    with pytest.raises(ValueError) as info:
        load_dataset(str(packed))
    assert str(info.value).endswith(
        f"; {packed} is compressed (.gz): decompress it first (gunzip {packed}) and load "
        f"{tmp_path / 'x.npz'}"
    )


def test_a_minari_root_one_level_off_names_the_right_root(tmp_path, monkeypatch, capsys):
    """Probe 36 rows 37 + 38: ``MINARI_DATASETS_PATH`` one level above the root (``/data``
    holding ``minari/rambo/…``) generated a short name's data anew (1M steps at the default size)
    beside the copy one level down; one level too deep (``…/minari/rambo``), reading an id advised
    downloading or generating data that were there. Both name the right root now."""
    import rambo_env.data.generate as generate_module

    monkeypatch.setattr(generate_module, "generate_dataset", _no_generation)
    _save_as_minari("rambo/hopper/medium-v0", make_dataset())
    root = minari_dataset_path("")
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root.parent))
    for name, generate in (("hopper-medium", True), ("hopper-medium", False), (None, False)):
        with pytest.raises(FileNotFoundError) as info:
            load_dataset(name or "rambo/hopper/medium-v0", generate=generate)
        assert str(info.value).startswith(
            f"MINARI_DATASETS_PATH: the Minari root {root.parent} holds no rambo/hopper/medium-v0"
            f", but {root}, one level down, does: did you mean MINARI_DATASETS_PATH={root}? "
        ), info.value
        assert "generating" not in capsys.readouterr().out
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root / "rambo"))
    with pytest.raises(FileNotFoundError) as info:
        load_dataset("rambo/hopper/medium-v0")
    assert str(info.value) == (
        f"MINARI_DATASETS_PATH: the Minari root {root / 'rambo'} ends in rambo of the id "
        "rambo/hopper/medium-v0 (it holds hopper/medium-v0); the variable names the folder "
        f"holding the namespace folders: set MINARI_DATASETS_PATH={root}"
    )
    # probe 38 row 49: the root inside the dataset (its data folder, holding main_data.hdf5)
    # started a full generation inside it
    folder = root / "rambo" / "hopper" / "medium-v0"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(folder / "data"))
    with pytest.raises(ValueError) as info:
        load_dataset("hopper-medium", generate=True)
    assert str(info.value) == (
        f"MINARI_DATASETS_PATH: the Minari root {folder / 'data'} looks like a folder inside the "
        f"Minari dataset rambo/hopper/medium-v0 ({folder}), not the root: "
        f"rambo/hopper/medium-v0 would be written to {folder / 'data' / 'rambo/hopper/medium-v0'}"
        f"; set MINARI_DATASETS_PATH={root} (the folder holding rambo/hopper/medium-v0/)"
    ), info.value
    assert "generating" not in capsys.readouterr().out
    for name in ("rambo/hopper/medium-v0", "hopper-medium"):  # reading there: was not-found
        with pytest.raises(FileNotFoundError) as info:
            load_dataset(name, generate=False)
        assert str(info.value) == (
            f"MINARI_DATASETS_PATH: the Minari root {folder / 'data'} is a folder inside the "
            f"Minari dataset rambo/hopper/medium-v0 ({folder}), not the root, so it holds no "
            f"datasets; set MINARI_DATASETS_PATH={root} (the folder holding "
            "rambo/hopper/medium-v0/)"
        ), info.value
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    with pytest.raises(FileNotFoundError, match="is not in the local Minari root"):  # truly absent
        load_dataset("rambo/walker2d/medium-v0")


def test_env_id_overriding_the_datasets_env_is_warned_once_as_the_evaluation_warns(
    monkeypatch, capsys
):
    """Probe 31: Hopper-v5 data with ``--env-id Hopper-v4`` ran with only gymnasium's "out of
    date" warning. Probe 44 row 20: ``make_mdp(d, env_id='Hopper-v4')`` on Hopper-v5 data gave
    only a "note", worded unlike the evaluation's warning for the same pair; every path that
    takes ``env_id=`` (load_dataset, make_mdp, gym.make('RamboModel-…'), --env-id) loads
    through one warning, given once per pair, none for equal ids or data that record no env."""
    import rambo_env
    from rambo_env import model
    from rambo_env.data import loaders
    from rambo_env.evaluation import other_env_kind

    monkeypatch.setattr(loaders, "_WARNED_ENV_OVERRIDE", set())
    dataset = make_dataset(env_id="Hopper-v5", name="h5")
    warning = (
        "[rambo_env] WARNING: dataset 'h5' records Hopper-v5 data, but env_id= (--env-id) "
        "overrides it with Hopper-v4 (another version of that env: its dynamics and rewards may "
        "differ from the data's); policies are evaluated and model rollouts end by Hopper-v4's "
        "rules; leave env_id= (--env-id) out to use Hopper-v5 (warned once per pair)"
    )

    class Loaded(Exception):
        """Raised where make_mdp would train: the load, and its warning, are done."""

    def stop(*args, **kwargs):
        raise Loaded

    monkeypatch.setattr(model, "_cached_or_trained_ensemble", stop)
    with pytest.raises(Loaded):
        rambo_env.make_mdp(dataset, env_id="Hopper-v4", cache=False)
    assert warning in capsys.readouterr().out
    assert load_dataset(dataset, env_id="Hopper-v4").env_id == "Hopper-v4"
    assert "overrides" not in capsys.readouterr().out  # once per pair
    load_dataset(dataset, env_id="Hopper-v5")
    load_dataset(dataclasses.replace(dataset, env_id=None), env_id="Hopper-v4")
    assert "overrides" not in capsys.readouterr().out
    with pytest.raises(DatasetValidationError, match="obs_dim 11"):  # other dims: refused
        load_dataset(dataset, env_id="Walker2d-v5")
    assert "overrides" not in capsys.readouterr().out
    assert other_env_kind("Hopper-v5", "Walker2d-v5") == "another env"


def test_the_load_line_names_the_minari_root(monkeypatch, capsys):
    """Probe 31: with ``MINARI_DATASETS_PATH=''`` the data came from ~/.minari/datasets while the
    load line named only the id."""
    _save_as_minari("t/hopper/root-v0", make_dataset())
    capsys.readouterr()
    load_dataset("t/hopper/root-v0")
    assert (
        f"<- minari:t/hopper/root-v0 in the Minari root {minari_dataset_path('')} (12 transitions"
        in capsys.readouterr().out
    )


def test_the_load_lines_source_string_is_taken_as_input(tmp_path, capsys):
    """Probe 38 row 83: the source the load line prints (``minari:rambo/hopper/medium-v0``,
    ``npz:/f/x.npz``) copied back into load_dataset / --dataset: "Minari dataset 'minari:…' is not
    in the local Minari root" / "'npz:/f/x.npz' is a URL". The prefix is dropped now."""
    _save_as_minari("t/hopper/src-v0", make_dataset())
    assert load_dataset("minari:t/hopper/src-v0").n_transitions == 12
    path = tmp_path / "x.npz"
    make_dataset().to_npz(path)
    capsys.readouterr()
    assert load_dataset(f"npz:{path}").n_transitions == 12
    assert f"<- npz:{path} " in capsys.readouterr().out  # one prefix, not npz:npz:
    # data of from_arrays without a source: the load line read "<-  (" with nothing between
    arrays = make_dataset()
    arrays.source = ""
    load_dataset(arrays)
    assert "' <- arrays in memory (12 transitions" in capsys.readouterr().out


def test_an_upper_case_source_prefix_or_a_file_url_is_the_local_path(tmp_path, capsys):
    """Probe 39 rows 21, 22: ``load_dataset('NPZ:/f/x.npz')`` and ``load_dataset('file:///f/x.npz')``
    (``Path.as_uri()``, a browser's address bar) were "is a URL; datasets are not downloaded"."""
    from rambo_env.data.loaders import absolute_dataset

    _save_as_minari("t/hopper/upper-v0", make_dataset())
    assert load_dataset("MINARI:t/hopper/upper-v0").n_transitions == 12
    path = tmp_path / "my data.npz"
    make_dataset().to_npz(path)
    for given in (
        f"NPZ:{path}",
        f"Npz:{path}",
        path.as_uri(),  # file:///…/my%20data.npz
        f"FILE://localhost{path}",
    ):
        capsys.readouterr()
        assert load_dataset(given).n_transitions == 12, given
        assert f"<- npz:{path} " in capsys.readouterr().out
        assert absolute_dataset(given) == str(path)  # cotrain / sweep --dataset
    with pytest.raises(ValueError, match=r"'file://host/x\.npz' is a URL; datasets are not"):
        load_dataset("file://host/x.npz")  # another machine's file: still not downloaded


def test_swapped_observation_fields_are_named_not_called_unmarked_episode_ends(tmp_path, capsys):
    """Issue 14 (finding 21): observations / next_observations swapped were "N row(s) end an
    episode without a flag; mark them as timeouts … Training is unaffected", then loaded."""
    arrays = make_arrays([20, 15], terminal_last=[False, False])
    arrays["observations"], arrays["next_observations"] = (
        arrays["next_observations"],
        arrays["observations"],
    )
    path = tmp_path / "swap.npz"
    np.savez(path, **arrays, env_id=np.asarray("Hopper-v5"))
    with pytest.raises(DatasetValidationError, match=r"swap\.npz.*'observations' and 'next_obs"):
        load_dataset(str(path))
    assert "mark them as timeouts" not in capsys.readouterr().out


@pytest.mark.parametrize("fill", [0.0, 1.5])
def test_next_observations_never_written_are_refused_naming_the_field(tmp_path, capsys, fill):
    """Issue 14 (finding 22): an hdf5 next_observations dataset created but never written (all
    zeros) was loaded with the advice to mark every row as a timeout."""
    arrays = make_arrays([20, 15], terminal_last=[False, False])
    path = tmp_path / "unwritten.hdf5"
    with h5py.File(path, "w") as f:
        for key, value in arrays.items():
            if key == "next_observations":
                f.create_dataset(key, shape=value.shape, dtype="f4", fillvalue=fill)
            else:
                f.create_dataset(key, data=value)
    with pytest.raises(DatasetValidationError, match=r"unwritten\.hdf5.*'next_observations'"):
        load_dataset(str(path), env_id="Hopper-v5")
    assert "mark them as timeouts" not in capsys.readouterr().out


def test_a_file_path_without_its_ending_or_a_folder_of_files_is_told_what_to_give(
    tmp_path, monkeypatch
):
    """Issue 14 (finding 23): ``--dataset f/ok`` beside f/ok.npz was Minari download advice for
    an id no server has; a folder of npz files said only "is not a dataset file"."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f").mkdir()
    make_dataset(name="ok").to_npz(tmp_path / "f" / "ok.npz")
    for text in ("f/ok", str(tmp_path / "f" / "ok")):
        with pytest.raises(ValueError, match=rf"the file {re.escape(text)}\.npz exists: did you "):
            load_dataset(text)
    with pytest.raises(ValueError, match=r"'f' is a folder, not a dataset file .* holds 1 "):
        load_dataset("f")


def test_a_newer_local_version_of_a_short_names_dataset_is_noted(capsys):
    """Issue 14 (finding 29): rambo/hopper/medium-v1 beside the v0 that ``hopper-medium`` reads
    was never mentioned."""
    _save_as_minari("rambo/hopper/medium-v0", make_dataset((7, 5), (True, False)))
    capsys.readouterr()
    load_dataset("hopper-medium")
    assert "newer" not in capsys.readouterr().out
    _save_as_minari("rambo/hopper/medium-v1", make_dataset((6, 5), (True, False)))
    assert load_dataset("hopper-medium").n_transitions == 12  # still v0
    out = capsys.readouterr().out
    assert (
        "note: 'hopper-medium' reads rambo/hopper/medium-v0; the local Minari root also holds "
        "the newer rambo/hopper/medium-v1: to train on it, give its id (--dataset "
        "rambo/hopper/medium-v1" in out
    )


def test_next_observations_shifted_by_one_row_are_refused_not_called_unmarked_episode_ends(
    tmp_path, capsys
):
    """Issue 14 (probe 34, CSV line 56): next_observations one row late (next_observations[t] ==
    observations[t + 2]) were "2984 row(s) end an episode without a flag … mark them as timeouts
    … Training is unaffected", then loaded."""
    arrays = make_arrays([40, 30, 30], terminal_last=[False, True, False])
    arrays["next_observations"] = np.roll(arrays["next_observations"], -1, axis=0)
    path = tmp_path / "off1.npz"
    np.savez(path, **arrays, env_id=np.asarray("Hopper-v5"))
    with pytest.raises(
        DatasetValidationError,
        match=r"off1\.npz.*'next_observations' looks shifted by one row.*on 9\d% of rows "
        r"next_observations\[t\] equals observations\[t \+ 2\]",
    ):
        load_dataset(str(path))
    assert "mark them as timeouts" not in capsys.readouterr().out


def test_genuine_short_episodes_are_not_taken_for_shifted_next_observations():
    """The shifted-rows check leaves real layouts alone: many one- and two-step episodes, and
    one-step episodes that all end in one absorbing state."""
    arrays = make_arrays([1, 2] * 30, terminal_last=[True, False] * 30)
    OfflineDataset.from_arrays(arrays, env_id="Hopper-v5")
    arrays = make_arrays([1] * 50, terminal_last=[True] * 50)
    arrays["next_observations"][:] = arrays["next_observations"][0]
    OfflineDataset.from_arrays(arrays)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/hopper_medium-v2.hdf5",
        "http://example.org/x.npz",
        "s3://bucket/hopper-medium",
        Path("https://example.org/hopper_medium-v2.hdf5"),  # pathlib's "https:/…"
    ],
)
def test_a_url_as_the_dataset_is_refused_not_mangled_to_a_path(tmp_path, monkeypatch, url):
    """Issue 14 (probe 34, CSV line 38): ``--dataset https://…/x.hdf5`` was "D4RL hdf5 file
    /cwd/https:/example.org/x.hdf5 does not exist"."""
    from rambo_env.data.loaders import absolute_dataset

    monkeypatch.chdir(tmp_path)
    said = r"dataset: '.*' is a URL; datasets are not downloaded: download the file and pass its"
    with pytest.raises(ValueError, match=said):
        load_dataset(url)
    with pytest.raises(ValueError, match=said):
        absolute_dataset(str(url))  # what cotrain / sweep / toys resolve --dataset with
    assert absolute_dataset("C:/data/x.npz").endswith("x.npz")  # a drive letter is no URL


def test_a_minari_folder_whose_metadata_names_another_id_is_refused_as_misconfigured():
    """Issue 14 (probe 34, CSV line 64): a dataset folder copied or renamed, its
    data/metadata.json naming another dataset_id, loaded silently (Minari's own listing calls it
    "Misconfigured")."""
    import shutil

    _save_as_minari("t/hopper/orig-v0", make_dataset())
    load_dataset("t/hopper/orig-v0")  # its flat cache written: the copy must not slip past it
    shutil.copytree(minari_dataset_path("t/hopper/orig-v0"), minari_dataset_path("t/hopper/cp-v0"))
    misconfigured = (
        r"Minari dataset 't/hopper/cp-v0' at .* is damaged \(misconfigured: the folder says "
        r"dataset_id 't/hopper/cp-v0' but data/metadata.json says 't/hopper/orig-v0' .*\); "
    )
    with pytest.raises(  # probe 63 row 54: "rename the folder back" onto the original's folder
        ValueError,
        match=misconfigured + r"set \"dataset_id\": \"t/hopper/cp-v0\" in its data/metadata"
        r"\.json \(a copy: 't/hopper/orig-v0' is still there\)",
    ):
        load_dataset("t/hopper/cp-v0")
    shutil.rmtree(minari_dataset_path("t/hopper/orig-v0"))  # a renamed folder: rename it back
    with pytest.raises(
        ValueError,
        match=misconfigured + r"rename the folder back to .*orig-v0, or set \"dataset_id\": "
        r"\"t/hopper/cp-v0\"",
    ):
        load_dataset("t/hopper/cp-v0")


@pytest.fixture(scope="module")
def _hopper_steps(tmp_path_factory):
    """A few hundred real Hopper-v5 steps (random policy), as arrays."""
    root = tmp_path_factory.mktemp("reward_check")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MINARI_DATASETS_PATH", str(root / "minari"))
        mp.setenv("RAMBO_ENV_CACHE", str(root / "cache"))
        d = generate_dataset(
            "hopper", "random", n_transitions=300, n_envs=1, progress=False, n_workers=1,
            dataset_id="t/hopper/rewards-v0",
        )  # fmt: skip
    return {k: getattr(d, k) for k in ("observations", "actions", "rewards", "next_observations",
                                       "terminals", "timeouts")}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (None, None),
        (lambda r: -r, r"correlation -1\.00 with the env's reward .*: negated \(costs\)\?"),
        (lambda r: r * 1000, r"they are x1e\+03 the scale of the env's reward .*: rescaled\?"),
        (lambda r: np.roll(r, 1), r"found at row t \+ 1 .*: shifted by one row\?"),
        (
            lambda r: r + 1.0,  # probe 37 row 72: Hopper-v5 with healthy_reward=2.0
            r"they are offset by \+1 per step from the env's reward \(mean \|env reward\| "
            r"[0-9.]+, correlation 1\.00\): another healthy_reward / alive bonus, or a constant "
            r"added\?",
        ),
        (  # probe 43 row 45: x2 (README's replace example) was "offset by +0.786 per step"
            lambda r: r * 2,
            r"they are x2 the scale of the env's reward \(correlation 1\.00\): rescaled\?",
        ),
        (
            lambda r: r * 3 + 1,
            r"they are x3 the scale of the env's reward and offset by \+1 per step \(data "
            r"reward = 3 \* env reward \+1; .*\): rescaled and a constant added\?",
        ),
    ],
)
def test_rewards_that_do_not_follow_the_named_envs_reward_are_warned_about(
    tmp_path, capsys, _hopper_steps, change, said
):
    """Issue 14 (probe 34, CSV line 57): Hopper-v5 data with negated rewards (costs), rewards
    x1000 or rolled by one row loaded silently; the agent trained on them and was evaluated on
    Hopper-v5's reward. Real data (and toy arrays that are no env's dynamics) say nothing."""
    arrays = dict(_hopper_steps)
    if change is not None:
        arrays["rewards"] = change(arrays["rewards"]).astype(np.float32)
    path = tmp_path / "r.npz"
    np.savez(path, **arrays, env_id=np.asarray("Hopper-v5"))
    capsys.readouterr()
    load_dataset(str(path))
    out = capsys.readouterr().out
    if said is None:
        assert "rewards disagree" not in out
        load_dataset(make_dataset())  # random toy arrays: not Hopper's dynamics, not judged
        assert "rewards disagree" not in capsys.readouterr().out
    else:
        assert re.search(
            rf"WARNING: dataset 'custom' \(npz:.*r\.npz\): its rewards disagree with Hopper-v5's "
            rf"reward on \d+ sampled rows .*{said} The agent trains on the data's rewards",
            out,
        ), out
        assert out.count("rewards disagree") == 1


def _rollout(env_id, n, episode_len=200, change_model=None, seed=0):
    """``n`` real steps of ``env_id`` with uniform random actions, episodes cut at
    ``episode_len`` steps (timeouts); ``change_model(model)`` perturbs the simulator first (the
    data then come from slightly other dynamics, as D4RL's older MuJoCo versions)."""
    import gymnasium as gym

    env = gym.make(env_id)
    if change_model is not None:
        change_model(env.unwrapped.model)
    env.action_space.seed(seed)
    rows = {k: [] for k in ("observations", "actions", "rewards", "next_observations")}
    terminals, timeouts = [], []
    obs, _ = env.reset(seed=seed)
    steps = 0
    for _ in range(n):
        action = env.action_space.sample()
        nxt, reward, terminated, _, _ = env.step(action)
        steps += 1
        for k, v in zip(rows, (obs, action, reward, nxt), strict=True):
            rows[k].append(v)
        terminals.append(terminated)
        timeouts.append(not terminated and steps == episode_len)
        obs = nxt
        if terminated or steps == episode_len:
            obs, _ = env.reset()
            steps = 0
    timeouts[-1] = not terminals[-1]
    env.close()
    out = {k: np.asarray(v, np.float32) for k, v in rows.items()}
    return {**out, "terminals": np.asarray(terminals), "timeouts": np.asarray(timeouts)}


def _scaled(arrays, columns, factor):
    out = dict(arrays)
    for key in ("observations", "next_observations"):
        out[key] = out[key].copy()
        out[key][:, columns] *= factor
    return out


def _actions(arrays, order):
    return {**arrays, "actions": np.ascontiguousarray(arrays["actions"][:, order])}


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            lambda a: _scaled(a, 0, 1000.0),
            r"observations\[:,0\] is ~1000x the env's, in next_observations too \(another unit",
        ),
        (
            lambda a: _scaled(a, slice(5, None), 0.5),
            r"observations\[:,5:11\] \(columns 5-10\) are ~0\.5x the env's, in next_obs",
        ),
        (
            lambda a: _actions(a, [2, 1, 0]),
            r"its action columns are in reverse order: with them reversed, the env reproduces",
        ),
        (
            lambda a: _actions(a, [1, 0, 2]),
            r"observations\[:,.*\] miss more than 30 percent of each step's change, and no "
            r"column's scale explains it .*: the actions do not reproduce the data's transitions "
            r"\(actions in another order or scale\?\)",
        ),
    ],
    ids=["height-x1000", "velocities-x0.5", "actions-reversed", "actions-swapped"],
)
def test_data_the_named_env_does_not_reproduce_are_warned_about_naming_the_columns(
    tmp_path, capsys, _hopper_steps, change, said
):
    """Issue 14 (probe 35): Hopper-v5 data with the height in mm (observations[:,0] x1000 in
    both observations and next_observations), the action columns in another order, or the
    velocities x0.5 (a wrong dt) loaded with no word: the reward check found the env does not
    reproduce the data and took them as "not judged". One warning names the columns and their
    scale, or says the actions do not reproduce the transitions."""
    (tmp_path / "f").mkdir()
    np.savez(tmp_path / "f" / "mm.npz", **change(dict(_hopper_steps)), env_id="Hopper-v5")
    capsys.readouterr()
    load_dataset(str(tmp_path / "f" / "mm.npz"))
    out = capsys.readouterr().out
    assert re.search(
        r"WARNING: dataset 'custom' \(npz:.*mm\.npz\): Hopper-v5 stepped from its rows \(.*\) "
        rf"does not reproduce their next_observations: {said}.*; fix the data, or pass the env "
        r"the data come from \(--env-id\)",
        out,
    ), out
    assert out.count("does not reproduce their next_observations") == 1
    assert "rewards disagree" not in out


@pytest.mark.parametrize("env_id", ["Hopper-v5", "Walker2d-v5", "HalfCheetah-v5"])
def test_real_data_and_slightly_other_dynamics_are_not_warned_about(tmp_path, capsys, env_id):
    """Issue 14 (probe 35): the transition check stays quiet on the env's own data (also in
    1-2-step episodes) and on data of slightly other dynamics (a body mass 5 percent, the
    friction 10 percent or the timestep 2 percent off: D4RL's older MuJoCo versions)."""
    from rambo_env.data.loaders import reward_agreement

    def mass(model):
        model.body_mass[:] *= 1.05

    def friction(model):
        model.geom_friction[:] *= 1.1

    def timestep(model):
        model.opt.timestep *= 1.02

    cases = {
        "own": _rollout(env_id, 300, episode_len=60),
        "short": _rollout(env_id, 200, episode_len=2, seed=1),
        **{f.__name__: _rollout(env_id, 300, 60, f, seed=2) for f in (mass, friction, timestep)},
    }
    for name, arrays in cases.items():
        np.savez(tmp_path / f"{name}.npz", **arrays, env_id=env_id)
        capsys.readouterr()
        dataset = load_dataset(str(tmp_path / f"{name}.npz"))
        out = capsys.readouterr().out
        assert "does not reproduce" not in out and "rewards disagree" not in out, (name, out)
        assert reward_agreement(dataset) is not None, name  # judged: the env reproduces them


def test_a_dataset_file_with_a_trailing_slash_is_told_to_drop_it(tmp_path, monkeypatch):
    """Probe 35: ``--dataset f/ok.npz/`` (tab completion) said only "is not a dataset file"."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f").mkdir()
    make_dataset(name="ok").to_npz(tmp_path / "f" / "ok.npz")
    with pytest.raises(ValueError, match=r"ends in '/', but f/ok.npz is a file: drop the trailing"):
        load_dataset("f/ok.npz/")


def test_a_relative_minari_folder_or_its_data_folder_is_told_its_id(tmp_path, monkeypatch):
    """Probe 35: a Minari dataset's folder as a relative path was taken as an id (download advice
    at a doubled path); its data/ folder advised naming main_data.hdf5, which is refused."""
    _save_as_minari("t/hopper/rel-v0", make_dataset((7, 5), (True, False)))
    folder = minari_dataset_path("t/hopper/rel-v0")
    rel = f"{folder.parents[2].name}/t/hopper/rel-v0"
    monkeypatch.chdir(folder.parents[3])
    for text in (rel, f"{rel}/data"):
        with pytest.raises(ValueError, match=r"is a local Minari dataset's folder") as e:
            load_dataset(text)
        assert "probably t/hopper/rel-v0 with MINARI_DATASETS_PATH=" in str(e.value)
        assert "download" not in str(e.value) and "main_data.hdf5" not in str(e.value)
    monkeypatch.chdir(folder.parents[2])  # run from the Minari root: the id itself
    assert load_dataset("t/hopper/rel-v0").name == "hopper-rel"


@pytest.mark.parametrize(("key", "said"), [("observations", "5 observations, found 4")])
def test_a_minari_episode_with_a_field_short_is_named(key, said):
    """Probe 35: an episode one observation short was only the flattened arrays' "field
    'actions' has 3000 rows but 'observations' has 2999", no episode named."""
    _save_as_minari("t/hopper/short-v0", make_dataset((7, 4), (True, False)))
    with h5py.File(minari_dataset_path("t/hopper/short-v0") / "data" / "main_data.hdf5", "a") as f:
        kept = f[f"episode_1/{key}"][:-1]
        del f[f"episode_1/{key}"]
        f[f"episode_1/{key}"] = kept
    with pytest.raises(ValueError, match=rf"is damaged \(episode_1: 4 actions need {said}\); re-"):
        load_dataset("t/hopper/short-v0")
    episodes = [{"observations": np.zeros((3, 2)), "actions": np.zeros((3, 1))}]
    with pytest.raises(DatasetValidationError, match=r"episode_0: 3 actions need 4 observations"):
        episodes_to_dataset(episodes)


def _edit_episode(dataset_id: str, episode: str, key: str, edit) -> None:
    """Replace ``episode/key`` of a local Minari dataset's main_data.hdf5 by ``edit(old)``."""
    with h5py.File(minari_dataset_path(dataset_id) / "data" / "main_data.hdf5", "a") as f:
        value = edit(f[f"{episode}/{key}"][:])
        del f[f"{episode}/{key}"]
        f[f"{episode}/{key}"] = value


@pytest.mark.parametrize(
    ("key", "edit", "said"),
    [  # probe 59 row 40: the 2 was read as a terminal without a word
        (
            "terminations",
            lambda v: np.r_[np.zeros(len(v) - 1, np.int64), 2],
            r"episode_0 terminations\[6\] = 2 is not a boolean \(0 or 1\)",
        ),
        (
            "truncations",
            lambda v: np.r_[np.zeros(len(v) - 1), 0.5],
            r"episode_0 truncations\[6\] = 0.5 is not a boolean \(0 or 1\)",
        ),
        # row 41: numpy's raw "all the input arrays must have same number of dimensions"
        (
            "rewards",
            lambda v: np.stack([v, v], 1),
            r"episode_0 rewards has shape \(7, 2\), expected \(7,\)",
        ),
        (
            "actions",
            lambda v: v[:, 0],
            r"episode_0 actions has shape \(7,\), expected \(7, action_dim\)",
        ),
        # row 42: a flag mid-episode split it without a word (one episode more)
        (
            "terminations",
            lambda v: np.r_[True, np.zeros(len(v) - 1, bool)],
            r"episode_0: terminations\[0\] is set but the episode goes on for 6 more step\(s\); "
            r"a Minari episode ends at its first termination / truncation",
        ),
    ],
)
def test_a_minari_episode_with_bad_flags_or_shapes_is_named(key, edit, said):
    """Probe 59 rows 40-42: non-boolean flags, a field of the wrong shape and a flag before an
    episode's last step are one error naming the dataset, the episode, the field and the index."""
    _save_as_minari("t/hopper/bad-v0", make_dataset((7, 4), (True, False)))
    _edit_episode("t/hopper/bad-v0", "episode_0", key, edit)
    with pytest.raises(ValueError, match=rf"'t/hopper/bad-v0' .* is damaged \({said}\); re-"):
        load_dataset("t/hopper/bad-v0")


def test_a_minari_episode_with_n_by_1_rewards_loads_as_d4rl_columns():
    """Probe 59 row 41: (T, 1) rewards were numpy's raw concatenate error; the flat readers take
    D4RL's (N, 1) columns as (N,), so this reader does too."""
    flat = make_dataset((7, 4), (True, False))
    _save_as_minari("t/hopper/rew2d-v0", flat)
    _edit_episode("t/hopper/rew2d-v0", "episode_0", "rewards", lambda v: v[:, None])
    np.testing.assert_array_equal(load_dataset("t/hopper/rew2d-v0").rewards, flat.rewards)


def test_minari_metadata_spaces_contradicting_the_arrays_warn(capsys):
    """Probe 59 row 43: an int64 action_space over float32 actions loaded without a word; a
    space left out (Minari builds it from the env) and float64 vs float32 say nothing."""
    _save_as_minari("t/hopper/sp-v0", make_dataset((7, 4), (True, False)))
    meta_path = minari_dataset_path("t/hopper/sp-v0") / "data" / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta.pop("observation_space")
    meta["action_space"] = meta["action_space"].replace("float32", "int64")
    meta_path.write_text(json.dumps(meta))
    load_dataset("t/hopper/sp-v0")
    out = capsys.readouterr().out
    assert (
        "WARNING: Minari dataset 't/hopper/sp-v0': data/metadata.json's action_space says shape "
        "(3,), dtype int64, but its actions have shape (3,), dtype float32" in out
    )
    assert "observation_space" not in out


def test_episode_ends_with_wrong_next_states_or_flags_warn_at_load(capsys):
    """Probe 36 rows 29, 30, 53, 54: next states shifted across episode ends (np.roll), with
    the terminals kept (blamed on the env's termination rule) or dropped (16 episodes of 147,
    silent), timeouts on every row (one-step 'episodes', silent) and all-zero placeholder next
    states on terminal rows (silent) each give one warning naming the likely cause."""
    a = _rollout("Walker2d-v5", 600, episode_len=15)
    ends = a["terminals"] | a["timeouts"]
    assert a["terminals"].sum() >= 3 and a["timeouts"].sum() >= 3
    limit = {"env_max_episode_steps": 15}  # probe 90 row 19: the 15-step limit is recorded
    load_dataset(OfflineDataset.from_arrays(a, env_id="Walker2d-v5", metadata=limit))
    assert "WARNING" not in capsys.readouterr().out

    rolled = {**a, "next_observations": np.roll(a["observations"], -1, axis=0)}
    load_dataset(OfflineDataset.from_arrays(rolled, env_id="Walker2d-v5", metadata=limit))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1 and "termination rule" not in out, out
    assert "next states built by shifting observations across episode ends" in out

    dropped = {**rolled, "terminals": np.zeros_like(a["terminals"])}
    load_dataset(OfflineDataset.from_arrays(dropped, env_id="Walker2d-v5", metadata=limit))
    out = capsys.readouterr().out
    falls = int(a["terminals"][:-1].sum())
    assert re.search(rf"{falls} row\(s\) with neither terminal nor timeout set \(first: row "
                     rf"{np.flatnonzero(a['terminals'])[0]}\) jump to a state like the "
                     r"episodes' first states", out), out  # fmt: skip

    every = {**a, "timeouts": ~a["terminals"]}
    load_dataset(OfflineDataset.from_arrays(every, env_id="Walker2d-v5", metadata=limit))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1 and "are no episode ends: the episode continues" in out, out

    copied = {**a, "next_observations": a["next_observations"].copy()}  # probe 37 row 73
    copied["next_observations"][a["terminals"]] = a["observations"][a["terminals"]]
    load_dataset(OfflineDataset.from_arrays(copied, env_id="Walker2d-v5", metadata=limit))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1 and "termination rule" not in out, out
    assert (
        f"{a['terminals'].sum()} of {ends.sum()} episode-end row(s) (terminals / timeouts; first: "
        f"row {np.flatnonzero(a['terminals'])[0]}) store their own observation as next state: a "
        "converter's 'no next state' placeholder that copies the state?" in out
    ), out

    zeroed = {**a, "next_observations": a["next_observations"].copy()}
    zeroed["next_observations"][a["terminals"]] = 0.0
    load_dataset(OfflineDataset.from_arrays(zeroed, env_id="Walker2d-v5", metadata=limit))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert (
        f"{a['terminals'].sum()} of {ends.sum()} episode-end row(s) (terminals / timeouts; first: "
        f"row {np.flatnonzero(a['terminals'])[0]}) store a next state with every entry 0" in out
    )


def _episodes(env_id, n_episodes, max_len=1000, seed=0):
    """``n_episodes`` genuine random-policy episodes of ``env_id`` (flags from terminated /
    truncated, episodes cut at ``max_len`` steps), as arrays."""
    import gymnasium as gym

    env = gym.make(env_id)
    env.action_space.seed(seed)
    rows = {k: [] for k in ("observations", "actions", "rewards", "next_observations")}
    terminals, timeouts = [], []
    for episode in range(n_episodes):
        obs, _ = env.reset(seed=seed * 1000 + episode)
        for step in range(1, max_len + 1):
            action = env.action_space.sample()
            nxt, reward, terminated, truncated, _ = env.step(action)
            for k, v in zip(rows, (obs, action, reward, nxt), strict=True):
                rows[k].append(v)
            truncated = not terminated and (truncated or step == max_len)
            terminals.append(terminated)
            timeouts.append(truncated)
            obs = nxt
            if terminated or truncated:
                break
    env.close()
    out = {k: np.asarray(v, np.float32) for k, v in rows.items()}
    return {**out, "terminals": np.asarray(terminals), "timeouts": np.asarray(timeouts)}


@pytest.mark.parametrize(
    ("env_id", "n_episodes", "max_len"),
    [
        ("InvertedPendulum-v5", 40, 1000),
        ("InvertedDoublePendulum-v5", 100, 1000),
        ("Pendulum-v1", 10, 200),
        ("MountainCarContinuous-v0", 10, 200),
        ("Reacher-v5", 40, 50),
    ],
)
def test_genuine_data_of_small_envs_are_no_jumps_to_start_states(
    capsys, env_id, n_episodes, max_len
):
    """Probe 39 row 102: genuine InvertedPendulum-v5 random-policy data were "N row(s) with
    neither terminal nor timeout set jump to a state like the episodes' first states … flags
    dropped?": its pole passes through states like its (tight) reset states mid-episode. A jump
    now also spans many typical steps (a fall then a reset does)."""
    a = _episodes(env_id, n_episodes, max_len)
    load_dataset(a, env_id=env_id)
    assert "jump to a state like the episodes' first states" not in capsys.readouterr().out


@pytest.mark.parametrize("env_id", ["Hopper-v5", "Walker2d-v5", "HalfCheetah-v5"])
def test_one_corrupt_value_is_named_as_an_outlier_not_an_episode_end(capsys, env_id):
    """Probe 37 rows 119-121: one reward of 1e6 or 50 among 3000 loaded silently (behaviour
    score 1936, the Q divergence bound 1e8); one ``next_observations[100, 3] = 1e3`` (about 3700
    std) was blamed on a missing episode-end flag and the env's version; the same glitch in
    ``observations[101, 3]`` too only on the env version. Real data of each env say nothing."""
    a = _rollout(env_id, 600, episode_len=100)
    load_dataset(OfflineDataset.from_arrays(a, env_id=env_id))
    assert "WARNING" not in capsys.readouterr().out
    for value in (1e6, 50.0):
        r = {**a, "rewards": a["rewards"].copy()}
        r["rewards"][100] = value
        load_dataset(OfflineDataset.from_arrays(r, env_id=env_id))
        out = capsys.readouterr().out
        assert out.count("WARNING") == 1, out
        assert f"rewards[100] = {value:.4g} is far outside the rest of the field" in out, out
        assert "It sets the reward scale the model learns and cotrain's Q divergence bound" in out
    n = {**a, "next_observations": a["next_observations"].copy()}
    n["next_observations"][100, 3] = 1e3
    load_dataset(OfflineDataset.from_arrays(n, env_id=env_id))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert "next_observations[100, 3] = 1000 is far outside the rest of column 3" in out, out
    assert "fix or drop its row(s) before loading" in out
    o = {**n, "observations": a["observations"].copy()}
    o["observations"][101, 3] = 1e3
    load_dataset(OfflineDataset.from_arrays(o, env_id=env_id))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 2 and "termination rule" not in out, out
    assert "observations[101, 3] = 1000 is far outside" in out


def test_falls_without_a_flag_are_said_once_by_the_final_env_on_every_path(capsys, tmp_path):
    """The "terminals missing?" diagnosis needs the data's env, which load_dataset(...,
    env_id=...) sets after construction: it is judged once the env is final (construction
    leaves it to check_content; was: a ContextVar reaching into construction). Own arrays
    (from_arrays with env_id) then make_mdp, an npz naming no env loaded with env_id=..., and the
    same arrays loaded as a dict: each says it once, and never "mark them as timeouts"."""
    from rambo_env import make_mdp
    from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE

    a = _rollout("Hopper-v5", 300)
    falls = np.flatnonzero(a["terminals"])
    lost = {**a, "terminals": np.zeros_like(a["terminals"])}
    said = f"terminals missing? {falls.size} row(s) end an episode without a flag where Hopper-v5"
    own = OfflineDataset.from_arrays(lost, env_id="Hopper-v5")
    kw = {"device": "cpu", "ensemble_config": TINY_ENSEMBLE, "mle_config": TINY_MLE}
    make_mdp(own, cache=False, progress=False, **kw)
    out = capsys.readouterr().out
    assert out.count(said) == 1 and "mark them as timeouts" not in out, out
    make_mdp(own, cache=False, progress=False, **kw)  # the same object: said once
    assert "terminals missing?" not in capsys.readouterr().out
    np.savez(tmp_path / "lost.npz", **lost)  # names no env: Hopper-v5 given at the load
    for source in (str(tmp_path / "lost.npz"), dict(lost)):
        load_dataset(source, env_id="Hopper-v5")
        out = capsys.readouterr().out
        assert out.count(said) == 1 and "mark them as timeouts" not in out, out
    OfflineDataset.from_arrays(lost)  # no env to judge by: the generic warning, at once
    out = capsys.readouterr().out
    assert "terminals missing?" not in out and "mark them as timeouts" in out, out


def test_own_arrays_given_to_make_mdp_get_the_load_time_checks_once(capsys):
    """Probe 37 row 114: ``OfflineDataset.from_arrays(arrays, env_id=...)`` (the README's
    own-data path) ran none of the load-time content checks; make_mdp trained on placeholder
    next states without a word. make_mdp checks a dataset object once; one that came through
    load_dataset is not checked again."""
    from rambo_env import make_mdp
    from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE

    a = _rollout("Walker2d-v5", 300, episode_len=15)
    a["next_observations"][a["terminals"]] = 0.0
    said = "store a next state with every entry 0"
    own = OfflineDataset.from_arrays(a, env_id="Walker2d-v5")
    kw = {"device": "cpu", "ensemble_config": TINY_ENSEMBLE, "mle_config": TINY_MLE}
    make_mdp(own, cache=False, progress=False, **kw)
    assert capsys.readouterr().out.count(said) == 1
    make_mdp(own, cache=False, progress=False, **kw)  # the same object: said once
    assert said not in capsys.readouterr().out
    loaded = load_dataset(OfflineDataset.from_arrays(a, env_id="Walker2d-v5"))
    assert capsys.readouterr().out.count(said) == 1
    make_mdp(loaded, cache=False, progress=False, **kw)
    assert said not in capsys.readouterr().out
    from rambo_env.data.loaders import check_content

    costs = {**_rollout("Walker2d-v5", 300, episode_len=15)}
    costs["rewards"] = -costs["rewards"]
    check_content(OfflineDataset.from_arrays(costs, env_id="Walker2d-v5"))
    out = capsys.readouterr().out  # no empty "()" for the source of a dataset built in memory
    assert "WARNING: dataset 'custom': its rewards disagree with Walker2d-v5's reward" in out, out


def test_episodes_longer_than_the_envs_limit_are_noted(capsys):
    """Probe 37 row 95: HalfCheetah-v5 data collected with max_episode_steps=1500 loaded without
    a word and scored from 1500-step returns."""
    from agents.cotrain_setup import behaviour_score_note

    a = _rollout("HalfCheetah-v5", 2400, episode_len=1200)
    d = load_dataset(OfflineDataset.from_arrays(a, env_id="HalfCheetah-v5"))
    out = capsys.readouterr().out
    assert (
        "[rambo_env] note: dataset 'custom': 2 of 2 episode(s) run beyond HalfCheetah-v5's "
        "1000-step limit (up to 1200 steps; first ends at row 1199): collected with a longer "
        "max_episode_steps?" in out
    ), out
    assert behaviour_score_note(d) == (
        "over 2 of 2 episode(s) longer than HalfCheetah-v5's 1000-step limit (up to 1200 steps): "
        "returns of longer episodes, not comparable with a score of full-length episodes"
    )
    short = load_dataset(OfflineDataset.from_arrays(_rollout("HalfCheetah-v5", 400, 200),
                                                    env_id="HalfCheetah-v5"))  # fmt: skip
    assert "run beyond" not in capsys.readouterr().out
    assert "longer than" not in (behaviour_score_note(short) or "")


@pytest.mark.parametrize("n", [10, 30, 100])
def test_one_glitch_in_small_data_is_one_outlier_warning(capfd, n):
    """Probe 38 rows 73-74: one reward of 1e6 in 30 / 100 rows also gave "its rewards disagree
    ... another reward, or shuffled rows?" (at 10 rows only that one); one corrupt state at 10
    rows was "an episode end without a flag", and MuJoCo's raw "simulation is unstable" line was
    printed by the load-time env check."""
    a = _rollout("Hopper-v5", n, episode_len=100)
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    assert "WARNING" not in capfd.readouterr().out
    r = {**a, "rewards": a["rewards"].copy()}
    r["rewards"][5] = 1e6
    load_dataset(OfflineDataset.from_arrays(r, env_id="Hopper-v5"))
    out = capfd.readouterr().out
    assert out.count("WARNING") == 1 and "rewards[5] = 1e+06 is far outside" in out, out
    o = {**a, "observations": a["observations"].copy()}
    o["observations"][5, 3] = 1e3
    load_dataset(OfflineDataset.from_arrays(o, env_id="Hopper-v5"))
    out, err = capfd.readouterr()
    assert out.count("WARNING") == 1 and "observations[5, 3] = 1000 is far outside" in out, out
    assert "unstable" not in out + err


def test_one_glitch_among_sparse_rewards_is_an_outlier(capsys):
    """Probe 38 row 90: sparse 0/1 rewards plus one 1e6 loaded silently (the field's central
    range is [0, 0]); genuine sparse rewards (0/1, 0/1/10) say nothing."""
    a = make_arrays([400, 400], terminal_last=[False, False])
    a["rewards"] = np.zeros(800, np.float32)
    a["rewards"][[10, 300, 500]] = 1.0  # 0/1: three successes
    for bonus in (1.0, 10.0):  # 0/1, then 0/1/10
        a["rewards"][650] = bonus
        load_dataset(OfflineDataset.from_arrays(a))
        assert "far outside" not in capsys.readouterr().out
    a["rewards"][700] = 1e6
    load_dataset(OfflineDataset.from_arrays(a))
    out = capsys.readouterr().out
    assert out.count("far outside") == 1 and "rewards[700] = 1e+06 is far outside" in out, out


def test_d4rl_get_dataset_saved_as_npz_derives_next_observations_as_hdf5(tmp_path, capsys):
    """Probe 38 row 71: ``np.savez('x.npz', **env.get_dataset())`` (no next_observations) was
    refused "missing key(s) ['next_observations']" while the same arrays as .hdf5 loaded."""
    a = make_arrays([5, 4, 3], terminal_last=[False, True, False])
    a.pop("next_observations")
    a["infos/qpos"] = np.zeros((12, 6), np.float32)
    np.savez(tmp_path / "dump.npz", **a)
    with h5py.File(tmp_path / "dump.hdf5", "w") as f:
        for key, value in a.items():
            f[key] = value
    from_npz, from_hdf5 = (load_dataset(tmp_path / f"dump.{ext}") for ext in ("npz", "hdf5"))
    assert capsys.readouterr().out.count("D4RL data has no next_observations; deriving") == 2
    for key in ("observations", "next_observations", "terminals", "timeouts", "rewards"):
        np.testing.assert_array_equal(getattr(from_npz, key), getattr(from_hdf5, key))
    a.pop("timeouts")  # neither: the same step-counter rule as for .hdf5
    np.savez(tmp_path / "bare.npz", **a)
    assert load_dataset(tmp_path / "bare.npz").n_transitions == 11
    assert "D4RL data has no timeouts" in capsys.readouterr().out


def test_two_swapped_observation_columns_are_named_as_swapped(capsys):
    """Probe 38 row 31: observation columns 5 and 6 swapped in both observation fields were
    "the actions do not reproduce the data's transitions (actions in another order or scale?)"."""
    a = _rollout("Hopper-v5", 300, episode_len=60)
    for key in ("observations", "next_observations"):
        a[key][:, [5, 6]] = a[key][:, [6, 5]]
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert "does not reproduce their next_observations: observation columns 5 and 6 swapped?" in out
    assert "actions in another order" not in out


@pytest.mark.parametrize(
    ("env_id", "order", "said"),
    [
        ("Walker2d-v5", {2: 5, 5: 2}, "observation columns 2 and 5 swapped?"),
        (
            "Hopper-v5",
            {5: 6, 6: 7, 7: 5},
            "observation columns 5, 6, 7 in another order? With observations[:,[5, 6, 7]] = "
            "observations[:,[7, 5, 6]] (in next_observations too), the env reproduces",
        ),
    ],
    ids=["walker-2-5", "hopper-5-6-7"],
)
def test_columns_in_another_order_are_named_not_blamed_on_the_actions(capsys, env_id, order, said):
    """Probe 39 rows 113, 114: Walker2d's columns 2 and 5 swapped (left / right thigh, not
    adjacent) and Hopper's columns 5, 6, 7 rotated were "(actions in another order or scale?)"."""
    a = _rollout(env_id, 600, episode_len=15)
    for key in ("observations", "next_observations"):
        a[key][:, list(order)] = a[key][:, list(order.values())]
    limit = {"env_max_episode_steps": 15}  # probe 90 row 19: the 15-step limit is recorded
    load_dataset(OfflineDataset.from_arrays(a, env_id=env_id, metadata=limit))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert f"does not reproduce their next_observations: {said}" in out, out
    assert "actions in another order" not in out


def _columns_changed(a, change):
    for key in ("observations", "next_observations"):
        a[key] = np.ascontiguousarray(change(a[key].copy()), dtype=np.float32)
    return a


def _negate_from(first):
    def change(o):
        o[:, first:] *= -1
        return o

    return change


@pytest.mark.parametrize(
    ("env_id", "change", "said"),
    [
        (
            "Hopper-v5",
            _negate_from(5),
            "observations[:,5:11] (columns 5-10) look negated (another sign convention?): with "
            "them negated back (in next_observations too), the env reproduces",
        ),
        ("Walker2d-v5", _negate_from(8), "observations[:,8:17] (columns 8-16) look negated"),
        (
            "Hopper-v5",
            lambda o: o * np.r_[1, -1, np.ones(9)].astype(np.float32),
            "observations[:,1] looks negated (another sign convention?): with it negated back",
        ),
        ("HalfCheetah-v5", _negate_from(8), "observations[:,8:17] (columns 8-16) look negated"),
        (
            "Hopper-v5",
            lambda o: o[:, [0, 1, 2, 3, 4, 9, 7, 5, 10, 6, 8]],
            "observation columns 5, 6, 7, 8, 9, 10 in another order? With observations[:,[5, 6, "
            "7, 8, 9, 10]] = observations[:,[7, 9, 6, 10, 5, 8]] (in next_observations too)",
        ),
        (
            "Hopper-v5",
            lambda o: o[:, [0, 1, 2, 3, 4, 5, 7, 6, 9, 8, 10]],
            "observation columns 6, 7, 8, 9 in another order? With observations[:,[6, 7, 8, 9]] "
            "= observations[:,[7, 6, 9, 8]]",
        ),
        (
            "Walker2d-v5",
            lambda o: o[:, [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 8]],
            "observation columns 8, 9, 10, 11, 12, 13, 14, 15, 16 in another order?",
        ),
        (
            "Hopper-v5",
            lambda o: o[:, [0, 2, 3, 4, 1, 5, 6, 7, 8, 9, 10]],
            "observation columns 1, 2, 3, 4 in another order? With observations[:,[1, 2, 3, 4]] "
            "= observations[:,[4, 1, 2, 3]]",
        ),
        (
            "Hopper-v5",
            lambda o: o[:, ::-1],
            "its observation columns are in reverse order? With them reversed "
            "(observations[:, ::-1], in next_observations too), the env reproduces",
        ),
    ],
    ids=[
        "hopper-negated", "walker-negated", "hopper-angle-negated", "cheetah-negated", "hopper-shuffled",
        "hopper-two-pairs", "walker-rotated", "hopper-angles-rotated", "hopper-reversed",
    ],
)  # fmt: skip
def test_observation_columns_in_another_order_or_sign_are_named(capsys, env_id, change, said):
    """Probe 40 rows 78-80, 84, 85, 87: the velocity block negated (another sign convention),
    shuffled, rotated or two pairs swapped loaded with no warning at all (the check took data
    whose positions do not follow their velocities for toy arrays, not judged); the angles
    rotated or all columns reversed were only the termination rule's warning. One warning names
    the order or sign that, undone, makes the env reproduce the data."""
    a = _columns_changed(_rollout(env_id, 600, episode_len=60), change)
    limit = {"env_max_episode_steps": 60}  # recorded: HalfCheetah's 10 × 60 steps are said else
    load_dataset(OfflineDataset.from_arrays(a, env_id=env_id, metadata=limit))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert f"does not reproduce their next_observations: {said}" in out, out
    assert "termination rule" not in out and "actions in another order" not in out
    from rambo_env.data.loaders import _is_layout  # the generic miss keeps the rule's warning

    assert not _is_layout("… the actions do not reproduce … (actions in another order or scale?)")


def test_toy_arrays_with_an_envs_dims_are_not_judged_by_the_transition_check(capsys):
    """Probe 40: positions that do not follow their velocities are said for data that move as a
    recording does; random toy arrays of the env's dims (no env's dynamics) stay not judged."""
    a = make_arrays([150, 150], terminal_last=[False, True])
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    assert "does not reproduce" not in capsys.readouterr().out


def _obs_only(change):
    def changed(a):
        return {**a, "observations": np.ascontiguousarray(change(a["observations"].copy()))}

    return changed


def _noisy(o):
    return o + np.float32(0.05) * np.random.default_rng(0).standard_normal(o.shape, np.float32)


def _rows_shuffled(a):
    order = np.random.default_rng(0).permutation(len(a["rewards"]))
    return {k: v[order] for k, v in a.items()}


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (_obs_only(_noisy), "disagree"),
        (_obs_only(lambda o: o[:, [0, 1, 3, 2, 4, 5, 6, 7, 8, 9, 10]]), "disagree"),
        (_rows_shuffled, "end an episode without a flag"),  # rows, not a field: as before
        (lambda a: a, None),
    ],
    ids=["obs-noise", "obs-swap", "rows-shuffled", "own"],
)
def test_one_state_field_changed_apart_from_the_other_is_said(capsys, change, said):
    """Probe 40 row 82: noise added to observations only (or two columns swapped in observations
    only) was "1984 row(s) end an episode without a flag … mark them as timeouts" (advice that
    would flag every row), plus for the swap "actions in another order or scale?". One warning
    says the two fields disagree as a whole; shuffled rows (each row's next state is another
    row's state) keep the episode-end warning, the env's own data say nothing."""
    a = change(_rollout("Hopper-v5", 600, episode_len=200))
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    out = capsys.readouterr().out
    if said is None:
        assert "WARNING" not in out, out
        return
    assert out.count("WARNING") == 1, out
    if said == "disagree":
        assert re.search(
            r"WARNING: dataset 'custom': observations and next_observations disagree on \d+ of "
            r"\d+ consecutive rows with no episode end flagged \(next_observations\[t\] != "
            r"observations\[t \+ 1\], first: row \d+\): was one field changed \(noise, a column "
            r"swap, another normalisation\) and not the other\?",
            out,
        ), out
        assert "mark them as timeouts" not in out and "does not reproduce" not in out
    else:
        assert said in out and "disagree on" not in out, out


def test_observations_normalised_by_moving_statistics_warn_as_normalised(capsys):
    """Probe 39 row 111: observations z-scored by VecNormalize's running statistics while they
    still moved (column means -0.56..0.49, stds 0.95..1.5) were blamed on the env version and
    the actions; the env's own data, near 0 mean as HalfCheetah's, say nothing."""
    a = _rollout("Hopper-v5", 600, episode_len=60)
    early = a["observations"][:100]
    mean, std = early.mean(0), early.std(0) + 1e-8
    for key in ("observations", "next_observations"):
        a[key] = np.clip((a[key] - mean) / std, -10, 10).astype(np.float32)
    assert not (np.abs(a["observations"].mean(0)) < 0.1).all()  # not exactly z-scored
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert "observations look normalised (each of the 11 columns near mean 0, std 1: means" in out
    assert "as from running statistics still moving; Hopper-v5's own observations are not" in out
    for env_id in ("Hopper-v5", "HalfCheetah-v5", "Swimmer-v5", "Pendulum-v1"):
        load_dataset(OfflineDataset.from_arrays(_rollout(env_id, 400, 200), env_id=env_id))
        assert "look normalised" not in capsys.readouterr().out


def test_a_short_burst_of_corrupt_rewards_is_one_outlier_warning(capsys):
    """Probe 39 row 116: ``rewards[100:110] = 1e6`` (a logger stuck for a few steps) gave no
    outlier warning (at most 5 such rows were) but "its rewards disagree … another reward, or
    shuffled rows?"; a burst counts as one glitch, and its rows stay out of the reward check."""
    a = _rollout("Hopper-v5", 600, episode_len=100)
    r = {**a, "rewards": a["rewards"].copy()}
    r["rewards"][100:110] = 1e6
    load_dataset(OfflineDataset.from_arrays(r, env_id="Hopper-v5"))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert "rewards[100:110] = 1e+06 is far outside the rest of the field" in out
    assert "10 such entries in 'rewards'" in out and "rewards disagree" not in out
    r["rewards"][100:130] = 1e6  # 30 rows: more than a short burst
    from rambo_env.data.dataset import outlier_entries

    assert not [e for e in outlier_entries(r["rewards"]) if e[0] == 125]


def test_a_constant_observation_column_is_said_when_the_envs_varies(capsys):
    """Probe 39 row 34: ``observations[:, 4] = 0.3`` in both fields (a dead sensor) loaded
    silently, though the actions' own check says "never vary"; the env's own data say nothing."""
    a = _rollout("Hopper-v5", 400, episode_len=100)
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    assert "WARNING" not in capsys.readouterr().out
    for key in ("observations", "next_observations"):
        a[key] = a[key].copy()
        a[key][:, 4] = 0.3
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert (
        "observations[:, 4] never varies (0.3 on every row, in next_observations too; Hopper-v5's "
        "own observations vary there): a dead sensor, or a column overwritten when logging?"
    ) in out


@pytest.mark.parametrize("field", ["rewards", "observations"])
def test_whole_number_rewards_or_observations_are_said_as_such(capsys, field):
    """Probe 39 rows 75, 82: Hopper-v5 rewards stored as int64 loaded silently; observations
    truncated to int64 were "episode ends with their flags dropped". float16 data say nothing."""
    a = _rollout("Hopper-v5", 400, episode_len=100)
    half = {k: v.astype(np.float16) if v.dtype == np.float32 else v for k, v in a.items()}
    load_dataset(OfflineDataset.from_arrays(half, env_id="Hopper-v5"))
    assert "whole numbers" not in capsys.readouterr().out
    names = ["rewards"] if field == "rewards" else ["observations", "next_observations"]
    for key in names:
        a[key] = a[key].astype(np.int64)
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    said = (
        "field 'rewards' holds"
        if field == "rewards"
        else ("fields 'observations' and 'next_observations' hold")
    )
    assert f"{said} whole numbers only (all 400 rows: stored as an integer dtype, or " in out
    assert f"Hopper-v5's {field} are real numbers" in out and "store them as float32" in out


def test_float16_observations_are_said_and_the_terminal_rule_warning_names_the_rounding(
    tmp_path, capsys
):
    """Probe 52 row 27: float16 observations and next_observations loaded without a word; the only
    message was a terminal-rule warning telling to check the env (the rounding's doing)."""
    a = _rollout("Hopper-v5", 400, episode_len=100)
    half = {k: v.astype(np.float16) if k.endswith("observations") else v for k, v in a.items()}
    np.savez(tmp_path / "half.npz", **half)
    load_dataset(str(tmp_path / "half.npz"), env_id="Hopper-v5")
    out = capsys.readouterr().out
    assert out.count("are stored as") == 1, out
    assert (
        "observations are stored as float16 (~3 significant digits): the model learns rounded "
        "states, and episode continuity / the terminal rule are judged on rounded states; store "
        "float32"
    ) in out
    every = {k: v.astype(np.float16) if v.dtype.kind == "f" else v for k, v in a.items()}
    OfflineDataset.from_arrays(every)  # all three rounded: one warning (was: two)
    out = capsys.readouterr().out
    assert out.count("are stored as") == 1, out
    assert (
        "observations, actions and rewards are stored as float16 (~3 significant digits): the "
        "model and the agent learn the rounded values, and episode continuity / the terminal "
        "rule are judged on rounded states; store float32"
    ) in out
    from rambo_env.data.loaders import _float16_hint

    assert "float16 values" in _float16_hint(OfflineDataset.from_arrays(half))
    assert _float16_hint(OfflineDataset.from_arrays(a)) == ""  # float32 data: not said


def test_constant_or_sparse_whole_rewards_are_not_called_rounded(capsys):
    """Whole-number rewards of an env whose own are whole (InvertedPendulum's 0 / 1), or one
    constant reward (another fault, the reward check's), are not said to be rounded floats."""
    a = _rollout("InvertedPendulum-v5", 400, episode_len=100)
    load_dataset(OfflineDataset.from_arrays(a, env_id="InvertedPendulum-v5"))
    h = _rollout("Hopper-v5", 400, episode_len=100)
    load_dataset(OfflineDataset.from_arrays({**h, "rewards": np.ones(400)}, env_id="Hopper-v5"))
    assert "whole numbers" not in capsys.readouterr().out


def test_a_field_stored_at_a_coarser_precision_is_no_field_changed_apart(capsys):
    """Probe 40: the fields-disagree judgement is above float16 rounding, so float16
    observations with float32 next_observations keep the dtype warning and the checks that follow
    it (here the negated velocity block is still named)."""
    a = _columns_changed(_rollout("Hopper-v5", 600, episode_len=60), _negate_from(5))
    a["observations"] = a["observations"].astype(np.float16)
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    out = capsys.readouterr().out
    assert "disagree on" not in out, out
    assert "'observations' are stored as float16 but 'next_observations' as float32" in out
    assert "observations[:,5:11] (columns 5-10) look negated" in out, out


_CONTINUITY_WARNINGS = (
    "end an episode without a flag",
    "np.roll",
    "are no episode ends",
    "look swapped",
    "shifted by one row",
    "disagree on",
)


@pytest.mark.parametrize(
    ("env_id", "offset"),
    [
        ("Pendulum-v1", 1e6),
        ("InvertedPendulum-v5", 1e6),
        ("MountainCarContinuous-v0", 1e4),  # its velocity (std 0.007) is gone at 1e6 in float32
        ("Hopper-v5", 1e6),
        ("Walker2d-v5", 1e6),
        ("HalfCheetah-v5", 1e6),
    ],
)
def test_episode_ends_are_judged_at_the_columns_steps_not_their_offset(capsys, env_id, offset):
    """Probe 42 rows 103, 30: with every observation column offset by 1e6 the episode-continuity
    checks compared with a tolerance relative to the values (10 at 1e6): five unflagged episode
    ends went unsaid, and the flagged ones were "next_observations[49] == observations[50] … as
    on every row: … np.roll" though they differed by 1.7. Genuine data with and without the
    offset say nothing; dropped flags are found either way."""
    a = _rollout(env_id, 600, episode_len=100)
    for off in (0.0, offset):
        b = {**a}
        for key in ("observations", "next_observations"):
            b[key] = a[key] + np.float32(off)
        load_dataset(OfflineDataset.from_arrays(b))
        out = capsys.readouterr().out
        assert not [w for w in _CONTINUITY_WARNINGS if w in out], (off, out)
        ends = np.flatnonzero(b["timeouts"][:-1] | b["terminals"][:-1])[:3]
        c = {**b, "timeouts": b["timeouts"].copy(), "terminals": b["terminals"].copy()}
        c["timeouts"][ends] = c["terminals"][ends] = False
        d = OfflineDataset.from_arrays(c)
        out = capsys.readouterr().out
        assert f"3 row(s) end an episode without a flag (first: row {ends[0]}" in out, (off, out)
        assert "np.roll" not in out and d.unmarked_episode_ends().tolist() == ends.tolist()


def test_float64_values_float32_cannot_resolve_are_warned_about_once_per_field(capsys):
    """Probe 42 row 31: float64 Hopper data with observations[:, 5] offset by 1e6 were stored as
    float32 without a word, the column keeping 42 of 1500 distinct values (rounded by up to 8
    percent of its std). Genuine float64 data of each env say nothing."""
    for env_id in ("Hopper-v5", "Pendulum-v1", "InvertedPendulum-v5", "MountainCarContinuous-v0"):
        a = {
            k: v.astype(np.float64) if v.dtype == np.float32 else v
            for k, v in _rollout(env_id, 400, episode_len=100).items()
        }
        load_dataset(OfflineDataset.from_arrays(a, env_id=env_id))
        assert "float32 (the model's precision)" not in capsys.readouterr().out
    a = {
        k: v.astype(np.float64) if v.dtype == np.float32 else v
        for k, v in _rollout("Hopper-v5", 400, episode_len=100).items()
    }
    for key in ("observations", "next_observations"):
        a[key][:, 5] += 1e6
    OfflineDataset.from_arrays(a, name="off")
    out = capsys.readouterr().out
    assert out.count("float32 (the model's precision)") == 2, out  # one per field
    assert re.search(
        r"WARNING: dataset 'off': observations\[:, 5\]: float32 \(the model's precision\) rounds "
        r"these float64 values by up to 0\.03\d? \(\d+% of the column's std [0-9.]+; \d+ of \d+ "
        r"distinct values kept\): it is offset by about 1e6; subtract the offset \(centre it\) "
        r"before loading",
        out,
    ), out


def test_actions_kept_in_sb3s_scaled_form_are_warned_about(capsys):
    """Probe 42 row 96: Pendulum-v1 data whose actions were stored in [-1, 1] as SB3's replay
    buffers keep them (the env's box is [-2, 2]) loaded silently. Genuine data say nothing: a
    random policy's go beyond 1, a policy that stays inside [-1, 1] stops short of its ends, and
    envs whose box is [-1, 1] are never judged."""
    said = "stored in SB3's scaled form?"
    for env_id, scale in (("Pendulum-v1", 2.0), ("InvertedPendulum-v5", 3.0)):
        a = _rollout(env_id, 400, episode_len=100)
        load_dataset(OfflineDataset.from_arrays(a, env_id=env_id))  # random: the whole box
        assert said not in capsys.readouterr().out
        inside = {**a, "actions": (0.9 * np.tanh(a["actions"])).astype(np.float32)}
        load_dataset(OfflineDataset.from_arrays(inside, env_id=env_id))  # never near +-1
        assert said not in capsys.readouterr().out
        scaled = {**a, "actions": (a["actions"] / scale).astype(np.float32)}
        load_dataset(OfflineDataset.from_arrays(scaled, env_id=env_id, name="sb3"))
        out = capsys.readouterr().out
        assert out.count(said) == 1, out
        assert re.search(
            r"WARNING: dataset 'sb3': its actions span \[-0\.99\d*, 0\.99\d*\] \(every dim comes "
            rf"within 1 percent of both -1 and 1, none goes beyond\) while {env_id}'s action "
            rf"space is \[-{scale:g}, {scale:g}\]: stored in SB3's scaled form\? .*unscale them "
            r"\(low \+ \(a \+ 1\) / 2 \* \(high - low\)\) before loading",
            out,
        ), out
    a = _rollout("Hopper-v5", 400, episode_len=100)  # its box is [-1, 1]: never judged
    load_dataset(OfflineDataset.from_arrays(a, env_id="Hopper-v5"))
    assert said not in capsys.readouterr().out


def test_a_typo_in_a_local_minari_id_is_told_its_local_id_first():
    """Probe 46: ``p46/hop/okk-v0`` beside a local ``p46/hop/ok-v0`` had only advice to
    download or generate the data, and Minari's "Use download=True" (contradicting
    download=False)."""
    _save_as_minari("t/hop/ok-v0", make_dataset((7, 5), (True, False)))
    root = minari_dataset_path("")
    for typo in ("t/hop/okk-v0", "t/hpo/ok-v0"):
        with pytest.raises(DatasetUnavailableError) as info:
            load_dataset(typo)
        said = str(info.value)
        assert said.startswith(
            f"Minari dataset {typo!r} is not in the local Minari root ({root / typo}) and was "
            f"not downloaded (download=False); did you mean 't/hop/ok-v0' (in the local Minari "
            f"root {root})? Else, to get the data, either\n"
        ), said
        assert "pip install 'minari[hf]'" in said and "Use download=True" not in said
    with pytest.raises(DatasetUnavailableError) as info:
        load_dataset("t/hop/run-v0")
    assert "did you mean" not in str(info.value)


@pytest.mark.parametrize("relative", [True, False])
def test_a_failed_minari_lookup_creates_no_root(tmp_path, monkeypatch, relative):
    """Probe 46: a failed read with a MINARI_DATASETS_PATH that does not exist (relative:
    ``minari_rel`` in the working folder) left that folder, empty (Minari's mkdir in
    ``get_dataset_path``)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MINARI_DATASETS_PATH", "minari_rel" if relative else str(tmp_path / "m"))
    for name in ("t/hop/ok-v0", "hopper-medium"):
        with pytest.raises(DatasetUnavailableError, match=r"not in the local Minari root|no local"):
            load_dataset(name, generate=False)
    assert list(tmp_path.iterdir()) == []


_SIGTERM_IN_GENERATION = """
import os, signal, time
import rambo_env.data.generate as generate_module
from rambo_env import load_dataset

def terminated(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(30)

generate_module._level_episodes = terminated
load_dataset("hopper-random")
"""


def test_sigterm_during_a_first_use_generation_says_so_and_still_kills(tmp_path):
    """Probe 53 row 71: SIGTERM (``kill``, ``timeout``) during the first-use generation of
    ``load_dataset`` / ``gym.make`` killed the process outright: no word but multiprocessing's
    leaked-semaphore warning. Now the cleanups run (the new root is removed), one line says
    nothing was saved, and the process still dies of SIGTERM (its exit status unchanged)."""
    import signal
    import subprocess

    root = tmp_path / "fresh root"
    env = dict(os.environ, MINARI_DATASETS_PATH=str(root), D4RL_DATASET_DIR=str(tmp_path / "d"))
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[2]), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", _SIGTERM_IN_GENERATION],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGTERM, done.stderr
    assert (
        "[rambo_env] terminated (SIGTERM) while generating rambo/hopper/random-v0: no dataset was "
        "saved and the collection workers were stopped; rerun to generate it"
    ) in done.stderr
    assert "Traceback" not in done.stderr
    assert not root.exists()  # the new root made for it is removed again


def test_sigterm_cleanup_leaves_another_handler_alone():
    import signal

    from rambo_env.run_io import sigterm_cleaned_up

    def own(signum, frame):
        pass

    before = signal.signal(signal.SIGTERM, own)
    try:
        with sigterm_cleaned_up("said"):
            assert signal.getsignal(signal.SIGTERM) is own
    finally:
        signal.signal(signal.SIGTERM, before)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        with sigterm_cleaned_up("said"):
            assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, before)


def test_a_missing_dataset_file_says_where_it_was_looked_for(tmp_path, monkeypatch):
    """Probe 62 row 66: "npz file none.npz does not exist" said nothing to do, nor that a relative
    path is read from the working folder."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DatasetUnavailableError) as err:
        load_dataset("none.npz")
    assert str(err.value) == (
        f"npz file none.npz does not exist (read from the working folder {tmp_path}); check the "
        "path, or give a dataset name (hopper-medium) to load or generate it"
    )


def test_the_re_create_command_of_a_user_s_own_id_names_that_id():
    """Probe 63 row 54: the hint kept an ID placeholder for a dataset id it knew."""
    from rambo_env.data.minari_io import _make_command

    assert _make_command("p63/h/junk-v0").endswith(
        "--env ENV --level LEVEL --dataset-id p63/h/junk-v0"
    )
    assert _make_command("rambo/hopper/medium-v0") == (
        "python scripts/make_dataset.py --env hopper --level medium --dataset-id rambo/hopper/medium-v0"
    )


def test_a_flat_cache_of_an_older_reader_is_not_used(monkeypatch):
    """Probe 72 row 15: the flat cache's key was the dataset id and its files' sizes and times, so
    a cache written by an older version (without today's episode checks) was loaded as it was:
    data the current reader refuses came in without a word. The reader's version is in the key."""
    from rambo_env.data import minari_io

    _save_as_minari("t/hopper/older-v0", make_dataset((7, 5), (True, False)))
    first = load_dataset("t/hopper/older-v0")  # writes today's flat cache
    today = minari_io._cache_path("t/hopper/older-v0")
    with monkeypatch.context() as m:
        m.setattr(minari_io, "FLAT_CACHE_READER", minari_io.FLAT_CACHE_READER - 1)
        older = minari_io._cache_path("t/hopper/older-v0")  # where an older reader kept it
    assert older != today
    keys = ("observations", "actions", "rewards", "next_observations", "terminals", "timeouts")
    arrays = {k: np.array(getattr(first, k)) for k in keys}
    arrays["rewards"] = arrays["rewards"] + 100.0  # what an older reader would have flattened
    OfflineDataset.from_arrays(arrays, env_id="Hopper-v5").to_npz(older)
    today.unlink()
    again = load_dataset("t/hopper/older-v0")
    np.testing.assert_array_equal(again.rewards, first.rewards)  # read from the Minari files
