"""RAMBO-OFF heuristic (App. B.5) on known numbers."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from rambo_env.heuristics import (
    RamboOffTerms,
    rambo_off_from_run,
    rambo_off_terms,
    select_rambo_off,
)


def test_terms_use_last_value_and_variance_of_last_100():
    # 150 iterations: first 50 wild, last 100 alternate 9 / 11 -> mean 10, population variance 1.
    history = [1e6] * 50 + [9.0, 11.0] * 50
    terms = rambo_off_terms(history)
    assert terms.q_avg == 11.0  # average Q at the end of training
    assert terms.q_var == pytest.approx(1.0)  # the wild first 50 iterations are outside the window
    assert terms.window == 100
    assert terms.value == pytest.approx(12.0)


def test_short_history_uses_all_iterations():
    terms = rambo_off_terms([1.0, 2.0, 3.0])
    assert terms.window == 3
    assert terms.q_var == pytest.approx(np.var([1.0, 2.0, 3.0]))
    assert terms.value == pytest.approx(3.0 + 2.0 / 3.0)


def test_custom_window():
    terms = rambo_off_terms([100.0, 0.0, 2.0], window=2)
    assert terms.q_var == pytest.approx(1.0)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_q_is_diverged(bad):
    terms = rambo_off_terms([1.0, 2.0, bad, 3.0])
    assert terms.value == math.inf


def test_errors_name_the_field():
    with pytest.raises(ValueError, match="q_history"):
        rambo_off_terms([])
    with pytest.raises(ValueError, match="window"):
        rambo_off_terms([1.0], window=0)
    with pytest.raises(ValueError, match="runs"):
        select_rambo_off({})
    with pytest.raises(ValueError, match=r"runs\['a'\]\[1\]"):
        select_rambo_off({"a": [1.0, math.nan]})


def test_select_lowest_mean_over_seeds():
    runs = {
        (2, 3e-4): [RamboOffTerms(q_avg=50.0, q_var=10.0, window=100), 70.0],  # mean 65
        (5, 3e-4): [40.0, 80.0],  # mean 60 -> chosen
        (5, 0.0): [RamboOffTerms(q_avg=20.0, q_var=math.inf, window=100), 1.0],  # one seed diverged
    }
    assert select_rambo_off(runs) == (5, 3e-4)


def test_select_single_values_and_negative_q():
    assert select_rambo_off({"a": 3.0, "b": -5.0, "c": 0.0}) == "b"


def test_all_diverged_returns_first():
    assert select_rambo_off({"x": math.inf, "y": math.inf}) == "x"


def test_from_run_reads_results_json(tmp_path):
    (tmp_path / "results.json").write_text(json.dumps({"q_history": [3.0, 5.0]}))
    terms = rambo_off_from_run(tmp_path)
    assert (terms.q_avg, terms.q_var) == (5.0, 1.0)
    (tmp_path / "results.json").write_text(json.dumps({"q_history": [3.0, None]}))
    assert rambo_off_from_run(tmp_path).value == math.inf  # null = non-finite Q (diverged)
    (tmp_path / "results.json").write_text(json.dumps({"q_history": [3.0], "status": "diverged"}))
    assert rambo_off_from_run(tmp_path).value == math.inf
    with pytest.raises(FileNotFoundError, match=r"results\.json"):
        rambo_off_from_run(tmp_path / "missing")


def test_from_run_names_a_damaged_results_json(tmp_path):
    """Probe 15: a cut ``results.json`` was a raw ``JSONDecodeError`` naming no file."""
    for content in (b'{"q_history": [3.0', b"\xff\xfe"):
        (tmp_path / "results.json").write_bytes(content)
        with pytest.raises(
            ValueError, match=r"results\.json: damaged results\.json \(not readable"
        ):
            rambo_off_from_run(tmp_path)
