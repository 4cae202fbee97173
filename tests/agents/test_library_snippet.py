"""The README's library snippet (make env -> make agent -> callback -> learn), run at tiny sizes.

``SNIPPET`` is the README text with the sizes as placeholders: ``README_SIZES`` renders the
paper-scale version shown in the README, ``TINY_SIZES`` the one executed here.
"""

from __future__ import annotations

import numpy as np
import pytest

from rambo_env.data.dataset import OfflineDataset

SNIPPET = """\
import rambo_env
from agents.bc import behaviour_clone
from agents.callback import RamboCallback
from agents.factory import make_agent
from agents.vec_env import RamboModelVecEnv
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from rambo_env.presets import get_preset

dataset = {dataset}  # or OfflineDataset.from_arrays({{...}}) for your own data
preset = get_preset("hopper-medium")  # Table 5: k = 5, λ = 3e-4
k, lam = preset.rollout_length, preset.adversary_weight
mdp = rambo_env.make_mdp(dataset{mdp_kwargs})  # MLE ensemble (Alg. 1 line 1), cached
env = RamboModelVecEnv(mdp, num_envs={n_envs}, rollout_length=k)
agent = make_agent("{algo}", env, dataset, mdp.normalizer, rollout_length=k{agent_kwargs})
behaviour_clone(agent, dataset, mdp.normalizer, progress=True)  # App. B.4 warm start (MuJoCo)
adversary = ModelAdversary(mdp, dataset, AdversaryConfig(lam, k{adversary_kwargs}))
agent.learn(total_timesteps={n_iterations} * k * env.num_envs, callback=RamboCallback(adversary), progress_bar=True)
"""

README_SIZES = {
    "dataset": 'rambo_env.load_dataset("hopper-medium")',
    "mdp_kwargs": "",
    "n_envs": "50_000",
    "algo": "sac",  # or "td3", "ddpg", "tqc", "crossq"
    "agent_kwargs": "",
    "adversary_kwargs": "",
    "n_iterations": "2000",
}

TINY_SIZES = {
    "dataset": "tiny_dataset",
    "mdp_kwargs": ", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, cache=False, progress=False",
    "n_envs": "8",
    "agent_kwargs": ", gradient_steps=3, batch_size=32, policy_kwargs={'net_arch': [16, 16]}",
    "adversary_kwargs": ", n_updates=4, batch_size=32",
    "n_iterations": "2",
}


def _tiny_dataset() -> OfflineDataset:
    rng = np.random.default_rng(0)
    n, obs_dim, action_dim = 200, 4, 2
    obs = rng.normal(size=(n, obs_dim)).astype(np.float32)
    action = rng.uniform(-1, 1, (n, action_dim)).astype(np.float32)
    return OfflineDataset.from_arrays(
        {
            "observations": obs,
            "actions": action,
            "rewards": obs[:, 0] - 0.1 * action[:, 0] ** 2,
            "next_observations": obs + 0.1 * action.sum(1, keepdims=True),
            "terminals": np.zeros(n, bool),
        },
        name="tiny",
    )


def test_readme_version_is_short_and_valid_python():
    code = SNIPPET.format(**README_SIZES)
    compile(code, "<README>", "exec")
    body = [line for line in code.splitlines() if line and not line.startswith(("import", "from"))]
    assert len(body) <= 10  # data -> preset -> model -> env -> agent -> BC -> adversary -> learn


@pytest.mark.parametrize("algo", ["sac", "tqc"])
def test_snippet_runs_at_tiny_sizes(algo):
    from rambo_env.dynamics.ensemble import EnsembleConfig
    from rambo_env.dynamics.training import MLEConfig

    namespace = {
        "tiny_dataset": _tiny_dataset(),
        "TINY_ENSEMBLE": EnsembleConfig(
            n_members=3, n_elites=2, hidden_dims=(16, 16), weight_decays=(0, 0, 0)
        ),
        "TINY_MLE": MLEConfig(max_epochs=1, max_holdout=20),
    }
    exec(SNIPPET.format(**TINY_SIZES, algo=algo), namespace)
    agent, adversary, env = namespace["agent"], namespace["adversary"], namespace["env"]
    k = namespace["k"]
    assert (k, namespace["lam"]) == (5, 3e-4)
    assert agent.num_timesteps == 2 * k * env.num_envs
    assert agent._n_updates == 2 * 3  # two iterations of 3 gradient steps (SAC/TQC count steps)
    assert adversary.n_steps == 2 * 4  # two adversary updates of 4 model steps
    assert adversary.mdp is env.mdp  # the adversary trains the model the agent rolls out in


def test_the_readme_shows_this_snippet_as_its_first_library_example():
    """The README's block is the tested text (was: nothing tied them, so an edit to one drifted)."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Use it as a library", 1)[1]
    block = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert block == SNIPPET.format(**README_SIZES)
    assert (
        "progress=True" in block and "progress_bar=True" in block
    )  # 3.5 min in silence (probe 44)
