"""Probe 92b rows 75, 76: the ledger compared ent_coef as text."""

from __future__ import annotations

import pytest

from rambo_env import ledger


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [("1e-1", "0.1"), ("auto_1.0", "auto"), ("auto_1e-1", "auto_0.1"), (" 0.1", "0.10")],
)
def test_ent_coef_written_two_ways_is_one_setting(ours, theirs):
    """Rows 75, 76: ``'1e-1'`` vs ``'0.1'`` and ``'auto_1.0'`` vs ``'auto'`` (SB3 starts a learned
    α at 1.0; the runs were bit-identical) were "ran with other settings … not compared"."""
    assert ledger._same_setting("ent_coef", ours, theirs)


@pytest.mark.parametrize(
    ("ours", "theirs"), [("0.1", "auto_0.1"), ("auto_0.1", "auto"), ("1.0", "auto"), ("0.1", "0.2")]
)
def test_other_ent_coefs_still_differ(ours, theirs):
    assert not ledger._same_setting("ent_coef", ours, theirs)
