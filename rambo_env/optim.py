"""``DirectAdam``: ``torch.optim.Adam`` whose fused step skips the library's per-step Python work.

At the agents' sizes (SAC's 256-unit networks: 0.1-0.2 ms of a gradient step's three optimizer
steps, measured; not the ensemble's 14 tensors, where it did not win) the fused Adam kernel itself
is fast and ``Adam.step``'s bookkeeping (profiling hooks, ``_init_group``'s loop over
parameters, grouping tensors by device and dtype) is a large part of an optimizer step (issue 12).
:class:`DirectAdam` calls the same two kernels the library's fused path calls, with the same
arguments, whenever that path would compute exactly this; otherwise (the first step, which creates
the state; hooks; AMSGrad; a tensor learning rate; a non-fused optimizer) it runs the library step.
The state dict is the library's, so a checkpoint loads into either class.

:func:`adam_groups`, :func:`adam_scalars` and :func:`adam_update` are the same Adam update as
traceable ops on the optimizer's own state tensors, for a gradient step compiled as one graph
(SAC's whole step in :mod:`agents.fused`, the MLE batch in :mod:`rambo_env.dynamics.training`):
torch's fused kernel cannot be traced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import torch
import torch.optim.optimizer as _optimizer

__all__ = [
    "AdamGroup",
    "DirectAdam",
    "adam_groups",
    "adam_lrs",
    "adam_scalars",
    "adam_update",
    "has_step_hooks",
    "init_adam_state",
    "plain_adam_flags",
    "plain_adam_group",
]


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
        if self._direct_ok is None:  # the parameters' kinds: re-checked when groups change
            self._direct_ok = _direct_adam_ok(self)
        if not self._direct_ok or has_step_hooks(self):
            return False
        # a group's settings may change between steps (session 52: amsgrad=True set on a live
        # group after its first step was stepped as plain Adam until load_state_dict)
        if not all(group.get("fused") and plain_adam_flags(group) for group in self.param_groups):
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
    """Whether an Adam param group is the plain update (:func:`plain_adam_flags`) over one device
    and dtype of real floating tensors: what a step outside ``Adam.step`` may compute in its
    stead."""
    if not plain_adam_flags(group):
        return False
    params = group["params"]
    if not params or len({(p.device, p.dtype) for p in params}) != 1:
        return False
    return not any(torch.is_complex(p) or not p.is_floating_point() for p in params)


def plain_adam_flags(group: dict[str, Any]) -> bool:
    """Whether an Adam param group's settings are the plain update: no AMSGrad, capturable,
    differentiable or decoupled weight decay; float hyperparameters, not tensors."""
    if group.get("amsgrad") or group.get("capturable"):
        return False
    if group.get("differentiable") or group.get("decoupled_weight_decay"):
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


class AdamGroup(NamedTuple):
    """One param group of a plain float32 Adam, as :func:`adam_update` steps it: the parameters'
    names (keys of the gradient dict), the parameters and the optimizer's own state tensors
    (updated in place: its ``state_dict`` stays the library's), and the group's constants."""

    names: list[str]
    params: list[torch.Tensor]
    exp_avg: list[torch.Tensor]
    exp_avg_sq: list[torch.Tensor]
    steps: list[torch.Tensor]
    lr: float  # times LrScaledAdam's ``lr_scale`` where the group has one
    betas: tuple[float, float]
    eps: float
    max_value: float | None  # LrScaledAdam's cap on the parameters, or None


def adam_groups(
    optimizer: Any,
    names: dict[int, str],
    check_group: Callable[[dict[str, Any]], None] | None = None,
) -> list[AdamGroup] | None:
    """``optimizer``'s param groups as :class:`AdamGroup` (fused or not: the same update), or None
    where :func:`adam_update` cannot stand in for ``optimizer.step()``: not an Adam, no state yet
    (the first step makes it; or :func:`init_adam_state`), step hooks, AMSGrad, weight decay,
    maximize, a tensor lr, a parameter not float32 or not requiring a gradient, or parameters
    other than ``names`` (id → name: the module it should train, every one of them stepped).
    ``check_group``: called on each group (an optimizer subclass's own checks of its extra keys;
    it raises on a bad value)."""
    if not isinstance(optimizer, torch.optim.Adam) or has_step_hooks(optimizer):
        return None
    groups = []
    for group in optimizer.param_groups:
        params = list(group["params"])
        if group["weight_decay"] or group["maximize"] or not plain_adam_group(group):
            return None
        if any(p.dtype != torch.float32 or id(p) not in names for p in params):
            return None
        if check_group is not None:
            check_group(group)
        states = [optimizer.state.get(p) for p in params]
        if any(not st for st in states) or not all(p.requires_grad for p in params):
            return None
        max_value = group.get("max_value")
        groups.append(
            AdamGroup(
                names=[names[id(p)] for p in params],
                params=params,
                exp_avg=[st["exp_avg"] for st in states],
                exp_avg_sq=[st["exp_avg_sq"] for st in states],
                steps=[st["step"] for st in states],
                lr=float(group["lr"] * group.get("lr_scale", 1.0)),
                betas=(float(group["betas"][0]), float(group["betas"][1])),
                eps=float(group["eps"]),
                max_value=None if max_value is None else float(max_value),
            )
        )
    if {name for group in groups for name in group.names} != set(names.values()):
        return None  # a parameter of the module its optimizer does not step
    return groups


def adam_state(groups: list[AdamGroup]) -> list[torch.Tensor]:
    """The state tensors of ``groups`` that :func:`adam_update` changes in place (moments, step
    counts): what a CUDA-graph step marks static (:func:`rambo_env.compile.static_addresses`)."""
    return [t for g in groups for t in (*g.exp_avg, *g.exp_avg_sq, *g.steps)]


def adam_lrs(groups: list[AdamGroup], device: torch.device | str) -> torch.Tensor:
    """Each group's learning rate [groups], float64 on ``device``: :func:`adam_scalars`' ``lrs``
    (a tensor, so that a schedule recompiles nothing)."""
    return torch.tensor([g.lr for g in groups], dtype=torch.float64, device=device)


def adam_scalars(
    groups: list[AdamGroup], lrs: torch.Tensor
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Each group's bias-corrected step sizes ``lr / (1 - β1^t)`` and ``√(1 - β2^t)`` [its
    parameters], float32, for the coming step ``t`` (each parameter's step count + 1), in float64
    as torch's fused kernel computes them. ``lrs`` [groups] float64: each group's learning rate.

    Inside the graph that applies them (:func:`adam_update`) inductor recomputes this scalar
    expression in every vectorised loop iteration of each parameter's update — two float64
    ``pow`` per 16 elements — which made the compiled Adam 4× slower than torch's fused kernel
    on the ensemble's 890k weights (session 53, 1 thread: 2.15 against 0.51 ms; 0.55 ms with
    this compiled apart and its outputs passed in: the MLE step). At SAC's sizes a second
    compiled call costs about what it saves, so SAC's whole step calls it inside its graph."""
    out = []
    for group, lr in zip(groups, lrs.unbind(), strict=True):
        beta1, beta2 = group.betas
        t = torch.stack(group.steps).double() + 1  # [n]
        out.append(((lr / (1 - beta1**t)).float(), (1 - beta2**t).sqrt().float()))
    return out


def adam_update(
    groups: list[AdamGroup],
    grads: dict[str, torch.Tensor],
    scalars: list[tuple[torch.Tensor, torch.Tensor]],
) -> None:
    """Adam (Kingma & Ba 2015) as torch's Adam computes it (fused kernel or not), in ops that
    ``torch.compile`` can trace (the fused kernel cannot be): ``m ← lerp(m, g, 1-β1)``,
    ``v ← β2 v + (1-β2) g²``, ``p ← p - lr/(1-β1^t) · m / (√v / √(1-β2^t) + ε)``; then
    LrScaledAdam's cap ``p ≤ max``. ``grads``: name → gradient; ``scalars``: each group's
    bias-corrected step sizes for this step (:func:`adam_scalars`, computed before this)."""
    for group, (step_size, correction2) in zip(groups, scalars, strict=True):
        beta1, beta2 = group.betas
        g = [grads[name] for name in group.names]
        torch._foreach_add_(group.steps, 1)
        torch._foreach_lerp_(group.exp_avg, g, 1 - beta1)
        torch._foreach_mul_(group.exp_avg_sq, beta2)
        torch._foreach_addcmul_(group.exp_avg_sq, g, g, value=1 - beta2)
        for i, (p, m, v) in enumerate(
            zip(group.params, group.exp_avg, group.exp_avg_sq, strict=True)
        ):
            p.sub_(step_size[i] * m / (v.sqrt() / correction2[i] + group.eps))
            if group.max_value is not None:
                p.clamp_(max=group.max_value)


@torch.no_grad()
def init_adam_state(optimizer: torch.optim.Adam) -> None:
    """The state ``Adam.step`` makes at its first step (torch's ``Adam._init_group``: step 0,
    zero moments), for each parameter that has none, so that a step outside ``Adam.step`` can
    be the first. The state dict is then the one the library's first step would have started
    from; a later ``optimizer.step()`` continues it."""
    scalar = _optimizer._get_scalar_dtype
    for group in optimizer.param_groups:
        for p in group["params"]:
            state = optimizer.state[p]
            if state:
                continue
            on_device = group.get("capturable") or group.get("fused")
            state["step"] = (
                torch.zeros((), dtype=scalar(is_fused=group.get("fused")), device=p.device)
                if on_device
                else torch.tensor(0.0, dtype=scalar(), device="cpu")
            )
            state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
            state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
            if group.get("amsgrad"):
                state["max_exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
