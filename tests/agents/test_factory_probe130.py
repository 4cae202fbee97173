"""Probe 130 row 8: a subclass of agents.factory.TD3 defined before importlib.reload(agents.factory)
was refused by make_agent as "not a subclass of agents.factory.TD3" without a word of the reload
(the names match, the classes differ): the message now says so."""

import pytest
from stable_baselines3 import SAC

import agents.factory


def test_a_subclass_of_the_class_before_a_reload_names_the_reload(monkeypatch):
    # what importlib.reload(agents.factory) leaves: a TD3 of the earlier import, same name
    earlier = type("TD3", agents.factory.TD3.__bases__, {"__module__": "agents.factory"})
    monkeypatch.setitem(agents.factory.AGENT_CLASSES, "td3", type("MyTD3", (earlier,), {}))
    with pytest.raises(ValueError, match=r"not a subclass of agents\.factory\.TD3") as info:
        agents.factory._check_agent_class("td3")
    assert "reload" in str(info.value)
    # the same subclass of the module's own TD3 is taken
    mine = type("MyTD3", (agents.factory.TD3,), {})
    monkeypatch.setitem(agents.factory.AGENT_CLASSES, "td3", mine)
    agents.factory._check_agent_class("td3")


def test_an_unrelated_class_says_no_reload(monkeypatch):
    monkeypatch.setitem(agents.factory.AGENT_CLASSES, "td3", SAC)
    with pytest.raises(ValueError, match="not a subclass") as info:
        agents.factory._check_agent_class("td3")
    assert "reload" not in str(info.value)
