"""Probe 147 S1, S2: a checkout git refuses as another user's ("dubious ownership")."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from rambo_env import requirements

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the checkout away"),
]


@pytest.fixture
def foreign_dirty_checkout(tmp_path, monkeypatch):
    """A dirty checkout owned by ``nobody``; the user's config has no safe.directory."""
    root = tmp_path / "clone"
    root.mkdir()
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "a.py").write_text("a = 1\n")
    subprocess.run([*git, "add", "a.py"], check=True)
    subprocess.run([*git, "commit", "-qm", "a"], check=True)
    (root / "a.py").write_text("a = 2\n")
    subprocess.run(["chown", "-R", "65534:65534", str(root)], check=True)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "empty"))
    (tmp_path / "empty").write_text("")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setattr(requirements, "_SAID_NOT_SAFE", [])
    return root


def test_a_refused_checkout_is_said_once_with_its_cure(foreign_dirty_checkout, monkeypatch):
    """S1: nothing was recorded, and nothing said."""
    said: list[str] = []
    monkeypatch.setattr(requirements, "note", said.append)
    for _ in range(2):  # the cache aside: once per process, whatever asks
        assert requirements._source_changes.__wrapped__(str(foreign_dirty_checkout)) == ()
    assert len(said) == 1
    assert "dubious ownership" in said[0]
    assert f"safe.directory {foreign_dirty_checkout}" in said[0]


def test_a_bad_user_config_keeps_the_systems_safe_directory(
    foreign_dirty_checkout, tmp_path, monkeypatch
):
    """S2: the retry without the unparseable user config dropped the system's config too."""
    (tmp_path / "bad").write_text("[diff\n")
    (tmp_path / "system").write_text("[safe]\n\tdirectory = *\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "bad"))
    monkeypatch.delenv("GIT_CONFIG_NOSYSTEM")
    monkeypatch.setenv("GIT_CONFIG_SYSTEM", str(tmp_path / "system"))
    done = requirements.run_git(foreign_dirty_checkout, "diff", "HEAD")
    assert done is not None and done[0] == 0
    assert b"+a = 2" in done[1]
