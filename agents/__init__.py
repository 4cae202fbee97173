"""Stable-Baselines3 adapters for rambo-env (the only layer that imports SB3)."""
