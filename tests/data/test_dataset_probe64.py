"""Probe 64 row 50: the behaviour score of a slice of a generated dataset that kept its metadata."""

import pytest

from rambo_env.data.dataset import OfflineDataset
from rambo_env.data.scores import REF_SCORES
from tests.data.data_helpers import make_arrays


def test_a_slice_that_kept_the_generators_metadata_scores_its_own_rows():
    """Was the generator's recorded 38.7 (of its 3000 rows) for the first 10 rows."""
    a = make_arrays([5, 5], terminal_last=[True, True])
    meta = {"env_id": "Hopper-v5", "ref_min_score": 0.0, "ref_max_score": 10.0}
    recorded = {"n_transitions": 3000, "normalized_score": 38.7, "n_complete_episodes": 3}
    sliced = OfflineDataset.from_arrays(a, **meta, metadata=dict(recorded))
    own = float(sliced.normalized_score(sliced.episode_returns().mean()))
    assert sliced.behaviour_score() == pytest.approx(own)
    assert own != pytest.approx(38.7)
    # the recorded score is of these data (on D4RL's pair, as the generator scores: probe 71
    # row 20, a recorded score on another pair than the data's is not theirs)
    d4rl = {
        **meta,
        "ref_min_score": REF_SCORES["hopper"][0],
        "ref_max_score": REF_SCORES["hopper"][1],
    }
    whole = OfflineDataset.from_arrays(a, **d4rl, metadata={**recorded, "n_transitions": 10})
    assert whole.behaviour_score() == 38.7
    cut = {**recorded, "n_complete_episodes": 0}  # the original's episodes all cut: not these
    assert OfflineDataset.from_arrays(a, **meta, metadata=cut).behaviour_score() == pytest.approx(
        own
    )
