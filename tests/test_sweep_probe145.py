"""Probe 145 R6: a local Ray that fails on a working folder the locale cannot encode was "rerun
… once the machine has the memory and CPU to spare"."""

from __future__ import annotations

import pytest

from agents import sweep as sweep_mod


class _RayFailingOnText:
    def init(self, **kwargs):
        raise UnicodeEncodeError("utf-8", "/tmp/r\udcc3", 6, 7, "surrogates not allowed")


def test_ray_start_failing_on_text_names_the_locale(tmp_path, monkeypatch):
    monkeypatch.setenv("RAY_worker_niceness", "0")
    with pytest.raises(sweep_mod.RayStartError) as info:
        with sweep_mod._ray_started(_RayFailingOnText(), None, tmp_path, False, "--address"):
            pass
    said = str(info.value)
    assert "LC_ALL=C.UTF-8" in said and "PYTHONUTF8=1" in said and "memory and CPU" not in said


def test_working_folder_the_locale_cannot_encode_is_refused_before_ray(monkeypatch):
    monkeypatch.setattr(sweep_mod.os, "getcwd", lambda: "/tmp/r\udcc3\udca9")
    with pytest.raises(ValueError, match=r"^working folder .* run in a UTF-8 locale"):
        sweep_mod.check_ray_working_folder(None)
    sweep_mod.check_ray_working_folder("127.0.0.1:6379")  # a cluster: its own folders
