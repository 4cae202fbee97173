"""sweep.json's ``invocations`` is validated as config.json's is (one
:func:`rambo_env.run_io.recorded_invocations`): a hand-edited list was replaced with a note and a
bad record kept (``command: 5`` then in the sweep's history); now ``--resume`` refuses it, naming
the record and field, before Ray starts. Ray's start is stood in for."""

from __future__ import annotations

import json
import re

import pytest

from agents import sweep
from rambo_env import run_io
from tests.agents.test_sweep import sweep_cli

pytest.importorskip("ray")


def _started_sweep(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep, "_prepare_datasets", lambda *a: None)
    monkeypatch.setattr(sweep, "_fit", lambda *a, **k: pytest.skip("stop before Ray"))
    monkeypatch.setattr(sweep, "end_dead_drivers_ray", lambda sweep_dir: None)
    with pytest.raises(pytest.skip.Exception):
        sweep_cli.main(["--sweep-dir", str(tmp_path / "s"), "--seeds", "0", "--configs", "2:0"])
    return tmp_path / "s" / "sweep.json"


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        ("python scripts/sweep.py", r"invocations is 'python scripts/sweep\.py', not a list"),
        ([{"kind": "start", "command": 5}], r"invocations\[0\]\.argv is missing"),
        ([7], r"invocations\[0\] is 7, not an object"),
    ],
)
def test_a_hand_edited_sweep_invocations_is_refused_before_ray(
    tmp_path, monkeypatch, capsys, edit, said
):
    path = _started_sweep(tmp_path, monkeypatch)
    before = json.loads(path.read_text()) | {"invocations": edit}
    path.write_text(json.dumps(before))
    monkeypatch.setattr(sweep, "resolve_address", lambda *a: pytest.fail("Ray's setup ran"))
    with pytest.raises(ValueError, match=rf"^sweep_dir: .*sweep\.json: {said}.*remove the key"):
        sweep.resume_sweep(tmp_path / "s")
    capsys.readouterr()
    assert sweep_cli.main(["--resume", str(tmp_path / "s")]) == 2  # one line, no traceback
    err = capsys.readouterr().err
    assert re.search(rf"sweep_dir: .*sweep\.json: {said}", err) and "Traceback" not in err
    assert json.loads(path.read_text()) == before  # nothing appended


def test_a_good_list_is_kept_and_extended(tmp_path, monkeypatch):
    path = _started_sweep(tmp_path, monkeypatch)
    (first,) = json.loads(path.read_text())["invocations"]
    with pytest.raises(pytest.skip.Exception):
        sweep_cli.main(["--resume", str(tmp_path / "s")])
    kept = json.loads(path.read_text())["invocations"]
    assert kept[0] == first and [i["kind"] for i in kept] == ["start", "resume"]


@pytest.mark.parametrize(
    ("record", "session", "said"),
    [
        (
            {"argv": [], "command": "c", "cwd": "/", "environment": {}, "extra": 1},
            False,
            "extra is not a field",
        ),
        (
            {"argv": None, "command": "c", "cwd": "/", "environment": {}},
            False,
            "argv is None, expected a list of strings$",
        ),
        (
            {"argv": [], "command": "c", "cwd": "/", "environment": {"A": 1}},
            False,
            "environment.A is 1, expected a string",
        ),
        (["--seed"], False, r"is \['--seed'\], not an object"),
        ({"argv": [], "command": "c", "cwd": "/", "environment": {}}, True, "kind is missing"),
    ],
)
def test_invocation_problem_names_the_field(record, session, said):
    problem = run_io.invocation_problem(record, session=session)
    assert problem is not None and re.search(said, problem)


def test_the_records_this_code_writes_have_no_problem():
    script = run_io.script_invocation("scripts/sweep.py", ["--seeds", "0"])
    assert run_io.invocation_problem(script) is None
    assert run_io.invocation_problem(run_io.session_invocation(script, resume=True), True) is None
    library = run_io.session_invocation(None, resume=False)
    assert run_io.invocation_problem(library, session=True) is None
    assert run_io.invocation_problem(library) is not None  # argv None: not a script's record
