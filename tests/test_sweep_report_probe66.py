"""Probe 66 (rows 93, 94): load_runs refuses a results.json field of the wrong type, naming it."""

from __future__ import annotations

import json

import pytest

from rambo_env.sweep_report import PAPER_CONFIGS, load_runs, summarise, to_markdown
from tests.test_sweep_report import results


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        # probe 66 row 93: int() made seed 1.9 / true seed 1 and rollout_length 5.7 k = 5
        ("seed", 1.9, "field 'seed': expected an int >= 0, got 1.9"),
        ("seed", True, "field 'seed': expected an int >= 0, got True"),
        ("rollout_length", 5.7, "field 'rollout_length': expected an int >= 1, got 5.7"),
        # probe 66 row 94: a string score was numpy's raw dtype error in summarise
        ("final_score", "80", "field 'final_score': expected a number or null, got '80'"),
    ],
)
def test_a_field_of_the_wrong_type_is_named(tmp_path, field, value, said):
    run = results(PAPER_CONFIGS[0], 0, 50.0, [1.0, 2.0])
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "results.json").write_text(json.dumps({**run, field: value}))
    with pytest.raises(ValueError) as refused:
        load_runs(tmp_path)
    assert f"a/results.json: damaged results.json (ValueError: {said}); restore it" in str(
        refused.value
    )
    (tmp_path / "a" / "results.json").write_text(json.dumps(run))
    records, _ = load_runs(tmp_path)
    assert (records[0].seed, records[0].final_score) == (0, 50.0)
    assert "50" in to_markdown(summarise(records))
