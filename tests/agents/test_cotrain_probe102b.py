"""Probe 102 rows 9, 12: a resume under other library versions (a requeue onto another node, an
upgrade) said nothing and recorded nothing; a bf16 run resumed on a CPU without native bf16 was
told "use --precision fp32 here", which --resume refuses."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from agents import cotrain, cotrain_setup
from agents.cotrain_setup import CotrainConfig

OLD = {
    "rambo_env": "0.0.9",
    "torch": "2.1.0+cu121",
    "stable_baselines3": "2.1.0",
    "gymnasium": "0.29.1",
}


def _session(versions):
    return SimpleNamespace(
        cfg=SimpleNamespace(compiles=False),
        session_settings=[],
        session_versions=versions,
        resolved={"versions": cotrain_setup.library_versions()},  # as build_session reads them
    )


def test_a_resume_under_other_versions_says_which_saved_to_now(capsys):
    # probe 102 row 9: was no word (torch 2.1.0 -> 2.13.0 went on silently)
    cotrain._say_versions_changed(_session([OLD]))
    out = capsys.readouterr().out
    now = cotrain_setup.library_versions()
    assert out.startswith("[cotrain] note: ") and out.count("\n") == 1, out
    assert f"torch 2.1.0+cu121 -> {now['torch']}" in out
    assert f"gymnasium 0.29.1 -> {now['gymnasium']}" in out
    cotrain._say_versions_changed(_session([now]))  # the same versions: nothing to say
    cotrain._say_versions_changed(_session([]))  # none recorded: nothing to claim
    assert capsys.readouterr().out == ""


def test_each_session_s_versions_are_recorded():
    # probe 102 row 9: results.json / the checkpoint recorded only threads and compile
    now = cotrain_setup.library_versions()
    assert cotrain.session_record(_session([OLD]))["session_versions"] == [OLD, now]
    assert cotrain.session_record(_session([now]))["session_versions"] == [now]
    assert all(type(v) is str for v in now.values())  # torch's TorchVersion: no weights_only load
    assert cotrain.session_record(_session([]))["session_versions"] == [now]
    # an optional key: a record without it (or a garbled one) is read as none
    assert cotrain._saved_versions({}) == []
    assert cotrain._saved_versions({"session_versions": "torch 2"}) == []
    assert cotrain._saved_versions({"session_versions": [OLD]}) == [OLD]


class _Stop(Exception):
    pass


@pytest.mark.parametrize("existing", [True, False])
def test_the_emulated_bf16_advice_is_one_a_resume_can_take(monkeypatch, capsys, existing):
    # probe 102 row 12: a resumed run was told "use --precision fp32 here", which --resume refuses
    import rambo_env.dynamics.ensemble as ensemble
    import rambo_env.model as model

    monkeypatch.setattr(ensemble, "native_bf16", lambda device: False)

    def stop(*args, **kwargs):
        raise _Stop

    monkeypatch.setattr(model, "make_mdp", stop)
    cfg = CotrainConfig(precision="bf16", device="cpu")
    dataset = SimpleNamespace(fingerprint=lambda: "0123456789abcdef")
    with pytest.raises(_Stop):
        cotrain_setup._make_mdp(cfg, dataset, from_checkpoint=existing)
    out = capsys.readouterr().out
    assert "[cotrain] WARNING: precision bf16" in out
    if existing:
        assert "use --precision fp32 here" not in out
        assert "fixed by its saved config" in out and "new run with --precision fp32" in out
    else:
        assert "use --precision fp32 here" in out
