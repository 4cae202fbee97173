"""Probe 114 R8: another user's 0700 ledger folder (``--ledger /home/q1/ledger``, also one a
resumed run recorded) names the folder, its owner and mode, with advice (was: a raw
``[Errno 13] Permission denied: '…/config.json'`` from read_index, before the run)."""

from __future__ import annotations

import pytest

from rambo_env.ledger import read_index
from tests.other_user import closed_folder
from tests.scripts import load_script


def test_an_unenterable_ledger_folder_is_named_with_its_owner(tmp_path, monkeypatch):
    ledger = closed_folder(tmp_path / "ledger", monkeypatch)
    with pytest.raises(ValueError, match=r"ledger: .*ledger cannot be entered by this user") as e:
        read_index(ledger)
    assert "owner uid" in str(e.value) and "chmod -R a+rX" in str(e.value)
    cotrain = load_script("cotrain")
    with pytest.raises(ValueError, match="cannot be entered by this user"):
        cotrain.check_ledger(ledger, tmp_path / "run")
