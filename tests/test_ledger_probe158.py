"""Probe 158: a ledger folder this user may write but not list (mode 1733, another user's) was a
raw ``PermissionError`` traceback from :func:`check_ledger_folder`'s listing, rc 1."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from rambo_env.ledger import check_ledger_folder


def test_a_folder_that_cannot_be_listed_is_one_error_naming_it(tmp_path, monkeypatch):
    led = tmp_path / "led"
    led.mkdir()
    listing = Path.iterdir

    def write_only(self):
        if self == led:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return listing(self)

    monkeypatch.setattr(Path, "iterdir", write_only)
    with pytest.raises(ValueError) as info:
        check_ledger_folder(led)
    said = str(info.value)
    assert said.startswith(f"ledger: {led} cannot be listed by this user (")
    assert "pass a folder you may read and write (--ledger)" in said
