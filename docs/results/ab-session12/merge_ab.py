import sys, time, math, torch
torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
comp = len(sys.argv) > 2 and sys.argv[2] == "compile"
from rambo_env.dynamics.ensemble import GaussianEnsemble, EnsembleConfig, gaussian_log_prob
torch.manual_seed(0)
ens = GaussianEnsemble(11, 3, EnsembleConfig())
ens.set_elites([0, 1, 2, 3, 4])
B = 256
obs, act, nobs, rew = torch.randn(B, 11), torch.rand(B, 3) * 2 - 1, torch.randn(B, 11), torch.randn(B)
robs, ract, rnobs, rrew = torch.randn(B, 11), torch.rand(B, 3) * 2 - 1, torch.randn(B, 11), torch.randn(B)
adv = torch.randn(B)

def split(obs, act, nobs, rew, adv, robs, ract, rnobs, rrew):
    lp = ens.log_prob_mixture(obs, act, nobs, rew)
    mle, _ = ens.mle_loss(robs, ract, rnobs, rrew)
    return 3e-4 * (adv * lp).mean() + mle

def merged(obs, act, nobs, rew, adv, robs, ract, rnobs, rrew):
    x = torch.cat([ens._inputs(obs, act), ens._inputs(robs, ract)], 0)
    y_syn = ens._targets(obs, nobs, rew); y_real = ens._targets(robs, rnobs, rrew)
    mean, logvar = ens.forward_inputs(x)  # [E, 2B, T]
    e = ens.elite_idx
    lp = gaussian_log_prob(y_syn, mean[e, :B], logvar[e, :B]).sum(-1)
    lp = torch.logsumexp(lp, 0) - math.log(5)
    m, lv = mean[:, B:], logvar[:, B:]
    nll = ((m - y_real).square() * torch.exp(-lv) + lv).mean(dim=(1, 2)).sum()
    mle = nll + ens.weight_decay_loss() + ens.logvar_bound_loss()
    return 3e-4 * (adv * lp).mean() + mle

fns = {"split": split, "merged": merged}
if comp:
    fns = {k: torch.compile(v, dynamic=False) for k, v in fns.items()}
args = (obs, act, nobs, rew, adv, robs, ract, rnobs, rrew)
params = list(ens.parameters())
def grads(fn):
    for p in params: p.grad = None
    l = fn(*args); l.backward()
    return l.detach(), torch.cat([p.grad.reshape(-1) for p in params])
(l1, g1), (l2, g2) = grads(fns["split"]), grads(fns["merged"])
print("loss rel", float((l1 - l2).abs() / l1.abs()), "grad rel", float((g1 - g2).norm() / g1.norm()))
res = {k: [] for k in fns}
for r in range(6):
    for k, fn in fns.items():
        t = time.process_time()
        for _ in range(40):
            for p in params: p.grad = None
            fn(*args).backward()
        res[k].append((time.process_time() - t) / 40 * 1e3)
for k, v in res.items(): print(k, "ms/step cpu", [round(x, 2) for x in v], "median", round(sorted(v)[3], 2))
