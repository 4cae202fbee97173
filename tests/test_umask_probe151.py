"""Probe 151 row 4: under ``umask 100`` the refusal said "none of its new files (TensorBoard's
event file, a new results.json) could be opened", but files of mode 666 open as usual: only the
folders made (mode 677) cannot be entered. The search (enter) permission is said of folders, read
and write of files."""

from __future__ import annotations

import os

import pytest

from rambo_env import run_io


def _refusal(check, *args) -> str:
    with pytest.raises(run_io.UmaskError) as caught:
        check(*args)
    return str(caught.value)


@pytest.mark.parametrize("resume", [True, False])
def test_umask_100_says_folders_cannot_be_entered_not_files_opened(tmp_path, resume):
    old = os.umask(0o100)
    try:
        run = _refusal(run_io.check_umask_for_run, tmp_path, resume)
        made = _refusal(run_io.check_umask_for_folders, tmp_path / "new")
    finally:
        os.umask(old)
    for text in (run, made):
        assert "leaves no search (enter) permission for you" in text
        assert "so no new folder could be entered (new files can still be opened)" in text
        assert "opened:" not in text and "could be opened" not in text  # was: "… could be opened"
    assert "TensorBoard" not in run  # the files were never the trouble


def test_a_mask_taking_search_and_read_says_each_of_its_kind(tmp_path):
    old = os.umask(0o577)
    try:
        text = _refusal(run_io.check_umask_for_run, tmp_path, True)
    finally:
        os.umask(old)
    assert (
        "so none of its new files (TensorBoard's event file, a new results.json) could be " in text
    )
    assert "could be read back, and no new folder could be entered: set umask 022" in text
