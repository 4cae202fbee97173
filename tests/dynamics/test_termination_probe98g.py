"""Probe 98 row 6 (p98g): a termination rule keyed by the ``module:Env-v0`` form the user passed
as env_id is read for the plain id the data store."""

from __future__ import annotations

import torch

from rambo_env.dynamics import termination as T


def test_a_rule_keyed_by_the_module_form_is_used(monkeypatch, capsys) -> None:
    # probe 98 row 6: TERMINATION_FNS['myenvs:Reach2D-v0'] was never read (the data's env_id is
    # 'Reach2D-v0') and the learned classifier was used without a word
    def rule(next_obs: torch.Tensor) -> torch.Tensor:
        return next_obs[:, 0] > 0

    monkeypatch.setitem(T.TERMINATION_FNS, "p98g_mod:P98gRule-v0", rule)
    monkeypatch.setattr(T, "_SAID_MODULE_KEYS", set())
    assert T.get_termination_fn("P98gRule-v0") is rule
    said = capsys.readouterr().out
    assert "TERMINATION_FNS['p98g_mod:P98gRule-v0'] is used as the rule of 'P98gRule-v0'" in said
    assert "key it 'P98gRule-v0'" in said
