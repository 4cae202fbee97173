"""In-process interleaved A/B (session 54) of two versions of the adversary's whole step: the
code as it is (A) against eq9_whole_step with one source line replaced (B: env OLD / NEW), at
bench's paper sizes; SCALARS_EAGER=1: B also computes Adam's step sizes eagerly. P=fp32|bf16,
T threads, R rounds."""
import inspect, os, statistics, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts"))
import torch
torch.set_num_threads(int(os.environ.get("T", "2")))
from rambo_env import bench
import rambo_env.adversary as A
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from agents.critics import policy_fns
import bench as bench_script  # scripts/bench.py

prec = os.environ.get("P", "bf16")
cfg = bench.BenchConfig(precision=prec, compile=True)
dev = torch.device("cpu")
dataset = bench.synthetic_dataset(cfg)
mdp = bench.synthetic_mdp(dataset, cfg, dev)
sac, _ = bench_script._agent("sac", mdp, dataset, cfg, dev, cfg.agent_measure)
policy = policy_fns(sac)
acfg = AdversaryConfig(adversary_weight=3e-4, rollout_length=5, n_updates=50, batch_size=256)
adv = ModelAdversary(mdp, dataset, acfg, seed=0, compile=True)
adv.update(policy)
fns = adv._rollout_fn(policy)
src = inspect.getsource(A.eq9_whole_step)
old, new = os.environ["OLD"], os.environ["NEW"]
assert src.count(old) == 1 or old == new == "", "OLD not found once"
ns = dict(vars(A)); exec(src.replace(old, new), ns)
orig = A.eq9_whole_step
A.eq9_whole_step = ns["eq9_whole_step"]
rest = fns.whole.fn.fn.args[3:]
variant = A._Eq9WholeStep(mdp.ensemble, rest, adv.optimizer)
if os.environ.get("SCALARS_EAGER") == "1":  # B: Adam's step sizes eagerly (no guarded call)
    from rambo_env.compile import MaybeCompiled
    variant.scalars = MaybeCompiled(A.adam_scalars, enabled=False, name="eager step sizes")
A.eq9_whole_step = orig
adv._rollout_fns = fns._replace(whole=variant); adv.update(policy)
assert variant.active and (variant.fn.fn.func is not orig or not old)
res = {"A": [], "B": []}
for r in range(int(os.environ.get("R", "6"))):
    for mode in (("A", "B") if r % 2 == 0 else ("B", "A")):
        adv._rollout_fns = fns if mode == "A" else fns._replace(whole=variant)
        t = time.perf_counter(); adv.update(policy); res[mode].append((time.perf_counter() - t) / 50 * 1e3)
for k, v in res.items():
    print(prec, f"T={torch.get_num_threads()}", k, " ".join(f"{x:.2f}" for x in v), "median %.2f" % statistics.median(v))
