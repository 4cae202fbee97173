"""Probe 118 row 16: a run compiled by default (>= 20 iterations) left inductor's process changes
in the caller: the recursion limit 1000 -> 2000 and ``_TORCHINDUCTOR_PYOBJECT_TENSOR_DATA_PTR``
in the environment. Both are the caller's again once the run returns (inductor sets them again
whenever it compiles / loads a kernel). The run itself is stood in for: what a compile does."""

from __future__ import annotations

import os
import sys

from agents import cotrain
from tests.agents.test_cotrain import tiny_config


def test_a_compiled_runs_recursion_limit_and_variable_are_the_callers_again(monkeypatch, tmp_path):
    def compiled_run(cfg, run_dir, resume, on_iteration, progress, *session):
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 2000) + 7)  # inductor's compile_fx
        os.environ["_TORCHINDUCTOR_PYOBJECT_TENSOR_DATA_PTR"] = "12345"  # its kernel loads
        return {"status": "finished"}

    monkeypatch.setattr(cotrain, "_run", compiled_run)
    monkeypatch.delenv("_TORCHINDUCTOR_PYOBJECT_TENSOR_DATA_PTR", raising=False)
    limit = sys.getrecursionlimit()
    try:
        cotrain.run_cotrain(tiny_config(str(tmp_path / "d.npz")), tmp_path / "run")
        assert sys.getrecursionlimit() == limit  # was 2007 here (2000 after a real compile)
        assert "_TORCHINDUCTOR_PYOBJECT_TENSOR_DATA_PTR" not in os.environ
    finally:
        sys.setrecursionlimit(limit)
