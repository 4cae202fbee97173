import math, os, statistics, time, torch
torch.set_num_threads(2)
from rambo_env import bench
from rambo_env.compile import MaybeCompiled
from rambo_env.dynamics.ensemble import GaussianEnsemble
from rambo_env.dynamics.training import _MLEStep, _run_epoch, make_adam, _mle_step
prec = os.environ.get("P", "fp32"); B = 60
cfg = bench.BenchConfig(); n = cfg.mle_transitions
gen = torch.Generator().manual_seed(0)
x = torch.randn(n, 14, generator=gen); y = 0.1 * torch.randn(n, 12, generator=gen)
order = torch.randint(n, (7, B * 256), generator=gen)
runs = {}
opts = {"default": None, "autotune": {"max_autotune": True, "max_autotune_gemm_backends": "CPP,ATEN"}}
for k, o in opts.items():
    ens = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=torch.Generator().manual_seed(0)); ens.set_precision(prec)
    opt = make_adam(ens.parameters(), 3e-4)
    st = _MLEStep(ens, opt, True)
    if o: st.fn._compiled = torch.compile(_mle_step, dynamic=False, fullgraph=True, options=o)
    t = time.perf_counter(); _run_epoch(ens, opt, x, y, order[:, :512], 256, math.inf, None, st); print(k, "compile s", round(time.perf_counter()-t, 1), st.active, flush=True)
    runs[k] = (ens, opt, st)
res = {k: [] for k in runs}
for r in range(6):
    for k in (list(runs) if r % 2 == 0 else list(runs)[::-1]):
        ens, opt, st = runs[k]
        t = time.perf_counter(); _run_epoch(ens, opt, x, y, order, 256, math.inf, None, st); res[k].append((time.perf_counter()-t)/B*1e3)
for k, v in res.items(): print(prec, k, " ".join("%.2f" % a for a in v), "median %.2f" % statistics.median(v))
