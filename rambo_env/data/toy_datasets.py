"""Offline datasets of the paper's toy problems (App. C.1, App. C.3) as :class:`OfflineDataset`.

Reference scores (for ``normalized_score``, D4RL convention 0 = random, 100 = best): the expected
return of the uniformly random policy on ``[-1, 1]`` and of the optimal policy, both computed in
closed form from the true dynamics in :mod:`rambo_env.envs.toys`.
"""

from __future__ import annotations

import numpy as np

from rambo_env.data.dataset import OfflineDataset
from rambo_env.envs.toys import (
    ILLUSTRATIVE_HORIZON,
    ILLUSTRATIVE_ID,
    ILLUSTRATIVE_IN_RANGE,
    SINGLE_TRANSITION_BANDS,
    SINGLE_TRANSITION_ID,
    SINGLE_TRANSITION_OTHER,
    IllustrativeMDP,
    SingleTransitionEnv,
)
from rambo_env.host_limits import available_memory_bytes, memory_error
from rambo_env.run_io import check_seed

__all__ = [
    "ILLUSTRATIVE_REF_SCORES",
    "SINGLE_TRANSITION_ACTION_BANDS",
    "SINGLE_TRANSITION_REF_SCORES",
    "make_illustrative_dataset",
    "make_single_transition_dataset",
]

#: App. C.1 dataset actions: uniform on the union of these intervals. The paper prints the first
#: one as "[-0.75, 0.7]", an obvious typo for [-0.75, -0.7] (it would overlap the other three and
#: Fig. 1 shows four narrow clusters, one inside each transition band).
SINGLE_TRANSITION_ACTION_BANDS: tuple[tuple[float, float], ...] = (
    (-0.75, -0.7),
    (-0.15, -0.1),
    (0.1, 0.15),
    (0.7, 0.75),
)


def _single_transition_random_return() -> float:
    """E[s'] under a ~ U[-1, 1]: band probability (width / 2) times its mean, 0.5 elsewhere."""
    band_mass = sum((high - low) / 2.0 for low, high, _ in SINGLE_TRANSITION_BANDS)
    band_value = sum((high - low) / 2.0 * mean for low, high, mean in SINGLE_TRANSITION_BANDS)
    return band_value + (1.0 - band_mass) * SINGLE_TRANSITION_OTHER


def _illustrative_returns() -> tuple[float, float]:
    """(random, optimal) expected returns of H steps from s0 = 0 with reward R(s, a) = s.

    Rewards are s_0 = 0, s_1, ..., s_{H-1}: H - 1 rewards depend on the actions. Random: E[f(a)]
    for a ~ U[-1, 1] = P(|a| > c) * E[-|a| | |a| > c] = -(1 - c)(1 + c) / 2. Optimal: a = c.
    """
    c, n = ILLUSTRATIVE_IN_RANGE, ILLUSTRATIVE_HORIZON - 1
    return n * (-(1.0 - c) * (1.0 + c) / 2.0), n * c


SINGLE_TRANSITION_REF_SCORES: tuple[float, float] = (
    _single_transition_random_return(),
    max(mean for *_, mean in SINGLE_TRANSITION_BANDS),
)
"""(random-policy return 0.66875, optimal return 1.5) of the Single Transition Example."""
ILLUSTRATIVE_REF_SCORES: tuple[float, float] = _illustrative_returns()
"""(random-policy return -4.095, optimal return 2.7) of the illustrative MDP (H = 10)."""


#: Host bytes one transition of a toy dataset costs while it is made: its float32 columns and
#: flags (18 B), the float64 / int64 draws of the actions (~40 B) and the dataset's own copy.
_TOY_ROW_BYTES = 2 * 18 + 40


def _check_n(n: int, name: str = "n") -> None:
    if not (isinstance(n, int | np.integer) and not isinstance(n, bool) and n >= 1):
        raise ValueError(f"{name}: expected an int >= 1, got {n!r}")
    # probe 66 row 74: n=10**9 was numpy's raw "MemoryError: Unable to allocate 7.45 GiB"
    need, room = int(n) * _TOY_ROW_BYTES, available_memory_bytes()
    if room is not None and need > room:
        raise ValueError(
            memory_error(
                need,
                f"{n} toy transitions",
                f"{name}: {n} transitions need ~{need / 2**30:.3g} GiB of memory, but only "
                f"{room / 2**30:.3g} GiB is available",
                "; give fewer (default 1000)",
            )
        )


def _uniform_on_bands(n: int, rng: np.random.Generator) -> np.ndarray:
    """n actions uniform on the union of equal-width bands: pick a band, then a point in it."""
    bands = np.asarray(SINGLE_TRANSITION_ACTION_BANDS)  # [4, 2]
    which = rng.integers(len(bands), size=n)  # [n]
    low, high = bands[which, 0], bands[which, 1]
    return low + (high - low) * rng.random(n)  # [n]


def make_single_transition_dataset(
    n: int = 1000, seed: int = 0, initial_spread: float = 0.5
) -> OfflineDataset:
    """App. C.1 dataset: ``n`` one-step episodes, actions uniform on the four bands, all terminal.

    :param n: transitions (= episodes); the paper does not give its size.
    :param seed: seeds the actions and the env.
    :param initial_spread: s0 ~ U[-spread, spread]. The paper's s0 is a single state; a spread
        keeps the observation z-score non-degenerate (a constant s0 has std 0, and the
        normaliser's ``std + 1e-6`` would put s' at ~1e6 in normalised units). Transitions do not
        depend on s, so this changes nothing about the problem. 0 gives the paper's fixed s0.
    """
    _check_n(n)
    seed = check_seed(seed)  # probe 59: was numpy's "expected non-negative integer"
    rng = np.random.default_rng(seed)
    actions = _uniform_on_bands(n, rng).astype(np.float32)  # [n]
    env = SingleTransitionEnv(initial_spread=initial_spread)
    obs, next_obs, rewards = (np.empty(n, np.float32) for _ in range(3))
    for i in range(n):
        o, _ = env.reset(seed=int(rng.integers(2**31)) if i == 0 else None)
        o2, r, *_ = env.step(actions[i : i + 1])
        obs[i], next_obs[i], rewards[i] = o[0], o2[0], r
    return OfflineDataset.from_arrays(
        {
            "observations": obs[:, None],
            "actions": actions[:, None],
            "rewards": rewards,
            "next_observations": next_obs[:, None],
            "terminals": np.ones(n, dtype=bool),
            "timeouts": np.zeros(n, dtype=bool),
        },
        env_id=SINGLE_TRANSITION_ID,
        ref_min_score=SINGLE_TRANSITION_REF_SCORES[0],
        ref_max_score=SINGLE_TRANSITION_REF_SCORES[1],
        name="toy-single-transition",
        source=f"rambo_env.data.toy_datasets (App. C.1, n={n}, seed={seed})",
        metadata={"seed": int(seed), "initial_spread": float(initial_spread)},
    )


def make_illustrative_dataset(n: int = 1000, seed: int = 0) -> OfflineDataset:
    """App. C.3 dataset: episodes of the illustrative MDP with actions uniform in [-0.3, 0.3].

    ``n`` transitions in episodes of :data:`ILLUSTRATIVE_HORIZON` steps (the last one possibly
    shorter); the end of each episode is a time-out, never a terminal.
    """
    _check_n(n)
    seed = check_seed(seed)  # probe 59: was numpy's "expected non-negative integer"
    rng = np.random.default_rng(seed)
    c = ILLUSTRATIVE_IN_RANGE
    actions = rng.uniform(-c, c, size=n).astype(np.float32)  # [n]
    env = IllustrativeMDP()
    obs, next_obs, rewards = (np.empty(n, np.float32) for _ in range(3))
    timeouts = np.zeros(n, dtype=bool)
    o, _ = env.reset(seed=int(rng.integers(2**31)))
    for i in range(n):
        o2, r, _, truncated, _ = env.step(actions[i : i + 1])
        obs[i], next_obs[i], rewards[i], timeouts[i] = o[0], o2[0], r, truncated
        o = env.reset()[0] if truncated else o2
    return OfflineDataset.from_arrays(
        {
            "observations": obs[:, None],
            "actions": actions[:, None],
            "rewards": rewards,
            "next_observations": next_obs[:, None],
            "terminals": np.zeros(n, dtype=bool),
            "timeouts": timeouts,
        },
        env_id=ILLUSTRATIVE_ID,
        ref_min_score=ILLUSTRATIVE_REF_SCORES[0],
        ref_max_score=ILLUSTRATIVE_REF_SCORES[1],
        name="toy-illustrative",
        source=f"rambo_env.data.toy_datasets (App. C.3, n={n}, seed={seed})",
        metadata={"seed": int(seed), "horizon": ILLUSTRATIVE_HORIZON},
    )
