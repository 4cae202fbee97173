"""Probe 157 row 5b: ``MixedReplayBuffer(real_ratio="0.5")`` said "expected a value in [0, 1], got
'0.5'", a value in [0, 1]; the problem is its type."""

from __future__ import annotations

import pytest

from tests.agents.test_buffer import _buffer, dataset  # noqa: F401 (the fixture)
from tests.agents.test_factory_probe65 import _make, parts  # noqa: F401 (the fixture)

NOT_A_NUMBER = r"^real_ratio: must be a number in \[0, 1\], got str '0\.5'; pass the number 0\.5"


def test_a_string_real_ratio_is_told_to_be_a_number(dataset):  # noqa: F811
    with pytest.raises(ValueError, match=NOT_A_NUMBER):
        _buffer(dataset, real_ratio="0.5")
    with pytest.raises(
        ValueError, match=r"^real_ratio: must be a number in \[0, 1\], got str 'a'$"
    ):
        _buffer(dataset, real_ratio="a")
    with pytest.raises(ValueError, match=r"^real_ratio: must be a number .*, got NoneType None$"):
        _buffer(dataset, real_ratio=None)
    with pytest.raises(ValueError, match=r"^real_ratio: expected a value in \[0, 1\], got 1\.5$"):
        _buffer(dataset, real_ratio=1.5)  # a number out of range: as before
    assert _buffer(dataset, real_ratio=1).real_ratio == 1.0


def test_make_agent_says_the_same(parts):  # noqa: F811
    with pytest.raises(ValueError, match=NOT_A_NUMBER):
        _make(parts, real_ratio="0.5")
