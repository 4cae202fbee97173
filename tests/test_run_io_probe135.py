"""Probe 135 rows: a trailing ``--`` made :func:`stray_words` give up (the scripts' "give --seeds
1,2" / "--seed takes one seed per run" hints fell back to argparse's bare line); words after
``--`` in a script with no positionals were "unrecognized arguments: -- --lam 0 (did you mean
'--k'?)"."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from rambo_env import run_io

ROOT = Path(__file__).resolve().parents[1]


def _parser(positional: bool = False) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="x.py")
    if positional:
        parser.add_argument("runs", nargs="*")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--lam", type=float)
    return run_io.accept_negative_numbers(parser)


def test_stray_words_ignore_a_trailing_double_dash():
    parser = _parser()
    argv = ["--seed", "0", "1", "--"]
    _, extra = parser.parse_known_args(argv)
    assert extra == ["1"]
    found = run_io.stray_words(parser, argv, extra)
    assert found is not None and [argv[s.at] for s in found] == ["1"]
    assert found[0].option == 0  # the word follows --seed
    # a "--" with words after it is still not modelled
    assert run_io.stray_words(parser, ["--seed", "0", "--", "1"]) is None


def test_words_after_double_dash_without_positionals(capsys):
    for tail, said in ((["--lam", "0"], "'--lam 0'"), (["5"], "'5'")):
        with pytest.raises(SystemExit):
            _parser().parse_known_args(["--seed", "1", "--", *tail])
        err = capsys.readouterr().err
        assert "x.py takes no positional words; `--` ends the options" in err, err
        assert said in err and "did you mean" not in err
    # a parser with positionals takes them as before
    assert _parser(True).parse_args(["--seed", "1", "--", "--lam"]).runs == ["--lam"]


@pytest.mark.parametrize(
    "argv, said",
    [
        (["--seed", "0", "1", "--"], "--seed takes one seed per run"),
        (["--seed", "1", "--", "--lam", "0"], "takes no positional words"),
    ],
)
def test_cotrain_script(tmp_path, argv, said):
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "cotrain.py"), "--dataset", "hopper-medium", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert said in done.stderr, done.stderr
    assert "did you mean" not in done.stderr
