"""Probe 79 (fe55f78's follow-up): a run keeps the (k, λ) its config.json records when today's
preset resolution gives another pair (a file name's preset no longer wins over the data's)."""

from __future__ import annotations

import dataclasses
import json

import gymnasium as gym

import agents.cotrain_setup as setup
from agents.cotrain import load_config, load_session, run_cotrain
from rambo_env.data.dataset import OfflineDataset
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _random_action_rows,
    _shared_model_cache,
    tiny_config,
)


def test_a_resume_keeps_the_recorded_k_and_lambda(tmp_path, monkeypatch, capsys):
    # probe 79: was a run started before fe55f78 at walker2d-medium's (5, 0) (hopper-medium data
    # in walker2d-medium.npz) resumed at hopper-medium's (5, 3e-4), its config.json saying (5, 0)
    rows = _random_action_rows(gym.make("Hopper-v5", max_episode_steps=40), 300, 0.5)
    data = OfflineDataset.from_arrays(  # its 40-step limit recorded (probe 90 row 19's warning)
        rows, env_id="Hopper-v5", name="hopper-medium", metadata={"env_max_episode_steps": 40}
    )
    path = str(data.to_npz(tmp_path / "walker2d-medium.npz"))
    run_dir = tmp_path / "run"
    cfg = tiny_config(path, rollout_length=None, adversary_weight=None, n_iterations=1)
    with monkeypatch.context() as mp:  # the code before fe55f78: the file name's preset
        mp.setattr(setup, "resolve", lambda *a, **k: (5, 0.0, "preset walker2d-medium"))
        run_cotrain(cfg, run_dir)
    capsys.readouterr()
    assert setup.resolve(cfg, "hopper-medium", env_id="Hopper-v5")[:2] == (5, 3e-4)  # today's
    capsys.readouterr()
    result = run_cotrain(
        dataclasses.replace(load_config(run_dir), n_iterations=2), run_dir, resume=True
    )
    said = capsys.readouterr().out
    assert (result["rollout_length"], result["adversary_weight"]) == (5, 0.0)
    assert said.count("WARNING") == 1, said
    assert "keeps the (k, λ) = (5, 0) the run started with (preset walker2d-medium" in said
    assert "not (5, 0.0003) (preset hopper-medium" in said and "a new run gets the new" in said
    resolved = json.loads((run_dir / "config.json").read_text())["resolved"]
    assert (resolved["rollout_length"], resolved["adversary_weight"]) == (5, 0.0)
    assert resolved["k_lambda_from"] == "preset walker2d-medium"
    session, _ = load_session(run_dir)
    assert (session.k, session.resolved["adversary_weight"]) == (5, 0.0)
    assert session.adversary.cfg.adversary_weight == 0.0


def test_a_run_before_the_record_on_healthy_range_data_names_the_rule_change(capsys) -> None:
    # probe 79 (follow-up): was a note naming only the evaluation env, for a Hopper run on data
    # of a non-default healthy_z_range whose rollouts ended by the exact default rule before
    # probe 77 and by a learned classifier since
    from agents.cotrain import say_setting_changed
    from rambo_env.dynamics.termination import TerminationClassifier
    from tests.agents.test_cotrain_probe79 import _session

    learned = object.__new__(TerminationClassifier)  # its record is its type's name
    session = _session("Hopper-v5", learned, {"healthy_z_range": [0.9, 5.0]})
    assert session.resolved["termination"]["rule"] == "learned classifier"
    say_setting_changed(session, {"dataset": {}}, 2)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "WARNING" not in out
    assert "does not record its evaluation env and rule" in out
    assert "gym.make('Hopper-v5', **{'healthy_z_range': [0.9, 5.0]})" in out
    assert "termination rule: now learned classifier (a run started before probe 77 ended " in out
    assert "Hopper-v5 rollouts by its exact default rule" in out
    assert "iterations of two envs and rules" in out
