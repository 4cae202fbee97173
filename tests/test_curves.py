"""Run curves from TensorBoard logs: CSV rows per iteration, a resumed run's re-logged step, PNG."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from stable_baselines3.common.logger import configure

from rambo_env.curves import CURVE_COLUMNS, plot_curves, read_curves, write_curves_csv
from rambo_env.run_io import TB_DIR

ROOT = Path(__file__).resolve().parents[1]


def _log(run_dir: Path, rows: dict[int, dict[str, float]]) -> None:
    """Write rows as run_cotrain does: SB3's TensorBoard logger, one dump per iteration."""
    logger = configure(str(run_dir / TB_DIR), ["tensorboard"])
    for step, values in rows.items():
        for tag, value in values.items():
            logger.record(tag, value)
        logger.dump(step=step)
    logger.close()


def test_rows_per_iteration_with_missing_values(tmp_path):
    run = tmp_path / "run"
    _log(
        run,
        {
            0: {"eval/normalized_score": 80.0},
            1: {"rambo/q_avg": 24.0, "train/ent_coef": 0.9, "policy/log_std_mean": -0.1},
            2: {"rambo/q_avg": 45.0, "eval/normalized_score": 2.5, "train/ent_coef": 0.8},
        },
    )
    rows = read_curves(run)
    assert [r["iteration"] for r in rows] == [0, 1, 2]
    assert rows[0]["normalized_score"] == 80.0 and rows[0]["q_avg"] is None
    assert rows[1]["q_avg"] == 24.0 and rows[1]["normalized_score"] is None
    assert rows[1]["actor_log_std"] == pytest.approx(-0.1)
    assert rows[2]["ent_coef"] == pytest.approx(0.8)

    path = write_curves_csv(tmp_path / "out" / "run.csv", rows)
    with path.open() as f:
        table = list(csv.DictReader(f))
    assert list(table[0]) == ["iteration", *CURVE_COLUMNS]
    assert table[1]["q_avg"] == "24" and table[1]["normalized_score"] == ""
    assert table[2]["normalized_score"] == "2.5"


def test_a_resumed_run_keeps_the_last_value_of_a_relogged_step(tmp_path):
    run = tmp_path / "run"
    _log(run, {1: {"rambo/q_avg": 10.0}, 2: {"rambo/q_avg": 20.0}})
    _log(run, {2: {"rambo/q_avg": 21.0}, 3: {"rambo/q_avg": 30.0}})  # second event file
    assert [(r["iteration"], r["q_avg"]) for r in read_curves(run)] == [
        (1, 10.0),
        (2, 21.0),
        (3, 30.0),
    ]


def test_not_a_run_folder_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="run_dir"):
        read_curves(tmp_path)


def test_a_run_whose_tb_folder_was_deleted_is_not_called_a_non_run(tmp_path):
    """Probe 11: a run whose tb/ was deleted (it finished, rc 0): ledger.py / curves.py said
    "has no tb/ folder (not a run folder?)" for a folder with its config.json and results."""
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(FileNotFoundError, match=r"tb is missing: the TensorBoard logs .* deleted"):
        read_curves(tmp_path)


def test_a_mistyped_run_path_is_said_not_to_exist(tmp_path):
    """Probe 10: was "has no tb/ folder (not a run folder?)" (ledger.py: "has no config.json")
    for a path that does not exist or is a file."""
    from rambo_env.ledger import update_ledger

    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for path, what in ((tmp_path / "missing", "does not exist"), (a_file, "is a file")):
        with pytest.raises(FileNotFoundError, match=rf"run_dir: .*{path.name} {what}"):
            read_curves(path)
        with pytest.raises(FileNotFoundError, match=rf"run_dir: .*{path.name} {what}"):
            update_ledger(path, tmp_path / "ledger")


def test_plot_and_cli_write_files(tmp_path):
    for name, q in (("a", 10.0), ("b", 20.0)):
        _log(tmp_path / name, {1: {"rambo/q_avg": q}, 2: {"rambo/q_avg": 2 * q}})
    png = plot_curves(
        tmp_path / "p.png", {"a": read_curves(tmp_path / "a")}, hlines={"q_avg": {"x": 5}}
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="columns"):
        plot_curves(tmp_path / "q.png", {}, columns=["nope"])
    out = tmp_path / "res" / "cmp"
    cmd = [sys.executable, str(ROOT / "scripts" / "curves.py"), "--out", str(out)]
    done = subprocess.run(
        [*cmd, f"a={tmp_path / 'a'}", f"b={tmp_path / 'b'}"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "res" / "cmp.png").is_file()
    with (tmp_path / "res" / "cmp-b.csv").open() as f:
        assert [row["q_avg"] for row in csv.DictReader(f)] == ["20", "40"]
    bad = subprocess.run([*cmd, f"a={tmp_path / 'missing'}"], capture_output=True, text=True)
    assert bad.returncode == 2 and "error: run_dir" in bad.stderr


def test_cli_refuses_a_bad_out_and_bad_hlines_before_writing(tmp_path, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("curves_cli", ROOT / "scripts" / "curves.py")
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    _log(tmp_path / "a", {1: {"rambo/q_avg": 1.0}})
    a_file = tmp_path / "file"
    a_file.write_text("x")
    run = f"a={tmp_path / 'a'}"
    out = str(tmp_path / "out" / "cmp")
    for flags, expected in (
        (["--out", str(a_file / "sub" / "cmp")], "--out: "),  # was a raw FileExistsError
        (["--out", out, "--hline", "ent_coef:x:1", "--columns", "q_avg"], "is not plotted"),
        (["--out", out, "--hline", "q_avg:x:nan"], "expected a finite VALUE"),
        (["--out", out, "--columns", "q_avg", "q_avg"], "given twice"),  # probe 10: drawn twice
        # probe 10: a raw ParseSyntaxException traceback after the CSVs were written
        (["--out", out, "--title", r"bad $\frac{$"], "is not valid matplotlib mathtext"),
        (["--out", out, "--hline", r"q_avg:$\frac{$:5"], "is not valid matplotlib mathtext"),
        (["--out", out, "--hline", "q_avg:x:inf"], "expected a finite VALUE"),
        # probe 13: the second line replaced the first, silently
        (["--out", out, "--hline", "q_avg:x:1", "--hline", "q_avg:x:2"], "q_avg:x given twice"),
        # probe 15: an unannotated line (an empty or blank LABEL)
        (["--out", out, "--hline", "q_avg::5"], "no LABEL in 'q_avg::5'"),
        (["--out", out, "--hline", "q_avg: :5"], "no LABEL in 'q_avg: :5'"),
        # was: hidden files '<folder>/.png', '<folder>/-a.csv' (or '.png' in the cwd)
        (["--out", str(tmp_path) + "/"], "names a folder, not an output prefix"),
        # probe 14: was 'cmp.png.png' and 'cmp.png-a.csv'
        (["--out", out + ".png"], "ends in .png, but --out is an output prefix"),
        (["--out", out + ".CSV"], "ends in .CSV, but --out is an output prefix"),
        (["--out", str(tmp_path / "out") + "/"], "names a folder, not an output prefix"),
        (["--out", str(tmp_path / "a")], "names a folder, not an output prefix"),
        (["--out", ""], "names a folder, not an output prefix"),
        # probe 11: a raw "[Errno 36] File name too long" traceback (the CSV's name is longer)
        (["--out", str(tmp_path / ("x" * 250))], "--out: '"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            cli.main([run, *flags])
        err = capsys.readouterr().err
        assert exit_info.value.code == 2 and expected in err and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()  # nothing written
    with pytest.raises(ValueError, match="hlines: column 'ent_coef' is not plotted"):
        plot_curves(tmp_path / "p.png", {}, columns=["q_avg"], hlines={"ent_coef": {"x": 1.0}})
    with pytest.raises(ValueError, match="hlines: expected finite"):
        plot_curves(tmp_path / "p.png", {}, columns=["q_avg"], hlines={"q_avg": {"x": math.nan}})
    assert not (tmp_path / "p.png").exists()


def test_a_run_with_nothing_logged_is_refused_not_plotted_empty(tmp_path, capsys):
    """Probe 12: a run whose tb/ holds no events (emptied, not yet logged) was written as
    "0 iterations" and plotted empty beside the other runs, without a word."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("curves_cli", ROOT / "scripts" / "curves.py")
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    _log(tmp_path / "a", {1: {"rambo/q_avg": 1.0}})
    (tmp_path / "b" / TB_DIR).mkdir(parents=True)
    out = tmp_path / "out" / "cmp"
    with pytest.raises(SystemExit) as exit_info:
        cli.main([f"a={tmp_path / 'a'}", f"b={tmp_path / 'b'}", "--out", str(out)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "b has logged no iteration yet" in err, err
    assert not (tmp_path / "out").exists()  # nothing written
    # probe 26: a finished run whose logs were damaged was told to wait for its first iteration
    (tmp_path / "b" / "results.json").write_text('{"iterations_completed": 40}')
    with pytest.raises(SystemExit) as exit_info:
        cli.main([f"a={tmp_path / 'a'}", f"b={tmp_path / 'b'}", "--out", str(out)])
    err = capsys.readouterr().err
    assert "b has 40 iteration(s) on record (results.json), but its TensorBoard logs" in err, err
    assert "restore tb/ from a copy" in err and "first iteration" not in err


def test_csv_round_trip_and_foreign_csv(tmp_path):
    from rambo_env.curves import read_curves_csv

    rows = [{"iteration": 1, "q_avg": 20.5, "ent_coef": None}, {"iteration": 2, "q_avg": 41.0}]
    path = write_curves_csv(tmp_path / "a.csv", rows)
    back = read_curves_csv(path)
    assert [(r["iteration"], r["q_avg"], r["ent_coef"]) for r in back] == [
        (1, 20.5, None),
        (2, 41.0, None),
    ]
    foreign = tmp_path / "kit.csv"
    foreign.write_text("iteration,q_avg,normalized_score,wall_s\n1,20.2,1.03,324\n")
    (row,) = read_curves_csv(foreign)
    assert row["q_avg"] == pytest.approx(20.2) and row["normalized_score"] == pytest.approx(1.03)
    bad = tmp_path / "bad.csv"
    bad.write_text("step,q\n1,2\n")
    with pytest.raises(ValueError, match="iteration"):
        read_curves_csv(bad)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("iteration,qavg,score\n1,2,3\n", r"has none of the curve columns .*'qavg', 'score'"),
        ("iteration,q_avg\n", r"has no rows"),
        ("iteration,q_avg\n1,2.5\n2,abc\n", r"line 3: not a number \(could not convert"),
        ("iteration,q_avg\n1.5,2\n", r"line 2: not a number"),
    ],
)
def test_a_curves_csv_with_nothing_to_plot_or_a_bad_cell_is_refused(tmp_path, text, message):
    """Probe 9: a CSV whose columns all have typos, or no rows, gave an empty plot silently; a
    non-number cell gave "could not convert string to float" without the file or line."""
    from rambo_env.curves import read_curves_csv

    path = tmp_path / "kit.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        read_curves_csv(path)


def test_cli_expands_tilde_in_out_and_run_paths(tmp_path, monkeypatch, capsys):
    """--out=~/x and LABEL=~/run are the home folder's (was: a folder named ~ in the cwd)."""
    from tests.scripts import load_script

    cli = load_script("curves")
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    cwd.mkdir()
    _log(home / "run", {1: {"rambo/q_avg": 1.0}})
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(cwd)
    assert cli.main(["a=~/run", "--out=~/res/cmp"]) == 0
    assert (home / "res" / "cmp.png").is_file() and (home / "res" / "cmp-a.csv").is_file()
    assert not (cwd / "~").exists()


def test_a_damaged_event_file_is_named_not_silently_cut(tmp_path, capsys):
    """Probe 11: a cut copy of a run's tb/ event file gave a curve without its last iterations,
    and random bytes "0 iterations" (the ledger: "has logged no iteration yet"), without a word."""
    _log(tmp_path / "run", {i: {"rambo/q_avg": float(i)} for i in range(1, 6)})
    (events,) = (tmp_path / "run" / "tb").rglob("events.out.tfevents.*")
    assert len(read_curves(tmp_path / "run")) == 5 and "WARNING" not in capsys.readouterr().out
    events.write_bytes(events.read_bytes()[:-30])  # the last record cut
    rows = read_curves(tmp_path / "run")
    out = capsys.readouterr().out
    assert f"WARNING: {events} is damaged (the record at byte" in out, out
    assert len(rows) == 4  # what is whole is still read


def test_a_curves_csv_saved_by_a_spreadsheet_is_read_or_named(tmp_path):
    """Probe 20: a CSV with the UTF-8 byte-order mark (a spreadsheet's "CSV UTF-8") said "has no
    'iteration' column (not a curves CSV)"; one in latin-1 was a raw UnicodeDecodeError."""
    from rambo_env.curves import read_curves_csv

    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbfiteration,q_avg\n1,2.5\n")
    (row,) = read_curves_csv(bom)
    assert (row["iteration"], row["q_avg"]) == (1, 2.5)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("iteration,q_avg,note\n1,2.5,\u00e9t\u00e9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"path: .*latin.csv is not UTF-8 text \(invalid"):
        read_curves_csv(latin)


def test_a_folder_where_an_output_goes_is_named_before_any_csv_is_written(tmp_path, capsys):
    """Probe 15: ``--out cmp`` with a folder ``cmp-b.csv`` (or ``cmp.png``) wrote ``cmp-a.csv``,
    then failed with "cannot write cmp (Is a directory)", naming the prefix, not the file."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("curves_cli", ROOT / "scripts" / "curves.py")
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    for run in ("a", "b"):
        _log(tmp_path / run, {1: {"rambo/q_avg": 1.0}})
    runs = [f"a={tmp_path / 'a'}", f"b={tmp_path / 'b'}"]
    out = tmp_path / "out"
    out.mkdir()
    for blocker in ("cmp-b.csv", "cmp.png"):
        (out / blocker).mkdir()
        with pytest.raises(SystemExit) as exit_info:
            cli.main([*runs, "--out", str(out / "cmp")])
        err = capsys.readouterr().err
        assert exit_info.value.code == 2 and f"{out / blocker} is a folder, not a file" in err
        assert sorted(p.name for p in out.iterdir()) == [blocker]  # nothing written
        (out / blocker).rmdir()


def test_a_png_that_cannot_be_written_leaves_no_csv_either(tmp_path, capsys, monkeypatch):
    """Probe 30: under ``ulimit -f 8`` curves.py wrote ``cv/fszc-a.csv``, then failed on
    ``cv/fszc.png``, and the CSV stayed (half of the output). Now all or none: every file is
    written beside its target and renamed into place once all are written; a CSV of an earlier
    run stays as it was."""
    import errno

    from matplotlib.figure import Figure

    from tests.scripts import load_script

    curves = load_script("curves")
    _log(tmp_path / "a", {1: {"rambo/q_avg": 1.0}})
    out = tmp_path / "cv"
    out.mkdir()
    old = ",".join(["iteration", *CURVE_COLUMNS]) + "\n"  # an earlier call's CSV (its header)
    (out / "fszc-a.csv").write_text(old)

    def too_large(self, *args, **kwargs):
        raise OSError(errno.EFBIG, "File too large")

    real = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", too_large)
    with pytest.raises(SystemExit) as exit_info:
        curves.main(["--out", str(out / "fszc"), f"a={tmp_path / 'a'}"])
    captured = capsys.readouterr()
    assert exit_info.value.code == 2
    assert captured.err == (
        f"error: --out: {out / 'fszc.png'}: not written (File too large); raise the file-size "
        "limit (ulimit -f), or write where larger files fit (--out), then rerun (any previous "
        "fszc.png is intact; no temp file is left); none of the --out files was written\n"
    )
    assert "fszc-a.csv" not in captured.out  # was: "…fszc-a.csv: 1 iterations" printed
    assert sorted(p.name for p in out.iterdir()) == ["fszc-a.csv"]  # no temp file
    assert (out / "fszc-a.csv").read_text() == old  # the earlier one, untouched
    monkeypatch.setattr(Figure, "savefig", real)
    assert curves.main(["--out", str(out / "fszc"), f"a={tmp_path / 'a'}"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["fszc-a.csv", "fszc.curves.json", "fszc.png"]
    assert (out / "fszc-a.csv").read_text().startswith("iteration,")


def test_a_run_after_columns_is_named_as_a_run(tmp_path, capsys):
    """Probe 32: ``--columns q_avg h=RUN`` (the run after the list) was argparse's "invalid
    choice: 'h=RUN'"; it now says to give the runs first (or end the list with --)."""
    from tests.scripts import load_script

    curves = load_script("curves")
    _log(tmp_path / "a", {1: {"rambo/q_avg": 1.0}})
    run = f"a={tmp_path / 'a'}"
    with pytest.raises(SystemExit) as exit_info:
        curves.main(["--out", str(tmp_path / "cv"), "--columns", "q_avg", run])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert (
        f"argument --columns: {run!r} is a run (LABEL=RUN_DIR), not a column: give the runs "
        "before --columns (or end the list of columns with --)"
    ) in err
    assert curves.main(["--out", str(tmp_path / "cv"), "--columns", "q_avg", "--", run]) == 0


def test_a_column_no_run_has_is_refused_or_noted(tmp_path, capsys):
    """Probe 32: ``--columns normalized_score`` for a run without reference scores (Humanoid) drew
    an empty panel, rc 0; asked for by name it is refused."""
    from tests.scripts import load_script

    curves = load_script("curves")
    _log(tmp_path / "a", {1: {"rambo/q_avg": 1.0, "eval/return_mean": 5.0}})
    run, out = f"a={tmp_path / 'a'}", str(tmp_path / "cv")
    with pytest.raises(SystemExit) as exit_info:
        curves.main(["--out", out, run, "--columns", "normalized_score"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        "error: --columns: no run has a normalized_score value; the runs' datasets carry no "
        "reference scores (D4RL's random / expert returns: ref_min_score / ref_max_score in a "
        "dataset's metadata, else D4RL's own for Hopper, Walker2d and HalfCheetah; none for "
        "Humanoid, nor in a run made before that fallback from a file saved without them: rerun "
        "it): plot return_mean instead\n"  # probe 35: was "the env has no reference scores"
    )
    assert not (tmp_path / "cv.png").exists()


def test_default_panels_no_run_has_are_left_out_quietly(tmp_path, capsys, monkeypatch):
    """Issue 14: the default curves of TD3 runs (no ent_coef logged) drew an empty ent_coef panel
    with a note ("no run has a ent_coef value: its panel is empty"); a default panel no run has
    is now left out without a word, normalized_score (Humanoid: no reference scores) shown as
    return_mean instead. Asked for by name (--columns), or given an --hline, it stays."""
    from rambo_env import curves as curves_lib
    from tests.scripts import load_script

    curves = load_script("curves")
    drawn = []

    def plot(path, runs, *, columns, **kwargs):
        drawn.append(list(columns))
        return curves_lib.plot_curves(path, runs, columns=columns, **kwargs)

    monkeypatch.setattr(curves, "plot_curves", plot)
    td3 = {"rambo/q_avg": 1.0, "eval/normalized_score": 3.0, "policy/log_std_mean": -1.0}
    _log(tmp_path / "td3", {1: td3, 2: td3})
    _log(tmp_path / "hum", {1: {"rambo/q_avg": 1.0, "eval/return_mean": 5.0}})
    out = str(tmp_path / "cv")
    assert curves.main(["--out", out, f"a={tmp_path / 'td3'}"]) == 0
    assert drawn[-1] == ["q_avg", "normalized_score", "actor_log_std"]
    assert curves.main(["--out", out, f"h={tmp_path / 'hum'}"]) == 0
    assert drawn[-1] == ["q_avg", "return_mean"]
    assert "note" not in capsys.readouterr().out
    assert curves.main(["--out", out, f"a={tmp_path / 'td3'}", "--hline", "ent_coef:x:1"]) == 0
    assert drawn[-1] == ["q_avg", "normalized_score", "ent_coef", "actor_log_std"]
    # probe 41: was "no run has a ent_coef value"
    assert "no run has an ent_coef value: its panel is empty" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:  # asked for by name: refused, as before
        curves.main(["--out", out, f"a={tmp_path / 'td3'}", "--columns", "q_avg", "ent_coef"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith("error: --columns: no run has an ent_coef value; ")


def test_one_run_given_under_two_labels_is_refused(tmp_path, capsys):
    """Probe 19: ``a=RUN b=RUN`` drew two identical curves and wrote two identical CSVs."""
    from tests.scripts import load_script

    curves = load_script("curves")
    _log(tmp_path / "a", {1: {"rambo/q_avg": 1.0}})
    (tmp_path / "link").symlink_to(tmp_path / "a")
    out = tmp_path / "res" / "cmp"
    for second in (tmp_path / "a", f"{tmp_path}/a/", tmp_path / "link"):
        with pytest.raises(SystemExit) as exit_info:
            curves.main(["--out", str(out), f"a={tmp_path / 'a'}", f"b={second}"])
        err = capsys.readouterr().err
        assert exit_info.value.code == 2 and "runs: a= and b= name the same run" in err, err
    assert not out.parent.exists()


def test_library_plot_and_csv_check_their_path_rows_and_columns_before_writing(tmp_path):
    """Probe 21: plot_curves / write_curves_csv took x.csv for the PNG and x.png for the CSV,
    failed on a folder or an unwritable path only at the write; runs=None, rows of strings or
    without an iteration, columns=() (matplotlib's "Number of rows must be a positive integer")
    and hlines="x" were raw errors."""
    rows = [{"iteration": 1, "q_avg": 2.0}]
    for call, match in (
        (lambda: plot_curves(tmp_path / "p.csv", {"a": rows}), "path: .*p.csv ends in .csv"),
        (lambda: write_curves_csv(tmp_path / "w.png", rows), "path: .*w.png ends in .png"),
        (lambda: plot_curves(tmp_path, {"a": rows}), "path: .* is a folder"),
        (lambda: write_curves_csv("/proc/x/w.csv", rows), "path: folder /proc/x is not"),
        (lambda: plot_curves(tmp_path / "p.png", None), "runs: expected a dict label"),
        (lambda: plot_curves(tmp_path / "p.png", {"a": ["x"]}), r"runs\['a'\]\[0\]: expected"),
        (lambda: plot_curves(tmp_path / "p.png", {"a": rows}, columns=()), "columns: expected"),
        (lambda: plot_curves(tmp_path / "p.png", {"a": rows}, columns="q_avg"), "columns: "),
        (lambda: plot_curves(tmp_path / "p.png", {"a": rows}, hlines="x"), "hlines: expected"),
        (lambda: write_curves_csv(tmp_path / "w.csv", None), "rows: expected a list"),
        (lambda: write_curves_csv(tmp_path / "w.csv", [{"foo": 1.0}]), r"rows\[0\]: expected"),
    ):
        with pytest.raises(ValueError, match=match):
            call()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written
    assert plot_curves(tmp_path / "p.png", {"a": rows}, columns=["q_avg"]).exists()


def test_an_input_csv_that_an_output_would_overwrite_is_refused(tmp_path, capsys):
    """Probe 23: ``--out D/cmp a=RUN b=D/cmp-a.csv`` read cmp-a.csv as b's curves, then wrote run
    a's curves over it: the input was lost without a word."""
    from tests.scripts import load_script

    curves = load_script("curves")
    _log(tmp_path / "a", {1: {"rambo/q_avg": 1.0}})
    kept = tmp_path / "cmp-a.csv"
    write_curves_csv(kept, [{"iteration": 1, "q_avg": 7.0}])
    before = kept.read_bytes()
    with pytest.raises(SystemExit) as exit_info:
        curves.main(["--out", str(tmp_path / "cmp"), f"a={tmp_path / 'a'}", f"b={kept}"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and f"{kept} would be written" in err and "b=" in err, err
    assert kept.read_bytes() == before and not (tmp_path / "cmp.png").exists()


def test_an_unwritable_out_folder_is_one_error_before_any_run_is_read(
    tmp_path, capsys, monkeypatch, read_only
):
    """Probe 25: ``--out`` in a read-only folder was a traceback ending in "path: folder . is
    not writable", exit 1, after every run had been read."""
    from tests.scripts import load_script

    curves = load_script("curves")
    _log(tmp_path / "a", {1: {"rambo/q_avg": 1.0}})
    ro = tmp_path / "ro"
    ro.mkdir()
    read_only(ro)
    monkeypatch.setattr(curves, "read_curves", lambda *a: pytest.fail("a run was read"))
    for out in (ro / "cmp", ro / "new" / "sub" / "cmp"):
        with pytest.raises(SystemExit) as exit_info:
            curves.main(["--out", str(out), f"a={tmp_path / 'a'}"])
        err = capsys.readouterr().err
        assert exit_info.value.code == 2 and "Traceback" not in err
        assert f"--out: folder {ro} is not writable (Read-only file system)" in err, err
    assert list(ro.iterdir()) == []


def test_hand_edited_csvs_that_would_draw_wrong_are_refused_or_said(tmp_path, capsys):
    """Probe 26: a CSV with an iteration twice (two runs' CSVs concatenated) was drawn as a
    zig-zag, a ragged row or a column named twice was taken (fields dropped, the last column
    kept), and a column of inf / nan drew an empty panel, all without a word."""
    from rambo_env.curves import plot_curves, read_curves_csv

    cases = {
        "iteration,q_avg\n1,1.0\n2,2.0\n1,3.0\n": r"line 4: iteration 1 again \(first on line 2\)",
        "iteration,q_avg\n1,1.0\n2,3,4,5\n": r"line 3: more fields than the header's 2",
        "iteration,q_avg,normalized_score\n1,1.0,2\n2\n": r"line 3: fewer fields than the header's 3",
        "iteration,q_avg,q_avg\n1,1.0,2.0\n": r"column\(s\) \['q_avg'\] appear twice",
    }
    for i, (text, match) in enumerate(cases.items()):
        path = tmp_path / f"{i}.csv"
        path.write_text(text)
        with pytest.raises(ValueError, match=match):
            read_curves_csv(path)
    path = tmp_path / "unsorted.csv"
    path.write_text("iteration,q_avg\n2,2.0\n0,0.0\n1,inf\n")
    rows = read_curves_csv(path)
    assert [r["iteration"] for r in rows] == [0, 1, 2]  # drawn in order
    plot_curves(tmp_path / "u.png", {"a": rows}, columns=("q_avg",))
    assert "a: 1 q_avg value(s) are not finite (first at iteration 1)" in capsys.readouterr().out


def test_the_written_csv_counts_co_training_iterations_as_the_ledger_does(tmp_path, capsys):
    """Probe 27: curves.py said "41 iterations" of a 40-iteration run (row 0 is the BC warm
    start), where ledger.py says 40."""
    from tests.scripts import load_script

    curves = load_script("curves")
    _log(tmp_path / "a", {0: {"eval/normalized_score": 50.0}, 1: {"rambo/q_avg": 1.0},
                          2: {"rambo/q_avg": 2.0}})  # fmt: skip
    assert curves.main([f"a={tmp_path / 'a'}", "--out", str(tmp_path / "o" / "cmp")]) == 0
    assert "cmp-a.csv: 2 iterations (and the BC warm start, iteration 0)" in capsys.readouterr().out
    _log(tmp_path / "one", {0: {"eval/normalized_score": 50.0}, 1: {"rambo/q_avg": 1.0}})
    assert curves.main([f"b={tmp_path / 'one'}", "--out", str(tmp_path / "o" / "cmp")]) == 0
    out = capsys.readouterr().out  # probe 41 rows 37 / 38: was "1 iterations"
    assert "cmp-b.csv: 1 iteration (and the BC warm start, iteration 0)" in out, out


def test_a_failed_write_removes_the_out_folders_it_created_and_keeps_others(
    tmp_path, capsys, monkeypatch
):
    """Issue 14: a curves.py that failed writing (here its PNG) left the empty ``--out`` folders
    it had created for its files; a folder that was there before stays, empty or not."""
    import errno

    from matplotlib.figure import Figure

    from tests.scripts import load_script

    curves = load_script("curves")
    _log(tmp_path / "a", {1: {"rambo/q_avg": 1.0}})

    def too_large(self, *args, **kwargs):
        raise OSError(errno.EFBIG, "File too large")

    monkeypatch.setattr(Figure, "savefig", too_large)
    (tmp_path / "kept").mkdir()
    for out, gone in (
        (tmp_path / "new" / "deeper" / "cmp", tmp_path / "new"),
        (tmp_path / "kept" / "sub" / "cmp", tmp_path / "kept" / "sub"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            curves.main(["--out", str(out), f"a={tmp_path / 'a'}"])
        assert exit_info.value.code == 2
        assert "none of the --out files was written" in capsys.readouterr().err
        assert not gone.exists()  # was: left, empty
    assert (tmp_path / "kept").is_dir() and not any((tmp_path / "kept").iterdir())


def test_another_runs_event_files_in_tb_are_refused_and_named(tmp_path):
    """Probe 31: a 5-iteration run's event files copied into a 3-iteration run's tb/ read as 5
    iterations (the last two the other run's), and the ledger entered them."""
    import json
    import os
    import shutil

    own = {i: {"rambo/q_avg": float(i)} for i in range(4)}
    other = tmp_path / "other"
    _log(other, {i: {"rambo/q_avg": 100.0 + i} for i in range(6)})
    run = tmp_path / "run"
    _log(run, own)
    (run / "results.json").write_text(json.dumps({"status": "finished", "iterations_completed": 3}))
    assert len(read_curves(run)) == 4
    for f in (other / TB_DIR).iterdir():
        (run / TB_DIR / "copied").mkdir(exist_ok=True)
        shutil.copy(f, run / TB_DIR / "copied" / f.name)
    with pytest.raises(
        ValueError,
        match=r"logs of more than one run: copied/events\S*, events\S* each log a run from",
    ):
        read_curves(run)

    # a copied file of the other run's later session (no iteration 0): results.json's count
    later = tmp_path / "later"
    _log(later, {4: {"rambo/q_avg": 4.0}, 5: {"rambo/q_avg": 5.0}})
    shutil.rmtree(run / TB_DIR)
    _log(run, own)
    for f in (later / TB_DIR).iterdir():
        (run / TB_DIR / "copied").mkdir(exist_ok=True)
        shutil.copy(f, run / TB_DIR / "copied" / f.name)
    with pytest.raises(ValueError, match=r"logs iterations up to 5 \(copied/events.* records 3 "):
        read_curves(run)
    # ... unless a later session wrote a newer checkpoint (killed before its results.json)
    (run / "checkpoint.pt").write_bytes(b"")
    stamp = (run / "results.json").stat().st_mtime + 10
    os.utime(run / "checkpoint.pt", (stamp, stamp))
    assert [r["iteration"] for r in read_curves(run)] == [0, 1, 2, 3, 4, 5]
    # a session resumed from checkpoint 0 logs iteration 0 again: one run
    (run / "checkpoint.pt").unlink()
    shutil.rmtree(run / TB_DIR)
    _log(run, {0: {"rambo/q_avg": 0.0}})
    _log(run, own)
    assert len(read_curves(run)) == 4


def test_each_run_keeps_one_colour_in_every_panel(tmp_path, capsys, monkeypatch):
    """Probe 36 row 32: matplotlib's colour cycle restarted per panel, so where a TD3 run (no
    ent_coef) had no line, the next run took its colour: a line read as the TD3 run's."""
    import rambo_env.curves as curves_module

    figures = []
    real = curves_module.headless_figure
    monkeypatch.setattr(
        curves_module, "headless_figure", lambda **kw: figures.append(real(**kw)) or figures[-1]
    )
    row = {"q_avg": 1.0, "ent_coef": 0.1}
    runs = {
        "a": [{"iteration": 1, **row}],
        "c": [{"iteration": 1, "q_avg": 2.0}],  # TD3: no ent_coef
        "d": [{"iteration": 1, **row}],
    }
    plot_curves(tmp_path / "mix.png", runs, columns=["ent_coef", "q_avg"])
    top, bottom = figures[0].axes
    colours = {
        ax: {line.get_label(): line.get_color() for line in ax.get_lines()} for ax in (top, bottom)
    }
    assert colours[top] == {"a": "C0", "d": "C2"}
    assert colours[bottom] == {"a": "C0", "c": "C1", "d": "C2"}
    assert [t.get_text() for t in top.get_legend().get_texts()] == ["a", "d", "c"]  # c too
    assert (
        "[rambo_env] note: c has no ent_coef value (an agent without it, e.g. TD3 has no "
        "ent_coef?): not in that panel; each run keeps its colour in every panel"
    ) in capsys.readouterr().out
    # probe 38 row 67: the 11th run was drawn in the 1st run's colour and line style
    figures.clear()
    many = {f"r{i}": [{"iteration": 1, **row}] for i in range(41)}
    plot_curves(tmp_path / "many.png", many, columns=["q_avg"])
    drawn = [(line.get_color(), line.get_linestyle()) for line in figures[0].axes[0].get_lines()]
    assert len(set(drawn[:40])) == 40 and drawn[40] == drawn[0]
    assert drawn[10] == ("C0", "--")
    assert (
        "[rambo_env] note: 41 runs, more than the 40 distinct colour and line-style pairs: r40 is "
        "drawn as r0 (and so on); plot fewer runs per figure"
    ) in capsys.readouterr().out


def test_a_rerun_into_the_same_out_removes_the_earlier_calls_other_csvs(tmp_path, capsys):
    """Probe 36 row 87: ``curves.py --out cv/mix`` with 4 runs, then with 2: mix-c.csv and
    mix-d.csv of the first call stayed beside the 2-run figure without a word."""
    from tests.scripts import load_script

    curves_cli = load_script("curves")
    for name in "abcd":
        _log(tmp_path / name, {1: {"rambo/q_avg": 1.0}})
    out = tmp_path / "cv" / "mix"
    runs = [f"{n}={tmp_path / n}" for n in "abcd"]
    assert curves_cli.main(["--out", str(out), *runs]) == 0
    other = tmp_path / "cv" / "mix-x-a.csv"  # another prefix's (mix-x.png): kept
    (tmp_path / "cv" / "mix-x.png").write_bytes(b"")
    other.write_text((tmp_path / "cv" / "mix-a.csv").read_text())
    mine = tmp_path / "cv" / "mix-notes.csv"  # not a curves CSV: kept
    mine.write_text("x,y\n")
    # probe 38 row 42: the user's own copy of a curve (this tool's header, a label-like name),
    # not written by the earlier call, was deleted as stale: kept
    (tmp_path / "cv" / "mix-td3keep.csv").write_text((tmp_path / "cv" / "mix-b.csv").read_text())
    capsys.readouterr()
    assert curves_cli.main(["--out", str(out), *runs[:2]]) == 0
    said = capsys.readouterr().out
    left = sorted(p.name for p in (tmp_path / "cv").iterdir())
    assert left == [
        "mix-a.csv",
        "mix-b.csv",
        "mix-notes.csv",
        "mix-td3keep.csv",
        "mix-x-a.csv",
        "mix-x.png",
        "mix.curves.json",
        "mix.png",
    ]
    assert (
        f"removed {out}-c.csv, {out}-d.csv: curves of an earlier call with this --out of runs "
        "not in this figure"
    ) in said


def _refused(curves_cli, out, run, capsys) -> str:
    """``curves.py --out OUT a=RUN`` exits 2; its error line from ``error:`` on (argparse puts the
    program name before it)."""
    with pytest.raises(SystemExit) as refused:
        curves_cli.main(["--out", str(out), f"a={run}"])
    assert refused.value.code == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    return line[line.index("error: ") :]


def test_a_users_own_file_where_a_curve_csv_goes_is_refused_before_writing(tmp_path, capsys):
    """Probe 39 row 40: ``echo 'my notes' > cv/y-a.csv; curves.py --out cv/y a=runs/base``
    overwrote the user's file with the curve CSV, no word (the tool spares such files from its
    stale-CSV removal). Refused, nothing written; its own CSVs are still overwritten."""
    from tests.scripts import load_script

    curves_cli = load_script("curves")
    _log(tmp_path / "a", {1: {"rambo/q_avg": 1.0}})
    out = tmp_path / "cv" / "y"
    out.parent.mkdir()
    mine = tmp_path / "cv" / "y-a.csv"
    mine.write_text("my notes\n")
    assert _refused(curves_cli, out, tmp_path / "a", capsys) == (
        f"error: --out: {mine} exists and was not written by curves.py (not in y.curves.json, "
        "no curve CSV header), so it would be overwritten; pick another --out, or move the file "
        "away"
    )
    assert mine.read_text() == "my notes\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["y-a.csv"]  # nothing written
    mine.unlink()
    assert curves_cli.main(["--out", str(out), f"a={tmp_path / 'a'}"]) == 0
    assert curves_cli.main(["--out", str(out), f"a={tmp_path / 'a'}"]) == 0  # in its manifest
    (tmp_path / "cv" / "y.curves.json").unlink()  # a call before the manifest: by its header
    assert curves_cli.main(["--out", str(out), f"a={tmp_path / 'a'}"]) == 0
    (tmp_path / "cv" / "y.curves.json").unlink()
    mine.write_text("iteration,q_avg,normalized_score\n1,2.0,3.0\n")  # an older version's
    assert curves_cli.main(["--out", str(out), f"a={tmp_path / 'a'}"]) == 0


def test_a_users_own_file_at_the_manifest_name_is_refused_before_writing(tmp_path, capsys):
    """Probe 40 row 22: ``echo '{"mine":1}' > cv/w.curves.json; curves.py --out cv/w
    a=runs/base`` overwrote the user's file with the manifest, no word (a user's file at
    ``<out>-a.csv`` was refused). Refused, nothing written; its own manifest is rewritten."""
    from tests.scripts import load_script

    curves_cli = load_script("curves")
    _log(tmp_path / "a", {1: {"rambo/q_avg": 1.0}})
    out = tmp_path / "cv" / "w"
    out.parent.mkdir()
    mine = tmp_path / "cv" / "w.curves.json"
    for text in ('{"mine":1}\n', "my notes\n", '{"csvs": [1]}\n', '{"csvs": [], "x": 2}\n'):
        mine.write_text(text)
        assert _refused(curves_cli, out, tmp_path / "a", capsys) == (
            f"error: --out: {mine} exists and was not written by curves.py (not its list of the "
            'CSVs it wrote, {"csvs": [...]}), so it would be overwritten; pick another --out, or '
            "move the file away"
        )
        assert mine.read_text() == text
        assert sorted(p.name for p in out.parent.iterdir()) == ["w.curves.json"]  # nothing else
    mine.unlink()
    assert curves_cli.main(["--out", str(out), f"a={tmp_path / 'a'}"]) == 0
    assert curves_cli.main(["--out", str(out), f"a={tmp_path / 'a'}"]) == 0  # its own: rewritten
    assert json.loads(mine.read_text()) == {"csvs": ["w-a.csv"]}


def test_read_curves_csv_of_a_missing_file_or_a_folder_is_one_error(tmp_path):
    """Probe 59: a missing file was a raw FileNotFoundError ([Errno 2], no what-to-do)."""
    from rambo_env.curves import read_curves_csv

    with pytest.raises(FileNotFoundError, match=r"path: .*nosuch\.csv does not exist; pass a "):
        read_curves_csv(tmp_path / "nosuch.csv")
    with pytest.raises(ValueError, match=r"path: .* is a folder, not a file; pass a curves CSV"):
        read_curves_csv(tmp_path)


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ([{"iteration": 1, "q_avg": "x"}], r"rows\[0\]\['q_avg'\]: expected a number or None, "
         r"got str 'x'"),
        ([{"iteration": 1}, {"iteration": 2, "bogus": 3}], r"rows\[1\]: unknown column\(s\) "
         r"\['bogus'\]; known: \['iteration', 'q_avg'"),
        ([{"iteration": 1.5}], r"rows\[0\]\['iteration'\]: expected an int, got float 1\.5"),
    ],
)  # fmt: skip
def test_write_curves_csv_names_a_bad_value_or_unknown_column(tmp_path, rows, match):
    """Probe 59: a string was a raw TypeError naming no row or column; an unknown column was
    dropped without a word."""
    with pytest.raises(ValueError, match=match):
        write_curves_csv(tmp_path / "w.csv", rows)
    assert not (tmp_path / "w.csv").exists()


def test_plot_curves_without_runs_is_refused(tmp_path):
    """Probe 59: plot_curves(path, {}) wrote an empty PNG, its note "no run was ever evaluated"."""
    with pytest.raises(ValueError, match=r"runs: empty; nothing to plot"):
        plot_curves(tmp_path / "p.png", {})
    assert not (tmp_path / "p.png").exists()


def test_library_run_folder_calls_name_odd_arguments(tmp_path):
    """Probe 62: ``read_curves(5)`` was a raw ``TypeError: expected str, bytes or os.PathLike``;
    ``ledger.plot_dataset`` of a dataset the ledger holds no run of said plot_curves' "runs:
    empty; … label -> rows", naming no ledger; ``last_evaluated(run, 'nosuch')`` returned None
    (as for a run never evaluated)."""
    from rambo_env import ledger
    from rambo_env.curves import read_curves

    with pytest.raises(ValueError, match=r"^run_dir: expected a run folder's path .*got int 5$"):
        read_curves(5)
    with pytest.raises(
        ValueError,
        match=r"^dataset: the results ledger .* holds no run of 'hopper-medium' \(it is empty\); "
        r"enter one with python scripts/ledger\.py RUN --ledger ",
    ):
        ledger.plot_dataset("hopper-medium", tmp_path)
    assert not list(tmp_path.iterdir())  # no PNG written
    with pytest.raises(ValueError, match=r"^column: 'nosuch' is not a logged column; expected "):
        ledger.last_evaluated(tmp_path, "nosuch")
    (tmp_path / "afile").write_text("")  # probe 62: a file read as an empty ledger
    with pytest.raises(ValueError, match=r"^ledger: .*afile is not a folder; pass the results "):
        ledger.read_index(tmp_path / "afile")
    assert ledger.read_index(tmp_path / "new") == {}  # a ledger not started yet: empty
