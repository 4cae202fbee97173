"""Session 62 (issue 12): CUDA graphs for the compiled whole steps (MLE batch, adversary step, SAC
step), opt-in: ``RAMBO_ENV_CUDA_GRAPHS=1`` and a CUDA device. Here, without a GPU: the switch,
what reaches ``torch.compile``, and each step's own bookkeeping for graphs — its Adam state marked
static, a running sum of its own moved over after each call, its outputs copied — run on the CPU
with the switch forced on, and train exactly as the same compiled step without it.
``tests/test_cuda.py`` checks the graphs themselves on a GPU (captured, none skipped, same
numbers)."""

from __future__ import annotations

import copy
import math

import pytest
import torch
from torch._dynamo.utils import get_static_address_type

import agents.fused as fused_module
from rambo_env import compile as compile_module
from rambo_env.compile import (
    CUDA_GRAPHS_VARIABLE,
    MaybeCompiled,
    cuda_graphs_wanted,
    static_addresses,
)
from rambo_env.dynamics.training import _MLEStep, _run_epoch, make_adam
from rambo_env.optim import adam_state
from tests.agents.test_adversary import toy  # noqa: F401  (fixture)
from tests.agents.test_adversary_whole_step import _pair, _policy
from tests.agents.test_fused import _collected, _train
from tests.agents.test_fused_whole_step import _weights
from tests.dynamics.test_mle_whole_step import _batches, _flat, _model


@pytest.fixture(autouse=True)
def _fresh_dynamo_caches():
    """torch compiles a function for at most 8 argument shapes per process: start below it."""
    torch._dynamo.reset()


def _graphs(monkeypatch, on: bool) -> None:
    """Force the switch (the modules read it when they build a compiled step)."""
    monkeypatch.setattr(compile_module, "cuda_graphs_wanted", lambda device: on)
    monkeypatch.setattr(fused_module, "cuda_graphs_wanted", lambda device: on)


def _step_marks(monkeypatch) -> list:
    """A list that grows by one at each ``torch.compiler.cudagraph_mark_step_begin()``."""
    marks: list = []
    monkeypatch.setattr(torch.compiler, "cudagraph_mark_step_begin", lambda: marks.append(1))
    return marks


def _static(tensors) -> bool:
    return all(get_static_address_type(t) == "unguarded" for t in tensors)


def test_cuda_graphs_are_off_unless_asked_and_only_on_cuda(monkeypatch):
    monkeypatch.delenv(CUDA_GRAPHS_VARIABLE, raising=False)
    assert not cuda_graphs_wanted("cuda")
    for on in ("1", "true", " Yes ", "ON"):
        monkeypatch.setenv(CUDA_GRAPHS_VARIABLE, on)
        assert cuda_graphs_wanted("cuda") and cuda_graphs_wanted(torch.device("cuda", 0)), on
        assert not cuda_graphs_wanted("cpu") and not cuda_graphs_wanted(torch.device("cpu"))
    for off in ("", "0", "false", "No", "off"):
        monkeypatch.setenv(CUDA_GRAPHS_VARIABLE, off)
        assert not cuda_graphs_wanted("cuda"), off
    monkeypatch.setenv(CUDA_GRAPHS_VARIABLE, "maybe")
    with pytest.raises(ValueError, match=r"^RAMBO_ENV_CUDA_GRAPHS='maybe': not 1 / true"):
        cuda_graphs_wanted("cpu")


def test_only_a_cuda_graph_step_asks_torch_compile_for_reduce_overhead(monkeypatch):
    seen: list[dict] = []

    def recording(fn, **kwargs):
        seen.append(kwargs)
        return fn

    monkeypatch.setattr(torch, "compile", recording)
    graphs = MaybeCompiled(
        lambda x: x + 1, enabled=True, name="t", fullgraph=True, cuda_graphs=True
    )
    plain = MaybeCompiled(lambda x: x + 1, enabled=True, name="t")
    eager = MaybeCompiled(lambda x: x + 1, enabled=False, name="t", cuda_graphs=True)
    assert len(seen) == 2  # the eager one compiles nothing
    assert seen[0]["mode"] == "reduce-overhead" and seen[0]["fullgraph"]
    assert "mode" not in seen[1]
    assert graphs.cuda_graphs and not plain.cuda_graphs and not eager.cuda_graphs
    assert torch.equal(graphs(torch.zeros(2)), torch.ones(2))
    graphs._compiled = None  # as after a failed compile: eager from then on
    assert not graphs.cuda_graphs
    with pytest.raises(ValueError, match="cuda_graphs"):
        MaybeCompiled(lambda x: x, enabled=True, name="t", cuda_graphs="yes")


def test_static_addresses_marks_each_tensor_unguarded():
    tensors = [torch.zeros(3), torch.ones(())]
    assert not any(get_static_address_type(t) for t in tensors)
    static_addresses(iter(tensors))  # any iterable
    assert _static(tensors)


def test_the_mle_step_for_graphs_sums_apart_and_trains_as_without(monkeypatch, compile_backend):
    """Its Adam state and its own loss sum static; after each batch the sum is moved into the
    epoch's and cleared; the warm-up compiles on static copies; two epochs end with the weights,
    Adam state and mean losses of the same compiled step without graphs."""
    x, y, order = _batches()
    marks = _step_marks(monkeypatch)
    runs = {}
    for on in (True, False):
        _graphs(monkeypatch, on)
        before = len(marks)
        model = _model()
        opt = make_adam(model.parameters(), 1e-3)
        step = _MLEStep(model, opt, compile=True)
        assert step.active and step.fn.cuda_graphs is on and step.scalars.cuda_graphs is on
        assert (step._sum is not None) is on
        if on:
            assert _static([*adam_state(step.groups), step._sum])
        step.warm_up(x, y, order, 64)
        losses = [_run_epoch(model, opt, x, y, order, 64, math.inf, None, step)[0] for _ in "ab"]
        assert step.fn.ran_compiled
        # a new graph step at each batch (2 epochs of 6) and each warm-up size (2)
        assert len(marks) - before == (14 if on else 0)
        if on:
            assert float(step._sum) == 0.0  # nothing left behind for the next batch
        moments = [t.clone() for s in opt.state.values() for t in (s["exp_avg"], s["exp_avg_sq"])]
        runs[on] = losses, _flat(model), moments
    (loss_g, flat_g, mom_g), (loss_p, flat_p, mom_p) = runs[True], runs[False]
    assert loss_g == pytest.approx(loss_p, rel=1e-6)
    torch.testing.assert_close(flat_g, flat_p, rtol=1e-6, atol=1e-8)
    for a, b in zip(mom_g, mom_p, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-10)


def test_the_adversary_step_for_graphs_copies_its_outputs_and_trains_as_without(
    toy,  # noqa: F811
    monkeypatch,
    compile_backend,
):
    """The whole step's outputs (statistics, next states) are copies, not the graph's own
    tensors (a replay overwrites those); its Adam state is static; an update gives the
    statistics and weights of the same compiled step without graphs."""
    policy = _policy()
    with_graphs, without = _pair(toy)
    marks = _step_marks(monkeypatch)
    _graphs(monkeypatch, True)
    step = with_graphs._rollout_fn(policy).whole
    assert step.cuda_graphs and step.fn.cuda_graphs and step.scalars.cuda_graphs
    returned = []
    inner = step.fn._compiled
    step.fn._compiled = lambda *a: returned.append(inner(*a)) or returned[-1]
    stats_g = with_graphs.update(policy)
    assert step.active and step.fn.ran_compiled and len(returned) == with_graphs.cfg.n_updates
    assert _static(adam_state(step.groups))
    obs = with_graphs.mdp.initial(8, with_graphs.rng)
    stats, next_obs = with_graphs._rollout_step(policy, obs, policy.sample(obs))
    graph_stats, graph_next = returned[-1]
    assert next_obs.data_ptr() != graph_next.data_ptr() and torch.equal(next_obs, graph_next)
    for value, own in zip(stats.values(), graph_stats, strict=True):
        assert value.data_ptr() != own.data_ptr() and torch.equal(value, own)
    assert len(marks) == len(returned) == with_graphs.cfg.n_updates + 1  # one per graph step

    _graphs(monkeypatch, False)
    plain = without._rollout_fn(policy).whole
    assert not plain.cuda_graphs and not plain.fn.cuda_graphs
    stats_p = without.update(policy)
    assert plain.fn.ran_compiled and len(marks) == with_graphs.cfg.n_updates + 1
    for key, value in stats_p.items():
        assert float(stats_g[key]) == pytest.approx(float(value), rel=1e-6, abs=1e-9), key
    obs = without.mdp.initial(8, without.rng)
    without._rollout_step(policy, obs, policy.sample(obs))  # the same extra step as above
    weights_g = with_graphs.mdp.ensemble.state_dict()
    for name, value in without.mdp.ensemble.state_dict().items():
        torch.testing.assert_close(weights_g[name], value, rtol=1e-6, atol=1e-8, msg=name)


def test_the_sac_step_for_graphs_adds_into_its_own_sums_and_trains_as_without(
    monkeypatch, compile_backend
):
    """SAC's whole step adds its losses into sums of its own (static, as its Adam state and
    log α), moved into train()'s after each step; 12 steps log the losses and leave the
    weights of the same compiled step without graphs; a copy of the agent keeps none of it."""
    with_graphs = _collected()
    with_graphs.compile = True
    without = copy.deepcopy(with_graphs)
    marks = _step_marks(monkeypatch)
    _graphs(monkeypatch, True)
    logged_g = _train(with_graphs, 12, library=False)
    assert len(marks) == 11  # a new graph step at each whole step (the first makes Adam's state)
    whole = with_graphs._whole
    assert whole is not None and whole.cuda_graphs and whole.ran_compiled
    own = with_graphs._graph_sums
    assert own is not None and torch.equal(own, torch.zeros(4))  # moved over, cleared
    optimizers = (
        with_graphs.critic.optimizer,
        with_graphs.actor.optimizer,
        with_graphs.ent_coef_optimizer,
    )
    state = [t for opt in optimizers for s in opt.state.values() for t in s.values()]
    assert len(state) > 3 and _static([*state, with_graphs.log_ent_coef, own])
    assert copy.deepcopy(with_graphs)._graph_sums is None
    assert "_graph_sums" in with_graphs._excluded_save_params()

    _graphs(monkeypatch, False)
    logged_p = _train(without, 12, library=False)
    assert not without._whole.cuda_graphs and without._graph_sums is None and len(marks) == 11
    assert logged_g.keys() == logged_p.keys()
    for key, value in logged_p.items():
        assert logged_g[key] == pytest.approx(value, rel=1e-6, abs=1e-9), key
    torch.testing.assert_close(_weights(with_graphs), _weights(without), rtol=1e-6, atol=1e-8)


def test_the_main_job_refuses_a_bad_setting_before_any_work(tmp_path, monkeypatch, capsys):
    """A value of RAMBO_ENV_CUDA_GRAPHS that is neither on nor off is one error line naming it,
    before the dataset, on any device, and no run folder is made."""
    from tests.scripts import load_script

    monkeypatch.setenv(CUDA_GRAPHS_VARIABLE, "sometimes")
    cli = load_script("cotrain")
    code = cli.main(["--dataset", "no-such-dataset-xyz", "--run-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err, err
    assert "error: RAMBO_ENV_CUDA_GRAPHS='sometimes': not 1 / true / yes / on" in err, err
    assert not (tmp_path / "r").exists()  # nothing half-written
