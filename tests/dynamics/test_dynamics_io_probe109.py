"""Probe 109 row 3: load_model / load_checkpoint of a zip that torch.save did not write (an SB3
agent's agent.zip), and torch's refusal of a pickle quoted clean."""

from __future__ import annotations

import zipfile

import pytest
import torch

from rambo_env.dynamics.io import load_model, save_model
from rambo_env.run_io import damaged_file, load_checkpoint, safe_reason, zip_not_torch
from tests.dynamics.test_dynamics_io import trained_like_model

SB3_MEMBERS = ("data", "pytorch_variables.pth", "policy.pth", "_stable_baselines3_version")


def _zip(path, names):
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return path


def test_an_sb3_agent_zip_is_named_with_how_to_load_it(tmp_path):
    # was: RuntimeError: [enforce fail at inline_container.cc:180] . file in archive is not in a
    # subdirectory: data (raw, no file named)
    agent = _zip(tmp_path / "agent.zip", SB3_MEMBERS)
    with pytest.raises(ValueError) as err:
        load_model(agent)
    assert str(err.value).startswith(
        f"model file {agent}: not a dynamics model written by save_model: it is a "
        "Stable-Baselines3 agent (agent.save): load it with agents.factory.AGENT_CLASSES[algo]"
    ), err.value
    with pytest.raises(ValueError, match="not a checkpoint a co-training run wrote: it is a Stab"):
        load_checkpoint(agent)


def test_another_zip_is_named_and_a_model_still_loads(tmp_path):
    other = _zip(tmp_path / "x.zip", ["a.txt"])
    with pytest.raises(ValueError, match=r"it is a zip archive that torch.save did not write \("):
        load_model(other)
    model, norm, _ = trained_like_model()
    saved = save_model(tmp_path / "m.pt", model, norm)
    assert zip_not_torch(saved) is None and zip_not_torch(tmp_path / "nope") is None
    assert load_model(saved).ensemble is not None
    # every torch.load site: the raw RuntimeError counts as a foreign file (not re-raised raw)
    with pytest.raises(RuntimeError) as raw:
        torch.load(other, weights_only=True)
    assert damaged_file(raw.value)


def test_a_pickled_object_is_refused_with_a_clean_reason(tmp_path):
    # was: "unreadable (UnpicklingError: Weights only load failed. This file can still be
    # loaded, to do so you have two options, \x1b[1mdo those steps only if you trust …\x1b[0m. )"
    path = tmp_path / "mdp.pt"
    torch.save({"mdp": zipfile.ZipInfo("x")}, path)  # any pickled class
    with pytest.raises(ValueError) as err:
        load_model(path)
    text = str(err.value)
    assert "\x1b" not in text and "two options" not in text, text
    assert "UnpicklingError: it holds pickled Python objects, which are not loaded" in text
    assert safe_reason(RuntimeError("\x1b[1mbold\x1b[0m text")) == "RuntimeError: bold text"
