"""Probe 88 (is the README's "When things go wrong" table still true?): ``load_session``'s
``run_dir``, and the model-cache lookup of an existing run (diagnose.py / load_session and
--resume) with ``RAMBO_ENV_CACHE`` naming a file or another absolute folder."""

from __future__ import annotations

import dataclasses
import re

import pytest

from agents.cotrain import load_session, run_cotrain
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)


@pytest.mark.parametrize("run_dir", [None, 5, 2.5])
def test_load_session_names_a_run_dir_that_is_not_a_path(run_dir):
    # probe 88 row 56: was pathlib's raw "TypeError: expected str, bytes or os.PathLike
    # object, not NoneType" (the README row promises run_cotrain's ValueError)
    with pytest.raises(ValueError, match=r"^run_dir: expected a folder path \(str / pathlib\.Path"):
        load_session(run_dir)


def test_an_existing_runs_model_cache_that_is_a_file_or_elsewhere_is_named_as_such(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
):
    """Probe 88 row 76: ``RAMBO_ENV_CACHE`` naming a file made diagnose.py (load_session) say
    the model "is not in the model cache …/cachefile … (a relative RAMBO_ENV_CACHE is read from
    the working folder); … and resume again": no word of the file, a relative path blamed for
    an absolute one, and "resume" said to a diagnose user."""
    cfg = tiny_config(tiny_hopper, n_iterations=2, stop_at_iteration=1)
    run = tmp_path / "run"
    run_cotrain(cfg, run)
    cachefile, other = tmp_path / "cachefile", tmp_path / "other"
    cachefile.write_text("")
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(cachefile))
    with pytest.raises(ValueError) as info:
        load_session(run)
    assert str(info.value) == (
        f"RAMBO_ENV_CACHE: model cache {cachefile} is not a folder; set RAMBO_ENV_CACHE to a "
        "writable folder"
    )
    with pytest.raises(ValueError, match=re.escape(f"model cache {cachefile} is not a folder")):
        run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), run, True)
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(other))  # absolute: no relative path to blame
    for call, again in (
        (lambda: load_session(run), "and rerun"),
        (lambda: run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), run, True),
         "and resume again"),
    ):  # fmt: skip
        with pytest.raises(ValueError) as info:
            call()
        said = str(info.value)
        assert said.startswith(
            f"RAMBO_ENV_CACHE: the run's dynamics model is not in the model cache {other}, "
        ), said
        assert "relative" not in said and said.endswith(again), said
    assert not other.exists()  # refused before the cache folder was made
