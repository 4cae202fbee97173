"""Minari <-> :class:`OfflineDataset`: jax-free, atomic writing and cached flat reading.

Minari stores an episode as ``T + 1`` observations and ``T`` actions/rewards/terminations/
truncations, so ``next_obs = obs[1:]`` is exact within an episode. Writing goes through
``minari.data_collector.EpisodeBuffer`` + ``minari.create_dataset_from_buffers`` (no jax), into a
hidden temporary root that is renamed into place only once complete. Reading Minari's HDF5 costs a
few milliseconds per episode (a random-policy Hopper dataset has ~50k episodes), so the flat arrays
are cached under ``$RAMBO_ENV_CACHE/datasets`` keyed by the dataset files' size and mtime.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import itertools
import json
import math
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rambo_env.command_line import did_you_mean, script_line, shell_path, shell_quote
from rambo_env.data.d4rl_io import hdf5_trouble
from rambo_env.data.dataset import (
    DERIVED_NEXT_OBSERVATIONS,
    ENV_KWARGS,
    ENV_KWARGS_OF,
    ENV_TIME_LIMIT,
    ENV_WRAPPERS,
    EVAL_ENV,
    EVAL_ENV_ONLY,
    TIMEOUT_STEP_DROPPED,
    DatasetUnavailableError,
    DatasetValidationError,
    OfflineDataset,
    space_trouble,
)
from rambo_env.data.scores import ENV_IDS, LEVELS, env_name_from_id
from rambo_env.host_limits import out_of_memory_text
from rambo_env.logging import note
from rambo_env.progress import progress_bar
from rambo_env.requirements import import_dependency
from rambo_env.run_io import (
    NAME_MAX,
    WriteFailedError,
    _aside_writer,
    check_flag,
    check_folder_room,
    check_path_text,
    check_readable,
    check_writable,
    damaged_file,
    error_behind,
    expand_home,
    file_lock,
    folder_owner_for_root,
    give_tree_to_folder_owner,
    home_dir,
    home_store_words,
    host_name_token,
    longest_name_bytes,
    note_relative,
    out_of_memory,
    owned_by_other,
    owner_text,
    permission_denied,
    pid_alive,
    replace_folder,
    restore_set_aside,
    safe_reason,
    some_names,
    unenterable_folder,
    wait_for_lock,
    with_article,
)

__all__ = [
    "check_dataset_id",
    "check_minari_root",
    "check_replaceable",
    "check_root_level",
    "check_trash_elsewhere",
    "dataset_to_episodes",
    "episodes_to_dataset",
    "minari_dataset_exists",
    "minari_dataset_path",
    "misplaced_root",
    "read_minari",
    "removing_new_root",
    "save_minari",
    "write_flat_cache",
]

_MAIN_FILES = ("data/main_data.hdf5", "data/metadata.json")


#: ``[namespace/...]name-vN`` (Minari's form, version required); no ``.`` / ``..`` / empty parts.
_DATASET_ID_RE = re.compile(r"[-\w]+(?:/[-\w]+)*-v\d+")
#: Minari 0.5's namespace rule (``minari.namespace.NAMESPACE_REGEX``): at least 2 characters.
_MINARI_NAMESPACE_RE = re.compile(r"[-_\w][-_\w/]*[-_\w]+")


def check_dataset_id(dataset_id: str) -> str:
    """``dataset_id`` if it is a Minari id that stays inside the Minari root, else ValueError."""
    if not isinstance(dataset_id, str) or not _DATASET_ID_RE.fullmatch(dataset_id):
        raise ValueError(
            f"dataset_id: {dataset_id!r} is not a Minari id of the form namespace/name-vN (letters, "
            "digits, '_' and '-' between '/', e.g. rambo/hopper/medium-v0; no '..', not a path)"
        )
    namespace = dataset_id.rsplit("/", 1)[0] if "/" in dataset_id else None
    if namespace is not None and not _MINARI_NAMESPACE_RE.fullmatch(namespace):
        raise ValueError(  # probe 28: Minari's "Malformed dataset ID" after the whole collection
            f"dataset_id: {dataset_id!r} has the namespace {namespace!r}, but Minari takes a "
            "namespace of at least 2 characters (letters, digits, '_', '-', '/' between them), "
            f"e.g. {namespace * 2 + '/' + dataset_id.rsplit('/', 1)[-1]!r}"
        )
    longest = longest_name_bytes(dataset_id.split("/"))
    if longest > NAME_MAX:  # was: a bare "[Errno 36] File name too long: …"
        raise ValueError(
            f"dataset_id: {dataset_id[:60]!r}… has a part of {longest} bytes, but a "
            f"file system takes at most {NAME_MAX} per folder name; give a shorter id"
        )
    last = len(dataset_id.rsplit("/", 1)[-1].encode())
    extra = len(_LOCK_NAME.format("").encode())
    if last + extra > NAME_MAX:  # probe 25: was "the lock … cannot be made (File name too long)"
        raise ValueError(
            f"dataset_id: {dataset_id[:60]!r}… ends in a name of {last} bytes; its generation "
            f"lock file ({_LOCK_NAME.format('<name>')}) adds {extra}, and a file system takes at "
            f"most {NAME_MAX} per name: give a name of at most {NAME_MAX - extra} bytes"
        )
    return dataset_id


#: The file that marks a Minari namespace folder (``minari.namespace``).
_NAMESPACE_METADATA = "namespace_metadata.json"
#: The hidden lock file beside a dataset's folder while it is generated (:func:`generation_lock`).
_LOCK_NAME = ".{}.generate.lock"


def minari_dataset_path(dataset_id: str) -> Path:
    """Directory of a local Minari dataset (``$MINARI_DATASETS_PATH`` or ``~/.minari/datasets``,
    also when the variable is set but empty), absolute: Minari 0.5 doubles a relative root inside
    its own paths (a relative ``MINARI_DATASETS_PATH=data`` made every write fail with ``No such
    file or directory: 'data/.rambo-tmp-…/…/data/data/.rambo-tmp-…/main_data.hdf5'``), and takes
    an empty one as the path ``''``. Minari is given folders below this root
    (:func:`_create_minari_dataset`, :func:`_open_minari`).
    A leading ``~`` is expanded, as in ``RAMBO_ENV_CACHE`` (probe 31: a quoted
    ``MINARI_DATASETS_PATH='~/m'`` of an env file silently made a folder named ``~`` in the
    working folder and generated every dataset there)."""
    root = os.environ.get("MINARI_DATASETS_PATH")
    if not root:
        return (home_dir() / ".minari" / "datasets").absolute() / dataset_id
    check_path_text(root, "MINARI_DATASETS_PATH")
    folder = expand_home(root).absolute()
    note_relative("MINARI_DATASETS_PATH", root, folder)
    return folder / dataset_id


def root_origin() -> str:
    """How the local Minari root (:func:`minari_dataset_path`) was chosen, for messages that name
    it: the variable's value, or that it is unset or empty (the default root). Probe 50: with
    ``MINARI_DATASETS_PATH=''`` (a shell variable that was not set) or ``HOME`` unset, "not in the
    Minari root as …" named no root, and an empty value silently meant the default."""
    value = os.environ.get("MINARI_DATASETS_PATH")
    if value is None:
        return "MINARI_DATASETS_PATH is not set: the default root"
    if not value:
        return "MINARI_DATASETS_PATH is set but empty: the default root"
    if not os.path.isabs(os.path.expanduser(value)):
        return (
            f"MINARI_DATASETS_PATH={value} is a relative path, read from this working folder "
            f"{Path.cwd()}"
        )
    return f"MINARI_DATASETS_PATH={value}"


def named_root() -> str:
    """The local Minari root's path, with :func:`root_origin` when ``MINARI_DATASETS_PATH`` is set
    but empty (the one case where the path shown is not the one the user wrote)."""
    root = str(minari_dataset_path(""))
    if os.environ.get("MINARI_DATASETS_PATH") == "":
        return f"{root} ({root_origin()})"
    return root


def minari_folder_there(dataset_id: str) -> bool:
    """Something sits where the local Minari dataset ``dataset_id`` goes (a folder, maybe
    damaged, or a link)."""
    folder = minari_dataset_path(dataset_id)
    try:
        return folder.exists() or folder.is_symlink()
    except PermissionError as err:  # probe 95 row 35: was a raw PermissionError
        raise _not_enterable(dataset_id, err) from None


def _not_enterable(
    dataset_id: str, err: PermissionError | None, writing: bool = False
) -> ValueError:
    """The ValueError of a folder on the way to the Minari dataset ``dataset_id`` that this user
    may not enter (probe 95 row 35: a namespace folder another user made with mode 0700 was a raw
    ``PermissionError: [Errno 13] … metadata.json`` naming no variable and no way out);
    ``writing``: where the dataset is to be written (probe 111 row 37)."""
    path = minari_dataset_path(dataset_id)
    folder = unenterable_folder(minari_dataset_path(dataset_id))
    if folder is None:
        folder = Path(err.filename).parent if err is not None and err.filename else path
    advice = f"make it readable (chmod u+rx {shell_quote(str(folder))})"
    if owned_by_other(folder):
        advice = f"ask its owner to open it (chmod a+rx {shell_quote(str(folder))})"
    if writing:
        what, elsewhere = "written", "pass another --dataset-id (dataset_id=…), or point"
        mine = "MINARI_DATASETS_PATH at a folder of your own"
    else:
        what, elsewhere = "read", "or point"
        mine = "MINARI_DATASETS_PATH at a folder of your own holding the dataset"
    return ValueError(
        f"MINARI_DATASETS_PATH: {folder} cannot be entered by this user (Permission denied; "
        f"{owner_text(folder)}), so Minari dataset {dataset_id!r} cannot be {what} there; "
        f"{advice}, {elsewhere} {mine}"
    )


def _refuse_unenterable_place(dataset_id: str) -> None:
    """ValueError when a namespace folder on the way to where the dataset ``dataset_id`` is
    written may not be entered by this user (probe 111 row 37: a new id in a namespace another
    user made 0700 was a bare "[Errno 13] Permission denied: '…/grp/walker/b-v0'"). The
    dataset's own folder is :func:`check_replaceable`'s (``--force``)."""
    folder = unenterable_folder(minari_dataset_path(dataset_id))
    if folder is not None and folder != minari_dataset_path(dataset_id):
        raise _not_enterable(dataset_id, None, writing=True)


def check_minari_root() -> Path:
    """The local Minari root, created if missing; ValueError naming ``MINARI_DATASETS_PATH`` if it
    is not a writable folder (checked before collecting, not when the collected data are saved)."""
    words = ("MINARI_DATASETS_PATH: Minari root", "set MINARI_DATASETS_PATH to a writable folder")
    if not os.environ.get("MINARI_DATASETS_PATH"):  # probe 111: the root came from HOME
        words = home_store_words("MINARI_DATASETS_PATH", "Minari root", "~/.minari/datasets")
    check_folder_room(minari_dataset_path(""), words[0], "MINARI_DATASETS_PATH")  # probe 145 E2
    return check_writable(minari_dataset_path(""), *words)


def check_dataset_place(dataset_id: str) -> Path:
    """The folder the local Minari dataset ``dataset_id`` is written to, after checking that no
    file sits there or on a namespace folder above it (below the Minari root); ValueError naming
    that file otherwise. Probe 30: ``make_dataset.py --train-policy`` with a file at
    ``<root>/rambo/hopper`` trained the behaviour agent (hours), then failed "not written (File
    exists)"; ``generate_dataset`` collected first. The root itself is checked first
    (:func:`check_minari_root`; probe 41: a file as ``MINARI_DATASETS_PATH`` was refused only
    after the "generating …" line of a short name)."""
    folder, root = minari_dataset_path(dataset_id), check_minari_root()
    check_root_level(dataset_id)
    _refuse_unenterable_place(dataset_id)
    for path in (folder, *folder.parents):
        if path == root or path == path.parent:
            break
        if os.path.lexists(path) and not path.is_dir():
            raise ValueError(
                f"dataset_id: {path} is not a folder but a file, where the dataset {dataset_id!r} "
                f"is written (in the Minari root {root}); move that file away, or pass another "
                "--dataset-id (dataset_id=…)"
            )
    return folder


#: What Minari writes in a dataset's folder: ``data/`` with its metadata and its episodes (one
#: HDF5 file, or Arrow's ``episode_<n>`` folders of a downloaded dataset).
_MINARI_DATA_FILES = re.compile(r"metadata\.json|main_data\.hdf5|episode_\d+")


def check_replaceable(dataset_id: str) -> None:
    """ValueError when the existing folder of the local Minari dataset ``dataset_id``, which
    ``force`` replaces whole, holds files no Minari dataset writes (a run folder, a file put
    there by hand); nothing is deleted. Probe 34: ``make_dataset.py --force`` deleted a finished
    run (checkpoint, results, tb) made inside the dataset's folder, without a word."""
    folder = minari_dataset_path(dataset_id)
    _refuse_unreplaceable(dataset_id)
    try:
        foreign = sorted(p.name for p in folder.iterdir() if p.name != "data")
        if (folder / "data").is_dir():
            foreign += sorted(
                f"data/{p.name}"
                for p in (folder / "data").iterdir()
                if not _MINARI_DATA_FILES.fullmatch(p.name)
            )
    except OSError:  # no folder (nothing to replace), or not readable (the write says so)
        return
    if foreign:
        raise ValueError(
            f"dataset_id: {folder} holds files no Minari dataset writes ({some_names(foreign)}); "
            "--force (force=True) replaces the whole folder and would delete them: move them out "
            f"of it (a run folder: outside the Minari root {minari_dataset_path('')}), then rerun"
        )


def _refuse_unreplaceable(dataset_id: str) -> None:
    """ValueError when the existing folder of the dataset ``dataset_id`` (or its ``data/``) is
    one this user may not enter or write, so ``--force`` cannot replace it (it is moved away
    whole): another user's dataset made under umask 077 (probe 111 row 4: was "[Errno 13]
    Permission denied: '…/random-v0/data'", bare, from the free-room check), said before the
    collection."""
    folder = minari_dataset_path(dataset_id)
    need = os.R_OK | os.W_OK | os.X_OK
    for path in (folder, folder / "data"):
        try:
            if path.is_symlink() or not path.is_dir() or os.access(path, need):
                continue
        except OSError:  # below a folder it may not enter: that folder was named
            return
        if owned_by_other(path):
            raise ValueError(
                f"dataset_id: {path} is another user's dataset folder ({owner_text(path)}) that "
                f"this user cannot enter or write, so --force (force=True) cannot replace "
                f"{dataset_id!r}; ask its owner (uid {path.stat().st_uid}) to replace or open "
                "it (chmod -R a+rwX), or pass another --dataset-id (dataset_id=…), or point "
                "MINARI_DATASETS_PATH at a folder of your own"
            )
        raise ValueError(
            f"dataset_id: {path} is not writable by this user ({owner_text(path)}: this "
            f"user's), so --force (force=True) cannot replace {dataset_id!r}; make it "
            f"writable (chmod -R u+rwX {shell_quote(str(folder))}) and rerun"
        )


def _enclosing_dataset(root: Path) -> tuple[Path, int, str] | None:
    """``(folder, depth, id)`` of the Minari dataset whose folder lies above ``root`` (at most 4
    levels; its ``data/metadata.json`` names its id, ``depth`` names of which the folder's path
    ends in, 0 when it does not), else None."""
    for folder in list(root.parents)[:4]:
        metadata = folder / "data" / "metadata.json"
        if not metadata.is_file():
            continue
        found = ""
        with contextlib.suppress(ValueError, OSError, AttributeError):
            found = str(json.loads(metadata.read_text(encoding="utf-8")).get("dataset_id") or "")
        names = tuple(found.split("/")) if found else ()
        depth = len(names) if names and folder.parts[-len(names) :] == names else 0
        return folder, depth, found or folder.name
    return None


def check_root_level(dataset_id: str) -> None:
    """ValueError when the Minari root, where ``dataset_id`` is about to be written, is itself a
    Minari namespace folder (it holds ``namespace_metadata.json``) or a dataset's folder (it holds
    ``data/metadata.json``), or holds ``dataset_id`` one or two levels too shallow
    (``<root>/hopper/medium-v0`` for ``rambo/hopper/medium-v0``). Probe 31:
    ``MINARI_DATASETS_PATH=…/minari/rambo`` generated 1M transitions into ``…/rambo/rambo/…``
    beside the dataset it already held. Reading is not refused: only writing there."""
    root = minari_dataset_path("")
    parts = dataset_id.split("/")
    names = root.parts
    # k: how many leading parts of the id the root's own last names repeat (rambo, rambo/hopper)
    k = max((i for i in range(1, len(parts) + 1) if tuple(parts[:i]) == names[-i:]), default=0)
    base = root  # the folder whose parents[k - 1] is the right root
    with contextlib.suppress(OSError):
        if (root / "namespace_metadata.json").is_file():
            what = "a Minari namespace folder (it holds namespace_metadata.json)"
        elif (root / "data" / "metadata.json").is_file():
            what = "a Minari dataset's folder (it holds data/metadata.json)"
        elif 0 < k < len(parts) and (root.joinpath(*parts[k:], "data", "metadata.json")).is_file():
            what = f"a Minari namespace folder (it holds {'/'.join(parts[k:])})"
        elif (inside := _enclosing_dataset(root)) is not None:
            # probe 38 row 49: a dataset's data folder (holding main_data.hdf5) or a folder below
            # it: a short name started a full generation inside the dataset
            folder, depth, found = inside
            what = f"a folder inside the Minari dataset {found} ({folder})"
            parts, k, base = found.split("/"), depth, folder
        else:
            return
        raise ValueError(
            f"MINARI_DATASETS_PATH: the Minari root {root} looks like {what}, not the root: "
            f"{dataset_id} would be written to {root / dataset_id}; {_root_fix(base, k, parts)}"
        )


def _root_fix(base: Path, k: int, names: list[str]) -> str:
    """What to set ``MINARI_DATASETS_PATH`` to when ``base``'s last ``k`` names are a dataset id's
    first ``k`` ``names`` (0: unknown)."""
    if not k:
        return "set MINARI_DATASETS_PATH to the folder holding the namespace folders"
    parent = base.parents[k - 1]
    return (
        f"set MINARI_DATASETS_PATH={shell_quote(str(parent))} (the folder holding "
        f"{'/'.join(names[:k])}/)"
    )


def _said_id(folder: Path) -> str | None:
    """The ``dataset_id`` the data/metadata.json of the Minari dataset ``folder`` names (the id
    it was written under), None when unreadable."""
    try:
        said = json.loads((folder / "data" / "metadata.json").read_text(encoding="utf-8")).get(
            "dataset_id"
        )
    except (OSError, ValueError, AttributeError):
        return None
    return said if isinstance(said, str) else None


def misplaced_root(*dataset_ids: str) -> str | None:
    """What is wrong with ``MINARI_DATASETS_PATH`` when the Minari root holds none of
    ``dataset_ids`` but the data are there at another level: the root is a namespace folder
    (``…/minari/rambo``: it holds ``walker2d/random-v0``), or the folder above the root
    (``/data`` holding ``minari/rambo/…``; ``~/.minari`` holding ``datasets/…``). None when
    neither. Probe 36: one level up, a short name generated the data anew (at the default size
    1M steps) beside the existing copy; one level down, the advice was to download them. One
    level down and written under the id with that folder as its namespace
    (``user/hopper/rand-v0`` for ``hopper/rand-v0``), the id is what is wrong: probe 44 advised
    moving the root, which would hide every other dataset there."""
    root = minari_dataset_path("")
    with contextlib.suppress(OSError):
        for dataset_id in dataset_ids:
            parts = dataset_id.split("/")
            for k in range(len(parts) - 1, 0, -1):  # the root repeats the id's first k names
                if (
                    root.parts[-k:] == tuple(parts[:k])
                    and root.joinpath(*parts[k:], "data", "metadata.json").is_file()
                ):
                    parent = root.parents[k - 1]
                    rest = "/".join(parts[k:])
                    if _said_id(root.joinpath(*parts[k:])) == rest:
                        # probe 88 row 111: it was written under this root as {rest}; the
                        # advice to move the root up made the healthy dataset "damaged"
                        return (
                            f"Minari dataset {dataset_id!r}: the Minari root {root} already "
                            f"ends in {'/'.join(parts[:k])}, and holds this dataset as {rest} "
                            f"(its data/metadata.json says so): did you mean the id {rest}? "
                            "(a Minari id starts below the root; keep MINARI_DATASETS_PATH)"
                        )
                    return (
                        f"MINARI_DATASETS_PATH: the Minari root {root} ends in "
                        f"{'/'.join(parts[:k])} of the id {dataset_id} (it holds "
                        f"{'/'.join(parts[k:])}); the variable names the folder holding the "
                        f"namespace folders: set MINARI_DATASETS_PATH={shell_quote(str(parent))}"
                    )
        below = sorted(
            (sub, dataset_id)
            for sub in root.iterdir()
            if not sub.name.startswith(".") and sub.is_dir()
            for dataset_id in dataset_ids
            if (sub / dataset_id / "data" / "metadata.json").is_file()
        )
        if below:
            sub, dataset_id = below[0]
            full = f"{sub.name}/{dataset_id}"
            said = _said_id(sub / dataset_id)
            if said != dataset_id:  # probe 44: the root is right, the id lacks its namespace
                root_too = (
                    ""
                    if said == full
                    else f"; or, if {sub} is meant to be the root, set MINARI_DATASETS_PATH="
                    f"{shell_quote(str(sub))}"
                )
                return (
                    f"Minari dataset {dataset_id!r}: the Minari root {root} holds no "
                    f"{dataset_id}, but holds {full}: did you mean the id {full}? (a Minari id "
                    f"starts with its namespace folder){root_too}"
                )
            return (
                f"MINARI_DATASETS_PATH: the Minari root {root} holds no {dataset_id}, but "
                f"{sub}, one level down, does: did you mean MINARI_DATASETS_PATH="
                f"{shell_quote(str(sub))}? (the variable names the folder holding the namespace "
                "folders, e.g. ~/.minari/datasets); to make a new copy here instead, run "
                f"{_make_command(dataset_id)}"
            )
        inside = _enclosing_dataset(root)
        if inside is not None:  # probe 38: was a plain "not in the local Minari root"
            folder, depth, found = inside
            return (
                f"MINARI_DATASETS_PATH: the Minari root {root} is a folder inside the Minari "
                f"dataset {found} ({folder}), not the root, so it holds no datasets; "
                f"{_root_fix(folder, depth, found.split('/'))}"
            )
    return None


def absent_root_note(*dataset_ids: str) -> str | None:
    """One line when the Minari root, where a dataset is about to be generated, does not exist
    yet (it is then created), else None: calm for the default root (a fresh machine has none);
    for a ``MINARI_DATASETS_PATH`` it warns that a typo would generate the data anew, and names
    the root's siblings with a close name (:func:`rambo_env.run_io.did_you_mean`) that hold one
    of ``dataset_ids``. Probe 48: ``MINARI_DATASETS_PATH=…/minar1`` (for ``…/minari``) made the
    root and started a 1M-transition generation with only the usual "generating" line. An
    existing but empty ``MINARI_DATASETS_PATH`` root is warned of only when such a sibling holds
    the data (probe 49: an interrupted first try had left the mistyped root, and the rerun
    generated again without the warning); a fresh empty root without one is no alarm."""
    root = minari_dataset_path("")
    there = os.path.lexists(root)
    if there and (not os.environ.get("MINARI_DATASETS_PATH") or not _empty_root(root)):
        return None
    if not os.environ.get("MINARI_DATASETS_PATH"):
        return f"[rambo_env] the Minari root {root} does not exist yet: it is created"
    near = []
    with contextlib.suppress(OSError):
        for sibling in sorted(root.parent.iterdir()):
            if not did_you_mean(root.name, [sibling.name]) or not sibling.is_dir():
                continue
            held = [i for i in dataset_ids if (sibling / i / "data" / "metadata.json").is_file()]
            if held:
                near.append(
                    f"MINARI_DATASETS_PATH={shell_quote(str(sibling))}, which holds {held[0]}"
                )
    mean = f"; did you mean {' or '.join(near)}?" if near else ""
    if there:
        if not near:
            return None
        return (
            f"[rambo_env] WARNING: the Minari root {root} (MINARI_DATASETS_PATH) is empty; if "
            f"the path is a typo, stop now (Ctrl-C) and fix it{mean}"
        )
    return (
        f"[rambo_env] WARNING: the Minari root {root} (MINARI_DATASETS_PATH) does not exist yet: "
        f"it will be created; if the path is a typo, stop now (Ctrl-C) and fix it{mean}"
    )


def _empty_root(root: Path) -> bool:
    """Whether the folder ``root`` holds nothing Minari lists (only hidden entries, or none)."""
    try:
        return root.is_dir() and not any(not p.name.startswith(".") for p in root.iterdir())
    except OSError:
        return False


@contextlib.contextmanager
def removing_new_root() -> Iterator[None]:
    """Remove the Minari root again, and the folders above it made with it, when the block fails
    or is interrupted (Ctrl-C, SIGTERM) and the root did not exist before it and is still empty
    (nothing another process wrote there is touched). Probe 49: a generation into a mistyped
    ``MINARI_DATASETS_PATH`` stopped by Ctrl-C left the empty root, so the rerun no longer said
    that the root did not exist (:func:`absent_root_note`) and generated again."""
    root = minari_dataset_path("")
    missing = [p for p in (root, *root.parents) if not os.path.lexists(p)]  # deepest first
    try:
        yield
    except BaseException:
        for folder in missing:
            try:
                folder.rmdir()
            except OSError:  # not empty (someone else wrote there) or already gone
                break
        raise


@contextlib.contextmanager
def generation_lock(dataset_id: str) -> Iterator[None]:
    """Hold a hidden lock file beside the local Minari dataset ``dataset_id`` while it is made
    (:func:`rambo_env.run_io.file_lock`; Minari lists only non-hidden folders). Probe 24: two
    processes generating one dataset at once both collected it, and the second's save was a raw
    ``FileExistsError`` whose advice (force=True) would have overwritten the first's."""
    folder = minari_dataset_path(dataset_id)
    root = check_minari_root()
    made = []  # the namespace folders this generation makes (deepest last)
    parent = folder.parent
    while parent != root and not parent.exists() and parent != parent.parent:
        made.insert(0, parent)
        parent = parent.parent
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise WriteFailedError(folder.parent, err, _ELSEWHERE) from err
    # probe 122 row 22: root (sudo) generating into a user's Minari root made the namespace
    # folders here, so save_minari found them there and left them (and its markers) root's
    give_tree_to_folder_owner(root, made)
    try:
        with file_lock(
            _generation_lock_path(dataset_id),
            f"generating the same dataset {dataset_id} ({folder})",
            "MINARI_DATASETS_PATH",
        ):
            yield
    except BaseException:  # probe 25: a refused or failed generation left empty rambo/hopper/
        for path in reversed(made):
            with contextlib.suppress(OSError):  # not empty: another process uses it
                path.rmdir()
        raise


def _generation_lock_path(dataset_id: str) -> Path:
    """The lock file :func:`generation_lock` holds while ``dataset_id`` is made."""
    folder = minari_dataset_path(dataset_id)
    return folder.parent / _LOCK_NAME.format(folder.name)


def wait_for_generation(dataset_id: str) -> None:
    """Wait while another process generates ``dataset_id`` (holds its :func:`generation_lock`),
    saying for whom, as a second generation does; at once where none does. Probe 102 row 13: a
    run started while ``make_dataset.py --force`` regenerated its dataset loaded the old data
    without a word, and could never be resumed once they were replaced."""
    wait_for_lock(
        _generation_lock_path(dataset_id),
        f"generating the dataset {dataset_id} anew ({minari_dataset_path(dataset_id)})",
    )


def minari_dataset_exists(dataset_id: str) -> bool:
    metadata = minari_dataset_path(dataset_id) / "data" / "metadata.json"
    try:
        if not metadata.is_file():
            _restore_trash_of(dataset_id)  # a failed --force replacement left it in the trash
        return metadata.is_file()
    except PermissionError as err:  # probe 95 row 35: was a raw PermissionError
        raise _not_enterable(dataset_id, err) from None


# --------------------------------------------------------------------------- layout conversion
class DatasetEpisodes(list):
    """The episodes of :func:`dataset_to_episodes`, with the env their dataset records (``env_id``,
    ``env_kwargs``, ``max_episode_steps``): :func:`save_minari`'s defaults for them (probe 81 row
    48: a re-saved dataset's env kwargs were dropped without a word)."""

    env_id: str | None = None
    env_kwargs: dict[str, Any] = {}  # noqa: RUF012 (replaced per instance, never mutated)
    max_episode_steps: int | None = None
    #: the evaluation env the dataset records (``(id, kwargs, max_episode_steps)``), None when it
    #: records none (probe 83 row 50: a re-save dropped the dataset's eval_env_spec)
    eval_env: tuple[str, dict[str, Any], int | None] | None = None
    #: whether each episode ending by timeout holds one step fewer than it ran (the dataset's
    #: next states were derived: its time-limit rows were dropped); save_minari records it
    #: (:data:`~rambo_env.data.dataset.TIMEOUT_STEP_DROPPED`, probe 105 row 32)
    timeout_step_dropped: bool = False


def dataset_to_episodes(dataset: OfflineDataset, *, skip_unknown_final: bool = False) -> list[Any]:
    """Split a flat dataset into ``minari.data_collector.EpisodeBuffer`` s (T + 1 observations),
    a list that carries the dataset's env (:class:`DatasetEpisodes`).

    Requires ``next_observations[t] == observations[t + 1]`` inside every episode (Minari cannot
    store anything else); the first violation raises :class:`DatasetValidationError`. An episode's
    last observation is its last row's next state, so one whose next state the data do not hold
    (:meth:`~OfflineDataset.known_next_states`: the terminal rows of D4RL-layout data without
    next_observations) is refused, or with ``skip_unknown_final=True`` that episode is left out
    (a note says how many). Probe 104 row 15: each terminated episode of such data ended in the
    next episode's first state, a healthy start state, without a word.
    """
    from minari.data_collector import EpisodeBuffer

    skip_unknown_final = check_flag(skip_unknown_final, "dataset_to_episodes: skip_unknown_final")
    unknown = np.flatnonzero(~dataset.known_next_states())
    if unknown.size and not skip_unknown_final:
        raise DatasetValidationError(
            f"dataset {dataset.name!r}: {unknown.size} terminated episode(s) (first ends at row "
            f"{unknown[0]}) have no known final state: the data hold no state after a terminal "
            "step (next_observations derived from the next row, D4RL's layout without "
            "next_observations: there the next episode's first state), and a Minari episode "
            "stores it as its last observation; store next_observations (the env's observation "
            "at termination) in the source file, or pass skip_unknown_final=True to leave those "
            "episodes out"
        )
    ends = dataset.episode_ends()
    inside = ~ends[:-1]
    mismatch = inside[:, None] & (dataset.next_observations[:-1] != dataset.observations[1:])
    if mismatch.any():
        t, j = (int(i) for i in np.argwhere(mismatch)[0])
        raise DatasetValidationError(
            f"next_observations[{t}, {j}] = {dataset.next_observations[t, j]} differs from "
            f"observations[{t + 1}, {j}] = {dataset.observations[t + 1, j]} inside an episode"
        )
    bounds = np.r_[0, np.flatnonzero(ends) + 1]
    truncations = dataset.timeouts.copy()
    truncations[-1] |= not dataset.terminals[-1]  # a trailing partial episode is a truncation
    episodes = DatasetEpisodes()
    episodes.env_id, episodes.env_kwargs = dataset.env_id, dict(dataset.env_kwargs)
    episodes.max_episode_steps = dataset.env_max_episode_steps
    episodes.timeout_step_dropped = bool(
        dataset.metadata.get(DERIVED_NEXT_OBSERVATIONS)
        or dataset.metadata.get(TIMEOUT_STEP_DROPPED)
    )
    evaluation = dataset.evaluation_env()
    if evaluation != (dataset.env_id, dataset.env_kwargs, dataset.env_max_episode_steps):
        episodes.eval_env = (str(evaluation[0]), dict(evaluation[1]), evaluation[2])
    unknown_end = set(unknown.tolist())
    if unknown_end:
        note(
            f"[rambo_env] note: dataset {dataset.name!r}: {len(unknown_end)} terminated "
            f"episode(s) (first ends at row {unknown[0]}) left out: their final state is unknown "
            "(next_observations derived from the next row); each episode ending by timeout "
            "holds one step fewer than it ran (its time-limit row, whose next state the source "
            "does not hold, was dropped on loading; save_minari records this, and loading the "
            "export counts those episodes as they ran)",
        )
    pairs = [(a, b) for a, b in itertools.pairwise(bounds) if b - 1 not in unknown_end]
    if not pairs:
        raise DatasetValidationError(
            f"dataset {dataset.name!r}: every episode ends in a terminal step whose final state "
            "is unknown (next_observations derived from the next row): nothing to export; store "
            "next_observations in the source file"
        )
    for i, (start, stop) in enumerate(pairs):
        obs = np.concatenate(
            [dataset.observations[start:stop], dataset.next_observations[stop - 1 : stop]]
        )
        episodes.append(
            EpisodeBuffer(
                id=i,
                observations=obs,  # [T + 1, obs_dim]
                actions=dataset.actions[start:stop],
                rewards=dataset.rewards[start:stop],
                terminations=dataset.terminals[start:stop],
                truncations=truncations[start:stop],
            )
        )
    return episodes


def _get(ep: Any, key: str) -> np.ndarray:
    return np.asarray(ep[key] if isinstance(ep, dict) else getattr(ep, key))


def episode_length_trouble(episodes: Sequence[Any]) -> str | None:
    """What is wrong with the first episode whose fields do not fit its T actions (T + 1
    observations, T rewards / terminations / truncations), naming it as its file does
    (``episode_3``), else None (probe 35: one observation short was only the flattened arrays'
    "field 'actions' has 3000 rows but 'observations' has 2999")."""
    for i, ep in enumerate(episodes):
        name = ep.get("id", i) if isinstance(ep, dict) else getattr(ep, "id", i)
        t = len(_get(ep, "actions"))
        for key, need in (("observations", t + 1), ("rewards", t), ("terminations", t)):
            found = len(_get(ep, key)) if _get(ep, key).ndim else 0
            if found != need:
                return f"episode_{name}: {t} actions need {need} {key}, found {found}"
    return None


#: The per-step fields of a Minari episode, one value a step (D4RL's (N, 1) columns are taken as
#: (N,) by the flat readers, so a (T, 1) one is too).
_STEP_FIELDS = ("rewards", "terminations", "truncations")


def _episode_name(ep: Any, i: int) -> Any:
    return ep.get("id", i) if isinstance(ep, dict) else getattr(ep, "id", i)


def episode_content_trouble(episodes: Sequence[Any]) -> str | None:
    """What is wrong with the first episode whose fields have the wrong shape (rewards /
    terminations / truncations not (T,), observations / actions not 2-D or not the first
    episode's width), whose flags are not booleans (0 or 1), or which goes on after a set flag
    (a Minari episode ends at its first termination / truncation, the layout of Minari's
    ``EpisodeBuffer``), naming it as its file does (``episode_0``), else None. Probe 59 rows
    40-42: a flag of 2 was read as a terminal, (T, 1) rewards were numpy's raw "all the input
    arrays must have same number of dimensions", a flag mid-episode split it without a word.
    Call after :func:`episode_length_trouble`."""
    widths: dict[str, tuple[int, ...]] = {}
    for i, ep in enumerate(episodes):
        name = _episode_name(ep, i)
        t = len(_get(ep, "actions"))
        for key, rows in (("observations", t + 1), ("actions", t)):
            value = _get(ep, key)
            width = widths.setdefault(key, value.shape[1:])
            if value.ndim != 2 or value.shape[1:] != width:
                dim = width[0] if len(width) == 1 else f"{key[:-1].replace('ervation', '')}_dim"
                expected = f"({rows}, {dim})"  # obs_dim / action_dim: the first one's rank is off
                return f"episode_{name} {key} has shape {value.shape}, expected {expected}"
        for key in _STEP_FIELDS:
            value = _get(ep, key)
            if value.shape not in ((t,), (t, 1)):
                return f"episode_{name} {key} has shape {value.shape}, expected ({t},)"
            flags = value.reshape(t)
            if key == "rewards" or flags.dtype == np.bool_:
                continue
            bad = np.flatnonzero((flags != 0) & (flags != 1))
            if bad.size:
                return f"episode_{name} {key}[{bad[0]}] = {flags[bad[0]]} is not a boolean (0 or 1)"
        for key in _STEP_FIELDS[1:]:
            early = np.flatnonzero(_get(ep, key).reshape(t)[:-1].astype(bool))
            if early.size:
                return (
                    f"episode_{name}: {key}[{early[0]}] is set but the episode goes on for "
                    f"{t - 1 - early[0]} more step(s); a Minari episode ends at its first "
                    "termination / truncation"
                )
    return None


def episodes_to_dataset(episodes: Sequence[Any], **meta: Any) -> OfflineDataset:
    """Flatten Minari-layout episodes (objects or dicts with T + 1 observations) to D4RL layout."""
    get = _get
    if not episodes:
        raise DatasetValidationError("dataset is empty: 0 episodes")
    obs = [get(ep, "observations") for ep in episodes]
    if obs[0].dtype == object:  # probe 81 row 35: a Dict was "0 observations" below
        raise DatasetValidationError(
            "episode 0 field 'observations' is not an array (a Dict / Tuple space?); only flat "
            "Box observations are supported: flatten them (gymnasium.wrappers.FlattenObservation)"
        )
    trouble = episode_length_trouble(episodes)
    if trouble is None and obs[0].ndim != 2:
        raise DatasetValidationError(
            f"episode 0 field 'observations' has shape {obs[0].shape}; only Box observations are supported"
        )
    trouble = trouble or episode_content_trouble(episodes)
    if trouble is not None:
        raise DatasetValidationError(trouble)

    def column(key: str) -> np.ndarray:  # a (T, 1) step field is taken as (T,), as D4RL's
        return np.concatenate([get(ep, key).reshape(-1) for ep in episodes])

    terminals = column("terminations").astype(bool)
    truncations = column("truncations").astype(bool)
    last = np.cumsum([len(o) - 1 for o in obs]) - 1
    truncations[last] |= ~terminals[last]  # an episode that just stops was cut: a truncation
    arrays = {
        "observations": np.concatenate([o[:-1] for o in obs]),
        "actions": np.concatenate([get(ep, "actions") for ep in episodes]),
        "rewards": column("rewards"),
        "next_observations": np.concatenate([o[1:] for o in obs]),
        "terminals": terminals,
        # Gymnasium may report terminated and truncated together; the termination is what counts.
        "timeouts": truncations & ~terminals,
    }
    return OfflineDataset._from_arrays(arrays, copy=False, **meta)  # just read: ours


# --------------------------------------------------------------------------- writing
_ROOT_LOCK = threading.Lock()


@contextlib.contextmanager
def _minari_root(path: Path) -> Iterator[None]:
    """``MINARI_DATASETS_PATH`` set to ``path`` (the root this module resolved, absolute) for a
    Minari call that reads the root from the environment only: a download (``minari.load_dataset(…,
    download=True)``). The variable is left alone when it already names ``path`` (an absolute
    value), and set under a lock otherwise (a relative, ``~`` or empty value, or none). Probe 118
    rows 29-30: every write set it to its hidden staging folder for the whole write, and other
    threads' loads looked there ("not in the local Minari root (…/.rambo-tmp-…)", or a stored
    dataset generated anew into the staging folder and lost): writes and local reads now give
    Minari their folder and never touch the variable."""
    if os.environ.get("MINARI_DATASETS_PATH") == str(path):
        yield
        return
    with _ROOT_LOCK:
        previous = os.environ.get("MINARI_DATASETS_PATH")
        os.environ["MINARI_DATASETS_PATH"] = str(path)
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("MINARI_DATASETS_PATH", None)
            else:
                os.environ["MINARI_DATASETS_PATH"] = previous


def _create_minari_dataset(
    folder: Path,
    *,
    dataset_id: str,
    buffer: Any,
    env: Any,
    eval_env: Any,
    algorithm_name: str,
    author: str,
    author_email: str,
    code_permalink: str,
    ref_min_score: float | None,
    ref_max_score: float | None,
    description: str,
) -> Any:
    """``minari.create_dataset_from_buffers`` (Minari 0.5) writing the dataset into ``folder``
    (``<folder>/data``), the same files and metadata, from Minari's own storage classes. Minari's
    function writes where ``MINARI_DATASETS_PATH`` points, a process-wide variable (probe 118 rows
    29-30: set to the staging folder for the write, other threads' loads looked there), and warns
    of metadata left out (``eval_env`` None) under a process-wide warnings filter (row 31: a host
    thread's warnings were lost meanwhile): neither is touched here. Namespace markers are
    written into the real root after the move (:func:`_mark_namespaces`)."""
    import gymnasium as gym
    from minari import MinariDataset, __version__
    from minari.dataset.minari_storage import MinariStorage

    env_spec = env if isinstance(env, gym.envs.registration.EnvSpec) else gym.spec(env)
    made = gym.make(env_spec)
    try:
        observation_space, action_space = made.observation_space, made.action_space
    finally:
        made.close()
    metadata: dict[str, Any] = {
        "dataset_id": dataset_id,
        "code_permalink": code_permalink,
        "author": {author},
        "author_email": {author_email},
        "algorithm_name": algorithm_name,
        "description": description,
        "minari_version": __version__,
    }
    eval_env_spec = env_spec
    if eval_env is not None:
        eval_env_spec = (
            eval_env
            if isinstance(eval_env, gym.envs.registration.EnvSpec)
            else (gym.spec(eval_env))
        )
        metadata["eval_env_spec"] = eval_env_spec.to_json()
    if ref_max_score is not None:
        if ref_min_score is None:  # Minari's: a random policy's mean return over 100 episodes
            from minari.utils import RandomPolicy, get_average_reference_score

            scored = gym.make(eval_env_spec)
            try:
                ref_min_score = get_average_reference_score(scored, RandomPolicy(scored), 100)
            finally:
                scored.close()
        metadata["ref_max_score"] = ref_max_score
        metadata["ref_min_score"] = ref_min_score
        metadata["num_episodes_average_score"] = 100
    (folder / "data").mkdir(parents=True)
    storage = MinariStorage.new(
        folder / "data",
        observation_space=observation_space,
        action_space=action_space,
        env_spec=env_spec,
    )
    storage.update_metadata(metadata)
    storage.update_episodes(buffer)
    return MinariDataset(storage)


_STAGING = re.compile(
    r"^\.rambo-(?P<kind>tmp|trash)-(?:(?P<host>[^@]+)(?:@(?P<pidns>\d+))?-)?"
    r"(?P<pid>\d+)-(?P<tag>[^-]+)$"
)
"""A staging / trash folder or room probe of :func:`save_minari` in the Minari root:
``.rambo-tmp-<host>@<pidns>-<pid>-<random>`` (``.rambo-trash-…``,
``.rambo-tmp-<host>@<pidns>-<pid>-room``; ``<pidns>``: the inode of the writer's PID namespace,
left out where the system tells none). Older names are read too: carry45's without
``@<pidns>`` (``.rambo-tmp-<host>-<pid>-<random>``), and the first ones without ``<host>``
(``.rambo-tmp-<pid>-<random>``). A trash folder is taken as one only where it holds what
:func:`save_minari` puts there (:func:`_holds_only_trash`; probe 129 row 7)."""
_FOREIGN_STAGING_AGE_S = 7 * 24 * 3600
"""How long a staging / trash folder or room probe of ANOTHER host is left alone in a shared
(NFS) Minari root: its PID cannot be looked at from here (carry45: another host's live writer,
its PID unused here, had its staging folder removed mid-write). After a week (its mtime) it is
taken as left by a writer killed there and handled like this host's (removed, or put back)."""
_EPISODE_FIELDS = ("observations", "actions", "rewards", "terminations", "truncations")
_EPISODE_BYTES = 8 * 2**10
"""A lower bound of the HDF5 bytes each episode group costs beside its arrays (measured ≈ 14.5 KiB
with Minari 0.5: a 1M-transition hopper-medium takes 94.5 MB for ~62 MB of arrays)."""
_EPISODE_BYTES_HIGH = 14592
"""An upper estimate of the same beside the arrays' whole chunks (:func:`_stored_bytes`): measured
13.3-14.25 KiB (h5py 3.16, Minari 0.5.4; 1 to 5000 episodes of 1 to 3000 steps), so 14.25 KiB."""
_FILE_BYTES = 4 * 2**10
"""The HDF5 file's own bytes beside its episodes (superblock, root group): measured ≈ 1.9 KiB."""
_NOT_PROBED = {errno.EINVAL, errno.EOPNOTSUPP, errno.ENOSYS}
"""``posix_fallocate`` errors of a file system that cannot preallocate: nothing learnt."""


def _check_room(root: Path, final: Path, episodes: Sequence[Any]) -> None:
    """One :class:`WriteFailedError` naming the dataset when its HDF5 file cannot be written, before
    anything is: ENOSPC when the disk holding ``root`` has less room than a lower bound of the
    dataset's size; EFBIG when the file-size limit (``ulimit -f``) is below an upper estimate;
    and whatever error (a quota's EDQUOT, EFBIG of a file system's largest file, EIO) a file of
    that estimated size preallocated in ``root`` meets.

    A write that fails inside Minari's HDF5 write is a cascade of h5py's raw "file write failed
    … errno = 28 / 27" tracebacks from its objects' deallocation, then a segmentation fault, the
    staging folder left (probe 25: a full disk; probe 30: ``ulimit -f``): that cannot be caught
    once it has started, so it is checked first.
    """
    arrays = stored = 0
    for ep in episodes:
        for key in _EPISODE_FIELDS:
            value = ep[key] if isinstance(ep, dict) else getattr(ep, key, None)
            if value is not None:
                value = np.asarray(value)
                arrays += value.nbytes
                stored += _stored_bytes(value.shape, value.dtype.itemsize)
    need = arrays + _EPISODE_BYTES * len(episodes)
    likely = stored + _EPISODE_BYTES_HIGH * len(episodes) + _FILE_BYTES
    hdf5 = final / "data" / "main_data.hdf5"
    free = shutil.disk_usage(root).free
    if free < need:
        raise WriteFailedError(
            final,
            OSError(
                errno.ENOSPC,
                f"No space left on device: the dataset needs at least ~{need / 2**20:.3g} MiB, "
                f"{free / 2**20:.3g} MiB are free",
            ),
            _ELSEWHERE,
        )
    _check_size_limit(hdf5, likely, "about")
    if not hasattr(os, "posix_fallocate"):  # macOS, Windows
        return
    probe = root / f"{_staging_prefix('tmp')}room"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.posix_fallocate(fd, 0, likely)
        finally:
            os.close(fd)
    except OSError as err:
        if err.errno not in _NOT_PROBED:
            reason = f"{err.strerror}: a file of about {_mib(likely)} cannot be written there"
            raise WriteFailedError(hdf5, OSError(err.errno, reason), _ELSEWHERE) from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


@functools.lru_cache(maxsize=4096)
def _stored_bytes(shape: tuple[int, ...], itemsize: int) -> int:
    """The bytes HDF5 allocates for an array of ``shape`` as Minari stores it (``chunks=True``,
    resizable along its first axis): whole chunks of h5py's own guess (an observation array of
    1001 x 11 float32 takes 2 x 2 chunks of 501 x 6: 48096 bytes for 44044). Was the arrays'
    size x 1.25, which refused file-size limits up to ~25 % above the real size."""
    size = math.prod(shape) * itemsize
    if not shape or size == 0:
        return size
    try:
        from h5py._hl.filters import guess_chunk  # what h5py itself calls for chunks=True

        chunk = guess_chunk(shape, (None, *shape[1:]), itemsize)
    except Exception:  # another h5py: at most ~25 % rounding, as measured before
        return int(1.25 * size)
    whole = math.prod(-(-n // c) for n, c in zip(shape, chunk, strict=True))
    return whole * math.prod(chunk) * itemsize


def check_file_size_limit(dataset_id: str, at_least: int) -> None:
    """:class:`WriteFailedError` (EFBIG) naming the HDF5 file of the dataset ``dataset_id`` when
    the file-size limit (``ulimit -f``) is below ``at_least`` bytes (checked before collecting)."""
    _check_size_limit(minari_dataset_path(dataset_id) / "data" / "main_data.hdf5", at_least)


def _check_size_limit(hdf5: Path, size: int, estimate: str = "at least") -> None:
    limit = _file_size_limit()
    if limit is not None and limit < size:
        raise WriteFailedError(
            hdf5,
            OSError(
                errno.EFBIG,
                f"File too large: the dataset takes {estimate} {_mib(size)}, the file-size limit "
                f"(ulimit -f) is {_mib(limit)}",
            ),
            _ELSEWHERE,
        )


def _file_size_limit() -> int | None:
    """This process's ``RLIMIT_FSIZE`` (``ulimit -f``) in bytes; None without a limit."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else soft


def _mib(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:.3g} MiB"


#: ``errno = 27`` in h5py's "file write failed: …" text (a ValueError or RuntimeError, no OSError)
_H5_ERRNO = re.compile(r"file write failed:.*?errno = (\d+)", re.S)


def _hdf5_write_error(err: BaseException) -> OSError | None:
    """The OSError behind ``err``: a real one, or the errno h5py names only in its text."""
    cause = error_behind(err, OSError)
    if cause is not None:
        return cause
    seen: set[int] = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        match = _H5_ERRNO.search(str(err))
        if match:
            number = int(match.group(1))
            return OSError(number, os.strerror(number))
        err = err.__context__
    return None


_ELSEWHERE = "MINARI_DATASETS_PATH"  # where a dataset can be written instead


def _pid_namespace() -> str | None:
    """The inode of this process's PID namespace (``/proc/self/ns/pid``, as a ``.lock`` records
    it: run_io's lock_place), None where the system tells none (not Linux)."""
    try:
        ns = os.readlink("/proc/self/ns/pid").rpartition("[")[2].rstrip("]")
    except OSError:
        return None
    return ns if ns.isdigit() else None


def _staging_prefix(kind: str) -> str:
    """``.rambo-<kind>-<host>@<pidns>-<pid>-``: the start of this process's staging (``tmp``) or
    trash (``trash``) folder names in the Minari root (:data:`_STAGING`). Probe 127 (N5): the PID
    namespace too, since a writer in another one (a container sharing the host's name,
    ``--uts=host``, a k8s ``hostNetwork`` pod) has PIDs that mean nothing here."""
    ns = _pid_namespace()
    return f".rambo-{kind}-{host_name_token()}{f'@{ns}' if ns else ''}-{os.getpid()}-"


def _staging_elsewhere(match: re.Match[str]) -> str | None:
    """Where the writer of a staging entry (its name's ``match`` of :data:`_STAGING`) ran when
    that is not where this process runs, whose PIDs then mean nothing here: ``host <host>``, or
    ``PID namespace <inode> of this host (another container)``; None: here. A name without a host
    (an older one) is taken as here, as is one without a PID namespace (carry45's) or read
    where the system tells none."""
    host, ns = match["host"], match["pidns"]
    if host is not None and host != host_name_token():
        return f"host {host}"
    here = _pid_namespace()
    if ns is not None and here is not None and ns != here:
        return f"PID namespace {ns} of this host (another container)"
    return None


def _writer_gone(entry: Path, match: re.Match[str]) -> bool:
    """Whether the writer of the staging entry ``entry`` (its name's ``match`` of
    :data:`_STAGING`) no longer runs: its PID is not alive, where the name is of this host and
    PID namespace (or of no host: an older name, judged here as before); an entry of another host
    or PID namespace (:func:`_staging_elsewhere`) only once it is older than
    :data:`_FOREIGN_STAGING_AGE_S`."""
    if _staging_elsewhere(match) is None:
        return not pid_alive(int(match.group("pid")))
    try:
        age = time.time() - entry.lstat().st_mtime
    except OSError:
        return False
    return age > _FOREIGN_STAGING_AGE_S


def _remove_stale_staging(root: Path) -> None:
    """Hidden staging / trash folders of writers that no longer run (killed mid-write), and the
    room probe files of :func:`_check_room` (issue 14: a writer killed between its create and
    unlink left a preallocated ``.rambo-tmp-<host>-<pid>-room``, as large as the dataset). Those
    of another host (a shared Minari root) are left for a week: :func:`_writer_gone`."""
    for entry in root.iterdir():
        match = _STAGING.match(entry.name)
        if not match or not _writer_gone(entry, match):
            continue
        if entry.is_dir() and not entry.is_symlink():
            # probe 86 rows 26-27: a trash folder whose dataset's own folder is missing holds the
            # only copy of that dataset (its replacement failed, and so did putting it back): it
            # was deleted here; it is put back, or kept
            if entry.name.startswith(".rambo-trash-") and not (
                _holds_only_trash(entry) and _restore_trash(root, entry)
            ):
                continue
            shutil.rmtree(entry, ignore_errors=True)
        elif (match["kind"], match["tag"]) == ("tmp", "room") and (
            entry.is_file() or entry.is_symlink()
        ):
            with contextlib.suppress(OSError):
                entry.unlink()


#: The file of a :func:`save_minari` trash folder that records the id of the dataset set aside in
#: its ``old`` (what :func:`_restore_trash` puts it back as)
_TRASH_ORIGIN = "dataset_id"


def _holds_only_trash(trash: Path) -> bool:
    """Whether the folder ``trash`` holds only what :func:`save_minari` puts in its trash folders
    (the dataset set aside in ``old``, its id in :data:`_TRASH_ORIGIN`): probe 129 row 7, a
    user's own folder named like one is left alone, whatever it holds."""
    try:
        # old.pid: replace_folder's writer file, left where putting the dataset back failed
        known = {"old", _aside_writer(trash / "old").name, _TRASH_ORIGIN}
        return {child.name for child in trash.iterdir()} <= known
    except OSError:
        return False


def _trash_origin(trash: Path) -> str | None:
    """The id of the dataset in ``trash/old``: the one ``trash/dataset_id`` records, else (a trash
    folder of an earlier version) the one its ``data/metadata.json`` names; None if neither is a
    valid id."""
    for read in (
        lambda: (trash / _TRASH_ORIGIN).read_text(encoding="utf-8").strip(),
        lambda: json.loads((trash / "old" / "data" / "metadata.json").read_text(encoding="utf-8"))[
            "dataset_id"
        ],
    ):
        try:
            return check_dataset_id(read())
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return None


def _restore_trash(root: Path, trash: Path) -> bool:
    """Put the dataset in the trash folder ``trash/old`` of a writer no longer running back in
    ``root`` where its own folder is missing (one WARNING naming both); True: ``trash`` may be
    removed (nothing in it, or its dataset was replaced since), False: it is kept (and said so)."""
    old = trash / "old"
    if not os.path.lexists(old):
        return True
    dataset_id = _trash_origin(trash)
    if dataset_id is None:
        note(
            f"[rambo_env] WARNING: {old} holds a dataset set aside by a replacement that did not "
            f"finish, whose id is not recorded: left there; move it to its place under {root} "
            "(or delete it)",
        )
        return False
    return restore_set_aside(root / dataset_id, old, f"Minari dataset {dataset_id!r}")


def _restore_trash_of(dataset_id: str) -> None:
    """Put ``dataset_id`` back from the trash folder of a writer no longer running where a failed
    replacement left it (probe 86 row 27: the loader found no dataset and generated a new one).
    A trash folder of another host or PID namespace less than a week old (whose writer cannot be
    looked at from here) holding it: one :class:`DatasetUnavailableError` saying what to do
    (:func:`_trash_elsewhere`)."""
    root = minari_dataset_path("")
    elsewhere: list[tuple[Path, re.Match[str]]] = []
    with contextlib.suppress(OSError):
        for entry in root.iterdir():
            match = _STAGING.match(entry.name)
            if not (
                match is not None
                and match["kind"] == "trash"
                and entry.is_dir()
                and not entry.is_symlink()
                and _holds_only_trash(entry)
                and _trash_origin(entry) == dataset_id
            ):
                continue
            if _writer_gone(entry, match):
                if _restore_trash(root, entry):
                    shutil.rmtree(entry, ignore_errors=True)
            elif _staging_elsewhere(match) is not None and os.path.lexists(entry / "old"):
                elsewhere.append((entry, match))
    if elsewhere and not os.path.lexists(minari_dataset_path(dataset_id)):
        raise _trash_elsewhere(dataset_id, *elsewhere[0])


def _trash_elsewhere(dataset_id: str, trash: Path, match: re.Match[str]) -> DatasetUnavailableError:
    """The error of a missing ``dataset_id`` whose previous copy is in ``trash/old``, the trash
    folder of a ``--force`` replacement by a writer of another host or PID namespace. Probe 127
    (N6): it was left there for a week (its writer's PID cannot be looked at from here) while
    :func:`minari_dataset_exists` said False, so a load generated the dataset anew (minutes)."""
    final = minari_dataset_path(dataset_id)
    old = shell_path(trash / "old")
    return DatasetUnavailableError(
        f"Minari dataset {dataset_id!r} is missing from {final.parent}, but {trash / 'old'} holds "
        f"it: set aside by a replacement (make_dataset.py --force, save_minari) of process "
        f"{match['pid']} on {_staging_elsewhere(match)}, which cannot be looked at from here. If "
        "that process is still replacing it, wait for it; if not (killed, or its container or "
        f"host gone), put it back: mkdir -p {shell_path(final.parent)} && mv {old} "
        f"{shell_path(final)} && rm -r {shell_path(trash)}; or, to make it anew, remove it: "
        f"rm -r {shell_path(trash)} (left alone, it is put back after a week)"
    )


#: The trash folders :func:`check_trash_elsewhere` has noted (once per process).
_NOTED_TRASH: set[str] = set()


def check_trash_elsewhere(dataset_id: str, force: bool) -> None:
    """Before ``dataset_id`` is made where it is missing (make_dataset.py, generate_dataset,
    save_minari): a trash folder of this host's gone writer holding it is put back (it then
    exists: "already exists"); one of another host or PID namespace (:func:`_trash_elsewhere`)
    is refused without ``force``, and with ``force`` left alone (its writer may still run), said
    in one note. Probe 129 row 5: make_dataset.py generated it anew without a word."""
    if os.path.lexists(minari_dataset_path(dataset_id)):
        return
    try:
        _restore_trash_of(dataset_id)
    except DatasetUnavailableError as err:
        if not force:
            raise DatasetUnavailableError(
                f"{err}; or make it anew here with --force (force=True; that trash folder is "
                "left alone)"
            ) from None
        trash = str(err).split(", but ", 1)[-1].split(" holds it", 1)[0]
        if trash in _NOTED_TRASH:  # make_dataset.py, generate_dataset and save_minari: once
            return
        _NOTED_TRASH.add(trash)
        note(
            f"[rambo_env] note: {trash} holds a previous {dataset_id!r} set aside by a writer "
            "on another host or PID namespace: left alone (remove it once that writer is gone); "
            "making it anew (--force)"
        )


def _episode_list(episodes: Any) -> list[Any]:
    """``episodes`` as a list of episode objects, or one error naming the argument (probe 44: an
    OfflineDataset was Python's raw "'OfflineDataset' object is not iterable")."""
    if isinstance(episodes, OfflineDataset):
        raise ValueError(
            "episodes: expected a list of minari EpisodeBuffers, got an OfflineDataset; convert "
            "it first: save_minari(dataset_id, dataset_to_episodes(dataset), env_id=...) "
            "(rambo_env.data.minari_io.dataset_to_episodes)"
        )
    if isinstance(episodes, str | bytes | dict | np.ndarray):
        listed = None
    else:
        try:
            listed = list(episodes)
        except TypeError:
            listed = None
    if listed is None:
        raise ValueError(
            f"episodes: expected a list of minari EpisodeBuffers, got {type(episodes).__name__}"
        )
    for i, episode in enumerate(listed):
        if not all(hasattr(episode, key) for key in _EPISODE_FIELDS):
            raise ValueError(
                f"episodes[{i}]: expected a minari EpisodeBuffer (observations, actions, "
                f"rewards, terminations, truncations), got {type(episode).__name__}"
            )
    return listed


def check_savable(
    dataset_id: str,
    episodes: Sequence[Any],
    env_id: str,
    ref_min_score: Any = None,
    ref_max_score: Any = None,
    env_kwargs: dict[str, Any] | None = None,
) -> None:
    """:class:`DatasetValidationError` naming ``dataset_id`` when ``load_dataset`` would refuse
    the dataset these arguments of :func:`save_minari` write: no episode, episodes that do not
    fit ``env_id``'s spaces (dims, action bounds), non-finite values, reference scores that are
    not numbers, inverted, or one without the other (Minari drops a lone one: load then used
    D4RL's). The same checks as on reading (:func:`episodes_to_dataset`,
    :func:`rambo_env.data.loaders.validate_for_env`), run on the flattened episodes. Probe 44:
    all these were written without a word and refused, or silently replaced, only by the load."""
    from rambo_env.data.loaders import validate_for_env  # loaders imports this module

    try:
        flat = episodes_to_dataset(
            episodes,
            env_id=env_id,
            ref_min_score=ref_min_score,
            ref_max_score=ref_max_score,
            name=dataset_id,
            source=f"minari:{dataset_id}",
        )
        if env_kwargs:  # checked in the env they make, as the load does (probe 81 row 48)
            flat.metadata.update({ENV_KWARGS: dict(env_kwargs), ENV_KWARGS_OF: env_id})
        validate_for_env(flat)
    except DatasetValidationError as err:
        raise DatasetValidationError(
            f"Minari dataset {dataset_id!r} not written (load_dataset would refuse it): {err}"
        ) from None


def _json_trouble(value: Any, where: str) -> str | None:
    """What in ``value`` (found at ``where``) JSON cannot store, as Minari writes its metadata
    (sets become lists), else None."""
    if isinstance(value, float) and not math.isfinite(value):  # probe 45: written as bare NaN
        return f"{where}: {value!r} is not valid JSON (Python writes a bare NaN / Infinity); store None or a string"
    if value is None or isinstance(value, str | bool | int | float):
        return None
    if isinstance(value, list | tuple | set | frozenset):
        for i, item in enumerate(value):
            trouble = _json_trouble(item, f"{where}[{i}]")
            if trouble is not None:
                return trouble
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):  # probe 45: {1: 'x'} came back as {'1': 'x'}
                back = ""
                if key is None or isinstance(key, int | float):
                    back = f" (it would come back as {json.dumps({key: 0})[1:-4]})"
                return (
                    f"{where}: key {key!r} is {with_article(type(key).__name__)}; JSON keys are "
                    f"strings{back}: use a string key"
                )
            trouble = _json_trouble(item, f"{where}[{key!r}]")
            if trouble is not None:
                return trouble
        return None
    if isinstance(value, np.ndarray):
        fix = "use .tolist()"
    elif isinstance(value, np.generic):
        fix = "use .item()"
    else:
        fix = "store a string, number, list or dict instead"
    return f"{where}: not JSON-serialisable ({type(value).__name__}); {fix}"


#: save_minari's arguments that set a field of the dataset's metadata: given as keys of
#: ``extra_metadata`` they were written under "rambo_env" and ignored at load (probe 46).
_OWN_ARGUMENTS = (
    "dataset_id",
    "env_id",
    "ref_min_score",
    "ref_max_score",
    "description",
    "algorithm_name",
    "author",  # probe 47: was "store it under another key", with no author= to pass
    "author_email",
    "code_permalink",
)

#: Other metadata fields save_minari (through Minari) or load_dataset sets itself, and who does.
_OWN_FIELDS = {
    "minari_id": "load_dataset sets itself (the dataset's id)",
    "env_spec": "save_minari sets itself (from env_id)",
    **{
        key: "save_minari sets itself (Minari's metadata)"
        for key in (
            "minari_version",
            "total_episodes",
            "total_steps",
        )
    },
}


def _check_extra_metadata(extra_metadata: Any) -> None:
    """ValueError naming the entry of ``extra_metadata`` that Minari's JSON metadata cannot hold,
    or that shadows a field save_minari or load_dataset sets itself, before anything is written
    (probe 44: Minari's raw "Object of type <class 'numpy.ndarray'> is not JSON serializable";
    probe 46: ``{'ref_min_score': 5.0}`` was written and ignored at load)."""
    if extra_metadata is None:
        return
    if not isinstance(extra_metadata, dict):
        raise ValueError(
            f"extra_metadata: expected a dict (a JSON object), got {type(extra_metadata).__name__}"
        )
    for key in extra_metadata:
        if key in _OWN_ARGUMENTS:  # probe 46: written, and ignored at load (refs said missing)
            raise ValueError(
                f"extra_metadata[{key!r}]: an argument of save_minari itself; pass {key}=… instead"
            )
        if key in _OWN_FIELDS:
            raise ValueError(
                f"extra_metadata[{key!r}]: a field {_OWN_FIELDS[key]}; it would be ignored at "
                "load: store it under another key"
            )
    trouble = _json_trouble(extra_metadata, "extra_metadata")
    if trouble is not None:
        raise ValueError(trouble)


def _check_short_name_id(
    dataset_id: str, env_id: Any, short_name_data: tuple[str, str] | None
) -> None:
    """ValueError when ``dataset_id`` is where a short name reads generated data from and the
    caller did not say (``short_name_data``) that these are that env's and level's
    D4RL-protocol data. Probe 45: ``save_minari('rambo/hopper/medium-v0', <random-policy
    episodes>)`` was written, and ``load_dataset('hopper-medium')`` returned them as
    hopper-medium (its (k, λ) preset, ledger entries and paper comparisons applied)."""
    from rambo_env.data.generate import check_id_matches_data, short_name_of_id  # imports us

    named = short_name_of_id(dataset_id) if dataset_id.startswith("rambo/") else None
    if short_name_data is None:
        if named is not None:
            env, level = named
            data_env = env_name_from_id(env_id) if isinstance(env_id, str) else None
            raise ValueError(
                f"dataset_id: {dataset_id!r} is where the short name '{env}-{level}' is read "
                f"from (generated D4RL-protocol data: load_dataset('{env}-{level}') and "
                f"--dataset {env}-{level} would return these data under that name); save "
                f"yours under another namespace, e.g. 'mine/{data_env or env}/{level}-v0', or "
                f"generate the short name's data with {script_line('make_dataset.py')} --env "
                f"{env} --level {level}"
            )
        return
    if (
        not isinstance(short_name_data, tuple)
        or len(short_name_data) != 2
        or short_name_data[0] not in ENV_IDS
        or short_name_data[1] not in LEVELS
    ):
        raise ValueError(
            f"short_name_data: expected (env, level) with env in {list(ENV_IDS)} and level in "
            f"{list(LEVELS)}, got {short_name_data!r}"
        )
    env, level = short_name_data
    if env_id != ENV_IDS[env]:
        raise ValueError(
            f"env_id: {env_id!r}, but short_name_data says these are {env}-{level} data "
            f"({ENV_IDS[env]})"
        )
    check_id_matches_data(dataset_id, env, level)


def save_minari(
    dataset_id: str,
    episodes: Sequence[Any],
    *,
    env_id: str,
    ref_min_score: float | None = None,
    ref_max_score: float | None = None,
    description: str = "",
    algorithm_name: str = "",
    extra_metadata: dict | None = None,
    force: bool = False,
    progress: bool = False,
    short_name_data: tuple[str, str] | None = None,
    env_kwargs: dict[str, Any] | None = None,
    max_episode_steps: int | None = None,
    author: str = "rambo-env",
    author_email: str = "rambo-env@users.noreply.github.com",
    code_permalink: str = "https://github.com/rambo-env/rambo-env",
) -> Path:
    """Write ``episodes`` (``EpisodeBuffer`` s) as the local Minari dataset ``dataset_id``.

    Built in a hidden temporary root next to the final location and renamed into place when
    complete: a failure (or Ctrl-C) never leaves a partial dataset, and ``force=True`` replaces an
    existing dataset only after the new one is complete. ``extra_metadata`` (a JSON object) goes
    under the metadata key ``"rambo_env"``; its keys may not be save_minari's own arguments
    (``ref_min_score``, ``env_id``, …) or fields Minari or load sets itself (``minari_id``,
    ``total_steps``, …): those would be ignored at load. ``author``, ``author_email`` and
    ``code_permalink`` are Minari's own metadata fields (default: rambo-env's). ``env_kwargs`` /
    ``max_episode_steps``: the kwargs / time limit the data's env was made with, written into
    Minari's ``env_spec`` (``gym.make(env_id, max_episode_steps=…, **env_kwargs)``); None: those
    of the dataset ``episodes`` come from (:func:`dataset_to_episodes`) when it is of ``env_id``,
    else the registered env's (probe 81 row 48: a re-saved dataset's kwargs were dropped).

    Before anything is written, the episodes and reference scores are checked as
    :func:`rambo_env.load_dataset` checks them on reading (:func:`check_savable`): data that
    load would refuse, or reference scores it would not use, are not stored. An
    :class:`OfflineDataset` is not taken as ``episodes``: convert it with
    :func:`dataset_to_episodes` first.

    An id a short name reads generated data from (``rambo/<env>/<level>-v0``: ``hopper-medium``
    reads ``rambo/hopper/medium-v0``) is refused unless ``short_name_data`` names the ``(env,
    level)`` of the D4RL-protocol data written (:func:`rambo_env.data.generate.generate_dataset`
    passes it); that env and level must be the id's.
    """
    import_dependency("minari")

    final = minari_dataset_path(check_dataset_id(dataset_id))  # a "../" id must not escape
    if isinstance(env_id, str) and ":" in env_id:  # probe 98 row 22: was refused with the
        from rambo_env.data.loaders import _import_env_module  # load-time advice

        plain = _import_env_module(env_id)  # the caller's argument imports its module
        note(
            f"[rambo_env] note: env_id {env_id!r} imported {env_id.partition(':')[0]!r}; the "
            f"dataset stores the plain id {plain!r} (load it with env_id={env_id!r} / --env-id "
            f"{env_id} in a process that has not imported it)",
        )
        env_id = plain
    _check_short_name_id(dataset_id, env_id, short_name_data)
    for name, value in (
        ("description", description),
        ("algorithm_name", algorithm_name),
        ("author", author),
        ("author_email", author_email),
        ("code_permalink", code_permalink),
    ):
        if not isinstance(value, str):  # probe 45: description=5 was stored as the int 5
            raise ValueError(f"{name}: expected a string, got {type(value).__name__} {value!r}")
    check_flag(force, "force")  # was: force="no" overwrote the dataset
    check_flag(progress, "progress")
    check_root_level(dataset_id)  # a namespace folder as the root: refused before writing
    carried = episodes  # a DatasetEpisodes names its dataset's env
    episodes = _episode_list(episodes)
    for i, episode in enumerate(episodes):  # was: Minari's raw IndexError from its hdf5 writer
        if len(episode.rewards if episode.rewards is not None else ()) == 0:
            raise DatasetValidationError(
                f"episodes[{i}] (id {episode.id}) has no step; Minari cannot store an empty "
                "episode: drop it"
            )
    env_spec, env_kwargs = _saved_env_spec(env_id, carried, env_kwargs, max_episode_steps)
    eval_spec = _saved_eval_env_spec(env_id, carried)
    check_savable(dataset_id, episodes, env_id, ref_min_score, ref_max_score, env_kwargs)
    # probe 45: a numpy float32 / int64 (np.mean of float32 returns) was Minari's raw "Object of
    # type <class 'numpy.float32'> is not JSON serializable"; load takes them, so store floats
    ref_min_score, ref_max_score = (
        None if ref is None else float(ref) for ref in (ref_min_score, ref_max_score)
    )
    _check_extra_metadata(extra_metadata)
    check_trash_elsewhere(dataset_id, force)  # probe 129 row 5
    if final.exists() and not force:
        raise FileExistsError(
            f"Minari dataset {dataset_id!r} already exists at {final}; pass force=True to overwrite"
        )
    check_replaceable(dataset_id)  # probe 34: a run inside the folder was deleted with it
    root = minari_dataset_path("")
    root.mkdir(parents=True, exist_ok=True)
    parts = dataset_id.split("/")[:-1]
    namespaces = [root.joinpath(*parts[:depth]) for depth in range(1, len(parts) + 1)]
    # probe 120 row 26: only what this save makes is given away (a namespace folder root had
    # made beforehand, on purpose, was handed to the Minari root's owner too, and its marker)
    made = []
    for folder in namespaces:
        if not os.path.lexists(folder):
            made += [folder, folder / _NAMESPACE_METADATA]
        elif not os.path.lexists(folder / _NAMESPACE_METADATA) and folder_owner_for_root(folder):
            made.append(folder / _NAMESPACE_METADATA)  # in another user's folder
    _remove_stale_staging(root)
    _check_room(root, final, episodes)
    staging = Path(tempfile.mkdtemp(dir=root, prefix=_staging_prefix("tmp")))
    trash: Path | None = None
    try:
        created = _create_minari_dataset(
            staging / dataset_id,
            dataset_id=dataset_id,
            buffer=progress_bar(
                episodes, desc=f"writing {dataset_id}", unit="ep", progress=progress
            ),
            env=env_spec or env_id,  # with the data's env kwargs, time limit (probe 81 row 48)
            eval_env=eval_spec,  # None: Minari evaluates in env (probe 83 row 50)
            algorithm_name=algorithm_name or "rambo_env.data.generate",
            author=author,
            author_email=author_email,
            code_permalink=code_permalink,
            ref_min_score=ref_min_score,
            ref_max_score=ref_max_score,
            description=description or f"{dataset_id} generated by rambo-env",
        )
        if isinstance(carried, DatasetEpisodes) and carried.timeout_step_dropped:
            extra_metadata = {**(extra_metadata or {}), TIMEOUT_STEP_DROPPED: True}
        if extra_metadata:
            created.storage.update_metadata({"rambo_env": extra_metadata})
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            trash = Path(tempfile.mkdtemp(dir=root, prefix=_staging_prefix("trash")))
            (trash / _TRASH_ORIGIN).write_text(
                dataset_id, encoding="utf-8"
            )  # where _restore_trash puts it back
            # probe 86 rows 26-27: a failed rename of the new one left the old one in the trash
            # (deleted by the next write) under an error saying it was intact: now put back
            replace_folder(staging / dataset_id, final, trash / "old")
        else:
            (staging / dataset_id).rename(final)
    except Exception as err:  # a full disk, ...: one error naming the dataset's folder
        if trash is not None and os.path.lexists(trash / "old"):
            raise  # not put back: its note names the trash folder, which is kept
        # probe 25: a disk that filled during Minari's HDF5 write raised h5py's OSError and,
        # while closing the file, a RuntimeError ("Disable slist on flush dest failure
        # failed"): a 47-line traceback
        # probe 30: h5py names a failed write's errno (27, File too large) only in the text of
        # a ValueError ("Unable to synchronously create dataset (file write failed: …)")
        cause = _hdf5_write_error(err)
        if cause is None:
            raise
        raise WriteFailedError(final, cause, _ELSEWHERE) from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if trash is not None and not os.path.lexists(trash / "old"):
            shutil.rmtree(trash, ignore_errors=True)
    _mark_namespaces(root, dataset_id)
    # probe 119 row 8: root (sudo) saving into a user's Minari root left the namespace folders,
    # their markers and the dataset's tree root's, and the user's next save was refused
    give_tree_to_folder_owner(root, made, [final])
    return final


def _mark_namespaces(root: Path, dataset_id: str) -> None:
    """Write Minari's ``namespace_metadata.json`` (``{}``, what ``minari.create_namespace``
    writes) into each namespace folder of ``dataset_id`` that has none, after its save. Only
    those folders are looked at: Minari's ``list_local_namespaces`` walks the whole root, and a
    folder anywhere in it that this user may not enter (another user's, made under umask 077)
    failed the save of a dataset already in place (probe 111 row 38: "[Errno 13] Permission
    denied: '…/lab/hopper/lk3-v0'" after the collection). A marker this user may not write is
    left out: the dataset is saved and reads without it."""
    parts = dataset_id.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        marker = root.joinpath(*parts[:depth]) / _NAMESPACE_METADATA
        with contextlib.suppress(OSError):
            if not marker.exists():
                with open(marker, "x", encoding="utf-8") as f:
                    f.write("{}")


def _saved_env_spec(
    env_id: str, episodes: Any, env_kwargs: Any, max_episode_steps: Any
) -> tuple[Any, dict[str, Any] | None]:
    """``(spec, env_kwargs)``: ``env_id``'s registered ``EnvSpec`` with ``env_kwargs`` and
    ``max_episode_steps`` (what :func:`save_minari` writes as Minari's ``env_spec``; None for an
    unregistered id, which check_savable refuses), and the kwargs; each None: that of ``episodes``, a
    :class:`DatasetEpisodes` of ``env_id``, said in a note. One error naming the argument for a
    bad one, before anything is written."""
    import dataclasses

    import gymnasium as gym

    from rambo_env.dynamics.termination import env_kwargs_problem
    from rambo_env.run_io import is_int

    own = isinstance(episodes, DatasetEpisodes) and episodes.env_id == env_id
    taken = []
    if env_kwargs is None and own and episodes.env_kwargs:
        env_kwargs = episodes.env_kwargs
        taken.append(", ".join(f"{k}={v!r}" for k, v in env_kwargs.items()))
    if max_episode_steps is None and own and episodes.max_episode_steps is not None:
        max_episode_steps = episodes.max_episode_steps
        taken.append(f"max_episode_steps={max_episode_steps}")
    if env_kwargs is not None and (
        not isinstance(env_kwargs, dict) or not all(isinstance(k, str) for k in env_kwargs)
    ):
        raise ValueError(
            f"env_kwargs: expected a dict of gym.make keyword arguments (the kwargs the data's "
            f"env was made with), got {str(env_kwargs)[:60]!r}"
        )
    if env_kwargs is not None:  # probe 83 row 27: numpy values made Minari write env_spec null
        env_kwargs = {k: _json_kwarg(v, f"env_kwargs[{k!r}]") for k, v in env_kwargs.items()}
    problem = env_kwargs_problem(env_kwargs or {}, env_id)
    if problem is not None:
        raise ValueError(f"env_kwargs (of {env_id}): {problem}")
    if "max_episode_steps" in (env_kwargs or {}):
        raise ValueError(
            "env_kwargs: holds 'max_episode_steps', gym.make's own argument, not the env's: pass "
            "it as save_minari(…, max_episode_steps=N)"
        )
    if max_episode_steps is not None and (not is_int(max_episode_steps) or max_episode_steps < 1):
        raise ValueError(
            f"max_episode_steps: expected None or an int >= 1 (the time limit of the data's env), "
            f"got {max_episode_steps!r}"
        )
    try:
        spec = gym.spec(env_id)
    except Exception:  # check_savable names an unknown env (nothing then to write its kwargs in)
        return None, env_kwargs
    kwargs = {**spec.kwargs, **(env_kwargs or {})}
    limit = spec.max_episode_steps if max_episode_steps is None else int(max_episode_steps)
    if taken:
        note(
            f"[rambo_env] note: writing the env the episodes' dataset records, gym.make("
            f"{env_id!r}, {', '.join(taken)}), as the Minari env_spec (pass env_kwargs= / "
            "max_episode_steps= for another)",
        )
    return dataclasses.replace(spec, kwargs=kwargs, max_episode_steps=limit), env_kwargs


def _json_kwarg(value: Any, where: str) -> Any:
    """``value`` (a gym.make keyword argument) with numpy scalars / arrays as the Python values /
    lists JSON stores (Minari writes the env spec as JSON; a numpy value made it write ``env_spec``
    null without a word, probe 83 row 27); a ValueError naming ``where`` for a value JSON cannot
    store. Non-finite floats stay (Minari's JSON writes them as Infinity / NaN and reads them
    back)."""
    if isinstance(value, np.ndarray | np.generic):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return type(value)(_json_kwarg(v, f"{where}[{i}]") for i, v in enumerate(value))
    if isinstance(value, dict):
        return {k: _json_kwarg(v, f"{where}[{k!r}]") for k, v in value.items()}
    if value is None or isinstance(value, str | bool | int | float):
        return value
    trouble = _json_trouble(value, where) or (  # a set: Minari's metadata writes it, not a spec
        f"{where}: not JSON-serialisable ({type(value).__name__})"
    )
    raise ValueError(
        f"{trouble}: Minari stores the env's kwargs as JSON in the dataset's env_spec; pass "
        "JSON values (numbers, strings, lists, dicts)"
    )


def _saved_eval_env_spec(env_id: str, episodes: Any) -> Any:
    """The ``EnvSpec`` of the evaluation env the dataset ``episodes`` come from records (a
    :class:`DatasetEpisodes` of ``env_id``), what :func:`save_minari` writes as Minari's
    ``eval_env_spec``, said in a note; None when there is none (Minari then evaluates in the data's
    env). Probe 83 row 50: a re-save dropped the recorded evaluation env without a word, while the
    reference scores it carries are measured there."""
    import dataclasses

    import gymnasium as gym

    if not isinstance(episodes, DatasetEpisodes) or episodes.env_id != env_id:
        return None
    if episodes.eval_env is None:
        return None
    eval_id, kwargs, limit = episodes.eval_env
    spec = gym.spec(eval_id)  # registered: evaluation_env() names only a registered one
    made = ", ".join(
        [f"{k}={v!r}" for k, v in kwargs.items()]
        + ([] if limit is None else [f"max_episode_steps={limit}"])
    )
    note(
        f"[rambo_env] note: writing the evaluation env the episodes' dataset records, gym.make("
        f"{eval_id!r}, {made}), as the Minari eval_env_spec (its reference scores are measured "
        "there)",
    )
    return dataclasses.replace(
        spec,
        kwargs={**spec.kwargs, **kwargs},
        max_episode_steps=spec.max_episode_steps if limit is None else limit,
    )


# --------------------------------------------------------------------------- reading
#: The flat cache's reader version, part of its key: raise it whenever reading or checking Minari
#: episodes changes, so a cache an older version wrote (with its own checks) is read afresh (probe
#: 72 row 15: a cache written before probe 59's episode-structure check loaded damaged data that
#: the current reader refuses; 3: probe 81, the env spec's time limit / eval env / wrappers; 4:
#: probe 83, a bad recorded eval_env_spec time limit; 5: probe 83, the eval env's wrappers).
FLAT_CACHE_READER = 5


def _cache_path(dataset_id: str) -> Path | None:
    base = minari_dataset_path(dataset_id)
    key = hashlib.blake2b(dataset_id.encode(), digest_size=8)
    key.update(f"reader:{FLAT_CACHE_READER}".encode())
    for name in _MAIN_FILES:
        stat = (base / name).stat() if (base / name).exists() else None
        if stat is None:
            return None
        key.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    from rambo_env.dynamics.io import cache_dir  # one reading of RAMBO_ENV_CACHE

    return cache_dir() / "datasets" / dataset_id.replace("/", "__") / f"{key.hexdigest()}.npz"


def _unenterable_cache(
    cache: Path | None, dataset_id: str, doing: str = "reading the Minari files, and "
) -> bool:
    """Whether a folder of the flat cache ``cache`` of ``dataset_id`` (``RAMBO_ENV_CACHE`` and
    below) cannot be entered by this user: another user's, made under umask 077. Said in a
    note (``doing``: what happens instead, before "writing no flat cache there"); the Minari
    files are read then and no cache is written there (probe 111 rows 40, 48: was a raw
    PermissionError, where another user's unreadable cache FILE was left with a note, probe
    95)."""
    if cache is None:
        return False

    folder = unenterable_folder(cache.parent)
    if folder is None:
        return False
    note(
        f"[rambo_env] flat cache folder {folder} of {dataset_id} cannot be entered by this user "
        f"({owner_text(folder)}; another user's?); {doing}writing no flat cache there (its "
        "owner can open it: chmod -R a+rX, or set RAMBO_ENV_CACHE to a folder of your own)",
    )
    return True


def write_flat_cache(dataset_id: str, dataset: OfflineDataset) -> None:
    """Store the flat arrays of a freshly written Minari dataset (saves the first slow read).
    Data that do not fit their env are not cached: probe 30, an action outside the action space
    was reported as "<cache>.npz not written: …", a disk problem in words; ``load_dataset``'s
    validation now says what is wrong with the data."""
    path = _cache_path(dataset_id)
    if path is None or _unenterable_cache(path, dataset_id, doing=""):
        return
    from rambo_env.data.loaders import validate_for_env  # loaders imports this module

    try:
        validate_for_env(dataset)
    except DatasetValidationError:
        return  # nothing cached; the caller's validation refuses the data
    try:
        if path.parent.is_dir():  # drop caches of earlier versions (e.g. before --force)
            for stale in path.parent.glob("*.npz"):
                if stale.is_dir() and not stale.is_symlink():  # probe 17: a folder named *.npz
                    continue  # was a raw IsADirectoryError; it is left
                if owned_by_other(stale):  # probe 95: another user's cache was deleted (a
                    continue  # shared cache folder); it is theirs to drop
                with contextlib.suppress(OSError):  # cannot be removed: left, the load goes on
                    stale.unlink(missing_ok=True)
        if path.is_dir():
            raise IsADirectoryError(f"{path} is a folder; remove it")
        dataset.to_npz(path)
    except OSError as err:  # a full disk, ...: the cache only saves the next slow read
        note(f"[rambo_env] WARNING: flat cache of {dataset_id} not written: {err}")


def minari_dataset_name(dataset_id: str, env_id: str | None) -> str:
    """The name a Minari dataset is loaded under: ``<env>-<name>`` for ``ns/<env>/<name>-vN`` of
    that env (``rambo/hopper/medium-v0`` -> ``hopper-medium``), else the id itself. Generation
    uses it too (was: a dataset generated as ``mine/hopper/b-v0`` was ``hopper-random`` while its
    flat cache lasted and ``hopper-b`` after: another (k, λ) preset and ledger key)."""
    parts = dataset_id.split("/")
    if len(parts) >= 3 and env_name_from_id(env_id) == parts[-2]:
        return f"{parts[-2]}-{parts[-1].rsplit('-v', 1)[0]}"
    return dataset_id


def _damaged(dataset_id: str, reason: str, fix: str | None = None) -> ValueError:
    """The one error of a local Minari dataset whose files are there but damaged (``fix``: what
    to do instead of re-creating it)."""
    if fix is None:
        fix = (
            f"re-create it ({_make_command(dataset_id)} --force) or delete the folder and "
            "download it again"
        )
    return ValueError(
        f"Minari dataset {dataset_id!r} at {minari_dataset_path(dataset_id)} is damaged "
        f"({reason}); {fix}"
    )


def _check_id_matches_folder(dataset_id: str) -> None:
    """ValueError when data/metadata.json names another dataset_id than the folder it is in
    (probe 34: a copied or renamed folder loaded silently, as the dataset its metadata names;
    ``minari.list_local_datasets`` calls it "Misconfigured")."""
    import json

    try:
        said = json.loads(
            (minari_dataset_path(dataset_id) / "data" / "metadata.json").read_text(encoding="utf-8")
        ).get("dataset_id")
    except (OSError, ValueError, AttributeError):  # missing / unreadable: Minari's load says
        return
    if isinstance(said, str) and said and dataset_id.endswith("/" + said):
        # probe 88 row 111: a healthy dataset reached through the folder above its root
        # (minari/rambo/hopper/medium-v0 with the root one level up) was called damaged
        prefix = dataset_id[: -len(said) - 1]
        raise ValueError(
            f"Minari dataset {dataset_id!r}: {minari_dataset_path(dataset_id)} holds the "
            f"dataset {said!r} (its data/metadata.json says so), written under the Minari root "
            f"{minari_dataset_path(prefix)}: {prefix}/ is part of that root, not of the id; use "
            f"the id {said!r} with MINARI_DATASETS_PATH="
            f"{shell_quote(str(minari_dataset_path(prefix)))} (nothing is damaged)"
        )
    if isinstance(said, str) and said != dataset_id:
        raise _damaged(
            dataset_id,
            f"misconfigured: the folder says dataset_id {dataset_id!r} but data/metadata.json "
            f"says {said!r} (a copied or renamed folder?)",
            # probe 63: "rename the folder back" onto the original, which a copy's still is
            f'set "dataset_id": "{dataset_id}" in its data/metadata.json (a copy: {said!r} is '
            "still there)"
            if minari_dataset_path(said).exists()
            else f'rename the folder back to {minari_dataset_path(said)}, or set "dataset_id": '
            f'"{dataset_id}" in its data/metadata.json',
        )


def _written_by_other_minari(dataset_id: str) -> str | None:
    """Why the installed Minari cannot read ``dataset_id``'s files, when another Minari version
    wrote them (Minari refuses versions it does not list as supported), else None."""
    import json

    minari = import_dependency("minari")

    try:
        written = json.loads(
            (minari_dataset_path(dataset_id) / "data" / "metadata.json").read_text(encoding="utf-8")
        ).get("minari_version")
    except (OSError, ValueError, AttributeError):
        return None
    supported = getattr(minari, "supported_dataset_versions", None)
    if not isinstance(written, str) or supported is None or written in supported:
        return None
    return (
        f"Minari dataset {dataset_id!r} at {minari_dataset_path(dataset_id)} was written by "
        f"Minari {written}, which the installed Minari {minari.__version__} cannot read; upgrade "
        f"Minari in this environment (pip install -U minari), or point MINARI_DATASETS_PATH at "
        f"this Minari's own datasets. The files are fine: do not delete them"
    )


def _raise_if_out_of_memory(dataset_id: str, err: BaseException) -> None:
    """The one out-of-memory error (the ``ulimit -v`` in force, what to do) for an allocation
    failure while Minari read ``dataset_id`` (probe 137: under ``ulimit -v 850000`` a
    ``MemoryError`` was "its episode data are unreadable …; re-create it": the data blamed)."""
    if out_of_memory(err):
        raise ValueError(
            out_of_memory_text(err, f"read the Minari dataset {dataset_id!r}")
        ) from None


def _main_file_trouble(dataset_id: str, err: BaseException) -> ValueError | None:
    """The specific error of ``dataset_id``'s main_data.hdf5 that Minari failed to read (``err``):
    locked by a writer, a link to what is missing, a missing external raw file, as for a D4RL
    file (:func:`rambo_env.data.d4rl_io.hdf5_trouble`; was: "its episode data are unreadable
    (BlockingIOError …); re-create it"); None otherwise."""
    main = minari_dataset_path(dataset_id) / "data" / "main_data.hdf5"
    return hdf5_trouble(main, err) if main.is_file() else None


def _env_spec_record(dataset_id: str, spec: Any, field: str) -> dict[str, Any] | None:
    """``(id, kwargs, max_episode_steps, wrapper names)`` of a Minari env spec (the JSON text of
    ``env_spec`` / ``eval_env_spec``) as a dict, None for a null one. Wrappers are kept by name
    only (never imported: issue 14)."""
    import json

    if not isinstance(spec, str):
        return None
    # probe 83 row 46: the damage is named with the field and its value, and the fix is the
    # entry's (was: Minari's own TypeError naming nothing, and advice to re-create the data)
    fix = (
        f"correct or remove the {field!r} entry in {minari_dataset_path(dataset_id)}/data/"
        'metadata.json (the JSON text of a Gymnasium EnvSpec: {"id": "Hopper-v5", "kwargs": '
        '{…}, "max_episode_steps": N, …})'
    )
    try:
        text, spec = spec, json.loads(spec)
    except ValueError:
        raise _damaged(dataset_id, f"its {field} {spec[:60]!r} is not JSON", fix) from None
    if not isinstance(spec, dict):
        raise _damaged(dataset_id, f"its {field} {text[:60]!r} is not a JSON object", fix)
    if not isinstance(spec.get("id"), str):
        raise _damaged(
            dataset_id, f"its {field}'s 'id' is {spec.get('id')!r}, not a Gymnasium env id", fix
        )
    # probe 77 rows 21-22: the kwargs Minari recorded (gym.make(id, **kwargs)) were dropped:
    # 12-dim Hopper data of exclude_current_positions_from_observation=False were refused,
    # Ant data of another healthy_z_range judged by the default env's rule
    kwargs = spec.get("kwargs") or {}
    if not isinstance(kwargs, dict):
        raise _damaged(dataset_id, f"its {field}'s 'kwargs' is not a JSON object", fix)
    limit = spec.get("max_episode_steps")
    good_limit = isinstance(limit, int) and not isinstance(limit, bool) and limit >= 1
    if field == "env_spec" and limit is not None and not good_limit:
        # probe 96a row 64: the data's time limit "20" / 20.0 / 0 / -5 was dropped without a
        # word (the registered 1000 steps evaluated, checked and diagnosed 20-step episodes);
        # the evaluation env's is warned of and its registered limit used (probe 83 row 47)
        raise _damaged(
            dataset_id,
            f"its env_spec's max_episode_steps is {limit!r}, not an int >= 1 (nor null)",
            fix,
        )
    wrappers = spec.get("additional_wrappers") or []
    return {
        "id": spec.get("id"),
        "kwargs": {k: v for k, v in kwargs.items() if k != "render_mode"},
        # probe 81 rows 6, 28, 30: the recorded time limit was dropped (1000 steps evaluated)
        "max_episode_steps": limit if good_limit else None,
        "recorded_max_episode_steps": limit,  # the value as recorded, for a WARNING of a bad one
        "wrappers": [
            str(w.get("name") or w.get("entry_point")) if isinstance(w, dict) else str(w)
            for w in (wrappers if isinstance(wrappers, list) else [wrappers])
        ],
    }


def _check_env_spec_entries(dataset_id: str) -> None:
    """The :func:`_env_spec_record` error of a damaged ``env_spec`` / ``eval_env_spec`` entry of
    ``dataset_id``'s data/metadata.json (Minari's own reader fails on one first, naming no field);
    nothing when they are sound or the file is not a JSON object."""
    try:
        metadata = json.loads(
            (minari_dataset_path(dataset_id) / "data" / "metadata.json").read_text(encoding="utf-8")
        )
    except (OSError, ValueError):
        return
    if isinstance(metadata, dict):
        for field in ("env_spec", "eval_env_spec"):
            _env_spec_record(dataset_id, metadata.get(field), field)


def _metadata_fields(dataset_id: str, metadata: dict) -> dict[str, Any]:
    data_env = _env_spec_record(dataset_id, metadata.get("env_spec"), "env_spec")
    eval_env = _env_spec_record(dataset_id, metadata.get("eval_env_spec"), "eval_env_spec")
    only_eval = data_env is None and eval_env is not None and isinstance(eval_env["id"], str)
    if only_eval:  # probe 81 row 38: "names no Gymnasium env" of a dataset naming its eval env
        data_env = eval_env
    if not isinstance(metadata.get("rambo_env", {}), dict):  # was: a raw "not a mapping"
        raise _damaged(dataset_id, "its metadata entry 'rambo_env' is not a JSON object")
    env_id = data_env["id"] if data_env is not None else None
    spec_meta: dict[str, Any] = {}
    if data_env is not None:
        if data_env["kwargs"]:
            spec_meta[ENV_KWARGS] = data_env["kwargs"]
        if data_env["max_episode_steps"] is not None:
            spec_meta[ENV_TIME_LIMIT] = data_env["max_episode_steps"]
        if data_env["wrappers"]:
            spec_meta[ENV_WRAPPERS] = data_env["wrappers"]
        # probe 81 rows 2, 44: Minari's evaluation env (its ref_min_score is measured there)
        keys = ("id", "kwargs", "max_episode_steps")
        bad_limit = eval_env is not None and (
            eval_env["max_episode_steps"] is None
            and eval_env["recorded_max_episode_steps"] is not None
        )
        compared = (*keys, "wrappers")
        if eval_env is not None and (
            bad_limit or [eval_env[k] for k in compared] != [data_env[k] for k in compared]
        ):
            from rambo_env.dynamics.termination import env_kwargs_problem  # lazy: imports torch

            problem = env_kwargs_problem(eval_env["kwargs"], eval_env["id"])
            if problem is not None:  # refused at load, not at the first evaluation after training
                raise _damaged(dataset_id, f"its eval_env_spec's kwargs: {problem}")
            spec_meta[EVAL_ENV] = {k: eval_env[k] for k in keys}
            if bad_limit:  # probe 83 row 47: "50" / -5 was dropped without a word
                spec_meta[EVAL_ENV]["recorded_max_episode_steps"] = eval_env[
                    "recorded_max_episode_steps"
                ]
            if eval_env["wrappers"]:  # probe 83 row 11: by name, warned about (never applied)
                spec_meta[EVAL_ENV]["wrappers"] = eval_env["wrappers"]
        if only_eval:
            spec_meta[EVAL_ENV_ONLY] = True
    if spec_meta:
        spec_meta[ENV_KWARGS_OF] = env_id
    return {
        "env_id": env_id,
        "ref_min_score": metadata.get("ref_min_score"),
        "ref_max_score": metadata.get("ref_max_score"),
        "name": minari_dataset_name(dataset_id, env_id),
        "metadata": {"minari_id": dataset_id, **metadata.get("rambo_env", {}), **spec_meta},
    }


def _env_not_here(err: BaseException) -> bool:
    """Whether ``err`` (reading a flat cache) refuses the data's env_id as not registered in
    this process: the cache is sound, the Minari files would be refused alike (probe 98 row 23:
    a valid cache of an own env's dataset was called unreadable and deleted)."""
    return isinstance(err, DatasetValidationError) and (
        "is not a registered Gymnasium env" in str(err) or "names a module to import" in str(err)
    )


def _open_minari(minari: Any, root: Path, dataset_id: str, download: bool) -> Any:
    """``minari.load_dataset(dataset_id, download)`` of the root this module resolved: a local
    dataset is opened from its folder (what Minari's function does), without setting
    ``MINARI_DATASETS_PATH`` (probe 118 rows 29-30: another thread's write had set it to a staging
    folder); a download goes through Minari's function, which reads the root from the variable
    (:func:`_minari_root`)."""
    if download:
        with _minari_root(root):
            return minari.load_dataset(dataset_id, download=True)
    data = root / dataset_id / "data"
    if not data.exists():  # Minari's own words (the caller names the dataset's state)
        raise FileNotFoundError(
            f"Dataset {dataset_id} not found locally at {root / dataset_id}. Use download=True to "
            "download the dataset."
        )
    return minari.MinariDataset(str(data))


def read_minari(dataset_id: str, download: bool = False) -> OfflineDataset:
    """Load a Minari dataset with ``minari.load_dataset`` and flatten it (cached).

    Raises :class:`DatasetUnavailableError` (saying how to get the data) when Minari cannot load
    or download it.
    """
    minari = import_dependency("minari")

    wait_for_generation(dataset_id)  # probe 102 row 13: before the (old) data are read
    if not download and unenterable_folder(minari_dataset_path(dataset_id)) is not None:
        # probe 111 row 46: a namespace folder (not only the dataset's) another user made 0700
        raise _not_enterable(dataset_id, None)  # was a raw PermissionError of the flat cache key
    _check_id_matches_folder(dataset_id)
    cache = _cache_path(dataset_id)
    write_cache = True
    shut = _unenterable_cache(cache, dataset_id)
    if shut:  # probe 111 row 40: was a raw PermissionError of cache.is_file()
        cache, write_cache = None, False
    if cache is not None and cache.is_file():
        try:
            if not os.access(cache, os.R_OK):
                raise PermissionError(errno.EACCES, "Permission denied", str(cache))
            # its episode ends are said by the final env (load_dataset's check_content)
            return OfflineDataset._load_npz(cache, source=f"minari:{dataset_id}")
        except Exception as err:  # a damaged cache entry: report, remove, rebuild from Minari
            if permission_denied(err):  # probe 95 rows 8, 9: another user's cache was called
                note(  # damaged and deleted (or its unlink failed the load): it is left,
                    f"[rambo_env] flat cache {cache} of {dataset_id} is not readable by this "
                    "user (another user's?); leaving it and reading the Minari files",
                )
                write_cache = False  # and not replaced (write_flat_cache drops old caches)
            elif not damaged_file(err) or _env_not_here(err):  # probe 91 rows 4, 30: was any
                raise  # error (out of memory); probe 98 row 23: an env this process lacks
            else:
                note(
                    f"[rambo_env] flat cache {cache} of {dataset_id} is unreadable "
                    f"({type(err).__name__}); removing it and reading the Minari files again"
                )
                cache.unlink(missing_ok=True)
    root = minari_dataset_path("")
    if root.exists() and not root.is_dir():  # was: "is not in the local Minari root (…) …
        raise ValueError(  # FileExistsError", with advice to download or generate the data
            f"MINARI_DATASETS_PATH: Minari root {root} is not a folder; set "
            "MINARI_DATASETS_PATH to the folder that holds your Minari datasets"
        )
    if not download and not minari_folder_there(dataset_id):
        # probe 46: Minari's lookup made its root (a failed read left an empty folder, e.g. of a
        # relative MINARI_DATASETS_PATH in the working folder) and said "Use download=True"
        raise DatasetUnavailableError(
            misplaced_root(dataset_id) or _unavailable_message(dataset_id, download, None)
        )
    root_there = root.exists()
    try:
        minari_dataset = _open_minari(minari, root, dataset_id, download)
    except Exception as err:
        _raise_if_out_of_memory(dataset_id, err)
        if not root_there:  # a failed download creates nothing: Minari made the root
            with contextlib.suppress(OSError):
                root.rmdir()  # only if still empty  # no huggingface_hub, offline, not found; a damaged metadata.json
        # There, but damaged (was: "is not in the local Minari root"; probe 16: a dataset
        # folder without data/ — emptied, a cut copy — too, and a short name's generation then
        # "already exists …; use --force"); with download, Minari's fetch may replace it.
        # Minari's TypeError / KeyError / AssertionError of an env_spec that is not its JSON
        # were raw.
        if not download and minari_folder_there(dataset_id):
            if not (minari_dataset_path(dataset_id) / "data" / "metadata.json").is_file():
                raise _damaged(dataset_id, "it holds no data/metadata.json") from None
            newer = _written_by_other_minari(dataset_id)
            if newer is not None:  # probe 25: was "is damaged", and advice to re-create it
                raise DatasetUnavailableError(newer) from None
            _check_env_spec_entries(dataset_id)  # probe 83 row 46: Minari's error named no field
            _check_files_readable(dataset_id, err)  # probe 95 row 34: was "is damaged"
            raise _main_file_trouble(dataset_id, err) or _damaged(
                dataset_id, safe_reason(err)
            ) from None
        if not isinstance(err, ImportError | OSError | ValueError):
            raise
        misplaced = None if download else misplaced_root(dataset_id)
        if misplaced is not None:  # probe 36: was advice to download or generate the data
            raise DatasetUnavailableError(misplaced) from None
        raise DatasetUnavailableError(_unavailable_message(dataset_id, download, err)) from err
    storage = minari_dataset.storage
    _check_spaces_supported(dataset_id, minari_dataset)  # before the per-episode shape checks
    try:
        episodes = list(storage.get_episodes(range(storage.total_episodes)))
    except Exception as err:  # h5py / arrow errors of damaged episode files
        _raise_if_out_of_memory(dataset_id, err)
        found = _main_file_trouble(dataset_id, err)
        if found is not None:
            raise found from None
        _check_files_readable(dataset_id, err)  # probe 95 row 33: was "re-create it (--force)"
        raise ValueError(
            f"Minari dataset {dataset_id!r} at {minari_dataset_path(dataset_id)}: its episode data "
            f"are unreadable ({safe_reason(err)}); "
            "re-create it (scripts/make_dataset.py ... --force) or re-download it"
        ) from None
    meta = _metadata_fields(dataset_id, storage.metadata)
    steps, said = sum(len(e["rewards"]) for e in episodes), storage.metadata.get("total_steps")
    if (
        said is not None and said != steps
    ):  # was: total_episodes cut to 1 silently loaded the first episode only
        raise _damaged(
            dataset_id,
            f"data/metadata.json says total_steps={said!r} and total_episodes="
            f"{storage.metadata.get('total_episodes')!r}, but the {len(episodes)} episode(s) read "
            f"hold {steps} steps",
        )
    trouble = episode_length_trouble(episodes) or episode_content_trouble(episodes)
    if trouble is not None:
        raise _damaged(dataset_id, trouble)
    _warn_spaces_contradicting(dataset_id, minari_dataset, episodes[0])
    dataset = episodes_to_dataset(episodes, source=f"minari:{dataset_id}", **meta)
    if write_cache:
        write_flat_cache(dataset_id, dataset)
    return dataset


def _check_files_readable(dataset_id: str, err: BaseException) -> None:
    """The "not readable by this user (… owner uid …)" ValueError of ``dataset_id``'s data files
    when Minari's ``err`` is a PermissionError: the data are another user's, not damaged, and
    re-creating them (--force) would replace the owner's (probe 95 rows 33, 34)."""
    if not permission_denied(err):
        return
    data = minari_dataset_path(dataset_id) / "data"
    for name in ("metadata.json", "main_data.hdf5"):
        check_readable(data / name, f"Minari dataset {dataset_id!r}")
    check_readable(data, f"Minari dataset {dataset_id!r}")


def _check_spaces_supported(dataset_id: str, minari_dataset: Any) -> None:
    """DatasetValidationError when ``dataset_id``'s recorded observation_space / action_space is
    not a flat Box: Discrete actions, image or Discrete observations, a goal-conditioned Dict.
    Probe 81 rows 8, 21, 22, 35: such a sound dataset was called "damaged" (re-create it) by the
    per-episode shape checks, a Dict read as 0 observations. A space Minari cannot rebuild is
    left to those checks."""
    for key, flattenable in (("observation_space", True), ("action_space", False)):
        try:
            space = getattr(minari_dataset, key)
        except Exception:  # an unreadable space: the episodes' own checks say what is wrong
            continue
        trouble = space_trouble(space, flattenable)
        if trouble is not None:
            raise DatasetValidationError(
                f"Minari dataset {dataset_id!r} (at {minari_dataset_path(dataset_id)}) has "
                f"{key} {space}: this project (RAMBO on continuous control) takes flat Box "
                "observations (obs_dim,) and Box actions (action_dim,) only, and this "
                f"{key.split('_')[0]} space is {trouble}"
            )


def _warn_spaces_contradicting(dataset_id: str, minari_dataset: Any, episode: Any) -> None:
    """One warning per space in ``dataset_id``'s data/metadata.json that contradicts its arrays
    (``episode``, the first): another shape, or another kind of dtype (int64 vs float32; float64
    vs float32 is only precision, as our own files store Hopper's float64 space with float32
    data). The arrays are what is read. A space missing from the metadata is Minari's to fill
    from the env (``env_spec``), which :func:`rambo_env.data.loaders.validate_for_env` checks the
    arrays against: nothing said. Probe 59 row 43: an int64 action_space over float32 actions
    loaded without a word."""
    for key, field in (("observation_space", "observations"), ("action_space", "actions")):
        if key not in minari_dataset.storage.metadata:
            continue
        space = getattr(minari_dataset, key, None)
        shape, dtype = getattr(space, "shape", None), getattr(space, "dtype", None)
        value = _get(episode, field)
        if shape is None or dtype is None:
            continue
        if tuple(shape) != value.shape[1:] or np.dtype(dtype).kind != value.dtype.kind:
            note(
                f"[rambo_env] WARNING: Minari dataset {dataset_id!r}: data/metadata.json's "
                f"{key} says shape {tuple(shape)}, dtype {np.dtype(dtype)}, but its {field} "
                f"have shape {value.shape[1:]}, dtype {value.dtype}; the {field} are used as "
                f"they are (a hand-edited or foreign dataset?): fix its {key} or re-create it"
            )


def _make_command(dataset_id: str) -> str:
    """The make_dataset.py command that writes ``dataset_id``, or its general form."""
    parts = dataset_id.split("/")
    env, level = (parts[-2], parts[-1].rsplit("-v", 1)[0]) if len(parts) >= 3 else (None, None)
    make = script_line("make_dataset.py")  # probe 150: was "python scripts/make_dataset.py"
    if env in ENV_IDS and level in LEVELS:
        return f"{make} --env {env} --level {level} --dataset-id {dataset_id}"
    # probe 63: the id was a placeholder too, though it is known
    return f"{make} --env ENV --level LEVEL --dataset-id {dataset_id}"


def local_minari_ids(max_depth: int = 4) -> list[str]:
    """The ids of the datasets in the local Minari root (a folder walk, ``max_depth`` names deep;
    hidden folders, such as a write's staging, skipped)."""
    root = minari_dataset_path("")
    if not root.is_dir():
        return []
    found = []
    for folder, subfolders, _ in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        depth = len(Path(folder).relative_to(root).parts)
        if depth >= max_depth:
            subfolders.clear()
        if (Path(folder) / "data" / "metadata.json").is_file():
            found.append(Path(folder).relative_to(root).as_posix())
            subfolders.clear()
    return sorted(found)


def _local_ids_like(dataset_id: str, local_ids: Sequence[str]) -> list[str]:
    """Local Minari dataset ids that differ from ``dataset_id`` only in letter case or in the
    version (``rambo/hopper/random`` or ``RAMBO/hopper/random-v0`` for ``rambo/hopper/random-v0``).
    Probe 18: such a typo was told to download or generate data the root already held."""

    def base(text: str) -> str:
        return re.sub(r"-v\d+$", "", text.lower())

    return [i for i in local_ids if i != dataset_id and base(i) == base(dataset_id)][:5]


def _local_id_typo(dataset_id: str, local_ids: Sequence[str]) -> str | None:
    """The local Minari dataset id that differs from ``dataset_id`` by a typo in one of its names
    (``p46/hop/ok-v0`` for ``p46/hop/okk-v0``: :func:`rambo_env.run_io.did_you_mean` on that
    name), else None. Probe 46: such a typo had only advice to download or generate the data."""
    parts = dataset_id.split("/")
    for local_id in local_ids:
        other = local_id.split("/")
        differ = [i for i, (a, b) in enumerate(zip(parts, other, strict=False)) if a != b]
        if len(other) == len(parts) and len(differ) == 1:
            if did_you_mean(parts[differ[0]], [other[differ[0]]]):
                return local_id
    return None


def _other_version(dataset_id: str, near: Sequence[str]) -> str | None:
    """The newest of the local ids ``near`` that differ from ``dataset_id`` only in the version
    (``rambo/hopper/random-v0`` for ``rambo/hopper/random`` or ``…-v1``), else None. Probe 52:
    the first line said only "not in the local Minari root … was not downloaded"."""
    base = re.sub(r"-v\d+$", "", dataset_id)
    found = [i for i in near if re.fullmatch(re.escape(base) + r"-v(\d+)", i)]
    return max(found, key=lambda i: int(i.rsplit("-v", 1)[1]), default=None)


def _unavailable_message(dataset_id: str, download: bool, err: BaseException | None) -> str:
    parts = dataset_id.split("/")
    env, level = (parts[-2], parts[-1].rsplit("-v", 1)[0]) if len(parts) >= 3 else (None, None)
    if env in ENV_IDS and level in LEVELS:
        generate = f"{script_line('make_dataset.py')} --env {env} --level {level}"
    else:  # the generator only knows the D4RL MuJoCo envs and levels: no made-up command
        generate = (
            f"{script_line('make_dataset.py')} --env ENV --level LEVEL (ENV in {sorted(ENV_IDS)}, "
            f"LEVEL in {list(LEVELS)}) and load it by its short name, e.g. hopper-medium"
        )
    tried = "could not be downloaded" if download else "was not downloaded (download=False)"
    if err is not None:  # a failed download's reason (a plain miss is said above, without
        tried += f": {type(err).__name__}: {err}"  # Minari's "Use download=True")
    local_ids = local_minari_ids()
    near = _local_ids_like(dataset_id, local_ids)
    typo = _other_version(dataset_id, near) or (
        None if near else _local_id_typo(dataset_id, local_ids)
    )
    if near and typo is None:
        mean = (
            f"\nA local dataset has nearly that id: {', '.join(repr(i) for i in near)}; load it "
            "by that id (Minari ids are case-sensitive and end in their version, -vN). Else, to "
            "get the data, either\n"
        )
    elif typo is not None:
        mean = (
            f"; did you mean {typo!r} (in the local Minari root {minari_dataset_path('')})? "
            "Else, to get the data, either\n"
        )
    else:
        mean = "\nTo get the data, either\n"
    if dataset_id.startswith("rambo/"):  # probe 104 row 18: was advice to `minari download` an
        # id of this project's own local namespace, which Minari's server never holds
        return (
            f"Minari dataset {dataset_id!r} is not in the local Minari root "
            f"({minari_dataset_path(dataset_id)}): 'rambo/' is this project's own namespace, "
            "written by its generator only (never on Minari's server; deleted, or another "
            f"MINARI_DATASETS_PATH?){mean.replace('either', '').rstrip()} generate it locally: "
            f"{generate}"
        )
    return (
        f"Minari dataset {dataset_id!r} is not in the local Minari root "
        f"({minari_dataset_path(dataset_id)}) and {tried}"
        f"{mean}"
        f"  * on a machine with internet: pip install 'minari[hf]' && minari download {dataset_id}, "
        "then copy the dataset folder into this machine's Minari root ($MINARI_DATASETS_PATH or "
        "~/.minari/datasets), or call load_dataset(..., download=True) there; or\n"
        f"  * generate a D4RL-protocol dataset locally: {generate}"
    )
