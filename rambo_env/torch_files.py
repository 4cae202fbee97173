"""Reading files that ``torch.save`` wrote: :func:`load_torch_file` (its magic number and pickle
protocol checked first, so a file of something else is said to be one), what a damaged file or
cache entry looks like (:func:`damaged_file`, :func:`damaged_cache_entry`), and
:func:`unreadable_reason` / :func:`zip_not_torch` to say why one cannot be read.

Split out of :mod:`rambo_env.run_io`, which still exports these names
(``run_io.load_torch_file``).
"""

from __future__ import annotations

import contextlib
import pickle
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any

from rambo_env.file_locks import permission_denied
from rambo_env.provenance import NewerFormatError
from rambo_env.requirements import out_of_memory

__all__ = [
    "PickleProtocolError",
    "brief_reason",
    "check_torch_magic",
    "damaged_cache_entry",
    "damaged_file",
    "load_torch_file",
    "unreadable_reason",
    "zip_not_torch",
]


#: What torch.load / np.load and a loader's own format checks raise for a file's bad bytes (cut
#: short, overwritten, not a file of theirs): zip / pickle / zlib / EOF errors, ValueError (the
#: project's format errors), KeyError / IndexError / TypeError of missing or odd entries.
_DAMAGE_ERRORS = (
    ValueError,
    EOFError,
    OSError,
    KeyError,
    IndexError,
    TypeError,
    pickle.UnpicklingError,
    zipfile.BadZipFile,
    zlib.error,
)


#: The texts of torch's RuntimeErrors that are about a file's bytes ("PytorchStreamReader failed
#: reading zip archive", a state dict of other keys or shapes); any other RuntimeError is not.
_DAMAGE_TEXTS = (
    "pytorchstreamreader",
    "error(s) in loading state_dict",
    "archive is corrupted",
    "file in archive is not in a subdirectory",  # probe 109 row 3: a zip torch did not write
)


def damaged_file(err: BaseException) -> bool:
    """Whether ``err``, raised while a cache or checkpoint file was read, says the file itself is
    damaged or foreign (then it may be removed and rebuilt). An allocation failure (MemoryError,
    ``torch.OutOfMemoryError``), the caller's process state (a meta default device:
    NotImplementedError), another RuntimeError, Ctrl-C: no (probe 91 rows 4, 30: any error was
    taken for a corrupt file, and a valid cached model of hours of MLE deleted). A file this
    user may not read (PermissionError in the chain): no, it is another user's, not damaged
    (probe 95 rows 8, 9: another user's flat dataset cache was deleted, or the load failed)."""
    if out_of_memory(err) or isinstance(
        err, NotImplementedError | NewerFormatError | PickleProtocolError
    ):
        return False
    if permission_denied(err):
        return False
    if isinstance(err, RuntimeError):
        return any(text in str(err).lower() for text in _DAMAGE_TEXTS)
    return isinstance(err, _DAMAGE_ERRORS)


def damaged_cache_entry(err: BaseException) -> bool:
    """Whether ``err``, raised while a file of the library's own cache (``RAMBO_ENV_CACHE``: a
    cached dynamics model, an MLE pretraining checkpoint) was read, lets the entry be reported,
    removed and rebuilt: a damaged file (:func:`damaged_file`), or one saved with a pickle
    protocol the weights-only load cannot read (:class:`PickleProtocolError`: re-saved by a user
    or a tool; probe 135: every rerun stopped on "re-save it", for a file nobody needs to keep)."""
    return damaged_file(err) or isinstance(err, PickleProtocolError)


def unreadable_reason(err: BaseException, path: str | Path) -> str:
    """Why the file ``path`` could not be read, from ``err``, for a line that says the file is
    removed (the path and a :class:`PickleProtocolError`'s "re-save it" advice left out)."""
    said = str(err).replace(f"{path}: ", "")
    if isinstance(err, PickleProtocolError):
        return said.split(": re-save it")[0]
    return f"{type(err).__name__}: {said}"


def brief_reason(said: str, limit: int = 240) -> str:
    """An error's text for a one-line message: its first line (with the next where the first
    only announces it, ``…:``); where that is longer than ``limit`` characters, cut after its
    last whole sentence or clause that fits (else its last whole word), and `` …`` where
    anything is left out. Session 51: a damaged MLE checkpoint's line quoted torch's text cut
    at 160 characters, mid-word and mid-sentence."""
    lines = [line.strip() for line in said.strip().splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].endswith(":"):  # a line that only announces the next
        lines[:2] = [f"{lines[0]} {lines[1]}"]
    first = lines[0] if lines else ""
    if len(first) <= limit and len(lines) <= 1:
        return first
    head = first[:limit]
    end = max(head.rfind(". "), head.rfind("; "))
    if end >= limit // 2:
        return head[: end + 1] + " …"
    if len(first) <= limit:
        return first + " …"  # the lines after it left out
    return head.rsplit(" ", 1)[0] + " …"


def check_torch_magic(path: str | Path) -> None:
    """ValueError ``not a torch file: it does not begin as one`` unless ``path`` begins as
    ``torch.save``'s zip archive does (``PK\\x03\\x04``), read before ``torch.load``. Other bytes
    reach torch's legacy reader: probe 63, its noise ("KeyError: 1785425525"); probe 128 row 7,
    for a pickle, torch's ``UserWarning: Detected pickle protocol 4 in the checkpoint`` before
    the load's own clear error (and that raw warning as the error under ``-W error``)."""
    with open(path, "rb") as fp:
        head = fp.read(23)
    # Probe 130 R1 / R2: torch's legacy (pre-1.6, ``_use_new_zipfile_serialization=False``)
    # format is a pickle that begins with torch's magic number; torch still reads it.
    body = head[2:]
    if body[:1] == b"\x95":  # pickle protocol 4+: a FRAME opcode and its 8-byte length first
        body = body[9:]
    legacy = head[:1] == b"\x80" and body[:12] == _TORCH_LEGACY_MAGIC
    if head[:4] != b"PK\x03\x04" and not legacy:
        raise ValueError("not a torch file: it does not begin as one")


#: The highest pickle protocol torch's weights-only unpickler reads (torch 2.x: 4 and 5 begin
#: with a FRAME opcode it lacks, "Unsupported operand 149"; 3 loads, with a UserWarning per
#: pickle: five for a legacy-format file). Probe 131 R4.
_WEIGHTS_ONLY_PROTOCOL = 3


class PickleProtocolError(ValueError):
    """A torch file whose pickle protocol torch's weights-only load cannot read
    (:func:`load_torch_file`): never a damaged file (:func:`damaged_file`), and its message
    says how to re-save it."""


def _pickle_protocol(path: str | Path) -> int | None:
    """The pickle protocol of a torch file: of its zip archive's ``data.pkl``, or of the legacy
    format's first pickle; None where it has none."""
    with contextlib.suppress(OSError, ValueError, zipfile.BadZipFile, StopIteration):
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                name = next(n for n in archive.namelist() if n.endswith("/data.pkl"))
                with archive.open(name) as fp:
                    head = fp.read(2)
        else:
            with open(path, "rb") as fp:
                head = fp.read(2)
        if head[:1] == b"\x80" and len(head) == 2:
            return head[1]
    return None


def load_torch_file(path: str | Path, map_location: Any = "cpu", **kwargs: Any) -> Any:
    """``torch.load(path, weights_only=True)`` after :func:`check_torch_magic`, without torch's
    "Detected pickle protocol 3" UserWarning: a file it loads was read whole (an opcode its
    unpickler lacks raises), and protocols it cannot read are refused first. Probe 131 R4: a
    legacy-format protocol-3 actor printed that warning five times (and failed under -W error)."""
    import torch

    check_torch_magic(path)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="Detected pickle protocol", category=UserWarning
            )
            return torch.load(path, map_location=map_location, weights_only=True, **kwargs)
    except pickle.UnpicklingError:
        protocol = _pickle_protocol(path)
        if protocol is None or protocol <= _WEIGHTS_ONLY_PROTOCOL:
            raise
        legacy = not zipfile.is_zipfile(path)
        form = "torch's legacy (pre-1.6, non-zip) format" if legacy else "torch's zip format"
        raise PickleProtocolError(
            f"{path}: a torch file in {form} saved with pickle protocol {protocol} "
            f"(torch.save(..., pickle_protocol={protocol})), which torch.load(weights_only=True) "
            f"of torch {torch.__version__} cannot read (its safe unpickler reads protocols up to "
            f"{_WEIGHTS_ONLY_PROTOCOL}): re-save it where it was written with torch.save's "
            "default protocol (torch.save(obj, path), no pickle_protocol)"
        ) from None


_TORCH_LEGACY_MAGIC = b"\x8a\x0a" + bytes.fromhex("6cfc9c46f9206aa85019")


def zip_not_torch(path: str | Path) -> str | None:
    """What the zip archive ``path`` is when ``torch.save`` did not write it (an SB3 agent's
    ``agent.zip``, another zip), or None: not a zip (torch.load says what is wrong), or torch's
    layout (every member in one folder, with its ``data.pkl``). Probe 109 row 3: such a zip
    passed the ``PK`` check and was torch's raw "[enforce fail at inline_container.cc:180] .
    file in archive is not in a subdirectory: data"."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, ValueError, zipfile.BadZipFile):
        return None
    folders = {name.split("/", 1)[0] for name in names}
    if len(folders) == 1 and all("/" in n for n in names):
        if any(n.endswith("/data.pkl") for n in names):
            return None
    if {"data", "policy.pth"} <= set(names):
        return (
            "a Stable-Baselines3 agent (agent.save): load it with "
            "agents.factory.AGENT_CLASSES[algo].load(path)"
        )
    shown = ", ".join(names[:4]) + (", …" if len(names) > 4 else "")
    return f"a zip archive that torch.save did not write (it holds {shown or 'nothing'})"
