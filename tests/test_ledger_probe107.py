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


def test_the_standing_line_of_data_without_reference_scores_gives_their_returns(tmp_path):
    """Session 56: a Pendulum run's closing line said "where this stands (no reference scores
    (raw returns only)): BC warm start n/a | behaviour policy (dataset average) n/a | this run
    n/a after 3 iterations" while the returns were in its results: now those returns. Runs
    with scores keep the scores; a results.json without ``behaviour_return`` (older) says n/a."""
    from rambo_env.data.scores import NO_REF_SCORES

    cotrain_cli = load_script("cotrain")
    results = {
        "evals": [
            {"iteration": 0, "normalized_score": None, "return_mean": -1133.0},
            {"iteration": 3, "normalized_score": None, "return_mean": -1401.7},
        ],
        "iterations_completed": 3,
        "final_score": None,
        "final_return": -1322.9,
        "behaviour_score": None,
        "behaviour_return": -1290.0,
        "score_label": NO_REF_SCORES,
        "rollout_length": 2,
        "adversary_weight": 3e-4,
        "dataset_name": "pend",
        "algo": "td3",
    }
    first = cotrain_cli.standing_lines(results, tmp_path / "ledger")[0]
    assert first == (
        "where this stands (no reference scores (raw returns only)): BC warm start -1133.0 | "
        "behaviour policy (dataset average) -1290.0 | this run -1322.9 after 3 iterations"
    )
    older = {k: v for k, v in results.items() if k != "behaviour_return"}
    assert (
        "behaviour policy (dataset average) n/a |"
        in cotrain_cli.standing_lines(older, tmp_path / "ledger")[0]
    )
    scored = {
        **results,
        "score_label": "D4RL-normalised",
        "evals": [{"iteration": 0, "normalized_score": 58.3, "return_mean": 1900.0}],
        "final_score": 4.4,
        "behaviour_score": 45.7,
    }
    assert cotrain_cli.standing_lines(scored, tmp_path / "ledger")[0] == (
        "where this stands (D4RL-normalised): BC warm start 58.3 | behaviour policy (dataset "
        "average) 45.7 | this run 4.4 after 3 iterations"
    )
