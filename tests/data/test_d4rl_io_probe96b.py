"""Probe 96b row 25: at h5py 3.8 (the floor pip resolves to) a Minari main file's field that is a
link to what is missing was "its episode data are unreadable (KeyError …); re-create it":
``Group.visit_links``, which listed the links, is h5py >= 3.11."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from rambo_env.data.d4rl_io import hdf5_trouble


@pytest.mark.parametrize("fault", ["external_link", "soft_link"])
def test_a_broken_link_in_an_episode_group_is_named_without_visit_links(
    tmp_path, monkeypatch, fault
):
    # probe 96b row 25: was None (the generic "unreadable … re-create it") without visit_links
    path = tmp_path / "main_data.hdf5"
    with h5py.File(path, "w") as f:
        f["episode_0/observations"] = np.zeros((3, 2))
        f["episode_0/actions"] = (
            h5py.ExternalLink(str(tmp_path / "nothere.h5"), "/x")
            if fault == "external_link"
            else h5py.SoftLink("/nope")
        )
    monkeypatch.delattr(h5py.Group, "visit_links", raising=False)  # as h5py < 3.11
    found = hdf5_trouble(path, KeyError("Unable to open object"))
    said = {
        "external_link": "field 'episode_0/actions' is an external link to '/x' in the file "
        f"{tmp_path}/nothere.h5, which is missing",
        "soft_link": "field 'episode_0/actions' is a soft link to '/nope', which is not in the file",
    }[fault]
    assert found is not None and str(found).startswith(f"hdf5 file {path}: {said}"), found


def test_an_intact_file_with_groups_and_links_is_no_trouble(tmp_path, monkeypatch):
    """A soft link to a group that is there is walked as a name only (no loop, no error)."""
    path = tmp_path / "main_data.hdf5"
    with h5py.File(path, "w") as f:
        f["episode_0/actions"] = np.zeros((3, 1))
        f["episode_0/inner/x"] = np.zeros(2)
        f["alias"] = h5py.SoftLink("/episode_0")
    monkeypatch.delattr(h5py.Group, "visit_links", raising=False)
    assert hdf5_trouble(path, KeyError("x")) is None
