"""Probe 66 rows 31-35: the termination checks' inputs (terminal_disagreements' flags,
TerminationClassifier.fit's seed, step count, batch size and labels, the classifier's width)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rambo_env.dynamics.termination import TerminationClassifier, terminal_disagreements


def hopper_rows(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Raw Hopper-like next states [n, 11] and the flags Hopper's rule gives them (some fall)."""
    rng = np.random.default_rng(seed)
    next_obs = rng.normal(0.0, 0.05, size=(n, 11)).astype(np.float32)
    next_obs[:, 0] = 1.25
    next_obs[::10, 0] = 0.5  # below the 0.7 height: terminal
    terminals = np.zeros(n, bool)
    terminals[::10] = True
    return next_obs, terminals


def test_terminals_column_is_read_as_flags() -> None:
    # probe 66 row 31: was a [N, N] broadcast and thousands of rows numbered past N
    next_obs, terminals = hopper_rows()
    found = terminal_disagreements("Hopper-v5", next_obs, terminals[:, None])
    assert [rows.tolist() for rows in found] == [[], []]
    flipped = terminals.copy()
    flipped[1] = True
    found = terminal_disagreements("Hopper-v5", next_obs, flipped[:, None].astype(np.float32))
    assert [rows.tolist() for rows in found] == [[1], []]


@pytest.mark.parametrize(
    ("terminals", "match"),
    [
        (np.full(300, 0.3), r"terminals\[0\] = 0.3: terminal_disagreements expects bool flags"),
        (np.zeros(10, bool), r"terminals: terminal_disagreements expects bool flags \[300\]"),
        (np.zeros((300, 2), bool), r"got shape \(300, 2\)"),
    ],
)
def test_terminal_disagreements_refuses_other_flags(terminals, match) -> None:
    # probe 66 row 32: 0.3 counted every row terminal, a short array was numpy's broadcast error
    next_obs, _ = hopper_rows()
    with pytest.raises(ValueError, match=match):
        terminal_disagreements("Hopper-v5", next_obs, terminals)


def test_fit_seed_fixes_the_whole_model() -> None:
    # probe 66 row 33: was different initial weights per call (the global torch RNG)
    next_obs, terminals = hopper_rows()
    state = torch.random.get_rng_state()
    first = TerminationClassifier.fit(next_obs, terminals, n_steps=5, seed=3)
    second = TerminationClassifier.fit(next_obs, terminals, n_steps=5, seed=3)
    assert all(
        torch.equal(a, b) for a, b in zip(first.parameters(), second.parameters(), strict=True)
    )
    assert torch.equal(state, torch.random.get_rng_state())  # the global RNG is left alone
    other = TerminationClassifier.fit(next_obs, terminals, n_steps=5, seed=4)
    assert not torch.equal(first.net[0].weight, other.net[0].weight)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_steps": 0}, "n_steps: expected an int >= 1"),
        ({"n_steps": -5}, "n_steps: expected an int >= 1"),
        ({"batch_size": 0}, "batch_size: expected an even int >= 2"),
        ({"batch_size": 1}, "batch_size: expected an even int >= 2"),
        ({"seed": 2.5}, "seed: expected an int >= 0, got 2.5"),
    ],
)
def test_fit_refuses_no_training(kwargs, match) -> None:
    # probe 66 rows 34-35: returned an untrained classifier; seed 2.5 was torch's raw error
    next_obs, terminals = hopper_rows()
    with pytest.raises(ValueError, match=match):
        TerminationClassifier.fit(next_obs, terminals, **kwargs)


def test_fit_refuses_soft_labels_and_the_classifier_other_widths() -> None:
    # probe 66 row 35: soft labels were "need both classes, got 300 terminal of 300"; another
    # width was torch's raw "size of tensor a (17) must match"
    next_obs, terminals = hopper_rows()
    with pytest.raises(ValueError, match=r"terminals\[0\] = 0.9: .* not probabilities"):
        TerminationClassifier.fit(next_obs, np.where(terminals, 0.9, 0.2), n_steps=5)
    model = TerminationClassifier.fit(next_obs, terminals.astype(np.int64), n_steps=5)
    with pytest.raises(ValueError, match=r"TerminationClassifier needs \[\.\.\., 11\]"):
        model(torch.zeros(2, 17))
