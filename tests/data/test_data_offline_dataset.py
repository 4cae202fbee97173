"""OfflineDataset: construction, validation messages, episodes, scores, fingerprint, npz."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import re

import numpy as np
import pytest
from gymnasium import spaces

from rambo_env.data import DatasetValidationError, OfflineDataset, load_dataset
from rambo_env.data.dataset import ARRAY_FIELDS
from tests.data.data_helpers import make_arrays, make_dataset

OBS_SPACE = spaces.Box(-np.inf, np.inf, (11,), np.float64)
ACT_SPACE = spaces.Box(-1.0, 1.0, (3,), np.float32)


def _arrays() -> dict[str, np.ndarray]:
    return make_arrays([5, 4, 3], terminal_last=[False, True, False])


def _set(key, idx, value):
    def edit(a):
        a[key] = a[key].astype(np.float32) if key == "terminals" else a[key]
        a[key][idx] = value
        return a

    return edit


CASES = {
    "nan-obs": (
        _set("observations", (3, 2), np.nan),
        {},
        r"observations\[3, 2\] = nan is not finite",
    ),
    "inf-reward": (_set("rewards", 5, np.inf), {}, r"rewards\[5\] = inf is not finite"),
    "nan-next-obs": (
        _set("next_observations", (7, 0), -np.inf),
        {},
        r"next_observations\[7, 0\] = -inf",
    ),
    "lengths": (
        lambda a: {**a, "actions": a["actions"][:-1]},
        {},
        r"'actions' has 11 rows but 'observations' has 12",
    ),
    "empty": (
        lambda a: {k: v[:0] for k, v in a.items()},
        {},
        r"dataset is empty: field 'observations' has 0 rows",
    ),
    "obs-dim-env": (
        lambda a: a,
        {"observation_space": spaces.Box(-1, 1, (17,))},
        r"'observations' has obs_dim 11 but the env's observation space is Box.*\(17,\)",
    ),
    "action-dim-env": (
        lambda a: a,
        {"action_space": spaces.Box(-1, 1, (6,))},
        r"'actions' has action_dim 3 but the env's action space is Box.*\(6,\)",
    ),
    "action-range": (
        _set("actions", (4, 1), 1.5),
        {"action_space": ACT_SPACE},
        r"actions\[4, 1\] = 1.5 is outside the action space \[-1.0, 1.0\]",
    ),
    "action-unbounded": (  # probe 26: SB3's AssertionError after MLE pretraining
        lambda a: a,
        {"action_space": spaces.Box(-np.inf, np.inf, (3,), np.float32)},
        r"the env's action space Box\(-inf, inf, \(3,\), float32\) .* is unbounded",
    ),
    "obs-3d": (  # probe 26: said what was wrong, not what to do
        lambda a: {**a, "observations": np.stack([a["observations"]] * 2, axis=-1)},
        {},
        r"shape \(12, 11, 2\) \(ndim 3\); expected ndim 2; flatten each row: "
        r"observations.reshape\(len\(observations\), 22\)",
    ),
    "missing-key": (
        lambda a: {k: v for k, v in a.items() if k != "next_observations"},
        {},
        r"missing key\(s\) \['next_observations'\]",
    ),
    "non-numeric": (
        lambda a: {**a, "rewards": a["rewards"].astype(str)},
        {},
        r"field 'rewards' has non-numeric dtype <U",
    ),
    "wrong-ndim": (
        lambda a: {**a, "observations": a["observations"][:, 0]},
        {},
        r"field 'observations' has shape \(12,\) \(ndim 1\); expected ndim 2",
    ),
    "non-bool-terminal": (_set("terminals", 2, 0.5), {}, r"terminals\[2\] = 0.5 is not a boolean"),
    "terminal-and-timeout": (
        _set("terminals", 4, True),
        {},
        r"terminals\[4\] and timeouts\[4\] are both True",
    ),
    # Each of these was accepted or failed with a message that did not name the problem.
    "typo-key": (
        lambda a: {**a, "timeout": a.pop("timeouts")},
        {},
        r"unknown key\(s\) \['timeout'\]; accepted keys: \['observations', .*'timeouts'\]",
    ),
    "complex": (
        lambda a: {**a, "rewards": a["rewards"] + 1j},
        {},
        r"field 'rewards' has complex dtype complex",
    ),
    "bool-observations": (  # probe 35: was cast to 0. / 1. (a misleading episode warning)
        lambda a: {**a, "observations": a["observations"] > 0},
        {},
        r"field 'observations' has dtype bool; expected real numbers \(float32\)",
    ),
    "object-actions": (
        lambda a: {**a, "actions": a["actions"].astype(object)},
        {},
        r"field 'actions' has non-numeric dtype object; expected real numbers \(float32\)",
    ),
    "ragged": (
        lambda a: {**a, "actions": [[0.0, 0.0, 0.0]] * 11 + [[0.0]]},
        {},
        r"field 'actions' is not a rectangular array",
    ),
    "too-large-for-float32": (
        lambda a: {**a, "rewards": np.where(np.arange(12) == 3, 1e300, 0.0)},
        {},
        r"rewards\[3\] = 1e\+300 is too large for float32",
    ),
    "zero-obs-dim": (
        lambda a: {
            **a,
            "observations": a["observations"][:, :0],
            "next_observations": a["observations"][:, :0],
        },
        {},
        r"field 'observations' has shape \(12, 0\): obs_dim 0; expected >= 1",
    ),
    "zero-action-dim": (
        lambda a: {**a, "actions": a["actions"][:, :0]},
        {},
        r"field 'actions' has shape \(12, 0\): action_dim 0; expected >= 1",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_validation_error_names_field_index_and_value(case):
    edit, spaces_kw, message = CASES[case]
    with pytest.raises(DatasetValidationError, match=message):
        OfflineDataset.from_arrays(edit(_arrays())).validate(**spaces_kw)


def test_validation_error_is_a_value_error_and_valid_data_passes():
    assert issubclass(DatasetValidationError, ValueError)
    dataset = OfflineDataset.from_arrays(_arrays())
    assert dataset.validate(OBS_SPACE, ACT_SPACE) is dataset


def test_direct_construction_with_wrong_dtype_is_rejected():
    a = _arrays()
    a["observations"] = a["observations"].astype(np.float64)
    with pytest.raises(
        DatasetValidationError, match=r"'observations' has dtype float64; expected float32"
    ):
        OfflineDataset(**a).validate()


def test_direct_construction_with_a_list_or_tensor_points_to_from_arrays():
    """Probe 44 row 18: ``OfflineDataset(rewards=<list>)`` / ``<torch tensor>`` said "is a list,
    not an ndarray" without the way out the dtype errors name (from_arrays converts it)."""
    import torch

    a = _arrays()
    for value, kind in (
        (a["rewards"].tolist(), "a list"),
        (torch.from_numpy(a["rewards"]), "a Tensor"),
    ):
        with pytest.raises(
            DatasetValidationError,
            match=rf"field 'rewards' is {kind}, not an ndarray \(use OfflineDataset\.from_arrays "
            r"to convert it\)",
        ):
            OfflineDataset(**{**a, "rewards": value})
        assert OfflineDataset.from_arrays({**a, "rewards": value}).rewards.dtype == np.float32


def test_masked_entries_are_refused_not_unmasked():
    """Issue 14 probe: np.asarray dropped the mask, so masked (invalid) values were trained on."""
    a = _arrays()
    rewards = np.ma.masked_array(a["rewards"], mask=np.zeros(len(a["rewards"]), bool))
    OfflineDataset.from_arrays({**a, "rewards": rewards})  # a mask with nothing masked is fine
    rewards.mask[2] = True
    with pytest.raises(DatasetValidationError, match=r"rewards\[2\] is masked \(1 masked"):
        OfflineDataset.from_arrays({**a, "rewards": rewards})


def test_from_arrays_casts_and_squeezes_column_vectors():
    a = _arrays()
    n = len(a["rewards"])
    a["rewards"] = a["rewards"].astype(np.float64)[:, None]  # [N, 1]
    a["terminals"] = a["terminals"].astype(np.float32)[:, None]
    a["timeouts"] = a["timeouts"].astype(np.int64)[:, None]
    a["observations"] = a["observations"].astype(np.float64)
    d = OfflineDataset.from_arrays(a, name="x", env_id="Hopper-v5")
    assert d.rewards.shape == (n,) and d.rewards.dtype == np.float32
    assert d.terminals.dtype == np.bool_ and d.timeouts.dtype == np.bool_
    assert d.observations.dtype == np.float32
    assert (d.n_transitions, d.obs_dim, d.action_dim) == (12, 11, 3)
    assert d.terminals.sum() == 1 and d.timeouts.sum() == 2


def test_d4rl_info_and_metadata_columns_are_ignored():
    a = _arrays()
    a["infos/qpos"] = np.zeros((12, 6))
    a["metadata/algorithm"] = np.array("SAC")
    d = OfflineDataset.from_arrays(a)
    assert d.n_transitions == 12


def test_missing_timeouts_means_no_truncations():
    a = _arrays()
    del a["timeouts"]
    d = OfflineDataset.from_arrays(a)
    assert d.timeouts.shape == (12,) and not d.timeouts.any()


def test_episode_ends_and_returns():
    d = make_dataset((5, 4, 3), (False, True, False))
    ends = d.episode_ends()
    assert np.flatnonzero(ends).tolist() == [4, 8, 11]
    expected = [d.rewards[:5].sum(), d.rewards[5:9].sum(), d.rewards[9:].sum()]
    np.testing.assert_allclose(d.episode_returns(), expected, rtol=1e-6)
    # a trailing unfinished episode still ends at the last row (a new dataset: arrays read-only)
    d = dataclasses.replace(d, timeouts=np.r_[d.timeouts[:-1], False])
    assert d.episode_ends()[-1] and len(d.episode_returns()) == 3


def test_unmarked_episode_ends_warn_once_with_the_count_and_first_row(capsys):
    make_dataset((5, 4, 3), (False, True, False))
    assert "WARNING" not in capsys.readouterr().out  # every episode end is flagged
    a = _arrays()
    a["timeouts"][[4, 11]] = False  # row 4: a new episode follows unflagged; 11: the final row
    a["next_observations"][1] += 1e-7  # float noise is not a new episode
    d = OfflineDataset.from_arrays(a, name="mine")
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1 and "dataset 'mine': 1 row(s) end an episode" in out, out
    assert "first: row 4" in out and "mark them as timeouts" in out
    assert d.unmarked_episode_ends().tolist() == [4]
    a["timeouts"][:] = False
    a["terminals"][:] = False  # no flags at all: both episode ends before the last row
    assert OfflineDataset.from_arrays(a).unmarked_episode_ends().tolist() == [4, 8]
    assert "2 row(s)" in capsys.readouterr().out


def test_constant_action_dims_warn_once_naming_them(capsys):
    make_dataset((5, 4, 3), (False, True, False))
    assert "WARNING" not in capsys.readouterr().out
    a = _arrays()
    a["actions"][:, -1] = 0.25  # one actuator never moves
    OfflineDataset.from_arrays(a, name="mine")
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    dim = a["actions"].shape[1]
    assert (
        f"dataset 'mine': 1 of {dim} action dim(s) never vary (actions[:, {dim - 1}] = 0.25)" in out
    )


def test_observations_without_dynamics_warn(capsys):
    """Probe 12: a dataset whose observations are all one state (or whose next states equal their
    states) trained without a word."""
    a = _arrays()
    a["observations"][:] = 0.0
    a["next_observations"][:] = 0.0
    OfflineDataset.from_arrays(a, name="mine")
    out = capsys.readouterr().out
    assert "dataset 'mine': every observation and next observation is the same state" in out
    a = _arrays()
    a["next_observations"] = a["observations"].copy()
    OfflineDataset.from_arrays(a, name="mine")
    assert "every next observation equals its observation" in capsys.readouterr().out


def test_normalized_score_uses_own_reference_returns():
    d = make_dataset(ref_min_score=-20.272305, ref_max_score=3234.3)
    assert d.normalized_score(3234.3) == pytest.approx(100.0)
    assert d.normalized_score(-20.272305) == pytest.approx(0.0)
    np.testing.assert_allclose(d.normalized_score(np.array([1607.0138])), [50.0], rtol=1e-6)
    with pytest.raises(ValueError, match="no reference scores"):
        make_dataset().normalized_score(1.0)


def test_fingerprint_is_stable_and_sensitive():
    a, b = make_dataset(name="hopper-medium"), make_dataset(name="hopper-medium")
    assert a.fingerprint() == b.fingerprint() and re.fullmatch(r"[0-9a-f]{16}", a.fingerprint())
    b = dataclasses.replace(b, rewards=b.rewards + (np.arange(len(b.rewards)) == 3))
    assert a.fingerprint() != b.fingerprint()
    assert a.fingerprint() != make_dataset(name="other").fingerprint()


def test_npz_round_trip_is_exact_and_leaves_no_temp_files(tmp_path):
    d = make_dataset(
        name="hopper-medium", ref_min_score=1.0, ref_max_score=2.0, source="s", metadata={"seed": 3}
    )
    path = d.to_npz(tmp_path / "sub" / "d.npz")
    assert [p.name for p in path.parent.iterdir()] == ["d.npz"]
    e = OfflineDataset.from_npz(path)
    assert e.fingerprint() == d.fingerprint()
    assert (e.env_id, e.ref_min_score, e.ref_max_score, e.name, e.metadata) == (
        "Hopper-v5",
        1.0,
        2.0,
        "hopper-medium",
        {"seed": 3},
    )
    assert OfflineDataset.from_npz(make_dataset().to_npz(tmp_path / "n.npz")).ref_min_score is None


def test_npz_write_to_a_name_load_dataset_cannot_read_or_a_folder_is_refused(tmp_path):
    """Probe 12: ``to_npz("x")`` / ``("x.hdf5")`` wrote npz files that load_dataset then could not
    read by that name; a folder said "not written (Is a directory); check … free space"."""
    d = make_dataset()
    (tmp_path / "folder.npz").mkdir()
    for path, match in (
        (tmp_path / "x", r"path: expected a file name ending in .npz"),
        (tmp_path / "x.hdf5", r"path: expected a file name ending in .npz"),
        (None, r"path: expected a file name ending in .npz .*got None"),
        (tmp_path / "folder.npz", r"path: .*folder.npz is a folder; name a .npz file"),
    ):
        with pytest.raises(ValueError, match=match):
            d.to_npz(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.npz"]
    assert load_dataset(d.to_npz(tmp_path / "Y.NPZ")).n_transitions == d.n_transitions


def test_npz_write_of_data_its_env_id_does_not_fit_is_refused_before_writing(tmp_path):
    """Probe 16: from_arrays checks no env, so Hopper-sized data named Walker2d-v5 (or actions
    outside Hopper's bounds) were written by to_npz into a file load_dataset then refused."""
    arrays = make_arrays([5, 4], terminal_last=[False, False])
    wrong_env = OfflineDataset.from_arrays(arrays, env_id="Walker2d-v5")
    with pytest.raises(DatasetValidationError, match=r"w.npz not written: field 'observations' "):
        wrong_env.to_npz(tmp_path / "w.npz")
    outside = OfflineDataset.from_arrays(
        {**arrays, "actions": arrays["actions"] * 5}, env_id="Hopper-v5"
    )
    with pytest.raises(DatasetValidationError, match=r"not written: actions\[.*outside the action"):
        outside.to_npz(tmp_path / "o.npz")
    assert list(tmp_path.iterdir()) == []


def test_mistyped_metadata_or_source_is_refused():
    """Probe 16: metadata=[1] was accepted and written by to_npz into a file whose metadata_json
    load_dataset refuses; source=5 was accepted."""
    arrays = make_arrays([5], terminal_last=[False])
    with pytest.raises(DatasetValidationError, match=r"metadata: expected a dict, got list"):
        OfflineDataset.from_arrays(arrays, metadata=[1])
    with pytest.raises(DatasetValidationError, match=r"source: expected a string, got 5"):
        OfflineDataset.from_arrays(arrays, source=5)


def test_from_npz_called_directly_names_the_file_and_never_advises_an_unsafe_load(tmp_path):
    """Probe 16: ``OfflineDataset.from_npz`` (not through load_dataset) gave numpy's "load it
    unsafely using the allow_pickle= keyword" for a text file, and raw FileNotFoundError /
    IsADirectoryError for a missing path or a folder."""
    (tmp_path / "t.npz").write_text("not a zip")
    for path, match in (
        (tmp_path / "t.npz", r"npz file .*t.npz: not an npz \(zip\) archive"),
        (tmp_path / "missing.npz", r"npz file .*missing.npz does not exist"),
        (tmp_path, r"npz file .* is a folder, not a file"),
        (5, r"path: expected a .npz file path, got int"),
    ):
        with pytest.raises((ValueError, FileNotFoundError), match=match) as err:
            OfflineDataset.from_npz(path)
        assert "allow_pickle" not in str(err.value)
    d = make_dataset()
    assert OfflineDataset.from_npz(d.to_npz(tmp_path / "d.npz")).n_transitions == d.n_transitions


def test_npz_write_failure_keeps_previous_file(tmp_path, monkeypatch):
    path = make_dataset(name="old").to_npz(tmp_path / "d.npz")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        make_dataset(name="new").to_npz(path)
    monkeypatch.undo()
    assert OfflineDataset.from_npz(path).name == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["d.npz"]


def test_npz_write_on_a_full_disk_names_the_file(tmp_path, monkeypatch):
    import errno

    path = make_dataset(name="old").to_npz(tmp_path / "d.npz")

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(np, "savez", disk_full)
        with pytest.raises(OSError, match=re.escape(f"{path}: not written: the disk holding")):
            make_dataset(name="new").to_npz(path)
    assert OfflineDataset.from_npz(path).name == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["d.npz"]


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ({"timeout": np.ones(1, bool)}, r"unknown array\(s\) \['timeout'\]"),  # typo: was dropped
        ({"foo": np.zeros(3)}, r"unknown array\(s\) \['foo'\]"),
        ({"metadata_json": np.array("not json")}, "'metadata_json' is not JSON"),  # was raw
        ({"metadata_json": np.array("[1, 2]")}, "'metadata_json' holds a JSON list"),  # was kept
        ({"name": np.array(["a", "b"])}, r"'name' has shape \(2,\); expected a single value"),
    ],
)
def test_npz_with_unknown_or_malformed_entries_is_refused_naming_the_file(tmp_path, extra, match):
    with np.load(make_dataset().to_npz(tmp_path / "good.npz")) as data:
        arrays = {k: data[k] for k in data.files}
    path = tmp_path / "d.npz"
    np.savez(path, **{**arrays, **extra})
    with pytest.raises(DatasetValidationError, match=match) as err:
        OfflineDataset.from_npz(path)
    assert f"npz file {path}" in str(err.value)
    infos = {**arrays, "infos/qpos": np.zeros(len(arrays["rewards"]))}  # D4RL extras: ignored
    np.savez(path, **infos)
    assert OfflineDataset.from_npz(path).n_transitions == len(arrays["rewards"])


def test_from_arrays_of_something_not_a_dict_and_a_single_reference_score_are_named():
    """Probe 19: ``from_arrays(None)`` was a raw TypeError, ``from_arrays([…])`` "unknown key(s)"
    of its items; ``ref_min_score`` without ``ref_max_score`` was taken, then "has no reference
    scores" at the first normalised score (cotrain: no score at all)."""
    for bad, shown in ((None, "NoneType"), ([1, 2], "list"), ("x.npz", "str")):
        with pytest.raises(
            DatasetValidationError, match=rf"^arrays: expected a dict .* got {shown}"
        ):
            OfflineDataset.from_arrays(bad)
    for given, other in (("ref_min_score", "ref_max_score"), ("ref_max_score", "ref_min_score")):
        with pytest.raises(DatasetValidationError, match=rf"^{given}: given without {other}"):
            OfflineDataset.from_arrays(_arrays(), **{given: 1.0})
    both = OfflineDataset.from_arrays(_arrays(), ref_min_score=0.0, ref_max_score=10.0)
    assert both.normalized_score(5.0) == pytest.approx(50.0)


def test_observations_outside_a_bounded_observation_space_warn(capsys):
    """Probe 26: data of an env whose observation space is bounded, with observations outside
    it (another env's data, or unscaled), were taken without a word, while actions outside the
    action space are refused. A warning names the first one; unbounded spaces (MuJoCo's) say
    nothing."""
    a = _arrays()
    a["observations"] = np.clip(a["observations"], -0.5, 0.5)
    a["next_observations"] = np.clip(a["next_observations"], -0.5, 0.5)
    a["observations"][10, 2] = 5.0
    data = OfflineDataset.from_arrays(a)
    capsys.readouterr()
    data.validate(observation_space=OBS_SPACE)
    assert "observation space" not in capsys.readouterr().out
    data.validate(observation_space=spaces.Box(-1.0, 1.0, (11,), np.float32))
    out = capsys.readouterr().out
    assert "1 row(s) of observations lie outside the env's observation space" in out
    assert "observations[10, 2] = 5.0, bounds [-1.0, 1.0]" in out
    # probe 57b: load_dataset then make_mdp validate against the env twice: said once per
    # dataset object and bounds; other bounds are said again, as is a changed copy
    data.validate(observation_space=spaces.Box(-1.0, 1.0, (11,), np.float32))
    assert "observation space" not in capsys.readouterr().out
    data.validate(observation_space=spaces.Box(-2.0, 2.0, (11,), np.float32))
    assert "observations[10, 2] = 5.0, bounds [-2.0, 2.0]" in capsys.readouterr().out
    dataclasses.replace(data).validate(observation_space=spaces.Box(-1.0, 1.0, (11,), np.float32))
    assert "1 row(s) of observations lie outside" in capsys.readouterr().out


def test_torch_tensors_are_data_even_when_they_require_grad():
    """Probe 28: a tensor requiring grad was torch's raw "Can't call numpy() on Tensor that
    requires grad", naming no field; tensors are now read as their values."""
    import torch

    arrays = _arrays()
    tensors = {k: torch.as_tensor(v) for k, v in arrays.items()}
    tensors["observations"] = tensors["observations"].clone().requires_grad_()
    dataset = OfflineDataset.from_arrays(tensors)
    np.testing.assert_array_equal(dataset.observations, arrays["observations"].astype(np.float32))
    np.testing.assert_array_equal(dataset.terminals, arrays["terminals"].astype(bool))


def test_from_arrays_keeps_its_own_copies_of_the_callers_arrays():
    """Issue 14 (probe 33): float32 / bool arrays were shared with the caller, so an edit of them
    after the load changed the dataset (and no longer matched its fingerprint and normaliser)."""
    import torch

    arrays = _arrays()
    arrays["rewards"] = arrays["rewards"][:, None]  # (N, 1): a squeezed view
    arrays["actions"] = torch.from_numpy(arrays["actions"])  # a tensor: np.asarray shares it
    kept = {k: (v.numpy() if isinstance(v, torch.Tensor) else v).copy() for k, v in arrays.items()}
    ds = OfflineDataset.from_arrays(arrays, env_id="Hopper-v5")
    fingerprint = ds.fingerprint()
    for value in arrays.values():
        value[0] = 123  # the caller edits its arrays afterwards
    np.testing.assert_array_equal(ds.observations, kept["observations"])
    np.testing.assert_array_equal(ds.next_observations, kept["next_observations"])
    np.testing.assert_array_equal(ds.actions, kept["actions"])
    np.testing.assert_array_equal(ds.rewards, kept["rewards"][:, 0])
    np.testing.assert_array_equal(ds.terminals, kept["terminals"])
    assert ds.fingerprint() == fingerprint
    as_float64 = {k: v.astype(np.float64) if v.dtype == np.float32 else v for k, v in kept.items()}
    ds = OfflineDataset.from_arrays(as_float64)  # cast: already a copy
    as_float64["observations"][0] = 7
    assert ds.observations[0, 0] == kept["observations"][0, 0]


def test_a_huge_outlier_is_warned_about_at_load(capsys):
    """Issue 14 (probe 33): one corrupt reading ``observations[5, 3] = 1e30`` was loaded without
    a word, and the normaliser was fitted on it."""
    arrays = _arrays()
    OfflineDataset.from_arrays(arrays, name="clean")
    assert "far outside" not in capsys.readouterr().out
    scaled = {k: v * 1e7 if k.endswith("observations") else v for k, v in arrays.items()}
    OfflineDataset.from_arrays(scaled, name="big-units")  # large, but so is the spread
    assert "far outside" not in capsys.readouterr().out
    arrays["observations"][5, 3] = 1e30
    arrays["rewards"][2] = -1e9
    OfflineDataset.from_arrays(arrays, name="corrupt")
    out = capsys.readouterr().out
    assert (
        "[rambo_env] WARNING: dataset 'corrupt': observations[5, 3] = 1e+30 is far outside the "
        "rest of column 3 (central range [" in out
    ), out
    assert "1 such entry in 'observations'): a corrupt reading? It sets the observation " in out
    assert "fix or drop its row(s) before loading" in out
    assert "rewards[2] = -1e+09 is far outside the rest of the field" in out, out
    assert "next_observations[" not in out


def test_a_validated_dataset_is_read_only_and_stays_so_when_copied():
    """Probe 41 rows 15 / 113 / 114: a validated dataset edited in place after the adversary or
    agent were built (``d.rewards[:] = np.nan``) was blamed on the adversary weight or was torch's
    raw "Expected parameter loc …". Its arrays are read-only, as the normaliser's are: the edit is
    numpy's error at the user's line; a new dataset (dataclasses.replace / from_arrays) is the
    way to change data. Copies (deepcopy, pickle) stay read-only; the caller's arrays stay theirs."""
    arrays = make_arrays([5, 4, 3], terminal_last=[False, True, False])
    d = OfflineDataset.from_arrays(arrays, env_id="Hopper-v5")
    assert all(v.flags.writeable for v in arrays.values())  # the caller's: untouched
    for key in ARRAY_FIELDS:
        assert not getattr(d, key).flags.writeable, key
    with pytest.raises(ValueError, match="assignment destination is read-only"):
        d.rewards[:] = np.nan
    for copied in (copy.deepcopy(d), pickle.loads(pickle.dumps(d))):
        for key in ARRAY_FIELDS:
            assert not getattr(copied, key).flags.writeable, key
            np.testing.assert_array_equal(getattr(copied, key), getattr(d, key))
    doubled = dataclasses.replace(d, rewards=d.rewards * 2)  # the documented way
    np.testing.assert_array_equal(doubled.rewards, 2 * arrays["rewards"])
    again = OfflineDataset.from_arrays({**arrays, "rewards": d.rewards * 2}, env_id="Hopper-v5")
    assert again.fingerprint() == doubled.fingerprint()


def test_a_dataset_built_by_replace_or_directly_is_read_only_and_checked():
    """Probe 43 rows 43 / 67: ``dataclasses.replace(d, rewards=d.rewards * 2)`` (the documented
    way) kept the new field writable; a NaN written into it after make_mdp / make_agent was
    trained on without a word. Every dataset is read-only however built: a writable array given
    is copied (the caller's stays theirs and writable), read-only ones are shared, and the new
    field is checked as a loaded one is."""
    d = OfflineDataset.from_arrays(_arrays())
    mine = d.rewards * 2
    e = dataclasses.replace(d, rewards=mine)
    for key in ARRAY_FIELDS:
        assert not getattr(e, key).flags.writeable, key
    assert mine.flags.writeable and not np.shares_memory(e.rewards, mine)  # the caller's
    assert e.observations is d.observations  # read-only already: shared, not copied
    with pytest.raises(ValueError, match="assignment destination is read-only"):
        e.rewards[:] = np.nan
    direct = OfflineDataset(**_arrays())
    assert not any(getattr(direct, key).flags.writeable for key in ARRAY_FIELDS)
    mine[3] = np.nan
    with pytest.raises(DatasetValidationError, match=r"rewards\[3\] = nan is not finite"):
        dataclasses.replace(d, rewards=mine)
    with pytest.raises(DatasetValidationError, match="field 'rewards' has 11 rows but"):
        dataclasses.replace(d, rewards=d.rewards[:-1].copy())


def test_from_arrays_names_a_mistyped_metadata_keyword():
    """Probe 47: ``from_arrays(…, ref_minscore=5.0)`` was ``OfflineDataset.__init__``'s bare
    "unexpected keyword argument" TypeError; now from_arrays names it with a did-you-mean, as
    make_agent and RamboModelEnv do."""
    with pytest.raises(
        TypeError,
        match=r"^OfflineDataset\.from_arrays: unexpected keyword ref_minscore \(did you mean "
        r"'ref_min_score'\?\); the metadata keywords are env_id, ref_min_score",
    ):
        OfflineDataset.from_arrays(_arrays(), env_id="Hopper-v5", ref_minscore=5.0)
    with pytest.raises(TypeError, match=r"unexpected keyword rewards \(an array: put it in"):
        OfflineDataset.from_arrays(_arrays(), rewards=np.zeros(3))
    kept = OfflineDataset.from_arrays(_arrays(), ref_min_score=5.0, ref_max_score=9.0)
    assert kept.ref_min_score == 5.0


@pytest.mark.parametrize("name", ["", "  "])
def test_an_empty_dataset_name_is_refused_by_from_arrays(name, tmp_path):
    """Probe 50 row 26: ``from_arrays(…, name='')`` was accepted (``make_dataset.py
    --dataset-id ''`` and ``cotrain.py --dataset ''`` are refused); the name feeds run folder
    names, the ledger's key and the preset lookup."""
    with pytest.raises(DatasetValidationError) as err:
        OfflineDataset.from_arrays(_arrays(), name=name)
    assert str(err.value).startswith(f"name: {name!r} is empty; a dataset's name names its run")
    assert OfflineDataset.from_arrays(_arrays()).name == "custom"
    path = tmp_path / "d.npz"
    np.savez(path, **_arrays(), name=np.array(name))
    if name:  # a file's white-space name: refused alike
        with pytest.raises(DatasetValidationError, match=r"^name: '  ' is empty"):
            OfflineDataset.from_npz(path)
    else:  # a file's empty entry: not given
        assert OfflineDataset.from_npz(path).name == "custom"


def test_float16_actions_and_rewards_are_said_once(capsys):
    """Probe 53 row 7: an npz / from_arrays with float16 actions and rewards loaded without a
    word (the float16 note covered observations only); float32 and float64 say nothing."""
    arrays = _arrays()
    arrays["actions"] = arrays["actions"].astype(np.float16)
    arrays["rewards"] = arrays["rewards"].astype(np.float16)
    OfflineDataset.from_arrays(arrays)
    out = capsys.readouterr().out
    assert out.count("are stored as") == 1, out
    assert (
        "[rambo_env] WARNING: dataset 'custom': actions and rewards are stored as float16 (~3 "
        "significant digits): the model and the agent learn the rounded values; store float32"
    ) in out
    OfflineDataset.from_arrays(_arrays())
    arrays = {k: v.astype(np.float64) if v.dtype.kind == "f" else v for k, v in _arrays().items()}
    OfflineDataset.from_arrays(arrays)
    assert "are stored as" not in capsys.readouterr().out
