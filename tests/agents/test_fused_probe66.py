"""Probe 66 rows 52-55: FusedSAC.set_parameters checks the whole dict before copying anything,
names a missing zip as load does; predict refuses a string for ``deterministic``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from agents.fused import FusedSAC, ParametersMisfitError


@pytest.fixture(scope="module")
def agent() -> FusedSAC:
    torch.manual_seed(0)
    return FusedSAC(
        "MlpPolicy", "Pendulum-v1", seed=0, buffer_size=10, device="cpu",
        policy_kwargs={"net_arch": [8, 8]},
    )  # fmt: skip


def _policy(agent: FusedSAC) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in agent.policy.state_dict().items()}


def test_partial_state_with_exact_match_loads_nothing(agent):
    # probe 66 row 52: was torch's raw "Missing key(s)" after the first weight was overwritten
    before = _policy(agent)
    first = next(iter(before))
    part = {"policy": {first: torch.full_like(before[first], 7.0)}}
    with pytest.raises(ParametersMisfitError, match=r"^set_parameters: policy: keys missing "):
        agent.set_parameters(part, exact_match=True)
    assert all(torch.equal(agent.policy.state_dict()[k], v) for k, v in before.items())
    # the whole policy but not the optimizers: SB3 said so only after loading the policy
    whole = {"policy": {k: torch.full_like(v, 7.0) for k, v in before.items()}}
    with pytest.raises(ParametersMisfitError, match=r"^set_parameters: objects .* missing"):
        agent.set_parameters(whole, exact_match=True)
    assert all(torch.equal(agent.policy.state_dict()[k], v) for k, v in before.items())
    agent.set_parameters(part, exact_match=False)  # a part, asked for
    assert bool((agent.policy.state_dict()[first] == 7.0).all())
    agent.set_parameters({"policy": before}, exact_match=False)


def test_empty_state_dict_is_refused_whatever_exact_match(agent):
    # probe 66 row 53: exact_match=False loaded nothing without a word
    for exact in (False, True):
        with pytest.raises(
            ParametersMisfitError, match=r"^set_parameters: policy: the state dict given is empty"
        ):
            agent.set_parameters({"policy": {}}, exact_match=exact)


def test_missing_zip_is_named_as_load_names_it(agent, tmp_path):
    # probe 66 row 54: was SB3's FileNotFoundError naming "none.zip.zip"
    path = str(tmp_path / "none.zip")
    with pytest.raises(
        ValueError, match=r"^path: .*none\.zip: no such file .*give a file written by"
    ):
        agent.set_parameters(path)


def test_predict_refuses_a_string_switch(agent):
    # probe 66 row 55: "yes" / "False" were taken as truthy
    obs = np.zeros(3, np.float32)
    with pytest.raises(
        ValueError, match=r"^deterministic: expected True or False, got str 'False'"
    ):
        agent.predict(obs, deterministic="False")
    assert agent.predict(obs, deterministic=True)[0].shape == (1,)
