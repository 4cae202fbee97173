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


def test_a_field_of_values_near_the_float32_limit_raises_no_numpy_warning():
    """Session 56: rewards all near 1e38 (finite float32, the whole field at that scale) raised
    numpy's raw ``RuntimeWarning: overflow encountered in cast`` from the outlier check (its
    bounds, ±1e43, cast to float32); the comparison itself was right. The data load, no entry
    is flagged, and a lone 3e38 among ordinary rewards is still flagged."""
    import warnings

    arrays = make_arrays([25, 25], terminal_last=[False, True])
    rng = np.random.default_rng(0)
    arrays["rewards"] = (rng.normal(size=50) * 1e38).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # was: RuntimeWarning raised here
        assert outlier_entries(arrays["rewards"]) == []
        data = OfflineDataset.from_arrays(arrays, name="NAME")
    assert np.isfinite(data.rewards).all()
    arrays["rewards"] = rng.normal(size=50).astype(np.float32)
    arrays["rewards"][7] = 3e38
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [e[:2] for e in outlier_entries(arrays["rewards"], sparse=True)] == [(7, 0)]


def test_a_column_near_1e25_raises_no_numpy_warning_at_load():
    """Probe 57b: Pendulum data with one observation column scaled by 1e25 (finite float32)
    loaded with numpy's raw ``RuntimeWarning: overflow encountered in square`` after the
    project's own bounds warnings: the unflagged-jump check's float32 standard deviation (now
    float64) overflowed, and that check skipped the column as of infinite spread."""
    import warnings

    from rambo_env.data.loaders import _warn_jumps_to_starts

    arrays = make_arrays([50, 50, 50, 50], terminal_last=[False] * 4, obs_dim=3, action_dim=1)
    arrays["observations"][:, 2] *= 1e25
    arrays["next_observations"][:, 2] *= 1e25
    data = OfflineDataset.from_arrays(arrays, name="NAME")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # was: RuntimeWarning: overflow encountered in square
        _warn_jumps_to_starts(data)
