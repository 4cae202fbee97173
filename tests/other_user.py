"""Run a test as a user that may not enter one folder of another user (mode 0700).

Tests run as root, which enters every folder; :func:`closed_folder` makes the process behave,
for one folder, as another user's process does (probe 111): ``os.access`` says no, and every
``stat`` / ``open`` / listing of the folder's contents (or, for a listing, of the folder itself)
raises ``PermissionError`` as the kernel would, while this process's uid is made another than
the folder's owner's."""

from __future__ import annotations

import builtins
import errno
import io
import os
from pathlib import Path

import pytest


def _denied(path: object) -> PermissionError:
    return PermissionError(errno.EACCES, "Permission denied", os.fspath(path))  # type: ignore[arg-type]


def closed_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``folder`` (made if missing) as another user's ``drwx------`` folder for this test."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    closed = os.path.abspath(folder)

    def inside(path: object) -> bool:
        if isinstance(path, int):
            return False
        text = os.path.abspath(os.fsdecode(os.fspath(path)))  # type: ignore[arg-type]
        return text.startswith(closed + os.sep)

    def wrap(real, *, listing: bool = False):
        def call(path=".", *args, **kwargs):
            if inside(path) or (
                listing and not isinstance(path, int) and os.path.abspath(path) == closed
            ):
                raise _denied(path)
            return real(path, *args, **kwargs)

        return call

    real_access = os.access

    def access(path, mode, **kwargs):
        if inside(path) or os.path.abspath(path) == closed:
            return False
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "stat", wrap(os.stat))
    monkeypatch.setattr(os, "lstat", wrap(os.lstat))
    monkeypatch.setattr(os, "listdir", wrap(os.listdir, listing=True))
    monkeypatch.setattr(os, "scandir", wrap(os.scandir, listing=True))
    monkeypatch.setattr(builtins, "open", wrap(builtins.open))
    monkeypatch.setattr(io, "open", wrap(io.open))
    owner = folder.stat().st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1001)
    return folder
