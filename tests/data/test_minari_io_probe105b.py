"""Probe 105 row 32: a Minari export of D4RL-layout data (next states derived, each time-limit row
dropped) reloads with the time limit its source had."""

from __future__ import annotations

import rambo_env
from rambo_env.data.d4rl_io import arrays_to_dataset
from rambo_env.data.loaders import _warn_short_time_limit
from rambo_env.data.minari_io import dataset_to_episodes, save_minari
from tests.data.test_loaders_probe104a import _d4rl_arrays


def test_export_of_derived_data_reloads_with_the_limit_it_ran(capsys):
    # probe 105 row 32: the reload was "9 of its 10 timeout episode(s) end at exactly 29 steps …
    # max_episode_steps=29?" for 30-step-limit data (the source's own load said 30)
    lengths = [30, 12, 30, 9, 30, 30, 14, 30, 20, *[30] * 6, 17]  # the last: cut by the budget
    falls = [False, True, False, True, False, False, True, False, True, *[False] * 7]
    source = arrays_to_dataset(
        _d4rl_arrays(lengths, falls), None, None, "test", {"env_id": "Hopper-v5"}
    )
    episodes = dataset_to_episodes(source, skip_unknown_final=True)
    capsys.readouterr()
    save_minari("p105b/hop/fromd4rl-v0", episodes, env_id="Hopper-v5")
    capsys.readouterr()
    data = rambo_env.load_dataset("p105b/hop/fromd4rl-v0")
    out = capsys.readouterr().out
    # not the bare "29": the Minari root's tmp path holds pytest's run counter (pytest-29/…)
    assert "exactly 29 steps" not in out and "max_episode_steps=29" not in out
    assert "end at exactly 30 steps" in out and "max_episode_steps=30?" in out
    assert data.metadata["timeout_step_dropped"] is True  # TIMEOUT_STEP_DROPPED
    capsys.readouterr()
    _warn_short_time_limit(data)
    assert "max_episode_steps=30?" in capsys.readouterr().out
    assert episodes.timeout_step_dropped
    again = dataset_to_episodes(data)  # re-exporting the export keeps the mark
    assert again.timeout_step_dropped
