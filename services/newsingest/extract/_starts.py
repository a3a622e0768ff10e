"""What a regular expression can start with, read from its source.

``starts(regex)`` gives the ASCII characters (lower-cased) that a match can begin
with, or None when that is not plain to see. It reads a small, common part of the
syntax: groups of alternatives, quantifiers (``?``, ``*`` and ``{0,n}`` let the next
atom start the match too) and atoms that match one character (a literal, ``.``, an
escape such as ``\\d`` or ``\\(``, a class), whose ASCII characters are found by
trying the atom on each of them. Anything else where a match may start (``\\b``,
lookarounds, inline flags, backreferences) gives None, which is always safe: it
only means the pattern gets tried on every line.

Atoms are tried with and without IGNORECASE, and characters compared lower-cased,
so the answer holds in both modes, for a line that starts with an ASCII character
(the only ones it is asked about).
"""

from __future__ import annotations

import re

_ASCII = [chr(code) for code in range(128)]
_REPEAT = re.compile(r"([?*+])|\{(\d*)(,?)(\d*)\}")
_NOT_ONE_CHARACTER = frozenset("bBAZxuUN0123456789")  # after "\\": zero-width, or longer


class _UnclearError(Exception):
    """The source is outside the syntax read here."""


def starts(regex: str) -> frozenset[str] | None:
    if "(?#" in regex:
        return None  # a comment may hold any character: not read here
    try:
        chars, can_be_empty = _alternatives(regex)
    except _UnclearError:
        return None
    return None if can_be_empty else frozenset(chars)


def _alternatives(regex: str) -> tuple[set[str], bool]:
    chars: set[str] = set()
    can_be_empty = False
    for alternative in _split_alternatives(regex):
        found, empty = _sequence(alternative)
        chars |= found
        can_be_empty = can_be_empty or empty
    return chars, can_be_empty


def _sequence(regex: str) -> tuple[set[str], bool]:
    """The first characters of a run of atoms, and whether the whole run can be empty."""
    chars: set[str] = set()
    at = 0
    while at < len(regex):
        found, empty, at = _atom(regex, at)
        least, at = _repeat(regex, at)
        chars |= found
        if least > 0 and not empty:
            return chars, False  # this atom is always there: later ones do not start it
    return chars, True


def _atom(regex: str, at: int) -> tuple[set[str], bool, int]:
    """The first characters of the atom at ``at``, whether it can be empty, where it ends."""
    char = regex[at]
    if char == "(":
        if regex.startswith("(?:", at):
            inner = at + 3
        elif regex.startswith("(?", at):
            raise _UnclearError  # lookaround, flags, named group...
        else:
            inner = at + 1
        end = _closing(regex, at)
        chars, empty = _alternatives(regex[inner:end])
        return chars, empty, end + 1
    if char == "[":
        end = _class_end(regex, at)
    elif char == "\\":
        if regex[at + 1 : at + 2] in _NOT_ONE_CHARACTER:
            raise _UnclearError
        end = at + 2
    elif char in "^$*+?{}|)":
        raise _UnclearError
    else:
        end = at + 1
    return _ascii_matching(regex[at:end]), False, end


def _ascii_matching(atom: str) -> set[str]:
    """The ASCII characters (lower-cased) that a one-character atom matches, with or
    without IGNORECASE (a negated class matches more without it)."""
    try:
        compiled = [re.compile(atom), re.compile(atom, re.IGNORECASE)]
    except re.error:
        raise _UnclearError from None
    return {char.lower() for char in _ASCII if any(c.fullmatch(char) for c in compiled)}


def _repeat(regex: str, at: int) -> tuple[int, int]:
    """The least number of times a quantifier at ``at`` allows (1 without one), and its end."""
    found = _REPEAT.match(regex, at)
    if found is None:
        return 1, at
    end = found.end()
    if regex[end : end + 1] in ("?", "+"):
        end += 1  # lazy or possessive: the same least number
    if found[1]:
        return (1 if found[1] == "+" else 0), end
    if not found[2] and not found[4]:
        raise _UnclearError  # "{}", "{,}": a literal brace in Python, not a repeat
    return int(found[2] or 0), end


def _split_alternatives(regex: str) -> list[str]:
    """The alternatives of ``regex`` at its top level (not inside groups or classes)."""
    alternatives = []
    start = at = 0
    while at < len(regex):
        if regex[at] == "|":
            alternatives.append(regex[start:at])
            start = at + 1
            at += 1
        else:
            at = _skip(regex, at)
    alternatives.append(regex[start:])
    return alternatives


def _skip(regex: str, at: int) -> int:
    """The end of the escape, class, group or character at ``at``, read as syntax only."""
    char = regex[at]
    if char == "\\":
        return at + 2
    if char == "[":
        return _class_end(regex, at)
    if char == "(":
        return _closing(regex, at) + 1
    return at + 1


def _closing(regex: str, at: int) -> int:
    """Where the group opened at ``at`` closes."""
    at += 1
    while at < len(regex):
        if regex[at] == ")":
            return at
        at = _skip(regex, at)
    raise _UnclearError


def _class_end(regex: str, at: int) -> int:
    """The end of the class opened at ``at`` (a "]" first in it is a member)."""
    at += 1
    if regex[at : at + 1] == "^":
        at += 1
    if regex[at : at + 1] == "]":
        at += 1
    while at < len(regex) and regex[at] != "]":
        at += 2 if regex[at] == "\\" else 1
    if at >= len(regex):
        raise _UnclearError
    return at + 1
