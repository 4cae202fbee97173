"""Probe 142: how a session's losses really ran (row 9), a corrupt inductor cache (rows 14, 15)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from agents.cotrain import session_record
from rambo_env import compile as compile_module
from rambo_env.compile import MaybeCompiled, compile_mark
from tests.test_compile_probe77 import _loss, _maybe  # a stand-in for torch.compile's result


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch, tmp_path):
    monkeypatch.setattr(compile_module, "_interrupted_compiles", [], raising=False)
    monkeypatch.setattr(compile_module, "inductor_cache_dir", lambda: tmp_path / "inductor")


def _session():
    return SimpleNamespace(
        cfg=SimpleNamespace(compiles=True),
        session_settings=[],
        session_versions=[],
        resolved={"versions": {}},
        compile_mark=compile_mark(),
    )


def test_a_session_whose_every_compile_failed_is_recorded_eager(capsys):
    """Probe 142 row 9: no C++ compiler, every loss ran eagerly, yet results.json recorded
    ``compiled: True`` and a later ``--resume --no-compile`` claimed the last session compiled."""
    session = _session()
    assert session_record(session)["session_settings"][-1]["compiled"] is True  # none ran yet
    no_cxx = RuntimeError("InvalidCxxCompiler: No working C++ compiler found")
    for name in ("SAC critic loss", "SAC actor loss", "adversary's Eq. 9 loss"):
        assert float(_maybe([no_cxx], name)(torch.ones(3))) == 3.0
    assert "running it eagerly" in capsys.readouterr().out
    assert session_record(session)["session_settings"][-1]["compiled"] is False


def test_a_session_with_a_loss_that_compiled_is_recorded_compiled():
    session = _session()
    _maybe([RuntimeError("backend error")], "adversary's Eq. 9 loss")(torch.ones(3))
    _maybe([])(torch.ones(3))  # compiled and ran
    assert session_record(session)["session_settings"][-1]["compiled"] is True
    # an eager session is eager whatever ran before it
    later = _session()
    later.cfg.compiles = False
    assert session_record(later)["session_settings"][-1]["compiled"] is False


def test_a_build_error_naming_a_cache_file_names_the_folder_and_the_cure(tmp_path, capsys):
    """Probe 142 row 15: every .so of the cache overwritten: each compile failed with a bare
    "CppCompileError: C++ compile error" in every later run, the cache folder not named."""
    folder = tmp_path / "inductor"
    (folder / "45").mkdir(parents=True)
    err = RuntimeError(
        "backend='inductor' raised:\nCppCompileError: C++ compile error\n\nCommand:\n"
        f"g++ {folder}/45/c457abc.main.cpp -D TORCH_INDUCTOR_CPP_WRAPPER\n\n"
        f"Output:\n{folder}/45/c457abc.main.cpp:12:5: error: 'at::vec' has not been declared\n"
    )
    assert float(_maybe([err])(torch.ones(3))) == 3.0  # eager, same numbers
    (line,) = capsys.readouterr().out.strip().splitlines()
    assert "running it eagerly" in line
    assert f"torch inductor's cache {folder} ({folder}/45/c457abc.main.cpp:12:5: error:" in line
    assert f"rm -rf {folder}" in line


def test_a_bare_build_error_with_a_cache_folder_there_names_it(tmp_path, capsys):
    folder = tmp_path / "inductor"
    folder.mkdir()
    _maybe([RuntimeError("CppCompileError: C++ compile error")])(torch.ones(3))
    said = capsys.readouterr().out
    assert f"a corrupt entry of torch inductor's cache {folder} may be the cause" in said
    assert f"rm -rf {folder}" in said
    # no C++ compiler at all: not the cache's fault, not blamed on it
    _maybe([RuntimeError("InvalidCxxCompiler: No working C++ compiler found")])(torch.ones(3))
    assert "rm -rf" not in capsys.readouterr().out


def test_unloadable_fx_graph_cache_entries_are_one_line_naming_the_folder(
    tmp_path, capsys, inductor_cache_log
):
    """Probe 142 row 14: a cache whose fxgraph entries were overwritten printed 48 lines of
    torch's "fx graph cache unable to load compiled graph" tracebacks per run, the folder not
    named."""
    import logging

    codecache_log = logging.getLogger("torch._inductor.codecache")
    shown = inductor_cache_log

    def compiling(x):
        for _ in range(2):  # as torch's FxGraphCache, one warning per unloadable entry
            try:
                raise ValueError("invalid literal for int() with base 10: 'arbage\\n'")
            except ValueError:
                codecache_log.warning("fx graph cache unable to load compiled graph", exc_info=True)
        return _loss(x)

    m = MaybeCompiled(_loss, enabled=False, name="SAC critic loss")
    m._compiled = compiling
    assert float(m(torch.ones(3))) == 3.0
    assert shown == []  # was: each warning with its traceback
    (line,) = capsys.readouterr().out.strip().splitlines()
    folder = tmp_path / "inductor"
    assert f"2 entries of torch inductor's cache {folder} could not be loaded" in line
    assert f"rm -rf {folder}" in line
    assert m.ran_compiled
