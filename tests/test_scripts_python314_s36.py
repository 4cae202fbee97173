"""Every script's flags build under Python 3.14's argparse (found on a lent GPU's Python 3.12).

Python 3.12 deprecated, and 3.14 removed, the ``type``, ``choices`` and ``metavar`` parameters of
``argparse.BooleanOptionalAction``: make_dataset.py passed ``choices=None`` with each of its
on/off flags, so Python 3.12 printed "'choices' is deprecated as of Python 3.12 and will be
removed in Python 3.14." three times and 3.14 refuses to build the parser. This machine's Python
is older, so 3.14's action is stood in for.
"""

from __future__ import annotations

import argparse

import pytest

from tests.scripts import load_script


class _Python314BooleanOptionalAction(argparse.BooleanOptionalAction):
    """``BooleanOptionalAction`` with Python 3.14's signature: no type / choices / metavar."""

    def __init__(self, option_strings, dest, default=None, required=False, help=None, **extra):
        if extra:
            raise TypeError(f"BooleanOptionalAction got unexpected arguments {sorted(extra)}")
        super().__init__(option_strings, dest, default=default, required=required, help=help)


@pytest.fixture
def python314_argparse(monkeypatch):
    monkeypatch.setattr(argparse, "BooleanOptionalAction", _Python314BooleanOptionalAction)


def test_make_dataset_flags_build_under_python_314(python314_argparse):
    cli = load_script("make_dataset")
    args = cli.parse_args(["--env", "hopper", "--level", "medium", "--no-train-policy"])
    assert (args.env, args.level, args.train_policy) == ("hopper", "medium", False)
    with pytest.raises(SystemExit):  # the choices are still checked
        cli.parse_args(["--env", "ant", "--level", "medium"])


def test_cotrain_flags_build_under_python_314(python314_argparse):
    args = load_script("cotrain").build_parser().parse_args(["--no-compile", "--progress"])
    assert (args.compile, args.progress) == (False, True)
