"""Probe 69 row 12: CotrainConfig's text fields survive the JSON round trip as text."""

from __future__ import annotations

import json

import pytest

from agents.cotrain_setup import CotrainConfig, config_from_dict, config_to_dict


@pytest.mark.parametrize(
    "fields",
    [{"ledger": "inf"}, {"ledger": "nan"}, {"ledger": "-inf"}, {"env_id": "inf"}],
)
def test_text_fields_named_like_non_finite_floats_read_back_as_text(fields: dict) -> None:
    # probe 69 row 12: ledger='inf' read back as float inf: "ledger: expected None | str, got inf
    # (float); fix the value (e.g. in config.json)", blaming the right value in the file
    cfg = CotrainConfig(**fields)
    back = config_from_dict(json.loads(json.dumps(config_to_dict(cfg))), saved=True)
    assert back == cfg
    for name, value in fields.items():
        assert getattr(back, name) == value and isinstance(getattr(back, name), str)


def test_non_finite_floats_still_read_back_as_floats() -> None:
    cfg = CotrainConfig(q_limit=float("inf"), mle_max_time_s=float("inf"))
    back = config_from_dict(json.loads(json.dumps(config_to_dict(cfg))), saved=True)
    assert back.q_limit == float("inf") and back.mle_max_time_s == float("inf")
