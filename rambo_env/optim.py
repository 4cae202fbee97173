"""``DirectAdam``: ``torch.optim.Adam`` whose fused step skips the library's per-step Python work.

At the agents' sizes (SAC's 256-unit networks: 0.1-0.2 ms of a gradient step's three optimizer
steps, measured; not the ensemble's 14 tensors, where it did not win) the fused Adam kernel itself
is fast and ``Adam.step``'s bookkeeping (profiling hooks, ``_init_group``'s loop over
parameters, grouping tensors by device and dtype) is a large part of an optimizer step (issue 12).
:class:`DirectAdam` calls the same two kernels the library's fused path calls, with the same
arguments, whenever that path would compute exactly this; otherwise (the first step, which creates
the state; hooks; AMSGrad; a tensor learning rate; a non-fused optimizer) it runs the library step.
The state dict is the library's, so a checkpoint loads into either class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.optim.optimizer as _optimizer

__all__ = ["DirectAdam", "has_step_hooks", "plain_adam_group"]


class DirectAdam(torch.optim.Adam):
    """``torch.optim.Adam`` (same constructor); see the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._direct_ok: bool | None = None

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:  # type: ignore[override]
        if closure is None and self._direct_step():
            return None
        return super().step(closure)

    def _direct_step(self) -> bool:
        """``torch.optim.Adam.step`` with ``fused=True`` as its two kernels, without the library's
        per-step Python bookkeeping (issue 12). Only for what
        that path computes identically: every parameter has a gradient and an initialised state,
        one device and dtype per group, no AMSGrad / capturable / differentiable / complex,
        no step hooks. Returns False (nothing done) otherwise; the caller runs the library step."""
        if self._direct_ok is None:
            self._direct_ok = _direct_adam_ok(self)
        if not self._direct_ok or has_step_hooks(self):
            return False
        batches = []
        for group in self.param_groups:
            params = group["params"]
            grads = [p.grad for p in params]
            states = [self.state.get(p) for p in params]
            if any(g is None for g in grads) or any(not st for st in states):
                return False  # first step or a parameter without a gradient: the library's step
            batches.append((group, params, grads, states))
        for group, params, grads, states in batches:
            beta1, beta2 = group["betas"]
            steps = [st["step"] for st in states]
            torch._foreach_add_(steps, 1)
            torch._fused_adam_(
                params,
                grads,
                [st["exp_avg"] for st in states],
                [st["exp_avg_sq"] for st in states],
                [],
                steps,
                amsgrad=False,
                lr=group["lr"],
                beta1=beta1,
                beta2=beta2,
                weight_decay=group["weight_decay"],
                eps=group["eps"],
                maximize=group["maximize"],
                grad_scale=None,
                found_inf=None,
            )
        return True

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        super().add_param_group(param_group)
        self._direct_ok = None  # re-checked at the next step

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self._direct_ok = None

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._direct_ok = None


def _direct_adam_ok(optimizer: torch.optim.Adam) -> bool:
    """Whether every group of ``optimizer`` is one :meth:`DirectAdam._direct_step` computes as
    the library does (fused, plain Adam, one device and dtype of real floating tensors)."""
    return all(group.get("fused") and plain_adam_group(group) for group in optimizer.param_groups)


def plain_adam_group(group: dict[str, Any]) -> bool:
    """Whether an Adam param group is the plain update (no AMSGrad, capturable, differentiable
    or decoupled weight decay; float hyperparameters, not tensors) over one device and dtype of
    real floating tensors: what a step outside ``Adam.step`` may compute in its stead."""
    if group.get("amsgrad") or group.get("capturable"):
        return False
    if group.get("differentiable") or group.get("decoupled_weight_decay"):
        return False
    params = group["params"]
    if not params or len({(p.device, p.dtype) for p in params}) != 1:
        return False
    if any(torch.is_complex(p) or not p.is_floating_point() for p in params):
        return False
    return not any(isinstance(v, torch.Tensor) for k, v in group.items() if k != "params")


def has_step_hooks(optimizer: torch.optim.Optimizer) -> bool:
    """Whether a step hook (this optimizer's or a global one) would run at ``optimizer.step()``."""
    return bool(
        optimizer._optimizer_step_pre_hooks
        or optimizer._optimizer_step_post_hooks
        or _optimizer._global_optimizer_pre_hooks
        or _optimizer._global_optimizer_post_hooks
    )
