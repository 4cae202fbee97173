"""Probe 96a row 71: load_session's device argument takes a torch.device, as make_mdp and
make_agent do, and a bad one is named as the argument (never config.json)."""

from __future__ import annotations

import pytest
import torch

from agents.cotrain import load_session, run_cotrain
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)


def test_a_bad_device_argument_is_named_as_the_argument(tmp_path):
    # probe 96a row 71: was "device: expected str, got …; fix the value (e.g. in config.json)"
    with pytest.raises(ValueError) as info:
        load_session(tmp_path, device=5)
    said = str(info.value)
    assert said.startswith("load_session: device: expected None") and "torch.device" in said
    assert "config.json" not in said


def test_a_torch_device_is_taken(tiny_hopper, tmp_path):  # noqa: F811
    # probe 96a row 71: was refused ("expected str, got device(type='cpu')")
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=2, eval_every=2), run_dir)
    session, history = load_session(run_dir, device=torch.device("cpu"))
    assert history.iteration == 2 and session.agent.device.type == "cpu"
