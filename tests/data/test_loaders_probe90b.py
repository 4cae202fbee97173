"""Probe 90 (fix90b): time limits the data's timeouts show but do not record (rows 19, 20),
near-duplicate rows (row 31), and the origin said of a dataset's metadata (row 34)."""

from __future__ import annotations

import numpy as np
import pytest

from rambo_env import OfflineDataset
from rambo_env.data.loaders import _warn_duplicated_rows, _warn_short_time_limit


def _episodes(lengths: list[int], seed: int = 0, **meta) -> OfflineDataset:
    """Hopper-v5-shaped data of episodes of ``lengths`` steps, each ending in a timeout."""
    rng = np.random.default_rng(seed)
    n = sum(lengths)
    obs = rng.normal(size=(n, 11)).astype(np.float32)
    nxt = np.roll(obs, -1, axis=0)
    timeouts = np.zeros(n, bool)
    timeouts[np.cumsum(lengths) - 1] = True
    nxt[timeouts] = rng.normal(size=(int(timeouts.sum()), 11))  # the step's own last state
    return OfflineDataset.from_arrays(
        {
            "observations": obs,
            "actions": rng.uniform(-1, 1, (n, 3)).astype(np.float32),
            "rewards": rng.normal(size=n).astype(np.float32),
            "next_observations": nxt,
            "terminals": np.zeros(n, bool),
            "timeouts": timeouts,
        },
        env_id="Hopper-v5",
        name="p90",
        **meta,
    )


def test_timeouts_at_one_shorter_length_are_said_with_how_to_record_it(capsys):
    # probe 90 row 19: was silent (data of 50-step episodes evaluated with 1000-step episodes)
    data = _episodes([50] * 12 + [17])
    _warn_short_time_limit(data)
    out = capsys.readouterr().out
    assert "12 of its 13 timeout episode(s) end at exactly 50 steps (rows 49, 99, 149, …)" in out
    assert "Hopper-v5's time limit is 1000 steps: collected with max_episode_steps=50?" in out
    assert "metadata={'env_max_episode_steps': 50}" in out
    assert data.evaluation_env() == ("Hopper-v5", {}, None)  # said, not adopted
    recorded = _episodes([50] * 12 + [17], metadata={"env_max_episode_steps": 50})
    _warn_short_time_limit(recorded)
    assert capsys.readouterr().out == ""
    assert recorded.evaluation_env() == ("Hopper-v5", {}, 50)


def test_parts_of_two_time_limits_are_said(capsys):
    # probe 90 row 20: was silent (a 50-step part concatenated with a 1000-step part)
    _warn_short_time_limit(_episodes([50] * 10 + [1000] * 3 + [337]))
    out = capsys.readouterr().out
    assert "its episodes end at two time limits: 10 timeout episode(s) at 50 steps" in out
    assert "4 episode(s) run longer (3 timeout(s) at Hopper-v5's 1000-step limit)" in out


@pytest.mark.parametrize(
    "lengths",
    [
        [1000] * 16 + [250] * 16,  # lockstep envs (no falls) all cut by the budget at once
        [100] * 8,  # a budget smaller than one episode per env: every episode cut
        [1000] * 4 + [37, 512, 12, 800],  # cuts of odd lengths
        [1000] * 3 + [333] * 2 + [50, 60],  # a length shared by two only
    ],
)
def test_budget_cuts_are_not_taken_for_a_time_limit(lengths, capsys):
    _warn_short_time_limit(_episodes(lengths))
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("n", [16, 30, 100])
def test_data_of_short_timeout_episodes_alone_are_said(n, capsys):
    """Probe 57b: HalfCheetah data of 30 episodes, every one cut by a 100-step limit (no falls
    to part them into runs), were taken for the transition budget's cut at the end of the data
    and not said; so were 100 Reacher episodes of 3 steps. More such episodes than lockstep envs
    plausibly run (``_LOCKSTEP_ENVS``) are said, with the budget's reading up to
    ``_LOCKSTEP_MAX_ENVS``."""
    _warn_short_time_limit(_episodes([100] * n))
    out = capsys.readouterr().out
    assert f"{n} of its {n} timeout episode(s) end at exactly 100 steps" in out, out
    assert "collected with max_episode_steps=100?" in out
    lockstep = f"(or a part collected by {n} envs stepping in lockstep"
    assert (lockstep in out) == (n <= 64)


def test_rows_repeating_within_float16_rounding_are_said(capsys):
    # probe 90 row 31: was silent (a part concatenated with its float16 copy)
    part = _episodes([40] * 5)
    fields = ("observations", "actions", "rewards", "next_observations", "terminals", "timeouts")
    arrays = {k: getattr(part, k) for k in fields}
    rounded = {
        k: v.astype(np.float16).astype(np.float32) if v.dtype.kind == "f" else v
        for k, v in arrays.items()
    }
    both = OfflineDataset.from_arrays(
        {k: np.concatenate([arrays[k], rounded[k]]) for k in fields}, env_id="Hopper-v5"
    )
    capsys.readouterr()
    _warn_duplicated_rows(both)
    out = capsys.readouterr().out
    assert "200 of 400 rows repeat an earlier row within float16 rounding (first: row 200)" in out
    assert "exactly" not in out
    _warn_duplicated_rows(part)  # distinct rows: quiet
    # a repeated state with another action is no twin (reset states)
    same_state = dict(arrays, observations=np.repeat(arrays["observations"][:1], 200, axis=0))
    _warn_duplicated_rows(OfflineDataset.from_arrays(same_state, env_id="Hopper-v5"))
    assert "repeat an earlier row" not in capsys.readouterr().out


def test_metadata_origin_is_said_only_when_known():
    # probe 90 row 34: was "its metadata say hopper / random data (scripts/make_dataset.py)" for
    # metadata set by save_minari(extra_metadata={'level': 'random'})
    from agents.cotrain import CotrainConfig
    from agents.cotrain_setup import generated_by, resolve

    user = _episodes([40] * 5, metadata={"level": "random"})
    assert generated_by(user) is None
    made = {"level": "random", "seed": 0, "n_envs": 16, "n_workers": 2, "n_complete_episodes": 4}
    assert generated_by(_episodes([40] * 5, metadata=made)) == "scripts/make_dataset.py"
    with pytest.raises(ValueError) as err:
        resolve(
            CotrainConfig(dataset="p90/hopper/mixed2-v0"),
            "p90/hopper/mixed2-v0",
            metadata_name="hopper-random",
            metadata_from=generated_by(user),
        )
    assert "its metadata say hopper / random data: for hopper-random's preset" in str(err.value)
    assert "make_dataset" not in str(err.value)
