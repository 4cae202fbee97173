"""Probe 92b: customising make_agent's SB3 agent (policy_kwargs, gSDE options, ent_coef,
AGENT_CLASSES, CrossQ without batch norm)."""

from __future__ import annotations

import pytest
import torch

from agents.factory import AGENT_CLASSES, make_agent
from tests.agents.test_factory_probe65 import _make, parts  # noqa: F401 (the fixture)

ALGOS = ["sac", "tqc", "crossq", "td3", "ddpg"]


@pytest.mark.parametrize("algo", ALGOS)
def test_a_dict_net_arch_without_qf_is_refused_naming_the_key(parts, algo):  # noqa: F811
    """Rows 4, 5, 51: ``dict(pi=[8], vf=[16])`` (PPO's key) / ``dict(pi=[8])`` were SB3's
    AssertionError "no key 'qf' was provided in net_arch", for every agent."""
    with pytest.raises(
        ValueError,
        match=r"^policy_kwargs\['net_arch'\]\['vf'\]: not a key SB3's off-policy agents read "
        r"\('vf' is the on-policy agents' critic key: the off-policy ones call it 'qf'\); they "
        r"take dict\(pi=\[actor widths\], qf=\[critic widths\]\)",
    ):
        _make(parts, algo, policy_kwargs={"net_arch": {"pi": [8], "vf": [16]}})
    with pytest.raises(
        ValueError,
        match=r"^policy_kwargs\['net_arch'\]: has no 'qf' key \(the critic's widths\); "
        r"off-policy agents take dict\(pi=",
    ):
        _make(parts, algo, policy_kwargs={"net_arch": {"pi": [8]}})


@pytest.mark.parametrize("algo", ["sac", "td3"])
def test_an_extra_key_of_a_dict_net_arch_is_refused(parts, algo):  # noqa: F811
    """Row 50: ``qf2`` was taken without a word (SB3 reads pi and qf only)."""
    with pytest.raises(ValueError, match=r"^policy_kwargs\['net_arch'\]\['qf2'\]: not a key SB3"):
        _make(parts, algo, policy_kwargs={"net_arch": {"pi": [8], "qf": [16], "qf2": [4]}})


@pytest.mark.parametrize("algo", ["sac", "crossq", "td3"])
def test_a_tuple_net_arch_is_taken_as_a_list(parts, algo):  # noqa: F811
    """Row 7: ``net_arch=(8, 8)`` passed make_agent's check, then SB3's AssertionError "the
    net_arch can only contain be a list of ints or a dict"."""
    agent = _make(parts, algo, policy_kwargs={"net_arch": (8, 8)})
    assert agent.policy_kwargs["net_arch"] == [8, 8]
    assert [m.out_features for m in agent.actor.modules() if isinstance(m, torch.nn.Linear)][
        :2
    ] == [8, 8]


def test_an_activation_that_cannot_be_built_without_arguments_is_refused(parts):  # noqa: F811
    """Row 52: ``activation_fn=torch.nn.Linear`` was SB3's raw TypeError "missing 2 required
    positional arguments" from its network builder."""
    with pytest.raises(
        ValueError,
        match=r"^policy_kwargs\['activation_fn'\]: Linear cannot be built without arguments "
        r"\(.*\), as SB3 builds the activation after each hidden layer; give an activation class",
    ):
        _make(parts, policy_kwargs={"activation_fn": torch.nn.Linear})
    _make(parts, policy_kwargs={"activation_fn": torch.nn.Tanh})  # an activation: taken


def test_gsde_options_without_use_sde_are_warned_about(parts, capsys):  # noqa: F811
    """Rows 49, 74: ``log_std_init`` / ``use_expln`` / ``sde_sample_freq`` without use_sde were
    taken and ignored by SB3 without a word."""
    _make(parts, policy_kwargs={"log_std_init": -3.0, "use_expln": True})
    out = capsys.readouterr().out
    assert (
        "[rambo_env] WARNING: policy_kwargs['log_std_init'], policy_kwargs['use_expln'] act "
        "only with use_sde=True (gSDE), which is off: SB3 ignores it" in out
    )
    _make(parts, sde_sample_freq=4)
    assert "WARNING: sde_sample_freq acts only with use_sde=True" in capsys.readouterr().out
    _make(parts, use_sde=True, sde_sample_freq=4, policy_kwargs={"log_std_init": -3.0})
    assert "WARNING" not in capsys.readouterr().out  # with gSDE: no word


@pytest.mark.parametrize("ent_coef", ["auto_1_0", "auto_0_1"])
def test_an_auto_init_with_an_underscore_is_refused(parts, ent_coef):  # noqa: F811
    """Rows 86: ``auto_1_0`` was checked as 10 while SB3 started α at 1.0; ``auto_0_1`` passed
    the check (float('0_1') = 1), then SB3's AssertionError "must be greater than 0"."""
    with pytest.raises(
        ValueError,
        match=rf"^ent_coef: '{ent_coef}': SB3 reads only the digits up to the second '_' \(α "
        rf"starts at '{ent_coef.split('_')[1]}'\); write the initial α as a plain number",
    ):
        _make(parts, ent_coef=ent_coef)


def test_a_class_added_to_agent_classes_is_refused_clearly(parts, monkeypatch):  # noqa: F811
    """Row 27: ``AGENT_CLASSES['mysac'] = …`` then ``make_agent('mysac', …)`` was a raw
    ``KeyError: 'mysac'`` from a table of per-agent defaults."""
    monkeypatch.setitem(AGENT_CLASSES, "mysac", AGENT_CLASSES["sac"])
    env, dataset, normalizer = parts
    with pytest.raises(
        ValueError,
        match=r"^algo: 'mysac' was added to AGENT_CLASSES, but make_agent builds only its own "
        r"agents \['crossq', 'ddpg', 'sac', 'td3', 'tqc'\] .*build the SB3 agent yourself .* "
        r"agents\.callback\.RamboCallback",
    ):
        make_agent("mysac", env, dataset, normalizer, rollout_length=2, device="cpu")


def test_crossq_without_batch_norm_takes_a_batch_of_one(parts):  # noqa: F811
    """Row 71: was refused "CrossQ normalises over the batch (BatchRenorm)" with batch_norm off."""
    agent = _make(
        parts, "crossq", batch_size=1, real_ratio=1.0, policy_kwargs={"batch_norm": False}
    )
    assert agent.batch_size == 1
    with pytest.raises(
        ValueError, match=r"BatchRenorm\) and needs >= 2 rows \(paper 256\), got 1$"
    ):
        _make(parts, "crossq", batch_size=1, real_ratio=1.0)
