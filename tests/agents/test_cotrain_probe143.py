"""Probe 143 (finding 7): a hand-edited config.json ``invocations`` whose records were not
cotrain's (``[{"kind": "start", "command": 5}]``) was taken, and results.json said
``command: 5``; now refused naming ``invocations[i].field`` before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.cotrain import run_cotrain
from rambo_env import run_io
from tests.agents.test_cotrain import stopped_run_with_edited_config, tiny_hopper  # noqa: F401

GOOD = {
    "kind": "start",
    "argv": ["--seed", "1"],
    "command": "python scripts/cotrain.py --seed 1",
    "cwd": "/home/me",
    "environment": {"PYTHONHASHSEED": "0"},
    "started_utc": "2026-01-01T00:00:00Z",
}


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"command": 5}, r"invocations\[1\]\.command is 5, expected a string or null"),
        ({"kind": "begin"}, r"invocations\[1\]\.kind is 'begin', expected 'start' or 'resume'"),
        ({"argv": "--seed 1"}, r"invocations\[1\]\.argv is '--seed 1', expected a list"),
        ({"argv": [1]}, r"invocations\[1\]\.argv is \[1\], expected a list of strings or null"),
        ({"environment": {"A": 1}}, r"invocations\[1\]\.environment\.A is 1, expected a string"),
        ({"cwd": None}, r"invocations\[1\]\.cwd is None, expected a string"),
    ],
)
def test_a_record_not_as_cotrain_wrote_it_is_refused_naming_the_field(change, said):
    saved = {"invocations": [GOOD, {**GOOD, "kind": "resume", **change}]}
    with pytest.raises(ValueError, match=rf"^run_dir: config\.json: {said}"):
        run_io.recorded_invocations(saved, Path("config.json"), "run_dir", "cotrain")


def test_a_missing_field_and_the_records_cotrain_writes():
    partial = {"kind": "start", "command": "python scripts/cotrain.py"}
    with pytest.raises(ValueError, match=r"invocations\[0\]\.argv is missing"):
        run_io.recorded_invocations(
            {"invocations": [partial]}, Path("config.json"), "run_dir", "cotrain"
        )
    library = run_io.session_invocation(None, resume=False)  # a library call: argv / command None
    script = run_io.session_invocation(run_io.script_invocation("cotrain.py", ["-h"]), True)
    kept = run_io.recorded_invocations(
        {"invocations": [library, script]}, Path("c.json"), "run_dir", "cotrain"
    )
    assert kept == [library, script]


def test_a_resume_of_such_a_run_is_refused_before_the_setup(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
):
    run_dir = tmp_path / "run"
    edit = {"invocations": [{"kind": "start", "command": 5}]}
    cfg = stopped_run_with_edited_config(tiny_hopper, run_dir, monkeypatch, **edit)
    with pytest.raises(ValueError, match=r"invocations\[0\]\.argv is missing"):
        run_cotrain(cfg, run_dir, resume=True)
