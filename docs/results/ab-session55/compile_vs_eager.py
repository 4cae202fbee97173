"""Session 55 (AVX2-only EPYC): compiled against eager, in one process, alternating rounds, at bench's
paper sizes: the adversary (ModelAdversary.update, 50 steps a round), SAC (FusedSAC.train, 100
gradient steps a round), an MLE batch (_run_epoch over B batches). The first call of each compiled
path is timed too (its compile; run with an empty TORCHINDUCTOR_CACHE_DIR for a cold one).
P=fp32|bf16, T=threads, R=rounds, B=MLE batches per round, W=adv,sac,mle (which to run)."""
import math, os, statistics, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts"))
import torch
torch.set_num_threads(int(os.environ.get("T", "2")))
from rambo_env import bench
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from rambo_env.compile import MaybeCompiled
from rambo_env.dynamics.ensemble import GaussianEnsemble
from rambo_env.dynamics.training import _MLEStep, _run_epoch, make_adam
from agents.critics import policy_fns
import bench as bench_script  # scripts/bench.py

prec, R, B = os.environ.get("P", "fp32"), int(os.environ.get("R", "6")), int(os.environ.get("B", "40"))
which = os.environ.get("W", "adv,sac,mle").split(",")
dev = torch.device("cpu")
modes = os.environ.get("M", "compiled,eager").split(",")  # M=eager: one path alone, in its own process
cfgs = {m: bench.BenchConfig(precision=prec, compile=m == "compiled") for m in modes}
cfg = bench.BenchConfig(precision=prec, compile=True)
dataset = bench.synthetic_dataset(cfg)
mdp = bench.synthetic_mdp(dataset, cfg, dev)
fns = {}

def timed(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t

if "adv" in which:
    sac, _ = bench_script._agent("sac", mdp, dataset, cfg, dev, cfg.agent_measure)
    policy = policy_fns(sac)
    acfg = AdversaryConfig(adversary_weight=3e-4, rollout_length=5, n_updates=50, batch_size=256)
    for m in cfgs:
        adv = ModelAdversary(mdp, dataset, acfg, seed=0, compile=m == "compiled")
        print("adv", m, "first update s %.1f" % timed(lambda: adv.update(policy)), flush=True)
        fns[("adv", m)] = (lambda a=adv: a.update(policy), 50)
if "sac" in which:
    for m, c in cfgs.items():
        agent, _ = bench_script._agent("sac", mdp, dataset, c, dev, 100)
        bench_script._collector(agent)()
        f = lambda a=agent: type(a).train(a, 100, c.batch_size)
        print("sac", m, "first train(100) s %.1f" % timed(f), flush=True)
        fns[("sac", m)] = (f, 100)
if "mle" in which:
    n = cfg.mle_transitions
    gen = torch.Generator().manual_seed(0)
    x = y = order = None
    for m in cfgs:
        ens = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=torch.Generator().manual_seed(0))
        ens.set_precision(prec)
        if x is None:
            x = torch.randn(n, ens.input_dim, generator=gen); y = 0.1 * torch.randn(n, ens.target_dim, generator=gen)
            order = torch.randint(n, (cfg.ensemble.n_members, B * cfg.batch_size), generator=gen)
        opt = make_adam(ens.parameters(), 3e-4)
        loss_fn = MaybeCompiled(ens.mle_loss_from_tensors, enabled=m == "compiled", name="MLE loss")
        step = _MLEStep(ens, opt, compile=m == "compiled")
        f = lambda e=ens, o=opt, l=loss_fn, s=step, k=B: _run_epoch(e, o, x, y, order[:, : k * cfg.batch_size], cfg.batch_size, math.inf, l, s)
        print("mle", m, "first 2 batches s %.1f" % timed(lambda: f(k=2)), flush=True)
        fns[("mle", m)] = (f, B)
res = {k: [] for k in fns}
for r in range(R):
    for w in which:
        for m in (modes if r % 2 == 0 else modes[::-1]):
            f, per = fns[(w, m)]
            res[(w, m)].append(timed(f) / per * 1e3)
for w in which:
    for m in modes:
        v = res[(w, m)]
        print(prec, f"T={torch.get_num_threads()}", w, m, "ms/step", " ".join(f"{a:.2f}" for a in v), "median %.2f" % statistics.median(v))
    if len(modes) < 2:
        continue
    c, e = res[(w, "compiled")], res[(w, "eager")]
    print(w, "compiled/eager %.3f" % (statistics.median(c) / statistics.median(e)), "compiled faster in %d of %d rounds" % (sum(a < b for a, b in zip(c, e)), R), flush=True)
