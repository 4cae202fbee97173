"""Probe 120 rows 6 and 13: ``warn_each_time`` under a user's ``simplefilter("once")`` /
``"module"`` showed its warning every time (a fresh registry each call); and the closed-stderr
note read "sys.stderr, where they go, is it cannot be written (…)"."""

from __future__ import annotations

import io
import sys
import warnings

import pytest

from rambo_env import run_io
from rambo_env.run_io import warn_each_time


def _shown(action: str, n: int = 3) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action)
        for _ in range(n):
            warn_each_time("probe 120: the same text")
        warn_each_time("probe 120: another text")
    return [str(w.message) for w in caught]


@pytest.mark.parametrize("action", ["once", "module"])
def test_once_and_module_show_a_text_once(action):
    assert _shown(action) == ["probe 120: the same text", "probe 120: another text"]
    # again in a fresh filter context (catch_warnings resets the registries' version)
    assert len(_shown(action)) == 2


@pytest.mark.parametrize("action", ["default", "always"])
def test_default_and_always_show_it_each_time(action):
    assert len(_shown(action)) == 4
    assert len(_shown(action)) == 4


def test_ignore_and_error():
    assert _shown("ignore") == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="probe 120"):
            warn_each_time("probe 120: raised")


def test_a_once_filter_for_this_text_only():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        warnings.filterwarnings("once", message="probe 120: once")
        for _ in range(2):
            warn_each_time("probe 120: once")
            warn_each_time("probe 120: each")
    assert [str(w.message) for w in caught].count("probe 120: once") == 1
    assert [str(w.message) for w in caught].count("probe 120: each") == 2


class _Broken(io.StringIO):
    def flush(self):
        raise OSError(9, "Bad file descriptor")


def test_the_unwritable_stderr_note_reads(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", _Broken())
    assert run_io._check_library_streams(True, "make_mdp") is False
    line = out.getvalue()
    assert "progress bars off: sys.stderr (where they go): it cannot be written (OSError" in line
    assert "is it cannot" not in line
