import os, time, statistics, torch
torch.set_num_threads(int(os.environ.get("T", "1")))
from rambo_env import bench
from rambo_env.dynamics.ensemble import GaussianEnsemble
from rambo_env.dynamics.training import make_adam
from rambo_env.optim import adam_groups, init_adam_state, adam_update
cfg = bench.BenchConfig()

def make():
    e = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=torch.Generator().manual_seed(0))
    o = make_adam(e.parameters(), 3e-4); init_adam_state(o)
    names = {id(p): n for n, p in e.named_parameters()}
    return e, adam_groups(o, names)

def adam_stacked(groups, grads, lrs):
    for group, lr in zip(groups, lrs.unbind(), strict=True):
        beta1, beta2 = group.betas
        g = [grads[name] for name in group.names]
        torch._foreach_add_(group.steps, 1)
        torch._foreach_lerp_(group.exp_avg, g, 1 - beta1)
        torch._foreach_mul_(group.exp_avg_sq, beta2)
        torch._foreach_addcmul_(group.exp_avg_sq, g, g, value=1 - beta2)
        t = torch.stack(group.steps).double()  # [n]: every parameter's step, one realised buffer
        step_size = (lr / (1 - beta1**t)).float()
        inv_c2 = (1 - beta2**t).sqrt().reciprocal().float()
        for i, (p, m, v) in enumerate(zip(group.params, group.exp_avg, group.exp_avg_sq, strict=True)):
            p.sub_(step_size[i] * m / (v.sqrt() * inv_c2[i] + group.eps))
            if group.max_value is not None:
                p.clamp_(max=group.max_value)

def scalars(groups, lrs):
    out = []
    for group, lr in zip(groups, lrs.unbind(), strict=True):
        beta1, beta2 = group.betas
        t = torch.stack(group.steps).double() + 1
        out.append(((lr / (1 - beta1**t)).float(), (1 - beta2**t).sqrt().float()))
    return out

def adam_given(groups, grads, lrs, sc):
    for group, (step_size, c2) in zip(groups, sc, strict=True):
        beta1, beta2 = group.betas
        g = [grads[name] for name in group.names]
        torch._foreach_add_(group.steps, 1)
        torch._foreach_lerp_(group.exp_avg, g, 1 - beta1)
        torch._foreach_mul_(group.exp_avg_sq, beta2)
        torch._foreach_addcmul_(group.exp_avg_sq, g, g, value=1 - beta2)
        for i, (p, m, v) in enumerate(zip(group.params, group.exp_avg, group.exp_avg_sq, strict=True)):
            p.sub_(step_size[i] * m / (v.sqrt() / c2[i] + group.eps))

comp_scalars = torch.compile(scalars, fullgraph=True, dynamic=False)
def prologue_eager(groups, grads, lrs):
    return ("EAGER", groups, grads, lrs)
res = {}
variants = {"current": adam_update, "stacked": adam_stacked, "prologue": "eager", "prologue_c": "compiled"}
state = {}
for k, fn in variants.items():
    e, groups = make()
    grads = {n: torch.randn_like(p) * 1e-2 for n, p in zip(groups[0].names, groups[0].params)}
    lrs = torch.tensor([3e-4], dtype=torch.float64)
    if isinstance(fn, str):
        inner = torch.compile(adam_given, fullgraph=True, dynamic=False)
        sfn = scalars if fn == "eager" else comp_scalars
        c = lambda gr, gd, l, inner=inner, sfn=sfn: inner(gr, gd, l, sfn(gr, l))
    else:
        c = torch.compile(lambda gr, gd, l, fn=fn: fn(gr, gd, l), fullgraph=True, dynamic=False)
    with torch.no_grad():
        for _ in range(3): c(groups, grads, lrs)
    state[k] = (c, groups, grads, lrs, e)
    res[k] = []
for r in range(6):
    for k in (list(variants) if r % 2 == 0 else list(variants)[::-1]):
        c, groups, grads, lrs, e = state[k]
        with torch.no_grad():
            t = time.perf_counter()
            for _ in range(50): c(groups, grads, lrs)
            res[k].append((time.perf_counter() - t) / 50 * 1e3)
for k, v in res.items(): print(k, "ms/step", " ".join("%.3f" % a for a in v), "median %.3f" % statistics.median(v))
# equality check: both from the same start, 53 steps each
a = torch.cat([p.flatten() for p in state["current"][1][0].params]); b = torch.cat([p.flatten() for p in state["stacked"][1][0].params])
print("max diff", float((a - b).abs().max()))
e = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=torch.Generator().manual_seed(0))
o = make_adam(e.parameters(), 3e-4)
for p in e.parameters(): p.grad = torch.randn_like(p) * 1e-2
o.step()
ts = []
for r in range(6):
    t = time.perf_counter()
    for _ in range(50): o.step()
    ts.append((time.perf_counter() - t) / 50 * 1e3)
print("fused ms/step", " ".join("%.3f" % a for a in ts), "median %.3f" % statistics.median(ts))
