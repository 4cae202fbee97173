"""Probe 114 L1: root (sudo) resuming a user's run gives the new TensorBoard event file in the
run's tb/ to the folder's owner (was: root:root, which the owner could not remove)."""

from __future__ import annotations

import os

import pytest

from agents.cotrain import _PurgingTensorBoard


def test_root_gives_a_users_tb_folder_its_new_event_file(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root may give a file to another user")
    tb = tmp_path / "tb"
    tb.mkdir()
    os.chown(tb, 4242, 4343)
    writer = _PurgingTensorBoard(str(tb), purge_step=3)
    writer.close()
    files = list(tb.glob("events.out.tfevents.*"))
    assert files and all((p.stat().st_uid, p.stat().st_gid) == (4242, 4343) for p in files)
