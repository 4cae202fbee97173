"""Pure-torch learned dynamics: Gaussian ensemble, MLE pretraining, termination rules, save/load.

No Stable-Baselines3 import anywhere in this package (see docs/ARCHITECTURE.md).
"""

from rambo_env.dynamics.ensemble import (
    OBS_SLICE,
    REWARD_INDEX,
    EnsembleConfig,
    GaussianEnsemble,
    VectorizedLinear,
    gaussian_log_prob,
    resolve_device,
)
from rambo_env.dynamics.io import (
    LoadedModel,
    cache_dir,
    cache_key,
    cache_path,
    load_model,
    save_model,
)
from rambo_env.dynamics.termination import (
    TerminationClassifier,
    get_termination_fn,
    hopper_terminated,
    never_terminated,
    walker2d_terminated,
)
from rambo_env.dynamics.training import MLEConfig, MLEReport, model_tensors, train_mle

__all__ = [
    "OBS_SLICE",
    "REWARD_INDEX",
    "EnsembleConfig",
    "GaussianEnsemble",
    "LoadedModel",
    "MLEConfig",
    "MLEReport",
    "TerminationClassifier",
    "VectorizedLinear",
    "cache_dir",
    "cache_key",
    "cache_path",
    "gaussian_log_prob",
    "get_termination_fn",
    "hopper_terminated",
    "load_model",
    "model_tensors",
    "never_terminated",
    "resolve_device",
    "save_model",
    "train_mle",
    "walker2d_terminated",
]
