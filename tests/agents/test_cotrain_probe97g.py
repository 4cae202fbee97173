"""Probe 97 rows 14, 51: a run's config.json of a newer format, and an agent record compared as
the networks it stands for."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
import torch

import agents.cotrain as cotrain
import agents.factory as factory
from agents.cotrain import load_config, load_session, run_cotrain
from rambo_env import run_io
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)
from tests.scripts import load_script


@pytest.fixture
def tiny_run(tiny_hopper, tmp_path):  # noqa: F811
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1), run_dir)
    return run_dir


def test_a_newer_config_format_is_refused_on_resume_and_warned_on_read(
    tiny_run, capsys, monkeypatch
):
    # probe 97 row 14: "format": 3 with fields that all parse was resumed, loaded and diagnosed
    # without a word (the newer-format check ran only when a field failed)
    path = tiny_run / "config.json"
    saved = json.loads(path.read_text())
    saved["format"] = run_io.CONFIG_FORMAT + 1
    path.write_text(json.dumps(saved))
    before = path.read_bytes()
    newer = f"written by a newer rambo_env (config format {run_io.CONFIG_FORMAT + 1} > "
    with pytest.raises(ValueError, match=re.escape(newer) + r".*a resume rewrites config\.json"):
        load_config(tiny_run, resume=True)
    capsys.readouterr()
    monkeypatch.setattr(cotrain, "_NEWER_FORMATS_SAID", set())
    cfg = load_config(tiny_run)  # read-only: read, with one warning
    assert f"[rambo_env] WARNING: {path} was {newer}" in capsys.readouterr().out
    with pytest.raises(ValueError, match=re.escape(newer)):  # the API's resume as --resume
        run_cotrain(dataclasses.replace(cfg, n_iterations=2), tiny_run, resume=True)
    assert path.read_bytes() == before
    monkeypatch.setattr(cotrain, "_NEWER_FORMATS_SAID", set())
    _, history = load_session(tiny_run, device="cpu")
    assert history.iteration == 1 and capsys.readouterr().out.count(newer) == 1
    monkeypatch.setattr(cotrain, "_NEWER_FORMATS_SAID", set())
    argv = [str(tiny_run), "--n-starts", "4", "--n-episodes", "1", "--max-steps", "5"]
    assert load_script("diagnose").main([*argv, "--device", "cpu"]) == 0
    assert capsys.readouterr().out.count(newer) == 1


def test_a_wrapper_that_spells_out_the_defaults_loads_without_it(tiny_hopper, tmp_path):  # noqa: F811
    # probe 97 row 51: refused ("policy_kwargs.activation_fn 'torch.nn…ReLU', but … '<absent>'")
    # although the built networks were the same
    original = factory.make_agent

    def spelled_out(*args, **kwargs):
        extra = {"activation_fn": torch.nn.ReLU, "net_arch": [256, 256]}
        kwargs["policy_kwargs"] = {**kwargs.get("policy_kwargs", {}), **extra}
        return original(*args, **kwargs)

    run_dir = tmp_path / "run"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(factory, "make_agent", spelled_out)
        # the agent's own width (tiny_config's 16 is a policy_kwargs net_arch the wrapper replaces)
        run_cotrain(tiny_config(tiny_hopper, n_iterations=1, agent_hidden=None), run_dir)
    session, history = load_session(run_dir, device="cpu")
    assert history.iteration == 1
    run_cotrain(dataclasses.replace(session.cfg, n_iterations=2), run_dir, resume=True)


def test_the_agent_record_is_compared_as_networks():
    record = {
        "policy": "agents.policies.FlooredSACPolicy",
        "net_arch": [256, 256],
        "activation_fn": "torch.nn.modules.activation.ReLU",
        "policy_kwargs": {"critic_layer_norm": True, "use_sde": False, "n_critics": 2},
    }
    spelled = {
        **record,
        "policy_kwargs": {
            **record["policy_kwargs"],
            "activation_fn": "torch.nn.modules.activation.ReLU",
            "net_arch": [256, 256],
            "log_std_init": -3,
        },
    }
    assert run_io.effective_agent(record) == run_io.effective_agent(spelled)
    assert run_io.effective_agent(record)["policy_kwargs"] == {"critic_layer_norm": True}
    other = {**spelled, "policy_kwargs": {**spelled["policy_kwargs"], "log_std_init": -1.0}}
    assert run_io.effective_agent(other) != run_io.effective_agent(record)
    assert run_io.effective_agent(None) is None
