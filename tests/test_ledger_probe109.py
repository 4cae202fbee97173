"""Probe 109 rows 4-5: every public ledger function that defaults to the source checkout's
ledger refuses that default in an installed package (as update_ledger did since probe 107)."""

import pytest

from rambo_env import ledger
from rambo_env.presets import RamboPreset

NOT_GIVEN = "ledger_dir: not given, and rambo-env is an installed package"


@pytest.fixture
def installed(monkeypatch):
    monkeypatch.setattr(ledger, "in_source_checkout", lambda: False)


def test_plot_dataset_of_an_installed_package_asks_for_ledger_dir(installed):
    # probe 109 row 4: was "the results ledger …/site-packages/docs/results/ledger holds no run
    # of 'hopper-medium' …; enter one with python scripts/ledger.py RUN --ledger …/site-packages/…"
    with pytest.raises(ValueError, match=NOT_GIVEN):
        ledger.plot_dataset("hopper-medium")


def test_read_index_and_standing_of_an_installed_package_ask_for_ledger_dir(installed, tmp_path):
    # probe 109 row 5: were {} and None, as if the ledger were empty, unsaid
    with pytest.raises(ValueError, match=NOT_GIVEN):
        ledger.read_index()
    with pytest.raises(ValueError, match=NOT_GIVEN):
        ledger.standing("hopper-medium", "sac", RamboPreset(5, 3e-4), 10)
    # a ledger passed is read as before
    assert ledger.read_index(tmp_path) == {}
    assert ledger.standing("hopper-medium", "sac", RamboPreset(5, 3e-4), 10, tmp_path) is None


def test_the_source_checkout_keeps_its_default_ledger(monkeypatch):
    monkeypatch.setattr(ledger, "in_source_checkout", lambda: True)
    assert isinstance(ledger.read_index(), dict)
