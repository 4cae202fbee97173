"""save_minari's checks of what it writes where, and the note on a short name's small dataset
(probe 45)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rambo_env import load_dataset
from rambo_env.data.generate import generate_dataset
from rambo_env.data.minari_io import dataset_to_episodes, minari_dataset_path, save_minari
from tests.data.data_helpers import make_dataset, nothing_in_the_minari_root


@pytest.mark.parametrize("dataset_id", ["rambo/hopper/medium-v0", "rambo/walker2d/medium-v0"])
def test_save_minari_refuses_an_id_a_short_name_reads(dataset_id):
    """Probe 45: ``save_minari('rambo/hopper/medium-v0', <random-policy Hopper episodes>)`` was
    written, and ``load_dataset('hopper-medium')`` returned them as hopper-medium (its preset,
    ledger entries and paper comparisons applied); Hopper episodes under
    ``rambo/walker2d/medium-v0`` were written too, refused only by the next load."""
    short = dataset_id.split("/")[1] + "-medium"
    with pytest.raises(ValueError) as info:
        save_minari(dataset_id, dataset_to_episodes(make_dataset()), env_id="Hopper-v5")
    assert str(info.value).startswith(
        f"dataset_id: {dataset_id!r} is where the short name '{short}' is read from "
        "(generated D4RL-protocol data"
    )
    assert "save yours under another namespace, e.g. 'mine/hopper/medium-v0'" in str(info.value)
    assert nothing_in_the_minari_root()


def test_save_minari_for_a_short_name_applies_the_id_check():
    """The generator's way in (``short_name_data=(env, level)``) still checks that the id is that
    env's and level's, as make_dataset.py does."""
    episodes = dataset_to_episodes(make_dataset())
    for dataset_id, data in (
        ("rambo/walker2d/medium-v0", ("hopper", "medium")),
        ("rambo/hopper/medium-v0", ("hopper", "random")),
    ):
        with pytest.raises(ValueError, match=r"is where the short name .* but these are hopper-"):
            save_minari(dataset_id, episodes, env_id="Hopper-v5", short_name_data=data)
    with pytest.raises(ValueError, match=r"^env_id: 'Hopper-v5', but short_name_data says these"):
        save_minari(
            "rambo/walker2d/random-v0",
            episodes,
            env_id="Hopper-v5",
            short_name_data=("walker2d", "random"),
        )
    assert nothing_in_the_minari_root()
    save_minari(
        "rambo/hopper/medium-v0", episodes, env_id="Hopper-v5", short_name_data=("hopper", "medium")
    )
    save_minari("mine/hopper/medium-v0", episodes, env_id="Hopper-v5")  # another namespace: ok
    save_minari("rambo/hopper/medium-v1", episodes, env_id="Hopper-v5")  # no short name reads it


@pytest.mark.parametrize("kind", [np.float32, np.int64, np.float64])
def test_save_minari_takes_numpy_reference_scores(kind):
    """Probe 45: ``ref_min_score=np.float32(-20)`` (np.mean of float32 returns) or an np.int64
    was Minari's raw "Object of type <class 'numpy.float32'> is not JSON serializable"."""
    save_minari(
        "t/hopper/np-v0",
        dataset_to_episodes(make_dataset()),
        env_id="Hopper-v5",
        ref_min_score=kind(-20),
        ref_max_score=kind(3234),
    )
    d = load_dataset("t/hopper/np-v0")
    assert (d.ref_min_score, d.ref_max_score) == (-20.0, 3234.0)


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (
            {"a": np.arange(3)},
            "extra_metadata['a']: not JSON-serialisable (ndarray); use .tolist()",
        ),
        (
            {"f": {"g": [1, len]}},
            "extra_metadata['f']['g'][1]: not JSON-serialisable (builtin_function_or_method); "
            "store a string, number, list or dict instead",
        ),
        ([1], "extra_metadata: expected a dict (a JSON object), got list"),
        (
            {"x": float("nan")},
            "extra_metadata['x']: nan is not valid JSON (Python writes a bare NaN / Infinity); "
            "store None or a string",
        ),
        (
            {"a": [1, float("-inf")]},
            "extra_metadata['a'][1]: -inf is not valid JSON (Python writes a bare NaN / "
            "Infinity); store None or a string",
        ),
        (
            {1: "x"},
            "extra_metadata: key 1 is an int; JSON keys are strings (it would come back as "
            '"1"): use a string key',
        ),
        (
            {"a": {(1, 2): "x"}},
            "extra_metadata['a']: key (1, 2) is a tuple; JSON keys are strings: use a string key",
        ),
        (
            {"ref_min_score": 5.0},
            "extra_metadata['ref_min_score']: an argument of save_minari itself; pass "
            "ref_min_score=… instead",
        ),
        (
            {"a": 1, "env_id": "Walker2d-v5"},
            "extra_metadata['env_id']: an argument of save_minari itself; pass env_id=… instead",
        ),
        (
            {"description": "x"},
            "extra_metadata['description']: an argument of save_minari itself; pass "
            "description=… instead",
        ),
        (
            {"author": "me"},
            "extra_metadata['author']: an argument of save_minari itself; pass author=… instead",
        ),
        (
            {"author_email": "me@x.org"},
            "extra_metadata['author_email']: an argument of save_minari itself; pass "
            "author_email=… instead",
        ),
        (
            {"minari_id": "x/y-v0"},
            "extra_metadata['minari_id']: a field load_dataset sets itself (the dataset's id); it "
            "would be ignored at load: store it under another key",
        ),
        (
            {"total_steps": 3},
            "extra_metadata['total_steps']: a field save_minari sets itself (Minari's metadata); "
            "it would be ignored at load: store it under another key",
        ),
    ],
)
def test_save_minari_refuses_extra_metadata_it_cannot_store_as_given(extra, said):
    """Refused before anything is written: values JSON cannot hold (probe 44: Minari's raw
    "Object of type <class 'numpy.ndarray'> is not JSON serializable"), values strict JSON cannot
    hold (probe 45: a bare ``NaN``; an int key came back as '1'), and keys of save_minari's own
    arguments or Minari's fields (probe 46: ``{'ref_min_score': 5.0}`` was written and ignored at
    load, which then said the dataset carries no reference scores)."""
    with pytest.raises(ValueError) as info:
        save_minari(
            "t/hopper/meta-v0",
            dataset_to_episodes(make_dataset()),
            env_id="Hopper-v5",
            extra_metadata=extra,
        )
    assert str(info.value) == said
    assert nothing_in_the_minari_root()


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [
        ({"description": 5}, "description: expected a string, got int 5"),
        ({"algorithm_name": None}, "algorithm_name: expected a string, got NoneType None"),
        ({"force": "no"}, "force: expected True or False, got str 'no'"),
        ({"author": None}, "author: expected a string, got NoneType None"),
    ],
)
def test_save_minari_checks_its_string_and_flag_arguments(kwargs, said):
    """Probe 45: ``description=5`` was stored as the int 5 in metadata.json."""
    with pytest.raises(ValueError) as info:
        save_minari(
            "t/hopper/args-v0", dataset_to_episodes(make_dataset()), env_id="Hopper-v5", **kwargs
        )
    assert str(info.value) == said
    assert nothing_in_the_minari_root()


def test_genuine_extra_metadata_round_trips_as_strict_json():
    save_minari(
        "t/hopper/ok-v0",
        dataset_to_episodes(make_dataset()),
        env_id="Hopper-v5",
        description="mine",
        extra_metadata={"a": [1, 2.5], "b": {"c": None}},
    )
    text = (minari_dataset_path("t/hopper/ok-v0") / "data" / "metadata.json").read_text()
    meta = json.loads(text, parse_constant=lambda c: pytest.fail(f"bare {c}"))
    assert meta["rambo_env"] == {"a": [1, 2.5], "b": {"c": None}}
    assert meta["description"] == "mine"


def test_save_minari_takes_the_author_of_the_data():
    """Probe 47: ``extra_metadata={'author': …}`` was refused ("store it under another key") while
    save_minari wrote author 'rambo-env' on every dataset and had no author= argument."""
    save_minari(
        "t/hopper/mine-v0",
        dataset_to_episodes(make_dataset()),
        env_id="Hopper-v5",
        author="A. Researcher",
        author_email="a@lab.org",
    )
    text = (minari_dataset_path("t/hopper/mine-v0") / "data" / "metadata.json").read_text()
    assert "A. Researcher" in text and "a@lab.org" in text and "rambo-env@users" not in text


def test_a_short_name_s_small_generated_dataset_is_said_at_every_load(capsys):
    """Probe 45: ``load_dataset('hopper-random', n_transitions=300)`` once, then every
    ``load_dataset('hopper-random')`` (cotrain --dataset hopper-random) trained on the
    300-transition dataset with only the usual info line."""
    generate_dataset("hopper", "random", n_transitions=60, n_envs=2, progress=False, n_workers=1)
    capsys.readouterr()
    note = (
        "[rambo_env] note: rambo/hopper/random-v0 holds 60 transitions, not the 1,000,000 of "
        "hopper-random (it was generated smaller); regenerate it at full size with python "
        "scripts/make_dataset.py --env hopper --level random --force"
    )
    for _ in range(2):
        assert len(load_dataset("hopper-random").rewards) == 60
        assert note in capsys.readouterr().out.splitlines()
    load_dataset("hopper-random", n_transitions=60)  # the size asked: no note
    assert "note" not in capsys.readouterr().out
    load_dataset("hopper-random", n_transitions=80)
    assert capsys.readouterr().out.splitlines()[0] == (
        "[rambo_env] note: rambo/hopper/random-v0 holds 60 transitions (asked 80); regenerate "
        "with python scripts/make_dataset.py --env hopper --level random --force "
        "--n-transitions 80"
    )


def test_a_small_generated_dataset_loaded_by_its_id_is_said_too(capsys):
    """Probe 46: make_dataset.py --env hopper --level random --n-transitions 100 --dataset-id
    mine/hopper/random-v0, then --dataset mine/hopper/random-v0, loaded as 'hopper-random' (its
    preset, ledger slug and paper comparisons) with no size note: only ``rambo/`` ids read by
    their short name had it. Now any generated dataset labelled with a short name is said, read
    by its id (from Minari's files, then from the flat cache); data saved by hand are not."""
    for dataset_id in ("mine/hopper/random-v0", "rambo/hopper/random-v0"):
        generate_dataset(
            "hopper",
            "random",
            n_transitions=60,
            n_envs=2,
            progress=False,
            n_workers=1,
            dataset_id=dataset_id,
        )
    capsys.readouterr()
    regenerate = "python scripts/make_dataset.py --env hopper --level random"
    for dataset_id, fix in (
        ("mine/hopper/random-v0", f"{regenerate} --dataset-id mine/hopper/random-v0 --force"),
        ("rambo/hopper/random-v0", f"{regenerate} --force"),
    ):
        note = (
            f"[rambo_env] note: {dataset_id} holds 60 transitions, not the 1,000,000 of "
            f"hopper-random (it was generated smaller); regenerate it at full size with {fix}"
        )
        for _ in range(2):  # the second read is the flat cache's
            dataset = load_dataset(dataset_id)
            assert dataset.name == "hopper-random"
            assert note in capsys.readouterr().out.splitlines()
    save_minari("own/hopper/random-v0", dataset_to_episodes(make_dataset()), env_id="Hopper-v5")
    capsys.readouterr()
    assert load_dataset("own/hopper/random-v0").name == "hopper-random"
    assert "it was generated smaller" not in capsys.readouterr().out
