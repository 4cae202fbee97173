"""Probe 82 rows 20, 21: compile is a setting a seed's numbers depend on, as the torch thread count
(session 38): a resume that compiled where the run's earlier sessions ran eager (an explicit
--compile, or the auto switch of a longer --n-iterations) said nothing, and neither the checkpoint
nor results.json recorded it. Now both keep ``session_settings`` and a resume in the other mode
says so in one note."""

from __future__ import annotations

import dataclasses
import json

import agents.cotrain as cotrain
from agents.cotrain import load_config, run_cotrain
from rambo_env.run_io import load_checkpoint, save_checkpoint
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)


def test_a_resume_that_switches_compile_on_says_its_numbers_part_and_records_it(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
    monkeypatch,
):
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=2), run_dir)  # < 20: auto eager
    eager = {"torch_threads": 1, "compiled": False}
    assert load_checkpoint(run_dir / "checkpoint.pt")["session_settings"] == [eager]
    saved = json.loads((run_dir / "results.json").read_text())
    assert saved["session_settings"] == [eager] and saved["torch_threads"] == [1]
    capsys.readouterr()
    # row 20: extended past COMPILE_MIN_ITERATIONS, compile switches on by itself (torch's
    # compile stays off here, TORCHDYNAMO_DISABLE, to keep the test fast)
    monkeypatch.setenv("TORCHDYNAMO_DISABLE", "1")
    monkeypatch.setattr(cotrain, "compile_disabled", lambda: None)
    monkeypatch.setattr("rambo_env.compile.compile_disabled", lambda: None)  # cfg.compiles
    cfg = dataclasses.replace(load_config(run_dir), n_iterations=20, stop_at_iteration=3)
    run_cotrain(cfg, run_dir, resume=True)
    said = capsys.readouterr().out
    # was: only "… losses: torch.compile (auto: 20 iterations >= 20 …)"
    assert "note: this session runs its losses compiled, the run's last session eager" in said
    assert "--no-compile keeps them" in said
    compiled = {"torch_threads": 1, "compiled": True}
    state = load_checkpoint(run_dir / "checkpoint.pt")
    assert state["session_settings"] == [eager, compiled] and state["torch_threads"] == [1]
    # a checkpoint written before probe 82 (threads only): compile unknown, resumed quietly
    del state["session_settings"]
    save_checkpoint(run_dir / "checkpoint.pt", state)
    cfg = dataclasses.replace(cfg, stop_at_iteration=4)
    run_cotrain(cfg, run_dir, resume=True)
    assert "the run's last session" not in capsys.readouterr().out
    saved = json.loads((run_dir / "results.json").read_text())
    assert saved["session_settings"] == [{"torch_threads": 1, "compiled": None}, compiled]
