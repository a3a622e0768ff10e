"""The labelled incidents set: strike reports with the real event each tells of.

Reports become ``ArticleRecord`` the way production makes them: a plain-text
page through the enrich stage's own extract + classify function.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from newsingest.errors import InvalidRecordError
from newsingest.records import ArticleRecord, PageRecord, UrlHints, stable_id

MAX_CHARS = 1_000_000


@dataclass(frozen=True, slots=True)
class LabelledReport:
    """One report and the real event it tells of.

    ``background`` marks a report about a strike that is not itself a strike
    report (a funeral, a vow of revenge, a blame story: the classifier's
    definition excludes them), so the stage, which reads ``news.strikes``, is
    not meant to see it.
    """

    id: str
    event: str
    url: str
    title: str
    published_at: str
    text: str
    background: bool = False


def load_reports(path: Path) -> list[LabelledReport]:
    """Every report of a YAML file, or of the ``*.yaml`` files of a folder."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    reports: list[LabelledReport] = []
    for file in files:
        items = yaml.safe_load(file.read_text(encoding="utf-8")) or []
        if not isinstance(items, list):
            raise InvalidRecordError(f"{file}: expected a list of reports")
        for item in items:
            try:
                background = item.get("background", False)
                if not isinstance(background, bool):
                    raise TypeError(f"background must be true or false, not {background!r}")
                fields = {k: str(item[k]) for k in _FIELDS}
                reports.append(LabelledReport(**fields, background=background))
            except (KeyError, TypeError, AttributeError) as exc:
                raise InvalidRecordError(f"{file}: report {item!r:.60}: {exc}") from None
    if len({r.id for r in reports}) != len(reports):
        raise InvalidRecordError(f"{path}: report ids are not unique")
    return reports


_FIELDS = ("id", "event", "url", "title", "published_at", "text")


def as_page(report: LabelledReport) -> PageRecord:
    """The report as the fetch stage would have delivered it: a text/plain page."""
    return PageRecord(
        url_id=stable_id(report.url),
        url=report.url,
        final_url=report.url,
        status=200,
        fetched_at=report.published_at,
        content_type="text/plain",
        charset="utf-8",
        body=report.text,
        hints=UrlHints(title=report.title, published_at=report.published_at),
    )


def enrich_report(report: LabelledReport) -> ArticleRecord:
    """Extract and classify a report with the production code path."""
    from newsingest.enrich.work import build_article  # heavy: gazetteers, patterns

    return build_article(as_page(report), MAX_CHARS)
