"""Probe 92b rows 31, 79: a run whose agent was built with other networks than config.json says."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

import agents.factory as factory
from agents.cotrain import load_config, load_session, run_cotrain
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)
from tests.scripts import load_script

TANH = "torch.nn.modules.activation.Tanh"
RELU = "torch.nn.modules.activation.ReLU"


def _tanh_agents(monkeypatch) -> None:
    """The probe's way to give the main job SB3 policy_kwargs: make_agent wrapped."""
    original = factory.make_agent

    def tanh(*args, **kwargs):
        kwargs["policy_kwargs"] = {
            **kwargs.get("policy_kwargs", {}),
            "activation_fn": torch.nn.Tanh,
        }
        return original(*args, **kwargs)

    monkeypatch.setattr(factory, "make_agent", tanh)


@pytest.fixture
def tanh_run(tiny_hopper, tmp_path):  # noqa: F811
    run_dir = tmp_path / "run"
    with pytest.MonkeyPatch.context() as patch:
        _tanh_agents(patch)
        run_cotrain(tiny_config(tiny_hopper, n_iterations=2, eval_every=2), run_dir)
    return run_dir


def test_the_built_agents_networks_are_recorded_and_checked_on_load(tanh_run, monkeypatch):
    # probe 92b row 31: was no trace of the activation in config.json; load_session returned a
    # ReLU actor holding the Tanh-trained weights without a word (the same shapes)
    record = json.loads((tanh_run / "config.json").read_text())["resolved"]["agent"]
    assert record["activation_fn"] == TANH == record["policy_kwargs"]["activation_fn"]
    assert record["net_arch"] == [16, 16] and record["policy"].endswith("FlooredSACPolicy")
    both = rf"config.json: the run's agent was built with activation_fn '{TANH}', but the agent"
    with pytest.raises(ValueError, match=rf"{both} rebuilt here has activation_fn '{RELU}'"):
        load_session(tanh_run, device="cpu")
    _tanh_agents(monkeypatch)  # built as at the run's start: loaded
    session, _ = load_session(tanh_run, device="cpu")
    assert isinstance(session.agent.actor.latent_pi[1], torch.nn.Tanh)


def test_a_resume_or_a_diagnosis_of_another_agent_is_refused(tanh_run, capsys):
    # probe 92b rows 31, 79: --resume trained on with ReLU (rc 0); diagnose.py reported the Q
    # values of the ReLU agent rebuilt around the Tanh-trained weights, without a word
    with pytest.raises(ValueError, match=rf"agent resumed here has activation_fn '{RELU}'"):
        cfg = dataclasses.replace(load_config(tanh_run, resume=True), n_iterations=3)
        run_cotrain(cfg, tanh_run, resume=True)
    argv = [str(tanh_run), "--n-starts", "4", "--n-episodes", "1", "--max-steps", "5"]
    assert load_script("diagnose").main([*argv, "--device", "cpu"]) != 0
    assert f"activation_fn '{TANH}'" in capsys.readouterr().err
    assert not list(tanh_run.glob("diagnostics*"))
