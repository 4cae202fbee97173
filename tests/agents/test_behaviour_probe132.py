"""Probe 132 row 4: ``BehaviourConfig("Hopper-v5", [1000, 2000])`` kept the list: the frozen
config was unhashable, not == its tuple form, and its asdict -> JSON -> BehaviourConfig round trip
came back unequal. Any sequence band is stored as its hint says, a tuple of two floats."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from agents.behaviour import BehaviourConfig


@pytest.mark.parametrize(
    "band", [[1000, 2000], (1000, 2000), np.array([1000, 2000]), [np.float32(1000), 2000.0]]
)
def test_a_band_of_any_sequence_is_a_tuple_of_floats(band):
    cfg = BehaviourConfig("Hopper-v5", band)
    assert cfg.band == (1000.0, 2000.0) and type(cfg.band) is tuple
    assert all(type(b) is float for b in cfg.band)
    assert cfg == BehaviourConfig("Hopper-v5", (1000.0, 2000.0))
    assert len({cfg, BehaviourConfig("Hopper-v5", (1000, 2000))}) == 1  # hashable, equal
    again = BehaviourConfig(**json.loads(json.dumps(dataclasses.asdict(cfg))))
    assert again == cfg and hash(again) == hash(cfg)


@pytest.mark.parametrize("band", [[1000], [1000, 2000, 3000], [2000, 1000]])
def test_a_band_of_other_length_or_order_is_still_refused(band):
    with pytest.raises(ValueError, match=r"^BehaviourConfig.band: expected \(low, high\)"):
        BehaviourConfig("Hopper-v5", band)
