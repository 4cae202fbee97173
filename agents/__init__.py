"""Stable-Baselines3 adapters for rambo-env (the only layer that imports SB3)."""

import random as _random

from rambo_env.requirements import check_dependencies, check_installed, exit_in_script

try:
    # probe 107 row 13: a missing tensorboard was SB3's AssertionError after MLE and BC
    check_dependencies("stable_baselines3", "sb3_contrib", "tensorboard")
    check_installed("stable-baselines3", "sb3-contrib")
except ImportError as _err:
    exit_in_script(_err)  # a script's one error line (probe 96b: was a 7-line traceback)
    raise

# probe 75 row 7: was `import agents.<module>` moving the caller's python `random` state (SB3
# imports rich, whose style module draws `random.getrandbits` at import): a caller who seeded
# before importing got other draws. SB3 is imported here, once, under the caller's state kept
# (numpy's and torch's global states are not moved by these imports).
_caller_state = _random.getstate()
try:
    import stable_baselines3  # noqa: F401
finally:
    _random.setstate(_caller_state)
    del _caller_state
