"""Gymnasium front-ends of the learned MDP (single, vector) and the paper's toy MDPs."""
