"""Probe 133 row 2: with stderr a log file (no terminal), the co-training bar's ``\\r`` redraws
made a 2000-iteration run's progress one enormous line; now one plain line per iteration."""

from __future__ import annotations

import io

from agents.cotrain import run_cotrain
from rambo_env.progress import LineBar, is_terminal
from tests.agents.test_cotrain import tiny_config, tiny_hopper  # noqa: F401 (fixture)


def test_a_run_logging_to_a_file_prints_a_line_per_iteration(tiny_hopper, tmp_path, capsys):  # noqa: F811
    run_cotrain(tiny_config(tiny_hopper, n_iterations=3, progress=True), tmp_path / "run")
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "co-training" in line]
    assert [line.partition(" it")[0] for line in lines] == [
        "co-training: 1/3", "co-training: 2/3", "co-training: 3/3"
    ]  # fmt: skip
    assert all("\r" not in line and "Q=" in line for line in lines)
    assert "score=" in lines[1]  # evaluated every 2 iterations: its score named


def test_the_line_bar(capsys):
    bar = LineBar(total=10, initial=4, desc="co-training")
    bar.set_postfix({"Q": "1.5"}, refresh=False)
    bar.update(1)
    assert capsys.readouterr().err.startswith("co-training: 5/10 it (Q=1.5), ")
    assert not is_terminal(io.StringIO())


def test_a_jupyter_kernels_stream_keeps_the_live_bar():
    """ipykernel's OutStream says isatty() False, but tqdm.auto draws a widget there: a notebook
    keeps its bar (session 46 review of the probe 133 line bar)."""
    stream_type = type("OutStream", (io.StringIO,), {"__module__": "ipykernel.iostream"})
    assert is_terminal(stream_type())
