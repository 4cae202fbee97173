"""Probe 103 row 15: a co-training run's evaluation seeds, one run seed's apart from another's."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import agents.cotrain as cotrain
from rambo_env.evaluation import evaluation_seed


def _old(seed: int, n_eval: int, iteration: int) -> int:
    return 1_000_000 + 100_000 * seed + n_eval * iteration


def _reset_seeds(seed: int, n_eval: int, n_iterations: int) -> set[int]:
    return {
        evaluation_seed(seed, n_eval, it) + i
        for it in range(n_iterations + 1)
        for i in range(n_eval)
    }


@pytest.mark.parametrize("n_eval", [50, 100])
def test_run_seeds_disjoint_at_paper_length(n_eval: int) -> None:
    # probe 103 row 15: was seed 0's iteration 2j = seed 1's iteration j (100 episodes), seed s's
    # iteration 2000 = seed s+1's iteration 0 (50 episodes)
    runs = [_reset_seeds(s, n_eval, 2000) for s in range(3)]
    assert all(len(r) == n_eval * 2001 for r in runs)  # distinct within a run too
    assert not runs[0] & runs[1] and not runs[1] & runs[2] and not runs[0] & runs[2]


@pytest.mark.parametrize(
    ("n_eval", "n_iterations"), [(10, 10), (10, 2000), (10, 9999), (3, 3), (50, 1999)]
)
def test_seeds_unchanged_where_no_overlap(n_eval: int, n_iterations: int) -> None:
    for seed in (0, 1, 4, 2**31 - 1):
        for it in (0, 1, n_iterations // 2, n_iterations):
            assert evaluation_seed(seed, n_eval, it) == _old(seed, n_eval, it)


def test_cotrain_evaluate_uses_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []

    def fake(act, env_id, normalizer, *, n_episodes, seed, **kw):
        seen.append(seed)
        return SimpleNamespace(to_dict=lambda: {})

    monkeypatch.setattr(cotrain, "evaluate_policy", fake)
    session = SimpleNamespace(
        cfg=SimpleNamespace(seed=0, n_eval_episodes=100),
        agent=SimpleNamespace(),
        dataset=SimpleNamespace(evaluation_env=lambda: ("Hopper-v5", {}, None)),
        mdp=SimpleNamespace(normalizer=None),
    )
    cotrain._evaluate(session, 1000)
    session.cfg.seed = 1
    cotrain._evaluate(session, 0)
    assert seen[0] != seen[1]  # probe 103 row 15: was 1_100_000 both
    session.cfg.n_eval_episodes = 10
    cotrain._evaluate(session, 2000)
    assert seen[2] == _old(1, 10, 2000)


def test_bad_arguments_named() -> None:
    with pytest.raises(ValueError, match="iteration"):
        evaluation_seed(0, 10, -1)
    with pytest.raises(ValueError, match="run_seed"):
        evaluation_seed(-1, 10, 0)
    with pytest.raises(ValueError, match="n_episodes"):
        evaluation_seed(0, 0, 0)
