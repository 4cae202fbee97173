import sys, time, os, math, statistics
import torch
from torch.func import functional_call, grad_and_value
torch.set_num_threads(int(os.environ.get("T", "1")))
from rambo_env import bench
from rambo_env.compile import MaybeCompiled
from rambo_env.dynamics.ensemble import GaussianEnsemble
from rambo_env.dynamics.training import _run_epoch, make_adam
prec = os.environ.get("P", "fp32")
cfg = bench.BenchConfig()
gen = torch.Generator().manual_seed(0)
ens = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=gen); ens.set_precision(prec)
n = 1_000_000
x = torch.randn(n, ens.input_dim, generator=gen); y = 0.1 * torch.randn(n, ens.target_dim, generator=gen)
opt = make_adam(ens.parameters(), 3e-4)
order = torch.randint(n, (7, 60 * 256), generator=gen)
loss_fn = MaybeCompiled(ens.mle_loss_from_tensors, enabled=True, name="MLE")
run = lambda: _run_epoch(ens, opt, x, y, order, 256, math.inf, loss_fn)
run()
group = opt.param_groups[0]; params = list(group["params"]); names = {id(p): n for n, p in ens.named_parameters()}
pn = [names[id(p)] for p in params]; st = [opt.state[p] for p in params]
m = [s["exp_avg"] for s in st]; v = [s["exp_avg_sq"] for s in st]; steps = [s["step"] for s in st]
b1, b2 = group["betas"]; eps = group["eps"]; by_name = dict(zip(pn, params))
class W(torch.nn.Module):
    def __init__(s, e): super().__init__(); s.e = e
    def forward(s, xb, yb): return s.e.mle_loss_from_tensors(xb, yb)[0]
w = W(ens); by_name_w = {"e." + k: p for k, p in by_name.items()}
def whole(idx, lr, total):
    with torch.no_grad():
        xb, yb = x[idx], y[idx]
        grads, loss = grad_and_value(lambda p: functional_call(w, p, (xb, yb)))(by_name_w)
        g = [grads["e." + k] for k in pn]
        torch._foreach_add_(steps, 1)
        torch._foreach_lerp_(m, g, 1 - b1)
        torch._foreach_mul_(v, b2); torch._foreach_addcmul_(v, g, g, value=1 - b2)
        for p, mm, vv, t in zip(params, m, v, steps):
            t = t.double()
            ss = (lr / (1 - b1 ** t)).float(); c2 = (1 - b2 ** t).sqrt().float()
            p.sub_(ss * mm / (vv.sqrt() / c2 + eps))
        total += loss
cw = torch.compile(whole, fullgraph=True, dynamic=False)
lr_t = torch.tensor(3e-4, dtype=torch.float64)
def run_whole():
    total = torch.zeros(())
    for s in range(0, order.shape[1], 256):
        cw(order[:, s:s+256], lr_t, total)
t = time.perf_counter(); run_whole(); print("compile", time.perf_counter() - t)
res = {"whole": [], "pieces": []}
for r in range(int(os.environ.get("R", "5"))):
    for mode in (list(res) if r % 2 == 0 else list(res)[::-1]):
        t = time.perf_counter(); (run_whole if mode == "whole" else run)(); res[mode].append((time.perf_counter() - t) / 60 * 1e3)
for k, vv in res.items(): print(prec, f"T={torch.get_num_threads()}", k, " ".join(f"{x:.2f}" for x in vv), "median %.2f" % statistics.median(vv))
