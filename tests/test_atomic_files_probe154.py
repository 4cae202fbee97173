"""Probe 154: the stray cleanup of curves.py and the ledger (probe 152) removed
every ``.NAME.*.tmp`` beside an output — a user's own ``.x.png.backup.tmp``, the live temp file
of another output (``x-a.csv.b.csv`` when ``x-a.csv`` was written: "not written (No such file
or directory)"), and a second curves.py run's live write on the same ``--out``; and the
backslash hint for curves.py's ``--out`` prefix sent the user round in a loop."""

from __future__ import annotations

from pathlib import Path

from rambo_env.atomic_files import clear_stray_writes
from rambo_env.run_io import windows_path_problem
from tests.scripts import load_script, logged_run


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_only_names_of_the_shape_this_project_makes_are_cleared(tmp_path):
    ours = [".x-a.csv.ab12cd_9.tmp", ".x-a.csv.oldab12c.tmp", ".x-a.csv.abcdefgh.tmp.csv"]
    users = [".x-a.csv.mine.tmp", ".x-a.csv.backup.tmp", ".x-a.csv.Ab12cd_9.tmp", ".x-a.csv.tmp"]
    other = [".x-a.csv.b.csv.abcdefgh.tmp.csv"]  # the temp file of x-a.csv.b.csv
    for name in ours + users + other:
        (tmp_path / name).write_text("x")
    clear_stray_writes(tmp_path, "x-a.csv")
    assert _names(tmp_path) == sorted(users + other)  # was: all removed but ".x-a.csv.tmp"


def test_a_label_whose_csv_name_extends_another_is_written(tmp_path):
    r1, r2 = logged_run(tmp_path / "r1"), logged_run(tmp_path / "r2", scores=(3.0, 4.0, 5.0))
    out = tmp_path / "o1" / "x"
    curves = load_script("curves")
    assert curves.main(["--out", str(out), f"a.csv.b={r1}", f"a={r2}"]) in (0, None)
    assert (tmp_path / "o1" / "x-a.csv.b.csv").read_text().count("\n") == 3
    assert (tmp_path / "o1" / "x-a.csv").read_text().count("\n") == 4


def test_a_backslash_in_the_out_prefix_is_not_told_to_be_made_a_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    said = windows_path_problem("p\\q", ["p\\q.png", "p\\q-a.csv"])
    assert said is not None and "mkdir" not in said and "give 'p/q'" in said
    folder = windows_path_problem("it's\\new/x")
    assert "mkdir -p 'it'\"'\"'s\\new'" in folder  # shell-quoted: was 'it's\new', unpasteable
