"""The scripts' command lines: what argparse takes silently or names badly, refused in one clear
line (an option given twice with different values, a negative number taken for an option, an
unknown or mistyped option, a stray word, a value given to a switch, a dash pasted from a PDF),
did-you-mean hints, and shell quoting for the commands a message prints.

Every script's parser goes through :func:`accept_negative_numbers`. Split out of
:mod:`rambo_env.run_io`, which still exports these names (``run_io.accept_negative_numbers``).
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shlex
import string
import sys
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rambo_env.provenance import script_command  # stdlib only: no cycle

#: How close (difflib's ratio) a value must be to a choice for :func:`did_you_mean` to name it:
#: a one-letter slip of a 3-letter name (``tqd``: 0.67) is, ``autoreset`` for ``dataset`` (0.62,
#: probe 41; difflib's default cutoff 0.6 named it) is not.
DID_YOU_MEAN_CUTOFF = 0.65


def did_you_mean(value: Any, choices: Sequence[str]) -> str:
    """``" (did you mean 'td3'?)"`` for a ``value`` that is one of ``choices`` in another case or
    close to one (a typo, :data:`DID_YOU_MEAN_CUTOFF`), else ``""`` (probe 34: ``--algo TD3`` was
    only "unknown agent")."""
    import difflib

    if not isinstance(value, str):
        return ""
    close = [c for c in choices if c.lower() == value.lower()] or difflib.get_close_matches(
        value.lower(), list(choices), n=1, cutoff=DID_YOU_MEAN_CUTOFF
    )
    return f" (did you mean {close[0]!r}?)" if close else ""


def empty_item_problem(text: str, form: str) -> str | None:
    """``"an empty item in 'a,' (a stray comma?); give 'name,name,...'"`` when a comma-separated
    list ``text`` has an empty item, else None; ``form`` is the list's shape. One wording for
    every list flag (probe 157: mle_quality.py ``--variants 64:1e-3,`` was "got ''", where
    sweep.py's ``--datasets`` / ``--seeds`` said "a stray comma?")."""
    if all(item.strip() for item in text.split(",")):
        return None
    return f"an empty item in {text!r} (a stray comma?); give {form!r}"


def unknown_option_hint(parser: argparse.ArgumentParser, word: str) -> str:
    """``" (…)"`` for an option ``word`` that ``parser`` does not know: what that name of another
    codebase is here (:data:`rambo_env.ported_names.OTHER_NAMES`: ``--epoch`` is
    ``--n-iterations``, ``--rollout-freq`` has no setting), else :func:`did_you_mean` among its
    options. Probe 134 rows 1-7: spelling alone sent ``--rollout-freq`` to ``--rollout-length``
    and ``--epoch`` to ``--bc-epochs``. A list flag's singular (sweep.py's ``--seed`` for
    ``--seeds``, ``--config`` for ``--configs``) is its typo, not another codebase's name. The
    parser's ``field_flags`` (its own option of a config field) come first, also for cotrain.py's
    own name of a field (make_dataset.py's ``--dataset``: ``--env --level``; probe 137), and its
    ``field_notes`` replace the table's notes."""
    from rambo_env.ported_names import other_name_hint, parser_field_names

    name = word.partition("=")[0]
    options = [o for o in parser._option_string_actions if o.startswith("--")]
    known = {o.lstrip("-").replace("-", "_") for o in options}
    known |= {o[:-1] for o in known if o.endswith("s")}
    own: Mapping[str, str] = getattr(parser, "field_flags", {})
    key = name.lstrip("-").lower().replace("-", "_")
    if key in own and key not in known:  # probe 137: cotrain.py's own option, on another script
        return f" ({name} is cotrain.py's option; this script's is {own[key]})"
    notes = getattr(parser, "field_notes", None)
    hint = other_name_hint(name, parser_field_names(parser), fields=known, notes=notes)
    return f" ({hint})" if hint else did_you_mean(name, options)


#: Every option value a script reads as a negative number (argparse's own pattern, ``-5`` /
#: ``-.5``, misses ``-1e3``, ``-5e0``, ``-inf``, ``-nan``: "expected one argument" for those).
NEGATIVE_NUMBER = re.compile(r"^-(?:\d|\.\d|inf$|infinity$|nan$)", re.IGNORECASE)


def accept_negative_numbers(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Make ``parser`` take ``--flag -1e3`` / ``--flag -inf`` as a value, as it does ``-5``.

    The scripts have no option that looks like a negative number, so this is safe; it sets
    argparse's pattern for such values (a private attribute: argparse has no public hook).
    """
    parser._negative_number_matcher = NEGATIVE_NUMBER
    return refuse_conflicting_options(parser)


#: Namespace attribute where :func:`refuse_conflicting_options` keeps what a parse has set.
_GIVEN = "_options_given_so_far"


def _same_value(a: Any, b: Any) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and a != a and b != b)


def refuse_conflicting_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Make ``parser`` refuse one option given twice with different values: two spellings of
    it (``--k 2 --rollout-length 5``, ``--lam`` with ``--adversary-weight``,
    ``--progress --no-progress``) or one spelling repeated (``--resume A --resume B``).
    Probe 33: argparse took the last one without a word. The same value repeated is fine.
    Applied by :func:`accept_negative_numbers`, so every script's parser does it."""
    for action in parser._actions:
        kinds = (argparse._StoreAction, argparse._StoreConstAction, argparse.BooleanOptionalAction)
        if action.option_strings and isinstance(action, kinds):
            action.__class__ = _once_action(type(action), parser)
    if not getattr(parser, "_drops_given", False):
        parse_known_args, get_values = parser.parse_known_args, parser._get_values

        def get_values_keeping_raw(action: argparse.Action, arg_strings: list[str]) -> Any:
            # Probe 57 row 3: the refusal showed the converted values, "((0,) vs (1,))" for
            # "--seeds 0 --seeds 1"; the strings as typed are kept for it (:func:`_once_action`).
            if getattr(action, "_once", False):
                action._typed = list(arg_strings)  # type: ignore[attr-defined]
            return get_values(action, arg_strings)

        parser._get_values = get_values_keeping_raw  # type: ignore[method-assign]

        def parse_dropping_given(args: Any = None, namespace: Any = None) -> Any:
            argv = sys.argv[1:] if args is None else list(args)
            check_typed_dashes(parser, argv)  # probe 125 rows 27-28: before it is taken as a value
            check_switch_with_value(parser, argv)  # probe 143: "ignored explicit argument 'auto'"
            # probe 125 rows 62-63: a blank / carriage-return word, before argparse's "the
            # following arguments are required"; after it, with the words it left over
            odd = odd_stray_word(parser, argv)
            if odd is not None:
                parser.error(odd)
            after_end = _words_after_options_end(parser, argv)
            if after_end is not None:  # before argparse's "the following arguments are required"
                parser.error(after_end)
            parsed, extra = parse_known_args(argv, namespace)
            if extra[-1:] == ["--"] and _options_end(argv) == len(argv) - 1:
                # probe 129 row 14: a trailing "--" (nothing after it) was "unrecognized
                # arguments: --" where the parser has no positional to take it
                extra = extra[:-1]
            odd = odd_stray_word(parser, argv, extra)
            if odd is not None:
                parser.error(odd)
            vars(parsed).pop(_GIVEN, None)
            return parsed, extra

        parser.parse_known_args = parse_dropping_given  # type: ignore[method-assign]

        def parse_naming_unknown_options(args: Any = None, namespace: Any = None) -> Any:
            # probe 136 R1-R2: argparse's bare "unrecognized arguments: --n-transition 10" (no
            # did-you-mean since allow_abbrev=False), or a positional blamed for the value of
            # an unknown option ("curves.py --ou x a=b": "… got 'x'")
            argv = sys.argv[1:] if args is None else list(args)
            unknown = _unknown_option_words(parser, argv)
            if unknown:
                parser.error(unrecognized_arguments(parser, unknown))
            parsed, extra = parser.parse_known_args(argv, namespace)
            if extra:
                check_switch_with_value(parser, argv, extra)  # probe 143: bench --compile auto
                parser.error(unrecognized_arguments(parser, extra))
            return parsed

        parser.parse_args = parse_naming_unknown_options  # type: ignore[method-assign]
        parser._drops_given = True  # type: ignore[attr-defined]
    return parser


def unrecognized_arguments(parser: argparse.ArgumentParser, extra: Sequence[str]) -> str:
    """argparse's ``unrecognized arguments: --n-transition 10``, with what the first unknown
    option of ``extra`` is (:func:`unknown_option_hint`: ``(did you mean '--n-transitions'?)``,
    another codebase's name). Every script's words left over end here (probe 136 R1: only
    cotrain.py and sweep.py named the option meant; the others said argparse's bare line)."""
    option = next((w for w in extra if w.startswith("--") and len(w) > 2), None)
    hint = unknown_option_hint(parser, option) if option is not None else ""
    return f"unrecognized arguments: {' '.join(extra)}{hint}"


def _unknown_option_words(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """The first ``--option`` of ``argv`` (before ``--``) that ``parser`` does not know, with
    the words after it that argparse would leave over with it (none where the parser takes
    positional words: they are its own), else ``[]``. Named before the parse: argparse reports
    a missing required option or a positional's bad value first (probe 136 R2). Words with a
    typographic dash or a blank / control character are left to :func:`odd_stray_word`."""
    end = _options_end(argv)
    for i, word in enumerate(argv[:end]):
        if not word.startswith("--") or len(word) == 2 or shown_word(word) != word:
            continue
        if _typed_dash(word) is not None or _option_action(parser, word) != "unknown":
            continue
        words = [word]
        if not _takes_positionals(parser) and "=" not in word:
            words += itertools.takewhile(
                lambda w: _option_action(parser, w) is None and shown_word(w) == w,
                argv[i + 1 : end],
            )
        return words
    return []


#: Dashes a PDF, slide or word processor puts where a command has ``-`` (probe 125 rows 27-28).
TYPOGRAPHIC_DASHES = {
    "\u2010": "a Unicode hyphen (U+2010)",
    "\u2011": "a non-breaking hyphen (U+2011)",
    "\u2012": "a figure dash (U+2012)",
    "\u2013": "an en dash (U+2013)",
    "\u2014": "an em dash (U+2014)",
    "\u2015": "a horizontal bar (U+2015)",
    "\u2212": "a minus sign (U+2212)",
}


_DASHED_OPTION = re.compile("^[-" + "".join(TYPOGRAPHIC_DASHES) + "]+[A-Za-z]")


def shown_word(word: str) -> str:
    """A command-line word as a message shows it: as typed, or quoted with escapes (``' '``,
    ``'\\r'``) where it is empty, blank at an end or holds a control character (probe 125 row
    63: a raw carriage return in a message)."""
    return word if word and word.isprintable() and word.strip() == word else repr(word)


def _option_action(parser: argparse.ArgumentParser, word: str) -> Any:
    """``(action, explicit value or None)`` where argparse reads ``word`` as a known option
    (``--seed``, ``--seed=0``, an unambiguous ``--se``), ``"unknown"`` where it reads it as an
    unknown option (a stray word), ``None`` where it reads it as a value (argparse's
    ``_parse_optional``, for the scripts' parsers: no positionals, no short-option clusters)."""
    if not word or word[0] not in parser.prefix_chars or len(word) == 1:
        return None
    actions = parser._option_string_actions
    name, eq, value = word.partition("=")
    if word in actions:
        return actions[word], None
    if eq and name in actions:
        return actions[name], value
    if parser.allow_abbrev and word.startswith("--"):
        matches = [o for o in actions if o.startswith(name)]
        if len(matches) == 1:
            return actions[matches[0]], (value if eq else None)
    negative = parser._negative_number_matcher.match(word)
    if (negative and not parser._has_negative_number_optionals) or " " in word:
        return None
    return "unknown"


class StrayWord(typing.NamedTuple):
    """A word ``parse_known_args`` left over, where it stands in the command line."""

    at: int  # its index in argv
    option: int | None  # argv index of the option whose value(s) it directly follows, if any
    action: argparse.Action | None  # that option's action


def stray_words(
    parser: argparse.ArgumentParser, argv: list[str], extra: list[str] | None = None
) -> list[StrayWord] | None:
    """Where each of ``extra`` (what ``parser.parse_known_args(argv)`` left over) stands in
    ``argv``, found by walking ``argv`` as argparse does; ``None`` where the walk does not give
    back ``extra`` (a command line it does not model). Without ``extra``: the words the walk
    finds no option takes (positionals too), before argparse parses. Probe 125 rows 13-14: the
    scripts found the first stray word with ``argv.index``, the first equal word ("0" of
    ``--seed 0`` for ``--seed 0 --lam 3e-4 0``), and said only "unrecognized arguments: 0"."""
    found: list[StrayWord] = []
    after: tuple[int, argparse.Action] | None = None
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--" and i == len(argv) - 1:
            break  # probe 135: a trailing "--" (nothing after it) is dropped by the parse
        if word == "--":
            return None
        option = _option_action(parser, word)
        if option is None or option == "unknown":
            found.append(StrayWord(i, *(after or (None, None))))
            after, i = None, i + 1
            continue
        action, explicit = option
        after, i = (i, action), i + 1
        if explicit is None and action.nargs is None:
            i += 1
        elif explicit is None and isinstance(action.nargs, int):
            i += action.nargs
        elif explicit is None and action.nargs in ("?", "*", "+"):
            while i < len(argv) and _option_action(parser, argv[i]) is None:
                i += 1
                if action.nargs == "?":
                    break
    if extra is not None and [argv[s.at] for s in found] != list(extra):
        return None
    return found


def _typed_dash(word: str) -> str | None:
    """The first typographic dash (en dash, em dash, ...) of ``word``'s leading dashes where
    ``word`` is an option typed with one (``–-lam``, ``—seed``), else ``None``."""
    if not _DASHED_OPTION.match(word):
        return None
    lead = word[: len(word) - len(word.lstrip("-" + "".join(TYPOGRAPHIC_DASHES)))]
    return next((c for c in lead if c in TYPOGRAPHIC_DASHES), None)


def _dash_message(parser: argparse.ArgumentParser, word: str, dash: str) -> str:
    name, eq, value = word.partition("=")
    fixed = "--" + name.lstrip("-" + "".join(TYPOGRAPHIC_DASHES))
    known = isinstance(_option_action(parser, fixed), tuple)
    typed = f"{fixed}{eq}{value}" if known else "the option with two plain hyphens"
    if not known:
        typed += f" ({fixed} is no option of this script{unknown_option_hint(parser, fixed)})"
    path = (
        # probe 131 R2: a positional path such as ledger.py's run folder '–dash' was refused
        # as a mistyped option, without a word on how to pass it
        f"; if it is a path, write {shell_quote('./' + word)} or put it after -- (-- {shell_quote(word)})"
        if _takes_positionals(parser) and not known
        else ""
    )
    return (
        f"{word!r} starts with {TYPOGRAPHIC_DASHES[dash]}, not '--' (a command copied "
        f"from a PDF, slide or web page?): type {typed}{path}"
    )


def _words_after_options_end(parser: argparse.ArgumentParser, argv: list[str]) -> str | None:
    """The refusal of words after ``--`` where ``parser`` takes no positional words, else
    ``None``. Probe 135: ``cotrain.py … --seed 1 -- --lam 0`` was "unrecognized arguments: --
    --lam 0 (did you mean '--k'?)", the ``--`` itself taken for a mistyped option."""
    end = _options_end(argv)
    if end >= len(argv) - 1:
        return None
    if any(not action.option_strings for action in parser._actions):
        return None
    words = " ".join(argv[end + 1 :])
    prog = parser.prog
    if argv[end + 1].startswith("-"):
        return (
            f"{prog} takes no positional words; `--` ends the options, so {words!r} after it "
            "was not read as an option: remove the `--`"
        )
    return (
        f"{prog} takes no positional words; `--` ends the options, so {words!r} after it is a "
        "stray word: remove the `--` and give it to its option (or delete it)"
    )


def switch_value_message(
    parser: argparse.ArgumentParser, action: argparse.Action, given: str, word: str
) -> str:
    """``--compile auto`` / ``--compile=auto`` / ``--no-compile yes``: a switch takes no value,
    said naming the spelling ``given`` and the ways to set it (probe 142 row 6, probe 143: was
    argparse's "unrecognized arguments: auto" / "ignored explicit argument 'auto'"). The unset
    value is ``parser.switch_unset(action)`` where the script sets it (cotrain: a preset's
    value), else the action's default."""
    if isinstance(action, argparse.BooleanOptionalAction):
        on = next(o for o in action.option_strings if not o.startswith("--no-"))
        off = f"--no-{on[2:]}"
        unset = getattr(parser, "switch_unset", None)
        if unset is not None:
            leave = unset(action)
        elif action.default is None:
            leave = "auto"
        else:
            leave = f"{'on' if action.default else 'off'} (the default)"
        return (
            f"{given} takes no value (got {word!r}): give {on} for on, {off} for off; leave "
            f"{on} / {off} out for {leave}"
        )
    return f"{given} takes no value (got {word!r}): give {given} alone, or leave it out"


def check_switch_with_value(
    parser: argparse.ArgumentParser, argv: list[str], extra: list[str] | None = None
) -> None:
    """Refuse a value given to a switch (an option of no value) with
    :func:`switch_value_message`: ``--switch=WORD`` before the parse; without ``extra``, or
    ``--switch WORD`` where ``WORD`` is the first of ``extra`` (what the parse left over)."""
    if extra is None:
        for i, word in enumerate(argv[: _options_end(argv)]):
            flag, eq, value = word.partition("=")
            action = parser._option_string_actions.get(flag) if eq else None
            before = parser._option_string_actions.get(argv[i - 1]) if i else None
            if before is not None and before.nargs not in (0, "?", "*"):
                continue  # the value of the option before it
            if action is not None and action.nargs == 0:
                parser.error(switch_value_message(parser, action, flag, value))
        return
    stray = (stray_words(parser, argv, extra) or [None])[0]
    if stray is None or stray.option is None or stray.action is None:
        return
    if stray.action.nargs == 0 and stray.at == stray.option + 1 and "=" not in argv[stray.option]:
        word = argv[stray.at]
        if not word.startswith("-"):
            given = argv[stray.option]
            parser.error(switch_value_message(parser, stray.action, given, word))


def _options_end(argv: list[str]) -> int:
    """The index of ``argv``'s first ``--`` (after it every word is positional), else its
    length."""
    return argv.index("--") if "--" in argv else len(argv)


def check_typed_dashes(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """Refuse an option typed with an en / em dash (``–-lam``, ``—seed``, pasted from a PDF) at
    once, naming the dash and the option to type. Probe 125 rows 27-28: argparse took it as a
    value, and the scripts' "takes one seed per run (got 1 –-lam 0)" suggested
    ``--seeds 1,–-lam,0``. Words whose option this parser lacks are left to
    :func:`odd_stray_word` (a value may start with such a dash). Probe 129 row 10: words after
    ``--`` are positional (a path ``–old``), not options: left alone."""
    for word in argv[: _options_end(argv)]:
        dash = _typed_dash(word)
        if dash is None:
            continue
        fixed = "--" + word.partition("=")[0].lstrip("-" + "".join(TYPOGRAPHIC_DASHES))
        if isinstance(_option_action(parser, fixed), tuple):
            parser.error(_dash_message(parser, word, dash))


def odd_stray_word(
    parser: argparse.ArgumentParser, argv: list[str], extra: list[str] | None = None
) -> str | None:
    """The message for a stray word of ``argv`` (one of ``extra``) that is a slip of the shell or
    of a paste, not a value: a carriage return (a script with Windows line endings), a blank
    word (a space after a line-end backslash), an option typed with an en / em dash. ``None``
    where there is none. Probe 125 rows 62-63: "takes one seed per run (got 0 \\r)". Without
    ``extra``: the words no option takes (:func:`stray_words`), before argparse parses (its
    "the following arguments are required" came first)."""
    strays = stray_words(parser, argv, extra)
    if extra is None:
        extra = [] if strays is None else [argv[s.at] for s in strays]
    for n, word in enumerate(extra):
        stray = strays[n] if strays is not None else None
        if stray is None:
            where = ""
        elif stray.option is not None:
            where = " after " + " ".join(shown_word(w) for w in argv[stray.option : stray.at])
        else:
            where = f" after {shown_word(argv[stray.at - 1])}" if stray.at else " at the start"
        last = stray is not None and stray.at == len(argv) - 1
        if "\r" in word:
            what = "a stray carriage return" if not word.strip() else f"{shown_word(word)}"
            return (
                f"{what}{where}: the shell script that ran this command has Windows line endings "
                "(CRLF), so each line ends in a carriage return and a '\\' at a line end no "
                "longer joins the next line: convert the script (dos2unix run.sh, or "
                "sed -i 's/\\r$//' run.sh, with its name) and run it again"
            )
        if not word.strip():
            slip = (
                "a space after a '\\' at a line end? The shell then ends the command there and "
                "runs the next line as another command: delete the space after the backslash"
                if last
                else "an escaped space ('\\ ')? delete it"
            )
            return f"a stray blank argument {shown_word(word)}{where} ({slip})"
        dash = _typed_dash(word)
        # probe 129 row 10: a word after "--" is positional, whatever dash it starts with
        ended = _options_end(argv)
        positional = stray.at > ended if stray is not None else word not in argv[:ended]
        if dash is not None and not positional:
            if _takes_positionals(parser) and _names_a_path(word):
                continue  # probe 131 R2: a folder '–dash' of ledger.py; an option typo is unlikely
            return _dash_message(parser, word, dash)
    return None


def _takes_positionals(parser: argparse.ArgumentParser) -> bool:
    """Whether ``parser`` takes words without an option (ledger.py's run folders)."""
    return any(not action.option_strings for action in parser._actions)


def _names_a_path(word: str) -> bool:
    """Whether ``word`` names a file or folder (a broken link too) from the current folder."""
    try:
        return os.path.lexists(word)
    except (OSError, ValueError):
        return False


def _once_action(kind: type[argparse.Action], parser: argparse.ArgumentParser) -> type:
    if getattr(kind, "_once", False):
        return kind

    class Once(kind):  # type: ignore[valid-type, misc]
        _once = True

        def __call__(self, parser_: Any, namespace: Any, values: Any, option: Any = None) -> None:
            super().__call__(parser_, namespace, values, option)
            given = vars(namespace).setdefault(_GIVEN, {})
            value = getattr(namespace, self.dest)
            typed = _shown_typed(getattr(self, "_typed", None), value)
            if self.dest in given:
                before, old, typed_before = given[self.dest]
                if not _same_value(old, value):
                    shown = f"{typed_before} vs {typed}"
                    parser.error(
                        f"{option} given twice ({shown}); give it once"
                        if option == before
                        else f"{before} and {option} both given ({shown}); give one"
                    )
            given[self.dest] = (option, value, typed)

    Once.__name__ = kind.__name__
    return Once


def _shown(value: Any) -> str:
    return shell_path(value) if isinstance(value, (str, Path)) else str(value)


def _shown_typed(typed: list[str] | None, value: Any) -> str:
    """An option's value as typed (``0``, ``1e3``, ``a b`` quoted), its parsed value for a flag
    that takes none (``--progress``)."""
    if not typed:
        return _shown(value)
    return " ".join(shell_quote(text) for text in typed)


def shell_quote(text: str) -> str:
    """``text`` quoted for a POSIX shell, as ``shlex.quote``; where the console cannot print
    it (``PYTHONIOENCODING=ascii``, a cp1252 console), bash's ``$'…'`` with the UTF-8 bytes as
    ``\\xNN``, so that a printed command still pastes (probe 25: ``--resume 'r\\xfcn \\u03bb'``,
    Python's escapes, named no folder)."""
    quoted = shlex.quote(text)
    for stream in (sys.stdout, sys.stderr):
        try:
            quoted.encode(getattr(stream, "encoding", None) or "utf-8")
        except (UnicodeEncodeError, LookupError):
            break
    else:
        return quoted
    safe = set(string.ascii_letters + string.digits + " -_./:@%+=,~")
    body = "".join(
        ch if ch in safe else "".join(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogateescape"))
        for ch in text
    )
    return f"$'{body}'"


def shell_path(path: str | os.PathLike[str]) -> str:
    """``path`` as one word of a printed command that pastes: :func:`shell_quote`, and a relative
    path beginning with ``-`` written ``./-x`` (probe 33: ``--resume -x`` was printed, and
    argparse took ``-x`` for an option: "expected one argument")."""
    text = os.fspath(path)
    return shell_quote(f"./{text}" if text.startswith("-") else text)


#: The checkout's scripts folder (the scripts are not in the wheel: absent in an installed one).
SCRIPTS_DIR = Path(__file__).resolve().parent.parent / "scripts"


def script_line(name: str) -> str:
    """``python scripts/NAME`` as a printed command that runs from the working folder: the
    checkout's script relative to it where it lies below it (``scripts/sweep.py`` from the
    checkout's root), else its absolute path (probe 145 R4: ``python scripts/sweep.py --resume
    …`` was printed to a sweep started from another folder, where no such file is); the
    repo-relative name where the checkout has no scripts (an installed wheel). The interpreter
    is named as the recorded command names it (:func:`rambo_env.provenance.script_command`, which
    writes both; probe 148: ``python`` was printed to a session of ``venv/bin/python``)."""
    script = SCRIPTS_DIR / name
    return script_command(script if script.is_file() else Path("scripts", name), shell_quote, False)
