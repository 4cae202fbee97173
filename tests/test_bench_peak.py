"""Session 55: the matmul peak's size is halved where the dtype is slow (non-native bf16 took ≈ 3.5
min of every bench run on an AVX2-only CPU)."""

from __future__ import annotations

import torch

from rambo_env import bench


def _sizes_used(monkeypatch) -> list[int]:
    """The square sizes ``matmul_peak_gflops`` draws its operands at."""
    sizes: list[int] = []
    randn = torch.randn

    def spy(*shape, **kw):
        sizes.append(shape[0])
        return randn(*shape, **kw)

    monkeypatch.setattr(torch, "randn", spy)
    return sizes


def test_a_slow_product_is_measured_at_a_smaller_size(monkeypatch):
    monkeypatch.setattr(bench, "MATMUL_SECONDS_CAP", 0.0)  # every size "too slow"
    sizes = _sizes_used(monkeypatch)
    assert bench.matmul_peak_gflops(torch.float32, 1, size=1024) > 0
    # the probe, then both operands at the minimum size: never 1024
    assert sizes[0] == bench.MATMUL_PROBE_SIZE
    assert sizes[1:] == [bench.MATMUL_MIN_SIZE] * 2


def test_a_fast_product_keeps_its_size(monkeypatch):
    monkeypatch.setattr(bench, "MATMUL_SECONDS_CAP", 1e9)
    sizes = _sizes_used(monkeypatch)
    assert bench.matmul_peak_gflops(torch.float32, 1, size=512) > 0
    assert sizes[-2:] == [512, 512]


def test_halving_stops_where_one_product_fits_the_cap(monkeypatch):
    gen = torch.Generator().manual_seed(0)
    # one 512-cubed product measured at 1 s: 1024 would take 8 s, 2048 64 s
    monkeypatch.setattr(bench, "measure", lambda *a, **k: bench.Timing(1.0, 1.0, 1))
    monkeypatch.setattr(bench, "MATMUL_SECONDS_CAP", 10.0)
    assert bench._affordable_size(torch.float32, 4096, gen, torch.device("cpu")) == 1024
    monkeypatch.setattr(bench, "MATMUL_SECONDS_CAP", 70.0)
    assert bench._affordable_size(torch.float32, 4096, gen, torch.device("cpu")) == 2048
    monkeypatch.setattr(bench, "MATMUL_SECONDS_CAP", 0.5)  # never below the minimum
    assert bench._affordable_size(torch.float32, 4096, gen, torch.device("cpu")) == 256
    # a size at or below the minimum is never probed nor changed
    assert bench._affordable_size(torch.float32, 8, gen, torch.device("cpu")) == 8


def test_the_peak_is_the_median_of_five_products_and_the_best_is_kept_apart(monkeypatch):
    seconds = iter([1.0, 2.0, 3.0, 4.0, 5.0])  # the first call's untimed warm-up runs inside it
    monkeypatch.setattr(bench, "measure", lambda *a, **k: bench.Timing((s := next(seconds)), s, 1))
    rates = bench.matmul_peak_runs(torch.float32, 1, size=8)
    assert rates == [2.0 * 8**3 / t / 1e9 for t in (1.0, 2.0, 3.0, 4.0, 5.0)]
    seconds = iter([1.0, 2.0, 3.0, 4.0, 5.0])
    assert bench.matmul_peak_gflops(torch.float32, 1, size=8) == 2.0 * 8**3 / 3.0 / 1e9
