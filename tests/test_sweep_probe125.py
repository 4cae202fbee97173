"""Probe 125: scripts/sweep.py's stray words found by position (row 13), cotrain.py's --lam / --k
pointed at --configs (row 8), the start line names the grid (row 38), --report-only on a folder
of plain cotrain runs (row 3 note), en dash / blank / carriage-return words (rows 28, 62-63)."""

from __future__ import annotations

import pytest

from tests.scripts import load_script

sweep = load_script("sweep")


def _error(capsys, tmp_path, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        sweep.main(["--sweep-dir", str(tmp_path / "SW"), *argv])
    assert exit_info.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("argv", "words", "give"),
    [
        (["--iterations", "1", "--seeds", "0", "1"], "'0 1'", "--seeds 0,1"),
        (["--max-concurrent", "1", "--seeds", "0", "1"], "'0 1'", "--seeds 0,1"),
        (["--iterations", "2", "--seeds", "0", "1", "2"], "'0 1 2'", "--seeds 0,1,2"),
        (["--iterations", "5", "--configs", "2:3e-4", "5"], "'2:3e-4 5'", "--configs 2:3e-4,5"),
    ],
)
def test_a_stray_word_equal_to_an_earlier_one_names_the_list_flag(capsys, tmp_path, argv, words,
                                                                   give):  # fmt: skip
    # was "unrecognized arguments: 1" (argv.index found the 1 of --iterations 1)
    line = _error(capsys, tmp_path, argv)
    assert f"got the words {words} (space-separated" in line
    assert line.endswith(f"give {give}")
    assert not (tmp_path / "SW").exists()


@pytest.mark.parametrize(
    ("argv", "flag", "configs"),
    [
        (["--lam", "3e-4,0"], "--lam", "5:3e-4,5:0"),
        (["--lambda", "3e-4"], "--lambda", "5:3e-4"),
        (["--k", "5"], "--k", "5:0.0003"),
        (["--k", "2", "--lam", "3e-4", "0"], "--k", "2:3e-4,2:0"),
        (["--seeds", "0", "--adversary-weight=0"], "--adversary-weight", "5:0"),
    ],
)
def test_cotrain_config_flags_point_to_configs(capsys, tmp_path, argv, flag, configs):
    # was "unrecognized arguments: --lam 3e-4,0"
    line = _error(capsys, tmp_path, argv)
    assert (
        f"error: {flag}: sweep.py has no {flag}, it runs (k, λ) pairs: give --configs {configs}"
        in line
    )
    parsed = sweep.parse_configs(configs)  # the example is valid sweep.py syntax
    assert len(parsed) == configs.count(",") + 1


def test_words_of_a_paste_or_a_pdf(capsys, tmp_path):
    line = _error(capsys, tmp_path, ["--seeds", "0,1", "–-iterations", "2"])
    assert line.endswith("'–-iterations' starts with an en dash (U+2013), not '--' (a command "
                         "copied from a PDF, slide or web page?): type --iterations")  # fmt: skip
    line = _error(capsys, tmp_path, ["--configs", "5:0", "--seeds", "0", " "])
    assert "a stray blank argument ' ' after --seeds 0 (a space after a '\\' at a line end?" in line
    line = _error(capsys, tmp_path, ["--configs", "5:0,5:3e-4", "\r"])
    assert "a stray carriage return after --configs 5:0,5:3e-4: the shell script" in line
    assert "\r" not in line


def test_the_start_line_names_the_grid(capsys, tmp_path, monkeypatch):
    # probe 125 row 38: "--seeds 2" meant as two seeds ran seed 2; the line said "3 trials -> SW"
    def stop(*args, **kwargs):
        raise ValueError("stopped here by the test")

    monkeypatch.setattr(sweep, "run_sweep", stop)
    assert sweep.main(["--sweep-dir", str(tmp_path / "SW"), "--seeds", "2"]) == 2
    out = capsys.readouterr().out
    assert f"[sweep] 3 trials = 1 dataset × 3 (k, λ) × 1 seed [2] -> {tmp_path / 'SW'}" in out
    spec = sweep.SweepSpec(
        ("hopper-medium", "walker2d-medium"),
        sweep.parse_configs("5:3e-4,5:0"),
        (0, 1),
        sweep.PRESETS["default"],
    )
    assert sweep.grid_text(spec) == "8 trials = 2 datasets × 2 (k, λ) × 2 seeds [0,1]"


def test_report_only_on_a_folder_of_cotrain_runs(capsys, tmp_path):
    for name in ("a", "b"):
        (tmp_path / "runs" / name).mkdir(parents=True)
        (tmp_path / "runs" / name / "results.json").write_text("{}")
    assert sweep.main(["--report-only", str(tmp_path / "runs")]) == 2
    err = capsys.readouterr().err
    assert f"holds 2 cotrain runs ({tmp_path / 'runs' / 'a'}, …) but no sweep.json" in err
    assert "from rambo_env.sweep_report import build_report, to_markdown" in err
    assert "not a sweep folder?" not in err
