import sys, time, os, statistics, math
sys.path.insert(0, "/tmp/prof")
import torch
import torch._inductor.config as icfg
icfg.cpp.enable_kernel_profile = True
torch.set_num_threads(int(os.environ.get("T", "2")))
from quietlib import pause_others, resume_others
from rambo_env import bench
from rambo_env.compile import MaybeCompiled
from rambo_env.dynamics.ensemble import GaussianEnsemble
from rambo_env.dynamics.training import _run_epoch, make_adam
cfg = bench.BenchConfig()
gen = torch.Generator().manual_seed(0)
ens = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=gen)
n = 1_000_000
x = torch.randn(n, ens.input_dim, generator=gen); y = 0.1 * torch.randn(n, ens.target_dim, generator=gen)
opt = make_adam(ens.parameters(), 3e-4)
order = torch.randint(n, (7, 50 * 256), generator=gen)
loss_fn = MaybeCompiled(ens.mle_loss_from_tensors, enabled=True, name="MLE")
run = lambda: _run_epoch(ens, opt, x, y, order, 256, math.inf, loss_fn)
run(); run()
from torch.profiler import profile, ProfilerActivity
pause_others()
try:
    time.sleep(0.5); ts = []
    for _ in range(3):
        t = time.perf_counter(); run(); ts.append((time.perf_counter() - t) / 50 * 1e3)
    print("ms/batch", ["%.2f" % v for v in ts])
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as p:
        run()
finally:
    resume_others()
print(p.key_averages(group_by_input_shape=True).table(sort_by="self_cpu_time_total", row_limit=25))
