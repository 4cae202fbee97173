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


def test_the_behaviour_return_is_the_recorded_or_the_data_s_own_mean_return():
    """Session 56: :meth:`OfflineDataset.behaviour_return`, the raw number a run on data without
    reference scores shows beside its returns: the generator's recorded ``mean_return`` where
    its metadata are of these rows, else the rows' own mean episode return; None where the
    generator cut every episode. :meth:`behaviour_score` is its normalised score."""
    a = make_arrays([5, 5], terminal_last=[True, True])
    plain = OfflineDataset.from_arrays(a, env_id="Pendulum-v1")  # no reference scores
    own = float(plain.episode_returns().mean())
    assert plain.behaviour_score() is None and plain.behaviour_return() == pytest.approx(own)
    recorded = {"n_transitions": 10, "mean_return": 1467.3, "n_complete_episodes": 2}
    mine = OfflineDataset.from_arrays(a, env_id="Pendulum-v1", metadata=recorded)
    assert mine.behaviour_return() == 1467.3
    other_rows = {**recorded, "n_transitions": 3000}  # a slice that kept the metadata: its own
    assert OfflineDataset.from_arrays(a, metadata=other_rows).behaviour_return() == pytest.approx(
        own
    )
    cut = {**recorded, "n_complete_episodes": 0}
    assert OfflineDataset.from_arrays(a, metadata=cut).behaviour_return() is None
    assert plain.shown_behaviour() == plain.behaviour_return()  # scored by return alone
    hopper = OfflineDataset.from_arrays(a, env_id="Hopper-v5")  # D4RL's pair: a score, none here
    assert hopper.score_label() != "no reference scores (raw returns only)"
    assert hopper.shown_behaviour() is None
    scored = OfflineDataset.from_arrays(a, ref_min_score=0.0, ref_max_score=10.0)
    assert scored.shown_behaviour() == scored.behaviour_score()
    assert scored.behaviour_score() == pytest.approx(
        float(scored.normalized_score(scored.behaviour_return()))
    )
