"""Probe 111 row 8: torch's compile cache of another user (its default folder under another
user's USER, or a shared one whose subfolders another user made 0700) is found before a compiled
run, with advice (was: every torch.compile failed and ran eagerly, without a word of advice)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rambo_env.compile import check_compile_cache, compile_cache_problem


def _closed_inductor(folder: Path, monkeypatch) -> None:
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, m, **k: not str(p).startswith(str(folder)) and real(p, m, **k)
    )
    monkeypatch.setattr(os, "geteuid", lambda: folder.stat().st_uid + 1001)


def test_torchs_default_compile_cache_of_another_user_is_found(tmp_path, monkeypatch):
    # probe 111 row 8a: USER=u1 kept by su -m: /tmp/torchinductor_u1 (u1's, 0700) made every
    # torch.compile fall back to eager without a word of advice
    import torch._inductor.runtime.cache_dir_utils as cache_dir_utils

    default = tmp_path / "torchinductor_u1"
    default.mkdir()
    monkeypatch.setattr(cache_dir_utils, "default_cache_dir", lambda: str(default))
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(default))  # as torch itself sets it
    assert compile_cache_problem() is None
    _closed_inductor(default, monkeypatch)
    text = compile_cache_problem()
    assert text is not None and "torch's default for the user name 'u1'" in text
    assert "owner uid" in text and "set TORCHINDUCTOR_CACHE_DIR to a folder of your own" in text
    with pytest.raises(ValueError, match="--no-compile"):  # --compile: refused
        check_compile_cache(explicit=True)


def test_a_shared_compile_cache_with_closed_subfolders_is_found(tmp_path, monkeypatch, capsys):
    # probe 111 row 8b: only the top folder was checked; u1's 0700 73/, locks/ broke each compile
    shared = tmp_path / "inductor"
    (shared / "73").mkdir(parents=True)
    (shared / "locks").mkdir()
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(shared))
    assert compile_cache_problem() is None
    _closed_inductor(shared / "7", monkeypatch)  # 73/ only
    monkeypatch.setattr(os, "geteuid", lambda: 4321)
    text = compile_cache_problem()
    assert text is not None and "73/ (mode" in text and "locks/" not in text
    assert f"chmod -R g+rwX {shared}" in text
    check_compile_cache(explicit=False)  # compile by default: one warning, no refusal
    assert "WARNING: torch's compile cache" in capsys.readouterr().out
