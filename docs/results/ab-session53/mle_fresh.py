import torch, time, os, statistics, math
torch.set_num_threads(2)
from rambo_env import bench
from rambo_env.compile import MaybeCompiled
from rambo_env.dynamics.ensemble import GaussianEnsemble
from rambo_env.dynamics.training import _MLEStep, _run_epoch, make_adam
prec = os.environ.get("P", "bf16"); B = int(os.environ.get("B", "40"))
cfg = bench.BenchConfig(); n = cfg.mle_transitions
gen = torch.Generator().manual_seed(0)
x = torch.randn(n, 14, generator=gen); y = 0.1 * torch.randn(n, 12, generator=gen)
order = torch.randint(n, (7, B * 256), generator=gen)
def fresh(whole):
    ens = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=torch.Generator().manual_seed(0)); ens.set_precision(prec)
    opt = make_adam(ens.parameters(), 3e-4)
    lf = MaybeCompiled(ens.mle_loss_from_tensors, enabled=True, name="MLE loss")
    st = _MLEStep(ens, opt, whole)
    return lambda: _run_epoch(ens, opt, x, y, order, 256, math.inf, lf, st)
res = {True: [], False: []}
for r in range(int(os.environ.get("R", "6"))):
    for w in ((True, False) if r % 2 == 0 else (False, True)):
        run = fresh(w)
        run()  # warm-up
        ts = []
        for _ in range(3):
            t = time.perf_counter(); run(); ts.append((time.perf_counter() - t) / B * 1e3)
        res[w].append(statistics.median(ts))
        print(w, " ".join("%.2f" % a for a in ts), flush=True)
for w, v in res.items(): print(prec, "whole" if w else "pieces", " ".join("%.2f" % a for a in v), "median %.2f" % statistics.median(v))
