"""Probe 129 rows 11-13 and probe 130 row 24: sweep.py's "--iterations 1 1" was only
"unrecognized arguments: 1"; "--seeds 3 3" was told to give "--seeds 3,3", then refused for its
duplicate; "--configs 5:-0" named its runs with λ "-0" beside 5:0's "0"; sweep.json recorded a
shipped behaviour policy by the absolute path of the install that started the sweep."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import agents.sweep as sweep
from agents.cotrain_setup import CotrainConfig
from rambo_env.policies import POLICY_DIR
from rambo_env.presets import RamboPreset
from rambo_env.run_io import write_json
from rambo_env.sweep_report import config_flag, config_slug
from tests.scripts import load_script

sweep_script = load_script("sweep")


def _error(argv, capsys) -> str:
    parser = sweep_script.build_parser()
    args, extra = parser.parse_known_args(argv)
    with pytest.raises(SystemExit):
        sweep_script._check_no_extra_words(parser, argv, extra, args)
    return capsys.readouterr().err


def test_a_stray_word_after_a_one_value_option_names_it(capsys):
    said = _error(["--iterations", "1", "1"], capsys)
    assert "argument --iterations: takes one value" in said and "stray word 1" in said
    assert "unrecognized arguments" not in said


def test_a_space_separated_list_with_duplicates_gets_a_valid_form(capsys):
    said = _error(["--seeds", "3", "3", "4"], capsys)
    assert "give --seeds 3,4 " in said and "duplicates" in said
    parser = sweep_script.build_parser()
    assert parser.parse_args(["--seeds", "3,4"]).seeds == (3, 4)  # what it suggests is taken


def test_a_negative_zero_lambda_is_zero():
    parser = sweep_script.build_parser()
    (config,) = parser.parse_args(["--configs", "5:-0"]).configs
    assert config == RamboPreset(5, 0.0)
    assert (config_flag(config), config_slug(config)) == ("5:0", "k5-lam0")
    assert str(CotrainConfig(adversary_weight=-0.0).adversary_weight) == "0.0"


def test_a_shipped_policy_is_recorded_by_name_and_read_back_here(tmp_path, monkeypatch):
    shipped = str(next(POLICY_DIR.glob("*.pt")))
    data = SimpleNamespace(n_transitions=300, metadata={"seed": 0, "policy": shipped})
    monkeypatch.setattr("rambo_env.data.loaders.load_dataset", lambda *a, **k: data)
    record = sweep._generation_record(["hopper-medium"], None)["hopper-medium"]
    assert record["policy"] == sweep.SHIPPED_POLICY + POLICY_DIR.joinpath(shipped).name
    write_json(tmp_path / sweep.SWEEP_FILE, {sweep.GENERATION_KEY: {"hopper-medium": record}})
    assert sweep._generation_of(tmp_path, "hopper-medium")["policy"] == shipped
    old = {"n_transitions": 300, "policy": "/elsewhere/rambo_env/policies/hopper_medium.pt"}
    write_json(tmp_path / sweep.SWEEP_FILE, {sweep.GENERATION_KEY: {"hopper-medium": old}})
    # probe 131 R1: an old record's path of another checkout is this install's shipped file
    assert sweep._generation_of(tmp_path, "hopper-medium")["policy"] == str(
        POLICY_DIR / "hopper_medium.pt"
    )
