"""Issue 14, probe 45: dataset files and names (an hdf5 file's own metadata, a file under the
other kind's ending, an empty dataset name, a comma in a --datasets path)."""

from __future__ import annotations

import argparse

import h5py
import numpy as np
import pytest

from rambo_env.data import DatasetValidationError, load_dataset
from rambo_env.data.scores import REF_SCORES
from tests.data.data_helpers import make_arrays
from tests.scripts import load_script


def _d4rl_file(path, **meta):
    """A D4RL-layout hdf5 file (11 / 3 dims: Hopper's) with ``meta`` as top-level datasets."""
    with h5py.File(path, "w") as f:
        for key, value in make_arrays([5, 4], terminal_last=[False, True]).items():
            f[key] = value
        for key, value in meta.items():
            f[key] = value
    return path


def test_an_hdf5_file_s_own_env_id_and_reference_scores_are_read(tmp_path, capsys):
    """Row 26: env_id / ref_min_score / ref_max_score stored in a D4RL-layout hdf5 (as an npz
    accepts them) were ignored without a word ("names no Gymnasium env"; with env_id=, D4RL's
    hopper refs and advice to give the file the entries it held)."""
    path = _d4rl_file(
        tmp_path / "mine.hdf5", env_id="Hopper-v5", ref_min_score=0.0, ref_max_score=100.0
    )
    d = load_dataset(str(path))
    assert (d.env_id, d.ref_min_score, d.ref_max_score) == ("Hopper-v5", 0.0, 100.0)
    out = capsys.readouterr().out
    assert "names no Gymnasium env" not in out and "carries no reference scores" not in out
    assert d.source == f"d4rl-hdf5:{path}"
    # env_id= still overrides, with the warning; the file's scores stay
    d = load_dataset(str(path), env_id="Hopper-v4")
    assert (d.env_id, d.ref_min_score, d.ref_max_score) == ("Hopper-v4", 0.0, 100.0)
    assert "records Hopper-v5 data, but env_id= (--env-id) overrides it" in capsys.readouterr().out
    # a D4RL file name's env and scores give way to the file's own
    named = _d4rl_file(tmp_path / "hopper_medium-v2.hdf5", ref_min_score=1.0, ref_max_score=2.0)
    d = load_dataset(str(named))
    assert (d.env_id, d.ref_min_score, d.ref_max_score) == ("Hopper-v5", 1.0, 2.0)
    # its own env_id alone: no D4RL refs of the name's env, D4RL's of its own (with the note)
    (tmp_path / "o").mkdir()
    other = _d4rl_file(tmp_path / "o" / "walker2d_medium-v2.hdf5", env_id="Hopper-v5")
    d = load_dataset(str(other))
    assert d.env_id == "Hopper-v5" and (d.ref_min_score, d.ref_max_score) == REF_SCORES["hopper"]
    assert "carries no reference scores; using D4RL's hopper returns" in capsys.readouterr().out


@pytest.mark.parametrize(
    "meta, match",
    [
        ({"env_id": "os:Hopper-v5"}, r"env_id: 'os:Hopper-v5' names a module to import"),
        ({"env_id": "Nope-v9"}, r"env_id: 'Nope-v9' is not a registered Gymnasium env"),
        ({"env_id": 5}, r"env_id: expected a Gymnasium id string, got 5"),
        ({"ref_min_score": 5.0, "ref_max_score": 1.0}, r"ref_min_score: 5.0 must be < ref_max"),
        ({"ref_min_score": np.nan, "ref_max_score": 1.0}, r"ref_min_score: expected a finite"),
        ({"ref_min_score": 0.0}, r"ref_min_score: given without ref_max_score"),
        ({"env_id": np.array([b"Hopper-v5"])}, r"hdf5 file .*'env_id' has shape \(1,\)"),
    ],
)
def test_an_hdf5_file_s_own_metadata_is_validated_as_an_npz_s(tmp_path, meta, match):
    """The npz reader's checks: a registered id (never module:Env, nothing imported), finite
    scores with min < max, both or neither (never completed from the file name's env)."""
    path = _d4rl_file(tmp_path / "hopper_medium-v2.hdf5", **meta)
    with pytest.raises(DatasetValidationError, match=match):
        load_dataset(str(path))


def test_d4rl_metadata_groups_and_attributes_are_not_the_file_s_own_metadata(tmp_path, capsys):
    """D4RL's metadata/... datasets and their group's attributes are no env_id / reference scores
    (root attributes are read since probe 49: test_an_hdf5_file_s_root_attributes_are_read); a
    file without its own keys is named by its file name as before."""
    path = _d4rl_file(tmp_path / "x.hdf5")
    with h5py.File(path, "a") as f:
        f["metadata/env_id"] = "Walker2d-v5"
        f["metadata/ref_min_score"] = 3.0
        f["metadata"].attrs["env_id"] = "Walker2d-v5"
        f.attrs["other"] = 3.0
    d = load_dataset(str(path))
    assert d.env_id is None and d.ref_min_score is None
    assert "names no Gymnasium env" in capsys.readouterr().out
    named = _d4rl_file(tmp_path / "hopper_medium-v2.hdf5")
    d = load_dataset(str(named))
    assert (d.env_id, (d.ref_min_score, d.ref_max_score)) == ("Hopper-v5", REF_SCORES["hopper"])
    with h5py.File(path, "a") as f:  # a group under the name: one error naming it
        f.create_group("env_id")
    with pytest.raises(DatasetValidationError, match=r"'env_id' is a group, not a single value"):
        load_dataset(str(path))


def test_an_hdf5_file_s_root_attributes_are_read(tmp_path, capsys):
    """Probe 49 row 48: ``f.attrs["env_id"] = "Hopper-v5"`` (and the reference scores) at the
    root of a D4RL-layout file were never read, while the warning said the file "names no
    Gymnasium env". Now read and validated as its top-level datasets are; a dataset and an
    attribute of the same name that disagree are refused, naming both."""
    path = _d4rl_file(tmp_path / "b.hdf5")
    with h5py.File(path, "a") as f:
        f.attrs["env_id"] = "Hopper-v5"
        f.attrs["ref_min_score"] = 0.0
        f.attrs["ref_max_score"] = 100.0
    d = load_dataset(str(path))
    assert (d.env_id, d.ref_min_score, d.ref_max_score) == ("Hopper-v5", 0.0, 100.0)
    assert "names no Gymnasium env" not in capsys.readouterr().out
    both = _d4rl_file(tmp_path / "c.hdf5", env_id="Hopper-v5")
    with h5py.File(both, "a") as f:
        f.attrs["env_id"] = np.bytes_(b"Hopper-v5")  # fixed-length text: the same id
    assert load_dataset(str(both)).env_id == "Hopper-v5"
    with h5py.File(both, "a") as f:
        f.attrs["env_id"] = "Walker2d-v5"
    with pytest.raises(DatasetValidationError) as err:
        load_dataset(str(both))
    assert str(err.value) == (
        f"hdf5 file {both}: its top-level dataset 'env_id' holds 'Hopper-v5' but its root "
        "attribute 'env_id' holds 'Walker2d-v5'; make them agree, or drop one"
    )
    bad = _d4rl_file(tmp_path / "d.hdf5")
    for attr, match in (
        ("Nope-v9", r"env_id: 'Nope-v9' is not a registered Gymnasium env"),
        (["Hopper-v5", "x"], r"root attribute 'env_id' has shape \(2,\)"),
    ):
        with h5py.File(bad, "a") as f:
            f.attrs["env_id"] = attr
        with pytest.raises(DatasetValidationError, match=match):
            load_dataset(str(bad))


def test_a_file_s_own_env_id_that_does_not_fit_its_data_says_it_is_the_file_s(tmp_path):
    """Probe 50 row 8: an hdf5 whose root attribute ``env_id`` names Walker2d-v5 for Hopper data
    was refused "(env_id='Walker2d-v5'): the data do not fit that env; name the env they come
    from", with no word that the env was the file's own (the user may not know where it came
    from); ``env_id=`` still overrides it."""
    path = _d4rl_file(tmp_path / "w.hdf5")
    with h5py.File(path, "a") as f:
        f.attrs["env_id"] = "Walker2d-v5"
    with pytest.raises(DatasetValidationError) as err:
        load_dataset(str(path))
    assert str(err.value).endswith(
        f"(env_id='Walker2d-v5'), the env the data name themselves (d4rl-hdf5:{path}): the data "
        "do not fit it; fix the env_id stored with the data, or pass the env they come from "
        "(env_id=…, --env-id)"
    ), err.value
    assert load_dataset(str(path), env_id="Hopper-v5").env_id == "Hopper-v5"


@pytest.mark.parametrize(
    ("where", "key", "said"),
    [
        ("attrs", "envid", "root attribute 'envid' is not read (did you mean 'env_id'?)"),
        ("attrs", "ref_max", "root attribute 'ref_max' is not read (did you mean 'ref_max_score'"),
        ("top", "envid", "top-level key 'envid' is not read (did you mean 'env_id'?)"),
    ],
)
def test_a_misspelt_hdf5_metadata_name_is_refused_naming_the_right_one(tmp_path, where, key, said):
    """Probe 50 row 9: ``f.attrs["envid"] = "Hopper-v5"`` was ignored without a word (only the
    generic "names no Gymnasium env" warning), where a top-level field's typo ('timeout') is
    refused with a did-you-mean. Other names (author, version, score, D4RL's infos / metadata
    groups) stay fine."""
    path = _d4rl_file(tmp_path / "t.hdf5")
    with h5py.File(path, "a") as f:
        for other in ("author", "version", "score"):
            f.attrs[other] = "x"
        f.create_group("infos")["qpos"] = np.zeros(9)
    assert load_dataset(str(path)).env_id is None
    with h5py.File(path, "a") as f:
        (f.attrs if where == "attrs" else f)[key] = "Hopper-v5"
    with pytest.raises(DatasetValidationError) as err:
        load_dataset(str(path))
    assert f"hdf5 file {path}: {said}" in str(err.value)
    assert str(err.value).endswith("rename it in the file")


def test_a_file_under_the_other_kind_s_ending_says_to_rename_it(tmp_path):
    """Row 72: an intact HDF5 file named x.npz was "not an npz (zip) archive; re-create or
    re-download it"; likewise an npz named .hdf5 / .h5 was "unreadable"."""
    h5 = _d4rl_file(tmp_path / "really_h5.npz", env_id="Hopper-v5")
    with pytest.raises(
        ValueError, match=r"an HDF5 file, not an npz \(zip\) archive; rename it to "
    ):
        load_dataset(str(h5))
    with pytest.raises(ValueError, match=r"rename it to really_h5\.hdf5$"):
        load_dataset(str(h5))
    arrays = make_arrays([5, 4], terminal_last=[False, True])
    for name in ("really_npz.hdf5", "really_npz.h5"):
        np.savez(tmp_path / "x.npz", **arrays)
        (tmp_path / "x.npz").rename(tmp_path / name)
        with pytest.raises(
            ValueError, match=r"an npz \(zip\) archive, not an HDF5 file; rename it"
        ):
            load_dataset(str(tmp_path / name), env_id="Hopper-v5")
    renamed = tmp_path / "really_h5.hdf5"
    h5.rename(renamed)  # and as told, it loads
    assert load_dataset(str(renamed)).env_id == "Hopper-v5"


@pytest.mark.parametrize("name", ["", "  "])
def test_an_empty_dataset_name_is_refused(name, monkeypatch, tmp_path):
    """Row 31: --dataset '' was read as the working folder ("'' is a folder … holds no .npz")."""
    monkeypatch.chdir(tmp_path)
    from rambo_env import make_mdp

    for load in (lambda: load_dataset(name), lambda: make_mdp(name)):
        with pytest.raises(ValueError, match=r"^dataset: empty.*; give a short name \(e\.g\."):
            load()


def test_a_datasets_path_holding_a_comma_says_the_flag_splits_there(tmp_path):
    """Row 73: '--datasets /f/a,b.npz' (an existing file) named '/f/a' and 'b.npz' missing."""
    sweep = load_script("sweep")
    path = tmp_path / "a,b.npz"
    path.write_bytes(b"")
    for text in (str(path), f"hopper-medium,{path}"):
        with pytest.raises(argparse.ArgumentTypeError) as err:
            sweep.parse_datasets(text)
        assert str(err.value) == (
            f"{str(path)!r} is a file, but --datasets splits on commas; rename the file (or link "
            "it under a name without a comma)"
        )
    assert sweep.parse_datasets(f"{tmp_path}/a") == (f"{tmp_path}/a",)  # no such joined file


def test_an_extra_top_level_array_of_an_hdf5_file_is_said_once(tmp_path, capsys):
    """Probe 61 row 38: a top-level array no field reads ('foo') loaded without a word (an npz
    refuses it). D4RL's own files hold only its infos/ and metadata/ groups beside the fields:
    those stay quiet."""
    path = _d4rl_file(tmp_path / "extra.hdf5", env_id="Hopper-v5", foo=np.zeros(9), bar=np.ones(2))
    assert load_dataset(str(path)).n_transitions == 9
    out = capsys.readouterr().out
    assert out.count("top-level array(s) ['bar', 'foo'] are not D4RL fields: ignored") == 1
    genuine = _d4rl_file(tmp_path / "genuine.hdf5", env_id="Hopper-v5")
    with h5py.File(genuine, "a") as f:
        f["infos/qpos"] = np.zeros((9, 6))
        f["metadata/algorithm"] = "SAC"
    load_dataset(str(genuine))
    assert "not D4RL field" not in capsys.readouterr().out
