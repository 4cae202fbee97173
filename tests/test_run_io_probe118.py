"""Probe 118 row 36: a new file's mode (0666 less the umask) was read by setting the process's
umask to 022 and back (``os.umask``), process-wide: a file another thread made meanwhile got 022's
mode. The umask is now read without being set."""

from __future__ import annotations

import os
import stat

import pytest

from rambo_env import run_io
from rambo_env.run_io import write_json


def _never(*args):
    raise AssertionError("os.umask called: it sets the umask of the whole process")


@pytest.mark.parametrize("via_proc", (True, False))
def test_a_new_files_mode_is_the_umasks_without_setting_it(tmp_path, monkeypatch, via_proc):
    kept = os.umask(0o027)
    try:
        monkeypatch.setattr(run_io.os, "umask", _never)
        if not via_proc:  # not Linux (or /proc not mounted): a probe file tells it
            real_open = open

            def no_proc(file, *args, **kwargs):
                if str(file) == "/proc/self/status":
                    raise FileNotFoundError(file)
                return real_open(file, *args, **kwargs)

            monkeypatch.setattr("builtins.open", no_proc)
        write_json(tmp_path / "new.json", {"a": 1})
    finally:
        monkeypatch.undo()
        os.umask(kept)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.json"]  # no probe file left
