"""Probe 119 row 5: a model whose ``format_version`` was edited by hand was told "put back the
value written, or remove the key", but a model without the key is refused ("not a dynamics model
written by save_model"): where the key is required, only the advice that works is given."""

from __future__ import annotations

import pytest
import torch

from rambo_env import run_io
from rambo_env.dynamics.io import load_model


@pytest.mark.parametrize("value", [None, "1", -1])
def test_a_required_formats_advice_does_not_offer_removing_it(value):
    with pytest.raises(ValueError, match=r"put back the value written \(1\)$") as err:
        run_io.check_not_newer(
            "m.pt",
            value,
            1,
            "model",
            "load it",
            "format_version",
            allow_none=False,
            key_required=True,
        )
    assert "remove the key" not in str(err.value)


def test_an_optional_formats_advice_still_offers_removing_it():
    with pytest.raises(ValueError, match="put back the value written \\(1\\), or remove the key"):
        run_io.check_not_newer(
            "c.pt", "1", 1, "checkpoint", "resume it", "format_version", allow_none=False
        )


@pytest.mark.parametrize("version", [None, "1"])
def test_load_model_of_a_hand_edited_format_version_says_only_what_works(tmp_path, version):
    from tests.test_run_io_probe116 import _model_file

    path, _ = _model_file(tmp_path, version)
    with pytest.raises(ValueError, match="edited by hand") as refused:
        load_model(path, device="cpu")
    assert "remove the key" not in str(refused.value)
    checkpoint = torch.load(path, weights_only=True)
    checkpoint.pop("format_version")  # what "remove the key" would have had the user do
    torch.save(checkpoint, path)
    with pytest.raises(ValueError, match="no \\['format_version'\\]"):
        load_model(path, device="cpu")
