"""Probe 93 (fix93a): false alarms of probe 90's data checks (a lockstep budget cut taken for a
time limit, row 30; large-magnitude rows taken for a float16 copy, row 47) and small parts of
another scale the 100 sampled rows missed (rows 53, 54)."""

from __future__ import annotations

import numpy as np

from rambo_env import OfflineDataset
from rambo_env.data.loaders import _warn_duplicated_rows, _warn_short_time_limit
from tests.data.test_loaders_probe90 import _load, cat, roll
from tests.data.test_loaders_probe90b import _episodes


def test_a_lockstep_budget_cut_part_before_another_part_is_no_time_limit(capsys):
    # probe 93 row 30: was "its episodes end at two time limits: 4 timeout episode(s) at 500
    # steps ... record it (... 500 ...)" for make_dataset.py --n-transitions 2000 --n-envs 4 (4
    # lockstep envs cut at 500 steps) concatenated with another part
    _warn_short_time_limit(_episodes([500] * 4 + [600]))
    _warn_short_time_limit(_episodes([300] * 8 + [1000] * 2 + [77]))
    assert capsys.readouterr().out == ""


def test_a_run_as_long_as_many_lockstep_envs_names_that_reading(capsys):
    _warn_short_time_limit(_episodes([50] * 20 + [1000] * 2 + [337]))
    out = capsys.readouterr().out
    assert "two time limits: 20 timeout episode(s) at 50 steps" in out
    assert "or a part collected by 20 envs stepping in lockstep" in out
    # a shorter limit among other ends (several runs): said without that reading
    _warn_short_time_limit(_episodes([50, 50, 31, 50, 50, 22, 50, 50, 13]))
    out = capsys.readouterr().out
    assert "6 of its 9 timeout episode(s) end at exactly 50 steps" in out
    assert "lockstep" not in out


def _twins_free(rows: int, x: np.ndarray, action: np.ndarray) -> OfflineDataset:
    timeouts = np.zeros(rows, bool)
    timeouts[9::10] = True
    return OfflineDataset.from_arrays(
        {
            "observations": np.c_[x, np.zeros_like(x)].astype(np.float32),
            "actions": action.astype(np.float32),
            "rewards": np.zeros(rows, np.float32),
            "next_observations": np.c_[x + 0.25, np.zeros_like(x)].astype(np.float32),
            "terminals": np.zeros(rows, bool),
            "timeouts": timeouts,
        },
        name="big",
    )


def test_distinct_large_magnitude_rows_are_no_float16_copy(capsys):
    # probe 93 row 47: was "616 of 1000 rows repeat an earlier row within float16 rounding" for
    # distinct float32 rows at x ~ 2000 (float16 spacing 1 to 2 there)
    n = 1000
    x = 2000 + 0.25 * np.arange(n)
    _warn_duplicated_rows(_twins_free(n, x, np.ones((n, 1))))
    rng = np.random.default_rng(0)  # states a few float16 steps apart, near-equal actions
    x = 2000 + rng.uniform(0, 40, n)
    _warn_duplicated_rows(_twins_free(n, x, np.round(rng.uniform(0, 1, (n, 1)), 1)))
    assert "repeat an earlier row" not in capsys.readouterr().out


def test_a_small_part_of_another_scale_is_named(capsys):
    # probe 93 rows 53, 54: 67 rows (2.2 %) after 3000: ~2 of the 100 sampled rows fell in the
    # part; rewards x10 were "another reward, or shuffled rows?", actions x0.5 silent (here 50
    # rows, 1.6 %: 4 of the 100 sampled rows)
    main = roll("Hopper-v5", 3000, seed=0)
    part = roll("Hopper-v5", 50, seed=1)
    scaled = dict(part, rewards=part["rewards"] * 10)
    out = _load(cat(main, scaled), capsys)
    assert "a part of its rows, rows ~" in out and "-3049" in out, out
    assert "x10 the scale" in out and "shuffled" not in out, out
    halved = dict(part, actions=part["actions"] * 0.5)
    out = _load(cat(main, halved), capsys)
    assert "a part of the data, rows ~" in out and "actions are 0.5x the env's" in out, out
