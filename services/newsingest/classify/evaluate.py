"""``newsingest eval classifier PATH``: score the classifier on labelled articles.

Prints precision/recall/F1 of ``is_strike``, micro-F1 of militia ids, accuracy of
actor, country and event date on the labelled strike reports, and every case
the classifier got wrong; exits 1 when a score is below its ``--min-*`` option.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from newsingest.classify import Classifier, load_classifier
from newsingest.classify.dataset import LabelledArticle, load_labelled
from newsingest.records import Tags


@dataclass(slots=True)
class Report:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    militia_tp: int = 0
    militia_fp: int = 0
    militia_fn: int = 0
    actor_right: int = 0
    country_right: int = 0
    date_right: int = 0
    positives: int = 0
    dated: int = 0
    cases: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    @property
    def militia_f1(self) -> float:
        precision = _ratio(self.militia_tp, self.militia_tp + self.militia_fp)
        recall = _ratio(self.militia_tp, self.militia_tp + self.militia_fn)
        return _f1(precision, recall)

    @property
    def actor_accuracy(self) -> float:
        return _ratio(self.actor_right, self.positives)

    @property
    def country_accuracy(self) -> float:
        return _ratio(self.country_right, self.positives)

    @property
    def date_accuracy(self) -> float:
        return _ratio(self.date_right, self.dated)


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def scene_country(tags: Tags) -> str | None:
    """The country of the event's scene: the first location (the classifier ranks it first)."""
    return tags.locations[0].country if tags.strike.is_strike and tags.locations else None


def evaluate(classifier: Classifier, articles: Sequence[LabelledArticle]) -> Report:
    report = Report()
    for a in articles:
        tags = classifier.classify(a.text, title=a.title, published_at=a.published_at)
        predicted = tags.strike.is_strike
        if predicted and a.is_strike:
            report.tp += 1
        elif predicted:
            report.fp += 1
            report.cases.append(f"FP  {a.id}: {_why(tags)}")
        elif a.is_strike:
            report.fn += 1
            report.cases.append(f"FN  {a.id}: confidence {tags.strike.confidence}")
        else:
            report.tn += 1
        ids = {m.id for m in tags.militias}
        report.militia_tp += len(ids & a.militias)
        report.militia_fp += len(ids - a.militias)
        report.militia_fn += len(a.militias - ids)
        if ids != a.militias:
            extra, missing = sorted(ids - a.militias), sorted(a.militias - ids)
            report.cases.append(f"MIL {a.id}: extra {extra} missing {missing}")
        if not a.is_strike:
            continue
        report.positives += 1
        if tags.strike.actor == a.actor:
            report.actor_right += 1
        else:
            report.cases.append(f"ACT {a.id}: {tags.strike.actor} (want {a.actor})")
        country = scene_country(tags)
        if country == a.country:
            report.country_right += 1
        else:
            report.cases.append(f"CTY {a.id}: {country} (want {a.country})")
        if a.event_date is not None:
            report.dated += 1
            if tags.event_date == a.event_date:
                report.date_right += 1
            else:
                report.cases.append(f"DAY {a.id}: {tags.event_date} (want {a.event_date})")
    return report


def _why(tags: Tags) -> str:
    spans = ", ".join(repr(s.text) for s in tags.strike.evidence)
    return f"confidence {tags.strike.confidence}, evidence {spans or '-'}"


def print_report(report: Report, n: int, out: TextIO | None = None) -> None:
    stream = out if out is not None else sys.stdout
    lines = [
        f"articles {n}  strike reports {report.tp + report.fn}  others {report.fp + report.tn}",
        f"is_strike   P {report.precision:.3f}  R {report.recall:.3f}  F1 {report.f1:.3f}"
        f"   (tp {report.tp} fp {report.fp} fn {report.fn} tn {report.tn})",
        f"militias    micro-F1 {report.militia_f1:.3f}"
        f"   (tp {report.militia_tp} fp {report.militia_fp} fn {report.militia_fn})",
        f"actor       accuracy {report.actor_accuracy:.3f}   ({report.actor_right}/{report.positives})",
        f"country     accuracy {report.country_accuracy:.3f}"
        f"   ({report.country_right}/{report.positives})",
        f"event_date  accuracy {report.date_accuracy:.3f}   ({report.date_right}/{report.dated})",
    ]
    if report.cases:
        lines.append("cases:")
        lines.extend(f"  {c}" for c in report.cases)
    print("\n".join(lines), file=stream)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="newsingest eval classifier", description="Score the classifier on labelled articles."
    )
    parser.add_argument("path", type=Path, help="a labelled YAML file or a directory of them")
    parser.add_argument("--split", default="all", help="dev, holdout or all (default)")
    parser.add_argument("--min-precision", type=float, default=0.0)
    parser.add_argument("--min-recall", type=float, default=0.0)
    parser.add_argument("--min-f1", type=float, default=0.0)
    parser.add_argument("--min-militia-f1", type=float, default=0.0)
    parser.add_argument("--min-actor-accuracy", type=float, default=0.0)
    parser.add_argument("--min-country-accuracy", type=float, default=0.0)
    args = parser.parse_args(argv)
    if not args.path.exists():
        parser.error(f"{args.path} does not exist")
    articles = load_labelled(args.path, args.split)
    if not articles:
        parser.error(f"no labelled articles in {args.path} (split {args.split})")
    report = evaluate(load_classifier(), articles)
    print_report(report, len(articles))
    failed = [
        name
        for name, value, floor in (
            ("precision", report.precision, args.min_precision),
            ("recall", report.recall, args.min_recall),
            ("f1", report.f1, args.min_f1),
            ("militia-f1", report.militia_f1, args.min_militia_f1),
            ("actor-accuracy", report.actor_accuracy, args.min_actor_accuracy),
            ("country-accuracy", report.country_accuracy, args.min_country_accuracy),
        )
        if value < floor
    ]
    if failed:
        print(f"below threshold: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
