"""Session 55: the ensemble's hidden layers as bmm + bias add (inductor can fuse the add into
SiLU and skip baddbmm's bias copy) against baddbmm, compiled, one variant per process (V=bmm|baddbmm),
run alternately by bias_ab.sh. Times W=mle (60-batch epochs of the whole MLE step) or W=adv
(ModelAdversary.update, 50 steps) at bench's paper sizes. P, T, R=rounds within the process."""
import math, os, statistics, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts"))
import torch
torch.set_num_threads(int(os.environ.get("T", "2")))
from rambo_env.dynamics import ensemble as E
if os.environ.get("V", "baddbmm") == "bmm":
    def forward(self, x, members=None):
        weight, bias = self.weight, self.bias
        if members is not None:
            weight = E.take_members(weight, members); bias = E.take_members(bias, members)
        if x.dim() == 2:
            x = x.unsqueeze(0).expand(weight.shape[0], -1, -1)
        return torch.bmm(x, weight) + bias
    E.VectorizedLinear.forward = forward
from rambo_env import bench
prec, R, w = os.environ.get("P", "fp32"), int(os.environ.get("R", "3")), os.environ.get("W", "mle")
cfg = bench.BenchConfig(precision=prec, compile=True)
if w == "mle":
    from rambo_env.dynamics.training import _MLEStep, _run_epoch, make_adam
    B = 60; n = cfg.mle_transitions; gen = torch.Generator().manual_seed(0)
    ens = E.GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=torch.Generator().manual_seed(0)); ens.set_precision(prec)
    x = torch.randn(n, ens.input_dim, generator=gen); y = 0.1 * torch.randn(n, ens.target_dim, generator=gen)
    order = torch.randint(n, (7, B * 256), generator=gen)
    opt = make_adam(ens.parameters(), 3e-4); step = _MLEStep(ens, opt, True)
    f = lambda: _run_epoch(ens, opt, x, y, order, 256, math.inf, None, step); per = B
else:
    from rambo_env.adversary import AdversaryConfig, ModelAdversary
    from agents.critics import policy_fns
    import bench as bench_script
    dev = torch.device("cpu"); dataset = bench.synthetic_dataset(cfg); mdp = bench.synthetic_mdp(dataset, cfg, dev)
    sac, _ = bench_script._agent("sac", mdp, dataset, cfg, dev, cfg.agent_measure); policy = policy_fns(sac)
    adv = ModelAdversary(mdp, dataset, AdversaryConfig(3e-4, 5, n_updates=50, batch_size=256), seed=0, compile=True)
    f = lambda: adv.update(policy); per = 50
f()
ts = []
for _ in range(R):
    t = time.perf_counter(); f(); ts.append((time.perf_counter() - t) / per * 1e3)
print(prec, os.environ.get("V", "baddbmm"), w, "ms", " ".join(f"{a:.2f}" for a in ts), "median %.2f" % statistics.median(ts), flush=True)
