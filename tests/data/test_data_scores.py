"""D4RL normalised scores and the exact env tables; Minari metadata scores take precedence."""

from __future__ import annotations

import numpy as np
import pytest

from rambo_env.data import ENV_IDS, REF_SCORES, env_name_from_id, load_dataset, normalized_score
from rambo_env.data.minari_io import dataset_to_episodes, save_minari
from tests.data.data_helpers import make_dataset


@pytest.mark.parametrize(
    ("env", "low", "high"),
    [
        ("hopper", -20.272305, 3234.3),
        ("halfcheetah", -280.178953, 12135.0),
        ("walker2d", 1.629008, 4592.3),
    ],
)
def test_reference_returns_map_to_0_and_100(env, low, high):
    assert REF_SCORES[env] == (low, high)
    assert normalized_score(low, env) == pytest.approx(0.0)
    assert normalized_score(high, env) == pytest.approx(100.0)
    assert normalized_score(high, ENV_IDS[env]) == pytest.approx(100.0)  # Gymnasium id works too


def test_known_values_and_arrays():
    assert normalized_score(1607.013848, "hopper") == pytest.approx(50.0, abs=1e-6)
    np.testing.assert_allclose(
        normalized_score(np.array([-280.178953, 5927.4105235]), "halfcheetah"), [0.0, 50.0]
    )
    assert normalized_score(10.0, ref_min_score=0.0, ref_max_score=20.0) == pytest.approx(50.0)


def test_exact_tables_reject_lookalikes():
    assert ENV_IDS == {
        "hopper": "Hopper-v5",
        "halfcheetah": "HalfCheetah-v5",
        "walker2d": "Walker2d-v5",
    }
    assert env_name_from_id("Hopper-v5") == "hopper" and env_name_from_id("Hopper-v4") is None
    for bad in ("hopper2", "Hopper", "hop"):
        with pytest.raises(ValueError, match=f"env={bad!r} has no D4RL reference scores"):
            normalized_score(1.0, bad)


def test_minari_metadata_reference_scores_are_used():
    save_minari(
        "mujoco/hopper/expert-v0",
        dataset_to_episodes(make_dataset()),
        env_id="Hopper-v5",
        ref_min_score=-1.0,
        ref_max_score=3.0,
    )
    d = load_dataset("hopper-expert")
    assert (d.ref_min_score, d.ref_max_score) == (-1.0, 3.0)
    assert d.normalized_score(1.0) == pytest.approx(50.0)


def test_returns_that_are_not_numbers_are_named():
    """Probe 16: ``normalized_score("a", "hopper")`` (and ``OfflineDataset.normalized_score``)
    gave numpy's "could not convert string to float: 'a'"; complex returns lost their
    imaginary part with only a warning."""
    for returns in ("a", [1, "x"], 1 + 2j, None, [1.0, None], True):
        with pytest.raises(ValueError, match=r"^returns: expected a number or an array of numbers"):
            normalized_score(returns, "hopper")
    assert normalized_score([1, 2], "hopper").shape == (2,)


def test_reference_scores_and_env_of_the_wrong_type_are_named():
    """Probe 17: ``ref_min_score="0"`` was numpy's raw UFuncTypeError, ``nan`` gave a nan score
    without a word, ``env=["hopper"]`` a raw "unhashable type: 'list'"."""
    for kwargs, match in (
        ({"ref_min_score": "0", "ref_max_score": 1.0}, "ref_min_score: expected a finite number"),
        ({"ref_min_score": 0.0, "ref_max_score": float("nan")}, "ref_max_score: expected a fin"),
        ({"ref_min_score": True, "ref_max_score": 2.0}, "ref_min_score: expected a finite number"),
        ({"env": ["hopper"]}, "env: expected an env name or Gymnasium id"),
    ):
        with pytest.raises(ValueError, match=match):
            normalized_score(1.0, **kwargs)
    assert normalized_score(1.0, ref_min_score=0, ref_max_score=np.float32(2.0)) == 50.0


def test_non_finite_returns_are_named():
    """Probe 19: ``normalized_score(nan)`` returned nan and an inf return an inf score, silently."""
    with pytest.raises(ValueError, match=r"^returns: not finite \(nan\); a score needs finite"):
        normalized_score(float("nan"), "hopper")
    with pytest.raises(ValueError, match=r"^returns\[1\]: not finite \(inf\)"):
        normalized_score(np.array([1.0, np.inf]), "hopper")
    with pytest.raises(ValueError, match=r"^returns\[0, 1\]: not finite \(-inf\)"):
        normalized_score([[0.0, -np.inf]], ref_min_score=0.0, ref_max_score=1.0)


def test_an_unhashable_env_is_one_named_error():
    """Probe 21: ref_scores(["hopper"]) / env_name_from_id(["x"]) were a raw "unhashable type"."""
    from rambo_env.data.scores import ref_scores

    assert env_name_from_id(["Hopper-v5"]) is None
    with pytest.raises(ValueError, match=r"env=\['hopper'\] has no D4RL reference scores"):
        ref_scores(["hopper"])


def test_swapped_reference_returns_are_refused():
    """Probe 21: ``ref_min_score > ref_max_score`` (a swapped pair) gave a score of the wrong sign
    without a word; datasets already refused such metadata at load."""
    with pytest.raises(
        ValueError, match=r"ref_max_score=0.0 is below ref_min_score=100.0; .*swapped"
    ):
        normalized_score(50.0, ref_min_score=100.0, ref_max_score=0.0)
    with pytest.raises(ValueError, match=r"ref_max_score=1.0 equals ref_min_score=1.0"):
        normalized_score(50.0, ref_min_score=1.0, ref_max_score=1.0)
    assert normalized_score(50.0, ref_min_score=0.0, ref_max_score=100.0) == 50.0
