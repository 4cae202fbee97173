"""Probe 98 row 15 (p98g): evaluating in the ``module:Env-v0`` form of the env a normalizer was
fitted on is the same env (no "another env" warning)."""

from __future__ import annotations

import numpy as np

from rambo_env.evaluation import evaluate_policy
from rambo_env.normalization import ObsNormalizer
from tests.data.p98g_envs_source import write_modules


def test_the_module_form_of_the_fitted_env_is_not_another_env(tmp_path, monkeypatch, capsys):
    # probe 98 row 15: "the normalizer was fitted on Asym-v0 data, but the policy is evaluated
    # in myenvs:Asym-v0 (another env …)" — the module prefix was not stripped
    write_modules(tmp_path, monkeypatch)
    zeros, ones = np.zeros(11, np.float32), np.ones(11, np.float32)
    normalizer = ObsNormalizer(mean=zeros, std=ones, env_id="P98gHopper-v0")
    act = lambda obs: np.zeros((len(obs), 3), np.float32)  # noqa: E731
    evaluate_policy(act, "p98g_envs:P98gHopper-v0", normalizer, n_episodes=1, time_limit=5)
    assert "normalizer was fitted on" not in capsys.readouterr().out
