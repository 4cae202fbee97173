"""Probe 98 row 4: a λ left to the preset (``--lam`` not given, or ``--lam none``) is said at the
start of the run."""

from __future__ import annotations

import pytest

from agents.cotrain import CotrainConfig
from agents.cotrain_setup import build_session
from tests.agents.test_cotrain_setup_probe79 import _hopper_npz


def _cfg(path: str, **changes) -> CotrainConfig:
    base = dict(
        dataset=path,
        rollout_length=2,
        n_iterations=1,
        agent_steps_per_iteration=2,
        adversary_steps_per_iteration=2,
        n_rollouts=8,
        bc_epochs=1,
        bc_max_steps=1,
        ensemble_hidden=8,
        mle_max_epochs=1,
        torch_threads=1,
        progress=False,
    )
    return CotrainConfig(**{**base, **changes})


@pytest.mark.parametrize("lam", [None, 1e-3])
def test_the_preset_lambda_is_said_at_the_start(tmp_path, monkeypatch, capsys, lam):
    # probe 98 row 4: was said only in the closing line ("finished: … (k=2, λ=0.0003)"), so
    # --lam none, meant as "no adversary", trained with the preset's λ = 3e-4 unseen
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "cache"))
    path = _hopper_npz(tmp_path / "hopper-medium.npz", "hopper-medium", None)
    session = build_session(_cfg(path, adversary_weight=lam))
    out = capsys.readouterr().out
    line = "[cotrain] λ = 0.0003 (preset hopper-medium; --lam 0 turns the adversary off)"
    if lam is None:
        assert session.resolved["adversary_weight"] == 3e-4
        assert out.count(line) == 1
    else:  # given: nothing to say
        assert "[cotrain] λ =" not in out
