"""``CotrainConfig.agent_hidden`` (``--agent-hidden``): the width of the agent's two hidden layers
(session 59, issue 12: the agent's own 2 x 256 networks made a tiny run twice as slow as 16-wide
ones; the test suite's tiny runs use 16)."""

from __future__ import annotations

import dataclasses

import pytest

from agents import timing
from agents.cotrain import CotrainConfig
from agents.cotrain_setup import build_session, config_from_dict, config_to_dict
from agents.memory import agent_bytes, check_memory
from rambo_env.ledger import RESULT_SETTINGS, SAVED_BEFORE_FIELD, _run_settings
from rambo_env.run_io import as_json
from tests.agents.test_cotrain import _shared_model_cache, tiny_config, tiny_hopper  # noqa: F401
from tests.scripts import load_script

cotrain_cli = load_script("cotrain")


def _linear_widths(module) -> list[int]:
    import torch

    return [m.out_features for m in module.modules() if isinstance(m, torch.nn.Linear)]


@pytest.mark.parametrize(
    ("algo", "hidden", "actor", "critic"),
    [
        ("sac", None, [256, 256], [256, 256]),  # the official 2 x 256
        ("sac", 16, [16, 16], [16, 16]),
        ("td3", 24, [24, 24], [24, 24]),
        ("crossq", None, [256, 256], [1024, 1024]),  # CrossQ's own
        ("crossq", 16, [16, 16], [16, 16]),
    ],
)
def test_the_agent_is_built_with_the_width_asked(tiny_hopper, algo, hidden, actor, critic):  # noqa: F811
    cfg = tiny_config(tiny_hopper, algo=algo, agent_hidden=hidden, n_iterations=1, eval_last=1)
    session = build_session(cfg)
    policy = session.agent.policy
    assert _linear_widths(policy.actor.latent_pi if algo != "td3" else policy.actor.mu)[:2] == actor
    critic_widths = _linear_widths(policy.critic.q_networks[0])
    assert critic_widths[:2] == critic and critic_widths[-1] == 1
    assert session.resolved["agent"]["net_arch"] in (
        actor,
        {"pi": actor, "qf": critic},
    )


@pytest.mark.parametrize("value", [0, -16, 2.5, True, "16"])
def test_a_width_that_is_not_a_positive_int_is_refused(value):
    with pytest.raises((TypeError, ValueError), match="agent_hidden"):
        CotrainConfig(agent_hidden=value)


def test_the_flag_takes_a_width_and_none(capsys):
    parser = cotrain_cli.build_parser()
    assert parser.parse_args(["--agent-hidden", "64"]).agent_hidden == 64
    assert parser.parse_args(["--agent-hidden", "none"]).agent_hidden is None
    assert "agent_hidden" not in vars(parser.parse_args([]))  # the preset's: None
    assert "--agent-hidden AGENT_HIDDEN" in parser.format_help()
    with pytest.raises(SystemExit) as stop:
        cotrain_cli.main(["--agent-hidden", "0", "--dataset", "missing.npz"])
    assert stop.value.code == 2
    assert "agent_hidden: expected > 0, got 0" in capsys.readouterr().err


def test_an_agent_too_large_for_memory_is_refused_before_any_work(tmp_path, capsys):
    assert agent_bytes(256, 11, 3) < 2**23  # the official agent: a few MB
    assert agent_bytes(16, 11, 3) < agent_bytes(256, 11, 3) / 20
    check_memory(64, 1, 1, 8, 11, 3, available=2**31, agent_hidden=256)
    with pytest.raises(ValueError, match=r"agent_hidden: 100000 .* smaller agent_hidden"):
        check_memory(64, 1, 1, 8, 11, 3, available=2**31, agent_hidden=100_000)
    run_dir = tmp_path / "run"
    argv = ["--dataset", "missing.npz", "--run-dir", str(run_dir), "--agent-hidden", "10000000"]
    assert cotrain_cli.main(argv) == 2  # before the dataset load: no run folder
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "agent_hidden: 10000000" in err and "GiB" in err, err
    assert not run_dir.exists()


def test_a_config_saved_before_the_field_is_the_agents_own_width(tiny_hopper):  # noqa: F811
    saved = config_to_dict(tiny_config(tiny_hopper, agent_hidden=None))
    del saved["agent_hidden"]
    assert config_from_dict(saved, saved=True).agent_hidden is None  # not "missing field"
    assert SAVED_BEFORE_FIELD["agent_hidden"] is None


def test_the_ledger_compares_the_networks_built_not_the_field(tiny_hopper):  # noqa: F811
    # an explicit --agent-hidden 256 builds SAC's own networks: the same setting as none given;
    # a 16-wide agent is another (the agent record's net_arch, compared since probe 97)
    def settings(hidden):
        cfg = tiny_config(tiny_hopper, agent_hidden=hidden, n_iterations=1, eval_last=1)
        resolved = {"agent": as_json(build_session(cfg).resolved["agent"])}
        return _run_settings(config_to_dict(cfg), resolved)

    own = settings(None)
    assert "agent_hidden" not in RESULT_SETTINGS and "agent_hidden" not in own
    assert settings(256) == own
    assert settings(16)["agent"]["net_arch"] == {"pi": [16, 16], "qf": [16, 16]} != own["agent"]


def test_a_width_has_its_own_timing_key_and_is_not_priced_as_the_paper(tiny_hopper):  # noqa: F811
    cfg = CotrainConfig(dataset=tiny_hopper, torch_threads=1)
    plain = timing.timing_key(cfg, 5, 3e-4, "cpu")
    small = timing.timing_key(dataclasses.replace(cfg, agent_hidden=64), 5, 3e-4, "cpu")
    assert "agent width" not in plain  # keys of runs of the agent's own sizes as before
    assert small == plain.replace(" | ensemble width 200", " | ensemble width 200 | agent width 64")


def test_offlinerl_kits_hidden_dims_flag_is_named_as_agent_hidden(capsys):
    with pytest.raises(SystemExit):
        cotrain_cli.main(["--hidden-dims", "128", "128"])
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--hidden-dims is OfflineRL-Kit's actor / critic hidden layers" in line
    assert "here it is --agent-hidden" in line and "fixed at the official" not in line
