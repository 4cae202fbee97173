"""Probe 94 row 34: the run folder's learning_curve.png drew a 1-iteration run's Q panel empty."""

from __future__ import annotations

from rambo_env import run_io


def test_a_single_q_value_is_drawn(tmp_path, monkeypatch):
    # probe 94 row 34: was a line without markers: one value drew no segment, nothing at all
    figures = []
    real = run_io.headless_figure
    monkeypatch.setattr(
        run_io, "headless_figure", lambda **kw: figures.append(real(**kw)) or figures[-1]
    )
    run_io.plot_learning_curve(tmp_path / "c.png", [0, 1], [0.9, 1.4], [4.1])
    ax_q = figures[-1].axes[1]
    (line,) = ax_q.lines
    assert list(line.get_ydata()) == [4.1]
    assert line.get_marker() not in (None, "None", "", " ")
