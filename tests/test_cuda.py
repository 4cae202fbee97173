"""The fast paths on CUDA (issue 12): skipped on a machine without a GPU.

Each fast path is compared with the plain fp32 path on the same inputs: fused Adam with the
one-tensor-at-a-time Adam on the GPU (1e-5 relative), and the ensemble loss, rollout step and
adversary step on the GPU with the same computation on the CPU (1e-4 relative: the GPU's kernels
sum in another order; TF32 is switched off here, as it is by default in PyTorch). The main job runs
end to end with ``device="cuda"`` and resumes there.
"""

from __future__ import annotations

import copy
import dataclasses
import json

import numpy as np
import pytest
import torch

from agents.cotrain import run_cotrain
from agents.factory import make_agent
from agents.vec_env import RamboModelVecEnv
from rambo_env import rng_state
from rambo_env.adversary import AdversaryConfig, ModelAdversary, PolicyFns
from rambo_env.dynamics.training import make_adam
from rambo_env.run_io import load_checkpoint
from tests.agents.test_cotrain import tiny_config, tiny_hopper  # noqa: F401 (fixture)
from tests.envs.tiny_mdp import make_tiny_dataset, make_tiny_mdp

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")

CPU_VS_CUDA = dict(rtol=1e-4, atol=1e-5)


@pytest.fixture(autouse=True)
def _fp32_matmuls():
    """Full-precision matmuls (PyTorch's default; a user's script may have enabled TF32)."""
    old = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = old


@pytest.fixture(scope="module")
def tiny():
    dataset = make_tiny_dataset()
    return make_tiny_mdp(dataset), dataset


def _on(mdp, device: str):
    return copy.deepcopy(mdp).to(device)


def _policy(mdp) -> PolicyFns:
    """A fixed smooth policy and critic, on whatever device the inputs are."""
    w = torch.linspace(-1.0, 1.0, mdp.obs_dim * mdp.action_dim).reshape(mdp.obs_dim, -1)

    def mean(o: torch.Tensor) -> torch.Tensor:
        return torch.tanh(o @ w.to(o.device))

    def q(o: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        return o.sum(1) - (a**2).sum(1)

    return PolicyFns(sample=mean, mean=mean, q=q)


def test_fused_adam_on_cuda_equals_the_plain_adam():
    gen = torch.Generator(device="cuda").manual_seed(0)
    params = [torch.randn(7, 64, 64, device="cuda", generator=gen) for _ in range(3)]
    fast = [p.clone().requires_grad_(True) for p in params]
    plain = [p.clone().requires_grad_(True) for p in params]
    opt_fast = make_adam(fast, 1e-3)
    assert opt_fast.defaults["fused"]  # the fast path is the one in use on CUDA
    opt_plain = torch.optim.Adam(plain, lr=1e-3, foreach=False)
    for _ in range(5):
        grads = [torch.randn(p.shape, device="cuda", generator=gen) for p in params]
        for group, opt in ((fast, opt_fast), (plain, opt_plain)):
            for p, g in zip(group, grads, strict=True):
                p.grad = g.clone()
            opt.step()
    for a, b in zip(fast, plain, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-7)


def test_compiled_mle_step_on_cuda_equals_the_library_step():
    """Issue 12 (session 53): an MLE batch as one compiled graph on the GPU (Adam's state made
    on the device first, step counts there as the fused kernel keeps them) gives the library
    step's weights to float32 rounding; it must really compile there (no eager fallback)."""
    import math

    from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble
    from rambo_env.dynamics.training import _MLEStep, _run_epoch

    config = EnsembleConfig(n_members=4, n_elites=2, hidden_dims=(32, 32))
    gen = torch.Generator().manual_seed(0)
    x, y = (
        torch.randn(600, 5, generator=gen).cuda(),
        0.1 * torch.randn(600, 4, generator=gen).cuda(),
    )
    order = torch.randint(600, (4, 5 * 64 + 20), generator=gen).cuda()
    models, start = [], None
    for compile_ in (True, False):
        model = GaussianEnsemble(3, 2, config, generator=torch.Generator().manual_seed(0)).cuda()
        start = torch.cat([p.detach().flatten() for p in model.parameters()])
        opt = make_adam(model.parameters(), 1e-3)
        step = _MLEStep(model, opt, compile=compile_)
        _run_epoch(model, opt, x, y, order, 64, math.inf, None, step)
        if compile_:
            assert step.active and step.fn.ran_compiled
            assert all(s["step"].device.type == "cuda" for s in opt.state.values())
        models.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
    moved = torch.linalg.vector_norm(models[1] - start)
    assert float(torch.linalg.vector_norm(models[0] - models[1]) / moved) < 1e-4


def test_ensemble_loss_and_gradients_on_cuda_equal_cpu(tiny):
    mdp, _ = tiny
    rng = np.random.default_rng(0)
    obs = mdp.initial(256, rng)
    action = torch.as_tensor(rng.uniform(-1, 1, (256, mdp.action_dim)), dtype=torch.float32)
    next_obs = obs + 0.01 * torch.randn(obs.shape, generator=torch.Generator().manual_seed(1))
    reward = obs[:, 5] + 1.0
    results = {}
    for device in ("cpu", "cuda"):
        ensemble = copy.deepcopy(mdp.ensemble).to(device)
        batch = [t.to(device) for t in (obs, action, next_obs, reward)]
        loss, _ = ensemble.mle_loss(*batch)
        loss.backward()
        grads = {n: p.grad.cpu() for n, p in ensemble.named_parameters() if p.grad is not None}
        results[device] = loss.detach().cpu(), grads
    torch.testing.assert_close(results["cuda"][0], results["cpu"][0], **CPU_VS_CUDA)
    assert results["cuda"][1].keys() == results["cpu"][1].keys()
    for name, grad in results["cpu"][1].items():
        scale = float(grad.abs().max()) + 1e-12
        torch.testing.assert_close(
            results["cuda"][1][name] / scale, grad / scale, **CPU_VS_CUDA, msg=name
        )


def test_rollout_step_on_cuda_equals_cpu(tiny):
    mdp, _ = tiny
    out = {}
    for device in ("cpu", "cuda"):
        moved = _on(mdp, device)
        rng = np.random.default_rng(3)  # elites and noise are drawn on the host: same on both
        obs = moved.initial(512, rng)
        action = _policy(moved).mean(obs)
        next_obs, reward, terminated = moved.transition(obs, action, rng)
        assert next_obs.device.type == device
        out[device] = next_obs.cpu(), reward.cpu(), terminated.cpu()
    torch.testing.assert_close(out["cuda"][0], out["cpu"][0], **CPU_VS_CUDA)
    torch.testing.assert_close(out["cuda"][1], out["cpu"][1], **CPU_VS_CUDA)
    assert torch.equal(out["cuda"][2], out["cpu"][2])


def test_adversary_step_on_cuda_equals_cpu(tiny):
    mdp, dataset = tiny
    stats, params = {}, {}
    for device in ("cpu", "cuda"):
        moved = _on(mdp, device)
        policy = _policy(moved)
        adversary = ModelAdversary(moved, dataset, AdversaryConfig(0.3, 2, batch_size=128), seed=0)
        rng = np.random.default_rng(5)
        obs = moved.initial(128, rng)
        action = policy.sample(obs)
        with torch.no_grad():
            next_obs, reward, terminated = moved.transition(obs, action, rng)
        if device == "cpu":  # the same MLE rows on both devices
            real_cpu = adversary.real.sample(128, torch.Generator().manual_seed(7))
        real = type(real_cpu)(*(t.to(device) for t in real_cpu))
        out = adversary.step(policy, obs, action, reward, next_obs, terminated, real=real)
        stats[device] = {k: float(v) for k, v in out.items()}
        params[device] = {n: p.detach().cpu() for n, p in moved.ensemble.named_parameters()}
    for key, value in stats["cpu"].items():
        assert stats["cuda"][key] == pytest.approx(value, rel=1e-4, abs=1e-5), key
    for name, value in params["cpu"].items():
        torch.testing.assert_close(params["cuda"][name], value, **CPU_VS_CUDA, msg=name)


def test_compiled_adversary_step_on_cuda_equals_eager(tiny):
    """Issue 12's compiled Eq. 9 loss on the GPU: the same step as eager (1e-5 relative on the
    losses, 1e-4 on the updated weights); it must really compile there (no eager fallback)."""
    mdp, dataset = tiny
    stats, params = {}, {}
    for compile in (False, True):
        moved = _on(mdp, "cuda")
        policy = _policy(moved)
        cfg = AdversaryConfig(0.3, 2, batch_size=128)
        adversary = ModelAdversary(moved, dataset, cfg, seed=0, compile=compile)
        rng = np.random.default_rng(5)
        obs = moved.initial(128, rng)
        action = policy.sample(obs)
        with torch.no_grad():
            next_obs, reward, terminated = moved.transition(obs, action, rng)
        real = adversary.real.sample(128, torch.Generator(device="cuda").manual_seed(7))
        out = adversary.step(policy, obs, action, reward, next_obs, terminated, real=real)
        assert adversary.loss_fn.active is compile
        stats[compile] = {k: float(v) for k, v in out.items()}
        params[compile] = {n: p.detach().cpu() for n, p in moved.ensemble.named_parameters()}
    for key in ("adv_loss", "mle_loss", "log_prob_mean"):
        assert stats[True][key] == pytest.approx(stats[False][key], rel=1e-5, abs=1e-6), key
    for name, value in params[False].items():
        torch.testing.assert_close(params[True][name], value, **CPU_VS_CUDA, msg=name)


def test_compiled_adversary_update_on_cuda_equals_eager(tiny):
    """Issue 12 (session 27): update()'s rollout step (the elite forward, the drawn elite's
    sample, the advantage, Eq. 9, its gradient and Adam as one compiled graph, session 54) on the GPU: the eager run's statistics
    (1e-4 relative) and weights; it must really compile there (no eager fallback)."""
    mdp, dataset = tiny
    stats, params = {}, {}
    for compile in (False, True):
        moved = _on(mdp, "cuda")
        policy = _policy(moved)
        cfg = AdversaryConfig(0.3, 2, n_updates=4, batch_size=128)
        adversary = ModelAdversary(moved, dataset, cfg, seed=0, compile=compile)
        assert adversary._shares_forward
        stats[compile] = adversary.update(policy)
        fns = adversary._rollout_fn(policy)
        assert fns.loss.active is compile
        assert (fns.whole is not None and fns.whole.active) is compile  # the whole step ran
        params[compile] = {n: p.detach().cpu() for n, p in moved.ensemble.named_parameters()}
    for key, value in stats[False].items():
        assert stats[True][key] == pytest.approx(value, rel=1e-4, abs=1e-6), key
    for name, value in params[False].items():
        torch.testing.assert_close(params[True][name], value, **CPU_VS_CUDA, msg=name)


def test_bf16_ensemble_on_cuda_is_close_to_fp32(tiny):
    """Issue 12's bf16 mixed precision on the GPU: fp32 outputs within bf16 rounding of fp32."""
    mdp, _ = tiny
    ensemble = copy.deepcopy(mdp.ensemble).to("cuda")
    rng = np.random.default_rng(0)
    obs = mdp.initial(256, rng).to("cuda")
    action = torch.as_tensor(rng.uniform(-1, 1, (256, mdp.action_dim)), dtype=torch.float32)
    mean32, logvar32 = ensemble(obs, action.to("cuda"))
    ensemble.set_precision("bf16")
    mean16, logvar16 = ensemble(obs, action.to("cuda"))
    assert mean16.dtype == torch.float32
    tol = 3e-2 * float(mean32.abs().max())
    torch.testing.assert_close(mean16, mean32, rtol=0, atol=tol)
    torch.testing.assert_close(logvar16, logvar32, rtol=0, atol=3e-2)


def test_agent_optimizers_are_fused_and_train_on_cuda(tiny):
    mdp, dataset = tiny
    moved = _on(mdp, "cuda")
    vec_env = RamboModelVecEnv(moved, num_envs=32, rollout_length=2, seed=0)
    for algo in ("sac", "td3"):
        agent = make_agent(
            algo, vec_env, dataset, moved.normalizer, rollout_length=2, device="cuda", seed=0
        )
        assert agent.device.type == "cuda"
        optimizers = [agent.actor.optimizer, agent.critic.optimizer]
        assert all(opt.defaults.get("fused") for opt in optimizers), algo
        agent.learn(total_timesteps=64, log_interval=None)
        assert all(p.is_cuda and torch.isfinite(p).all() for p in agent.policy.parameters())


def test_fused_sac_on_cuda_equals_sb3_train_eager_and_compiled(tiny):
    """Issue 12: FusedSAC's step on CUDA, eager and compiled (the whole step in one graph),
    against SB3's SAC.train."""
    from stable_baselines3 import SAC

    mdp, dataset = tiny
    moved = _on(mdp, "cuda")
    vec_env = RamboModelVecEnv(moved, num_envs=32, rollout_length=2, seed=0)
    agent = make_agent("sac", vec_env, dataset, moved.normalizer, rollout_length=2, device="cuda")
    agent.learn(total_timesteps=128, log_interval=None)  # fills the model pool; 1000-step trains
    states = {}
    for name, compile_ in (("library", None), ("eager", False), ("compiled", True)):
        model = copy.deepcopy(agent)
        torch.manual_seed(5)
        np.random.seed(5)  # noqa: NPY002 - SB3's replay indices
        model.replay_buffer.generator.manual_seed(5)
        if compile_ is None:
            SAC.train(model, 20, 256)
        else:
            model.compile = compile_
            model.train(20, 256)
            if compile_:  # session 52: the whole step as one compiled graph, on CUDA too
                assert model._whole is not None and model._whole.ran_compiled
        states[name] = torch.cat([p.detach().flatten() for p in model.policy.parameters()])
    ref = states["library"]
    for name in ("eager", "compiled"):
        err = torch.linalg.vector_norm(states[name] - ref) / torch.linalg.vector_norm(ref)
        assert err <= 1e-5, (name, float(err))


def test_main_job_on_cuda_runs_and_resumes(tiny_hopper, tmp_path):  # noqa: F811 (fixture)
    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, device="cuda", stop_at_iteration=2)
    first = run_cotrain(cfg, run_dir)
    assert (first["status"], first["iterations_completed"]) == ("stopped", 2)
    saved = json.loads((run_dir / "config.json").read_text())
    assert saved["resolved"]["device"] == "cuda"
    # precision auto (the default): bf16 mixed precision on a GPU with bf16 (issue 12)
    assert saved["config"]["precision"] == ("bf16" if torch.cuda.is_bf16_supported() else "fp32")
    second = run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), run_dir, resume=True)
    assert (second["status"], second["iterations_completed"]) == ("finished", 4)
    assert second["q_history"][:2] == first["q_history"]
    assert all(np.isfinite(second["q_history"]))
    assert load_checkpoint(run_dir / "checkpoint.pt")["iteration"] == 4


def test_a_run_moves_between_cuda_and_cpu_on_resume(tiny_hopper, tmp_path, capsys, monkeypatch):  # noqa: F811
    """Session 36 on an H200: a run made on the GPU failed to resume or diagnose on the CPU
    (a CUDA generator's 16-byte state set on a CPU generator). Both directions now continue."""
    for first, then in (("cuda", "cpu"), ("cpu", "cuda")):
        run_dir = tmp_path / f"{first}-{then}"
        cfg = tiny_config(tiny_hopper, device=first, stop_at_iteration=2)
        assert run_cotrain(cfg, run_dir)["iterations_completed"] == 2
        capsys.readouterr()
        monkeypatch.setattr(rng_state, "_SAID_RESEEDED", set())  # said once per process
        moved = dataclasses.replace(cfg, device=then, stop_at_iteration=3)
        assert run_cotrain(moved, run_dir, resume=True)["iterations_completed"] == 3
        assert f"saved on {first} cannot continue on {then}" in capsys.readouterr().out
        back = dataclasses.replace(cfg, stop_at_iteration=None)
        done = run_cotrain(back, run_dir, resume=True)
        assert (done["status"], done["iterations_completed"]) == ("finished", 4)
        assert all(np.isfinite(done["q_history"]))


def test_a_replay_buffer_saved_on_one_device_loads_on_the_other(tiny, tmp_path):
    """Probe 74: a loaded buffer kept its generator and real rows on the device it was saved on
    (SB3's load_replay_buffer sets only ``device``), so a GPU agent sampled real rows with a CPU
    generator. ``follow_device`` moves both. (Written in session 36 after its GPU time was spent:
    first run on a GPU pending.)"""
    mdp, dataset = tiny
    agents = {}
    for device in ("cpu", "cuda"):
        moved = _on(mdp, device)
        vec_env = RamboModelVecEnv(moved, num_envs=32, rollout_length=2, seed=0)
        agents[device] = make_agent(
            "sac", vec_env, dataset, moved.normalizer, rollout_length=2, device=device, seed=0
        )
        agents[device].learn(total_timesteps=64, log_interval=None)
    for saved, loads in (("cpu", "cuda"), ("cuda", "cpu")):
        path = tmp_path / f"{saved}.pkl"
        agents[saved].save_replay_buffer(path)
        agent = agents[loads]
        agent.load_replay_buffer(path)
        buf = agent.replay_buffer
        assert buf.generator.device.type == loads and buf.real.obs.device.type == loads
        batch = buf.sample(64)
        assert batch.observations.device.type == loads
        agent.learn(total_timesteps=32, log_interval=None, reset_num_timesteps=False)


def _graph_replays(monkeypatch) -> list:
    """A list that grows by one at each replay of a recorded CUDA graph (cudagraph trees)."""
    from torch._inductor import cudagraph_trees

    replays: list = []
    execute = cudagraph_trees.CUDAGraphTreeManager.execute_node

    def counting(self, node, new_inputs):
        replays.append(1)
        return execute(self, node, new_inputs)

    monkeypatch.setattr(cudagraph_trees.CUDAGraphTreeManager, "execute_node", counting)
    return replays


def _graph_skips() -> int:
    """How many compiled graphs inductor ran without CUDA graphs ("skipping cudagraphs due
    to …": a CPU tensor, an input mutated that is not static, …) in this process."""
    from torch._dynamo.utils import counters

    return counters["inductor"]["cudagraph_skips"]


def _with_graphs(monkeypatch, on: bool) -> None:
    monkeypatch.setenv("RAMBO_ENV_CUDA_GRAPHS", "1" if on else "0")
    torch._dynamo.reset()


def test_cuda_graphs_of_the_mle_step_replay_and_equal_the_compiled_step(monkeypatch):
    """Session 62 (issue 12; written without a GPU, first run on one pending): with
    RAMBO_ENV_CUDA_GRAPHS=1 the MLE batch's compiled graphs are captured (none skipped) and
    replayed for most of three epochs' batches, and the weights and mean losses equal the same
    compiled step without graphs to float32 rounding."""
    import math

    from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble
    from rambo_env.dynamics.training import _MLEStep, _run_epoch

    config = EnsembleConfig(n_members=4, n_elites=2, hidden_dims=(32, 32))
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(600, 5, generator=gen).cuda()
    y = (0.1 * torch.randn(600, 4, generator=gen)).cuda()
    order = torch.randint(600, (4, 5 * 64 + 20), generator=gen).cuda()  # 6 batches, 1 short
    replays = _graph_replays(monkeypatch)
    flats, losses = {}, {}
    for graphs in (True, False):
        _with_graphs(monkeypatch, graphs)
        model = GaussianEnsemble(3, 2, config, generator=torch.Generator().manual_seed(0)).cuda()
        start = torch.cat([p.detach().flatten() for p in model.parameters()])
        opt = make_adam(model.parameters(), 1e-3)
        step = _MLEStep(model, opt, compile=True)
        assert step.active and step.fn.cuda_graphs is graphs
        skips, before = _graph_skips(), len(replays)
        losses[graphs] = [
            _run_epoch(model, opt, x, y, order, 64, math.inf, None, step)[0] for _ in range(3)
        ]
        assert step.fn.ran_compiled and _graph_skips() == skips
        if graphs:  # 18 batches, two graphs each (step sizes, step): most replayed
            assert len(replays) - before >= 18, len(replays) - before
            assert float(step._sum) == 0.0
        else:
            assert len(replays) == before
        flats[graphs] = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert losses[True] == pytest.approx(losses[False], rel=1e-5)
    moved = torch.linalg.vector_norm(flats[False] - start)
    assert float(torch.linalg.vector_norm(flats[True] - flats[False]) / moved) < 1e-5


def test_cuda_graphs_of_the_adversary_step_replay_and_equal_the_compiled_step(tiny, monkeypatch):
    """Session 62 (issue 12; written without a GPU, first run on one pending): two updates of
    8 steps with RAMBO_ENV_CUDA_GRAPHS=1: the whole step's graphs captured (none skipped) and
    replayed, the statistics and weights of the same compiled step without graphs."""
    mdp, dataset = tiny
    replays = _graph_replays(monkeypatch)
    stats, params = {}, {}
    for graphs in (True, False):
        _with_graphs(monkeypatch, graphs)
        moved = _on(mdp, "cuda")
        policy = _policy(moved)
        cfg = AdversaryConfig(0.3, 2, n_updates=8, batch_size=128)
        adversary = ModelAdversary(moved, dataset, cfg, seed=0, compile=True)
        skips, before = _graph_skips(), len(replays)
        adversary.update(policy)
        stats[graphs] = adversary.update(policy)
        whole = adversary._rollout_fn(policy).whole
        assert whole.active and whole.fn.ran_compiled and whole.fn.cuda_graphs is graphs
        assert _graph_skips() == skips
        if graphs:  # 16 steps, two graphs each (step sizes, step): most replayed
            assert len(replays) - before >= 16, len(replays) - before
        params[graphs] = {n: p.detach().cpu() for n, p in moved.ensemble.named_parameters()}
    for key, value in stats[False].items():
        assert float(stats[True][key]) == pytest.approx(float(value), rel=1e-5, abs=1e-6), key
    for name, value in params[False].items():
        torch.testing.assert_close(params[True][name], value, rtol=1e-5, atol=1e-6, msg=name)


def test_cuda_graphs_of_the_sac_step_replay_and_equal_the_compiled_step(tiny, monkeypatch):
    """Session 62 (issue 12; written without a GPU, first run on one pending): 20 FusedSAC
    steps with RAMBO_ENV_CUDA_GRAPHS=1: the whole step captured (none skipped) and replayed,
    the weights and logged losses of the same compiled step without graphs."""
    mdp, dataset = tiny
    moved = _on(mdp, "cuda")
    vec_env = RamboModelVecEnv(moved, num_envs=32, rollout_length=2, seed=0)
    agent = make_agent("sac", vec_env, dataset, moved.normalizer, rollout_length=2, device="cuda")
    agent.learn(total_timesteps=128, log_interval=None)  # fills the model pool; optimizer state
    replays = _graph_replays(monkeypatch)
    states, logged = {}, {}
    for graphs in (True, False):
        _with_graphs(monkeypatch, graphs)
        model = copy.deepcopy(agent)
        model.compile = True
        torch.manual_seed(5)
        np.random.seed(5)  # noqa: NPY002 - SB3's replay indices
        model.replay_buffer.generator.manual_seed(5)
        skips, before = _graph_skips(), len(replays)
        model.train(20, 256)
        assert model._whole is not None and model._whole.ran_compiled
        assert model._whole.cuda_graphs is graphs and _graph_skips() == skips
        if graphs:
            assert len(replays) - before >= 10, len(replays) - before
            assert torch.equal(model._graph_sums.cpu(), torch.zeros(4))
        states[graphs] = torch.cat([p.detach().flatten() for p in model.policy.parameters()])
        logged[graphs] = dict(model.logger.name_to_value)
    err = torch.linalg.vector_norm(states[True] - states[False]) / torch.linalg.vector_norm(
        states[False]
    )
    assert float(err) <= 1e-6, float(err)
    for key in ("train/actor_loss", "train/critic_loss", "train/ent_coef"):
        assert logged[True][key] == pytest.approx(logged[False][key], rel=1e-5), key
