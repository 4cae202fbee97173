"""SAC / TQC policies with a configurable floor on the actor's log-σ.

SB3 (like softlearning, which the official RAMBO code runs on) clamps the squashed-Gaussian
actor's pre-tanh log-σ to [-20, 2]. OfflineRL-Kit's port clamps it to [-5, 2]
(``TanhDiagGaussian(sigma_min=-5)``). :class:`FlooredSACPolicy` / :class:`FlooredTQCPolicy` are
the library policies with one extra keyword, ``log_std_min``, applied after the library's own
clamp, so ``log_std_min=-20`` is the library policy exactly. They stay ordinary SB3 policies:
``SAC(FlooredSACPolicy, env, policy_kwargs={"log_std_min": -5})``, save / load, callbacks.
"""

from __future__ import annotations

from typing import Any

import torch
from sb3_contrib.tqc.policies import Actor as TQCActor
from sb3_contrib.tqc.policies import TQCPolicy
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from stable_baselines3.sac.policies import LOG_STD_MAX, LOG_STD_MIN, SACPolicy
from stable_baselines3.sac.policies import Actor as SACActor

__all__ = ["LIBRARY_LOG_STD_MIN", "FlooredSACPolicy", "FlooredTQCPolicy", "check_log_std_min"]

#: The library's (and the official code's) lower clamp of the actor's log-σ.
LIBRARY_LOG_STD_MIN = float(LOG_STD_MIN)


def check_log_std_min(value: float) -> float:
    """``value`` as a float if LIBRARY_LOG_STD_MIN <= value < LOG_STD_MAX, else ValueError."""
    if not LIBRARY_LOG_STD_MIN <= value < LOG_STD_MAX:
        raise ValueError(
            f"log_std_min: expected a value in [{LIBRARY_LOG_STD_MIN:g}, {LOG_STD_MAX:g}), "
            f"got {value!r}"
        )
    return float(value)


class _FlooredActorMixin:
    """Clamps the log-σ that the library actor returns from below at ``self.log_std_min``."""

    log_std_min: float

    def get_action_dist_params(
        self, obs: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
        mean, log_std, kwargs = super().get_action_dist_params(obs)  # type: ignore[misc]
        return mean, log_std.clamp(min=self.log_std_min), kwargs

    def _get_constructor_parameters(self) -> dict[str, Any]:
        data = super()._get_constructor_parameters()  # type: ignore[misc]
        data["log_std_min"] = self.log_std_min
        return data


class FlooredSACActor(_FlooredActorMixin, SACActor):
    def __init__(self, *args: Any, log_std_min: float = LIBRARY_LOG_STD_MIN, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.log_std_min = check_log_std_min(log_std_min)


class FlooredTQCActor(_FlooredActorMixin, TQCActor):
    def __init__(self, *args: Any, log_std_min: float = LIBRARY_LOG_STD_MIN, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.log_std_min = check_log_std_min(log_std_min)


class FlooredSACPolicy(SACPolicy):
    """SB3's ``SACPolicy`` whose actor clamps log-σ to ``[log_std_min, 2]``."""

    def __init__(self, *args: Any, log_std_min: float = LIBRARY_LOG_STD_MIN, **kwargs: Any):
        self.log_std_min = check_log_std_min(log_std_min)
        super().__init__(*args, **kwargs)

    def make_actor(self, features_extractor: BaseFeaturesExtractor | None = None) -> SACActor:
        actor_kwargs = self._update_features_extractor(self.actor_kwargs, features_extractor)
        return FlooredSACActor(**actor_kwargs, log_std_min=self.log_std_min).to(self.device)

    def _get_constructor_parameters(self) -> dict[str, Any]:
        return {**super()._get_constructor_parameters(), "log_std_min": self.log_std_min}


class FlooredTQCPolicy(TQCPolicy):
    """sb3-contrib's ``TQCPolicy`` whose actor clamps log-σ to ``[log_std_min, 2]``."""

    def __init__(self, *args: Any, log_std_min: float = LIBRARY_LOG_STD_MIN, **kwargs: Any):
        self.log_std_min = check_log_std_min(log_std_min)
        super().__init__(*args, **kwargs)

    def make_actor(self, features_extractor: BaseFeaturesExtractor | None = None) -> TQCActor:
        actor_kwargs = self._update_features_extractor(self.actor_kwargs, features_extractor)
        return FlooredTQCActor(**actor_kwargs, log_std_min=self.log_std_min).to(self.device)

    def _get_constructor_parameters(self) -> dict[str, Any]:
        return {**super()._get_constructor_parameters(), "log_std_min": self.log_std_min}
