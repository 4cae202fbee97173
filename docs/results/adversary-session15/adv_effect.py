"""How far has co-training moved each run's model from the cached MLE model it started from, and
which way does the critic see it (V(s') = Q(s', pi_mean(s')))? Session 15, issue 13.

    python docs/results/adversary-session15/adv_effect.py OUT.json RUN [RUN ...]

Same 5000 dataset start states, actions (the policy's sample, or uniform in the action box) and
random draws (elite, noise) for the co-trained and the MLE model; one step.
"""

import copy
import json
import sys

import numpy as np
import torch

from agents.cotrain import load_session
from agents.critics import policy_fns
from rambo_env.diagnostics import uniform_actions
from rambo_env.dynamics import io

torch.set_num_threads(1)
report = {}
for run in sys.argv[2:]:
    session, history = load_session(run)
    mdp = session.mdp
    mle = copy.deepcopy(mdp)
    source = session.resolved["model"]["source"].split(": ", 1)[1]
    mle.ensemble.load_state_dict(io.load_model(source, device="cpu").ensemble.state_dict())
    pol = policy_fns(session.agent)
    res = {"iteration": history.iteration, "adversary_weight": session.adversary.cfg.adversary_weight}
    for name, fns in (("policy", pol), ("uniform", uniform_actions(pol, mdp.action_space, 0))):
        obs = mdp.initial(5000, np.random.default_rng(1))
        act = fns.sample(obs)
        out = {}
        for tag, m in (("cotrained", mdp), ("mle", mle)):
            with torch.no_grad():
                nxt, r, d = m.transition(obs, act, np.random.default_rng(2))
                out[tag] = (nxt, r, d, pol.q(nxt, pol.mean(nxt)))
        (n1, r1, d1, v1), (n0, r0, d0, v0) = out["cotrained"], out["mle"]
        alive = ~(d1 | d0)
        res[name] = {
            "V_cotrained": float(v1[alive].mean()),
            "V_mle": float(v0[alive].mean()),
            "V_diff_mean": float((v1 - v0)[alive].mean()),
            "V_diff_absmean": float((v1 - v0)[alive].abs().mean()),
            "r_diff_mean": float((r1 - r0).mean()),
            "next_obs_absdiff_normalised": float((n1 - n0).abs().mean()),
            "terminated_cotrained": float(d1.float().mean()),
            "terminated_mle": float(d0.float().mean()),
        }
    report[run] = res
    print(run, json.dumps(res))
with open(sys.argv[1], "w") as f:
    json.dump(report, f, indent=1)
