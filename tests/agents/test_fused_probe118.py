"""Probe 118 rows 18, 32: ``make_agent`` + ``learn`` in two threads of one process gave numbers
that differ from those of the two one after the other, and from run to run (both draw from the
process-global torch / numpy generators), without a word. Each ``learn`` (and ``run_cotrain``)
that overlaps another in another thread is now warned once; one thread alone is not."""

from __future__ import annotations

import threading
import warnings

import pytest
from stable_baselines3.common.callbacks import BaseCallback

from tests.agents.test_callback import N_ENVS, K, _toy
from tests.agents.test_fused_probe112 import _agent


class _Hold(BaseCallback):
    """Holds ``learn`` at its first step until ``release`` is set (the overlap, made certain)."""

    def __init__(self, inside: threading.Event, release: threading.Event) -> None:
        super().__init__()
        self.inside, self.release = inside, release

    def _on_step(self) -> bool:
        self.inside.set()
        assert self.release.wait(60)
        return True


def _said(seen) -> list[str]:
    return [str(w.message) for w in seen if "global torch / numpy random" in str(w.message)]


def test_two_learns_at_once_in_two_threads_are_each_warned_once():
    mdp, dataset = _toy()
    first, second = _agent(mdp, dataset, seed=0), _agent(mdp, dataset, seed=1)
    inside, release = threading.Event(), threading.Event()
    worker = threading.Thread(
        target=lambda: first.learn(K * N_ENVS, callback=_Hold(inside, release)),
        name="first-learn",
    )
    # one recorder for both threads (catch_warnings itself is process-wide)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        worker.start()
        assert inside.wait(60)
        second.learn(K * N_ENVS)  # while the first is held inside its learn
        release.set()
        worker.join(60)
    said = _said(seen)
    assert len(said) == 2  # was: none
    assert said[0].startswith("learn (thread 'MainThread'): learn (thread 'first-learn') is ")
    assert said[1].startswith("learn (thread 'first-learn'): learn (thread 'MainThread') ran ")


def test_one_thread_alone_and_nested_is_not_warned():
    from agents.fused import draws_global_rng

    mdp, dataset = _toy()
    agent = _agent(mdp, dataset, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with draws_global_rng("run_cotrain"):  # run_cotrain's own learn calls: one thread
            agent.learn(K * N_ENVS)
        agent.learn(K * N_ENVS)  # one after the other


@pytest.mark.parametrize("later", ("learn", "run_cotrain"))
def test_the_later_one_is_told_on_entry_the_earlier_on_its_way_out(later):
    from agents.fused import draws_global_rng

    entered, leave = threading.Event(), threading.Event()

    def earlier() -> None:
        with draws_global_rng("run_cotrain"):
            entered.set()
            assert leave.wait(30)

    worker = threading.Thread(target=earlier, name="run")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        worker.start()
        assert entered.wait(30)
        with draws_global_rng(later):
            pass
        leave.set()
        worker.join(30)
    said = _said(seen)
    assert len(said) == 2
    assert said[0].startswith(f"{later} (thread 'MainThread'): run_cotrain (thread 'run') is ")
    assert said[1].startswith(f"run_cotrain (thread 'run'): {later} (thread 'MainThread') ran ")
