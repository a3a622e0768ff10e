"""``newsingest incidents FILE.jsonl``: link enriched records offline, print the incidents.

Input: one ``ArticleRecord`` JSON per line, as ``newsingest enrich`` prints
them (``-`` reads stdin). Records not tagged as strikes are skipped, as the
stage only sees ``news.strikes``. Output: the latest version of each incident
as one JSON line, in the order the incidents opened; ``--all-versions``
prints every version instead, as the stage would publish them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from newsingest.errors import InvalidRecordError
from newsingest.incidents.config import LinkerConfig
from newsingest.incidents.linker import IncidentLinker
from newsingest.incidents.record import IncidentRecord
from newsingest.records import ArticleRecord, decode, encode


def _parser() -> argparse.ArgumentParser:
    defaults = LinkerConfig()
    parser = argparse.ArgumentParser(prog="newsingest incidents", description=__doc__)
    parser.add_argument("file", help="JSON lines of enriched records, or - for stdin")
    parser.add_argument("--all-versions", action="store_true")
    parser.add_argument(
        "--by-time", action="store_true", help="link in publication order, not file order"
    )
    parser.add_argument("--link-threshold", type=float, default=defaults.link_threshold)
    parser.add_argument("--close-after-days", type=float, default=defaults.close_after_days)
    return parser


def read_articles(lines: TextIO, name: str) -> Iterator[ArticleRecord]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield decode(ArticleRecord, line)
        except InvalidRecordError as exc:
            raise InvalidRecordError(f"{name}:{number}: {exc}") from None


def main(argv: Sequence[str] | None = None, *, out: TextIO = sys.stdout) -> int:
    args = _parser().parse_args(argv)
    config = LinkerConfig(
        link_threshold=args.link_threshold, close_after_days=args.close_after_days
    )
    try:
        if args.file == "-":
            articles = list(read_articles(sys.stdin, "<stdin>"))
        else:
            with Path(args.file).open(encoding="utf-8") as lines:
                articles = list(read_articles(lines, args.file))
    except (OSError, InvalidRecordError) as exc:
        print(f"newsingest incidents: {exc}", file=sys.stderr)
        return 2
    strikes = [a for a in articles if a.tags.strike.is_strike]
    if args.by_time:
        strikes.sort(key=lambda a: a.published_at or a.fetched_at)
    latest: dict[str, IncidentRecord] = {}
    linker = IncidentLinker(config)
    for article in strikes:
        for record in [linker.link(article), *linker.close_stale()]:
            latest[record.incident_id] = record
            if args.all_versions:
                out.write(encode(record).decode() + "\n")
    if not args.all_versions:
        for record in latest.values():
            out.write(encode(record).decode() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
