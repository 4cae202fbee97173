"""Checks of the values a caller or a config gives, and their wording: whole numbers and reals that
are no bools (:func:`is_int`, :func:`is_real`), a config's fields and their types
(:func:`check_field_types`, :func:`check_field_ranges`), seeds, flags and state dicts, the type a
value should have had (:func:`type_name`), and the words of a message (:func:`counted`,
:func:`with_article`, :func:`some_names`).

Split out of :mod:`rambo_env.run_io`, which still exports these names
(``run_io.check_seed``).
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
import typing
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "AGENT_SEED_LIMIT",
    "RUN_SEED_LIMIT",
    "SEED_LIMIT",
    "check_batch_within_rows",
    "check_called_with",
    "check_field_ranges",
    "check_field_types",
    "check_flag",
    "check_seed",
    "check_state_dict",
    "counted",
    "is_int",
    "is_real",
    "items_of",
    "python_fields",
    "python_scalar",
    "sb3_ent_coef",
    "some_names",
    "type_name",
    "with_article",
]


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 iteration`` / ``2 iterations``: ``n`` and ``noun`` in its number for a message
    (``plural``: when it is not ``noun + "s"``). Probe 41: "1 iterations", "a batch of 1
    observations"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def check_batch_within_rows(name: str, batch_size: Any, rows: Any, source: str) -> None:
    """ValueError when ``batch_size`` is more than the ``rows`` a batch is drawn from (with
    replacement): every batch would repeat each row. ``source``: what the rows are, after "the
    N rows" (e.g. "the mixed replay buffer samples from (…)"). The agent's and the adversary's
    batches say it alike (probe 98 row 38: ``AdversaryConfig(batch_size=5000)`` on 1200 rows ran
    without a word while the agent's was refused)."""
    if not (is_int(batch_size) and is_int(rows)) or batch_size <= rows:
        return
    raise ValueError(
        f"{name}: {batch_size} is more than the {rows} rows {source}: every batch would repeat "
        f"each row ~{batch_size // max(rows, 1)} times; give at most {rows} (the paper's batch: 256)"
    )


def _current_class(kind: type) -> Any:
    """The class its module holds now under ``kind``'s qualified name (None when gone)."""
    held: Any = sys.modules.get(kind.__module__)
    for part in kind.__qualname__.split("."):
        held = getattr(held, part, None)
    return held


def _holders(expected: type) -> list[str]:
    """The modules other than ``expected``'s own that hold ``expected`` itself by its name (e.g.
    ``agents.cotrain`` after ``from agents.cotrain_setup import CotrainConfig``)."""
    found = []
    for mod_name, module in list(sys.modules.items()):
        held = getattr(module, "__dict__", None)
        if (
            mod_name != expected.__module__
            and isinstance(held, dict)
            and held.get(expected.__name__) is expected
        ):
            found.append(mod_name)
    ours = [m for m in found if m.split(".")[0] in ("agents", "rambo_env", "scripts")]
    return sorted(ours or found)


def type_name(value: Any, expected: type, name: str) -> str:
    """``type(value).__name__`` for an error that expected an ``expected`` as argument ``name``;
    for an instance of another ``expected`` (same module and name, another class object: its
    module was reloaded in between) which side is stale, and what to do. Probe 77 row 19: after
    ``importlib.reload(agents.cotrain)`` the error read "expected an agents.cotrain.CotrainConfig,
    got CotrainConfig". Probe 78 row 29: a value built from the RELOADED class (the function's
    module still holding the older one) was told to be built again with the reloaded class."""
    kind = type(value)
    if kind is expected or (kind.__module__, kind.__qualname__) != (
        expected.__module__,
        expected.__qualname__,
    ):
        return kind.__name__
    current = _current_class(kind)
    if current is kind:  # the value is of the reloaded class; the function holds the older one
        holders = _holders(expected)
        reload = (
            " / ".join(f"importlib.reload({m})" for m in holders[:3])
            if holders
            else "importlib.reload(<the module of the function you called>)"
        )
        return (
            f"{with_article(kind.__name__)} of the class {kind.__module__} holds now, while the "
            f"function you called was bound to its class from before {kind.__module__} was "
            f"reloaded (importlib.reload or %autoreload); reload the function's module too "
            f"({reload}, then call it again from there) or restart the kernel / process"
        )
    rebuild = (
        f"{kind.__name__}(**dataclasses.asdict({name}))"
        if dataclasses.is_dataclass(value)
        else f"a new {kind.__name__}(…)"
    )
    if current is not expected:  # neither is the class the module holds now
        return (
            f"{with_article(kind.__name__)} from another import of {kind.__module__} (reloaded "
            "since, and the function you called holds an older or newer class than the value); "
            "restart the kernel / process"
        )
    return (
        f"{with_article(kind.__name__)} from an earlier import of {kind.__module__} (the module was reloaded "
        f"since it was built: importlib.reload or %autoreload); build it again with the reloaded "
        f"class, e.g. {rebuild}, or restart the kernel / process"
    )


#: Letters whose name starts with a vowel sound, read as such where they start an abbreviation
#: (an MLEConfig, an HDF5 file, an fp32 run, an ndarray).
_VOWEL_SOUND_LETTERS = frozenset("fhlmnrsx")


#: Two-consonant starts of ordinary words after such a letter (a float, a str, a shape).
_WORD_STARTS = frozenset(
    {"fl", "fr", "rh", "sc", "sh", "sk", "sl", "sm", "sn", "sp", "sq", "st", "sw"}
)


def with_article(word: str) -> str:
    """``word`` after its indefinite article: ``an expert``, ``an EnsembleConfig``, ``an
    MLEConfig``, ``an ndarray``, but ``a LearnedMDP``, ``a str``, ``a uint8`` (probe 41: "a expert
    dataset", "a EnsembleConfig"). Read by its first letters: a vowel; or a letter named with a
    vowel sound (f, h, l, m, n, r, s, x) before a consonant that no ordinary word puts there, as
    in an abbreviation."""
    low = str(word).lower()
    if low.startswith(("a", "e", "i", "o")):
        vowel = True
    elif low.startswith("u"):  # an update, a uint8 / unique / user
        vowel = not low.startswith(("uin", "uni", "use", "usu", "uti"))
    else:
        vowel = (
            low in _VOWEL_SOUND_LETTERS
            or (  # an x
                len(low) > 1
                and low[0] in _VOWEL_SOUND_LETTERS
                and low[1] not in "aeiouy"
                and low[:2] not in _WORD_STARTS
            )
        )
    return f"{'an' if vowel else 'a'} {word}"


def some_names(names: Sequence[str]) -> str:
    """``a, b, c and 4 more``: the first three of ``names`` for a one-line message."""
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return ", ".join(names[:3]) + more


#: Seeds are below this: torch's generators take 64 bits, and the seeds derived from one (worker,
#: episode and rollout seeds: ``seed + i``) must fit too (was: ``--seed 99999999999999999999``
#: gave torch's raw ``Overflow when unpacking long long``, after the dataset load).
SEED_LIMIT = 2**63


#: An SB3 agent's seed (``agents.factory.make_agent(…, seed=…)``) is below this: SB3's
#: ``set_random_seed`` seeds numpy's legacy global generator (``np.random.seed``), which takes 32
#: bits (probe 141: ``seed=2**40`` passed the :data:`SEED_LIMIT` check, then numpy's raw "Seed
#: must be between 0 and 2**32 - 1").
AGENT_SEED_LIMIT = 2**32


#: A co-training run's seed (``CotrainConfig.seed``, each seed of a sweep, every script's
#: ``--seed``) is below this: below :data:`AGENT_SEED_LIMIT` too, with room for the seeds derived
#: from it (``seed + i``), so every run seed is also a valid agent and generator seed.
RUN_SEED_LIMIT = 2**31


def check_called_with(fn: Callable[..., Any], args: tuple[Any, ...], what: str, usage: str) -> None:
    """ValueError ``"WHAT: NAME(SIGNATURE) USAGE"`` when ``fn``'s signature cannot take the
    positional ``args`` it will be called with (a user's hook: probe 22, probe 36 row 77: a
    ``lambda: …`` was a raw TypeError only after the setup and a whole iteration). A callable
    without a signature (a builtin) is taken as it is."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(*args)
    except TypeError:
        name = getattr(fn, "__qualname__", type(fn).__name__)
        raise ValueError(f"{what}: {name}{signature} {usage}") from None


def check_seed(seed: Any, what: str = "seed", limit: int = SEED_LIMIT) -> int:
    """``seed`` as an int in [0, ``limit``) (numpy's generators refuse negative seeds with a raw
    error, torch's those of 64 bits or more); ValueError naming ``what`` otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"{what}: expected an int >= 0, got {seed!r}")
    if seed >= limit:
        raise ValueError(
            f"{what}: {seed} is too large: expected an int in [0, 2**{limit.bit_length() - 1})"
        )
    return int(seed)


def check_state_dict(state: Any, keys: Sequence[str], owner: str) -> None:
    """``state`` is a dict holding ``keys``, as ``<owner>.state_dict()`` returns; one ValueError
    naming what is missing or unknown (probe 18: a raw ``KeyError: 'optimizer'`` / "'NoneType'
    object is not subscriptable" from ``load_state_dict``)."""
    missing = [k for k in keys if not isinstance(state, dict) or k not in state]
    unknown = sorted(map(str, set(state) - set(keys))) if isinstance(state, dict) else []
    if missing or unknown:  # probe 22: unknown keys (another object's state) were ignored
        got = (
            type(state).__name__
            if not isinstance(state, dict)
            else f"a dict without {missing}"
            if missing
            else f"a dict with unknown key(s) {unknown}"
        )
        raise ValueError(
            f"state: expected what {owner}.state_dict() returns (a dict of {list(keys)}), got {got}"
        )


def is_int(value: Any) -> bool:
    """A python / numpy integer, not a bool (a config's count or seed)."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def python_scalar(value: Any) -> Any:
    """A numpy integer as a Python int, a numpy float as a Python float, anything else (a bool,
    numpy's bool, None, a string) unchanged: for arguments handed on to libraries that test
    ``isinstance(x, int)`` / ``float`` (probe 55: SB3 refused ``train_freq=(np.int64(2), "step")``
    and a ``np.float32`` learning rate with misleading errors)."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def python_fields(obj: Any) -> None:
    """Each numpy scalar field of the dataclass ``obj`` (frozen or not) as its Python value
    (:func:`python_scalar`; numpy's bool as bool), after the config's checks accepted it: a
    config's fields go into JSON (run folders, cache keys, dataset metadata), which refuses
    numpy numbers (probe 61: ``MLEConfig(seed=np.int64(1))`` passed its checks, then
    ``make_mdp`` failed on "Object of type int64 is not JSON serializable" after the load)."""
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        if isinstance(value, np.bool_):
            object.__setattr__(obj, field.name, bool(value))
        elif isinstance(value, np.integer | np.floating):
            object.__setattr__(obj, field.name, python_scalar(value))
        elif isinstance(value, tuple) and any(isinstance(v, np.generic) for v in value):
            object.__setattr__(obj, field.name, tuple(map(python_scalar, value)))


def is_real(value: Any) -> bool:
    """A python / numpy int or float, not a bool or a string (a config's real number)."""
    return is_int(value) or isinstance(value, float | np.floating)


def sb3_ent_coef(value: Any) -> tuple[str, float] | None:
    """An ``ent_coef`` as SB3's SAC (TQC, CrossQ) reads it: ``("auto", α₀)`` for text starting
    with ``auto`` (α₀ = 1.0, or the text between the first and second ``_``: ``auto_0.1`` ->
    0.1), ``("fixed", α)`` for a number or its text; None where SB3 could not read it. Probe 92
    rows 75, 76: two runs' ``1e-1`` and ``0.1`` (``auto_1.0`` and ``auto``) were compared as text
    and called other settings."""
    try:
        if isinstance(value, str) and value.startswith("auto"):
            return ("auto", float(value.split("_")[1]) if "_" in value else 1.0)
        return ("fixed", float(value)) if is_real(value) or isinstance(value, str) else None
    except (ValueError, IndexError):
        return None


def items_of(
    value: Any,
    field: str,
    expect: str,
    ok: Callable[[Any], bool],
    what: str = "value",
    single: str | None = None,
) -> tuple:
    """``value``, a tuple, list or 1-d numpy array of items that each pass ``ok``, as a tuple of
    them (a numpy array's as Python scalars); else one ValueError naming ``field``, ``expect`` and
    what was wrong: not a sequence, a numpy array of another shape, or the first item that fails
    ``ok`` (called a ``what``); ``single``: what a lone number given instead means (``"one hidden
    layer"``: "for one hidden layer give (8,)"). Probe 44: ``hidden_dims=np.array([8, 8, 8, 8])`` was refused with
    "expected ints, got array([8, 8, 8, 8])" although a list of np.int64 was taken."""
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise ValueError(
                f"{field}: expected {expect}, got a {value.ndim}-d numpy array of shape "
                f"{value.shape}; give a 1-d array or a tuple"
            )
        value = value.tolist()
    if not isinstance(value, tuple | list):
        got = "None" if value is None else f"{with_article(type(value).__name__)} {value!r}"
        raise ValueError(
            f"{field}: expected {expect}, got {got}"
            + (f" (for {single} give ({value!r},))" if single and is_real(value) else "")
        )
    for i, item in enumerate(value):
        if not ok(item):
            kind = "" if is_int(item) else f" ({with_article(type(item).__name__)})"
            raise ValueError(
                f"{field}: expected {expect}, got {tuple(value)!r}: {what} {i} is {item!r}{kind}"
            )
    return tuple(value)


def check_field_types(obj: Any, hint: str = "fix the value (e.g. in config.json)") -> None:
    """Each field of the dataclass ``obj`` has its annotated type (a hand-edited ``config.json``
    or ledger ``index.json``: ``"3"``, ``3.7``); one ValueError naming the field and ``hint``.

    int: a python / numpy integer, not bool; float: int or float, not bool; bool: only bool;
    str: only str; ``X | None`` also allows None. Numpy numbers that pass are stored as Python
    ones (:func:`python_fields`).
    """
    hints = typing.get_type_hints(type(obj))
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        annotated = hints[field.name]
        # in the annotation's order: the message is the same in every process (a set's order of
        # types follows their ids; session 46's CI saw "None | str | PathLike" once)
        written = typing.get_args(annotated) if typing.get_origin(annotated) else (annotated,)
        allowed = set(written)
        if value is None and type(None) in allowed:
            continue
        kinds = allowed - {type(None)}
        if isinstance(value, bool | np.bool_):
            ok = bool in kinds
        elif is_int(value):
            ok = bool(kinds & {int, float})
        elif is_real(value):
            ok = float in kinds
        else:  # os.PathLike[str]: its origin (probe 135: a field annotated with what it accepts)
            ok = any(isinstance(value, typing.get_origin(k) or k) for k in kinds)
        if not ok:
            names = " | ".join(
                "None" if k is type(None) else getattr(k, "__name__", str(k)) for k in written
            )
            raise ValueError(
                f"{field.name}: expected {names}, got {value!r} ({type(value).__name__}); {hint}"
            )
    python_fields(obj)  # probe 61: numpy numbers reach JSON as Python ones


def check_field_ranges(owner: str, obj: Any, checks: dict[str, tuple[bool, str]]) -> None:
    """``checks`` maps each field of ``obj`` to (its value is in range, what the field takes); one
    ValueError ``OWNER.FIELD: expected TAKES, got VALUE`` for the first out of range (issue 14:
    was "invalid value nan", naming no range)."""
    for name, (ok, expected) in checks.items():
        if not ok:
            raise ValueError(f"{owner}.{name}: expected {expected}, got {getattr(obj, name)!r}")


def check_flag(value: Any, what: str) -> bool:
    """``value`` as a bool (``True`` / ``False``, numpy's too); ValueError naming ``what``
    otherwise (was: any truthy value switched the option on, so ``compile="no"`` compiled)."""
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{what}: expected True or False, got {type(value).__name__} {value!r}")
    return bool(value)
