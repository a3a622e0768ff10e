"""Before the body: a metadata prefix (a date label, a byline) and the title repeated."""

from __future__ import annotations

import re
from datetime import date, datetime

from newsingest.extract import _model as reason
from newsingest.extract._para import Para
from newsingest.extract._patterns import PATTERNS
from newsingest.records import Removal

_LEAD_LINES = 3  # metadata prefixes are looked for in the first lines only
_MAX_BYLINE_CHARS = 200
_ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_DAY_MONTH_YEAR = r"\d{1,2}(?:st|nd|rd|th)?\.? [^\W\d]{3,9}\.?,? \d{4}"
_MONTH_DAY_YEAR = r"[^\W\d]{3,9}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}"
_TIME = r"(?:,? (?:at )?\d{1,2}[:.]\d{2}(?: ?[ap]\.?m\.?)?(?: [A-Z]{2,4})?)?"
_DATE_PREFIX = re.compile(
    rf"(?:(?:{PATTERNS.metadata.pattern})\s*[:|–—-]?\s*)?"
    rf"(?P<date>{_ISO_DATE}|{_DAY_MONTH_YEAR}|{_MONTH_DAY_YEAR}){_TIME}(?:\s*[|–—-]\s*|\s+|$)",
    re.IGNORECASE,
)
_BYLINE_AFFILIATION = re.compile(r"\s*[|–—]\s*|\s+-\s+")
_TITLE_PARTS = re.compile(r"\s+[|–—-]\s+")


def strip_lead(paras: list[Para]) -> tuple[str | None, list[str]]:
    """Remove leading date labels and bylines; return the date (ISO) and the names."""
    published_at: str | None = None
    authors: list[str] = []
    for para in paras[:_LEAD_LINES]:
        if not para.kept or para.heading:
            continue
        match = _DATE_PREFIX.match(para.text) if len(para.text) > 9 else None
        found = _parse_date(match["date"]) if match else None
        if match and found:
            published_at = published_at or found
            rest = para.text[match.end() :].strip()
            if rest:
                para.before.append(Removal(match[0].strip(), reason.METADATA_PREFIX))
                para.text = rest
                break
            para.reason = reason.METADATA_PREFIX
            continue
        if len(para.text) <= _MAX_BYLINE_CHARS and PATTERNS.byline.fullmatch(para.text):
            para.reason = reason.METADATA_PREFIX
            authors = _byline_names(para.text)
            continue
        break
    return published_at, authors


def _parse_date(found: str) -> str | None:
    try:
        if found[:4].isdigit():
            parsed = datetime.fromisoformat(found) if len(found) > 10 else date.fromisoformat(found)
            return parsed.isoformat()
        parts = found.replace(",", " ").replace(".", " ").split()
        if parts[0][:1].isdigit():
            day, month, year = parts[0], parts[1], parts[2]
        else:
            month, day, year = parts[0], parts[1], parts[2]
        number = PATTERNS.months.get(month.casefold()) or PATTERNS.months.get(month.casefold()[:3])
        if number is None:
            return None
        return date(int(year), number, int(day.rstrip("stndrh"))).isoformat()
    except (ValueError, IndexError):
        return None


def _byline_names(line: str) -> list[str]:
    names = line.split(" ", 1)[1] if " " in line else ""
    names = _BYLINE_AFFILIATION.split(names, maxsplit=1)[0]
    return [n.strip(" ,") for n in PATTERNS.byline_names.split(names) if n.strip(" ,")]


def drop_title_line(paras: list[Para], title: str) -> None:
    """The title repeated as a leading line, also without the site name ("Opinion | ...")."""
    full = " ".join(title.split()).casefold()
    wanted = {full} | {p for p in _TITLE_PARTS.split(full) if p.count(" ") >= 2}
    for para in paras[:_LEAD_LINES]:
        if para.kept and para.text.casefold() in wanted:
            para.reason = reason.DUPLICATE
            return
