"""Probe 92 rows 8, 29, 30, 32, 36: runs of older (or newer) versions read by today's code."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

from agents.cotrain import load_config, load_session, run_cotrain
from rambo_env import run_io
from rambo_env.run_io import load_checkpoint
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)


def _edit_config(run_dir, edit) -> None:
    path = run_dir / "config.json"
    saved = json.loads(path.read_text())
    edit(saved)
    path.write_text(json.dumps(saved))


def test_a_newer_writers_field_is_named_as_such(tiny_hopper, tmp_path):  # noqa: F811
    # probe 92 row 30: was "unknown field(s) ['mle_max_grad_steps']; did you mean
    # mle_max_steps?", a newer version's field taken for a typo (config.json recorded no format)
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1), run_dir)
    assert json.loads((run_dir / "config.json").read_text())["format"] == run_io.CONFIG_FORMAT

    def newer(saved):
        saved["format"] = run_io.CONFIG_FORMAT + 1  # probe 96m: 2 since resolved['agent']
        saved["config"]["mle_max_grad_steps"] = None

    _edit_config(run_dir, newer)
    newer_than = rf"\(config format {run_io.CONFIG_FORMAT + 1} > {run_io.CONFIG_FORMAT}"
    with pytest.raises(ValueError, match=r"written by a newer rambo_env " + newer_than):
        load_config(run_dir, resume=True)
    _edit_config(run_dir, lambda saved: saved.update(extra={}))  # a newer top-level key
    with pytest.raises(ValueError, match=r"newer rambo_env .*top-level key\(s\) \['extra'\]"):
        load_config(run_dir, resume=True)
    _edit_config(run_dir, lambda saved: [saved.pop("extra"), saved.pop("format")])
    with pytest.raises(ValueError, match="did you mean mle_max_steps"):  # an old run: as before
        load_config(run_dir, resume=True)
    _edit_config(run_dir, lambda saved: saved.update(format="2"))
    with pytest.raises(ValueError, match=r"format '2' is not a config format"):
        load_config(run_dir, resume=True)


def test_load_session_of_a_checkpoint_without_its_pool_says_what_it_loaded(
    tiny_hopper,  # noqa: F811
    tmp_path,
    capsys,
):
    # probe 92 rows 8, 32: load_session / diagnose.py said "the run goes on from a refilled
    # pool", though nothing goes on there and the pool stays empty
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=2, stop_at_iteration=1), run_dir)
    state = load_checkpoint(run_dir / "checkpoint.pt")
    del state["pool"], state["rollouts"]
    state["callback"] = {"n_iterations": state["callback"]["n_iterations"]}
    torch.save(state, run_dir / "checkpoint.pt")
    capsys.readouterr()
    load_session(run_dir)
    out = capsys.readouterr().out
    assert "(written before session 32): the loaded session has an empty model pool and new " in out
    assert "goes on" not in out


def test_an_unrecorded_compile_setting_is_not_a_difference(tiny_hopper, tmp_path, capsys):  # noqa: F811
    # probe 92 row 36: a run resumed across versions (sessions [1 thread, compiled None],
    # [1 thread, eager]) reproduced at 1 thread, eager, was told "its numbers part from that
    # run's", though the numbers were equal
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1), run_dir)
    path = run_dir / run_io.RESULTS_NAME
    results = json.loads(path.read_text())
    results["session_settings"] = [
        {"torch_threads": 1, "compiled": None},
        {"torch_threads": 1, "compiled": False},
    ]
    path.write_text(json.dumps(results))
    cfg = load_config(run_dir)
    capsys.readouterr()
    run_cotrain(dataclasses.replace(cfg), tmp_path / "again")
    assert "its numbers part from that run's" not in capsys.readouterr().out
    results["session_settings"][1]["torch_threads"] = 2  # a real difference: still said
    path.write_text(json.dumps(results))
    cfg = load_config(run_dir)
    run_cotrain(cfg, tmp_path / "third")
    assert "its numbers part from that run's" in capsys.readouterr().out
