"""Probe 157 row 5d: curves.py ``--hline q_avg:lim:abc`` was "expected COLUMN:LABEL:VALUE", not
that VALUE must be a number."""

from __future__ import annotations

import pytest

from tests.scripts import load_script, logged_run


@pytest.mark.parametrize(
    ("spec", "said"),
    [
        ("q_avg:lim:abc", "--hline: VALUE must be a number, got 'abc' in 'q_avg:lim:abc'; give "
         "COLUMN:LABEL:VALUE (e.g. q_avg:behaviour:587.3)"),
        ("q_avg:a:b:", "--hline: VALUE must be a number, got '' in 'q_avg:a:b:'"),
        ("q_avg=100", "--hline: expected COLUMN:LABEL:VALUE, got 'q_avg=100'"),  # no form: as was
    ],
)  # fmt: skip
def test_a_value_that_is_no_number_is_said(tmp_path, capsys, spec, said):
    run = logged_run(tmp_path / "run")
    out = tmp_path / "o" / "cmp"
    with pytest.raises(SystemExit) as stop:
        load_script("curves").main([f"a={run}", "--out", str(out), "--hline", spec])
    assert stop.value.code == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
