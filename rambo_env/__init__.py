"""rambo-env: RAMBO-RL's adversarially trained dynamics model as a Gymnasium environment.

Rigter, Lacerda & Hawes, "RAMBO-RL: Robust Adversarial Model-Based Offline Reinforcement
Learning", NeurIPS 2022. Importing this package registers the ``RamboModel-<env>-<level>`` envs.
Heavy submodules are imported lazily so that ``import rambo_env`` stays cheap.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

from rambo_env._platform import check as _check_platform
from rambo_env.requirements import (
    check_dependencies,
    check_installed,
    exit_in_script,
    reopen_closed_standard_fds,
)

try:  # before the imports that would fail on older versions
    _check_platform()  # probe 150: native Windows named, WSL2 advised
    reopen_closed_standard_fds()  # probe 145 R1: before an import takes a closed stderr's number
    # probe 107: a missing declared dependency named here, not where it is first imported;
    # probe 109: MuJoCo too (gymnasium[mujoco]: every shipped env), and the error names every
    # missing one, SB3's included (which only ``agents`` imports)
    check_dependencies(
        "torch", "numpy", "gymnasium", "mujoco", "minari", "h5py", "tqdm", "rich", "matplotlib"
    )
    check_installed("gymnasium", "numpy", "minari", "torch")  # probe 149 row 1: torch 2.6
except ImportError as _err:
    exit_in_script(_err)  # a script's one error line (probe 96b: was a 7-line traceback)
    raise

from rambo_env.envs.registration import register_envs
from rambo_env.requirements import escape_unencodable_output

escape_unencodable_output()

# Probe 67: ``TORCHINDUCTOR_CACHE_DIR=`` (set but empty) made torch's compile cache the working
# folder (11 folders written there); set but empty counts as unset, as for the project's own
# MINARI_DATASETS_PATH / RAMBO_ENV_CACHE. Only an empty value is touched.
if os.environ.get("TORCHINDUCTOR_CACHE_DIR") == "":
    del os.environ["TORCHINDUCTOR_CACHE_DIR"]

__version__ = "0.1.0"

_LAZY = {
    "OfflineDataset": "rambo_env.data.dataset",
    "DatasetValidationError": "rambo_env.data.dataset",
    "load_dataset": "rambo_env.data.loaders",
    "normalized_score": "rambo_env.data.scores",
    "ObsNormalizer": "rambo_env.normalization",
    "GaussianEnsemble": "rambo_env.dynamics.ensemble",
    "EnsembleConfig": "rambo_env.dynamics.ensemble",
    "MLEConfig": "rambo_env.dynamics.training",
    "train_mle": "rambo_env.dynamics.training",
    "LearnedMDP": "rambo_env.model",
    "make_mdp": "rambo_env.model",
    "RamboModelEnv": "rambo_env.envs.model_env",
    "RamboModelVectorEnv": "rambo_env.envs.vector_env",
    "AdversaryConfig": "rambo_env.adversary",
    "ModelAdversary": "rambo_env.adversary",
}

# Written out (not ``[…, *_LAZY]``) so that type checkers read it: the TYPE_CHECKING imports
# below are then re-exports (tests/test_typing_probe132.py keeps both equal to _LAZY's names).
__all__ = [
    "AdversaryConfig",
    "DatasetValidationError",
    "EnsembleConfig",
    "GaussianEnsemble",
    "LearnedMDP",
    "MLEConfig",
    "ModelAdversary",
    "ObsNormalizer",
    "OfflineDataset",
    "RamboModelEnv",
    "RamboModelVectorEnv",
    "__version__",
    "load_dataset",
    "make_mdp",
    "normalized_score",
    "register_envs",
    "train_mle",
]

if TYPE_CHECKING:  # the lazy exports' real types for mypy / pyright (probe 132: all were Any)
    from rambo_env.adversary import AdversaryConfig, ModelAdversary
    from rambo_env.data.dataset import DatasetValidationError, OfflineDataset
    from rambo_env.data.loaders import load_dataset
    from rambo_env.data.scores import normalized_score
    from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble
    from rambo_env.dynamics.training import MLEConfig, train_mle
    from rambo_env.envs.model_env import RamboModelEnv
    from rambo_env.envs.vector_env import RamboModelVectorEnv
    from rambo_env.model import LearnedMDP, make_mdp
    from rambo_env.normalization import ObsNormalizer


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rambo_env' has no attribute {name!r}")


register_envs()
