"""Probe 86 (p86a) rows 26, 27: a --force replacement of a Minari dataset whose second rename (the
new dataset into place) failed left the old one in a hidden trash folder, under an error saying
it was intact; the next write into the root deleted that folder, and a load of a short name
found no dataset and generated a new one over the user's data."""

from __future__ import annotations

import contextlib
import errno
import os
import pathlib
import shutil

import pytest

from rambo_env import load_dataset
from rambo_env.data.minari_io import (
    dataset_to_episodes,
    minari_dataset_exists,
    minari_dataset_path,
    save_minari,
)
from rambo_env.run_io import WriteFailedError
from tests.data.data_helpers import make_dataset

_RENAME = pathlib.Path.rename


@contextlib.contextmanager
def _fail_renames(fails):
    """Path.rename raises ENOSPC where ``fails(source, target)``."""

    def rename(self, target):
        if fails(str(self), str(target)):
            raise OSError(errno.ENOSPC, "No space left on device (injected)")
        return _RENAME(self, target)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pathlib.Path, "rename", rename)
        yield


def _new_into_place(source: str, target: str) -> bool:
    return ".rambo-tmp-" in source


def _old_back(source: str, target: str) -> bool:
    return ".rambo-trash-" in source


def _trash(root: pathlib.Path) -> list[str]:
    return [p.name for p in root.iterdir() if p.name.startswith(".rambo-trash-")]


def _save(dataset_id: str, lengths, **kwargs) -> None:
    ends = (False,) * len(lengths)
    episodes = dataset_to_episodes(make_dataset(episode_lengths=lengths, terminal_last=ends))
    save_minari(dataset_id, episodes, env_id="Hopper-v5", **kwargs)


def test_a_failed_force_replacement_puts_the_old_dataset_back() -> None:
    # probe 86 row 26: was 'not written … (any previous x-v0 is intact …)' with x-v0 gone from
    # the root (its files in .rambo-trash-<pid>-*/old) and the new one deleted
    _save("p86/hop/x-v0", (5, 4, 3))
    with (
        _fail_renames(_new_into_place),
        pytest.raises(WriteFailedError, match=r"any previous x-v0 is intact"),
    ):
        _save("p86/hop/x-v0", (6, 6), force=True)
    assert load_dataset("p86/hop/x-v0").n_transitions == 12  # the old one, in its place
    assert _trash(minari_dataset_path("")) == []


def test_a_dataset_left_in_the_trash_is_put_back_by_the_next_write(capsys) -> None:
    # probe 86 row 26: the next write into the root (any id) deleted the trash folder, the only
    # copy of the old dataset
    _save("p86/hop/x-v0", (5, 4, 3))
    with (
        _fail_renames(lambda s, t: _new_into_place(s, t) or _old_back(s, t)),
        pytest.raises(OSError) as info,
    ):
        _save("p86/hop/x-v0", (6, 6), force=True)
    root = minari_dataset_path("")
    (trash,) = _trash(root)
    assert f"it is at {root / trash / 'old'}" in "\n".join(info.value.__notes__)
    assert "intact" not in str(info.value)
    # a trash folder of a writer no longer running (this one's pid in its name is alive)
    dead = root / trash.replace(f"-{os.getpid()}-", "-999999999-", 1)
    os.rename(root / trash, dead)
    capsys.readouterr()
    _save("p86/hop/y-v0", (3,))
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1
    assert f"{minari_dataset_path('p86/hop/x-v0')} was missing" in out and str(dead / "old") in out
    assert load_dataset("p86/hop/x-v0").n_transitions == 12
    assert _trash(root) == []


def test_a_trash_folder_of_an_earlier_version_is_put_back_not_deleted(capsys) -> None:
    # probe 86 row 26: a trash folder without the id record (written before this fix): the id its
    # metadata names; without either, it is kept and said so
    _save("p86/hop/x-v0", (5, 4, 3))
    root = minari_dataset_path("")
    legacy = root / ".rambo-trash-999999999-abc"
    legacy.mkdir()
    os.rename(minari_dataset_path("p86/hop/x-v0"), legacy / "old")
    unknown = root / ".rambo-trash-999999998-def"
    (unknown / "old").mkdir(parents=True)
    _save("p86/hop/y-v0", (3,))
    out = capsys.readouterr().out
    assert load_dataset("p86/hop/x-v0").n_transitions == 12
    assert not legacy.exists()
    assert f"{unknown / 'old'} holds a dataset set aside" in out and "left there" in out
    assert (unknown / "old").is_dir()
    shutil.rmtree(unknown)


def test_a_short_name_dataset_left_in_the_trash_is_found_by_the_loader(capsys):
    # probe 86 row 27: load_dataset('hopper-random') found no dataset and generated 1M
    # transitions over the user's data (whose trash folder its save then deleted)
    data = ("hopper", "random")
    _save("rambo/hopper/random-v0", (5, 4, 3), short_name_data=data)
    with (
        _fail_renames(lambda s, t: _new_into_place(s, t) or _old_back(s, t)),
        pytest.raises(OSError),
    ):
        _save("rambo/hopper/random-v0", (6, 6), force=True, short_name_data=data)
    root = minari_dataset_path("")
    (trash,) = _trash(root)
    os.rename(root / trash, root / trash.replace(f"-{os.getpid()}-", "-999999999-", 1))
    capsys.readouterr()
    assert minari_dataset_exists("rambo/hopper/random-v0")  # what the loader asks first
    assert "the previous Minari dataset 'rambo/hopper/random-v0' was put back" in (
        capsys.readouterr().out
    )
    assert load_dataset("rambo/hopper/random-v0").n_transitions == 12
