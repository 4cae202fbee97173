"""Session 55: MLE batches (bench's paper sizes, 1M rows, compiled whole step) with the bootstrap
rows gathered by advanced indexing x[idx] (before) against training.take_rows (one index_select),
in one process, alternating; the same compiled step. And the adversary's real batch (5 fields,
256 rows of 1M). P=fp32|bf16, T=threads, R=rounds, B=batches per round, C=1|0 compile."""
import math, os, statistics, time
import torch
torch.set_num_threads(int(os.environ.get("T", "2")))
from rambo_env import bench
from rambo_env.adversary import RealTransitions
from rambo_env.dynamics.ensemble import GaussianEnsemble
from rambo_env.dynamics.training import _MLEStep, make_adam, take_rows

prec, R, B, C = os.environ.get("P", "fp32"), int(os.environ.get("R", "6")), int(os.environ.get("B", "60")), os.environ.get("C", "1") == "1"
cfg = bench.BenchConfig()
n = cfg.mle_transitions
gen = torch.Generator().manual_seed(0)
ens = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=torch.Generator().manual_seed(0))
ens.set_precision(prec)
x = torch.randn(n, ens.input_dim, generator=gen); y = 0.1 * torch.randn(n, ens.target_dim, generator=gen)
order = torch.randint(n, (cfg.ensemble.n_members, B * cfg.batch_size), generator=gen)
opt = make_adam(ens.parameters(), 3e-4)
step = _MLEStep(ens, opt, compile=C)
total = torch.zeros(())

def epoch(new):
    for s in range(0, order.shape[1], cfg.batch_size):
        idx = order[:, s : s + cfg.batch_size]
        if new:
            step(take_rows(x, idx), take_rows(y, idx), total)
        else:
            step(x[idx], y[idx], total)

epoch(True); epoch(False)
res = {"x[idx]": [], "take_rows": []}
for r in range(R):
    for new in ((False, True) if r % 2 == 0 else (True, False)):
        t = time.perf_counter(); epoch(new)
        res["take_rows" if new else "x[idx]"].append((time.perf_counter() - t) / B * 1e3)
assert step.active == C
for k, v in res.items():
    print(prec, f"T={torch.get_num_threads()} compile={C}", "MLE batch", k, "ms", " ".join(f"{a:.2f}" for a in v), "median %.2f" % statistics.median(v))
a, b = (statistics.median(res[k]) for k in ("take_rows", "x[idx]"))
print("take_rows/x[idx] %.3f" % (a / b), "faster in %d of %d" % (sum(p < q for p, q in zip(res["take_rows"], res["x[idx]"])), R))
real = RealTransitions(torch.randn(n, 11), torch.randn(n, 3), torch.randn(n), torch.randn(n, 11), torch.zeros(n, dtype=torch.bool))
g = torch.Generator().manual_seed(0)
def sample_old():
    idx = torch.randint(n, (256,), generator=g)
    return RealTransitions(*(t[idx] for t in real))
out = {"x[idx]": [], "take_rows": []}
for r in range(R):
    for k, f in (("x[idx]", sample_old), ("take_rows", lambda: real.sample(256, g))):
        t = time.perf_counter()
        for _ in range(1000): f()
        out[k].append((time.perf_counter() - t) * 1e3)
for k, v in out.items():
    print(f"T={torch.get_num_threads()} real batch (5 fields, 256 of 1M rows)", k, "us", " ".join(f"{a:.0f}" for a in v), "median %.0f" % statistics.median(v))
