"""Probe 152: ``scripts/curves.py``'s probe-150 case check folded every label, so ``X=a.csv
x=b.csv`` (CSV inputs, never written out) was refused as a clash of two CSVs that are never
made; and the input guard compared paths with their letter case, so on a case-insensitive file
system ``--out io/x B=runs/r1 z=io/x-b.csv`` would write ``io/x-B.csv`` over the input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.scripts import load_script, logged_run


def _csv(tmp_path: Path, name: str) -> Path:
    """A curve CSV written by curves.py, at ``tmp_path/name``."""
    run = logged_run(tmp_path / f"run-{Path(name).stem}")
    out = tmp_path / "made" / Path(name).stem
    out.parent.mkdir(exist_ok=True)
    assert load_script("curves").main(["--out", str(out), f"a={run}"]) in (0, None)
    target = tmp_path / name
    shutil.copy(f"{out}-a.csv", target)
    return target


def test_case_equal_labels_of_csv_inputs_pass(tmp_path, capsys):
    one, two = _csv(tmp_path, "one.csv"), _csv(tmp_path, "two.csv")
    run = logged_run(tmp_path / "r2")
    curves = load_script("curves")
    out = tmp_path / "p" / "c"
    # was: "labels 'X' and 'x' differ only in letter case", exit 2 (no CSV is written for them)
    assert curves.main(["--out", str(out), f"X={one}", f"x={two}"]) in (0, None)
    assert Path(f"{out}.png").is_file() and not list(out.parent.glob("*.csv"))
    out = tmp_path / "q" / "c"
    assert curves.main(["--out", str(out), f"X={one}", f"x={run}"]) in (0, None)
    assert [p.name for p in out.parent.glob("*.csv")] == ["c-x.csv"]
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:  # two runs: both CSVs written, still refused
        curves.main(["--out", str(tmp_path / "r" / "c"), f"X={run}", f"x={tmp_path / 'run-one'}"])
    assert stop.value.code == 2
    assert "differ only in letter case" in capsys.readouterr().err


def test_an_input_equal_but_for_case_to_an_output_is_refused(tmp_path, capsys):
    folder = tmp_path / "io"
    folder.mkdir()
    shutil.copy(_csv(tmp_path, "in.csv"), folder / "x-b.csv")
    before = (folder / "x-b.csv").read_bytes()
    run = logged_run(tmp_path / "r1")
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:  # was: written (on macOS over the input)
        load_script("curves").main(
            ["--out", str(folder / "x"), f"B={run}", f"z={folder / 'x-b.csv'}"]
        )
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"--out: {folder}/x-B.csv would be written, but it is the input of z=" in err, err
    assert "letter case" in err
    assert sorted(p.name for p in folder.iterdir()) == ["x-b.csv"]
    assert (folder / "x-b.csv").read_bytes() == before
