"""Probe 91 (the process environment): the scripts under ``python -OO`` (no docstrings), with a
closed stdout (``>&-``), and with a stdout reader that exits once the work is done (``| head``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scripts import REPO, python_path

SCRIPTS = sorted(p.stem for p in (REPO / "scripts").glob("*.py"))


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": python_path(),
        "OMP_NUM_THREADS": "1",
        "MINARI_DATASETS_PATH": str(tmp_path / "minari"),  # absent: its WARNING is line one
        "RAMBO_ENV_CACHE": str(tmp_path / "cache"),
    }


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_answers_help_under_python_OO_from_its_clone(script, tmp_path):
    # probe 91 row 4: was "AttributeError: 'NoneType' object has no attribute 'split'" (curves,
    # ledger, diagnose, toys, port_kit_dynamics: description=__doc__.split(…), and -OO strips it).
    # Probe 107 row 9: a clone's script imported the installed copy of the package (cotrain,
    # make_dataset, sweep, toys, diagnose): one command line ran two copies. Both in one child
    # per script (session 59: each child costs ≈ 3 s of `import torch`): an "installed" copy
    # that cannot be imported is first on the path, and the script must import its clone's.
    for package in ("rambo_env", "agents"):
        (tmp_path / "site" / package).mkdir(parents=True)
        (tmp_path / "site" / package / "__init__.py").write_text(
            "raise ImportError('the installed copy was imported')\n"
        )
    env = {**_env(tmp_path), "PYTHONPATH": str(tmp_path / "site")}
    done = subprocess.run(
        [sys.executable, "-OO", str(REPO / "scripts" / f"{script}.py"), "--help"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert done.stdout.strip()


def test_cotrain_with_a_closed_stdout_says_redirect_it(tmp_path):
    # probe 91 row 14: was "sys.stdout: None, but a run prints its progress there; give it an
    # open stream (io.StringIO collects the lines)", a library caller's advice at a shell
    run_dir = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "cotrain.py"), "--dataset", "hopper-random",
         "--run-dir", str(run_dir), "--no-progress"],
        env=_env(tmp_path), cwd=tmp_path, stderr=subprocess.PIPE, text=True, timeout=300,
        preexec_fn=lambda: os.close(1),  # `>&-`
    )  # fmt: skip
    assert done.returncode == 2
    assert "stdout is closed" in done.stderr
    assert "redirect it to a file or /dev/null" in done.stderr
    assert "io.StringIO" not in done.stderr
    assert not run_dir.exists()


def test_the_library_keeps_its_advice_for_a_closed_stdout(monkeypatch):
    # probe 91 row 14: a library caller (no script console) is still told to pass a stream
    from rambo_env import console, run_io

    monkeypatch.setattr(console, "_script_console", False)
    monkeypatch.setattr(sys, "stdout", None)
    with pytest.raises(ValueError, match=r"sys\.stdout: None.*io\.StringIO"):
        run_io.check_output_streams(False)


def test_make_dataset_whose_reader_exits_after_the_save_says_saved_and_exits_0(tmp_path):
    # probe 91 row 15: `make_dataset.py … | head -1` saved the whole dataset, then said "so the
    # script stopped" with exit status 2, so a caller checking it took the dataset as failed
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "scripts" / "make_dataset.py"), "--env", "hopper", "--level",
         "random", "--n-transitions", "400", "--workers", "1", "--n-envs", "1", "--no-progress"],
        env=_env(tmp_path), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert "does not exist yet" in proc.stdout.readline()  # the root's WARNING, then `head` exits
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=300)
    assert proc.returncode == 0, err
    assert "WAS saved in the Minari root" in err
    assert "so the script stopped" not in err
    assert (tmp_path / "minari" / "rambo" / "hopper" / "random-v0").is_dir()


def test_a_closed_pipe_before_the_work_is_done_still_stops_with_status_2(tmp_path):
    # probe 91 row 15: only a finished script's closed pipe is said as done
    code = (
        "import time\n"
        "from rambo_env import run_io\n"
        "run_io.tolerant_console()\n"
        "run_io.on_closed_pipe('demo', lambda: None)\n"
        "print('first', flush=True)\n"
        "time.sleep(1)\n"
        "print('second', flush=True)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env=_env(tmp_path), cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout.readline() == "first\n"
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == 2
    assert "so the script stopped" in err
