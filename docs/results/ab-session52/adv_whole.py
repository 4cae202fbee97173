import sys, time, os, statistics, functools, math
sys.path.insert(0, "/work/main/scripts")
import torch
from torch.func import functional_call, grad_and_value
torch.set_num_threads(int(os.environ.get("T", "2")))
from rambo_env import bench
import bench as sb
from agents.critics import policy_fns
from rambo_env.adversary import AdversaryConfig, ModelAdversary, eq9_rollout_step
import rambo_env.dynamics.ensemble as E
# functorch-compatible take_members
class _Take(torch.autograd.Function):
    @staticmethod
    def forward(tensor, members): return tensor.index_select(0, members)
    @staticmethod
    def setup_context(ctx, inputs, output):
        tensor, members = inputs; ctx.save_for_backward(members); ctx.n_rows = tensor.shape[0]
    @staticmethod
    def backward(ctx, grad):
        (members,) = ctx.saved_tensors
        full = grad.new_zeros((ctx.n_rows, *grad.shape[1:]))
        return full.index_copy(0, members, grad), None
E.take_members = lambda t, m: t.index_select(0, m) if os.environ.get("PLAIN") == "1" else _Take.apply(t, m)
cfg = bench.BenchConfig().with_(compile=True, precision=os.environ.get("P", "bf16"))
dev = torch.device("cpu")
ds = bench.synthetic_dataset(cfg); mdp = bench.synthetic_mdp(ds, cfg, dev)
agent, _ = sb._agent("sac", mdp, ds, cfg, dev, 1000)
policy = policy_fns(agent)
adv = ModelAdversary(mdp, ds, AdversaryConfig(adversary_weight=3e-4, rollout_length=5, n_updates=50, batch_size=256), seed=0, compile=True)
adv.update(policy)  # state
ens = mdp.ensemble
class Wrap(torch.nn.Module):
    def __init__(s, e): super().__init__(); s.ensemble = e
    def forward(s, fn, *args): return fn(*args)
wrap = Wrap(ens)
names = {id(p): "ensemble." + n for n, p in ens.named_parameters()}
opt = adv.optimizer
group = opt.param_groups[0]
params = list(group["params"]); pnames = [names[id(p)] for p in params]
st = [opt.state[p] for p in params]
m = [s["exp_avg"] for s in st]; v = [s["exp_avg_sq"] for s in st]; steps = [s["step"] for s in st]
b1, b2 = group["betas"]; eps = group["eps"]
by_name = dict(zip(pnames, params))
def make_whole(fn):
    def whole(obs, action, elite_pos, noise, ro, ra, rn, rr, lr):
        with torch.no_grad():
            def objective(p):
                total, adv_loss, mle_loss, log_prob, raw_adv, next_obs = functional_call(wrap, p, (fn, obs, action, elite_pos, noise, ro, ra, rn, rr))
                return total, (adv_loss, mle_loss, log_prob, raw_adv, next_obs)
            grads, (total, (adv_loss, mle_loss, log_prob, raw_adv, next_obs)) = grad_and_value(objective, has_aux=True)(by_name)
            g = [grads[n] for n in pnames]
            gn = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(g)))
            torch._foreach_add_(steps, 1)
            torch._foreach_lerp_(m, g, 1 - b1)
            torch._foreach_mul_(v, b2); torch._foreach_addcmul_(v, g, g, value=1 - b2)
            for p, mm, vv, t in zip(params, m, v, steps):
                t = t.double()
                ss = (lr / (1 - b1 ** t)).float(); c2 = (1 - b2 ** t).sqrt().float()
                p.sub_(ss * mm / (vv.sqrt() / c2 + eps))
            stats = {"adv_loss": adv_loss, "mle_loss": mle_loss, "advantage_mean": raw_adv.mean(), "advantage_std": raw_adv.std(), "log_prob_mean": log_prob.mean(), "grad_norm": gn}
            return stats, next_obs
    return whole
raw_fn = adv._rollout_fn(policy).fn
cw = make_whole(raw_fn) if os.environ.get("EAGER") == "1" else torch.compile(make_whole(raw_fn), fullgraph=True, dynamic=False)
lr_t = torch.tensor(group["lr"], dtype=torch.float64)
orig_step = ModelAdversary._rollout_step
def whole_step(self, policy, obs, action):
    member_idx, noise = self.mdp.draw(obs.shape[0], self.rng)
    real = self.real.sample(self.cfg.batch_size, self.generator)
    stats, next_obs = cw(obs, action, self._elite_position[member_idx], noise, real.obs, real.action, real.next_obs, real.reward, lr_t)
    self.n_steps += 1
    return stats, next_obs
t = time.perf_counter(); ModelAdversary._rollout_step = whole_step; adv.update(policy); print("compile", time.perf_counter() - t)
res = {"whole": [], "pieces": []}
for r in range(int(os.environ.get("R", "5"))):
    for mode in (("whole", "pieces") if r % 2 == 0 else ("pieces", "whole")):
        ModelAdversary._rollout_step = whole_step if mode == "whole" else orig_step
        t = time.perf_counter(); adv.update(policy); res[mode].append((time.perf_counter() - t) / 50 * 1e3)
for k, vv in res.items(): print(os.environ.get("P","bf16"), k, " ".join(f"{x:.2f}" for x in vv), "median %.2f" % statistics.median(vv))
