"""Probe 119 row 32: a D4RL-layout file (no next_observations) one row too long whose writer set
``timeouts[-1] = True`` (or ``terminals``) on its unwritten, otherwise all-zero last row: the
row was kept (only a row 0 in every field, flags included, was taken as unwritten), said as
"next_observations[119, 0] = 0 is far outside … a corrupt reading?" of a field the file lacks.
Its flags are not looked at now: the row is dropped with the one warning naming it."""

from __future__ import annotations

import numpy as np
import pytest

import rambo_env
from tests.data.test_d4rl_io_probe105c import _padded, _write
from tests.data.test_loaders_probe105b import _hopper_arrays


@pytest.mark.parametrize("suffix", [".hdf5", ".npz"])
@pytest.mark.parametrize("flag", ["timeouts", "terminals"])
def test_an_unwritten_last_row_with_a_flag_set_is_dropped(tmp_path, capsys, suffix, flag):
    arrays = _hopper_arrays()
    padded = _padded(arrays)
    padded[flag][-1] = True
    data = rambo_env.load_dataset(_write(tmp_path / f"z{suffix}", padded), env_id="Hopper-v5")
    out = capsys.readouterr().out
    assert data.n_transitions == 119  # was: 120, row 119 a step into the all-zero state
    assert np.any(data.next_observations != 0, axis=1).all()
    assert f"its last row (120) is 0 in observations, actions and rewards (only {flag} set)" in out
    assert "corrupt reading" not in out


def test_an_all_zero_state_elsewhere_still_keeps_a_flagged_zero_last_row(tmp_path, capsys):
    padded = _padded(_hopper_arrays())
    padded["timeouts"][-1] = True
    padded["observations"][50] = 0.0  # this env's data hold an all-zero state elsewhere
    data = rambo_env.load_dataset(_write(tmp_path / "s.hdf5", padded), env_id="Hopper-v5")
    assert data.n_transitions == 120
    assert "its last row (120) is 0" not in capsys.readouterr().out
