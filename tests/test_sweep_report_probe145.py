"""Probe 145 E3: the sweep's tables in an ASCII locale (``LC_ALL=C PYTHONUTF8=0``): every trial
trained, then "'ascii' codec can't encode character '\\u03bb'" writing table.md."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.scripts import python_path


def test_tables_are_written_as_utf8_in_an_ascii_locale(tmp_path):
    code = (
        "import sys, types\n"
        "from rambo_env import sweep_report as s\n"
        "report = types.SimpleNamespace(rows=[])\n"
        "s._load_and_summarise = lambda *a: ([], report)\n"
        "s.to_markdown = lambda r: '| \\u03bb | \\u00b1 |\\n'\n"  # the source stays ASCII
        "s.to_csv = lambda r: '\\u03bb,\\u00b1\\n'\n"
        "s.write_report(sys.argv[1], sys.argv[1])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        env={**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONPATH": python_path()},
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")
    assert (tmp_path / "table.md").read_text(encoding="utf-8") == "| λ | ± |\n"
    assert (tmp_path / "table.csv").read_text(encoding="utf-8") == "λ,±\n"
