import sys, time, os, math
import torch
import torch._inductor.config as icfg
icfg.cpp.enable_kernel_profile = True
torch.set_num_threads(int(os.environ.get("T", "2")))
from rambo_env import bench
from rambo_env.compile import MaybeCompiled
from rambo_env.dynamics.ensemble import GaussianEnsemble
from rambo_env.dynamics.training import _run_epoch, make_adam
prec = os.environ.get("P", "fp32")
cfg = bench.BenchConfig()
gen = torch.Generator().manual_seed(0)
ens = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=gen)
ens.set_precision(prec)
n = 1_000_000
x = torch.randn(n, ens.input_dim, generator=gen); y = 0.1 * torch.randn(n, ens.target_dim, generator=gen)
opt = make_adam(ens.parameters(), 3e-4)
order = torch.randint(n, (7, 50 * 256), generator=gen)
loss_fn = MaybeCompiled(ens.mle_loss_from_tensors, enabled=os.environ.get("C","1")=="1", name="MLE")
run = lambda: _run_epoch(ens, opt, x, y, order, 256, math.inf, loss_fn)
run(); run()
from torch.profiler import profile, ProfilerActivity
ts = []
for _ in range(3):
    t = time.perf_counter(); run(); ts.append((time.perf_counter() - t) / 50 * 1e3)
print(prec, "ms/batch", ["%.2f" % v for v in ts])
with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as p:
    run()
print(p.key_averages(group_by_input_shape=True).table(sort_by="self_cpu_time_total", row_limit=30, max_name_column_width=60, max_shapes_column_width=70))
