"""Probe 45's run-layer findings: a resume after tb/'s event files were deleted, the ledger's
score of a run whose curve lacks evaluations its results.json records."""

import dataclasses
import shutil

import pytest

from agents.cotrain import run_cotrain
from tests.agents.test_cotrain import _shared_model_cache, tiny_config, tiny_hopper  # noqa: F401


def test_resume_after_the_tb_event_files_were_deleted_is_one_error_before_the_setup(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
):
    """Probe 45 row 29: the event files deleted (tb/ kept) was resumed without a word; a
    ``tb/CURVES_LOST`` file made by hand continues."""
    from agents import cotrain

    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2)
    run_cotrain(cfg, run_dir)
    for f in (run_dir / "tb").iterdir():
        f.unlink()
    monkeypatch.setattr(cotrain, "build_session", lambda *a, **k: pytest.fail("setup ran"))
    resumed = dataclasses.replace(cfg, stop_at_iteration=None)
    with pytest.raises(FileNotFoundError) as refused:
        run_cotrain(resumed, run_dir, resume=True)
    tb = run_dir / "tb"
    assert str(refused.value) == (
        f"run_dir: {tb} holds no TensorBoard event file, but the run has 1 iteration(s) done: "
        "its logs were deleted or moved, and a resumed run would log only the later ones; "
        "restore tb/'s event files, or to continue without the earlier curves, say so: "
        f"mkdir -p {tb} && touch {tb / 'CURVES_LOST'} (the ledger then takes the run's score "
        "from its results.json)"
    )
    shutil.rmtree(tb)  # the missing-tb/ refusal gives the same way on
    with pytest.raises(FileNotFoundError, match=r"tb is missing: .* touch .*CURVES_LOST"):
        run_cotrain(resumed, run_dir, resume=True)
    tb.mkdir()
    (tb / "CURVES_LOST").touch()
    with pytest.raises(pytest.fail.Exception, match="setup ran"):  # past the check
        run_cotrain(resumed, run_dir, resume=True)


def test_the_ledger_scores_a_run_from_results_json_when_its_curve_lacks_evaluations(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    """Probe 45 row 29: was "last-10 mean" of the curve's last evaluation alone (6.1) while the
    run's results.json's final score over its evaluations was 3.7."""
    from rambo_env.ledger import last10_return, last_evaluated, update_ledger

    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, stop_at_iteration=2, n_iterations=3)
    run_cotrain(cfg, run_dir)  # evaluated at iteration 2 (eval_every 2)
    shutil.rmtree(run_dir / "tb")
    (run_dir / "tb").mkdir()
    (run_dir / "tb" / "CURVES_LOST").touch()
    results = run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), run_dir, resume=True)
    scores = [e["normalized_score"] for e in results["evals"] if e["iteration"] > 0]
    assert len(scores) == 2  # iterations 2 and 3; the curve has only 3
    capsys.readouterr()
    entry = update_ledger(run_dir, tmp_path / "ledger")
    assert entry.last10_score == pytest.approx(results["final_score"], rel=1e-6)
    assert entry.iterations == 3
    said = capsys.readouterr().out
    assert (
        f"[ledger] WARNING: {run_dir / 'tb'} lacks the evaluations of 1 iteration (2) that its "
        "results.json records (tb/CURVES_LOST: its curves were lost): the last-10 mean is taken "
        "from results.json" in said
    )
    assert last_evaluated(run_dir) == 3
    assert last10_return(run_dir) == pytest.approx(results["final_return"], rel=1e-6)


def test_a_sweep_config_whose_model_pool_cannot_fit_is_refused_before_ray(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
):
    """Probe 45 row 30: ``--configs 2000:3e-4`` (a 52 GiB model pool) started Ray and each trial
    errored on cotrain's memory check, leaving a sweep folder; cotrain refuses it at once."""
    pytest.importorskip("ray")  # without Ray the sweep stops first at the missing extra
    from agents import memory, sweep
    from rambo_env.presets import RamboPreset

    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 2**28)
    monkeypatch.setattr(sweep, "_fit", lambda *a, **k: pytest.fail("Ray started"))
    base = tiny_config(tiny_hopper, n_rollouts=50_000)
    spec = sweep.SweepSpec((tiny_hopper,), (RamboPreset(20, 3e-4),), (0,), base)
    with pytest.raises(ValueError) as refused:
        sweep.run_sweep(spec, tmp_path / "sw")
    assert str(refused.value).startswith(
        f"--configs 20:0.0003, dataset {tiny_hopper}: n_rollouts × rollout_length × "
        "retain_iterations: the model pool of 50000 × 20 × 5 = 5000000 rows needs ~"
    )
    assert not (tmp_path / "sw").exists()


def test_iteration_0_of_a_run_without_bc_is_called_the_initial_policy(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    """Probe 45 row 28: with ``--bc-epochs 0`` the closing summary said "BC warm start 1.2",
    curves.py "(and the BC warm start, iteration 0)" and the ledger's plot drew a "BC warm
    start" line: iteration 0 is then the untrained initial policy."""
    from rambo_env import ledger
    from tests.scripts import load_script

    cotrain_cli, curves = load_script("cotrain"), load_script("curves")
    run_dir = tmp_path / "run"
    results = run_cotrain(tiny_config(tiny_hopper, bc_epochs=0, n_iterations=1), run_dir)
    first = cotrain_cli.standing_lines(results, tmp_path / "none", bc_epochs=0)[0]
    assert first.startswith("where this stands (D4RL-normalised): initial policy (no BC warm ")
    assert "BC warm start" in cotrain_cli.standing_lines(results, tmp_path / "none")[0]
    capsys.readouterr()
    assert curves.main([f"a={run_dir}", "--out", str(tmp_path / "o" / "cmp")]) == 0
    said = capsys.readouterr().out
    assert "cmp-a.csv: 1 iteration (and the initial policy (no BC warm start), iteration 0)" in (
        said
    )
    drawn = {}
    real = ledger.plot_curves
    monkeypatch.setattr(
        ledger, "plot_curves", lambda *a, **k: drawn.update(k.get("hlines") or {}) or real(*a, **k)
    )
    ledger.update_ledger(run_dir, tmp_path / "ledger")
    assert list(drawn["normalized_score"]) == [
        "behaviour policy (dataset)",
        "initial policy (no BC warm start)",
    ]


def test_load_of_another_agent_kinds_zip_names_the_class_to_load_it_with(tmp_path):
    """Probe 45 row 34: the refusal of a zip saved by another algorithm said only "the class that
    saved it (agents.factory.AGENT_CLASSES)"; it names that class for every agent kind (SB3's own
    ``stable_baselines3.TD3.load`` is left as it is: README)."""
    from agents.factory import AGENT_CLASSES

    AGENT_CLASSES["sac"]("MlpPolicy", "Pendulum-v1", buffer_size=10, device="cpu").save(
        tmp_path / "sac.zip"
    )
    AGENT_CLASSES["ddpg"]("MlpPolicy", "Pendulum-v1", buffer_size=10, device="cpu").save(
        tmp_path / "ddpg.zip"
    )
    with pytest.raises(ValueError) as refused:
        AGENT_CLASSES["td3"].load(tmp_path / "sac.zip", device="cpu")
    assert str(refused.value) == (
        f"path: {tmp_path / 'sac.zip'}: an agent whose policy is a SACPolicy (saved by another "
        "algorithm), but TD3 uses a TD3Policy; load it with the class that saved it: "
        "agents.fused.FusedSAC.load (agents.factory.AGENT_CLASSES['sac'])"
    )
    for algo in ("sac", "tqc", "crossq"):  # TD3Policy: DDPG's settings tell which
        with pytest.raises(ValueError, match=r"agents\.factory\.DDPG\.load \(agents\.factory"):
            AGENT_CLASSES[algo].load(tmp_path / "ddpg.zip", device="cpu")
