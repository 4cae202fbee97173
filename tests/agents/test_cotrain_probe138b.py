"""Probe 138 (left row): a run folder did not record the command line that made it. config.json
held the resolved settings and provenance, but not how the run was invoked, nor each ``--resume``
(with its changed flags, e.g. an extended ``--n-iterations``). Now config.json's ``invocations``
holds one record per session (kept across resumes), and results.json the starting command."""

from __future__ import annotations

import json
import os
import shlex

import pytest

from agents.cotrain import run_cotrain
from rambo_env import run_io
from tests.agents.test_cotrain import (  # noqa: F401
    cotrain_cli,
    stopped_run_with_edited_config,
    tiny_config,
    tiny_hopper,
)

FLAGS = ["--k", "2", "--lam", "3e-4", "--agent-steps-per-iteration", "10",
         "--adversary-steps-per-iteration", "4", "--n-rollouts", "64", "--bc-epochs", "1",
         "--bc-max-steps", "3", "--eval-every", "1", "--eval-last", "1", "--n-eval-episodes", "2",
         "--ensemble-hidden", "8", "--agent-hidden", "16", "--mle-max-epochs", "1",
         "--torch-threads", "1", "--no-progress"]  # fmt: skip


def _config(run_dir) -> dict:
    return json.loads((run_dir / run_io.CONFIG_NAME).read_text())


def test_each_session_of_the_script_is_recorded_and_a_resume_keeps_the_earlier(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
):
    run_dir, ledger = tmp_path / "run dir", tmp_path / "ledger"
    ledger.mkdir()
    monkeypatch.setenv("PYTHONHASHSEED", "7")
    monkeypatch.setenv("SECRET_TOKEN", "do-not-record")
    first = ["--dataset", tiny_hopper, *FLAGS, "--n-iterations", "1", "--run-dir", str(run_dir),
             "--ledger", str(ledger)]  # fmt: skip
    assert cotrain_cli.main(first) == 0
    (start,) = _config(run_dir)["invocations"]
    assert start["kind"] == "start" and start["argv"] == first  # main's argv, not pytest's
    words = shlex.split(start["command"])  # one line to paste: cd, variables, python, the words
    assert words[-len(first) - 1 :] == [os.path.relpath(cotrain_cli.__file__), *first]
    assert start["cwd"] == os.getcwd()
    assert start["started_utc"].endswith("Z") and start["started_utc"][:4].isdigit()
    assert start["environment"]["PYTHONHASHSEED"] == "7"
    assert set(start["environment"]) <= set(run_io.RUN_ENVIRONMENT)  # never the whole env
    assert json.loads((run_dir / run_io.RESULTS_NAME).read_text())["command"] == start["command"]

    more = ["--resume", str(run_dir), "--n-iterations", "2"]  # the run extended, 1 -> 2
    assert cotrain_cli.main(more) == 0
    saved = _config(run_dir)
    assert saved["config"]["n_iterations"] == 2 and saved["format"] == run_io.CONFIG_FORMAT
    assert [i["kind"] for i in saved["invocations"]] == ["start", "resume"]
    assert saved["invocations"][0] == start  # the resume dropped nothing
    assert saved["invocations"][1]["argv"] == more
    assert shlex.split(saved["invocations"][1]["command"])[-len(more) :] == more
    results = json.loads((run_dir / run_io.RESULTS_NAME).read_text())
    assert results["iterations_completed"] == 2 and results["command"] == start["command"]
    # a finished run's plain --resume does nothing and rewrites nothing (no session)
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 0
    assert _config(run_dir)["invocations"] == saved["invocations"]


def test_an_older_run_without_the_field_resumes_and_a_library_call_records_no_argv(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
):
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=2, stop_at_iteration=1), run_dir)
    (start,) = _config(run_dir)["invocations"]
    assert start["kind"] == "start" and start["argv"] is None and start["command"] is None
    # a run folder of the code before: format 3, no invocations
    older = {k: v for k, v in _config(run_dir).items() if k != "invocations"} | {"format": 3}
    (run_dir / run_io.CONFIG_NAME).write_text(json.dumps(older))
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 0  # the checkpoint's identity holds
    saved = _config(run_dir)
    (resume,) = saved["invocations"]
    assert resume["kind"] == "resume" and resume["argv"] == ["--resume", str(run_dir)]
    assert saved["format"] == run_io.CONFIG_FORMAT  # older code is told a newer run
    assert set(saved) == {"config", "resolved", "format", "invocations"}
    assert saved["resolved"] == older["resolved"]
    assert json.loads((run_dir / run_io.RESULTS_NAME).read_text())["command"] is None


def test_a_hand_edited_invocations_is_refused_before_the_setup(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
):
    run_dir = tmp_path / "run"
    edit = {"invocations": "python scripts/cotrain.py"}
    cfg = stopped_run_with_edited_config(tiny_hopper, run_dir, monkeypatch, **edit)
    with pytest.raises(
        ValueError, match=r"invocations is 'python scripts/cotrain\.py', not a list"
    ):
        run_cotrain(cfg, run_dir, resume=True)
    with pytest.raises(ValueError, match=r"invocation: expected None or rambo_env.run_io"):
        run_cotrain(cfg, tmp_path / "other", invocation={"argv": "--resume R"})


def test_the_script_as_typed_or_its_path_when_main_is_called_from_python(monkeypatch, tmp_path):
    script = tmp_path / "cotrain.py"
    monkeypatch.setattr("sys.argv", [str(script), "--resume", "R"])
    record = run_io.script_invocation(script, ["--resume", "R"])
    assert shlex.split(record["command"])[-3:] == [str(script), "--resume", "R"]
    monkeypatch.setattr("sys.argv", ["/usr/bin/pytest", "-q"])  # main(argv) from Python
    record = run_io.script_invocation(script, ["--run-dir", "a b"])
    assert record["argv"] == ["--run-dir", "a b"]
    assert record["command"].endswith(f"{shlex.quote(os.path.relpath(script))} --run-dir 'a b'")
    run_io.check_invocation(record)
    session = run_io.session_invocation(record, resume=True)
    assert session["kind"] == "resume" and session["command"] == record["command"]
