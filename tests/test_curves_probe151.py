"""Probe 151 rows 5 and 6 (scripts/curves.py's LABEL=RUN_DIR words).

Row 5: a LABEL holding a real Latin-1 byte (``$(printf 'l\\xe9')=runs/base``) was shown with a
doubled backslash, ``'l\\\\xe9'``; it is ``'l\\xe9'``. Row 6: ``curves.py -a=runs/base --out x``
said "the following arguments are required: LABEL=RUN_DIR" (beside a second run
"unrecognized arguments: -a=…"), the word given unnamed: it is named, with the LABEL rule."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _curves(tmp_path, *words, **env):
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "curves.py"), *words],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        cwd=tmp_path,
    )
    return done.returncode, done.stderr.decode("utf-8", "backslashreplace")


@pytest.mark.parametrize("locale", ["C", "C.UTF-8"])
def test_a_latin1_byte_in_a_label_is_shown_as_one_escape(tmp_path, locale):
    code, err = _curves(tmp_path, b"l\xe9=runs/base", "--out", "x", LC_ALL=locale, PYTHONUTF8="0")
    assert code == 2 and err.count("error:") == 1, err
    assert "got 'l\\xe9=runs/base'; its LABEL 'l\\xe9' is not ASCII" in err
    assert "\\\\x" not in err  # was: 'l\\xe9'
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "runs", [["-a=runs/base"], ["a=runs/base", "-a=runs/b"], ["-a=runs/b", "a=runs/base"]]
)
def test_a_label_beginning_with_a_dash_is_named(tmp_path, runs):
    code, err = _curves(tmp_path, *runs, "--out", "x")
    assert code == 2 and err.count("error:") == 1, err
    word = next(r for r in runs if r.startswith("-"))
    assert f"error: run: got '{word}': a LABEL cannot begin with '-'" in err
    assert "beginning with a letter or digit" in err
    assert "required" not in err and "unrecognized" not in err
    assert list(tmp_path.iterdir()) == []


def test_options_given_with_equals_still_pass_the_dash_check(tmp_path):
    code, err = _curves(tmp_path, "--out=x", "--title=-a=b", "--", "-a=runs/b")
    assert code == 2 and "got '-a=runs/b'" in err and "cannot begin with '-'" not in err
