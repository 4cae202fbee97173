"""Probe 100 row 17 (p100r): a torch actor given to ``evaluate_policy`` as ``act`` (the module
itself, or a lambda that hands it the numpy batch) is one error naming ``act``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rambo_env.evaluation import evaluate_policy
from rambo_env.normalization import ObsNormalizer

_NORM = ObsNormalizer(mean=np.zeros(3, np.float32), std=np.ones(3, np.float32))
_KW = {"n_episodes": 2, "max_episode_steps": 3}


def _actor() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))


def test_a_torch_module_as_act_is_refused_up_front():
    # probe 100 row 17: was torch's raw "linear(): argument 'input' (position 1) must be Tensor,
    # not numpy.ndarray" from inside the first episode
    with pytest.raises(
        ValueError, match=r"act: got a torch module \(Sequential\).*torch.as_tensor"
    ):
        evaluate_policy(_actor(), "Pendulum-v1", _NORM, **_KW)


def test_a_lambda_handing_numpy_to_a_torch_net_names_act():
    # probe 100 row 17: act=lambda o: actor(o) was the same raw TypeError
    actor = _actor()
    with pytest.raises(TypeError, match=r"act: was given a numpy batch .*must be Tensor") as info:
        evaluate_policy(lambda o: actor(o), "Pendulum-v1", _NORM, **_KW)
    assert isinstance(info.value.__cause__, TypeError)  # chained with `from`


def test_legitimate_acts_and_other_type_errors_are_as_before():
    actor = _actor()
    act = lambda o: actor(torch.as_tensor(o)).detach().cpu().numpy()  # noqa: E731
    assert evaluate_policy(act, "Pendulum-v1", _NORM, **_KW).lengths.tolist() == [3, 3]

    def bad(obs):
        raise TypeError("my own bug")

    with pytest.raises(TypeError, match=r"^my own bug$"):
        evaluate_policy(bad, "Pendulum-v1", _NORM, **_KW)
