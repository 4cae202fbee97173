"""Probe 57's findings in the scripts and small APIs: diagnose.py on a diverged run, a flag given
twice shown as typed, a dataset name as normalized_score's env, an empty hidden_dims, an agent
saved into a folder that cannot hold files, bench.py --quick's help."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from tests.scripts import load_script


class _Stop(Exception):
    """Ends a diagnosis after its load (the rollouts need MuJoCo and a dataset)."""


def test_diagnose_says_the_run_diverged_and_which_checkpoint_it_diagnoses(
    tmp_path, capsys, monkeypatch
):
    """Probe 57 row 46: ``diagnose.py RUN`` on a run that diverged at iteration 1 said "at
    iteration 0" without a word of the divergence (curves.py and the ledger say it)."""
    diagnose = load_script("diagnose")
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"config": {"n_iterations": 2}}))
    reason = "adversary: the dynamics model's weights became non-finite"
    (run / "results.json").write_text(
        json.dumps({"status": "diverged", "diverged_at": {"iteration": 1, "reason": reason}})
    )
    session = SimpleNamespace(
        dataset=SimpleNamespace(env_id="Hopper-v5", name="hopper-medium"),
        mdp=SimpleNamespace(obs_dim=11, action_dim=3, device="cpu"),
        k=5,
        agent=None,
    )
    monkeypatch.setattr(diagnose, "policy_fns", lambda agent: None)
    monkeypatch.setattr(diagnose, "_check_has_real_env", lambda run_dir: None)
    from agents.cotrain import say_if_diverged

    def load_session(run_dir, **kwargs):  # the real one's note (probe 58 row 59), not its load
        say_if_diverged(run_dir, 0)
        return session, SimpleNamespace(iteration=0)

    monkeypatch.setattr(diagnose, "load_session", load_session)

    def stop(*args, **kwargs):
        raise _Stop

    monkeypatch.setattr(diagnose, "model_vs_simulator", stop)
    with pytest.raises(_Stop):
        diagnose.main([str(run), "--n-starts", "20", "--n-episodes", "1", "--max-steps", "50"])
    out = capsys.readouterr().out
    assert (
        f"[cotrain] {run} diverged at iteration 1 of 2 (results.json: {reason}): loading its "
        "last good checkpoint, iteration 0"
    ) in out, out
    # A run that did not diverge: no such line.
    (run / "results.json").write_text(json.dumps({"status": "complete"}))
    with pytest.raises(_Stop):
        diagnose.main([str(run), "--n-starts", "20", "--n-episodes", "1", "--max-steps", "50"])
    assert "diverged" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("script", "argv", "expected"),
    [
        ("sweep", ["--seeds", "0", "--seeds", "1"], "--seeds given twice (0 vs 1); give it once"),
        (
            "sweep",
            ["--datasets", "hopper-medium", "--datasets", "hopper-random"],
            "--datasets given twice (hopper-medium vs hopper-random)",
        ),
        ("cotrain", ["--seed", "1e3", "--seed", "-1"], "--seed given twice (1e3 vs -1)"),
        (
            "cotrain",
            ["--lam", "3e-4", "--adversary-weight", "0"],
            "--lam and --adversary-weight both given (3e-4 vs 0); give one",
        ),
    ],
)
def test_a_flag_given_twice_shows_its_values_as_typed(script, argv, expected, capsys):
    """Probe 57 row 3: ``sweep.py --seeds 0 --seeds 1`` said "--seeds given twice ((0,) vs
    (1,))", the parsed tuples; every script now shows the values as typed."""
    with pytest.raises(SystemExit) as exit_info:
        load_script(script).build_parser().parse_args(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert expected in err, err


@pytest.mark.parametrize(
    ("name", "env"),
    [("hopper-medium", "hopper"), ("walker2d-medium-replay-v2", "walker2d")],
)
def test_normalized_score_of_a_dataset_name_suggests_its_env(name, env):
    """Probe 57 row 25: ``normalized_score(100.0, 'hopper-medium')`` (the name every other API
    takes) listed the valid envs without saying that the env is ``'hopper'``."""
    import rambo_env

    with pytest.raises(ValueError) as err:
        rambo_env.normalized_score(100.0, name)
    assert f"env={name!r} is a dataset name; did you mean env={env!r}?" in str(err.value)
    with pytest.raises(ValueError) as err:  # no such env: the list, no guess
        rambo_env.normalized_score(100.0, "ant-medium")
    assert "did you mean" not in str(err.value)
    assert "'ant-medium' has no D4RL reference scores; valid envs: [" in str(err.value)


def test_an_empty_hidden_dims_says_it_gives_no_hidden_layer():
    """Probe 57 row 27: ``EnsembleConfig(hidden_dims=())`` said "hidden_dims must be positive,
    got ()", which an empty tuple is not said to break."""
    from rambo_env.dynamics.ensemble import EnsembleConfig

    with pytest.raises(ValueError) as err:
        EnsembleConfig(hidden_dims=())
    assert (
        "EnsembleConfig.hidden_dims: expected at least one hidden layer width, got () (an empty "
        "tuple gives no hidden layer, which the model does not build); give e.g. (200,)"
    ) in str(err.value)
    with pytest.raises(ValueError) as err:
        EnsembleConfig(hidden_dims=(200, 0))
    assert "EnsembleConfig.hidden_dims: expected layer widths >= 1, got (200, 0)" in str(err.value)


@pytest.mark.skipif(not __import__("os").path.isdir("/proc/self"), reason="Linux /proc")
def test_a_folder_that_cannot_hold_files_is_not_said_to_be_missing(capsys):
    """Probe 57 row 20: ``agent.save('/proc/x.zip')`` (and ``bench.py --json /proc/x.json``) said
    "the folder /proc is not writable (No such file or directory)" of a folder that exists."""
    from agents.fused import _atomic_save

    with pytest.raises(ValueError) as err:
        _atomic_save(lambda file: pytest.fail("saved"), "/proc/x.zip", ".zip", "agent")
    assert (
        "path: the folder /proc is not writable (it exists, but cannot create files there); save "
        "the agent into a writable folder"
    ) in str(err.value)
    assert "No such file" not in str(err.value)
    with pytest.raises(SystemExit):
        load_script("bench").main(["--quick", "--json", "/proc/x.json"])
    err = capsys.readouterr().err
    assert "--json: folder /proc is not writable (it exists, but cannot create files there)" in err


def test_bench_quick_help_says_about_a_minute(capsys):
    """Probe 57 row 59: ``--quick``'s help said "seconds"; it took 73 s on a loaded 2-core
    machine."""
    with pytest.raises(SystemExit):
        load_script("bench").main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "tiny sizes (a smoke test: about a minute on 2 CPU cores)" in out, out
    assert "smoke test; seconds" not in out
