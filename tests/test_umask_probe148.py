"""Probe 148 row 4b: the refusal of a new folder under a umask that takes the owner's read or
search permission away said "so nothing could be written in them" (``umask 400``: writing was
what it left); each lost permission is named, with the modes and the fix."""

from __future__ import annotations

import os

import pytest

from rambo_env import run_io

CASES = {
    0o400: ("read", "folders mode 377, files 266", "could be read back"),
    0o477: ("read", "folders mode 300, files 200", "could be read back"),
    0o700: ("read, write or search (enter)", "folders mode 077, files 066", "written or read back, and no new folder could be entered"),
    0o777: ("read, write or search (enter)", "folders mode 000, files 000", "written or read back, and no new folder could be entered"),
    0o100: ("search (enter)", "folders mode 677, files 666", "no new folder could be entered (new files can still be opened)"),
    0o277: ("write", "folders mode 500, files 400", "could be written"),
}  # fmt: skip


@pytest.mark.parametrize("mask", sorted(CASES))
def test_each_lost_permission_is_named(tmp_path, mask):
    denied, modes, lost = CASES[mask]
    folder = tmp_path / "new" / "u1"
    old = os.umask(mask)
    try:
        with pytest.raises(run_io.UmaskError) as caught:
            run_io.check_umask_for_folders(folder)
    finally:
        os.umask(old)
    text = str(caught.value)
    assert text.startswith(f"{folder} cannot be made: umask {mask:03o} leaves no {denied} perm")
    assert modes in text and lost in text
    assert ("written" in text) == bool(mask & 0o200)  # was: "written" for 400 / 477 too
    assert text.endswith("set umask 022 (or 077 to keep others out) and rerun; nothing was made")
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o027, 0o002])
def test_a_umask_that_keeps_the_owners_permission_passes(tmp_path, mask):
    old = os.umask(mask)
    try:
        run_io.check_umask_for_folders(tmp_path / "new")
        run_io.check_umask_for_run(tmp_path, resume=True)
    finally:
        os.umask(old)


def test_an_existing_run_folder_is_refused_for_a_session(tmp_path):
    old = os.umask(0o577)
    try:
        with pytest.raises(run_io.UmaskError) as caught:
            run_io.check_umask_for_run(tmp_path, resume=True)
    finally:
        os.umask(old)
    assert str(caught.value).startswith(
        f"{tmp_path} cannot be resumed: umask 577 leaves no read or search (enter) permission"
    )
    assert "none of its new files (TensorBoard's event file" in str(caught.value)
