"""Issue 12: with ``compile=True`` FusedSAC runs its whole gradient step (both losses, their
gradients, the Adam steps and Polyak) as one compiled graph, with SB3's numbers."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from stable_baselines3.common.logger import configure

from agents.factory import LrScaledAdam
from agents.fused import FusedSAC
from rambo_env.compile import MaybeCompiled
from tests.agents.test_fused import CONFIGS, _collected, _state, _train

# the default tier compiles two configurations (the two branches of the step: learned / fixed α)
FAST = ("learned α", "fixed α")


@pytest.fixture(autouse=True)
def _fresh_dynamo_caches():
    """torch compiles one function per process for at most 8 argument shapes (its recompile
    limit; then the step goes piece by piece, with a note): start each test below that, whatever
    other tests compiled before in this process."""
    torch._dynamo.reset()


def _weights(model) -> torch.Tensor:
    """Every weight and target weight, and log α: what Adam's moments move, flattened."""
    tensors = [*model.policy.state_dict().values()]
    if model.log_ent_coef is not None:
        tensors.append(model.log_ent_coef.detach())
    return torch.cat([t.detach().flatten().clone() for t in tensors])


def _relative_error(model, reference, start: torch.Tensor) -> float:
    """How far ``model``'s weights are from ``reference``'s, relative to how far training moved
    ``reference`` from ``start`` (the weights themselves barely move at these learning rates:
    relative to them, any two batches would look alike). Float32 rounding of the weights alone
    is ~1e-5 of a few steps' change; a wrong learning rate or bias correction is > 1e-2."""
    a, b = _weights(model), _weights(reference)
    return float(torch.linalg.vector_norm(a - b) / torch.linalg.vector_norm(b - start))


@pytest.mark.parametrize(
    "config",
    [c if c in FAST else pytest.param(c, marks=pytest.mark.slow) for c in CONFIGS],
    ids=list(CONFIGS),
)
def test_whole_compiled_step_equals_sb3_sac_train(config):
    """12 steps (the first makes the optimizers' state step by step, 11 run whole and compiled)
    leave every weight, target weight, α and Adam moment as SB3's ``SAC.train`` does, to 1e-4 of
    how far training moved them (float32 rounding: inductor reorders reductions) and log the same losses; then a new
    learning rate (SB3's schedule) is followed without a rebuild."""
    fused = _collected(**CONFIGS[config])
    fused.compile = True
    library, start = copy.deepcopy(fused), _weights(fused)
    logged_fused = _train(fused, 12, library=False)
    logged_library = _train(library, 12, library=True)
    whole = fused._whole
    assert isinstance(whole, MaybeCompiled) and whole.active and whole.ran_compiled
    assert _relative_error(fused, library, start) <= 1e-4
    assert logged_fused.keys() == logged_library.keys()
    for key, value in logged_library.items():
        assert logged_fused[key] == pytest.approx(value, rel=1e-5, abs=1e-6), key
    for model in (fused, library):
        model.lr_schedule = lambda _: 3e-3
    start = _weights(library)
    _train(fused, 4, library=False)
    _train(library, 4, library=True)
    assert fused._whole is whole  # the learning rate is an input, not a constant
    assert _relative_error(fused, library, start) <= 1e-4


def test_a_copy_of_an_agent_trained_whole_trains_its_own_networks():
    """The compiled step closes over the networks and optimizer states: a deepcopy builds its
    own at its first step, and training it leaves the original untouched."""
    original = _collected()
    original.compile = True
    _train(original, 3, library=False)
    assert original._whole is not None and original._whole.ran_compiled
    copied = copy.deepcopy(original)
    frozen = _state(original)
    reference = copy.deepcopy(original)
    _train(copied, 3, library=False)
    _train(reference, 3, library=True)
    assert all(torch.equal(a, b) for a, b in zip(_state(original), frozen, strict=True))
    assert copied._whole is not original._whole
    assert _relative_error(copied, reference, _weights(original)) <= 1e-4


def test_a_failed_compile_of_the_whole_step_runs_it_once_eagerly_then_step_by_step(capsys):
    """A compile failure comes before any of the graph runs (one graph, ``fullgraph=True``): the
    failing step runs the same function eagerly (``torch.func``, no double update), later steps
    run piece by piece, one line says so, and the numbers are SB3's."""
    fused = _collected()
    fused.compile = True
    library, start = copy.deepcopy(fused), _weights(fused)
    _train(fused, 1, library=False)  # makes the optimizers' state
    _train(library, 1, library=True)
    whole, _ = fused._whole_step()

    def failing(*args, **kwargs):
        raise RuntimeError("no C++ compiler (a stand-in)")

    whole._compiled = failing
    _train(fused, 5, library=False)
    _train(library, 5, library=True)
    assert not whole.active
    said = capsys.readouterr()
    assert "torch.compile of the SAC gradient step failed" in said.out + said.err
    assert _relative_error(fused, library, start) <= 1e-4


@pytest.mark.parametrize(
    "change",
    ["compile off", "AMSGrad", "weight decay", "a step hook", "no optimizer state yet"],
)
def test_configurations_the_whole_step_does_not_cover_step_piece_by_piece(change):
    """Where one graph cannot stand in for the optimizers' own steps (or compile is off) there is
    no whole step, and the step-by-step path trains as SB3 does."""
    fused = _collected()
    fused.compile = True
    if change == "AMSGrad":
        lr = fused.critic.optimizer.param_groups[0]["lr"]
        fused.critic.optimizer = LrScaledAdam(fused.critic.parameters(), lr=lr, amsgrad=True)
    if change != "no optimizer state yet":
        _train(fused, 1, library=False)
    if change == "compile off":
        fused.compile = False
    elif change == "weight decay":
        fused.actor.optimizer.param_groups[0]["weight_decay"] = 1e-4
    elif change == "a step hook":
        fused.actor.optimizer.register_step_post_hook(lambda *args: None)
    assert fused._whole_step() is None
    library, start = copy.deepcopy(fused), _weights(fused)
    _train(fused, 3, library=False)
    _train(library, 3, library=True)
    if change == "no optimizer state yet":  # the first step made it: whole from the second on
        assert fused._whole is not None and fused._whole.ran_compiled
        assert _relative_error(fused, library, start) <= 1e-4
    else:  # the compiled losses (float32 rounding), or eagerly SB3's bits
        assert fused._whole is None
        assert _relative_error(fused, library, start) <= 1e-4
        if change == "compile off":
            assert all(
                torch.equal(a, b) for a, b in zip(_state(fused), _state(library), strict=True)
            )


def test_the_whole_step_is_dropped_when_pickled_and_rebuilt():
    import pickle

    model = _collected()
    model.compile = True
    _train(model, 2, library=False)
    copied = pickle.loads(pickle.dumps(model))
    assert copied._whole is None and copied._whole_key is None
    copied.set_logger(configure(None, []))
    _train(copied, 2, library=False)
    assert copied._whole is not None and copied._whole is not model._whole
    assert isinstance(copied, FusedSAC)


def test_make_agents_sac_steps_whole_with_its_own_critic_learning_rate(compile_backend):
    """The main job's agent (``make_agent``: LrScaledAdam with the critic's own learning-rate
    factor, LayerNorm critics, the mixed replay buffer) trains whole and compiled, as SB3's
    ``SAC.train`` trains it."""
    from stable_baselines3 import SAC

    from agents.factory import make_agent
    from agents.vec_env import RamboModelVecEnv
    from rambo_env.bench import BenchConfig, synthetic_dataset, synthetic_mdp

    cfg = BenchConfig.quick()
    dataset = synthetic_dataset(cfg, n=2000)
    mdp = synthetic_mdp(dataset, cfg, torch.device("cpu"))
    vec_env = RamboModelVecEnv(mdp, 16, rollout_length=2, seed=0)
    agent = make_agent(
        "sac", vec_env, dataset, mdp.normalizer, rollout_length=2, device="cpu", compile=True,
        batch_size=32, policy_kwargs={"net_arch": [16, 16]},
        gradient_steps=2,  # not 1000 per collect: the comparison below needs optimizer state only
    )  # fmt: skip
    assert {g["lr_scale"] for g in agent.critic.optimizer.param_groups} != {1.0}
    agent.learn(total_timesteps=64, log_interval=None)  # fills the pool; trains (state made)
    states, start = {}, _weights(agent)
    for name in ("whole", "library"):
        model = copy.deepcopy(agent)
        np.random.seed(5)  # noqa: NPY002 - SB3's replay indices
        torch.manual_seed(5)
        model.replay_buffer.generator.manual_seed(5)
        if name == "library":
            SAC.train(model, 6, 32)
        else:
            model.train(6, 32)
            assert model._whole is not None and model._whole.ran_compiled
        states[name] = model
    assert _relative_error(states["whole"], states["library"], start) <= 1e-4
