import math, os, torch
import torch._inductor.config as ic; ic.cpp.enable_kernel_profile = True
torch.set_num_threads(int(os.environ.get("T", "2")))
from torch.profiler import profile, ProfilerActivity
from rambo_env import bench
from rambo_env.dynamics.ensemble import GaussianEnsemble
from rambo_env.dynamics.training import _MLEStep, _run_epoch, make_adam
prec = os.environ.get("P", "fp32"); B = 40
cfg = bench.BenchConfig(); n = cfg.mle_transitions
gen = torch.Generator().manual_seed(0)
x = torch.randn(n, 14, generator=gen); y = 0.1 * torch.randn(n, 12, generator=gen)
order = torch.randint(n, (7, B * 256), generator=gen)
ens = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=torch.Generator().manual_seed(0)); ens.set_precision(prec)
opt = make_adam(ens.parameters(), 3e-4); st = _MLEStep(ens, opt, True)
_run_epoch(ens, opt, x, y, order, 256, math.inf, None, st)
with profile(activities=[ProfilerActivity.CPU]) as p:
    _run_epoch(ens, opt, x, y, order, 256, math.inf, None, st)
print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=40))
