"""Probe 111: a ledger file another user left unreadable (umask 077) is a permission problem, not
a damaged file (was: "restore it (git checkout …), or re-add its run"), and the files this user
cannot read are named in one error (was: one file per error, a round of asking the owner each)."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

import rambo_env.path_checks as path_checks
from rambo_env.ledger import read_entry_curves, read_index


def test_unreadable_ledger_files_are_named_at_once(tmp_path, monkeypatch):
    ledger = tmp_path / "ledger"
    ledger.mkdir()
    for name in ("index.json", "a.csv", "b.csv", "c.csv"):
        (ledger / name).write_text("{}" if name.endswith("json") else "iteration\n1\n")
    closed = {str(ledger / n) for n in ("index.json", "a.csv", "c.csv")}
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, m, **k: str(p) not in closed and real(p, m, **k))
    monkeypatch.setattr(os, "geteuid", lambda: ledger.stat().st_uid + 1)
    with pytest.raises(ValueError) as caught:
        read_index(ledger)
    text = str(caught.value)
    assert "index.json (mode" in text and "a.csv (mode" in text and "c.csv (mode" in text
    assert "b.csv" not in text and "chmod a+r" in text and "git checkout" not in text


def test_an_unreadable_curve_gets_permission_advice_not_restore_it(tmp_path, monkeypatch):
    path = tmp_path / "hopper-random-sac.csv"
    path.write_text("iteration\n1\n")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(args[0]))

    monkeypatch.setattr(path_checks, "open", denied, raising=False)  # check_readable's
    monkeypatch.setattr(os, "geteuid", lambda: path.stat().st_uid + 1)
    with pytest.raises(ValueError) as caught:
        read_entry_curves(SimpleNamespace(slug="hopper-random-sac"), tmp_path)
    text = str(caught.value)
    assert "is not readable by this user" in text and "owner uid" in text
    assert "git checkout" not in text and "re-add" not in text
