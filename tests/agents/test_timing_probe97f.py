"""Probe 97 rows 31, 45: the timing file's warnings name the real cause in a shared sticky cache
(another user's file, not an unwritable folder) and in this user's own cache (a file root left
there, which this user may remove); root keeps the file's owner. Tests run as root: another user
is a faked ``os.geteuid``."""

from __future__ import annotations

import os

from agents import timing


def _denied(*args, **kwargs):
    raise PermissionError(13, "Permission denied", str(args[0]) if args else "")


def _not_permitted(path, *args, **kwargs):
    raise PermissionError(1, "Operation not permitted", str(path))


def test_another_users_readable_file_in_a_sticky_cache_names_the_sticky_bit(
    tmp_path, monkeypatch, capsys
):
    # probe 97 row 31: was "not written (Operation not permitted): … make that folder writable"
    # of a writable (1777) folder: the cause is another user's file there
    cache = tmp_path / "shc"
    cache.mkdir()
    cache.chmod(0o1777)
    path = cache / timing.TIMES_NAME
    path.write_text('{"root key": 2.0}\n')
    monkeypatch.setattr(timing, "_path", lambda: path)
    monkeypatch.setattr(os, "geteuid", lambda: path.stat().st_uid + 1)
    monkeypatch.setattr(timing, "write_json", _not_permitted)
    monkeypatch.setattr(timing, "_NOT_RECORDED_SAID", set())
    timing.record_iteration_time("my key", [1.0])
    out = capsys.readouterr().out
    assert "another user's file" in out and "is sticky" in out and "owner uid" in out
    assert "make that folder writable" not in out and "ask its owner to remove it" in out


def test_roots_file_in_this_users_own_cache_says_remove_it(tmp_path, monkeypatch, capsys):
    # probe 97 row 45: was "ask its owner to make it readable …, or set RAMBO_ENV_CACHE to a
    # folder of your own" of root's file in this user's own cache, which they may remove
    cache = tmp_path / "cache"
    cache.mkdir()
    os.chown(cache, 4242, 4242)
    path = cache / timing.TIMES_NAME
    path.write_text('{"root key": 2.0}\n')  # root's
    monkeypatch.setattr(timing, "_path", lambda: path)
    monkeypatch.setattr(os, "geteuid", lambda: 4242)
    monkeypatch.setattr(timing, "open", _denied, raising=False)
    monkeypatch.setattr(timing, "_NOT_RECORDED_SAID", set())
    timing.record_iteration_time("my key", [1.0])
    out = capsys.readouterr().out
    assert f"remove it (rm {path}: your folder lets you" in out
    assert "ask its owner" not in out and "RAMBO_ENV_CACHE" not in out


def test_root_keeps_the_owner_of_a_users_timing_file(tmp_path, monkeypatch):
    # probe 97 row 45: root (sudo -E) replaced the user's 0600 file with its own, which the user
    # could no longer read: every later run of theirs had no estimates
    if os.geteuid() != 0:
        return  # only root may give a file to another user
    path = tmp_path / timing.TIMES_NAME
    path.write_text('{"user key": 2.0}\n')
    path.chmod(0o600)
    os.chown(path, 4242, 4343)
    monkeypatch.setattr(timing, "_path", lambda: path)
    timing.record_iteration_time("root key", [1.0])
    st = path.stat()
    assert (st.st_uid, st.st_gid) == (4242, 4343)
    assert "root key" in path.read_text() and "user key" in path.read_text()
