"""Checks of a path on disk before it is used: a file or nothing there (:func:`check_file_or_absent`),
a file this user may read (:func:`check_readable`), a folder it may enter
(:func:`refuse_unenterable`), a link loop or a dangling link on the way
(:func:`refuse_link_loop`, :func:`refuse_broken_link`), and :func:`make_folders`
(``mkdir -p``, the made folders given to the owner of the folder they were made in).

Split out of :mod:`rambo_env.run_io`, which still exports these names
(``run_io.check_readable``).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from rambo_env.atomic_files import _exists, check_umask_for_folders, give_to_folder_owner
from rambo_env.command_line import shell_path
from rambo_env.file_locks import owned_by_other, owner_text

__all__ = [
    "broken_link_text",
    "check_file_or_absent",
    "check_readable",
    "link_loop",
    "link_loop_text",
    "make_folders",
    "refuse_broken_link",
    "refuse_link_loop",
    "refuse_unenterable",
    "unenterable_folder",
]


def check_file_or_absent(path: str | Path, what: str, hint: str) -> None:
    """ValueError ``<what>: <path> is a folder, not a file; <hint>`` (or a dangling link, a pipe)
    when something other than a regular file sits at ``path``; a missing ``path`` passes (the
    caller says "missing" its own way). Was: "has no config.json / checkpoint.pt / sweep.json"
    for a folder of that name."""
    path = Path(path)
    refuse_link_loop(path, f"{what}: ", f"; {hint}")
    if _is_dangling_link(path):  # issue 14: was "a link to …, which does not exist; <hint>"
        raise ValueError(f"{what}: {broken_link_text(path)}")
    if _exists(path) and path.is_dir():
        kind = "a folder, not a file"
    elif _exists(path) and not path.is_file():
        kind = "not a regular file"
    else:
        return
    raise ValueError(f"{what}: {path} is {kind}; {hint}")


def check_readable(path: str | Path, what: str, hint: str = "") -> None:
    """ValueError ``<what>: <path> is not readable by this user (Permission denied; mode …, owner
    uid …); …`` when this process may not read the regular file (or list the folder) at
    ``path``; anything else passes (missing, damaged: the caller's own checks say so).

    Probe 18: such a file was taken for a damaged one — a cached dynamics model deleted and
    retrained (another user's, in a shared cache), an MLE checkpoint ignored, a dataset "not an
    npz (zip) archive", a run's checkpoint "start a new run", a TensorBoard folder "has logged no
    iteration yet" — or a raw ``PermissionError`` traceback.
    """
    path = Path(path)
    try:
        if path.is_dir():
            os.listdir(path)
        elif path.is_file():
            with open(path, "rb"):
                pass
        else:
            return
    except PermissionError:
        owner = owner_text(path)
        fix = "chmod u+rx" if path.is_dir() else "chmod u+r"
        advice = f"make it readable ({fix} {path}) or run as the user who owns it"
        if owned_by_other(path):  # probe 95 rows 7, 25, 32, 37, 40: was "chmod u+r", which
            fix = "chmod a+rx" if path.is_dir() else "chmod a+r"  # the owner already has
            advice = (
                f"ask its owner to make it readable ({fix} {path}) or to copy it to a folder of "
                "yours, or run as the user who owns it"
            )
        raise ValueError(
            f"{what}: {path} is not readable by this user (Permission denied; {owner}); "
            f"{advice}{hint}"
        ) from None


def unenterable_folder(path: str | Path) -> Path | None:
    """The first folder on the way to ``path`` (from the top down), ``path`` itself included,
    that this user may not enter (no search permission); None when none is.
    Another user's folder of mode 0700 (umask 077, a private home) blocks every path below it."""
    path = Path(os.path.abspath(path))
    for folder in (*reversed(path.parents), path):
        try:
            if not folder.is_dir():
                return None
        except OSError:  # below a blocked folder: found above (or not ours to say)
            return None
        if not os.access(folder, os.X_OK):
            return folder
    return None


def refuse_unenterable(
    path: str | Path,
    prefix: str,
    error: type[Exception] = ValueError,
    what: str = "it",
    hint: str = "",
) -> None:
    """``error(prefix + "<folder> cannot be entered by this user (mode …, owner uid N); ask its
    owner …")`` when ``path`` or a folder above it cannot be entered (:func:`unenterable_folder`);
    nothing otherwise. ``what``: the thing at ``path`` (a run folder), for the copy advice;
    ``hint``: more advice, appended.

    Probe 111 row 3: a run folder another user made under umask 077 (or below a 0700 home) was a
    raw ``[Errno 13] Permission denied``, a traceback, or "is not writable; copy the run folder"
    (it cannot be read either) from cotrain.py --resume, diagnose.py, ledger.py, curves.py and
    ``load_session``."""
    folder = unenterable_folder(path)
    if folder is None:
        return
    where = "" if folder == Path(os.path.abspath(path)) else f", so neither can {path} inside it"
    opened = shell_path(Path(path))
    if not owned_by_other(folder):
        advice = f"make it enterable (chmod u+rx {shell_path(folder)})"
    elif where:
        advice = (
            f"ask its owner to let others through it (chmod a+x {shell_path(folder)}) and open "
            f"{what} (chmod -R a+rX {opened}), or to copy {what} to a folder you can read"
        )
    else:
        advice = (
            f"ask its owner to open it (chmod -R a+rX {opened}) or to copy it to a folder you "
            "can read"
        )
    raise error(
        f"{prefix}{folder} cannot be entered by this user ({owner_text(folder)}){where}; "
        f"{advice}{hint}"
    )


def link_loop(path: str | Path) -> Path | None:
    """``path`` or the first of its parents that is a symbolic link loop (``ln -s loop loop``,
    or links leading to each other), else None. Such a path is neither missing nor a file or
    folder (probe 19: it was called "does not exist" / "a link to loop, which does not exist",
    or a raw ``RuntimeError: Symlink loop`` from ``Path.resolve``)."""
    path = Path(path)
    return next((p for p in (path, *path.parents) if _is_link_loop(p)), None)


def refuse_link_loop(
    path: str | Path, prefix: str, suffix: str = "", error: type[Exception] = ValueError
) -> None:
    """``error(prefix + link_loop_text(loop) + suffix)`` when ``path`` or a folder on it is a
    symbolic link loop (:func:`link_loop`); nothing otherwise. One check for every path a user
    gives (run folders, output files, datasets, the ledger)."""
    loop = link_loop(path)
    if loop is not None:
        raise error(f"{prefix}{link_loop_text(loop)}{suffix}")


def link_loop_text(link: Path) -> str:
    """``<link> is a symbolic link loop (…); remove or repoint it`` for an error message."""
    try:
        target = f" -> {os.readlink(link)}"
    except OSError:
        target = ""
    return (
        f"{link} is a symbolic link loop ({link}{target} leads back to itself, never to a file "
        f"or folder); remove the link (rm {link}) or point it at a real file or folder"
    )


def _is_link_loop(path: Path) -> bool:
    try:
        if not stat.S_ISLNK(os.lstat(path).st_mode):
            return False
    except OSError:  # missing, a name too long, a parent that loops (found at that parent)
        return False
    try:
        os.stat(path)
    except OSError as err:
        return err.errno == errno.ELOOP
    return False


def refuse_broken_link(
    path: str | Path, prefix: str, suffix: str = "", error: type[Exception] = ValueError
) -> None:
    """``error(prefix + broken_link_text(link) + suffix)`` when ``path`` or a folder on it is a
    symbolic link to something that does not exist; nothing otherwise. Issue 14: such a path
    (a ``--resume`` run folder, a behaviour agent's folder or its ``checkpoints/``) was called
    "no folder …, not a run folder", or failed with a raw "File exists" only after the training."""
    link = _dangling_link_on(Path(path))
    if link is not None:
        raise error(f"{prefix}{broken_link_text(link)}{suffix}")


def broken_link_text(link: Path) -> str:
    """``<link> is a broken symbolic link to <target>; remove it or restore its target``."""
    try:
        target = os.readlink(link)
    except OSError:
        target = "a missing file or folder"
    return f"{link} is a broken symbolic link to {target}; remove it or restore its target"


def _dangling_link_on(path: Path) -> Path | None:
    """``path`` or the first of its parents that is a link to nothing (a folder cannot be made
    through it), else None."""
    return next((p for p in (path, *path.parents) if _is_dangling_link(p)), None)


def _is_dangling_link(path: Path) -> bool:
    try:
        return path.is_symlink() and not path.exists()
    except OSError:  # a name too long: no link either
        return False


def make_folders(folder: Path) -> list[Path]:
    """``mkdir -p folder`` -> the folders it created (deepest first), given to the owner of the
    folder they were made in when this process is root (:func:`give_to_folder_owner`); an
    OSError is the caller's to word."""
    made = [p for p in (folder, *folder.parents) if not _exists(p)]
    if made:
        check_umask_for_folders(made[0])
    folder.mkdir(parents=True, exist_ok=True)
    give_to_folder_owner(made)
    return made
