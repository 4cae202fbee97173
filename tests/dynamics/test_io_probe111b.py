"""Probe 111: a model cache that is the default under HOME (RAMBO_ENV_CACHE unset) names HOME and
that RAMBO_ENV_CACHE is unset (was: "RAMBO_ENV_CACHE: model cache /home/u3/.cache/rambo_env is
not writable" for a user with no home folder, HOME=/ or another user's HOME kept by sudo)."""

from __future__ import annotations

import pytest

from rambo_env.dynamics.io import check_cache_dir


def test_a_default_cache_under_a_missing_home_names_home(tmp_path, monkeypatch):
    (tmp_path / "home").write_text("a file: nothing can be made below it")
    monkeypatch.delenv("RAMBO_ENV_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home" / "u3"))
    with pytest.raises(ValueError) as caught:
        check_cache_dir()
    text = str(caught.value)
    assert text.startswith("HOME: model cache (~/.cache/rambo_env, as RAMBO_ENV_CACHE is unset")
    assert "which does not exist" in text and "set RAMBO_ENV_CACHE to a writable folder" in text
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "home" / "c"))  # set: named as before
    with pytest.raises(ValueError, match=r"^RAMBO_ENV_CACHE: model cache"):
        check_cache_dir()
