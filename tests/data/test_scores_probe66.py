"""Probe 66 (rows 37, 38): normalized_score refuses a lone reference return and an overflow."""

from __future__ import annotations

import numpy as np
import pytest

from rambo_env.data.scores import normalized_score


def test_one_reference_return_with_env_is_refused():
    # probe 66 row 37: the given ref_min_score=0.0 was dropped for hopper's table pair (3.695)
    with pytest.raises(
        ValueError, match=r"^ref_min_score given without ref_max_score: .*give both"
    ):
        normalized_score(100, "hopper", ref_min_score=0.0)
    with pytest.raises(ValueError, match=r"^ref_max_score given without ref_min_score"):
        normalized_score(100, "hopper", ref_max_score=200.0)
    assert normalized_score(100, "hopper", ref_min_score=0.0, ref_max_score=200.0) == 50.0
    assert normalized_score(3234.3, "hopper") == pytest.approx(100.0)


def test_a_score_that_overflows_is_refused():
    # probe 66 row 38: returned inf with only numpy's RuntimeWarning
    with pytest.raises(ValueError, match=r"^returns: 1e\+308: its score overflows a float64"):
        normalized_score(1e308, "hopper")
    with pytest.raises(ValueError, match=r"^returns\[1\]: 1e\+308: its score overflows"):
        normalized_score(np.array([1.0, 1e308]), "hopper")
