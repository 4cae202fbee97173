"""Probe 128: a contributor's own agent class (rows on AGENT_CLASSES and the build-it-yourself
recipe of make_agent's and RamboCallback's errors)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from stable_baselines3 import PPO, SAC

import agents
import agents.buffer
from agents.callback import RamboCallback
from agents.factory import AGENT_CLASSES, make_agent
from agents.fused import FusedSAC
from agents.vec_env import RamboModelVecEnv
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from tests.agents.test_callback import N_ENVS, K, _toy


class MySAC(SAC):
    """A contributor's SAC: a subclass of SB3's, not of the project's FusedSAC."""


class MyFusedSAC(FusedSAC):
    """A subclass of the class shipped under 'sac'."""


@pytest.fixture
def parts():
    mdp, dataset = _toy()
    env = RamboModelVecEnv(mdp, N_ENVS, rollout_length=K, seed=0)
    return mdp, dataset, env


def _follow_recipe(message: str, cls: type, parts) -> None:
    """Build the agent exactly as ``message``'s recipe says and train it a few steps with
    RamboCallback (the recipe's names: vec_env, dataset, normalizer, k)."""
    mdp, dataset, env = parts
    found = re.search(rf"{cls.__name__}\('MlpPolicy', vec_env, .*?learning_starts=0\)", message)
    assert found, message
    namespace = {
        cls.__name__: cls,
        "agents": agents,
        "vec_env": env,
        "dataset": dataset,
        "normalizer": mdp.normalizer,
        "k": K,
    }
    agent = eval(found.group(0), namespace)  # the message's own recipe
    agent.batch_size, agent.gradient_steps = 32, 2  # small: a few seconds
    adversary = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, K, n_updates=2, batch_size=32))
    callback = RamboCallback(adversary, q_eval_size=64)
    agent.learn(total_timesteps=2 * N_ENVS * K, callback=callback)
    assert callback.n_iterations == 2 and agent._n_updates == 4


def test_make_agents_recipe_for_an_added_class_trains_with_rambo_callback(parts, monkeypatch):
    """Row 1: the recipe of the error (replay_buffer_class, train_freq, learning_starts), followed
    literally, was SB3's raw ``TypeError: MixedReplayBuffer.__init__() missing 2 required
    keyword-only arguments: 'dataset' and 'normalizer'``."""
    mdp, dataset, env = parts
    monkeypatch.setitem(AGENT_CLASSES, "mysac", MySAC)
    with pytest.raises(ValueError, match=r"^algo: 'mysac' was added to AGENT_CLASSES") as err:
        make_agent("mysac", env, dataset, mdp.normalizer, rollout_length=K, device="cpu")
    assert "replay_buffer_kwargs=dict(dataset=dataset, normalizer=normalizer" in str(err.value)
    _follow_recipe(str(err.value), MySAC, parts)


def test_rambo_callbacks_errors_give_the_recipe_for_a_class_of_ones_own(parts):
    """Row 29: RamboCallback's refusal of a plain buffer / another train_freq said only "build the
    agent with agents.factory.make_agent(…)", which refuses a class it does not own."""
    mdp, dataset, env = parts
    adversary = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, K, n_updates=2, batch_size=32))
    plain = MySAC("MlpPolicy", env, learning_starts=0, train_freq=(K, "step"), batch_size=32)
    with pytest.raises(ValueError, match=r"^model: its replay buffer is a ReplayBuffer") as err:
        plain.learn(total_timesteps=N_ENVS * K, callback=RamboCallback(adversary))
    assert "for a class of your own, build it as MySAC('MlpPolicy'" in str(err.value)
    _follow_recipe(str(err.value), MySAC, parts)
    every_step = MySAC(
        "MlpPolicy",
        env,
        learning_starts=0,
        replay_buffer_class=agents.buffer.MixedReplayBuffer,
        replay_buffer_kwargs={"dataset": dataset, "normalizer": mdp.normalizer},
        batch_size=32,
    )
    with pytest.raises(ValueError, match=r"^model: train_freq \(1, 'step'\)") as err:
        every_step.learn(total_timesteps=N_ENVS * K, callback=RamboCallback(adversary))
    assert f"train_freq=({K}, 'step')" in str(err.value)


@pytest.mark.parametrize(
    ("algo", "cls", "match"),
    [
        # row 2: was "TypeError: SAC.__init__() got an unexpected keyword argument 'compile'"
        (
            "sac",
            MySAC,
            r"^AGENT_CLASSES\['sac'\]: [\w.]*test_factory_probe128\.MySAC is not a "
            r"subclass of agents\.fused\.FusedSAC; make_agent builds under 'sac' only "
            r"agents\.fused\.FusedSAC or a subclass of it",
        ),
        # row 3: was "TypeError: PPO.__init__() got an unexpected keyword argument 'buffer_size'"
        (
            "sac",
            PPO,
            r"^AGENT_CLASSES\['sac'\]: stable_baselines3\.PPO is not an off-policy agent\. "
            r"RAMBO's agent is off-policy: it samples real and model transitions from a replay "
            r"buffer",
        ),
        # DDPG is a TD3 in SB3, but built as 'td3' it would take TD3's defaults and name
        (
            "td3",
            AGENT_CLASSES["ddpg"],
            r"^AGENT_CLASSES\['td3'\]: agents\.factory\.DDPG is not a subclass of "
            r"agents\.factory\.TD3",
        ),
    ],
)
def test_a_replaced_entry_of_another_class_is_refused_clearly(parts, monkeypatch, algo, cls, match):
    mdp, dataset, env = parts
    monkeypatch.setitem(AGENT_CLASSES, algo, cls)
    with pytest.raises(ValueError, match=match) as err:
        make_agent(algo, env, dataset, mdp.normalizer, rollout_length=K, device="cpu")
    assert f"put back AGENT_CLASSES[{algo!r}] = " in str(err.value)
    assert "replay_buffer_kwargs=dict(dataset=dataset" in str(err.value)


def test_a_subclass_of_the_shipped_class_is_built(parts, monkeypatch):
    """The documented way to swap an entry: a subclass of the class shipped under the name."""
    mdp, dataset, env = parts
    monkeypatch.setitem(AGENT_CLASSES, "sac", MyFusedSAC)
    agent = make_agent("sac", env, dataset, mdp.normalizer, rollout_length=K, device="cpu")
    assert type(agent) is MyFusedSAC


def test_the_readmes_recipe_for_a_class_of_ones_own_trains(parts):
    """Row 1: the README's "Use it as a library" recipe for a class make_agent does not build
    (the second python block of that section) runs as written, at tiny sizes."""
    mdp, dataset, env = parts
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Use it as a library", 1)[1].split("\n## ", 1)[0]
    block = section.split("```python\n")[2].split("```", 1)[0]
    assert "replay_buffer_kwargs=dict(dataset=dataset, normalizer=mdp.normalizer" in block
    cfg = AdversaryConfig(3e-4, K, n_updates=2, batch_size=32)
    namespace = {
        "MySAC": MySAC,
        "env": env,
        "dataset": dataset,
        "mdp": mdp,
        "k": K,
        "RamboCallback": RamboCallback,
        "adversary": ModelAdversary(mdp, dataset, cfg),
    }
    exec(block.replace("2000 * k", "2 * k"), namespace)  # the README's own text
    assert namespace["agent"].num_timesteps == 2 * K * N_ENVS
