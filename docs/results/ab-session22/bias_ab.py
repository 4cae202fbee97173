# A/B: VectorizedLinear baddbmm (A) vs bmm + bias add (B), compiled MLE loss fwd+bwd and adversary eq9 loss
import sys, time, os, statistics, math
sys.path.insert(0, "/tmp/prof"); sys.path.insert(0, os.environ.get("REPO", "/work/main"))
import torch
torch.set_num_threads(int(os.environ.get("T", "2")))
from quietlib import pause_others, resume_others
import rambo_env.dynamics.ensemble as E
from rambo_env import bench
from rambo_env.compile import MaybeCompiled
MODE = {"m": "A"}
orig = E.VectorizedLinear.forward
def fwd(self, x, members=None):
    if MODE["m"] == "A":
        return orig(self, x, members)
    weight, bias = self.weight, self.bias
    if members is not None:
        weight = E.take_members(weight, members); bias = E.take_members(bias, members)
    if x.dim() == 2:
        x = x.unsqueeze(0).expand(weight.shape[0], -1, -1)
    return torch.bmm(x, weight) + bias
E.VectorizedLinear.forward = fwd
cfg = bench.BenchConfig()
gen = torch.Generator().manual_seed(0)
ens = E.GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=gen)
ens.set_elites([0, 1, 2, 3, 4])
x = torch.randn(7, 256, ens.input_dim, generator=gen); y = 0.1 * torch.randn(7, 256, ens.target_dim, generator=gen)
fns = {m: MaybeCompiled(ens.mle_loss_from_tensors, enabled=True, name="MLE " + m) for m in "AB"}
from rambo_env.adversary import eq9_loss
import functools
B = 256
o, a, no, r = torch.randn(B, 11), torch.rand(B, 3) * 2 - 1, torch.randn(B, 11), torch.randn(B)
ro, ra, rno, rr = torch.randn(B, 11), torch.rand(B, 3) * 2 - 1, torch.randn(B, 11), torch.randn(B)
adv = torch.randn(B)
efns = {m: MaybeCompiled(functools.partial(eq9_loss, ens), enabled=True, name="eq9 " + m) for m in "AB"}
def mle(m):
    MODE["m"] = m; loss, _ = fns[m](x, y); ens.zero_grad(set_to_none=True); loss.backward()
def eq9(m):
    MODE["m"] = m; tot = efns[m](o, a, no, r, adv, ro, ra, rno, rr, 3e-4)[0]; ens.zero_grad(set_to_none=True); tot.backward()
# equality
for f in (mle, eq9):
    grads = {}
    for m in "AB":
        f(m); grads[m] = [p.grad.clone() for p in ens.parameters() if p.grad is not None]
    rel = max(float((ga - gb).abs().max() / (ga.abs().max() + 1e-30)) for ga, gb in zip(grads["A"], grads["B"]))
    print(f.__name__, "max rel grad diff", rel)
for _ in range(10):
    for m in "AB": mle(m); eq9(m)
res = {(f.__name__, m): [] for f in (mle, eq9) for m in "AB"}
pause_others()
try:
    time.sleep(0.5)
    for rnd in range(int(os.environ.get("R", "4"))):
        for f in (mle, eq9):
            for m in ("AB" if rnd % 2 == 0 else "BA"):
                t = time.perf_counter()
                for _ in range(40): f(m)
                res[(f.__name__, m)].append((time.perf_counter() - t) / 40 * 1e3)
finally:
    resume_others()
for k, v in res.items(): print(k, "median %.2f ms" % statistics.median(v), ["%.2f" % t for t in v])
