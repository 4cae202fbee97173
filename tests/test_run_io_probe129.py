"""Probe 129 rows 2, 6, 9: a user's env's ImportError under MUJOCO_GL named a renderer failure
(and advised the backend already set); a lock with a later bare word read as stale; a value
ending in a carriage return blamed on a stray space."""

from __future__ import annotations

import pytest

from rambo_env import run_io


def test_an_error_without_a_graphics_sign_is_not_a_renderer_failure(monkeypatch):
    monkeypatch.setenv("MUJOCO_GL", "egl")
    for err in (
        ImportError("No module named pybullet_envs"),
        OSError("[Errno 2] No such file or directory: 'assets/robot.xml'"),
        RuntimeError("bad config"),
        AttributeError("'Foo' object has no attribute 'bar'"),
    ):
        assert run_io.renderer_failure(err, "MyEnv-v0") is None, err


def test_a_graphics_failure_never_advises_the_backend_already_set(monkeypatch):
    monkeypatch.setenv("MUJOCO_GL", "egl")
    said = run_io.renderer_failure(
        AttributeError("'NoneType' object has no attribute 'glGetError'"), "Hopper-v5"
    )
    assert "MUJOCO_GL=egl cannot start" in said and "or with MUJOCO_GL=egl" not in said
    monkeypatch.setenv("MUJOCO_GL", "osmesa")
    said = run_io.renderer_failure(ImportError("libOSMesa.so.8: cannot open"), "Hopper-v5")
    assert said.endswith("or with MUJOCO_GL=egl")


def test_a_graphics_failure_is_known_by_its_traceback_module(monkeypatch):
    monkeypatch.setenv("MUJOCO_GL", "osmesa")
    scope = {"__name__": "OpenGL.platform.baseplatform"}
    exec("def fail():\n    raise ImportError('cannot load the library')", scope)
    with pytest.raises(ImportError) as err:
        scope["fail"]()
    assert "MUJOCO_GL=osmesa cannot start" in run_io.renderer_failure(err.value, "Hopper-v5")


@pytest.mark.parametrize("later", ["futureflag", "clone=v9 42", "x=1 y 2 3 :4", "host=elsewhere"])
def test_a_live_lock_with_later_words_of_any_form_is_still_live(tmp_path, later):
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        start = run_io.process_start(child.pid)
        ident = run_io.folder_identity(tmp_path)
        words = [str(child.pid), *(w for w in (start, ident) if w), run_io.lock_place(), later]
        text = " ".join(words)
        assert run_io.lock_holder(text, tmp_path) == child.pid
        assert run_io.lock_elsewhere(text) is None  # the first host= word is the lock's
    finally:
        child.kill()
        child.wait()
    assert run_io.lock_holder(text, tmp_path) is None  # gone: stale as before


@pytest.mark.parametrize("what", ["dataset", "run_dir", "resume"])
def test_a_value_ending_in_a_carriage_return_names_it_and_crlf(what):
    with pytest.raises(ValueError) as refused:
        run_io.check_path_text("data/x.npz\r", what)
    said = str(refused.value)
    assert "carriage return" in said and "CRLF" in said and "dos2unix" in said
    assert "stray space" not in said
    with pytest.raises(ValueError, match="stray space"):  # a space is still one
        run_io.check_path_text("data/x.npz ", what)
