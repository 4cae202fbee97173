"""Probe 148: in an ASCII locale (``LC_ALL=C PYTHONUTF8=0``) ``curves.py é=runs/r1`` was refused
naming the label as the locale's undecoded bytes (``'\\udcc3\\udca9=runs/r1'``): it is named as
typed, and said to be not ASCII."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("locale", "shown"), [({"LC_ALL": "C", "PYTHONUTF8": "0"}, "\\xe9"), ({"PYTHONUTF8": "1"}, "é")]
)
def test_a_non_ascii_label_is_one_error_naming_it(tmp_path, locale, shown):
    env = {**os.environ, "PYTHONPATH": str(ROOT), **locale}
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "curves.py"), "é=runs/r1", "--out", "x"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 2 and done.stderr.count("error:") == 1
    assert f"got '{shown}=runs/r1'; its LABEL '{shown}' is not ASCII" in done.stderr
    assert "\\udc" not in done.stderr  # was: '\udcc3\udca9=runs/r1'
    assert list(tmp_path.iterdir()) == []
