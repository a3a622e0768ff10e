"""``newsingest eval incidents [PATH]``: pairwise precision and recall of linking.

Every pair of reports is a question, "same incident?"; the labelled ``event``
is the answer. Precision is the share of pairs linked together that are truly
one event; recall the share of true pairs that ended up linked. The reports go
through extraction and the classifier first (the production path), then the
linker, in publication order, closing stale incidents as the stage does.
Exits 1 when either figure is below its goal.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from newsingest.incidents.config import LinkerConfig
from newsingest.incidents.dataset import LabelledReport, enrich_report, load_reports
from newsingest.incidents.linker import IncidentLinker
from newsingest.records import ArticleRecord

DEFAULT_PATH = Path("tests/data/incidents")


@dataclass(frozen=True, slots=True)
class PairScore:
    true_positive: int
    false_positive: int
    false_negative: int

    @property
    def precision(self) -> float:
        linked = self.true_positive + self.false_positive
        return self.true_positive / linked if linked else 1.0

    @property
    def recall(self) -> float:
        same = self.true_positive + self.false_negative
        return self.true_positive / same if same else 1.0


def pair_score(gold: dict[str, str], predicted: dict[str, str]) -> PairScore:
    """Score predicted incident ids against gold event labels, both keyed by report id."""
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(gold), 2):
        same_gold = gold[a] == gold[b]
        same_pred = predicted[a] == predicted[b]
        tp += same_gold and same_pred
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    return PairScore(tp, fp, fn)


def link_all(
    articles: Iterable[tuple[str, ArticleRecord]], config: LinkerConfig
) -> tuple[dict[str, str], float]:
    """Link reports in the order given; each report's incident id, and seconds spent linking."""
    linker = IncidentLinker(config)
    incident_of: dict[str, str] = {}
    merged_into: dict[str, str] = {}
    spent = 0.0
    for report_id, article in articles:
        started = time.perf_counter()
        record = linker.link(article)
        retired = linker.close_stale()
        spent += time.perf_counter() - started
        incident_of[report_id] = record.incident_id
        merged_into |= {r.incident_id: r.merged_into for r in retired if r.merged_into}
    return {rid: _final(iid, merged_into) for rid, iid in incident_of.items()}, spent


def _final(incident_id: str, merged_into: dict[str, str]) -> str:
    """Where an incident ended up, following merges (closed ones stay themselves)."""
    while incident_id in merged_into:
        incident_id = merged_into[incident_id]
    return incident_id


def _parser() -> argparse.ArgumentParser:
    defaults = LinkerConfig()
    parser = argparse.ArgumentParser(prog="newsingest eval incidents", description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--min-precision", type=float, default=0.95)
    parser.add_argument("--min-recall", type=float, default=0.95)
    parser.add_argument("--link-threshold", type=float, default=defaults.link_threshold)
    parser.add_argument("--date-window-days", type=int, default=defaults.date_window_days)
    parser.add_argument("--follow-days", type=int, default=defaults.follow_days)
    parser.add_argument("--max-distance-km", type=float, default=defaults.max_distance_km)
    parser.add_argument("--close-after-days", type=float, default=defaults.close_after_days)
    parser.add_argument("--errors", action="store_true", help="list wrongly split or joined pairs")
    parser.add_argument(
        "--strikes-only",
        action="store_true",
        help="link only reports the classifier tags as strikes, as the stage does "
        "(the others stay alone); by default every labelled report is linked",
    )
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO = sys.stdout) -> int:
    args = _parser().parse_args(argv)
    config = LinkerConfig(
        link_threshold=args.link_threshold,
        date_window_days=args.date_window_days,
        follow_days=args.follow_days,
        max_distance_km=args.max_distance_km,
        close_after_days=args.close_after_days,
    )
    reports = load_reports(args.path)
    reports.sort(key=lambda r: (r.published_at, r.id))
    articles = [(r.id, enrich_report(r)) for r in reports]
    untagged = {rid for rid, a in articles if not a.tags.strike.is_strike}
    linked = [(rid, a) for rid, a in articles if not (args.strikes_only and rid in untagged)]
    predicted, spent = link_all(linked, config)
    predicted |= {rid: f"alone:{rid}" for rid in untagged if rid not in predicted}
    gold = {r.id: r.event for r in reports}
    score = pair_score(gold, predicted)
    print(
        f"reports {len(reports)} ({len(untagged)} not tagged as strikes by the classifier)  "
        f"events {len(set(gold.values()))}  incidents {len(set(predicted.values()))}\n"
        f"pairs: same event {score.true_positive + score.false_negative}, "
        f"linked {score.true_positive + score.false_positive}, "
        f"correct {score.true_positive}\n"
        f"precision {score.precision:.3f}  recall {score.recall:.3f}  "
        f"(goal {args.min_precision:.2f} / {args.min_recall:.2f})\n"
        f"linking {spent / max(1, len(linked)) * 1e3:.3f} ms/report",
        file=out,
    )
    if args.errors:
        _print_errors(reports, predicted, out)
    ok = score.precision >= args.min_precision and score.recall >= args.min_recall
    return 0 if ok else 1


def _print_errors(reports: list[LabelledReport], predicted: dict[str, str], out: TextIO) -> None:
    for a, b in itertools.combinations(reports, 2):
        same_gold, same_pred = a.event == b.event, predicted[a.id] == predicted[b.id]
        if same_gold != same_pred:
            kind = "split" if same_gold else "joined"
            print(f"{kind}: {a.id} / {b.id}", file=out)


if __name__ == "__main__":
    raise SystemExit(main())
