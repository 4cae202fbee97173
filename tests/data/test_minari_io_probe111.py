"""Probe 111 rows 4, 37, 38, 40, 46, 48: folders of another user made under umask 077 (mode
0700) in a shared Minari root or model cache: a dataset saved beside one is not failed after
its save; a namespace folder, a dataset folder or a flat-cache folder this user may not enter
is named with its owner (or, for the flat cache, read around) instead of a raw
``PermissionError``, and before any collection. Tests run as root: ``tests.other_user``
makes the folders another user's."""

from __future__ import annotations

import json
import os

import pytest

import rambo_env
from rambo_env.data import generate
from rambo_env.data.minari_io import (
    dataset_to_episodes,
    minari_dataset_path,
    read_minari,
    save_minari,
)
from tests.data.data_helpers import make_dataset
from tests.other_user import closed_folder

OWNER = f"owner uid {os.getuid()}"  # of the closed folders (another user than the faked one)


def _save(dataset_id: str) -> None:
    save_minari(dataset_id, dataset_to_episodes(make_dataset()), env_id="Hopper-v5")


def _generation_refused(monkeypatch, saved: str, blocked: str, dataset_id: str, **kw) -> str:
    """The error of generating ``dataset_id`` once ``saved`` is made and the folder of
    ``blocked`` is another user's 0700 one; nothing is collected first."""
    _save(saved)
    closed_folder(minari_dataset_path(blocked), monkeypatch)

    def no_collection(*args, **kwargs):
        raise AssertionError("collected although the dataset cannot be written")

    monkeypatch.setattr(generate, "_level_episodes", no_collection)
    with pytest.raises(ValueError) as caught:
        generate.generate_dataset(
            "hopper", "random", n_transitions=300, dataset_id=dataset_id, **kw
        )
    return str(caught.value)


def test_save_beside_another_users_unenterable_dataset_succeeds(monkeypatch, capsys):
    # probe 111 row 38: the dataset was saved, then "[Errno 13] Permission denied:
    # '…/lab/hopper/lk3-v0'" (Minari's namespace walk over the whole root), exit 2
    _save("lab/hopper/lk3-v0")
    closed_folder(minari_dataset_path("lab/hopper/lk3-v0"), monkeypatch)
    _save("lab/hopper/dd-v0")
    for namespace in ("lab", "lab/hopper"):
        marker = minari_dataset_path(namespace) / "namespace_metadata.json"
        assert json.loads(marker.read_text()) == {}
    capsys.readouterr()
    assert read_minari("lab/hopper/dd-v0").observations.shape[0] == 12


def test_new_id_in_another_users_unenterable_namespace_is_refused_up_front(monkeypatch):
    # probe 111 row 37: was "error: [Errno 13] Permission denied: '…/grp/walker/b-v0'"
    text = _generation_refused(monkeypatch, "grp/hopper/a-v0", "grp", "grp/walker/b-v0")
    assert f"{minari_dataset_path('grp')} cannot be entered by this user" in text
    assert OWNER in text and "cannot be written there" in text
    assert "MINARI_DATASETS_PATH at a folder of your own" in text


def test_force_over_another_users_unenterable_dataset_is_refused_up_front(monkeypatch):
    # probe 111 row 4: was "[Errno 13] Permission denied: '…/random-v0/data'" from the free-room
    # check (rc 1), no owner, no advice
    cc = "lab/hopper/cc-v0"
    text = _generation_refused(monkeypatch, cc, cc, cc, force=True)
    assert "another user's dataset folder" in text and OWNER in text
    assert "--force (force=True) cannot replace 'lab/hopper/cc-v0'" in text
    assert "ask its owner" in text


def test_load_through_another_users_unenterable_namespace_names_it(monkeypatch):
    # probe 111 row 46: was a raw PermissionError '…/grp/hopper/a-v0/data/main_data.hdf5' (the
    # flat cache's key); README's "cannot be entered" held only for the dataset's own folder
    _save("grp/hopper/a-v0")
    closed_folder(minari_dataset_path("grp"), monkeypatch)
    with pytest.raises(ValueError) as caught:
        rambo_env.load_dataset("grp/hopper/a-v0")
    text = str(caught.value)
    assert f"{minari_dataset_path('grp')} cannot be entered by this user" in text
    assert OWNER in text and "ask its owner to open it" in text


def test_another_users_unenterable_flat_cache_folder_is_read_around(monkeypatch, capsys, tmp_path):
    # probe 111 rows 40, 48: was a raw PermissionError of '<cache>/datasets/…/<key>.npz'
    _save("p111/hopper/x-v0")
    read_minari("p111/hopper/x-v0")  # writes its flat cache
    from rambo_env.dynamics.io import cache_dir

    flat = cache_dir() / "datasets"
    cached = sorted(flat.rglob("*.npz"))
    assert cached
    closed_folder(flat, monkeypatch)
    capsys.readouterr()
    data = read_minari("p111/hopper/x-v0")
    out = capsys.readouterr().out
    assert data.observations.shape[0] == 12
    assert f"flat cache folder {flat} of p111/hopper/x-v0 cannot be entered" in out
    assert OWNER in out and "reading the Minari files" in out
    monkeypatch.undo()
    assert sorted(flat.rglob("*.npz")) == cached  # nothing written or dropped there
