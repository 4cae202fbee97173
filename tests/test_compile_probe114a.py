"""Probe 114 FA1: the compile-cache check looks only at the subfolders torch's inductor writes
into; a root-owned 0700 ``lost+found/`` (a cache on its own volume) or ``.snapshot/`` no longer
refuses ``--compile`` (was: exit 2 though torch.compile worked there)."""

from __future__ import annotations

import os

import pytest

from rambo_env.compile import check_compile_cache, compile_cache_problem


def _closed(names: set[str], monkeypatch) -> None:
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, m, **k: os.path.basename(str(p)) not in names and real(p, m, **k)
    )
    monkeypatch.setattr(os, "geteuid", lambda: 4321)


def test_folders_torch_never_uses_are_not_checked(tmp_path, monkeypatch, capsys):
    shared = tmp_path / "inductor"
    for name in ("lost+found", ".snapshot", "fxgraph", "7m"):
        (shared / name).mkdir(parents=True)
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(shared))
    _closed({"lost+found", ".snapshot"}, monkeypatch)
    assert compile_cache_problem() is None
    check_compile_cache(explicit=True)  # --compile: no refusal
    check_compile_cache(explicit=False)  # auto-compile: no warning
    assert "WARNING" not in capsys.readouterr().out


@pytest.mark.parametrize("name", ["fxgraph", "aotautograd", "locks", "triton", "7m", "cache"])
def test_a_closed_folder_torch_writes_into_is_still_found(tmp_path, monkeypatch, name):
    shared = tmp_path / "inductor"
    (shared / "lost+found").mkdir(parents=True)
    (shared / name).mkdir()
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(shared))
    _closed({"lost+found", name}, monkeypatch)
    text = compile_cache_problem()
    assert text is not None and f"{name}/ (mode" in text and "lost+found" not in text
    with pytest.raises(ValueError, match="--no-compile"):
        check_compile_cache(explicit=True)
