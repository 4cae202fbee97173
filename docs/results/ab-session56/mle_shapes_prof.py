"""Session 56: the compiled MLE batch (bench's paper sizes) under torch.profiler with input shapes,
and each batched matmul's rate (GFLOP/s) inside the graph next to the same shape alone in a loop."""
import math, os, statistics, time, torch
import torch._inductor.config as ic; ic.cpp.enable_kernel_profile = True
torch.set_num_threads(int(os.environ.get("T", "2")))
from torch.profiler import profile, ProfilerActivity
from rambo_env import bench
from rambo_env.dynamics.ensemble import GaussianEnsemble
from rambo_env.dynamics.training import _MLEStep, _run_epoch, make_adam
B = 40
cfg = bench.BenchConfig(); n = cfg.mle_transitions
gen = torch.Generator().manual_seed(0)
x = torch.randn(n, 14, generator=gen); y = 0.1 * torch.randn(n, 12, generator=gen)
order = torch.randint(n, (7, B * 256), generator=gen)
ens = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=torch.Generator().manual_seed(0))
opt = make_adam(ens.parameters(), 3e-4); st = _MLEStep(ens, opt, True)
_run_epoch(ens, opt, x, y, order, 256, math.inf, None, st)
t = time.perf_counter(); _run_epoch(ens, opt, x, y, order, 256, math.inf, None, st); print("ms/batch %.2f" % ((time.perf_counter() - t) / B * 1e3))
with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as p:
    _run_epoch(ens, opt, x, y, order, 256, math.inf, None, st)
tot = 0.0
for e in p.key_averages(group_by_input_shape=True):
    if e.key in ("aten::bmm", "aten::baddbmm", "aten::mm", "aten::addmm"):
        shp = e.input_shapes
        a, b = (shp[0], shp[1]) if e.key in ("aten::bmm", "aten::mm") else (shp[1], shp[2])
        flop = 2 * math.prod(a) * b[-1]
        us = e.self_cpu_time_total / e.count
        tot += e.self_cpu_time_total
        ta, tb = torch.randn(*a), torch.randn(*b)
        f = (lambda: torch.bmm(ta, tb)) if len(a) == 3 else (lambda: ta @ tb)
        for _ in range(20): f()
        ts = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(100): f()
            ts.append((time.perf_counter() - t) / 100 * 1e6)
        alone = statistics.median(ts)
        print(f"{e.key:14s} {str(a):16s} x {str(b):16s} n/batch {e.count // B:2d}  in graph {us:7.0f} us {flop / us / 1e3:6.1f} GFLOP/s   alone {alone:7.0f} us {flop / alone / 1e3:6.1f}")
print("matmul ms/batch in graph %.2f" % (tot / B / 1e3))
print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=25, max_name_column_width=60))
