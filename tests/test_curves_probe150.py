"""Probe 150: ``scripts/curves.py --out plots/cmp A=runs/r1 a=runs/r2`` was accepted (labels
unique as written) and wrote ``cmp-A.csv`` and ``cmp-a.csv``: on a case-insensitive file system
(macOS's default APFS, Windows) the second truncated the first, one file holding run a's curves
while the manifest listed two. Labels equal but for letter case are refused, before anything is
written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripts import load_script, logged_run


def test_labels_differing_only_in_case_are_refused_before_writing(tmp_path, capsys):
    r1, r2, r3 = (
        logged_run(tmp_path / "r1"),
        logged_run(tmp_path / "r2"),
        logged_run(tmp_path / "r3"),
    )
    out = tmp_path / "plots" / "cmp"
    out.parent.mkdir()
    curves = load_script("curves")
    with pytest.raises(SystemExit) as stop:
        curves.main(["--out", str(out), f"A={r1}", f"b={r2}", f"a={r3}"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "labels 'A' and 'a' differ only in letter case" in err, err
    assert f"{out}-A.csv, {out}-a.csv" in err and "case-insensitive file system" in err
    assert err.count("error:") == 1
    assert list(out.parent.iterdir()) == []  # was: cmp-A.csv, cmp-a.csv, cmp-b.csv, the PNG…


def test_labels_differing_otherwise_still_pass(tmp_path):
    r1, r2 = logged_run(tmp_path / "r1"), logged_run(tmp_path / "r2")
    out = tmp_path / "cmp"
    assert load_script("curves").main(["--out", str(out), f"A={r1}", f"a2={r2}"]) in (0, None)
    assert Path(f"{out}-A.csv").is_file() and Path(f"{out}-a2.csv").is_file()
