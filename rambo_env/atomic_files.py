"""Files written whole or not at all: :func:`atomic_write` (a temp file beside the target, renamed
over it), :class:`StagedFiles` (several files renamed into place together, all or none),
:class:`WriteFailedError` (one message naming the file and what to do), the temp names' room
under the file system's name limit (:func:`check_name_room`), and the ownership and mode a
written file or made folder gets.

Split out of :mod:`rambo_env.run_io`, which still exports these names
(``run_io.atomic_write``).
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import re
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from rambo_env.umask import umask_refusal

_E = TypeVar("_E", bound=BaseException)


def _exists(path: Path) -> bool:
    """``path.exists()`` that answers False instead of raising (e.g. a name too long)."""
    try:
        return path.exists()
    except OSError:
        return False


def _remove_empty(folders: list[Path]) -> None:
    """Remove the still-empty folders among ``folders`` (deepest first: parents after children)."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:  # not empty (someone else wrote there) or already gone
            return


#: Bytes per file or folder name on the usual file systems (ext4, XFS, APFS, NTFS: 255).
NAME_MAX = 255


#: Bytes per path, its terminating NUL included (Linux's PATH_MAX): a longer one is refused by
#: the system as "File name too long".
PATH_MAX = 4096


#: mkstemp's random part of a :class:`StagedFiles` temp name (``.NAME.XXXXXXXX.tmp``).
_TEMP_RANDOM = 8


def staged_name_bytes(name: str) -> int:
    """Bytes of the temp file name :class:`StagedFiles` writes ``name`` through (the longest
    form, ``.NAME.XXXXXXXX.tmp.EXT``): a ``name`` within :data:`NAME_MAX` may still make one
    the file system refuses (probe 145 E1)."""
    return len(os.fsencode(f".{name}.{'x' * _TEMP_RANDOM}.tmp{Path(name).suffix}"))


def check_name_room(path: str | Path, what: str) -> None:
    """ValueError ``<what>: … give a name of at most N bytes`` when the temp file ``path`` is
    written through (:func:`staged_name_bytes`) would have a name over :data:`NAME_MAX` bytes:
    checked before any work (probe 145 E1: ``bench.py --json <245 bytes>.json`` ran the whole
    benchmark, then failed "File name too long; check that . is a writable folder with free
    space")."""
    name = Path(path).name
    size, temp = len(os.fsencode(name)), staged_name_bytes(name)
    if temp > NAME_MAX:
        extra, text = temp - size, str(path)
        shown = text if len(text) <= 80 else f"{text[:50]}…{text[-25:]}"  # its ending too
        raise ValueError(
            f"{what}: {shown!r} has a name of {size} bytes; it is written through a "
            f"temp file (.NAME.{'X' * _TEMP_RANDOM}.tmp{Path(name).suffix}) whose name adds "
            f"{extra}, and a file system takes at most {NAME_MAX}: give a name of at most "
            f"{NAME_MAX - extra} bytes"
        )


class WriteFailedError(OSError):
    """A file could not be written (disk full, no permission, ...): the message names the file,
    the reason and what to do; ``errno`` and ``filename`` are the underlying error's. ``rerun``:
    how to go on once the cause is fixed (probe 30: a run past its first checkpoint is continued
    with ``--resume RUN``; the same command is refused)."""

    #: Where a run's files can be written instead (the default ``elsewhere``).
    ELSEWHERE = "--run-dir, RAMBO_ENV_CACHE"

    #: The other files of a :class:`StagedFiles` that hold their new content all the same (a
    #: failed commit whose undo failed too; probe 148); none: nothing was written.
    written: Sequence[Path] = ()

    def __init__(
        self, path: Path, err: OSError, elsewhere: str = ELSEWHERE, rerun: str = "rerun"
    ) -> None:
        path = Path(path)  # probe 70: a str path was "'str' object has no attribute 'parent'"
        super().__init__(err.errno, err.strerror or str(err), str(path))
        self.elsewhere = elsewhere
        where = path.parent
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            # probe 25: a dataset's full disk named --run-dir and RAMBO_ENV_CACHE, which do not
            # move a dataset; its writers pass MINARI_DATASETS_PATH
            self.message = (
                f"{path}: not written: the disk holding {where} is full ({err.strerror}); free "
                f"some space there (or write elsewhere: {elsewhere}) and {rerun}"
            )
        elif err.errno == errno.EFBIG:  # probe 30: was "check … free space" under ulimit -f
            self.message = (
                f"{path}: not written ({err.strerror}); raise the file-size limit (ulimit -f), "
                f"or write where larger files fit ({elsewhere}), then {rerun}"
            )
        elif err.errno == errno.ENAMETOOLONG:  # probe 145 E1: was "check … free space"
            self.message = (
                f"{path}: not written ({err.strerror}): its name, with the temp file's "
                f"(.NAME.{'X' * _TEMP_RANDOM}.tmp, {staged_name_bytes(path.name)} bytes), or its "
                f"path is longer than the file system takes ({NAME_MAX} bytes per name, "
                f"{PATH_MAX - 1} per path); give a shorter one ({elsewhere}), then {rerun}"
            )
        elif err.errno == errno.EISDIR or is_folder(path):  # was: "check … free space"
            self.message = (
                f"{path}: not written: a folder is where the file goes ({err.strerror}); move "
                f"that folder away, then {rerun}"
            )
        else:
            self.message = (
                f"{path}: not written ({err.strerror or safe_reason(err)}); check that {where} "
                f"is a writable folder with free space, then {rerun}"
            )
        self.message += f" (any previous {path.name} is intact; no temp file is left)"

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # probe 69 row 34: copy / pickle (Ray, multiprocessing) called __init__ with OSError's
        # args (errno, strerror, filename): "'str' object has no attribute 'errno'". Rebuilt
        # from OSError's fields and the message as made here (not made again on another host)
        return (
            _rebuilt_error,
            (type(self), (self.errno, self.strerror, self.filename)),
            self.__dict__,
        )


def _rebuilt_error(cls: type[OSError], args: tuple[Any, ...]) -> OSError:
    """An OSError subclass with its own ``__init__`` rebuilt from OSError's ``args`` (its
    ``__dict__`` is set after, by pickle / copy): for :meth:`WriteFailedError.__reduce__`."""
    err = cls.__new__(cls)
    OSError.__init__(err, *args)
    return err


def is_file(path: Path) -> bool:
    """``path.is_file()``, False where the path cannot be looked at."""
    try:
        return path.is_file()
    except OSError:
        return False


def is_folder(path: Path) -> bool:
    """``path.is_dir()``, False where the path cannot be looked at (a name too long: the
    caller's own check names it)."""
    try:
        return path.is_dir()
    except OSError:
        return False


def clear_stray_writes(folder: Path, target: str | None = None) -> None:
    """Remove the temp files (``.NAME.XXXX.tmp``, :func:`atomic_write`) that interrupted atomic
    writes left in ``folder``: all of them, or those of the file named ``target`` only. Call it
    only while holding the lock of the folder (:func:`claim_run_dir`,
    :func:`~rambo_env.file_locks.folder_lock`: curves.py, the ledger) or of the target, so that
    no live writer's file is removed (probe 83 row 19: a kill -9 during the MLE checkpoint's write
    left its temp file in the model cache for good; a run folder's was cleared).

    For a ``target``, only the names this module makes are removed — ``.NAME.`` and
    :data:`_TEMP_RANDOM` characters of ``tempfile``'s alphabet (or ``old`` and fewer: the saved
    copies of :meth:`StagedFiles.commit`), then ``.tmp`` and maybe NAME's suffix (probe 154:
    ``.NAME.*.tmp`` removed a user's own ``.x.png.backup.tmp``, and the live temp of
    ``x-a.csv.b.csv`` when ``x-a.csv`` was written)."""
    if not target:
        for stray in folder.glob(".*.*.tmp"):
            stray.unlink(missing_ok=True)
        return
    suffix = re.escape(Path(target).suffix)
    ours = re.compile(
        rf"\.{re.escape(target)}\.[a-z0-9_]{{{_TEMP_RANDOM}}}\.tmp(?:{suffix})?"
        if suffix
        else rf"\.{re.escape(target)}\.[a-z0-9_]{{{_TEMP_RANDOM}}}\.tmp"
    )
    for stray in folder.glob(f".{glob.escape(target)}.*.tmp*"):
        if ours.fullmatch(stray.name):
            with contextlib.suppress(OSError):
                stray.unlink(missing_ok=True)


def atomic_write(
    path: str | Path, write: Callable[[Path], None], before_rename: Callable[[], None] | None = None
) -> Path:
    """Call ``write(tmp_path)`` on a temp file next to ``path`` (``.NAME.XXXX.tmp``, which
    :func:`claim_run_dir` knows as an interrupted write), then rename it over ``path``: one
    :class:`StagedFiles`. A ``path`` that is a symbolic link is written through it: the temp
    file goes beside the link's target and replaces that, so the link is kept.

    Any failure removes the temp file; an ``OSError`` (disk full, ...) becomes one
    :class:`WriteFailedError` naming ``path`` and what to do, never the writer's raw message.
    """
    with StagedFiles(WriteFailedError.ELSEWHERE) as staged:
        staged.write(path, write, keep_suffix=False)
        if before_rename is not None:
            before_rename()
        return staged.commit()[0]


class StagedFiles:
    """Files that are written together or not at all: each is written to a hidden temp file
    beside its target (:meth:`write`), and :meth:`commit` renames them all into place once every
    one is written; leaving the ``with`` block removes the temp files left. A failed write is one
    :class:`WriteFailedError` naming the target, not its temp file (probe 30: curves.py left its
    CSVs when its PNG failed; the ledger's plot, staged in the system's temp folder, named it).
    Folders it created for them are removed again when nothing was written (issue 14: a failed
    ``curves.py --out new/cmp`` left an empty ``new/``); folders that were there are kept."""

    def __init__(self, elsewhere: str) -> None:
        self.elsewhere = elsewhere  # where the files can be written instead (the option)
        self.staged: dict[Path, Path] = {}  # target -> temp file
        self.targets: dict[Path, Path] = {}  # target -> the file renamed over (a link's target)
        self.created: list[list[Path]] = []  # the folders each write made, deepest first
        self.committed = False

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        for tmp in self.staged.values():
            tmp.unlink(missing_ok=True)
        if not self.committed:
            for folders in reversed(self.created):
                _remove_empty(folders)

    def write(
        self, path: str | Path, write: Callable[[Path], Any], keep_suffix: bool = True
    ) -> Path:
        """``write(tmp)`` on a new temp file ``.NAME.XXXX.tmp`` beside ``path``, ending in
        ``path``'s suffix too with ``keep_suffix`` (for writers that pick a format by it)."""
        path = Path(path)
        # probe 33: a link (checkpoint.pt kept on another disk) was replaced by a regular file
        # and its target left stale: the file is written through the link, beside its target
        target = Path(os.path.realpath(path)) if path.is_symlink() else path
        for other, kept in self.targets.items():  # probe 152 row 7: was written twice, the
            if other != path and os.path.realpath(kept) == os.path.realpath(target):  # last won
                link = path if path.is_symlink() else other
                err = WriteFailedError(path, OSError(errno.EEXIST, "File exists"), self.elsewhere)
                err.message = (
                    f"{path}: not written: it and {other} are one file ({link} is a link to "
                    f"{os.path.realpath(link)}), so one would overwrite the other; remove the "
                    f"link {link} (or move it away), then rerun (nothing was written)"
                )
                raise err
        self.targets[path] = target
        missing = [p for p in (target.parent, *target.parent.parents) if not _exists(p)]
        if missing:
            self.created.append(missing)
        suffix = f".tmp{path.suffix}" if keep_suffix else ".tmp"
        if missing:
            check_umask_for_folders(missing[0])
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            give_to_folder_owner(missing)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
        except OSError as err:
            raise WriteFailedError(path, err, self.elsewhere) from err
        try:  # probe 145 R2: umask 277 made it 0400, so the writer's open by path was refused;
            os.fchmod(fd, 0o600)  # the final mode is set by commit
        finally:
            os.close(fd)
        tmp = self.staged[path] = Path(name)
        try:
            write(tmp)
        except BaseException as err:
            interrupt = error_behind(err, KeyboardInterrupt)
            if interrupt is not None and interrupt is not err:
                # probe 24: Ctrl-C inside torch.save made its zip writer's cleanup fail on the
                # half-written file ("unexpected pos …"), a raw RuntimeError that hid the interrupt
                raise interrupt from None
            if not isinstance(err, OSError) or (
                isinstance(err, WriteFailedError) and err.filename != str(tmp)
            ):
                raise
            raise WriteFailedError(path, err, self.elsewhere) from err
        return path

    def commit(self) -> list[Path]:
        """Rename every temp file over its target (mode as a plain ``open`` would give): all or
        none. Each target that is there is first kept aside (:func:`_keep_aside`, a hard link
        ``.NAME.oldXXXXX.tmp`` beside it); when a rename fails, the targets renamed before it
        are put back from those and the ones that were not there removed, then one
        :class:`WriteFailedError` names the file that failed (probe 148: the targets renamed
        before it were left replaced while curves.py said "none of the --out files was
        written"). A target that cannot be put back is named in the error, with where its
        previous content is (``written``: the targets that hold the new content)."""
        done = list(self.staged)
        plan = [(path, self.targets.get(path, path)) for path in done]
        asides: dict[Path, Path | None] = {}  # target -> its previous content (None: none kept)
        renamed: list[tuple[Path, Path]] = []
        try:
            if len(plan) > 1:  # one file: nothing to undo
                # probe 152: inside the try, so that an interrupt while they are made (a copy
                # takes a while) removes the ones made (was: left beside the targets for good)
                for _, target in plan:
                    if os.path.lexists(target):
                        _keep_aside(target, asides)
                # those without a copy last: a failure before them leaves nothing to undo there
                plan.sort(key=lambda entry: entry[1] in asides and asides[entry[1]] is None)
            for path, target in plan:
                tmp = self.staged[path]
                try:
                    owner = kept_owner(target)
                    if owner is not None:  # probe 114 L1: root (sudo) took a user's run files
                        with contextlib.suppress(OSError):  # root squashed on NFS: root's it stays
                            os.chown(tmp, *owner)
                    os.chmod(tmp, _file_mode(target))  # mkstemp's 0600 would hide it from others
                    os.replace(tmp, target)
                except OSError as err:
                    raise WriteFailedError(path, err, self.elsewhere) from err
                renamed.append((path, target))
                del self.staged[path]  # its temp name is free again: not removed on exit
        except BaseException as err:
            self._undo(renamed, asides, err)
            raise
        for aside in asides.values():
            if aside is not None:
                with contextlib.suppress(OSError):
                    aside.unlink()
        self.committed = True
        return done

    def _undo(
        self,
        renamed: list[tuple[Path, Path]],
        asides: dict[Path, Path | None],
        err: BaseException,
    ) -> None:
        """Put the targets of ``renamed`` back as they were before :meth:`commit` (their kept
        content, or removed where they were not there) and remove the other asides; what cannot
        be undone is added to ``err``'s message (a :class:`WriteFailedError`) or its notes."""
        left: list[str] = []
        written: list[Path] = []
        kept = False  # an aside left, holding the only copy of a previous content
        for path, target in reversed(renamed):
            aside = asides.get(target)
            try:
                if target not in asides:
                    target.unlink()  # it was not there before
                elif aside is not None:
                    os.replace(aside, target)
                else:
                    left.append(f"{path} holds the new content (its previous one was not kept)")
                    written.append(path)
                    continue
            except OSError as back:
                where = "" if aside is None else f"; its previous content is in {aside}"
                reason = back.strerror or safe_reason(back)
                undo = "not put back" if target in asides else "new, not removed"
                left.append(f"{path} holds the new content ({undo}: {reason}{where})")
                written.append(path)
                kept = kept or asides.pop(target, None) is not None  # not removed below
        for aside in asides.values():
            if aside is not None:
                with contextlib.suppress(OSError):
                    aside.unlink()
        if not left:
            return
        text = "not all undone: " + "; ".join(left)
        if isinstance(err, WriteFailedError):
            err.written = written
            if kept:  # a hidden temp file holds a previous content
                err.message = err.message.replace("; no temp file is left)", ")")
            err.message += f"; {text}"
        else:
            err.add_note(text)


#: The start of the random part of :func:`_keep_aside`'s names (``.NAME.oldXXXXX.tmp``: as long
#: as a temp file's, so that a name :func:`check_name_room` let through fits).
_ASIDE_MARK = "old"


def _keep_aside(target: Path, asides: dict[Path, Path | None] | None = None) -> Path | None:
    """Set ``asides[target]`` to a hidden file beside ``target`` holding its content, for
    :meth:`StagedFiles.commit` to put back: a hard link, else a copy (another user's file under
    protected_hardlinks), named ``.NAME.oldXXXXX.tmp`` so that a crash leaves what
    :func:`clear_stray_writes` and :func:`claim_run_dir` know as an interrupted write; None
    where neither can be made. The name is recorded before the file is made, so that an
    interrupt part-way leaves none that the caller's undo does not remove (probe 152). Returns
    ``asides[target]``."""
    letters = "abcdefghijklmnopqrstuvwxyz0123456789_"
    asides = {} if asides is None else asides
    asides[target] = None
    for _ in range(100):
        part = "".join(secrets.choice(letters) for _ in range(_TEMP_RANDOM - len(_ASIDE_MARK)))
        aside = target.with_name(f".{target.name}.{_ASIDE_MARK}{part}.tmp")
        if os.path.lexists(aside):
            continue
        asides[target] = aside
        try:
            os.link(target, aside, follow_symlinks=False)
            return asides[target]
        except FileExistsError:  # made by another meanwhile: not ours to remove
            asides[target] = None
            continue
        except OSError:
            pass
        try:
            with open(target, "rb") as source, open(aside, "xb") as copy:
                shutil.copyfileobj(source, copy)
            shutil.copymode(target, aside)
            return asides[target]
        except FileExistsError:
            asides[target] = None
            continue
        except OSError:
            with contextlib.suppress(OSError):
                aside.unlink()
            asides[target] = None
            return None
    return None


def error_behind(err: BaseException, kind: type[_E]) -> _E | None:
    """``err`` if it is a ``kind``, else the first ``kind`` it was raised while handling."""
    seen: set[int] = set()
    cause: BaseException | None = err
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, kind):
            return cause
        seen.add(id(cause))
        cause = cause.__context__
    return None


def folder_owner_for_root(folder: Path) -> tuple[int, int] | None:
    """``(uid, gid)`` of ``folder`` when this process is root and ``folder`` is another user's:
    what a file root makes there is given (:func:`kept_owner`); None otherwise."""
    try:
        if os.geteuid() != 0:
            return None
        st = folder.stat()
    except (OSError, AttributeError):  # no geteuid on Windows
        return None
    return (st.st_uid, st.st_gid) if st.st_uid != 0 else None


def kept_owner(target: Path) -> tuple[int, int] | None:
    """``(uid, gid)`` that a file root writes at ``target`` keeps: the replaced file's, else (a
    new file) its folder's, where that is another user's; None otherwise (not root, or root's).
    Probe 114 L1: root resuming a user's run (sudo) replaced config.json, checkpoint.pt,
    results.json, learning_curve.png with root:root files (mode 0600 kept), which their owner
    could no longer read; probe 97 row 45 kept only iteration_times.json theirs."""
    try:
        if not os.path.lexists(target):
            return folder_owner_for_root(target.parent)
        if os.geteuid() != 0:
            return None
        st = target.stat()
    except (OSError, AttributeError):
        return None
    return (st.st_uid, st.st_gid) if st.st_uid != 0 else None


def give_to_folder_owner(made: Sequence[Path]) -> None:
    """Folders this process just made (``made``, deepest first) inside another user's folder take
    that folder's owner when this process is root, as the files root writes there do
    (:func:`kept_owner`). Probe 116 S4, S5: root (sudo) pointed at a user's ``RAMBO_ENV_CACHE``
    made ``cache/`` or ``datasets/<id>/`` root's, so the files in them were root's too and the
    user could no longer write the cache."""
    if not made:
        return
    owner = folder_owner_for_root(Path(made[-1]).parent)
    if owner is None:
        return
    for folder in made:
        with contextlib.suppress(OSError):  # root squashed on NFS: root's they stay
            os.chown(folder, *owner)


class UmaskError(ValueError):
    """The process's umask would make the folders it creates unusable by this user."""


def check_umask_for_folders(folder: Path) -> None:
    """:class:`UmaskError` naming the umask when a folder made now (``folder``, missing) would not
    be readable, writable and enterable by this user: checked before it is made, so nothing is
    left. Probe 145 R2: under ``umask 277`` a new run folder was refused as "cannot write
    …/.lock (Permission denied); pick a writable folder" in a writable ``runs/``, and a new Minari
    root as "not writable" (the folders were made r-x by the umask)."""
    existing = next((p for p in Path(folder).parents if _exists(p)), Path("."))
    refusal = umask_refusal(
        _umask(existing),
        f"{folder} cannot be made",
        "the folders and files made",
        "nothing was made",
    )
    if refusal is not None:  # probe 148: each lost permission named (umask_refusal)
        raise UmaskError(refusal)


def check_umask_for_run(run_dir: Path, resume: bool, sweep: bool = False) -> None:
    """:class:`UmaskError` naming the umask when a session in the existing run folder ``run_dir``
    (a ``--resume``, or a new run in an existing folder) would make files and folders this user
    could not write, read back or enter (:func:`rambo_env.umask.umask_refusal`), before any work.
    Probe 148 row 4: ``--resume`` under ``umask 277`` went on; its new TensorBoard event file
    (0400) could not be appended to, so logging was switched off at its first iteration.
    ``sweep``: ``run_dir`` is an existing (empty) sweep folder (probe 151 row 1: a new sweep there
    under ``umask 277`` prepared its datasets, then failed in Ray or in each trial)."""
    use = "used for a sweep" if sweep else "used for a run"
    refusal = umask_refusal(
        _umask(Path(run_dir)),
        f"{run_dir} cannot be {'resumed' if resume else use}",
        "the files and folders a session makes",
        "nothing was changed",
        nothing=(
            "none of its new files (sweep.json, the trials' run files)"
            if sweep
            else "none of its new files (TensorBoard's event file, a new results.json)"
        ),
    )
    if refusal is not None:
        raise UmaskError(refusal)


def umask_now(folder: Path = Path(".")) -> int:
    """The process's umask (:func:`_umask`, read without changing it), for other modules."""
    return _umask(Path(folder))


def _file_mode(path: Path) -> int:
    """The mode a plain ``open(path, "w")`` would give: the old file's, else 0666 less the umask
    (:func:`_umask`)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask(path.parent)


def _umask(folder: Path) -> int:
    """The process's umask, read without changing it: Linux's ``/proc/self/status`` (``Umask:``),
    else the mode a probe file made 0666 in ``folder`` gets (removed at once); 022 if neither can
    be read. Probe 118 row 36: it was read by setting it (``os.umask(0o022)``) and setting it back,
    process-wide: a file another thread made meanwhile got 022's mode instead of its umask's."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8) & 0o777
    probe = folder / f".rambo-tmp-{os.getpid()}-{threading.get_ident()}-umask"
    with contextlib.suppress(OSError):
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            return 0o666 & ~os.fstat(fd).st_mode & 0o777
        finally:
            os.close(fd)
            with contextlib.suppress(OSError):
                probe.unlink()
    return 0o022


def safe_reason(err: BaseException) -> str:
    """``Type: first line`` of a library error, without advice to load untrusted data unsafely."""
    lines = re.sub(r"\x1b\[[0-9;]*m", "", str(err)).strip().splitlines()  # torch's colours
    text = lines[0][:160].strip() if lines else ""
    # probe 109 row 3: torch's "Weights only load failed. … you have two options, " was quoted
    # cut there, with terminal escape codes in it
    if text.lower().startswith("weights only load failed"):
        text = (
            "it holds pickled Python objects, which are not loaded (not a file this project wrote)"
        )
    elif any(w in text for w in ("weights_only", "allow_pickle", "unsafe", "pickle.load")):
        text = "not a file this project wrote"
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
