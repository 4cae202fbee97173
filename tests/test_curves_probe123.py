"""Probe 123 row 5: scripts/curves.py --help had one sentence, no example, nothing on seeds."""

from __future__ import annotations

import pytest

from tests.scripts import load_script

curves = load_script("curves")


def test_help_has_examples_and_says_seeds_are_not_averaged(capsys):
    with pytest.raises(SystemExit):
        curves.main(["--help"])
    out = capsys.readouterr().out
    assert "python scripts/curves.py --out plots/cmp mbpo=runs/A rambo=runs/B" in out
    assert "not averaged over seeds" in out
    assert "mbpo_s0=" in out and "mbpo_s1=" in out
    assert "scripts/sweep.py --report-only" in out
    assert "LABEL=RUN_DIR" in out.split("options:")[0]


def test_repeated_label_says_one_line_per_run(capsys, tmp_path):
    with pytest.raises(SystemExit):
        curves.main(["--out", str(tmp_path / "cmp"), "mbpo=a", "mbpo=b"])
    err = capsys.readouterr().err
    assert "labels must be unique" in err
    assert "not averaged over seeds" in err and "mbpo_s0=" in err
