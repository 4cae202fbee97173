"""Probe 66 rows 47-49: MixedReplayBuffer.add refuses bad done flags, transposed arrays, complex
values and a short infos list, storing nothing."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.agents.test_buffer import OBS_DIM, A, _buffer, dataset  # noqa: F401 (fixture)


def test_add_refuses_done_flags_other_than_0_1(dataset):  # noqa: F811
    # probe 66 row 47: was NaN / 0.5 / 7 stored as given (they enter gamma * (1 - done))
    buf = _buffer(dataset, n_envs=1)
    o, a, r = np.zeros((1, OBS_DIM), np.float32), np.zeros((1, A), np.float32), np.zeros(1)
    for done, shown in ((np.nan, "nan"), (0.5, "0.5"), (7, "7")):
        with pytest.raises(ValueError, match=re.escape(f"done[0] is {shown}: expected 0/1")):
            buf.add(o, o, a, r, np.array([done]), [{}])
    with pytest.raises(TypeError, match=r"^done: expected real numbers"):
        buf.add(o, o, a, r, np.array(["yes"]), [{}])
    assert buf.size() == 0
    buf.add(o, o, a, r, np.array([True]), [{}])  # bool and 0/1 floats are SB3's
    buf.add(o, o, a, r, np.array([1.0]), [{}])
    assert buf.size() == 2


def test_add_refuses_transposed_arrays_complex_values_and_short_infos(dataset):  # noqa: F811
    # probe 66 rows 48-49: was a (A, n_envs) action reshaped (scrambled); complex values and a
    # short infos list taken
    buf = _buffer(dataset, n_envs=3)
    o = np.zeros((3, OBS_DIM), np.float32)
    a = np.array([[0.1, 0.2], [-0.1, -0.3], [0.4, 0.5]], np.float32)  # (n_envs, A)
    r, d, infos = np.zeros(3), np.zeros(3), [{}, {}, {}]
    with pytest.raises(ValueError, match=r"^action: expected shape \(3, 2\).*\(transposed\?\)"):
        buf.add(o, o, a.T, r, d, infos)
    with pytest.raises(TypeError, match=r"^obs: expected real numbers, got dtype complex64"):
        buf.add(o.astype(np.complex64), o, a, r, d, infos)
    with pytest.raises(ValueError, match=r"^infos: expected a list of 3 dict\(s\) \(one per env\)"):
        buf.add(o, o, a, r, d, [{}])
    assert buf.size() == 0
    buf.add(o, o, a, r, d, infos)
    assert buf.size() == 1
