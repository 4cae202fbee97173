"""Probe 147 R1-R3: curves.py's output names near the file system's limit, and a umask that
takes the owner's own permission away."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rambo_env.curves import write_curves_csv
from rambo_env.run_io import NAME_MAX, StagedFiles
from tests.scripts import logged_run

ROOT = Path(__file__).resolve().parents[1]
#: The longest name written (``<out>.curves.json``) goes through ``.NAME.XXXXXXXX.tmp.json``.
OUT_ROOM = NAME_MAX - len(".curves.json") - len("..xxxxxxxx.tmp.json")


def _curves(cwd: Path, out: str, *runs: str, umask: int | None = None):
    cmd = [sys.executable, str(ROOT / "scripts" / "curves.py"), *runs, "--out", out]
    before = None if umask is None else (lambda: os.umask(umask))
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, preexec_fn=before)


def test_a_writer_does_not_count_the_temp_room_of_its_own_temp_file(tmp_path):
    """R1: write_curves_csv checked the staged temp file's name as if it were the target, so
    a target within the limit checked up front (226 bytes) failed with a traceback. A writer
    handed a StagedFiles temp file (``staged=True``) writes it as it is: no temp of its own."""
    name = "c" * (NAME_MAX - len("..xxxxxxxx.tmp.csv") - len(".csv")) + ".csv"
    with StagedFiles("--out") as staged:
        staged.write(
            tmp_path / name, lambda tmp: write_curves_csv(tmp, [{"iteration": 0}], staged=True)
        )
        staged.commit()
    assert (tmp_path / name).is_file()
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_staged_plot_is_drawn_into_its_temp_file_itself(tmp_path):
    """No module-wide set of StagedFiles temp names (fixAF's ``_STAGED_TEMPS``): plot_curves
    writes the temp file it is handed, and its target name at the limit is written."""
    from rambo_env.curves import plot_curves

    name = "p" * (NAME_MAX - len("..xxxxxxxx.tmp.png") - len(".png")) + ".png"

    def plot(tmp):
        return plot_curves(tmp, {"a": [{"iteration": 1, "q_avg": 1.0}]}, staged=True)

    with StagedFiles("--out") as staged:
        staged.write(tmp_path / name, plot)
        staged.commit()
    assert [p.name for p in tmp_path.iterdir()] == [name]
    assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_out_at_its_limit_is_written_and_one_byte_more_is_refused_for_out(tmp_path):
    """R1 / R2: the limit is given for --out itself, once, and a prefix that fits is written
    (was: names of 214-224 bytes passed the check, then a traceback; the limit given was that
    of one derived name)."""
    run = logged_run(tmp_path / "r1")
    (tmp_path / "co").mkdir()
    done = _curves(tmp_path, "co/" + "c" * OUT_ROOM, f"a={run}")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "co" / ("c" * OUT_ROOM + ".png")).is_file()
    refused = _curves(tmp_path, "co/" + "d" * (OUT_ROOM + 1), f"a={run}")
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    assert f"give --out a name of at most {OUT_ROOM} bytes" in refused.stderr
    assert refused.stderr.count("error:") == 1


def test_a_new_out_folder_under_umask_277_is_one_error(tmp_path):
    """R3: the UmaskError of a new --out folder was a traceback (rc 1)."""
    run = logged_run(tmp_path / "r1")
    done = _curves(tmp_path, "u277c/x", f"a={run}", umask=0o277)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "umask 277" in done.stderr and "error:" in done.stderr
    assert not (tmp_path / "u277c").exists()
