"""Dates in news text ("Wednesday night", "on 4 January", "last Friday") resolved to days."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# Case-sensitive (news capitalises months and weekdays): much faster than IGNORECASE.
# Every form starts a word with a digit or one of the words in the look-ahead: checked first,
# it turns away the other word starts at once (2x faster than a "\\b" before each form).
_DATE = re.compile(
    rf"""
    (?<!\w)(?=\d|Jan|Feb|Ma[ry]|Apr|Ju[nl]|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun
        |[Ll]ast|[Tt](?:his|oday|onight)|[Yy]esterday|[Oo]vernight|[Ee]arlier|[Ii]n|[Ss]ince
        |[Dd]uring)
    (?:
      (?P<iso>(?P<iy>(?:19|20)\d\d)-(?P<im>[01]\d)-(?P<id>[0-3]\d))\b
    | (?P<dm_d>[0-3]?\d)(?:st|nd|rd|th)?\s+(?P<dm_m>{_MONTH})\b\.?(?:,?\s+(?P<dm_y>(?:19|20)\d\d))?
    | (?P<md_m>{_MONTH})\.?\s+(?P<md_d>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<md_y>(?:19|20)\d\d))?
    | (?:(?P<last>[Ll]ast|[Tt]his\s+past)\s+)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b
    | (?P<rel>[Yy]esterday|[Tt]oday|[Tt]onight|[Ll]ast\s+night|[Oo]vernight|[Tt]his\s+morning|[Ee]arlier\s+today)\b
    | (?:[Ii]n|[Ss]ince|[Dd]uring)\s+(?P<yr>(?:19|20)\d\d)\b
    | [Ii]n\s+(?:early\s+|late\s+|mid-)?(?P<mo>{_MONTH})\b(?!\.?\s+[0-3]?\d\b)(?:\s+(?P<mo_y>(?:19|20)\d\d))?
    )
    """,
    re.VERBOSE,
)
# Words without which a sentence holds no date: a cheap test before the regex above.
TRIGGERS: tuple[str, ...] = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "yesterday", "today", "tonight", "overnight",
    "last night", "this morning", *(str(y) for y in range(1990, 2036)),
)  # fmt: skip
_ISO_PREFIX = re.compile(r"\b((?:19|20)\d\d)-([01]\d)-([0-3]\d)\b")
_RELATIVE = {"yesterday": -1, "last night": -1}


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    day: date | None
    """None for a written-out date whose year cannot be told (no publication date)."""
    explicit: bool
    """A calendar date written out (not a weekday or "yesterday")."""
    month_only: bool = False
    """ "in January", "in 2019": ``day`` is the first of that month or year."""
    has_year: bool = False


def reference_day(published_at: str | None, text: str) -> date | None:
    """The day of publication; else an ISO date at the very start of the text (a metadata
    prefix such as " date 2021-02-26" that the cleaner did not remove)."""
    if published_at:
        try:
            return datetime.fromisoformat(published_at.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    m = _ISO_PREFIX.search(text, 0, 40)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    return None


def find_dates(
    text: str,
    start: int,
    end: int,
    ref: date | None,
    around: Sequence[tuple[int, int]] = (),
) -> list[DateMention]:
    """Dates mentioned in ``text[start:end]``, resolved against ``ref`` where needed; with
    ``around`` (the spans of date words), only near those: the regex is the costly part."""
    if start < 40 and _after_metadata_prefix(text, start):
        start = max(start, 40)
    out: list[DateMention] = []
    # The windows are apart from each other: no date is found twice.
    for lo, hi in _windows(around, start, end) if around else [(start, end)]:
        for m in _DATE.finditer(text, lo, hi):
            _add(m, ref, out)
    return out


def _windows(around: Sequence[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """Stretches around date words, wide enough for "on 28 December 2023"; overlapping or
    touching ones merged, so that they lie apart, in order."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(around):
        lo, hi = max(start, a - 30), min(end, b + 16)
        if lo >= hi:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def _add(m: re.Match[str], ref: date | None, out: list[DateMention]) -> None:
    if m.lastgroup == "wd":  # most dates are weekdays: the other forms' groups are all unset
        if ref is not None:
            out.append(DateMention(m.start(), m.end(), _weekday(m, ref), False))
        return
    explicit = m["wd"] is None and m["rel"] is None
    day = _resolve(m, ref)
    if day is not None or explicit:
        vague = m["mo"] is not None or m["yr"] is not None
        year = bool(m["yr"] or m["mo_y"] or m["dm_y"] or m["md_y"] or m["iso"])
        out.append(DateMention(m.start(), m.end(), day, explicit, vague, year))


def _after_metadata_prefix(text: str, start: int) -> bool:
    """Text that opens with a metadata date ("date 2021-02-26 ...") not part of the story."""
    return start < 40 and _ISO_PREFIX.search(text, 0, 40) is not None


def _resolve(m: re.Match[str], ref: date | None) -> date | None:
    try:
        if m["yr"]:
            return date(int(m["yr"]), 1, 1)
        if m["mo"]:
            month = _MONTHS[m["mo"][:3].lower()]
            if m["mo_y"]:
                return date(int(m["mo_y"]), month, 1)
            if ref is None:
                return None
            if month == ref.month:
                return None  # "in January" read in January: too vague to place
            return date(ref.year if month < ref.month else ref.year - 1, month, 1)
        if m["iso"]:
            return date(int(m["iy"]), int(m["im"]), int(m["id"]))
        if m["dm_m"] or m["md_m"]:
            month = _MONTHS[(m["dm_m"] or m["md_m"])[:3].lower()]
            day = int(m["dm_d"] or m["md_d"])
            year_text = m["dm_y"] or m["md_y"]
            if year_text:
                return date(int(year_text), month, day)
            if ref is None:
                return None
            guess = date(ref.year, month, day)
            # A day-month after the publication day is last year's ("on 28 December", read in January).
            return guess if guess <= ref + timedelta(days=1) else date(ref.year - 1, month, day)
    except ValueError:
        return None
    if ref is None:
        return None
    if m["wd"]:
        return _weekday(m, ref)
    rel = " ".join(m["rel"].lower().split())
    return ref + timedelta(days=_RELATIVE.get(rel, 0))


def _weekday(m: re.Match[str], ref: date) -> date:
    back = (ref.weekday() - _WEEKDAYS[m["wd"].lower()]) % 7
    if m["last"] and back == 0:
        back = 7
    return ref - timedelta(days=back)
