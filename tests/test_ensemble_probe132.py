"""Probe 132 row 6: ``dataclasses.replace(EnsembleConfig(hidden_dims=(8, 8)), hidden_dims=(8, 8,
8))`` blamed ``weight_decays`` (a field the user never set: derived from the old depth) with no fix;
only the 4-layer default was said to be derived. Any depth's derived decays are said so now, with
the fix (weight_decays=None)."""

from __future__ import annotations

import dataclasses

import pytest

from rambo_env.dynamics.ensemble import EnsembleConfig


@pytest.mark.parametrize(
    ("old", "new"), [((8, 8), (8, 8, 8)), ((8,), (8, 8)), ((8,) * 6, (8,)), ((200,) * 4, (8, 8))]
)
def test_decays_derived_from_an_earlier_depth_are_said_so(old, new):
    base = EnsembleConfig(hidden_dims=old)
    with pytest.raises(
        ValueError,
        match=rf"^EnsembleConfig.weight_decays: the default decays .* \(.*{len(old)} hidden layers "
        r"\+ the heads, derived from an earlier hidden_dims, e.g. by dataclasses.replace\) do not "
        rf"fit hidden_dims .*give weight_decays=None .* or {len(new) + 1} values",
    ):
        dataclasses.replace(base, hidden_dims=new)
    fixed = dataclasses.replace(base, hidden_dims=new, weight_decays=None)  # the fix it gives
    assert len(fixed.weight_decays) == len(new) + 1


def test_decays_of_ones_own_of_another_length_keep_the_count_message():
    with pytest.raises(ValueError, match=r"need len\(hidden_dims\) \+ 1 = 3 values, got 4"):
        EnsembleConfig(hidden_dims=(8, 8), weight_decays=(1e-5, 2e-5, 3e-5, 4e-5))
