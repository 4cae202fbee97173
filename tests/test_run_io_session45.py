"""Session 45 CI: ``make_dataset.py | head -1`` (probe 91 row 15: the dataset is saved and said
so, exit 0) raced probe 118's up-front stdout check of the library entry points, which refused
a pipe whose reader had exited (exit 2) when ``head`` won. A script's guarded stdout handles
its own closed pipe, so the library check leaves it to it; a plain broken pipe in a library
caller is still refused."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CODE = """
import sys, time
time.sleep(0.5)  # the reader is gone by now
from rambo_env import run_io
if sys.argv[1] == "script":
    run_io.tolerant_console(own_closed_pipe=True)
try:
    run_io.check_output_streams(False, what="generate_dataset")
except ValueError as err:
    sys.stderr.write("REFUSED " + str(err)[:60] + "\\n")
else:
    sys.stderr.write("ACCEPTED\\n")
sys.stderr.flush()
"""


def _run(kind):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", CODE, kind], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # the reader exits before the entry point's check
    err = proc.stderr.read().decode()
    proc.stderr.close()
    proc.wait(timeout=120)
    return err


def test_a_scripts_guarded_stdout_is_left_to_its_own_closed_pipe_handling():
    assert "ACCEPTED" in _run("script")


def test_a_library_callers_broken_pipe_is_still_refused():
    assert "REFUSED sys.stdout: a pipe or socket whose reader is gone" in _run("library")
