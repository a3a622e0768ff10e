"""``newsingest eval incidents [PATH]``: pairwise precision and recall of linking.

Every pair of reports is a question, "same incident?"; the labelled ``event``
is the answer. Precision is the share of pairs linked together that are truly
one event; recall the share of true pairs that ended up linked. The reports go
through extraction and the classifier first (the production path), then the
linker, in publication order, closing stale incidents as the stage does.

Two views are printed:

* **all reports**: every labelled report is linked, whatever the classifier
  says: the linker's own quality.
* **the stage's path**: only reports the classifier tags as strikes are
  linked, as the stage sees only ``news.strikes``. A strike report the
  classifier misses stays alone and its pairs count as missed. A report
  labelled ``background`` (a funeral, a vow, a blame story: not a strike
  report) that the classifier rightly leaves out is one the stage is never
  meant to see: its pairs are counted apart, not scored.

Exits 1 when a figure of the judged view (all reports; the stage's path with
``--strikes-only``) is below its goal.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from newsingest.incidents.config import LinkerConfig
from newsingest.incidents.dataset import enrich_report, load_reports
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
) -> tuple[dict[str, str], list[float]]:
    """Link reports in the order given; each report's incident id, and the seconds each took."""
    linker = IncidentLinker(config)
    incident_of: dict[str, str] = {}
    merged_into: dict[str, str] = {}
    spent: list[float] = []
    for report_id, article in articles:
        started = time.perf_counter()
        record = linker.link(article)
        retired = linker.close_stale()
        spent.append(time.perf_counter() - started)
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
    parser.add_argument(
        "--errors", action="store_true", help="list wrongly split or joined pairs of each view"
    )
    parser.add_argument(
        "--strikes-only",
        action="store_true",
        help="judge the goal on the stage's path (only reports the classifier tags as "
        "strikes are linked) instead of on all reports; both are printed",
    )
    return parser


@dataclass(frozen=True, slots=True)
class View:
    """One way of scoring the labelled set."""

    name: str
    score: PairScore
    incidents: int
    errors: list[tuple[str, str, str]]  # (split|joined, report, report)
    apart: int = 0  # same-event pairs with a report the stage is not meant to see


def score_view(
    name: str, gold: dict[str, str], predicted: dict[str, str], *, unseen: Iterable[str] = ()
) -> View:
    """Score ``predicted`` against ``gold``; pairs with an ``unseen`` report are counted apart."""
    left_out = set(unseen)
    scored = {rid: event for rid, event in gold.items() if rid not in left_out}
    apart = sum(
        1
        for a, b in itertools.combinations(sorted(gold), 2)
        if gold[a] == gold[b] and (a in left_out or b in left_out)
    )
    errors = []
    for a, b in itertools.combinations(sorted(scored), 2):
        same_gold, same_pred = gold[a] == gold[b], predicted[a] == predicted[b]
        if same_gold != same_pred:
            errors.append(("split" if same_gold else "joined", a, b))
    return View(
        name=name,
        score=pair_score(scored, predicted),
        incidents=len({predicted[rid] for rid in scored}),
        errors=errors,
        apart=apart,
    )


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
    tagged = {rid for rid, a in articles if a.tags.strike.is_strike}
    background = {r.id for r in reports if r.background}
    gold = {r.id: r.event for r in reports}

    linked_all, spent = link_all(articles, config)
    linked_tagged, _ = link_all([(rid, a) for rid, a in articles if rid in tagged], config)
    linked_tagged |= {rid: f"alone:{rid}" for rid in gold if rid not in tagged}
    views = [
        score_view("all reports (the linker alone)", gold, linked_all),
        score_view(
            "the stage's path (only reports tagged as strikes are linked)",
            gold,
            linked_tagged,
            unseen=background - tagged,
        ),
    ]
    print(
        f"reports {len(gold)}: {len(gold) - len(background)} strike reports, "
        f"{len(background)} background (funerals, vows, blame)  "
        f"events {len(set(gold.values()))}\n"
        f"classifier: {len(tagged)} tagged as strikes; strike reports missed "
        f"{len(set(gold) - background - tagged)}, background reports tagged "
        f"{len(background & tagged)}",
        file=out,
    )
    judged = views[1] if args.strikes_only else views[0]
    for view in views:
        _print_view(view, judged=view is judged, out=out)
        if args.errors:
            for kind, a, b in view.errors:
                print(f"  {kind}: {a} / {b}", file=out)
    print(
        f"goal {args.min_precision:.2f} / {args.min_recall:.2f} on the view marked *\n"
        f"linking {statistics.median(spent or [0.0]) * 1e3:.3f} ms/report (median; the "
        f"first took {(spent or [0.0])[0] * 1e3:.0f} ms, loading what linking needs)",
        file=out,
    )
    score = judged.score
    ok = score.precision >= args.min_precision and score.recall >= args.min_recall
    return 0 if ok else 1


def _print_view(view: View, *, judged: bool, out: TextIO) -> None:
    score = view.score
    print(
        f"{'*' if judged else '-'} {view.name}\n"
        f"  incidents {view.incidents}  pairs: same event "
        f"{score.true_positive + score.false_negative}, linked "
        f"{score.true_positive + score.false_positive}, correct {score.true_positive}\n"
        f"  precision {score.precision:.3f}  recall {score.recall:.3f}",
        file=out,
    )
    if view.apart:
        print(
            f"  apart: {view.apart} same-event pairs with a background report the stage "
            "never sees (not scored)",
            file=out,
        )


if __name__ == "__main__":
    raise SystemExit(main())
