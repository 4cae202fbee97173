"""Probe 88 row 111: ``--dataset minari/rambo/hopper/medium-v0`` with the Minari root
``…/minari`` (the README's path, taken for the id) advised moving the root one level up; that
advice then called the healthy dataset damaged ("rename the folder back …, or set dataset_id
in its metadata"). Both now name the id mix-up: the id without the root's last folder."""

from __future__ import annotations

import pytest

from rambo_env.data import load_dataset
from rambo_env.data.minari_io import minari_dataset_path
from tests.data.data_helpers import make_dataset
from tests.data.test_data_loaders import _save_as_minari


def test_an_id_that_repeats_the_roots_last_folder_is_named_an_id_mix_up(monkeypatch):
    _save_as_minari("rambo/hopper/medium-v0", make_dataset())
    root = minari_dataset_path("")
    assert root.name == "minari"  # conftest's root: .../minari
    # probe 88 row 111: was "the Minari root … ends in minari of the id …; set
    # MINARI_DATASETS_PATH=<its parent>"
    with pytest.raises(FileNotFoundError) as info:
        load_dataset("minari/rambo/hopper/medium-v0")
    assert str(info.value) == (
        f"Minari dataset 'minari/rambo/hopper/medium-v0': the Minari root {root} already ends in "
        "minari, and holds this dataset as rambo/hopper/medium-v0 (its data/metadata.json says "
        "so): did you mean the id rambo/hopper/medium-v0? (a Minari id starts below the root; "
        "keep MINARI_DATASETS_PATH)"
    )
    # probe 88 row 111: following the old advice, the dataset was "damaged (misconfigured …);
    # rename the folder back to …, or set "dataset_id" … in its data/metadata.json"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root.parent))
    with pytest.raises(ValueError) as info:
        load_dataset("minari/rambo/hopper/medium-v0")
    assert str(info.value) == (
        f"Minari dataset 'minari/rambo/hopper/medium-v0': {root}/rambo/hopper/medium-v0 holds "
        "the dataset 'rambo/hopper/medium-v0' (its data/metadata.json says so), written under "
        f"the Minari root {root}: minari/ is part of that root, not of the id; use the id "
        f"'rambo/hopper/medium-v0' with MINARI_DATASETS_PATH={root} (nothing is damaged)"
    )
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))  # the advice works
    assert load_dataset("rambo/hopper/medium-v0").n_transitions > 0
