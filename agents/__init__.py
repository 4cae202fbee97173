"""Stable-Baselines3 adapters for rambo-env (the only layer that imports SB3)."""

from rambo_env.requirements import check_installed

check_installed("stable-baselines3", "sb3-contrib")
