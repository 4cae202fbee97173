"""Probe 140 row 17: ``rambo_env_changed`` is now one file per line; a resume under other
uncommitted changes names the change by its hash (``rambo_env_diff``), not by the file list,
whose lines would break the note."""

from __future__ import annotations

from types import SimpleNamespace

from agents import cotrain, cotrain_setup
from tests.agents.test_cotrain_probe138 import A


def test_a_resume_names_the_diff_not_the_changed_files(monkeypatch, capsys):
    monkeypatch.setattr(cotrain_setup, "source_commit", lambda root=None: A)
    records = [
        {"rambo_env_dirty": "true", "rambo_env_diff": d, "rambo_env_changed": f"{f}\n"}
        for d, f in (("d1d1d1d1d1d1", "a.py"), ("d2d2d2d2d2d2", "my notes/b.py"))
    ]
    monkeypatch.setattr(cotrain_setup, "source_changes", lambda root=None: records[0])
    last = cotrain_setup.library_versions()
    monkeypatch.setattr(cotrain_setup, "source_changes", lambda root=None: records[1])
    cotrain._say_versions_changed(SimpleNamespace(session_versions=[last]))
    out = capsys.readouterr().out
    assert "rambo_env_diff d1d1d1d1d1d1 -> d2d2d2d2d2d2" in out
    assert "rambo_env_changed" not in out and "my notes" not in out
