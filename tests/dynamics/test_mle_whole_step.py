"""Issue 12: with ``compile=True`` MLE pretraining (Alg. 1 line 1) runs each batch's loss,
gradient and Adam step as one compiled graph (``training._MLEStep``), with the library step's
numbers: the same model to float32 rounding, the optimizer's state dict the library's, resumable."""

from __future__ import annotations

import math

import pytest
import torch
import torch._dynamo.utils as dynamo_utils

from rambo_env import compile as compile_module
from rambo_env.dynamics import training
from rambo_env.dynamics.ensemble import GaussianEnsemble
from rambo_env.dynamics.training import MLEConfig, _MLEStep, _run_epoch, make_adam, train_mle
from rambo_env.normalization import ObsNormalizer
from rambo_env.optim import init_adam_state
from tests.dynamics.test_mle_training import TINY, linear_dataset


@pytest.fixture(autouse=True)
def _fresh_dynamo_caches():
    """torch compiles a function for at most 8 argument shapes per process (its recompile limit;
    then the batches go piece by piece, with a note): start each test below it."""
    torch._dynamo.reset()


def _model(seed: int = 0) -> GaussianEnsemble:
    return GaussianEnsemble(3, 2, TINY, generator=torch.Generator().manual_seed(seed))


def _flat(model: GaussianEnsemble) -> torch.Tensor:
    return torch.cat([p.detach().flatten().clone() for p in model.parameters()])


def _batches(n_rows: int = 600, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n_rows, 5, generator=gen)  # [N, in]: 3 obs + 2 action
    y = 0.1 * torch.randn(n_rows, 4, generator=gen)  # [N, T]: reward + 3 Δobs
    order = torch.randint(n_rows, (TINY.n_members, 5 * 64 + 20), generator=gen)  # a short last
    return x, y, order


def _relative_error(a: torch.Tensor, b: torch.Tensor, start: torch.Tensor) -> float:
    """How far ``a`` is from ``b`` relative to how far training moved ``b`` from ``start`` (the
    weights barely move in a few batches: relative to them any two runs look alike). Float32
    rounding is ~1e-5 of that; a wrong learning rate or bias correction is > 1e-2."""
    return float(torch.linalg.vector_norm(a - b) / torch.linalg.vector_norm(b - start))


def test_compiled_epochs_equal_the_library_step_from_the_first_batch():
    """Two epochs (6 batches each, the last one shorter) as one graph per batch, from a fresh
    optimizer: weights and Adam moments as the library's loss / backward / fused Adam leave
    them, to 1e-4 of how far training moved them, the same mean losses to 1e-5; every batch,
    the first included, ran the compiled step."""
    x, y, order = _batches()
    whole, library = _model(), _model()
    start = _flat(whole)
    opt_w, opt_l = make_adam(whole.parameters(), 1e-3), make_adam(library.parameters(), 1e-3)
    step = _MLEStep(whole, opt_w, compile=True)
    assert step.active
    calls = []
    real = step.fn.fn
    step.fn._compiled = (lambda f: lambda *a: (calls.append(1), f(*a))[1])(step.fn._compiled)
    for _ in range(2):
        loss_w, _ = _run_epoch(whole, opt_w, x, y, order, 64, math.inf, None, step)
        loss_l, _ = _run_epoch(library, opt_l, x, y, order, 64, math.inf)
        assert loss_w == pytest.approx(loss_l, rel=1e-5)
    assert len(calls) == 12 and step.fn.fn is real  # every batch through the compiled graph
    assert _relative_error(_flat(whole), _flat(library), start) < 1e-4
    for p_w, p_l in zip(whole.parameters(), library.parameters(), strict=True):
        s_w, s_l = opt_w.state[p_w], opt_l.state[p_l]
        assert s_w.keys() == s_l.keys()
        assert float(s_w["step"]) == float(s_l["step"]) == 12.0
        assert s_w["step"].dtype == s_l["step"].dtype and s_w["step"].device == s_l["step"].device
        for key in ("exp_avg", "exp_avg_sq"):  # gradients to float32 rounding: ≤ 1e-4 each
            diff = torch.linalg.vector_norm(s_w[key] - s_l[key])
            assert float(diff) <= 1e-3 * float(torch.linalg.vector_norm(s_l[key])), key


def test_init_adam_state_is_what_the_first_library_step_starts_from():
    """The state made before any step equals the library's, so a library step after it gives
    bitwise what a fresh optimizer's first step gives (and the state dicts load into each other)."""
    x, y, order = _batches()
    made, fresh = _model(), _model()
    opt_m, opt_f = make_adam(made.parameters(), 1e-3), make_adam(fresh.parameters(), 1e-3)
    init_adam_state(opt_m)
    for model, opt in ((made, opt_m), (fresh, opt_f)):
        loss, _ = model.mle_loss_from_tensors(x[order[:, :64]], y[order[:, :64]])
        loss.backward()
        opt.step()
    assert torch.equal(_flat(made), _flat(fresh))
    sd_m, sd_f = opt_m.state_dict(), opt_f.state_dict()
    for i, state in sd_f["state"].items():
        for key, value in state.items():
            assert torch.equal(sd_m["state"][i][key], value), key
            assert sd_m["state"][i][key].dtype == value.dtype


def test_warm_up_compiles_on_copies_and_changes_nothing():
    """The warm-up compiles both batch shapes; the model's weights and the optimizer's state are
    bitwise as before, and the epoch after it compiles nothing more."""
    x, y, order = _batches()
    model = _model()
    opt = make_adam(model.parameters(), 1e-3)
    step = _MLEStep(model, opt, compile=True)
    before, graphs = _flat(model), dynamo_utils.counters["stats"]["unique_graphs"]
    state = [v.clone() for s in opt.state.values() for v in s.values()]
    step.warm_up(x, y, order, 64)
    assert torch.equal(_flat(model), before)
    after = [v for s in opt.state.values() for v in s.values()]
    assert len(after) == len(state) and all(map(torch.equal, after, state))
    # the step for a full and for the last batch; the Adam step sizes once (compiled apart)
    assert dynamo_utils.counters["stats"]["unique_graphs"] == graphs + 3
    graphs += 3
    _run_epoch(model, opt, x, y, order, 64, math.inf, None, step)
    assert dynamo_utils.counters["stats"]["unique_graphs"] == graphs
    assert not torch.equal(_flat(model), before)


def test_one_compile_serves_another_ensemble_and_dataset_of_the_same_sizes():
    """Everything is an argument of the compiled step: a second model, optimizer and dataset
    (another row count) reuse the graphs; torch's 8-shape limit is not spent per model."""
    x, y, order = _batches()
    first = _model()
    opt = make_adam(first.parameters(), 1e-3)
    _run_epoch(first, opt, x, y, order, 64, math.inf, None, _MLEStep(first, opt, compile=True))
    graphs = dynamo_utils.counters["stats"]["unique_graphs"]
    x2, y2, order2 = _batches(n_rows=900, seed=1)
    second = _model(1)
    opt2 = make_adam(second.parameters(), 1e-3)
    start = _flat(second)
    _run_epoch(second, opt2, x2, y2, order2, 64, math.inf, None, _MLEStep(second, opt2, True))
    assert dynamo_utils.counters["stats"]["unique_graphs"] == graphs
    assert not torch.equal(_flat(second), start)


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda params: torch.optim.Adam(params, lr=1e-3, weight_decay=1e-4),
        lambda params: torch.optim.Adam(params, lr=1e-3, amsgrad=True),
        lambda params: torch.optim.SGD(params, lr=1e-3),
    ],
    ids=["weight decay", "amsgrad", "sgd"],
)
def test_an_optimizer_the_whole_step_cannot_stand_in_for_steps_piece_by_piece(make_optimizer):
    """Adam with weight decay or AMSGrad, or another optimizer: inactive, nothing compiled, and
    the epoch is the library's, bitwise."""
    x, y, order = _batches()
    model, reference = _model(), _model()
    opt, opt_ref = make_optimizer(model.parameters()), make_optimizer(reference.parameters())
    graphs = dynamo_utils.counters["stats"]["unique_graphs"]
    step = _MLEStep(model, opt, compile=True)
    assert not step.active
    step.warm_up(x, y, order, 64)
    _run_epoch(model, opt, x, y, order, 64, math.inf, None, step)
    _run_epoch(reference, opt_ref, x, y, order, 64, math.inf)
    assert torch.equal(_flat(model), _flat(reference))
    assert dynamo_utils.counters["stats"]["unique_graphs"] == graphs


def test_compile_off_makes_no_state_and_steps_piece_by_piece():
    model = _model()
    opt = make_adam(model.parameters(), 1e-3)
    step = _MLEStep(model, opt, compile=False)
    assert not step.active and not opt.state  # the library's first step makes it, as always


def test_a_failed_compile_runs_that_batch_eagerly_then_piece_by_piece(monkeypatch, capsys):
    """A compile that fails (no C++ compiler, an unsupported op) says so once; the batch it
    failed on runs the same step eagerly (one graph fails before any of it runs), the rest the
    library's way: the epoch ends where the library's does, to float32 rounding."""

    def failing(fn, **kwargs):
        def run(*args):
            raise RuntimeError("inductor: no C++ compiler")

        return run

    monkeypatch.setattr(torch, "compile", failing)
    x, y, order = _batches()
    model, reference = _model(), _model()
    start = _flat(model)
    opt, opt_ref = make_adam(model.parameters(), 1e-3), make_adam(reference.parameters(), 1e-3)
    step = _MLEStep(model, opt, compile=True)
    assert step.active
    _run_epoch(model, opt, x, y, order, 64, math.inf, None, step)
    _run_epoch(reference, opt_ref, x, y, order, 64, math.inf)
    assert not step.active
    out = capsys.readouterr().out
    assert out.count("torch.compile of the MLE gradient step (Alg. 1 line 1) failed") == 1
    assert "no C++ compiler" in out
    assert _relative_error(_flat(model), _flat(reference), start) < 1e-4


def test_compiled_pretraining_resumes_from_its_checkpoint_bitwise(tmp_path):
    """2 epochs, stop, 2 more from the checkpoint (the whole step rebuilt on the loaded optimizer
    state) give bitwise the model of 4 uninterrupted compiled epochs; both as the eager run to
    float32 rounding, every epoch recorded compiled."""
    data = linear_dataset(700)
    norm = ObsNormalizer.from_dataset(data)

    def fit(cfg, compile=True, checkpoint=None):
        model = _model()
        report = train_mle(
            model, data, norm, cfg, "cpu", progress=False, compile=compile,
            checkpoint_path=checkpoint,
        )  # fmt: skip
        return model, report

    partial = tmp_path / "mle.partial.pt"
    fit(MLEConfig(max_epochs=2, seed=0), checkpoint=partial)
    resumed, report = fit(MLEConfig(max_epochs=4, seed=0), checkpoint=partial)
    straight, straight_report = fit(MLEConfig(max_epochs=4, seed=0))
    eager, eager_report = fit(MLEConfig(max_epochs=4, seed=0), compile=False)
    assert report.compiled == straight_report.compiled == (True,) * 4
    assert torch.equal(_flat(resumed), _flat(straight))
    assert report.train_loss == straight_report.train_loss
    assert report.train_loss == pytest.approx(eager_report.train_loss, rel=1e-5)
    start = _flat(_model())
    assert _relative_error(_flat(straight), _flat(eager), start) < 1e-4


def test_train_mle_runs_the_whole_step_and_says_what_it_compiled(
    monkeypatch, capsys, compile_backend
):
    """train_mle builds the step after a resume's state is loaded and warms it up off the clock;
    the note names the gradient step (the loss alone when the step cannot run). Which step runs
    and what is said, not inductor's numbers (test_compiled_epochs_equal_… checks those)."""
    built = []
    monkeypatch.setattr(
        training, "_MLEStep", lambda *a, **k: built.append(_MLEStep(*a, **k)) or built[-1]
    )
    monkeypatch.setattr(compile_module, "compile_disabled", lambda: None)
    data = linear_dataset(700)
    train_mle(_model(), data, ObsNormalizer.from_dataset(data), MLEConfig(max_epochs=1),
              "cpu", progress=False, compile=True)  # fmt: skip
    (step,) = built
    assert step.active and step.fn.ran_compiled
    out = capsys.readouterr().out
    assert "compiling the MLE loss" not in out
