import torch, time, sys
from torch import nn
import torch.nn.functional as F
torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
def net(): return nn.Sequential(nn.Linear(14,256), nn.LayerNorm(256), nn.ReLU(), nn.Linear(256,256), nn.LayerNorm(256), nn.ReLU(), nn.Linear(256,1))
qs = [net(), net()]
params = [p for q in qs for p in q.parameters()]
x = torch.randn(256, 14); y = torch.randn(256, 1)
def loop():
    return sum(F.mse_loss(q(x), y) for q in qs)
def stacked():
    h = x
    lins = [[m for m in q if isinstance(m, nn.Linear)] for q in qs]
    lns = [[m for m in q if isinstance(m, nn.LayerNorm)] for q in qs]
    for i in range(3):
        W = torch.stack([l[i].weight for l in lins]).transpose(1, 2)  # [2, in, out]
        b = torch.stack([l[i].bias for l in lins]).unsqueeze(1)
        h = torch.baddbmm(b, h.expand(2, -1, -1) if h.dim() == 2 else h, W)
        if i < 2:
            g = torch.stack([l[i].weight for l in lns]).unsqueeze(1); bb = torch.stack([l[i].bias for l in lns]).unsqueeze(1)
            h = F.relu(torch.addcmul(bb, F.layer_norm(h, (256,)), g))
    return 0.5 * 2 * ((h - y) ** 2).mean(dim=(1, 2)).sum() / 1
def g(fn):
    for p in params: p.grad = None
    l = fn(); l.backward(); return l.detach(), torch.cat([p.grad.reshape(-1) for p in params])
l1, g1 = g(loop); l2, g2 = g(stacked)
print("loss", float(l1), float(l2), "grad rel", float((g1 - g2).norm() / g1.norm()))
fns = {"loop": loop, "stacked": stacked}
if len(sys.argv) > 2: fns.update({k + "_c": torch.compile(v) for k, v in list(fns.items())})
res = {k: [] for k in fns}
for k, f in fns.items():
    for _ in range(20): g(f)
for r in range(5):
    for k, f in fns.items():
        t = time.perf_counter()
        for _ in range(100):
            for p in params: p.grad = None
            f().backward()
        res[k].append((time.perf_counter() - t) * 10)
for k, v in res.items(): print(k, sorted(round(a, 3) for a in v), "ms")
