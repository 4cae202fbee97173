"""Probe 118 row 31: the API preflight of an env behind an observation wrapper muted every warning
with ``warnings.catch_warnings`` + ``simplefilter("ignore")``, which swaps the process-wide filter
list: a host thread's warnings were lost meanwhile, and gymnasium's env checker spent its checks
there, muted. Now no filter is touched; the checker speaks at the evaluation's first step."""

from __future__ import annotations

import threading
import warnings

import gymnasium as gym
import numpy as np
from gymnasium.wrappers.common import PassiveEnvChecker

from rambo_env.evaluation import check_env_api
from tests.test_evaluation_probe110 import DictDrift


class HostWarnsMeanwhile(gym.wrappers.FlattenObservation):
    """FlattenObservation whose first observation lets a host thread warn (the race, made
    deterministic)."""

    done = False

    def observation(self, observation):
        if not HostWarnsMeanwhile.done:
            HostWarnsMeanwhile.done = True
            host = threading.Thread(
                target=lambda: warnings.warn("host warning", UserWarning, stacklevel=1)
            )
            host.start()
            host.join()
        return super().observation(observation)


def test_a_host_threads_warning_during_the_preflight_is_shown():
    env = HostWarnsMeanwhile(PassiveEnvChecker(DictDrift()))
    with warnings.catch_warnings(record=True) as got:  # the host's own filters: show all
        warnings.simplefilter("always")
        check_env_api(env, "p118")
    assert "host warning" in [str(w.message) for w in got]  # was lost (the "ignore" filter)


def test_the_env_checker_checks_at_the_evaluations_first_step():
    env = gym.wrappers.FlattenObservation(PassiveEnvChecker(DictDrift()))
    checker = env.env
    check_env_api(env, "p118")
    assert not checker.checked_reset and not checker.checked_step  # were spent, muted
    env.reset(seed=1)
    env.step(np.zeros(2, np.float32))
    assert checker.checked_reset and checker.checked_step
