"""Session 53: the MLE whole step with Adam's step sizes computed inside its graph (as built first
this session) against apart from it (adam_scalars), one process, alternating, paper sizes.
P=fp32|bf16, T=threads, R=rounds, B=batches per round."""

import math
import os
import statistics
import time

import torch
from torch.func import functional_call, grad_and_value

torch.set_num_threads(int(os.environ.get("T", "2")))
from rambo_env import bench  # noqa: E402
from rambo_env.dynamics.ensemble import GaussianEnsemble  # noqa: E402
from rambo_env.dynamics.training import _MLEStep, _run_epoch, make_adam  # noqa: E402

prec, rounds, batches = os.environ.get("P", "fp32"), int(os.environ.get("R", "6")), int(os.environ.get("B", "60"))


def adam_inside(groups, grads, lrs):  # the first version: bias corrections inside the graph
    for group, lr in zip(groups, lrs.unbind(), strict=True):
        beta1, beta2 = group.betas
        g = [grads[name] for name in group.names]
        torch._foreach_add_(group.steps, 1)
        torch._foreach_lerp_(group.exp_avg, g, 1 - beta1)
        torch._foreach_mul_(group.exp_avg_sq, beta2)
        torch._foreach_addcmul_(group.exp_avg_sq, g, g, value=1 - beta2)
        for p, m, v, t in zip(group.params, group.exp_avg, group.exp_avg_sq, group.steps, strict=True):
            t = t.double()
            step_size = (lr / (1 - beta1**t)).to(p.dtype)
            correction2 = (1 - beta2**t).sqrt().to(p.dtype)
            p.sub_(step_size * m / (v.sqrt() / correction2 + group.eps))


def step_inside(module, groups, x, y, lrs, total):
    with torch.no_grad():
        params = {n: p for g in groups for n, p in zip(g.names, g.params, strict=True)}
        grads, loss = grad_and_value(lambda p: functional_call(module, p, (x, y)))(params)
        adam_inside(groups, grads, lrs)
        total += loss


compiled_inside = torch.compile(step_inside, fullgraph=True, dynamic=False)
cfg = bench.BenchConfig()
gen = torch.Generator().manual_seed(0)
n = cfg.mle_transitions
x = torch.randn(n, 14, generator=gen)
y = 0.1 * torch.randn(n, 12, generator=gen)
order = torch.randint(n, (cfg.ensemble.n_members, batches * cfg.batch_size), generator=gen)
runs = {}
for mode in ("apart", "inside"):
    ens = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=torch.Generator().manual_seed(0))
    ens.set_precision(prec)
    opt = make_adam(ens.parameters(), 3e-4)
    step = _MLEStep(ens, opt, compile=True)
    if mode == "inside":
        step.__class__ = type("Inside", (_MLEStep,), {"__call__": lambda self, xb, yb, total: compiled_inside(self.module, self.groups, xb, yb, self.lrs, total)})
    _run_epoch(ens, opt, x, y, order[:, : 2 * cfg.batch_size], cfg.batch_size, math.inf, None, step)
    runs[mode] = (ens, opt, step)
res = {m: [] for m in runs}
for r in range(rounds):
    for mode in list(runs) if r % 2 == 0 else list(runs)[::-1]:
        ens, opt, step = runs[mode]
        t = time.perf_counter()
        _run_epoch(ens, opt, x, y, order, cfg.batch_size, math.inf, None, step)
        res[mode].append((time.perf_counter() - t) / batches * 1e3)
for mode, v in res.items():
    print(prec, f"T={torch.get_num_threads()}", mode, "ms/batch", " ".join(f"{a:.2f}" for a in v), "median %.2f" % statistics.median(v))
a = torch.cat([p.detach().flatten() for p in runs["apart"][0].parameters()])
b = torch.cat([p.detach().flatten() for p in runs["inside"][0].parameters()])
print("weights apart vs inside: max abs diff %.2e" % float((a - b).abs().max()))
