"""Probe 73 row 6: under TORCHDYNAMO_DISABLE=1 / TORCH_COMPILE_DISABLE=1 torch compiles nothing,
but runs said "torch.compile" (and priced a compile) while running eagerly."""

from __future__ import annotations

import pytest

from agents.cotrain import CotrainConfig, compile_line
from rambo_env.compile import MaybeCompiled, compile_disabled


@pytest.mark.parametrize("name", ["TORCHDYNAMO_DISABLE", "TORCH_COMPILE_DISABLE"])
def test_a_torch_variable_that_disables_compile_is_said(monkeypatch, name):
    monkeypatch.delenv("TORCHDYNAMO_DISABLE", raising=False)
    monkeypatch.delenv("TORCH_COMPILE_DISABLE", raising=False)
    assert compile_disabled() is None
    assert MaybeCompiled(abs, enabled=True, name="x").active
    monkeypatch.setenv(name, "1")
    assert compile_disabled() == f"{name}=1 is set"
    assert not MaybeCompiled(abs, enabled=True, name="x").active  # as torch would run it
    line = compile_line(CotrainConfig(compile=True))
    assert line.endswith(
        f"eager, although compile is on (as set): {name}=1 is set, so torch compiles nothing"
    ), line
    assert "eager (as set" in compile_line(CotrainConfig(compile=False))
