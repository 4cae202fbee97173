"""Issue 12 (session 54): with ``compile=True`` each adversary step (Alg. 1 line 5) — Eq. 9's
loss, its gradient by ``torch.func``, the gradient norm and the Adam step — is one compiled graph
(``adversary._Eq9WholeStep``), with the numbers of the compiled loss, ``backward`` and the
library's Adam: the same model to float32 rounding, the optimizer's state dict the library's,
resumable; where it cannot stand in (hooks, AMSGrad) or its compile fails, the library step runs."""

from __future__ import annotations

import copy

import pytest
import torch
import torch._dynamo.utils as dynamo_utils

import rambo_env.adversary as adversary_module
from rambo_env.adversary import ADVERSARY_STATS, AdversaryConfig, ModelAdversary, PolicyFns
from tests.agents.test_adversary import _elites_out_of_order, toy  # noqa: F401  (fixture)

CFG = AdversaryConfig(0.5, rollout_length=3, n_updates=7, batch_size=32)


@pytest.fixture(autouse=True)
def _fresh_dynamo_caches():
    """torch compiles a function for at most 8 argument shapes per process: start each test
    below that limit."""
    torch._dynamo.reset()


def _policy() -> PolicyFns:
    return PolicyFns(
        sample=lambda o: torch.tanh(o[:, :1] + 0.3),
        mean=lambda o: torch.tanh(o[:, :1]),
        q=lambda o, a: o[:, 0] - a[:, 0] ** 2,
    )


def _pair(toy, seed: int = 5, precision: str = "fp32"):  # noqa: F811
    """Two adversaries on copies of one model (3 elites out of member order), the first
    compiled (its whole step), the second stepping piece by piece (its ``whole`` removed)."""
    mdp, dataset = _elites_out_of_order(toy)
    mdp.ensemble.set_precision(precision)
    other = copy.deepcopy(mdp)
    whole = ModelAdversary(mdp, dataset, CFG, seed=seed, compile=True)
    pieces = ModelAdversary(other, dataset, CFG, seed=seed, compile=True)
    return whole, pieces


def _stacking(monkeypatch, on: bool) -> None:
    """Whether the step functions built from here on run Eq. 9's two forwards as one stack
    (``eq9_stack_pays``: by the thread count, and the suite runs torch on one thread)."""
    monkeypatch.setattr(adversary_module, "eq9_stack_pays", lambda device: on)


def _by_pieces(adversary: ModelAdversary, policy: PolicyFns) -> None:
    adversary._rollout_fns = adversary._rollout_fn(policy)._replace(whole=None)


def _relative_error(a: ModelAdversary, b: ModelAdversary, start: dict) -> float:
    """How far ``a``'s weights are from ``b``'s, relative to how far training moved ``b``'s from
    ``start`` (float32 rounding is ~1e-6 of that; a wrong gradient or step size is > 1e-2)."""
    wa, wb = a.mdp.ensemble.state_dict(), b.mdp.ensemble.state_dict()
    diff = sum(float((wa[k] - wb[k]).square().sum()) for k in start)
    moved = sum(float((wb[k] - start[k]).square().sum()) for k in start)
    return (diff / moved) ** 0.5


def _count_calls(step) -> list:
    calls = []
    step.fn._compiled = (lambda f: lambda *a: (calls.append(1), f(*a))[1])(step.fn._compiled)
    return calls


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_the_whole_step_equals_the_library_step_over_two_updates(toy, precision, monkeypatch):  # noqa: F811
    """Two updates of 7 steps (the optimizer's state taken again at the second): weights, Adam
    moments and step counts as the compiled loss + backward + the library's Adam leave them,
    the same statistics; every step through the compiled graph. bf16: the same to 1e-2 of
    how far training moved the weights (bf16 keeps 8 bits; the two paths round in another
    order). The whole step runs Eq. 9's two forwards as one stack, the library step apart."""
    whole, pieces = _pair(toy, precision=precision)
    policy = _policy()
    _stacking(monkeypatch, True)
    whole._rollout_fn(policy)
    _stacking(monkeypatch, False)
    _by_pieces(pieces, policy)
    start = {k: v.clone() for k, v in whole.mdp.ensemble.state_dict().items()}
    step = whole._rollout_fn(policy).whole
    calls = None
    for _ in range(2):
        stats_w, stats_p = whole.update(policy), pieces.update(policy)
        if calls is None:  # compiled by the first step: count the second update's
            calls = _count_calls(step)
        assert stats_w.keys() == stats_p.keys() == set(ADVERSARY_STATS)
        for key in stats_w:
            assert stats_w[key] == pytest.approx(stats_p[key], rel=1e-3, abs=1e-6), key
    assert step.active and len(calls) == CFG.n_updates
    assert whole.n_steps == pieces.n_steps == 2 * CFG.n_updates
    tolerance = 1e-4 if precision == "fp32" else 1e-2
    assert _relative_error(whole, pieces, start) < tolerance
    for p_w, p_p in zip(whole.params, pieces.params, strict=True):
        s_w, s_p = whole.optimizer.state[p_w], pieces.optimizer.state[p_p]
        assert s_w.keys() == s_p.keys()
        assert float(s_w["step"]) == float(s_p["step"]) == 2 * CFG.n_updates
        assert s_w["step"].dtype == s_p["step"].dtype and s_w["step"].device == s_p["step"].device
        for key in ("exp_avg", "exp_avg_sq"):
            diff = torch.linalg.vector_norm(s_w[key] - s_p[key])
            assert float(diff) <= 10 * tolerance * float(torch.linalg.vector_norm(s_p[key])), key


def test_a_loaded_state_dict_is_what_the_next_update_steps(toy):  # noqa: F811
    """update(), state_dict() (copied, as a checkpoint file holds it) into a fresh adversary on
    a copy of the model, update() there:
    bitwise the weights and optimizer state of two updates in one adversary (the whole step
    takes the loaded optimizer's tensors, not the ones it held before)."""
    policy = _policy()
    first, _ = _pair(toy)
    first.update(policy)
    resumed_mdp = copy.deepcopy(first.mdp)
    resumed = ModelAdversary(resumed_mdp, first.dataset, CFG, seed=99, compile=True)
    resumed.update(policy)  # its own optimizer state and draws, then overwritten by the load
    resumed_mdp.ensemble.load_state_dict(first.mdp.ensemble.state_dict())
    resumed.load_state_dict(copy.deepcopy(first.state_dict()))
    first.update(policy)
    resumed.update(policy)
    assert resumed._rollout_fn(policy).whole.active
    for key, value in first.mdp.ensemble.state_dict().items():
        assert torch.equal(resumed_mdp.ensemble.state_dict()[key], value), key
    for p_f, p_r in zip(first.params, resumed.params, strict=True):
        for key, value in first.optimizer.state[p_f].items():
            assert torch.equal(resumed.optimizer.state[p_r][key], value), key


def test_an_optimizer_with_a_step_hook_is_stepped_by_the_library(toy):  # noqa: F811
    """A step hook (or AMSGrad, weight decay: :func:`adam_groups`) must run: the whole step
    stands aside, nothing of it compiles, and every step is the library's (the hook sees 7)."""
    whole, _ = _pair(toy)
    seen = []
    whole.optimizer.register_step_post_hook(lambda *args: seen.append(1))
    graphs = dynamo_utils.counters["stats"]["unique_graphs"]
    policy = _policy()
    whole.update(policy)
    fns = whole._rollout_fn(policy)
    assert len(seen) == CFG.n_updates
    assert not fns.whole.active and fns.whole.groups is None
    assert fns.loss.ran_compiled  # the compiled loss, backward and the library's Adam
    assert dynamo_utils.counters["stats"]["unique_graphs"] == graphs + 1


def test_an_amsgrad_optimizer_is_stepped_by_the_library(toy):  # noqa: F811
    """AMSGrad (set on the adversary's optimizer before its first update) is not what the
    whole step computes: it stands aside and the updates equal the library's."""
    whole, pieces = _pair(toy)
    policy = _policy()
    _by_pieces(pieces, policy)
    for adversary in (whole, pieces):
        adversary.optimizer.param_groups[0]["amsgrad"] = True
    start = {k: v.clone() for k, v in whole.mdp.ensemble.state_dict().items()}
    whole.update(policy)
    pieces.update(policy)
    assert not whole._rollout_fn(policy).whole.active
    assert "max_exp_avg_sq" in whole.optimizer.state[whole.params[0]]
    assert _relative_error(whole, pieces, start) < 1e-4


def test_a_failed_compile_runs_that_step_eagerly_then_the_library_steps(monkeypatch, capsys, toy):  # noqa: F811
    """A compile that fails (no C++ compiler) says so once per function; the step it failed on
    runs the same whole step eagerly (one graph fails before any of it runs), the rest piece
    by piece: the update ends where the library's does, to float32 rounding."""

    def failing(fn, **kwargs):
        def run(*args, **kw):
            raise RuntimeError("inductor: no C++ compiler")

        return run

    monkeypatch.setattr(torch, "compile", failing)
    whole, pieces = _pair(toy)
    policy = _policy()
    _by_pieces(pieces, policy)
    start = {k: v.clone() for k, v in whole.mdp.ensemble.state_dict().items()}
    stats_w, stats_p = whole.update(policy), pieces.update(policy)
    assert not whole._rollout_fn(policy).whole.active
    out = capsys.readouterr().out
    assert out.count("torch.compile of the adversary's Eq. 9 gradient step failed") == 1
    assert "no C++ compiler" in out
    for key in stats_w:
        assert stats_w[key] == pytest.approx(stats_p[key], rel=1e-4, abs=1e-6), key
    assert _relative_error(whole, pieces, start) < 1e-4


@pytest.mark.parametrize(
    "frozen", [("max_logvar", "min_logvar"), ("hidden.0.weight",)], ids=["bounds", "a layer"]
)
def test_frozen_parameters_stay_frozen(toy, frozen, compile_backend):  # noqa: F811
    """Parameters that do not require a gradient are not the optimizer's: the whole step runs
    (a frozen per-member weight still gives the elites' forward its elites' rows), leaves them
    as they are, and trains the rest as the library step does."""
    whole, pieces = _pair(toy)
    for adversary in (whole, pieces):
        for name in frozen:
            adversary.mdp.ensemble.get_parameter(name).requires_grad_(False)
    mdp_w, mdp_p = whole.mdp, pieces.mdp
    whole = ModelAdversary(mdp_w, whole.dataset, CFG, seed=5, compile=True)
    pieces = ModelAdversary(mdp_p, pieces.dataset, CFG, seed=5, compile=True)
    policy = _policy()
    _by_pieces(pieces, policy)
    kept = {name: mdp_w.ensemble.get_parameter(name).detach().clone() for name in frozen}
    start = {k: v.clone() for k, v in mdp_w.ensemble.state_dict().items()}
    whole.update(policy)
    pieces.update(policy)
    assert whole._rollout_fn(policy).whole.active
    for name, value in kept.items():
        assert torch.equal(mdp_w.ensemble.get_parameter(name), value), name
    assert _relative_error(whole, pieces, start) < 1e-4


def _stack_sizes(monkeypatch) -> list[int]:
    """Each ensemble layer's batched matmul (``torch.baddbmm``), its number of members: the
    first dim of its input, recorded as the step calls it. ``torch.compile`` as the plain
    function: the whole step's Python runs as it is written, call by call."""
    sizes = []
    baddbmm = torch.baddbmm

    def recording(bias, x, weight, **kwargs):
        sizes.append(x.shape[0])
        return baddbmm(bias, x, weight, **kwargs)

    monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: fn)
    monkeypatch.setattr(torch, "baddbmm", recording)
    return sizes


@pytest.mark.parametrize("compiled", [True, False], ids=["whole step", "eager"])
def test_the_step_runs_the_members_and_the_elites_as_one_stack(toy, monkeypatch, compiled):  # noqa: F811
    """Issue 12 (session 63): Eq. 9's two forwards — every member on the real batch (the MLE
    term), the elites on the synthetic one — run as one batched matmul per layer over
    ``n_members + n_elites`` members (apart, 7 and 5 products leave one of 2 threads idle for a
    product of each: 12 share them evenly), in the whole compiled step and eagerly."""
    whole, pieces = _pair(toy)
    policy = _policy()
    if not compiled:  # the eager step (a run below 20 iterations): eq9_rollout_step
        whole = ModelAdversary(pieces.mdp, pieces.dataset, CFG, seed=5, compile=False)
    _stacking(monkeypatch, True)
    sizes = _stack_sizes(monkeypatch)
    whole.update(policy)
    ensemble = whole.mdp.ensemble
    fns = whole._rollout_fn(policy)
    assert fns.whole.fn.ran_compiled if compiled else fns.whole is None
    layers = len(ensemble.hidden) + 1  # the hidden layers and the two heads' one product
    assert sizes == [ensemble.n_members + ensemble.n_elites] * layers * CFG.n_updates


def test_eq9_stacks_where_more_than_one_thread_shares_the_products(monkeypatch):
    """The stack pays where a thread would idle: a CPU with more than one torch thread, or a
    GPU (fewer kernels); on one CPU thread the two forwards run apart (the weight copy is all
    the stack would add). Built into the step when its functions are built."""
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert not adversary_module.eq9_stack_pays("cpu")
        assert adversary_module.eq9_stack_pays("cuda") and adversary_module.eq9_stack_pays("cuda:1")
        torch.set_num_threads(2)
        assert adversary_module.eq9_stack_pays(torch.device("cpu"))
    finally:
        torch.set_num_threads(threads)


def test_a_synthetic_batch_of_another_size_runs_the_forwards_apart_as_the_library(
    toy,  # noqa: F811
    monkeypatch,
    compile_backend,
):
    """A rollout batch that is not the real batch's size (a stack needs equal rows): the whole
    step runs the two forwards apart, with the numbers of the library step (statistics and
    weights to float32 rounding, the same next states)."""
    whole, pieces = _pair(toy)
    policy = _policy()
    _stacking(monkeypatch, True)  # asked, but the rows differ
    _by_pieces(pieces, policy)
    start = {k: v.clone() for k, v in whole.mdp.ensemble.state_dict().items()}
    obs = whole.mdp.initial(CFG.batch_size // 4, whole.rng)
    pieces.mdp.initial(CFG.batch_size // 4, pieces.rng)  # the same draws after it
    for _ in range(3):
        stats_w, next_w = whole._rollout_step(policy, obs, policy.sample(obs))
        stats_p, next_p = pieces._rollout_step(policy, obs, policy.sample(obs))
        for key in ADVERSARY_STATS:
            assert float(stats_w[key]) == pytest.approx(float(stats_p[key]), rel=1e-4, abs=1e-6)
        torch.testing.assert_close(next_w, next_p, rtol=1e-5, atol=1e-6)
        obs = next_w
    assert whole._rollout_fn(policy).whole.fn.ran_compiled
    assert _relative_error(whole, pieces, start) < 1e-4
    ensemble = whole.mdp.ensemble
    sizes = _stack_sizes(monkeypatch)
    whole._rollout_fns = None  # built again: the plain function
    whole._rollout_step(policy, obs, policy.sample(obs))
    layers = len(ensemble.hidden) + 1
    assert sorted(set(sizes)) == sorted({ensemble.n_members, ensemble.n_elites})
    assert len(sizes) == 2 * layers
