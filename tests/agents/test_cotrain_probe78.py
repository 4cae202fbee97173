"""Probe 78 rows 15, 33: a run records its termination rule and evaluation env kwargs, and a
resume (or load_session) whose rule / env differ from the run's start says so once."""

from __future__ import annotations

import types

from agents.cotrain import say_setting_changed
from agents.cotrain_setup import termination_record
from rambo_env.dynamics.termination import TERMINATION_FNS, TerminationClassifier


def _session(env_id, rule, env_kwargs):
    dataset = types.SimpleNamespace(  # what termination_record reads of an OfflineDataset
        env_id=env_id,
        env_kwargs=env_kwargs,
        env_max_episode_steps=None,  # probe 81: none recorded
        evaluation_env=lambda: (env_id, env_kwargs, None),
    )
    mdp = types.SimpleNamespace(termination_fn=rule)
    return types.SimpleNamespace(
        dataset=dataset, resolved={"termination": termination_record(mdp, dataset)}
    )


def test_the_record_names_the_rule_and_kwargs() -> None:
    ant = _session("Ant-v5", TERMINATION_FNS["Ant-v5"], {"healthy_z_range": (0.3, 0.9)})
    record = ant.resolved["termination"]
    assert record["rule"].startswith("exact: ant_terminated(")
    assert record["env_kwargs"] == {"healthy_z_range": [0.3, 0.9]}
    learned = _session("Foo-v0", TerminationClassifier(3), {})
    assert learned.resolved["termination"]["rule"] == "learned classifier"
    assert _session("Hopper-v5", TERMINATION_FNS["Hopper-v5"], {}).resolved["termination"][
        "rule"
    ] == ("exact: hopper_terminated")


def test_a_resume_of_a_run_before_the_record_says_what_may_differ(capsys) -> None:
    # probe 78 row 15: a run started at 1862348 on Ant-v5 data (rollouts ended by the learned
    # classifier) resumed with ant_terminated without a word; row 33: its kwargs data were then
    # evaluated in another env
    session = _session("Ant-v5", TERMINATION_FNS["Ant-v5"], {"healthy_z_range": [0.3, 0.9]})
    say_setting_changed(session, {"dataset": {}}, 2)
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1
    assert "resumed at iteration 2 with a setting the run did not start with" in out
    assert "a run started before probe 77 ended Ant-v5 rollouts by a learned classifier" in out
    assert "gym.make('Ant-v5', **{'healthy_z_range': [0.3, 0.9]})" in out
    # Hopper's rule is as old as the project, and no kwargs: nothing to say
    hopper = _session("Hopper-v5", TERMINATION_FNS["Hopper-v5"], {})
    say_setting_changed(hopper, {"dataset": {}}, 2)
    assert capsys.readouterr().out == ""


def test_a_resume_whose_recorded_setting_differs_says_so(capsys) -> None:
    session = _session("Ant-v5", TERMINATION_FNS["Ant-v5"], {})
    start = {"termination": {"rule": "learned classifier", "env_kwargs": {}}}
    say_setting_changed(session, start, 3, "loaded")
    out = capsys.readouterr().out
    assert "WARNING: loaded at iteration 3" in out
    assert "termination rule 'learned classifier' -> 'exact: ant_terminated(" in out
    say_setting_changed(session, {"termination": session.resolved["termination"]}, 3)
    assert capsys.readouterr().out == ""
