"""Session 55: ``training.take_rows`` (one ``index_select``) gives what advanced indexing gives,
for the index shapes the MLE batch ([E, b]), the adversary's real batch and BC ([b]) use."""

from __future__ import annotations

import pytest
import torch

from rambo_env.adversary import RealTransitions
from rambo_env.dynamics.training import take_rows


@pytest.mark.parametrize("idx_shape", [(), (5,), (7, 4), (2, 3, 4)])
@pytest.mark.parametrize("row_shape", [(), (3,), (3, 2)])
def test_take_rows_equals_advanced_indexing(idx_shape, row_shape):
    gen = torch.Generator().manual_seed(0)
    table = torch.randn(50, *row_shape, generator=gen)
    idx = torch.randint(50, idx_shape, generator=gen)
    got = take_rows(table, idx)
    assert got.shape == table[idx].shape
    assert torch.equal(got, table[idx])


def test_take_rows_of_a_column_slice_and_its_gradient():
    gen = torch.Generator().manual_seed(1)
    base = torch.randn(40, 6, generator=gen, requires_grad=True)
    idx = torch.tensor([[3, 3, 39], [0, 7, 3]])  # repeated rows accumulate
    weights = torch.randn(2, 3, 2, generator=gen)
    (take_rows(base[:, 2:4], idx) * weights).sum().backward()
    got = base.grad.clone()
    base.grad = None
    (base[:, 2:4][idx] * weights).sum().backward()
    assert torch.equal(take_rows(base[:, 2:4], idx), base[:, 2:4][idx])
    assert torch.allclose(got, base.grad, rtol=0, atol=1e-6)


def test_the_real_batch_is_the_rows_its_indices_name():
    gen = torch.Generator().manual_seed(2)
    n = 30
    real = RealTransitions(
        torch.randn(n, 4, generator=gen),
        torch.randn(n, 2, generator=gen),
        torch.randn(n, generator=gen),
        torch.randn(n, 4, generator=gen),
        torch.rand(n, generator=gen) < 0.5,
    )
    batch = real.sample(8, torch.Generator().manual_seed(3))
    idx = torch.randint(n, (8,), generator=torch.Generator().manual_seed(3))
    for got, field in zip(batch, real, strict=True):
        assert torch.equal(got, field[idx])
