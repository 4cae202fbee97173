"""Probe 74 rows 9 and 13: curves of runs scored on a reference pair other than D4RL's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from stable_baselines3.common.logger import configure

from rambo_env import curves as curves_module
from rambo_env import run_io
from rambo_env.curves import plot_curves
from rambo_env.run_io import TB_DIR

ROOT = Path(__file__).resolve().parents[1]
PAIR = "normalised on the data's reference returns 0 / 1000, not D4RL's hopper -20.2723 / 3234.3"


def _run(run_dir: Path, scores: list[float], results: dict | None = None, config=None) -> Path:
    """A finished run folder: its tb/ (one evaluation per iteration), results.json, config.json."""
    logger = configure(str(run_dir / TB_DIR), ["tensorboard"])
    for step, score in enumerate(scores):
        logger.record("eval/normalized_score", score)
        logger.record("eval/return_mean", 37.6)
        logger.record("rambo/q_avg", 1.0)
        logger.dump(step=step)
    logger.close()
    if results is not None:
        done = {"status": "finished", "iterations_completed": len(scores) - 1}
        (run_dir / "results.json").write_text(json.dumps({**done, **results}))
    if config is not None:
        (run_dir / "config.json").write_text(json.dumps(config))
    return run_dir


def _curves(tmp_path: Path, *runs: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(ROOT / "scripts" / "curves.py"), "--out", str(tmp_path / "o/c")]
    return subprocess.run([*cmd, *runs], capture_output=True, text=True)


def test_runs_on_different_reference_pairs_in_one_panel_are_said(tmp_path):
    """Row 9: a run on D4RL's pair and one on its data's 0 / 1000 shared the normalized_score
    panel (1.8 vs 3.8 for one return 37.6) without a word; results.json's score_label / the
    pair config.json records were not read."""
    d4rl = _run(tmp_path / "d4rl", [1.2, 1.8], {"score_label": "D4RL-normalised"})
    pair = _run(tmp_path / "pair", [1.7, 3.8], {"ref_scores": [0.0, 1000.0], "score_label": PAIR})
    old = _run(  # a run before probe 71: its pair only in config.json
        tmp_path / "old",
        [1.7, 3.8],
        config={
            "config": {"env_id": None},
            "resolved": {
                "dataset": {"env_id": "Hopper-v5", "ref_min_score": 0.0, "ref_max_score": 1e3}
            },
        },
    )
    done = _curves(tmp_path, f"d4rl={d4rl}", f"pair={pair}", f"old={old}")
    assert done.returncode == 0, done.stderr
    assert (
        "[rambo_env] note: the normalized_score panel holds runs scored on different reference "
        f"pairs (d4rl: D4RL-normalised; pair, old: {PAIR}): their scores are on different "
        "scales, not comparable with each other; compare return_mean"
    ) in done.stdout, done.stdout
    from rambo_env.run_io import run_score_label

    assert run_score_label(old) == PAIR
    assert run_score_label(tmp_path / "none") == "D4RL-normalised"  # nothing recorded: D4RL's
    # runs on D4RL's pair (recorded, or not recorded at all): no note
    bare = _run(tmp_path / "bare", [1.0, 2.0])
    same = _curves(tmp_path, f"d4rl={d4rl}", f"bare={bare}")
    assert same.returncode == 0, same.stderr
    assert "reference pairs" not in same.stdout, same.stdout


def _drawn(monkeypatch, module):
    """The figures ``module``'s plots draw (``headless_figure`` wrapped)."""
    figures = []
    make = module.headless_figure

    def spy(*args, **kwargs):
        figures.append(make(*args, **kwargs))
        return figures[-1]

    monkeypatch.setattr(module, "headless_figure", spy)
    return figures


def test_the_panel_of_runs_sharing_a_non_d4rl_pair_names_it(tmp_path, monkeypatch):
    """Row 9: ... and the panel of runs all on one pair other than D4RL's says which."""
    figures = _drawn(monkeypatch, curves_module)
    rows = [{"iteration": 1, "normalized_score": 3.8, "q_avg": 1.0}]
    plot_curves(tmp_path / "a.png", {"a": rows, "b": rows}, columns=["q_avg", "normalized_score"],
                score_labels={"a": PAIR, "b": PAIR})  # fmt: skip
    titles = [ax.get_title() for ax in figures[-1].axes]
    assert titles[0] == "" and "0 / 1000" in titles[1], titles
    plot_curves(tmp_path / "b.png", {"a": rows}, columns=["normalized_score"], title="T",
                score_labels={"a": PAIR})  # fmt: skip
    assert figures[-1].axes[0].get_title().startswith("T\nnormalized_score normalised on")
    plot_curves(tmp_path / "c.png", {"a": rows}, columns=["q_avg", "normalized_score"], title="T")
    assert [ax.get_title() for ax in figures[-1].axes] == ["T", ""]  # D4RL's pair: as before


def test_a_long_learning_curve_label_is_readable(tmp_path, monkeypatch):
    """Row 13: the learning curve's y label naming the data's own pair was cut at the top of
    the PNG and ran over the lower panel's label."""
    figures = _drawn(monkeypatch, run_io)
    run_io.plot_learning_curve(
        tmp_path / "lc.png", [0, 2], [1.7, 3.8], [2.5, 2.7], value_label=f"score, {PAIR}"
    )
    fig = figures[-1]
    renderer = fig.canvas.get_renderer()
    top, bottom = (ax.yaxis.label.get_window_extent(renderer) for ax in fig.axes)
    whole = fig.bbox
    assert whole.y0 <= top.y0 and top.y1 <= whole.y1, (top, whole)  # not cut
    assert top.y0 > bottom.y1, (top, bottom)  # above the lower panel's label
    assert "0 / 1000" in fig.axes[0].get_ylabel().replace("\n", " ")
