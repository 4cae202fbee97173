"""Probe 118 rows 29-31: a Minari write (save_minari, generate_dataset, a first-use generation)
set ``MINARI_DATASETS_PATH`` to its hidden staging folder and swapped the warnings filters for the
whole write, process-wide: another thread's loads looked in the staging folder ("not in the local
Minari root (…/.rambo-tmp-…)") and its warnings were lost. A write now gives Minari its folder and
touches neither."""

from __future__ import annotations

import json
import os
import threading
import warnings

import pytest

from rambo_env.data import minari_io
from rambo_env.data.loaders import load_dataset
from rambo_env.data.minari_io import dataset_to_episodes, minari_dataset_path, save_minari
from tests.data.data_helpers import make_dataset

minari = pytest.importorskip("minari")

SCORES = {"ref_min_score": -20.272305, "ref_max_score": 3234.3}


def _save(dataset_id: str, **kwargs) -> None:
    save_minari(
        dataset_id,
        dataset_to_episodes(make_dataset((7, 5), (True, False))),
        env_id="Hopper-v5",
        **{**SCORES, **kwargs},
    )


def test_other_threads_see_the_real_root_and_their_warnings_during_a_write(monkeypatch):
    _save("p118t/hopper/stored-v0")
    root = os.environ["MINARI_DATASETS_PATH"]
    seen: dict = {}
    plain_bar = minari_io.progress_bar

    def other_thread() -> None:  # a host thread, while the write below is under way
        seen["root"] = os.environ.get("MINARI_DATASETS_PATH")
        try:
            seen["loaded"] = load_dataset("p118t/hopper/stored-v0").n_transitions
        except Exception as err:  # was: "is not in the local Minari root (…/.rambo-tmp-…)"
            seen["loaded"] = f"{type(err).__name__}: {err}"
        warnings.warn("host warning", UserWarning, stacklevel=1)  # under the host's filters

    def bar(items, **kwargs):
        for i, item in enumerate(plain_bar(items, **kwargs)):
            if i == 0:
                worker = threading.Thread(target=other_thread)
                worker.start()
                worker.join()
            yield item

    monkeypatch.setattr(minari_io, "progress_bar", bar)
    with warnings.catch_warnings(record=True) as got:  # the host's own filters: show all
        warnings.simplefilter("always")
        _save("p118t/hopper/written-v0")
    assert seen["root"] == root  # was the staging folder …/.rambo-tmp-<pid>-…
    assert seen["loaded"] == 12
    assert [str(w.message) for w in got] == ["host warning"]  # was [] (the write's "ignore")
    assert load_dataset("p118t/hopper/written-v0").n_transitions == 12
    assert os.environ["MINARI_DATASETS_PATH"] == root


def test_the_write_stores_what_minaris_own_writer_stores(tmp_path):
    """The files of the explicit-folder writer are Minari's: its metadata (but for the id) and
    data equal those of ``minari.create_dataset_from_buffers`` with the same arguments."""
    from rambo_env.data.minari_io import _saved_env_spec

    dataset = make_dataset((7, 5), (True, False))
    spec, _ = _saved_env_spec("Hopper-v5", dataset_to_episodes(dataset), None, None)
    args = dict(
        env=spec,
        eval_env=spec,
        algorithm_name="algo",
        author="me",
        author_email="me@x",
        code_permalink="https://x",
        description="d",
        **SCORES,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = minari.create_dataset_from_buffers(
            dataset_id="p118t/hopper/theirs-v0", buffer=dataset_to_episodes(dataset), **args
        )
    ours = minari_io._create_minari_dataset(
        tmp_path / "ours",
        dataset_id="p118t/hopper/theirs-v0",
        buffer=dataset_to_episodes(dataset),
        **args,
    )

    def meta(data) -> dict:
        return json.loads((data.storage.data_path / "metadata.json").read_text())

    assert meta(ours) == meta(theirs)
    assert ours.total_steps == theirs.total_steps == 12
    for a, b in zip(ours.iterate_episodes(), theirs.iterate_episodes(), strict=True):
        assert (a.observations == b.observations).all() and (a.rewards == b.rewards).all()
    assert not (tmp_path / "ours" / "namespace_metadata.json").exists()
    assert minari_dataset_path("p118t/hopper/theirs-v0").is_dir()  # Minari's own, in the root
