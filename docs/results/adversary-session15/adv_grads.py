"""Gradient norms of Eq. 9's two terms at a run's checkpoint (one adversary batch: 256 dataset
starts rolled k steps with the policy, a fresh 256-row MLE batch per step). Session 15, issue 13.

    python docs/results/adversary-session15/adv_grads.py RUN LAMBDA OUT.json
"""

import json
import sys

import numpy as np
import torch

from agents.cotrain import load_session
from agents.critics import policy_fns
from rambo_env.adversary import advantage

torch.set_num_threads(1)
run, out_path = sys.argv[1], sys.argv[3]
session, history = load_session(run)
mdp, ens = session.mdp, session.mdp.ensemble
pol = policy_fns(session.agent)
gamma = float(session.agent.gamma)
lam = float(sys.argv[2]) if len(sys.argv) > 2 else 3e-4
params = [p for p in ens.parameters() if p.requires_grad]
rng = np.random.default_rng(0)
rows = []
obs = mdp.initial(256, rng)
d = session.dataset
for depth in range(session.k):
    act = pol.sample(obs)
    with torch.no_grad():
        nxt, r, term = mdp.transition(obs, act, rng)
    adv, raw = advantage(pol, obs, act, r, nxt, term, gamma=gamma)
    lp = ens.log_prob_mixture(obs, act, nxt, r)
    g_adv = torch.autograd.grad(lam * (adv * lp).mean(), params, allow_unused=True)
    idx = rng.integers(0, len(d.observations), 256)
    ro = mdp.normalizer.normalize(torch.as_tensor(d.observations[idx], dtype=torch.float32))
    rn = mdp.normalizer.normalize(torch.as_tensor(d.next_observations[idx], dtype=torch.float32))
    ra = torch.as_tensor(d.actions[idx], dtype=torch.float32)
    rr = torch.as_tensor(d.rewards[idx], dtype=torch.float32)
    mle, _ = ens.mle_loss(ro, ra, rn, rr)
    g_mle = torch.autograd.grad(mle, params, allow_unused=True)

    def flat(gs):
        return torch.cat(
            [(g if g is not None else torch.zeros_like(p)).reshape(-1) for g, p in zip(gs, params)]
        )

    a, m = flat(g_adv), flat(g_mle)
    rows.append(
        {
            "depth": depth,
            "adv_grad_norm": float(a.norm()),
            "mle_grad_norm": float(m.norm()),
            "ratio": float(a.norm() / m.norm()),
            "cos": float(torch.dot(a, m) / (a.norm() * m.norm())),
            "raw_adv_mean": float(raw.detach().mean()),
            "raw_adv_std": float(raw.detach().std()),
            "logp_mean": float(lp.detach().mean()),
            "logp_std": float(lp.detach().std()),
        }
    )
    obs = nxt[~term]
print(run, "iteration", history.iteration)
for row in rows:
    print(json.dumps({k: (round(v, 5) if isinstance(v, float) else v) for k, v in row.items()}))
with open(out_path, "w") as f:
    json.dump(
        {"run": run, "iteration": history.iteration, "lambda": lam, "batches": rows}, f, indent=1
    )
