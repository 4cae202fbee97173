"""Probe 95 row 26: another user's iteration_times.json (mode 0600) in a cache this user writes
is said once and left, not replaced by this user's record."""

from __future__ import annotations

import os

from agents import timing


def _denied(*args, **kwargs):
    raise PermissionError(13, "Permission denied", str(args[0]) if args else "")


def test_another_users_timing_file_is_said_once_and_left(tmp_path, monkeypatch, capsys):
    # probe 95 row 26: was "no iteration … timed yet" (the file could not be read, not said),
    # then root's records replaced by this user's file without a word
    path = tmp_path / timing.TIMES_NAME
    path.write_text('{"root key": 2.0}\n')
    monkeypatch.setattr(timing, "_path", lambda: path)
    monkeypatch.setattr(os, "geteuid", lambda: path.stat().st_uid + 1)
    monkeypatch.setattr(timing, "open", _denied, raising=False)
    monkeypatch.setattr(timing, "_NOT_RECORDED_SAID", set())
    timing.record_iteration_time("my key", [1.0])
    timing.record_iteration_time("my key", [1.5])
    assert path.read_text() == '{"root key": 2.0}\n'
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1 and "not readable by this user" in out
    assert "owner uid" in out and f"chmod a+r {path}" in out
