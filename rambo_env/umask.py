"""What a umask that takes the owner's own permission away does to the folders and files a
session makes, in one refusal (:func:`umask_refusal`), said before any work.

``umask 277`` makes folders 0500 and files 0400: nothing can be written in a new folder, and a
new file (a resumed session's TensorBoard event file, its appends) cannot be written again;
``umask 400`` / ``477`` make files the owner cannot read back and folders it cannot list;
``umask 100`` folders it cannot enter (its files, 0666, open as usual: probe 151 row 4 was
"none of its new files … could be opened"). Probe 145 R2 (a new run folder, Minari root, cache),
probe 148 rows 4 (``--resume`` under 277 went on, its TensorBoard logs switched off at its
first iteration) and 4b (the wording for 400 / 477 / 700 / 777 spoke of writing alone).
No torch, no run_io: :mod:`rambo_env.run_io` reads the umask and raises.
"""

from __future__ import annotations

__all__ = ["owner_denied", "umask_refusal"]

#: The owner's bits a folder needs to be used (and a file, less search): what is lost without
#: each, in the order said (search: of a folder only, said apart in :func:`umask_refusal`).
_OWNER_BITS = (
    (0o400, "read", "read back"),
    (0o200, "write", "written"),
    (0o100, "search (enter)", "entered"),
)

#: What to do, in every refusal.
_FIX = "set umask 022 (or 077 to keep others out) and rerun"


def _listed(words: list[str], last: str) -> str:
    """``a``, ``a or b``, ``a, b or c`` (``last``: "or" / "and")."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def owner_denied(mask: int) -> list[str]:
    """The owner's permissions ``mask`` takes away from what is made: ``read``, ``write``,
    ``search (enter)`` (in that order); empty for a usable umask (022, 077, 027)."""
    return [word for bit, word, _ in _OWNER_BITS if mask & bit]


def umask_refusal(
    mask: int, subject: str, made: str, kept: str, nothing: str = "nothing in them"
) -> str | None:
    """The refusal of ``subject`` (``"runs/u1 cannot be made"``) under ``mask``, or None when the
    owner keeps read, write and search: which permission is lost on ``made`` (``"the folders
    made"``), their modes, what of ``nothing`` could then not be done, the fix, and ``kept``
    (``"nothing was made"``). Each lost permission is named (probe 148: ``umask 400`` was said to leave "no read
    permission …, so nothing could be written in them", while writing was what it left)."""
    denied = owner_denied(mask)
    if not denied:
        return None
    modes = f"folders mode {0o777 & ~mask:03o}, files {0o666 & ~mask:03o}"
    if not mask & 0o600:  # probe 151 row 4: files keep read and write (umask 100: 0666)
        return (
            f"{subject}: umask {mask:03o} leaves no search (enter) permission for you on {made} "
            f"({modes}), so no new folder could be entered (new files can still be opened): "
            f"{_FIX}; {kept}"
        )
    # search is a folder's alone: said of the folders, read and write of the files
    lost = [what for bit, _, what in _OWNER_BITS[1:2] + _OWNER_BITS[:1] if mask & bit]
    folders = ", and no new folder could be entered" if mask & 0o100 else ""
    return (
        f"{subject}: umask {mask:03o} leaves no {_listed(denied, 'or')} permission for you on "
        f"{made} ({modes}), so {nothing} could be {_listed(lost, 'or')}{folders}: {_FIX}; {kept}"
    )
