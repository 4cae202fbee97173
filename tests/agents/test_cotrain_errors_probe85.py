"""Probe 85: a Python exception (not a kill) in co-training ended ``scripts/cotrain.py`` with a
bare traceback or a one-line input error that never said the run's checkpoint was kept."""

from __future__ import annotations

import pytest

import agents.cotrain as cotrain_mod
from tests.agents.test_cotrain import _shared_model_cache, tiny_hopper  # noqa: F401 (fixtures)
from tests.agents.test_cotrain_probe33 import _tiny_argv, cotrain_cli


def _failing_evaluate(error: Exception, monkeypatch) -> None:
    """The run's evaluation raises ``error`` from its second call (iteration 1 is checkpointed
    and evaluated first, then iteration 2's evaluation fails)."""
    real, calls = cotrain_mod._evaluate, []

    def evaluate(session, iteration):
        calls.append(iteration)
        if len(calls) >= 3:  # warm start (0), iteration 1, then iteration 2
            raise error
        return real(session, iteration)

    monkeypatch.setattr(cotrain_mod, "_evaluate", evaluate)


@pytest.mark.parametrize(
    ("error", "code"),
    [(RuntimeError("injected"), 1), (ValueError("Expected parameter loc … invalid values"), 1)],
)
def test_an_error_in_co_training_says_the_checkpoint_is_kept(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
    error,
    code,
):
    # probe 85 rows 2, 25: was a bare traceback / "error: Expected parameter loc …", no word of
    # the checkpoint of iteration 1
    run_dir, real = tmp_path / "run", cotrain_mod._evaluate
    _failing_evaluate(error, monkeypatch)
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--iterations", "3")) == code
    err = capsys.readouterr().err
    assert "the run stopped on this error" in err
    assert "the last checkpoint (iteration 1) is kept" in err  # probe 85a: which one, status failed
    assert f"python scripts/cotrain.py --resume {run_dir}" in err
    if isinstance(error, RuntimeError):
        assert "Traceback" in err and "RuntimeError: injected" in err  # a bug keeps its trace
    monkeypatch.setattr(cotrain_mod, "_evaluate", real)
    capsys.readouterr()
    # a refusal before training on resume (its checkpoint is older): no such line
    assert cotrain_cli.main(["--resume", str(run_dir), "--stop-at-iteration", "1"]) == 2
    err = capsys.readouterr().err
    assert "stop_at_iteration" in err and "its last checkpoint is kept" not in err
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 0  # and the run finishes
