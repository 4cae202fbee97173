"""Session 56 (issue 12): variants of the compiled MLE batch (training._MLEStep) at paper sizes
(bench's ensemble, 1M rows, 256-row batches), in one process, rounds alternating in rotated order:
  base    - x[idx], y[idx] gathered eagerly, then the compiled step (main at 410d361);
  inside  - the [E, b] index passed into the compiled graph, the rows gathered there (inductor
            fuses the gather into the input normalisation and the loss);
  bmm     - the hidden layers as bmm + bias add (the add fusable into SiLU) instead of baddbmm;
  both    - inside + bmm;
  dyn     - inside with the tables' row count dynamic (torch._dynamo.mark_dynamic).
T=threads, R=rounds, B=batches per round, V=comma list of variants."""

import math
import os
import statistics
import time

import torch

torch.set_num_threads(int(os.environ.get("T", "2")))
from torch.func import functional_call, grad_and_value  # noqa: E402

from rambo_env import bench  # noqa: E402
from rambo_env.compile import MaybeCompiled  # noqa: E402
from rambo_env.dynamics.ensemble import VectorizedLinear, GaussianEnsemble  # noqa: E402
from rambo_env.dynamics.training import _MLEStep, make_adam  # noqa: E402
from rambo_env.optim import adam_update  # noqa: E402

R, B = int(os.environ.get("R", "6")), int(os.environ.get("B", "60"))
CHUNK = int(os.environ.get("CHUNK", "0"))  # >0: alternate every CHUNK batches, per-chunk times
variants = os.environ.get("V", "base,inside,bmm,both").split(",")


class BmmLinear(VectorizedLinear):
    def forward(self, x, members=None):
        assert members is None
        if x.dim() == 2:
            x = x.unsqueeze(0).expand(self.weight.shape[0], -1, -1)
        return torch.bmm(x, self.weight) + self.bias


def _mle_step_idx(module, groups, x, y, idx, scalars, total):
    with torch.no_grad():
        xb, yb = x[idx], y[idx]
        params = {n: p for g in groups for n, p in zip(g.names, g.params, strict=True)}
        grads, loss = grad_and_value(lambda p: functional_call(module, p, (xb, yb)))(params)
        adam_update(groups, grads, scalars)
        total += loss


cfg = bench.BenchConfig()
n = cfg.mle_transitions
gen = torch.Generator().manual_seed(0)
runs = {}
for v in variants:
    ens = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=torch.Generator().manual_seed(0))
    if v in ("bmm", "both"):
        for layer in ens.hidden:
            layer.__class__ = BmmLinear
    opt = make_adam(ens.parameters(), 3e-4)
    step = _MLEStep(ens, opt, compile=True)
    if v in ("inside", "both", "dyn"):
        step.fn = MaybeCompiled(_mle_step_idx, enabled=True, name="idx step", fullgraph=True)
    runs[v] = step
x = torch.randn(n, runs[variants[0]].module.ensemble.input_dim, generator=gen)
y = 0.1 * torch.randn(n, runs[variants[0]].module.ensemble.target_dim, generator=gen)
xd, yd = x.clone(), y.clone()
torch._dynamo.mark_dynamic(xd, 0)
torch._dynamo.mark_dynamic(yd, 0)
order = torch.randint(n, (cfg.ensemble.n_members, B * cfg.batch_size), generator=gen)
total = torch.zeros(())


def epoch(v, first=0, last=None):
    step = runs[v]
    for s in range(first, order.shape[1] if last is None else last, cfg.batch_size):
        idx = order[:, s : s + cfg.batch_size]
        if v in ("inside", "both", "dyn"):
            xs, ys = (xd, yd) if v == "dyn" else (x, y)
            step.fn(step.module, step.groups, xs, ys, idx, step.scalars(step.groups, step.lrs), total)
        else:
            step(x[idx], y[idx], total)


for v in variants:
    t = time.perf_counter()
    epoch(v)
    print(v, "warm-up s %.1f" % (time.perf_counter() - t), "active", runs[v].fn.active, flush=True)
res = {v: [] for v in variants}
if CHUNK:  # fine-grained: every variant runs each CHUNK-batch slice of the order, rotated
    span = CHUNK * cfg.batch_size
    for r in range(R):
        for c, first in enumerate(range(0, order.shape[1] - span + 1, span)):
            k = (r + c) % len(variants)
            for v in variants[k:] + variants[:k]:
                t = time.perf_counter()
                epoch(v, first, first + span)
                res[v].append((time.perf_counter() - t) / CHUNK * 1e3)
for r in range(0 if CHUNK else R):
    k = r % len(variants)
    for v in variants[k:] + variants[:k]:
        t = time.perf_counter()
        epoch(v)
        res[v].append((time.perf_counter() - t) / B * 1e3)
base = statistics.median(res[variants[0]])
for v, ms in res.items():
    wins = sum(a < b for a, b in zip(ms, res[variants[0]]))
    print(f"T={torch.get_num_threads()} {v:7s} ms/batch", " ".join(f"{a:.2f}" for a in ms[:12]) + (" ..." if len(ms) > 12 else ""),
          "median %.2f  /%s %.3f  faster in %d of %d" % (statistics.median(ms), variants[0], statistics.median(ms) / base, wins, R))
