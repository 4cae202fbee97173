"""Probe 138 rows 18-21, 33: a run recorded its commit alone (uncommitted changes unrecorded and
unsaid, also across a --resume), no machine facts, not the commit that trained its cached model,
and not its model seed in results.json."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from agents import cotrain, cotrain_setup
from agents.cotrain import run_cotrain
from rambo_env import requirements
from tests.agents.test_cotrain import tiny_config, tiny_hopper  # noqa: F401 (the fixture)

A = "a" * 40


@pytest.fixture
def code(monkeypatch):
    """The running code: commit A with uncommitted changes of hash ``state["diff"]``."""
    state = {"diff": "d1d1d1d1d1d1"}

    def changes(root=None):
        return {"rambo_env_dirty": "true", "rambo_env_diff": state["diff"]}

    for module in (cotrain_setup, requirements):
        monkeypatch.setattr(module, "source_commit", lambda root=None: A)
        monkeypatch.setattr(module, "source_changes", changes)
    return state


def test_a_run_of_uncommitted_code_records_and_says_it(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
    code,
):
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, stop_at_iteration=1, model_seed=3), run_dir)
    out = capsys.readouterr().out
    assert out.count("has uncommitted changes to tracked files") == 1  # was: no word
    assert "hash d1d1d1d1d1d1" in out and f"commit {A[:12]} alone" in out
    resolved = json.loads((run_dir / "config.json").read_text())["resolved"]
    versions = resolved["versions"]
    assert versions["rambo_env_commit"] == A
    assert (versions["rambo_env_dirty"], versions["rambo_env_diff"]) == ("true", "d1d1d1d1d1d1")
    for name in ("python", "numpy", "mujoco", "minari", "h5py", "platform"):  # row 20
        assert versions[name]
    # row 33: the code that trained the cached model (here this code)
    assert resolved["model"]["trained_commit"] == A
    assert resolved["model"]["trained_diff"] == "d1d1d1d1d1d1"
    results = json.loads((run_dir / "results.json").read_text())
    assert results["model_seed"] == 3
    assert results["session_versions"] == [versions]
    # row 19: a resume after other uncommitted changes (the same commit) says so
    code["diff"] = "d2d2d2d2d2d2"
    run_cotrain(tiny_config(tiny_hopper, model_seed=3, n_iterations=2), run_dir, resume=True)
    out = capsys.readouterr().out
    assert "rambo_env_diff d1d1d1d1d1d1 -> d2d2d2d2d2d2" in out
    results = json.loads((run_dir / "results.json").read_text())
    assert [v["rambo_env_diff"] for v in results["session_versions"]] == [
        "d1d1d1d1d1d1",
        "d2d2d2d2d2d2",
    ]


def test_a_resume_after_the_tree_got_dirty_says_so(monkeypatch, capsys):
    monkeypatch.setattr(cotrain_setup, "source_commit", lambda root=None: A)
    monkeypatch.setattr(
        cotrain_setup, "source_changes", lambda root=None: {"rambo_env_dirty": "false"}
    )
    last = cotrain_setup.library_versions()
    dirty = {"rambo_env_dirty": "true", "rambo_env_diff": "0123456789ab"}
    monkeypatch.setattr(cotrain_setup, "source_changes", lambda root=None: dirty)
    session = SimpleNamespace(session_versions=[last])
    cotrain._say_versions_changed(session)
    out = capsys.readouterr().out
    assert "rambo_env_dirty false -> true" in out and "rambo_env_diff" not in out
    # a last session that recorded no dirty flag (before probe 138): nothing claimed
    before = {k: v for k, v in last.items() if not k.startswith("rambo_env_d")}
    cotrain._say_versions_changed(SimpleNamespace(session_versions=[before]))
    assert "note" not in capsys.readouterr().out


def test_a_session_records_the_code_its_setup_read_not_a_checkout_changed_while_it_runs(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    code,
):
    # session 59: the versions were read again at every checkpoint, so uncommitted changes made
    # to the tree during a run (not the code the process had imported) were recorded as its own
    def edit_the_tree(metrics: dict) -> None:
        code["diff"] = "e5e5e5e5e5e5"

    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=2), run_dir, on_iteration=edit_the_tree)
    results = json.loads((run_dir / "results.json").read_text())
    assert [v["rambo_env_diff"] for v in results["session_versions"]] == ["d1d1d1d1d1d1"]
    assert code["diff"] == "e5e5e5e5e5e5"  # the hook ran
