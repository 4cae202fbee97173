"""Probe 141, cotrain.py: ``--real-ratio 1 --lam 0`` (the agent trains on the real data alone;
the model rollouts are still made) and a run whose gradient steps never reach TD3's / CrossQ's
delayed actor update ran without a word; a RamboCallback's own non-finite-actor error is a
divergence of the agent's gradient steps, as torch's was."""

from __future__ import annotations

import json

from agents.callback import NonFiniteActorError
from agents.cotrain import failure_kind, failure_message
from agents.cotrain_setup import warn_idle_actor
from tests.agents.test_cotrain import _shared_model_cache, tiny_hopper  # noqa: F401 (fixtures)
from tests.agents.test_cotrain_probe33 import _tiny_argv, cotrain_cli


def test_real_data_only_and_an_idle_actor_are_said_at_the_start(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
    recwarn,
):
    run_dir = tmp_path / "run"
    argv = _tiny_argv(
        tiny_hopper, run_dir, "--real-ratio", "1", "--lam", "0", "--algo", "td3",
        "--iterations", "1", "--agent-steps-per-iteration", "1",
    )  # fmt: skip
    assert cotrain_cli.main(argv) == 0
    out = capsys.readouterr().out
    real = out.index("[cotrain] note: real_ratio f = 1: every agent batch is real data")
    assert "the model rollouts are still made each iteration" in out
    idle = out.index(
        "[cotrain] WARNING: td3 updates its actor only at every policy_delay-th gradient step (policy_delay 2, "
    )
    assert "the run takes 1 (1 iteration(s) × 1 agent steps)" in out
    # before the work: the MLE pretraining and the warm start come after both
    assert max(real, idle) < out.index("BC warm start")
    # said once: the RamboCallback does not say it again at learn start
    assert not [w for w in recwarn if "policy_delay" in str(w.message)]
    assert json.loads((run_dir / "results.json").read_text())["status"] == "finished"


def test_the_idle_actor_warning_counts_the_runs_gradient_steps(capsys):
    assert warn_idle_actor("crossq", 1, 2)  # CrossQ's delay 3 > 2 steps
    assert "(policy_delay 3, SB3's default)" in capsys.readouterr().out
    assert not warn_idle_actor("crossq", 3, 1)  # 3 steps: one actor update
    assert not warn_idle_actor("ddpg", 1, 1)  # DDPG updates its actor every step
    assert not warn_idle_actor("sac", 1, 1)
    assert capsys.readouterr().out == ""


def test_the_callbacks_non_finite_actor_error_is_a_divergence():
    err = NonFiniteActorError(
        "agent: the actor's weights (mu.weight) became non-finite in the agent's gradient steps "
        "of iteration 3 (by update 30), before the adversary's phase: …"
    )
    what, how = failure_message(err, 3, "the agent's gradient steps")
    assert what.startswith(
        "the run diverged in iteration 3 (the agent's gradient steps): agent: the actor's weights"
    )
    assert "torch:" not in what and "from before the divergence" in how
    assert failure_kind(err, "the agent's gradient steps") == "diverged"
