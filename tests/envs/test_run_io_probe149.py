"""Probe 149 row 2: at torch 2.6, ``torch.set_default_device(None)`` (the README's remedy for a
'meta' default) made ``torch.get_default_device()`` raise ``AttributeError: 'NoneType' object has
no attribute 'device'``, and every later make_mdp / run_cotrain / make_agent died with it in
``check_default_device``. The check now reads the default device off a new tensor."""

from __future__ import annotations

import pytest
import torch

from rambo_env import run_io
from rambo_env.model import make_mdp
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE

KWARGS = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)


def _torch_2_6_get_default_device():
    raise AttributeError("'NoneType' object has no attribute 'device'")


def test_the_check_does_not_depend_on_torch_get_default_device(monkeypatch):
    monkeypatch.setattr(torch, "get_default_device", _torch_2_6_get_default_device)
    torch.set_default_device(None)
    run_io.check_default_device("make_mdp")  # cpu: passes
    with pytest.raises(RuntimeError, match=r"^make_mdp: torch's default device is meta "):
        with torch.device("meta"):
            run_io.check_default_device("make_mdp")
    torch.set_default_device("meta")
    try:
        with pytest.raises(RuntimeError, match=r"set_default_device\(None\)"):
            run_io.check_default_device("make_mdp")
    finally:
        torch.set_default_device(None)
    run_io.check_default_device("make_mdp")  # the README's remedy works


def test_after_set_default_device_none_make_mdp_builds(tiny_dataset):
    """The probe's reproduction (sdd.py): the README's remedy, then a tiny make_mdp."""
    torch.set_default_device("meta")
    torch.set_default_device(None)
    mdp = make_mdp(tiny_dataset, **KWARGS)
    assert next(mdp.ensemble.parameters()).device.type == "cpu"
