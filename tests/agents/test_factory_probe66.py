"""Probe 66 rows 65-67: LrScaledAdam checks lr_scale / max_value wherever they enter, and keeps
its own lr_scale when loading a plain Adam's state."""

from __future__ import annotations

import math

import pytest
import torch

from agents.factory import LrScaledAdam


@pytest.mark.parametrize("scale", [-1.0, math.nan, "3"])
def test_add_param_group_checks_lr_scale(scale):
    # probe 66 row 65: -1 climbed the loss, NaN made the parameters NaN, "3" a raw TypeError
    a, b = torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.ones(3))
    opt = LrScaledAdam([a], lr=0.1)
    with pytest.raises(
        ValueError, match=r"^param_group\['lr_scale'\]: expected a finite value > 0"
    ):
        opt.add_param_group({"params": [b], "lr_scale": scale})
    assert len(opt.param_groups) == 1


def test_plain_adam_state_keeps_the_scale_and_fused_path():
    # probe 66 row 66: lr_scale became absent (scale 1: the 3x critic rate gone), fused None
    p = torch.nn.Parameter(torch.zeros(2))
    plain = torch.optim.Adam([p], lr=1e-3)
    p.sum().backward()
    plain.step()
    q = torch.nn.Parameter(torch.zeros(2))
    scaled = LrScaledAdam([q], lr=1e-3, lr_scale=3.0)
    fused = scaled.param_groups[0]["fused"]
    scaled.load_state_dict(plain.state_dict())
    assert scaled.param_groups[0]["lr_scale"] == 3.0
    assert scaled.param_groups[0]["fused"] == fused
    other = LrScaledAdam([p], lr=1e-3, lr_scale=0.1)  # a scaled state keeps its own scale
    scaled.load_state_dict(other.state_dict())
    assert scaled.param_groups[0]["lr_scale"] == 0.1


@pytest.mark.parametrize("cap", [math.nan, "1"])
def test_a_bad_max_value_set_on_the_group_is_refused_before_the_step(cap):
    # probe 66 row 67: NaN made the parameters NaN silently, "1" torch's raw clamp_ TypeError
    p = torch.nn.Parameter(torch.zeros(2))
    opt = LrScaledAdam([p], lr=0.1)
    opt.param_groups[0]["max_value"] = cap
    (-p.sum()).backward()
    with pytest.raises(ValueError, match=r"^param_group\['max_value'\]: expected a finite number"):
        opt.step()
    assert torch.equal(p.detach(), torch.zeros(2))
