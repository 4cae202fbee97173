"""Probe 132 rows 12-13: ``CotrainConfig(dataset=Path(…))`` / ``CotrainConfig(ledger=Path(…))`` and
``get_preset(Path("hopper-medium"))`` refused a path object, although load_dataset / make_mdp /
run_cotrain take one. A path is stored as its text, so config.json round trips stay strings."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path, PurePosixPath

import pytest

from agents.cotrain_setup import CotrainConfig
from rambo_env.presets import get_preset, parse_dataset_name


def test_cotrain_config_takes_path_objects_as_text(tmp_path):
    data, ledger = tmp_path / "hopper-medium.npz", tmp_path / "ledger"
    cfg = CotrainConfig(dataset=data, ledger=ledger)
    assert cfg.dataset == str(data) and type(cfg.dataset) is str
    assert cfg.ledger == str(ledger) and type(cfg.ledger) is str
    assert cfg == CotrainConfig(dataset=str(data), ledger=str(ledger))
    saved = json.loads(json.dumps(dataclasses.asdict(cfg)))  # config.json holds strings
    assert saved["dataset"] == str(data) and CotrainConfig(**saved) == cfg
    assert dataclasses.replace(cfg, dataset=PurePosixPath("x.npz")).dataset == "x.npz"


@pytest.mark.parametrize("field", ["dataset", "ledger"])
def test_other_types_are_still_refused(field):
    with pytest.raises(ValueError, match=rf"^{field}: expected str \| PathLike( \| None)?, got b"):
        CotrainConfig(**{field: b"x.npz"})


@pytest.mark.parametrize(
    "name", [Path("hopper-medium"), Path("data/hopper-medium.npz"), PurePosixPath("hopper-medium")]
)
def test_get_preset_reads_a_path_as_its_text(name):
    assert get_preset(name) == get_preset("hopper-medium")
    assert parse_dataset_name(name) == ("hopper", "medium")
    assert get_preset(name, off=True) == get_preset("hopper-medium", off=True)
