"""Probe 105 row 17: ModelAdversary.update and .step alternating with one PolicyFns check its
outputs once per mode, not at every call."""

from __future__ import annotations

from rambo_env.adversary import ModelAdversary
from tests.agents.test_adversary_probe100 import GOOD
from tests.agents.test_adversary_probe101 import _adversary, _batch


def test_update_and_step_alternating_check_the_policy_once_per_mode(monkeypatch):
    # probe 105 row 17: was: the check cache held one (policy, given) pair, so each update after
    # a step (and each step after an update) checked the same PolicyFns' outputs again
    adversary = _adversary()
    checks: list[bool] = []
    real_check = ModelAdversary._check_policy_outputs

    def counted(self, policy, obs, action, given=False):
        checks.append(given)
        return real_check(self, policy, obs, action, given)

    monkeypatch.setattr(ModelAdversary, "_check_policy_outputs", counted)
    batch = _batch(adversary)
    for _ in range(3):
        adversary.update(GOOD)
        adversary.step(GOOD, **batch)
    assert checks == [False, True]  # once per mode
    adversary.update(GOOD._replace(q=GOOD.q))  # another PolicyFns: checked anew
    assert checks == [False, True, False]
