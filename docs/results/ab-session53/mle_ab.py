"""Session 53 (issue 12): the MLE batch as one compiled graph (training._MLEStep) against the
compiled loss + backward + fused Adam, in one process, alternating, at paper sizes (bench's
ensemble, 1M rows, 256-row batches). P=fp32|bf16, T=threads, R=rounds, B=batches per round."""

import math
import os
import statistics
import time

import torch

torch.set_num_threads(int(os.environ.get("T", "2")))
from rambo_env import bench  # noqa: E402
from rambo_env.compile import MaybeCompiled  # noqa: E402
from rambo_env.dynamics.ensemble import GaussianEnsemble  # noqa: E402
from rambo_env.dynamics.training import _MLEStep, _run_epoch, make_adam  # noqa: E402

prec, rounds, batches = os.environ.get("P", "fp32"), int(os.environ.get("R", "6")), int(os.environ.get("B", "60"))
cfg = bench.BenchConfig()
gen = torch.Generator().manual_seed(0)
n = cfg.mle_transitions
runs = {}
for mode in ("whole", "pieces"):
    ens = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=torch.Generator().manual_seed(0))
    ens.set_precision(prec)
    runs[mode] = [ens, make_adam(ens.parameters(), 3e-4)]
x = torch.randn(n, runs["whole"][0].input_dim, generator=gen)
y = 0.1 * torch.randn(n, runs["whole"][0].target_dim, generator=gen)
order = torch.randint(n, (cfg.ensemble.n_members, batches * cfg.batch_size), generator=gen)
for mode, (ens, opt) in runs.items():
    loss_fn = MaybeCompiled(ens.mle_loss_from_tensors, enabled=True, name="MLE loss")
    step = _MLEStep(ens, opt, compile=mode == "whole")
    runs[mode] += [loss_fn, step]
    t = time.perf_counter()
    _run_epoch(ens, opt, x, y, order[:, : 2 * cfg.batch_size], cfg.batch_size, math.inf, loss_fn, step)
    print(mode, "warm-up (compile) s", round(time.perf_counter() - t, 1), "whole active", step.active, flush=True)
res = {m: [] for m in runs}
for r in range(rounds):
    for mode in list(runs) if r % 2 == 0 else list(runs)[::-1]:
        ens, opt, loss_fn, step = runs[mode]
        t = time.perf_counter()
        _run_epoch(ens, opt, x, y, order, cfg.batch_size, math.inf, loss_fn, step)
        res[mode].append((time.perf_counter() - t) / batches * 1e3)
for mode, v in res.items():
    print(prec, f"T={torch.get_num_threads()}", mode, "ms/batch", " ".join(f"{a:.2f}" for a in v), "median %.2f" % statistics.median(v))
w, p = (statistics.median(res[m]) for m in ("whole", "pieces"))
print(prec, "whole/pieces %.3f" % (w / p), "faster in %d of %d rounds" % (sum(a < b for a, b in zip(res["whole"], res["pieces"])), rounds))
