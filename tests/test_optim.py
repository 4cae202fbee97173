"""DirectAdam (issue 12): the fused Adam kernels without ``Adam.step``'s bookkeeping, same bits."""

from __future__ import annotations

import torch

from rambo_env.optim import DirectAdam


def _pair(seed: int = 0) -> tuple[list[torch.nn.Parameter], list[torch.nn.Parameter]]:
    gen = torch.Generator().manual_seed(seed)
    shapes = [(7, 16, 32), (7, 1, 32), (7, 32, 4), (7, 1, 4)]  # ensemble-like weights and biases
    first = [torch.nn.Parameter(torch.randn(s, generator=gen)) for s in shapes]
    return first, [torch.nn.Parameter(p.detach().clone()) for p in first]


def _grads(params: list[torch.nn.Parameter], gen: torch.Generator, skip: int | None = None) -> list:
    return [
        None if i == skip else torch.randn(p.shape, generator=gen) for i, p in enumerate(params)
    ]


def test_direct_adam_equals_the_library_fused_adam_bitwise(monkeypatch):
    """DirectAdam (under the agents' LrScaledAdam) steps like torch's fused Adam, bit for bit, across a parameter without a gradient (the library's step), a state-dict round trip
    through a plain torch Adam, and runs the library's step only where it must."""
    direct_params, library_params = _pair()
    direct = DirectAdam(direct_params, lr=3e-4, fused=True)
    library = torch.optim.Adam(library_params, lr=3e-4, fused=True)
    library_steps = []
    real_step = torch.optim.Adam.step
    monkeypatch.setattr(
        torch.optim.Adam, "step", lambda self, *a: library_steps.append(self) or real_step(self, *a)
    )
    gen = torch.Generator().manual_seed(1)
    for i in range(8):
        grads = _grads(direct_params, gen, skip=1 if i == 4 else None)
        for params, opt in ((direct_params, direct), (library_params, library)):
            for p, g in zip(params, grads, strict=True):
                p.grad = None if g is None else g.clone()
            opt.step()
        if i == 5:  # a checkpoint written by a plain Adam loads and continues on the direct path
            plain = torch.optim.Adam(direct_params, lr=3e-4, fused=True)
            plain.load_state_dict(direct.state_dict())
            direct = DirectAdam(direct_params, lr=3e-4, fused=True)
            direct.load_state_dict(plain.state_dict())
    for a, b in zip(direct_params, library_params, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    direct_library_steps = [i for i, opt in enumerate(library_steps) if opt is not library]
    assert len(direct_library_steps) == 2  # the first step and the one with a missing gradient


def test_direct_adam_leaves_other_configurations_to_the_library():
    """AMSGrad, a non-fused optimizer and a tensor learning rate are the library's step."""
    for kwargs in (
        {"amsgrad": True, "fused": True},
        {"foreach": False},
        {"lr": torch.tensor(1e-3)},
    ):
        a, b = _pair()
        direct, library = DirectAdam(a, **kwargs), torch.optim.Adam(b, **kwargs)
        gen = torch.Generator().manual_seed(2)
        for _ in range(3):
            grads = _grads(a, gen)
            for params, opt in ((a, direct), (b, library)):
                for p, g in zip(params, grads, strict=True):
                    p.grad = g.clone()
                opt.step()
        assert direct._direct_ok is False, kwargs
        for p, q in zip(a, b, strict=True):
            torch.testing.assert_close(p, q, rtol=0, atol=0)


def test_a_group_setting_changed_after_the_first_step_is_followed():
    """Session 52's niche: AMSGrad switched on in a live group after the direct path had been
    chosen was stepped as plain Adam until a load_state_dict; now the library's step, as a plain
    Adam with the same change, bitwise (and back to the direct path when switched off)."""
    a, b = _pair()
    direct, library = DirectAdam(a, lr=1e-3, fused=True), torch.optim.Adam(b, lr=1e-3, fused=True)
    gen = torch.Generator().manual_seed(3)
    for i in range(6):
        if i == 2:
            for opt in (direct, library):
                opt.param_groups[0]["amsgrad"] = True
                for p in opt.param_groups[0]["params"]:  # its state, as AMSGrad keeps it
                    opt.state[p]["max_exp_avg_sq"] = opt.state[p]["exp_avg_sq"].clone()
        if i == 4:
            for opt in (direct, library):
                opt.param_groups[0]["amsgrad"] = False
        grads = _grads(a, gen)
        for params, opt in ((a, direct), (b, library)):
            for p, g in zip(params, grads, strict=True):
                p.grad = g.clone()
            opt.step()
        if i in (2, 3):
            assert not direct._direct_step()  # AMSGrad: the library's step
    assert direct._direct_ok is True  # the parameters' check is kept; the settings re-read
    for p, q in zip(a, b, strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=0)
