"""Probe 88 (issue 14): the load-time outlier warning counts each corrupt entry once."""

from __future__ import annotations

import numpy as np

from rambo_env.data import OfflineDataset
from rambo_env.data.dataset import outlier_entries
from tests.data.data_helpers import make_arrays


def test_one_corrupt_entry_is_counted_once(capsys):
    # probe 88 row 44: was "2 such entries in 'observations'" for ONE corrupt entry (both rules of
    # outlier_entries gave the same (row, column), with different central ranges)
    arrays = make_arrays([100, 100], terminal_last=[False, True])
    arrays["observations"][5, 3] = 1e30
    found = outlier_entries(arrays["observations"])
    assert [e[:2] for e in found] == [(5, 3)], found
    OfflineDataset.from_arrays(arrays, name="NAME", env_id="Hopper-v5")
    out = capsys.readouterr().out
    assert "observations[5, 3] = 1e+30 is far outside the rest of column 3" in out, out
    assert "1 such entry in 'observations')" in out, out
    arrays["observations"][9, 3] = -1e30
    OfflineDataset.from_arrays(arrays, name="NAME", env_id="Hopper-v5")
    out = capsys.readouterr().out
    assert "observations[5, 3] = 1e+30" in out and "2 such entries in 'observations')" in out, out
    assert np.isfinite([e[2:] for e in outlier_entries(arrays["observations"])]).all()
