"""Probe 103 row 30: the generator's budget cuts of its own medium-expert data are no time limit."""

from __future__ import annotations

from rambo_env.data.loaders import _warn_short_time_limit
from tests.data.test_loaders_probe90b import _episodes

# make_dataset.py --level medium-expert --n-transitions 1001 --workers 2 --n-envs 3: per part
# shares of 501 / 500 rows over 3 lockstep envs, every episode cut by the budget
PART = [167, 167, 167, 167, 167, 166]
GENERATED = {
    "level": "medium-expert",
    "seed": 0,
    "n_envs": 3,
    "n_workers": 2,
    "n_transitions": 2002,
    "n_episodes": 12,
    "n_complete_episodes": 0,
    "mean_return": None,
}


def test_generated_medium_expert_budget_cuts_are_not_a_time_limit(capsys):
    # probe 103 row 30: was "10 of its 12 timeout episode(s) end at exactly 167 steps …
    # collected with max_episode_steps=167? … record it" (advice that scores 167-step episodes)
    _warn_short_time_limit(_episodes(PART * 2, metadata=GENERATED))
    assert capsys.readouterr().out == ""
    single = {**GENERATED, "level": "medium", "n_transitions": 1001}
    _warn_short_time_limit(_episodes(PART, metadata=single))
    assert capsys.readouterr().out == ""


def test_foreign_data_of_a_shorter_limit_still_warned(capsys):
    _warn_short_time_limit(_episodes(PART * 2))  # the same episodes, no generator's metadata
    assert "end at exactly 167 steps" in capsys.readouterr().out
    _warn_short_time_limit(_episodes([50] * 12 + [17]))
    assert "collected with max_episode_steps=50?" in capsys.readouterr().out
    # more such episodes than the generator's budget can cut (1 env, 1 worker): still said
    one_env = {**GENERATED, "level": "medium", "n_envs": 1, "n_workers": 1, "n_transitions": 617}
    _warn_short_time_limit(_episodes([50] * 12 + [17], metadata=one_env))
    assert "collected with max_episode_steps=50?" in capsys.readouterr().out
    # the generator's metadata kept on data of another size (a subset): not taken as its cuts
    _warn_short_time_limit(_episodes([50] * 12 + [17], metadata=GENERATED))
    assert "collected with max_episode_steps=50?" in capsys.readouterr().out
