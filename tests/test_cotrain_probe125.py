"""Probe 125: scripts/cotrain.py's stray words found by position (row 14), a blank word / a
carriage return / an en-dash option named as such (rows 27, 62-63), the closing line of a run
interrupted by Ctrl-C."""

from __future__ import annotations

import pytest

from agents.cotrain_setup import CotrainConfig
from tests.scripts import load_script
from tests.test_cotrain_probe123 import _error

cotrain = load_script("cotrain")


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--seed", "0", "--lam", "3e-4", "0"], "--lam takes one λ per run (got 3e-4 0)"),
        (["--iterations", "1", "--seed", "0", "1"], "--seed takes one seed per run (got 0 1)"),
        (["--k", "5", "--seed", "0", "5"], "--seed takes one seed per run (got 0 5)"),
        (["--n-iterations", "2", "--lam", "3e-4", "2"], "--lam takes one λ per run (got 3e-4 2)"),
    ],
)
def test_a_stray_value_equal_to_an_earlier_word_names_its_flag(capsys, argv, said):
    # was "unrecognized arguments: 0": argv.index found the earlier equal word
    line = _error(capsys, argv)
    assert said in line
    assert "unrecognized" not in line
    if "λ" in said:
        assert "scripts/sweep.py --configs 5:3e-4,5:" in line


def test_a_space_after_a_line_end_backslash_is_named(capsys):
    line = _error(capsys, ["--seed", "0", " "])  # bash: "--seed 0 \<space>" at a line end
    assert "a stray blank argument ' ' after --seed 0" in line
    assert "a space after a '\\' at a line end?" in line
    assert "per run" not in line and "--seeds 0," not in line


def test_a_carriage_return_names_windows_line_endings(capsys):
    line = _error(capsys, ["--seed", "0", "\r"])  # a CRLF script: "--seed 0 \<CR><LF>"
    assert "a stray carriage return after --seed 0" in line
    assert "Windows line endings" in line and "dos2unix" in line and "sed -i 's/\\r$//'" in line
    assert "\r" not in line and "per run" not in line


@pytest.mark.parametrize(
    ("argv", "word", "dash", "typed"),
    [
        (["--seed", "1", "–-lam", "0"], "–-lam", "an en dash (U+2013)", "--lam"),
        (["--ensemble-hidden", "16", "–-seed", "1"], "–-seed", "an en dash (U+2013)", "--seed"),
        (["—seed", "1"], "—seed", "an em dash (U+2014)", "--seed"),
        (["--seed", "–-lam"], "–-lam", "an en dash (U+2013)", "--lam"),  # not a seed value
        (["–-lam=0"], "–-lam=0", "an en dash (U+2013)", "--lam=0"),
    ],
)
def test_an_option_typed_with_an_en_dash_is_named(capsys, argv, word, dash, typed):
    # was "--seed takes one seed per run (got 1 –-lam 0): … --seeds 1,–-lam,0 runs several"
    line = _error(capsys, argv)
    assert line.endswith(f"error: '{word}' starts with {dash}, not '--' (a command copied from "
                         f"a PDF, slide or web page?): type {typed}")  # fmt: skip


def test_an_unknown_option_with_an_en_dash(capsys):
    line = _error(capsys, ["–-sed", "1"])
    assert "'–-sed' starts with an en dash (U+2013)" in line
    assert "(--sed is no option of this script (did you mean '--seed'?))" in line


def test_the_closing_line_of_an_interrupted_run(tmp_path, monkeypatch, capsys):
    evals = [{"iteration": i, "normalized_score": 3.5} for i in (0, 47)]
    results = {
        "message": "", "final_score": 3.5, "final_return": 100.0, "evals": evals,
        "status": "interrupted", "iterations_completed": 47, "n_iterations": 3000,
        "rollout_length": 5, "adversary_weight": 3e-4, "wall_s": {"session": 1.0},
    }  # fmt: skip
    monkeypatch.setattr(cotrain, "standing_lines", lambda results, ledger, **_: [])
    cfg = CotrainConfig(dataset="hopper-medium")
    cotrain.print_results(results, cfg, tmp_path, tmp_path / "ledger")
    out = capsys.readouterr().out
    assert "score of the policy at interruption (iteration 47 of 3000): 3.5" in out
    assert "final policy" not in out
    results["status"], results["iterations_completed"] = "finished", 3000
    evals.append({"iteration": 3000, "normalized_score": 3.5})
    cotrain.print_results(results, cfg, tmp_path, tmp_path / "ledger")
    assert "score of the final policy: 3.5" in capsys.readouterr().out
