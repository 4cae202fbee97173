"""Probe 66 (rows 80, 81): rambo_env.bench's library helpers name out-of-range arguments."""

from __future__ import annotations

import pytest
import torch

from rambo_env import bench


@pytest.mark.parametrize(
    ("call", "said"),
    [
        # probe 66 row 80: repeats 0 / -5 ran once, warmup -1 none; row 81: 2.5 range()'s raw error
        (lambda: bench.measure(lambda: None, repeats=0), r"repeats: expected an int >= 1, got 0"),
        (lambda: bench.measure(lambda: None, repeats=-5), r"repeats: expected an int >= 1, got -5"),
        (
            lambda: bench.measure(lambda: None, repeats=2.5),
            r"repeats: expected an int >= 1, got 2.5",
        ),
        (lambda: bench.measure(lambda: None, warmup=-1), r"warmup: expected an int >= 0, got -1"),
        # probe 66 row 80: -1400 FLOPs for a negative width
        (lambda: bench.mlp_flops([11, -5, 3], 10), r"dims\[1\]: expected a layer width"),
        # probe 66 row 80: target -1 / nan was kept
        (lambda: bench.floor_row(1e9, 1.0, 67.0, -1.0), r"target: expected a finite ratio > 0"),
        (lambda: bench.floor_row(1e9, 1.0, 67.0, float("nan")), r"target: expected a finite"),
        # probe 66 row 80: an int64 peak reported as GFLOP/s; row 81: threads=0 torch's raw error
        (lambda: bench.matmul_peak_gflops(torch.int64, 1, size=8), r"dtype: expected a floating"),
        (lambda: bench.matmul_peak_gflops(torch.float32, 0, size=8), r"threads: expected an int"),
    ],
)
def test_out_of_range_arguments_are_named(call, said):
    threads = torch.get_num_threads()
    with pytest.raises(ValueError, match=said):
        call()
    assert torch.get_num_threads() == threads


def test_legitimate_arguments_still_work():
    calls = []
    t = bench.measure(lambda: calls.append(1), repeats=2, warmup=0)
    assert (t.repeats, len(calls)) == (2, 2)
    assert bench.mlp_flops([11, 5, 3], 10) == 2.0 * 10 * (55 + 15)
    assert bench.floor_row(1e9, 1.0, 1.0, None)["target_ratio"] is None
    assert bench.matmul_peak_gflops(torch.float32, 1, size=8) > 0
