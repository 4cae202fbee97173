"""rambo-env: RAMBO-RL's adversarially trained dynamics model as a Gymnasium environment.

Rigter, Lacerda & Hawes, "RAMBO-RL: Robust Adversarial Model-Based Offline Reinforcement
Learning", NeurIPS 2022. Importing this package registers the ``RamboModel-<env>-<level>`` envs.
Heavy submodules are imported lazily so that ``import rambo_env`` stays cheap.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from rambo_env.requirements import check_dependencies, check_installed, exit_in_script

try:  # before the imports that would fail on older versions
    # probe 107: a missing declared dependency named here, not where it is first imported;
    # probe 109: MuJoCo too (gymnasium[mujoco]: every shipped env), and the error names every
    # missing one, SB3's included (which only ``agents`` imports)
    check_dependencies(
        "torch", "numpy", "gymnasium", "mujoco", "minari", "h5py", "tqdm", "rich", "matplotlib"
    )
    check_installed("gymnasium", "numpy", "minari")
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

__all__ = ["__version__", "register_envs", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rambo_env' has no attribute {name!r}")


register_envs()
