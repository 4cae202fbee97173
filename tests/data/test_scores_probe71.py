"""Probe 71 (rows 20, 24): the reference pair of a score (v4 ids, a replaced pair)."""

from __future__ import annotations

import pytest

from rambo_env.data.scores import REF_SCORES, d4rl_ref_env, normalized_score, ref_scores
from tests.data.data_helpers import make_dataset


@pytest.mark.parametrize("env_id", ["Hopper-v4", "HalfCheetah-v4", "Walker2d-v4"])
def test_v4_ids_have_the_pair_their_data_are_scored_with(env_id):
    # probe 71 row 24: was "env='Hopper-v4' has no D4RL reference scores" while load_dataset
    # scored Hopper-v4 data with hopper's pair (d4rl_ref_env('Hopper-v4') = 'hopper')
    assert ref_scores(env_id) == REF_SCORES[d4rl_ref_env(env_id)]
    high = REF_SCORES[d4rl_ref_env(env_id)][1]
    assert normalized_score(high, env_id) == pytest.approx(100.0)
    assert normalized_score(1000.0, env_id) == normalized_score(1000.0, env_id.replace("4", "5"))
    with pytest.raises(ValueError, match=r"no D4RL reference scores; valid envs: .*'Hopper-v4'"):
        ref_scores("Humanoid-v4")


def _generated_metadata(n_transitions: int) -> dict:
    """Metadata as the generator records them: scored on D4RL's hopper pair."""
    mean_return = 1240.0
    return {
        "n_transitions": n_transitions,
        "n_complete_episodes": 2,
        "mean_return": mean_return,
        "normalized_score": normalized_score(mean_return, "hopper"),
    }


def test_a_replaced_reference_pair_rescores_the_recorded_behaviour_score():
    # probe 71 row 20: data given ref pair 0 / 1000 kept the recorded D4RL-pair 38.7 as their
    # behaviour score (124.0 on their own pair), printed beside a run scored on 0 / 1000
    data = make_dataset(metadata=_generated_metadata(12), ref_min_score=0.0, ref_max_score=1000.0)
    assert not data.recorded_score_applies()
    assert data.recorded_returns_apply()
    assert data.behaviour_score() == pytest.approx(124.0)


def test_the_d4rl_pair_keeps_the_recorded_behaviour_score():
    low, high = REF_SCORES["hopper"]
    data = make_dataset(metadata=_generated_metadata(12), ref_min_score=low, ref_max_score=high)
    assert data.recorded_score_applies()
    assert data.behaviour_score() == data.metadata["normalized_score"]
    sliced = make_dataset(metadata=_generated_metadata(3000), ref_min_score=0.0, ref_max_score=1.0)
    assert not sliced.recorded_returns_apply()  # probe 64 row 50: the data's own returns
    assert sliced.behaviour_score() == pytest.approx(
        float(sliced.normalized_score(sliced.episode_returns().mean()))
    )
