import sys, time, os, statistics, collections
sys.path.insert(0, "/work/main/scripts"); sys.path.insert(0, "/tmp/prof")
import torch
torch.set_num_threads(int(os.environ.get("T", "2")))
from quietlib import pause_others, resume_others
from rambo_env import bench
import bench as sb
cfg = bench.BenchConfig().with_(compile=os.environ.get("C", "1") == "1")
dev = torch.device("cpu")
ds = bench.synthetic_dataset(cfg)
mdp = bench.synthetic_mdp(ds, cfg, dev)
agent, _ = sb._agent("sac", mdp, ds, cfg, dev, 1000)
sb._collector(agent)()
agent.train(100, 256)
self = agent
crit_fn, act_fn = self._losses()
critic_params = list(self.critic.parameters()); target_params = list(self.critic_target.parameters())
gamma = torch.tensor(self.gamma)
seg = collections.defaultdict(list)
def step():
    T = [time.perf_counter()]
    data = self.replay_buffer.sample(256); T.append(time.perf_counter())
    eps_pi = torch.empty((256, 3)).normal_(); eps_next = torch.empty((256, 3)).normal_()
    ent_coef = torch.exp(self.log_ent_coef.detach()); T.append(time.perf_counter())
    cl = crit_fn(data.observations, data.actions, data.next_observations, data.rewards, data.dones, gamma, eps_next, ent_coef); T.append(time.perf_counter())
    self.critic.optimizer.zero_grad(); cl.backward(); T.append(time.perf_counter())
    self.critic.optimizer.step(); T.append(time.perf_counter())
    for p in critic_params: p.requires_grad_(False)
    al, el = act_fn(data.observations, eps_pi, ent_coef, self.log_ent_coef)
    for p in critic_params: p.requires_grad_(True)
    T.append(time.perf_counter())
    self.actor.optimizer.zero_grad(); self.ent_coef_optimizer.zero_grad(); (al + el).backward(); T.append(time.perf_counter())
    self.ent_coef_optimizer.step(); self.actor.optimizer.step(); T.append(time.perf_counter())
    with torch.no_grad():
        torch._foreach_mul_(target_params, 1 - self.tau); torch._foreach_add_(target_params, critic_params, alpha=self.tau)
    T.append(time.perf_counter())
    for k, a, b in zip(["sample", "noise", "critic_fwd", "critic_bwd", "critic_adam", "actor_fwd", "actor_bwd", "actor_adams", "polyak"], T, T[1:]):
        seg[k].append((b - a) * 1e3)
    seg["total"].append((T[-1] - T[0]) * 1e3)
for _ in range(50): step()
seg.clear()
pause_others()
try:
    time.sleep(0.5)
    for _ in range(300): step()
finally:
    resume_others()
for k, v in seg.items(): print(f"{k:12s} median {statistics.median(v):6.2f}  p10 {sorted(v)[30]:6.2f}")
