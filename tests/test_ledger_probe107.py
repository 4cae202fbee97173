"""Probe 107 rows 4, 5: the default results ledger of an installed (non-editable) package."""

import os
import shutil
import subprocess
import sys

from rambo_env import ledger
from tests.scripts import REPO, load_script


def test_update_ledger_of_an_installed_package_refuses_the_default_ledger(tmp_path):
    # probe 107 row 5: was writing site-packages/docs/results/ledger/{index.json, …} unsaid
    site = tmp_path / "site-packages"
    shutil.copytree(REPO / "rambo_env", site / "rambo_env", ignore=shutil.ignore_patterns("*.pt"))
    code = (
        "import rambo_env.ledger as l\n"
        "assert not l.in_source_checkout(), l.DEFAULT_LEDGER_DIR\n"
        "try:\n"
        "    l.update_ledger('runs/x')\n"
        "except ValueError as err:\n"
        "    print(err)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "ledger_dir: not given, and rambo-env is an installed package (not its source checkout), "
        "which has no default results ledger"
    ), done.stdout
    assert not (site / "docs").exists()


def test_the_closing_comparison_of_an_installed_package_says_there_is_no_ledger(monkeypatch):
    # probe 107 row 4: was "results ledger (…/site-packages/docs/results/ledger): no long run of
    # hopper-medium / sac … yet", a folder that does not exist
    cotrain_cli = load_script("cotrain")
    monkeypatch.setattr(ledger, "in_source_checkout", lambda: False)
    results = {
        "evals": [],
        "iterations_completed": 3,
        "final_score": 4.4,
        "rollout_length": 2,
        "adversary_weight": 3e-4,
        "dataset_name": "tiny-hopper",
        "algo": "sac",
    }
    lines = cotrain_cli.standing_lines(results, ledger.DEFAULT_LEDGER_DIR)
    assert lines[-1] == "results ledger: no ledger (installed package; pass --ledger DIR)"
    monkeypatch.setattr(ledger, "in_source_checkout", lambda: True)  # a clone: compared
    assert "no ledger" not in cotrain_cli.standing_lines(results, ledger.DEFAULT_LEDGER_DIR)[-1]
