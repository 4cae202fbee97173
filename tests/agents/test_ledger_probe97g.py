"""Probe 97 row 44: the ledger (scripts/ledger.py, cotrain's closing comparison) compares the
agent's networks (config.json's ``resolved.agent``) like the other settings."""

from __future__ import annotations

import json

import pytest

from tests.agents.test_cotrain import _fake_run, ledger_module  # noqa: F401 (the fixture)
from tests.agents.test_cotrain_probe71_ledger import _results
from tests.scripts import load_script

POLICY = "agents.policies.FlooredSACPolicy"
RELU = "torch.nn.modules.activation.ReLU"
TANH = "torch.nn.modules.activation.Tanh"


def _agent(run_dir, activation=RELU, arch=(256, 256), **policy_kwargs) -> None:
    saved = json.loads((run_dir / "config.json").read_text())
    if activation is None:  # a run before config format 2: no record
        saved["resolved"].pop("agent", None)
    else:
        saved["resolved"]["agent"] = {
            "policy": POLICY,
            "net_arch": list(arch),
            "activation_fn": activation,
            "policy_kwargs": {"critic_layer_norm": True, "use_sde": False, **policy_kwargs},
        }
    (run_dir / "config.json").write_text(json.dumps(saved))


def test_a_run_of_other_networks_is_neither_compared_nor_replacing(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811 (the fixture)
):
    # probe 97 row 44: was compared with the ledger's default-agent run, and ledger.py replaced
    # it, without a word (resolved.agent was not among the compared settings)
    cotrain_cli = load_script("cotrain")
    ledger = tmp_path / "ledger"
    _fake_run(tmp_path / "kept", 3, monkeypatch, seed=0)
    _agent(tmp_path / "kept")
    ledger_module.update_ledger(tmp_path / "kept", ledger)
    _fake_run(tmp_path / "tanh", 3, monkeypatch, seed=0)
    _agent(tmp_path / "tanh", TANH, (64, 64), activation_fn=TANH, net_arch=[64, 64])
    line = cotrain_cli.standing_lines(_results(), ledger, run_dir=tmp_path / "tanh")[-1]
    assert f"ran with other settings: agent's activation_fn '{TANH}' vs '{RELU}'" in line
    assert line.endswith("(this run's vs its): not compared")
    with pytest.raises(ValueError, match=rf"other settings .*agent's activation_fn '{TANH}'"):
        ledger_module.update_ledger(tmp_path / "tanh", ledger)
    ledger_module.update_ledger(tmp_path / "tanh", ledger, replace=True)  # as asked: replaced


def test_the_same_networks_or_no_record_are_compared_as_before(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811 (the fixture)
):
    cotrain_cli = load_script("cotrain")
    ledger = tmp_path / "ledger"
    _fake_run(tmp_path / "kept", 3, monkeypatch, seed=0)
    _agent(tmp_path / "kept")
    ledger_module.update_ledger(tmp_path / "kept", ledger)
    # the defaults spelled out (probe 97 row 51): the same networks
    _fake_run(tmp_path / "relu", 3, monkeypatch, seed=0)
    _agent(tmp_path / "relu", activation_fn=RELU, net_arch=[256, 256])
    line = cotrain_cli.standing_lines(_results(), ledger, run_dir=tmp_path / "relu")[-1]
    assert "not compared" not in line and "agent" not in line
    _fake_run(tmp_path / "old", 3, monkeypatch, seed=0)  # no record: not known, not compared
    _agent(tmp_path / "old", None)
    line = cotrain_cli.standing_lines(_results(), ledger, run_dir=tmp_path / "old")[-1]
    assert "not compared" not in line


def test_an_entry_before_the_agent_was_a_setting_reads_its_folders_record(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811 (the fixture)
):
    ledger = tmp_path / "ledger"
    _fake_run(tmp_path / "kept", 3, monkeypatch, seed=0)
    _agent(tmp_path / "kept")
    ledger_module.update_ledger(tmp_path / "kept", ledger)
    index_path = ledger / "index.json"
    index = json.loads(index_path.read_text())
    for entry in index.values() if isinstance(index, dict) else index:
        entry["settings"].pop("agent")  # as written before probe 97
    index_path.write_text(json.dumps(index))
    _fake_run(tmp_path / "tanh", 3, monkeypatch, seed=0)
    _agent(tmp_path / "tanh", TANH)
    with pytest.raises(ValueError, match=rf"other settings .*agent's activation_fn '{TANH}'"):
        ledger_module.update_ledger(tmp_path / "tanh", ledger)
