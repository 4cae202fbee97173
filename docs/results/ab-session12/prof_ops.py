import torch, sys
torch.set_num_threads(1)
from rambo_env.dynamics.ensemble import GaussianEnsemble, EnsembleConfig
from rambo_env.adversary import eq9_loss
torch.manual_seed(0)
ens = GaussianEnsemble(11, 3, EnsembleConfig()); ens.set_elites([0,1,2,3,4])
B=256
a=[torch.randn(B,11), torch.rand(B,3)*2-1, torch.randn(B,11), torch.randn(B), torch.randn(B), torch.randn(B,11), torch.rand(B,3)*2-1, torch.randn(B,11), torch.randn(B)]
def step():
    for p in ens.parameters(): p.grad=None
    eq9_loss(ens, *a, 3e-4)[0].backward()
for _ in range(20): step()
from torch.profiler import profile
with profile() as p:
    for _ in range(50): step()
print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=22))
