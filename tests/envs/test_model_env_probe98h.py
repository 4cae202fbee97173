"""Probe 98 (fixer h): a subclass passing its own keyword on to RamboModelEnv.__init__."""

from __future__ import annotations

import pytest

from rambo_env import RamboModelEnv


class Shaped3(RamboModelEnv):
    def __init__(self, bonus: float = 0.0, **kw) -> None:
        super().__init__(**kw, bonus=bonus)  # passes its own keyword on


def test_subclass_own_keyword_names_the_base_class() -> None:
    # probe 98 row 11: was "bonus: not a keyword of Shaped3 (did you mean 'bonus'?); it takes
    # bonus (help(rambo_env.Shaped3))"
    with pytest.raises(ValueError) as err:
        Shaped3(bonus=1.0, dataset="unused")
    msg = str(err.value)
    assert msg.startswith("bonus: not a keyword of RamboModelEnv; it takes dataset, rollout_length")
    assert "(help(rambo_env.RamboModelEnv))" in msg
    assert "did you mean" not in msg and "rambo_env.Shaped3" not in msg
    assert "a subclass must consume its own keywords" in msg and "super().__init__" in msg


def test_subclass_typo_names_the_base_class() -> None:
    with pytest.raises(ValueError, match=r"^rollout_lenght: not a keyword of RamboModelEnv \(did"):
        Shaped3(rollout_lenght=3)
