"""Probe 143 (finding 2): torch's "fx graph cache unable to load compiled graph" tracebacks
were folded into one line only around the compiled forward call; those of the backward graph,
loaded at the first ``.backward()``, still printed."""

from __future__ import annotations

import logging

import pytest
import torch

from rambo_env import compile as compile_module
from rambo_env.compile import MaybeCompiled

LOG = logging.getLogger("torch._inductor.codecache")


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch, tmp_path):
    monkeypatch.setattr(compile_module, "inductor_cache_dir", lambda: tmp_path / "inductor")


def _unloadable():
    try:
        raise ValueError("invalid literal for int() with base 10: 'arbage\\n'")
    except ValueError:
        LOG.warning("fx graph cache unable to load compiled graph", exc_info=True)


class _Loaded(torch.autograd.Function):
    """As aot autograd's compiled function: the backward graph loads at the first backward."""

    @staticmethod
    def forward(ctx, x):
        _unloadable()
        return (x * x).sum()

    @staticmethod
    def backward(ctx, grad):
        _unloadable()
        _unloadable()
        return grad * 2.0 * torch.ones(3)


@pytest.fixture
def shown(inductor_cache_log):
    return inductor_cache_log


def _loss(x):
    return (x * x).sum()


def test_the_backward_graph_warnings_are_folded_too(shown, capsys, tmp_path):
    filters = list(LOG.filters)
    m = MaybeCompiled(_loss, enabled=False, name="SAC critic loss")
    m._compiled = _Loaded.apply
    x = torch.ones(3, requires_grad=True)
    loss = m(x)
    assert capsys.readouterr().out == ""  # held until the backward is done
    loss.backward()
    assert shown == []  # was: the backward's two warnings, each with its traceback
    (line,) = capsys.readouterr().out.strip().splitlines()
    assert f"3 entries of torch inductor's cache {tmp_path / 'inductor'} could not" in line
    assert LOG.filters == filters  # torch's logger as it was
    _unloadable()  # later warnings are torch's again
    assert len(shown) == 1


def test_a_compile_whose_backward_never_runs_is_said_at_the_next_call(shown, capsys):
    filters = list(LOG.filters)
    m = MaybeCompiled(_loss, enabled=False, name="SAC critic loss")
    m._compiled = _Loaded.apply
    m(torch.ones(3, requires_grad=True))  # no backward
    with torch.no_grad():
        m(torch.ones(4))  # new shapes, no graph: said at once
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 2 and "1 entry of torch inductor's cache" in out[0]
    assert shown == []
    assert LOG.filters == filters


def test_a_held_compile_is_said_when_its_owner_ends_before_a_backward(shown, capsys):
    """Session 48 review: a forward whose backward never runs (an exception between the two)
    and no later call kept the filter on torch's logger for the process's life, the note unsaid."""
    import gc

    filters = list(LOG.filters)
    m = MaybeCompiled(_loss, enabled=False, name="SAC critic loss")
    m._compiled = _Loaded.apply
    loss = m(torch.ones(3, requires_grad=True))
    assert LOG.filters != filters and capsys.readouterr().out == ""  # held
    del m
    gc.collect()
    (line,) = capsys.readouterr().out.strip().splitlines()
    assert "1 entry of torch inductor's cache" in line
    assert LOG.filters == filters
    loss.backward()  # the hook of the closed hold: nothing more said
    assert capsys.readouterr().out == "" and len(shown) == 2  # torch's own again
