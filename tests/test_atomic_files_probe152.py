"""Probe 152: ``StagedFiles.commit`` left its hidden files in two ways. A Ctrl-C while the
targets were kept aside (``.NAME.oldXXXXX.tmp``, made before the protected region) left the
asides made so far beside the intact outputs for good; and a kill -9 mid-commit left temp files
and asides that no later ``curves.py`` / ledger run removed. The asides are now made inside the
region the undo covers, and curves.py and the ledger clear the leftovers of the files they are
about to write (those names only) before staging them."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from rambo_env import atomic_files
from rambo_env.atomic_files import StagedFiles
from tests.agents.test_cotrain import _fake_run, ledger_module  # noqa: F401 (the fixture)
from tests.scripts import load_script, logged_run


def _targets(tmp_path: Path) -> list[Path]:
    paths = [tmp_path / name for name in ("k-A.csv", "k-B.csv", "k.png")]
    for path in paths:
        path.write_text(f"old {path.name}")
    return paths


def _commit_interrupted(paths: list[Path]) -> None:
    with pytest.raises(KeyboardInterrupt), StagedFiles("--out") as staged:
        for path in paths:
            staged.write(path, lambda tmp, path=path: Path(tmp).write_text(f"new {path.name}"))
        staged.commit()


def _unchanged(tmp_path: Path, paths: list[Path]) -> None:
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    assert all(p.read_text() == f"old {p.name}" for p in paths)


def test_ctrl_c_while_the_asides_are_linked_leaves_none(tmp_path, monkeypatch):
    paths = _targets(tmp_path)
    link, made = atomic_files.os.link, []

    def link_then_interrupt(source, target, **kw):
        if len(made) == 2:  # the third aside: Ctrl-C
            raise KeyboardInterrupt
        link(source, target, **kw)
        made.append(target)

    monkeypatch.setattr(atomic_files.os, "link", link_then_interrupt)
    _commit_interrupted(paths)
    _unchanged(tmp_path, paths)  # was: .k-A.csv.oldXXXXX.tmp and .k-B.csv.oldXXXXX.tmp left


def test_ctrl_c_while_an_aside_is_copied_leaves_none(tmp_path, monkeypatch):
    paths = _targets(tmp_path)
    copies = []

    def no_link(*args, **kw):  # another user's files under protected_hardlinks: copied
        raise PermissionError(1, "Operation not permitted")

    def copy_then_interrupt(source, copy, *args):
        copies.append(copy)
        copy.write(b"part")
        if len(copies) == 2:
            raise KeyboardInterrupt  # the second copy, half-made
        copy.write(source.read())

    monkeypatch.setattr(atomic_files.os, "link", no_link)
    monkeypatch.setattr(atomic_files.shutil, "copyfileobj", copy_then_interrupt)
    _commit_interrupted(paths)
    _unchanged(tmp_path, paths)


def test_curves_clears_the_leftovers_of_its_own_files(tmp_path):
    r1, r2 = logged_run(tmp_path / "r1"), logged_run(tmp_path / "r2", scores=(3.0, 4.0, 5.0))
    folder = tmp_path / "plots"
    folder.mkdir()
    out = folder / "x"
    curves = load_script("curves")
    assert curves.main(["--out", str(out), f"a={r1}", f"b={r2}"]) in (0, None)
    shutil.copy(f"{out}-a.csv", folder / ".x-a.csv.oldabcde.tmp")  # left by a kill -9
    shutil.copy(f"{out}.png", folder / ".x.png.abcdefgh.tmp.png")
    (folder / ".x.curves.json.abcdefgh.tmp").write_text("{")
    others = [folder / ".y.png.abcdefgh.tmp.png", folder / ".notes.tmp", folder / "mine.tmp"]
    for path in others:  # not the leftovers of a file this call writes: kept
        path.write_text("mine")
    for path in folder.glob(".*.tmp*"):  # probe 154: a younger one may be a live write
        os.utime(path, (time.time() - 120, time.time() - 120))
    assert curves.main(["--out", str(out), f"a={r2}", f"b={r1}"]) in (0, None)
    hidden = sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
    assert hidden == [".notes.tmp", ".y.png.abcdefgh.tmp.png"]  # was: the 3 leftovers too
    assert (folder / "mine.tmp").read_text() == "mine"
    assert (folder / "x-a.csv").read_text().count("\n") == 4  # r2's 3 iterations, and row 0
    assert sorted(p.name for p in folder.glob("x*")) == [
        "x-a.csv",
        "x-b.csv",
        "x.curves.json",
        "x.png",
    ]


def test_the_ledger_clears_the_leftovers_of_its_own_files(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811
):
    run = tmp_path / "run"
    _fake_run(run, 3, monkeypatch)
    ledger = tmp_path / "ledger"
    entry = ledger_module.update_ledger(run, ledger)
    left = [
        ledger / f".{entry.slug}.csv.abcdefgh.tmp",
        ledger / f".{entry.slug}.csv.oldabcde.tmp",
        ledger / ".index.json.abcdefgh.tmp",
    ]
    for path in left:
        path.write_text("left by a kill -9")
    (ledger / ".other.csv.abcdefgh.tmp").write_text("not ours")
    ledger_module.update_ledger(run, ledger, replace=True)
    hidden = sorted(p.name for p in ledger.iterdir() if p.name.startswith("."))
    assert [name for name in hidden if name.endswith(".tmp")] == [".other.csv.abcdefgh.tmp"]


def test_two_outputs_that_are_one_file_are_refused(tmp_path, capsys):
    """Row 7: ``dl/k-B.csv`` a link to ``k-A.csv``: B's curves were written through it last,
    while the line said ``dl/k-A.csv: 3 iterations``."""
    r1, r2 = logged_run(tmp_path / "r1", scores=(1.0, 2.0, 3.0)), logged_run(tmp_path / "r2")
    folder = tmp_path / "dl"
    folder.mkdir()
    curves = load_script("curves")
    assert curves.main(["--out", str(folder / "k"), f"A={r2}"]) in (0, None)
    (folder / "k-B.csv").symlink_to("k-A.csv")
    before = {p.name: p.read_bytes() for p in folder.iterdir() if not p.is_symlink()}
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        curves.main(["--out", str(folder / "k"), f"A={r1}", f"B={r2}"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"it and {folder}/k-A.csv are one file ({folder}/k-B.csv is a link to" in err, err
    assert "none of the --out files was written" in err
    after = {p.name: p.read_bytes() for p in folder.iterdir() if not p.is_symlink()}
    assert after == before
