"""RAMBO-OFF heuristic (App. B.5) on known numbers."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from rambo_env.heuristics import (
    RamboOffTerms,
    rambo_off_from_results,
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


def test_from_run_of_a_run_diverged_at_iteration_1_is_inf(tmp_path):
    """Probe 60: a run that diverged at iteration 1 (empty q_history) raised the empty-history
    error ("resume or rerun it"; its resume is refused) instead of +inf (Table 6 "-")."""
    diverged = {"q_history": [], "status": "diverged", "diverged_at": {"iteration": 1}}
    (tmp_path / "results.json").write_text(json.dumps(diverged))
    terms = rambo_off_from_run(tmp_path)
    assert (terms.q_avg, terms.q_var, terms.value) == (math.inf, math.inf, math.inf)
    assert rambo_off_from_results(diverged).value == math.inf
    with pytest.raises(ValueError, match=r"field 'q_history': empty; .* resume or rerun"):
        rambo_off_from_results({"q_history": [], "status": "stopped"})


def test_from_run_names_a_damaged_results_json(tmp_path):
    """Probe 15: a cut ``results.json`` was a raw ``JSONDecodeError`` naming no file."""
    for content in (b'{"q_history": [3.0', b"\xff\xfe"):
        (tmp_path / "results.json").write_bytes(content)
        with pytest.raises(
            ValueError, match=r"results\.json: damaged results\.json \(not readable"
        ):
            rambo_off_from_run(tmp_path)


@pytest.mark.parametrize(
    ("history", "window", "expected"),
    [
        ([1.0, 2.0, 3.0], 2.5, r"window: expected an int >= 1 .*, got a float 2\.5"),
        ([1.0, 2.0, 3.0], True, r"window: expected an int >= 1 .*, got a bool True"),
        ([[1.0, 2.0], [3.0, 4.0]], 100, r"q_history: .*got item 0 = a list \[1\.0, 2\.0\] \(a 2-d"),
        (np.ones((2, 3)), 100, r"q_history: .*got a 2-d array of shape \(2, 3\)"),
        (5.0, 100, r"q_history: .*got a float 5\.0 \(for one iteration give \[5\.0\]\)"),
        (["a"], 100, r"q_history: expected a 1-d list of average Q-values.*item 0 = a str 'a'"),
        (None, 100, r"q_history: .*got None"),
    ],
)
def test_a_wrong_history_or_window_is_named(history, window, expected):
    """Probe 58: window 2.5 was a raw slice error, True taken as 1; a 2-d per-seed history was
    flattened, a scalar taken as one iteration, a string a raw numpy conversion error."""
    with pytest.raises(ValueError, match=expected):
        rambo_off_terms(history, window=window)


def test_histories_as_lists_tuples_and_numpy_arrays_still_work():
    for history in ([1.0, 2.0, 3.0], (1, 2, 3), np.array([1, 2, 3], np.float32)):
        assert rambo_off_terms(history, window=np.int64(2)).value == pytest.approx(3.25)
    assert rambo_off_terms([None, 1.0]).value == math.inf  # None = non-finite
    assert (
        select_rambo_off({"a": np.float32(3), "b": np.int64(1), "c": np.array([0.0, 1.0])}) == "c"
    )


@pytest.mark.parametrize(
    ("runs", "expected"),
    [
        ({"a": "x"}, r"runs\['a'\]: expected a heuristic value .*, got a str 'x'"),
        ({"a": None}, r"runs\['a'\]: expected a heuristic value .*, got None"),
        ({"a": [1.0, "x"]}, r"runs\['a'\]\[1\]: expected a heuristic value .*, got a str 'x'"),
    ],
)
def test_select_names_a_wrong_run_value(runs, expected):
    """Probe 58: a string was numpy's raw "could not convert string to float", naming no key."""
    with pytest.raises(ValueError, match=expected):
        select_rambo_off(runs)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"q_history": None}, r"field 'q_history': expected a 1-d list .*, got None; restore"),
        ({"q_history": "abc"}, r"field 'q_history': .*, got a str 'abc'; restore that results"),
        ({"status": "done"}, r"field 'q_history' \(the per-iteration average Q\) missing; restore"),
    ],
)
def test_from_run_names_a_wrong_q_history_and_what_to_do(tmp_path, content, expected):
    """Probe 58: a hand-edited results.json with q_history null was a raw "'NoneType' object is
    not iterable"; a string a raw numpy error."""
    (tmp_path / "results.json").write_text(json.dumps(content))
    with pytest.raises(ValueError, match=r"results\.json: " + expected + ".*or rerun the run"):
        rambo_off_from_run(tmp_path)


@pytest.mark.parametrize("status", ["bogus", "diverge", "Diverged", None, 1])
def test_an_unknown_status_is_named(status):
    """Probe 63 row 43: any status but 'diverged' (a typo 'diverge') scored as a finished run,
    making a diverged configuration selectable by RAMBO-OFF."""
    with pytest.raises(
        ValueError,
        match=r"^results: field 'status': .* is not one of finished, stopped, diverged, "
        r"interrupted",
    ):
        rambo_off_from_results({"q_history": [1.0, 2.0], "status": status})
    for ok in ("finished", "stopped", "interrupted"):
        assert rambo_off_from_results({"q_history": [1.0, 2.0], "status": ok}).q_avg == 2.0
    assert rambo_off_from_results({"q_history": [1.0, 2.0]}).q_avg == 2.0  # no status: as before
