"""Probe 129 rows 10, 14: a word after ``--`` starting with a typographic dash (a path ``–old``)
was refused as an option typed with an en dash; a trailing ``--`` with nothing after it was
"unrecognized arguments: --"."""

import argparse

import pytest

from rambo_env import run_io


def _parser(positional: bool) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="x.py")
    if positional:
        parser.add_argument("runs", nargs="+")
    parser.add_argument("--replace", action="store_true")
    parser.add_argument("--seed", type=int)
    return run_io.accept_negative_numbers(parser)


def test_words_after_a_double_dash_are_positional_whatever_dash_they_start_with():
    args = _parser(True).parse_args(["--", "\u2013replace", "\u2013old"])
    assert args.runs == ["\u2013replace", "\u2013old"] and not args.replace
    with pytest.raises(SystemExit):  # before "--" it is still an option typed with an en dash
        _parser(True).parse_args(["\u2013replace", "run"])


def test_a_trailing_double_dash_is_taken():
    assert _parser(False).parse_args(["--seed", "1", "--"]).seed == 1
    assert _parser(True).parse_args(["a", "--"]).runs == ["a"]
    with pytest.raises(SystemExit):  # a word after it still has no place here
        _parser(False).parse_args(["--seed", "1", "--", "x"])
