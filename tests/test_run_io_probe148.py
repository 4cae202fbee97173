"""Probe 148 row 1: a :class:`StagedFiles` commit whose k-th rename failed (another user's file
in a sticky folder, an immutable target) left the targets renamed before it replaced, while the
error (and curves.py: "none of the --out files was written") said nothing was written. Now the
commit is all or none: the earlier targets are put back, new ones removed; what cannot be put
back is named."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from stable_baselines3.common.logger import configure

from rambo_env import run_io
from rambo_env.run_io import TB_DIR, StagedFiles, WriteFailedError


def _failing_replace(monkeypatch, fails: set[str], asides_fail: bool = False) -> None:
    """``os.replace`` refusing (EPERM) the renames onto a target named in ``fails``, and with
    ``asides_fail`` every rename of a kept-aside file (the undo)."""
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name in fails or (asides_fail and ".old" in Path(src).name):
            raise PermissionError(errno.EPERM, "Operation not permitted", str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def _stage(folder: Path, texts: dict[str, str]) -> list[Path]:
    with StagedFiles("--out") as staged:
        for name, text in texts.items():
            staged.write(folder / name, lambda tmp, text=text: tmp.write_text(text))
        return staged.commit()


@pytest.mark.parametrize("link", [True, False], ids=["hard-link", "copy"])
def test_a_failed_rename_puts_the_earlier_targets_back_and_removes_new_ones(
    tmp_path, monkeypatch, link
):
    (tmp_path / "a.csv").write_text("old a")
    (tmp_path / "c.png").write_text("old c")
    if not link:  # another user's file under protected_hardlinks: its content is copied aside
        monkeypatch.setattr(os, "link", _refused_link)
    _failing_replace(monkeypatch, {"c.png"})
    with pytest.raises(WriteFailedError) as caught:
        _stage(tmp_path, {"a.csv": "new a", "n.json": "new n", "c.png": "new c"})
    assert (tmp_path / "a.csv").read_text() == "old a"  # was: "new a"
    assert not (tmp_path / "n.json").exists()  # was: left, new
    assert (tmp_path / "c.png").read_text() == "old c"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "c.png"]  # nothing aside
    assert caught.value.written == ()
    assert str(caught.value) == (
        f"{tmp_path / 'c.png'}: not written (Operation not permitted); check that {tmp_path} "
        "is a writable folder with free space, then rerun (any previous c.png is intact; no "
        "temp file is left)"
    )


def _refused_link(*args, **kwargs):
    raise PermissionError(errno.EPERM, "Operation not permitted")


def test_the_second_rename_failing_puts_the_first_back(tmp_path, monkeypatch):
    (tmp_path / "a.csv").write_text("old a")
    (tmp_path / "b.csv").write_text("old b")
    _failing_replace(monkeypatch, {"b.csv"})
    with pytest.raises(WriteFailedError, match=r"b\.csv: not written"):
        _stage(tmp_path, {"a.csv": "new a", "b.csv": "new b"})
    assert (tmp_path / "a.csv").read_text() == "old a"
    assert (tmp_path / "b.csv").read_text() == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


def test_an_undo_that_fails_names_the_files_written_and_where_the_old_one_is(tmp_path, monkeypatch):
    (tmp_path / "a.csv").write_text("old a")
    (tmp_path / "c.png").write_text("old c")
    _failing_replace(monkeypatch, {"c.png"}, asides_fail=True)
    with pytest.raises(WriteFailedError) as caught:
        _stage(tmp_path, {"a.csv": "new a", "n.json": "new n", "c.png": "new c"})
    assert caught.value.written == [tmp_path / "a.csv"]
    assert (tmp_path / "a.csv").read_text() == "new a"
    assert not (tmp_path / "n.json").exists()
    (aside,) = tmp_path.glob(".a.csv.old*.tmp")  # kept: the only copy of the old content
    assert aside.read_text() == "old a"
    assert str(caught.value).endswith(
        "(any previous c.png is intact); not all undone: "
        f"{tmp_path / 'a.csv'} holds the new content (not put back: Operation not "
        "permitted; its previous "
        f"content is in {aside})"
    )


def test_a_commit_that_succeeds_leaves_no_aside(tmp_path):
    (tmp_path / "a.csv").write_text("old a")
    assert _stage(tmp_path, {"a.csv": "new a", "b.csv": "new b"}) == [
        tmp_path / "a.csv",
        tmp_path / "b.csv",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]
    assert (tmp_path / "a.csv").read_text() == "new a"


def test_an_aside_left_by_a_crash_is_an_interrupted_write(tmp_path):
    """A crash mid-commit leaves ``.NAME.oldXXXXX.tmp``: a temp file to the run-folder checks
    and cleared as one, never a foreign entry; as long as a temp file's name."""
    (tmp_path / "results.json").write_text("{}")
    aside = run_io._keep_aside(tmp_path / "results.json")
    assert aside is not None and aside.read_text() == "{}"
    assert len(aside.name) == len(".results.json.xxxxxxxx.tmp")
    assert run_io.foreign_entries(tmp_path) == []
    run_io.clear_stray_writes(tmp_path, "results.json")
    assert not aside.exists() and (tmp_path / "results.json").read_text() == "{}"


def _run(run_dir: Path, score: float) -> Path:
    logger = configure(str(run_dir / TB_DIR), ["tensorboard"])
    logger.record("eval/normalized_score", score)
    logger.record("rambo/q_avg", score)
    logger.dump(step=1)
    logger.close()
    return run_dir


def _curves_failing_on_png(tmp_path, monkeypatch, capsys, asides_fail: bool) -> tuple[Path, str]:
    from tests.scripts import load_script

    curves = load_script("curves")
    out = tmp_path / "sticky"
    out.mkdir()
    curves.main([f"a={_run(tmp_path / 'r1', 1.0)}", "--out", str(out / "x")])
    capsys.readouterr()
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(before) == ["x-a.csv", "x.curves.json", "x.png"]
    (out / "x.curves.json").unlink()  # a file the failed call would have made new
    _failing_replace(monkeypatch, {"x.png"}, asides_fail=asides_fail)
    with pytest.raises(SystemExit) as exit_info:
        curves.main([f"a={_run(tmp_path / 'r5', 5.0)}", "--out", str(out / "x")])
    assert exit_info.value.code == 2
    assert (out / "x.png").read_bytes() == before["x.png"]
    assert not (out / "x.curves.json").exists()
    return out, capsys.readouterr().err


def test_curves_says_none_written_only_when_none_is(tmp_path, monkeypatch, capsys):
    """The probe's case: x.png another user's in a sticky folder, so its rename fails; x-a.csv
    and x.curves.json were replaced all the same, and the message said none was."""
    out, err = _curves_failing_on_png(tmp_path, monkeypatch, capsys, asides_fail=False)
    assert err == (
        f"error: --out: {out / 'x.png'}: not written (Operation not permitted); check that "
        f"{out} is a writable folder with free space, then rerun (any previous x.png is "
        "intact; no temp file is left); none of the --out files was written\n"
    )
    assert sorted(p.name for p in out.iterdir()) == ["x-a.csv", "x.png"]
    assert (out / "x-a.csv").read_text().splitlines()[1].startswith("1,1,")  # r1's (was: r5's)


def test_curves_names_the_files_its_failed_undo_left_written(tmp_path, monkeypatch, capsys):
    out, err = _curves_failing_on_png(tmp_path, monkeypatch, capsys, asides_fail=True)
    assert "none of the --out files was written" not in err
    assert err.endswith(f"; only {out / 'x-a.csv'} WERE written\n")
    assert f"not all undone: {out / 'x-a.csv'} holds the new content" in err


def test_a_new_file_that_cannot_be_removed_again_is_named_as_written(tmp_path, monkeypatch):
    (tmp_path / "c.png").write_text("old c")
    _failing_replace(monkeypatch, {"c.png"})
    real_unlink = Path.unlink

    def unlink(path, *args, **kwargs):
        if path.name == "n.json":
            raise PermissionError(errno.EPERM, "Operation not permitted", str(path))
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", unlink)
    with pytest.raises(WriteFailedError) as caught:
        _stage(tmp_path, {"n.json": "new n", "c.png": "new c"})
    assert caught.value.written == [tmp_path / "n.json"]
    assert str(caught.value).endswith(
        "(any previous c.png is intact; no temp file is left); not all undone: "
        f"{tmp_path / 'n.json'} holds the new content (new, not removed: Operation not "
        "permitted)"
    )
    assert (tmp_path / "c.png").read_text() == "old c"
