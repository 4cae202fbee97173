"""Session 61: runs compile with inductor; only the suite's ``compile_backend`` tests trace with
``aot_eager`` (``tests/conftest.py``), and the fixture's choice reaches ``torch.compile``."""

from __future__ import annotations

import torch

from rambo_env import compile as compile_mod


def _backend_of_a_compile(monkeypatch) -> str:
    seen: list[str] = []

    def recording(fn, **kwargs):
        seen.append(kwargs["backend"])
        return fn

    monkeypatch.setattr(torch, "compile", recording)
    fn = compile_mod.MaybeCompiled(lambda x: x + 1, enabled=True, name="test loss")
    assert fn.active and torch.equal(fn(torch.zeros(2)), torch.ones(2))
    return seen[0]


def test_a_compile_uses_inductor_outside_the_fixture(monkeypatch):
    assert _backend_of_a_compile(monkeypatch) == "inductor"


def test_the_fixture_sets_the_backend_of_each_compile(monkeypatch, compile_backend):
    assert _backend_of_a_compile(monkeypatch) == compile_backend
