"""Probe 146 row 28: config.json's ``resolved.versions`` and results.json's ``session_versions``
held torch, stable-baselines3, gymnasium … but not sb3-contrib, whose code TQC and CrossQ are, so
two tqc / crossq runs under sb3-contrib 2.7 and 2.9 (the declared range) looked the same."""

from __future__ import annotations

from types import SimpleNamespace

import sb3_contrib

from agents import cotrain, cotrain_setup


def _session(versions):
    return SimpleNamespace(
        cfg=SimpleNamespace(compiles=False),
        session_settings=[],
        session_versions=versions,
        resolved={"versions": cotrain_setup.library_versions()},  # as build_session reads them
    )


def test_the_versions_record_sb3_contrib():
    # probe 146: was absent
    now = cotrain_setup.library_versions()
    assert now["sb3_contrib"] == sb3_contrib.__version__
    assert cotrain.session_record(_session([now]))["session_versions"] == [now]


def test_a_resume_under_another_sb3_contrib_says_so(capsys):
    now = cotrain_setup.library_versions()
    cotrain._say_versions_changed(_session([{**now, "sb3_contrib": "2.7.0"}]))
    out = capsys.readouterr().out
    assert f"sb3_contrib 2.7.0 -> {now['sb3_contrib']}" in out
    assert out.count("\n") == 1


def test_a_run_recorded_before_the_key_resumes_without_a_versions_note(capsys):
    now = cotrain_setup.library_versions()
    last = {k: v for k, v in now.items() if k != "sb3_contrib"}  # a run written before probe 146
    cotrain._say_versions_changed(_session([last]))
    assert capsys.readouterr().out == ""
    assert cotrain._saved_versions({"session_versions": [last]}) == [last]
