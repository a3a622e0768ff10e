"""Article-extraction benchmark: bare trafilatura vs newsingest's extract_document.

Reads the 181 pages of ../shared/eval-data/article-extraction-benchmark, decodes
each to ``str`` (the fetch stage hands the enrich stage text, not bytes) and
scores every extractor by the benchmark's own method, reimplemented here:

* tokens are the matches of ``\\w+``; a page is the multiset of its word 4-gram
  shingles (a text shorter than four tokens is one shingle);
* per page, tp/fp/fn are shingle counts normalised to sum to 1;
* precision is the mean of tp/(tp+fp) over pages with tp+fp > 0, recall the mean
  of tp/(tp+fn) over pages with tp+fn > 0, F1 the harmonic mean of the two means.

Speed is CPU time per page in this one process, each extractor timed over the
same pages in the same run, reported as pages/s and as a ratio to the baseline.

Usage: python bench/extraction.py [--quick] [--variants] [--worst N] [--data DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trafilatura

from newsingest.errors import ExtractError
from newsingest.extract import extract_document

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/eval-data/article-extraction-benchmark"
SEEDS = Path(__file__).resolve().parents[1] / "samples/seeds"
QUICK_EVERY = 6  # --quick scores every 6th page (31 of 181)
SHINGLE = 4
_WORD = re.compile(r"\w+")

Extractor = Callable[[str, str], str]


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    url: str
    html: str
    truth: str


@dataclass(frozen=True, slots=True)
class PageScore:
    id: str
    tp: float
    fp: float
    fn: float


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    precision: float
    recall: float
    f1: float
    cpu_seconds: list[float]
    pages: list[PageScore]

    @property
    def pages_per_second(self) -> float:
        return len(self.cpu_seconds) / sum(self.cpu_seconds)


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _WORD.findall(text)
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def score_page(page_id: str, truth: str, predicted: str) -> PageScore:
    expected, got = shingles(truth), shingles(predicted)
    tp = sum((expected & got).values())
    fp = sum((got - expected).values())
    fn = sum((expected - got).values())
    total = max(1, tp + fp + fn)
    return PageScore(page_id, tp / total, fp / total, fn / total)


def aggregate(scores: Iterable[PageScore]) -> tuple[float, float, float]:
    scores = list(scores)
    precisions = [s.tp / (s.tp + s.fp) for s in scores if s.tp + s.fp > 0]
    recalls = [s.tp / (s.tp + s.fn) for s in scores if s.tp + s.fn > 0]
    p = statistics.fmean(precisions) if precisions else 0.0
    r = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


def load_pages(data: Path, quick: bool) -> list[Page]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for i, page_id in enumerate(sorted(truth)):
        if quick and i % QUICK_EVERY:
            continue
        raw = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        entry = truth[page_id]
        html = raw.decode("utf-8", errors="replace")
        pages.append(Page(page_id, entry["url"], html, entry.get("articleBody") or ""))
    return pages


def run(name: str, extractor: Extractor, pages: list[Page]) -> Result:
    extractor(pages[0].html, pages[0].url)  # warm caches and lazy imports outside the timing
    scores, cpu = [], []
    for page in pages:
        start = time.process_time()
        text = extractor(page.html, page.url)
        cpu.append(time.process_time() - start)
        scores.append(score_page(page.id, page.truth, text))
    p, r, f1 = aggregate(scores)
    return Result(name, p, r, f1, cpu, scores)


def bare_trafilatura(html: str, url: str) -> str:
    return trafilatura.extract(html) or ""


def newsingest(html: str, url: str) -> str:
    try:
        return extract_document(html, content_type="text/html", url=url).text
    except ExtractError:
        return ""


def _trafilatura_with(**options: Any) -> Extractor:
    def extract(html: str, url: str) -> str:
        return trafilatura.extract(html, **options) or ""

    return extract


VARIANTS: dict[str, Extractor] = {
    "trafilatura no comments": _trafilatura_with(include_comments=False),
    "trafilatura precision, no comments": _trafilatura_with(
        favor_precision=True, include_comments=False
    ),
    "trafilatura fast, no comments": _trafilatura_with(fast=True, include_comments=False),
    "trafilatura fast, precision, no comments": _trafilatura_with(
        fast=True, favor_precision=True, include_comments=False
    ),
}


def plain_text_rate(seeds: Path, seconds: float) -> float:
    """Records/s of extract_document on the seed articles as text/plain (CPU time)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    done, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for text in texts:
            extract_document(text, content_type="text/plain")
        done += len(texts)
    return done / (time.process_time() - start)


def report(results: list[Result]) -> None:
    base = results[0]
    print(
        f"{'extractor':44} {'P':>6} {'R':>6} {'F1':>6} {'ms/page':>8} {'pages/s':>8} {'x base':>7}"
    )
    for res in results:
        median_ms = statistics.median(res.cpu_seconds) * 1000
        ratio = res.pages_per_second / base.pages_per_second
        print(
            f"{res.name:44} {res.precision:6.3f} {res.recall:6.3f} {res.f1:6.3f} "
            f"{median_ms:8.1f} {res.pages_per_second:8.1f} {ratio:7.2f}"
        )


def report_worst(base: Result, ours: Result, pages: list[Page], count: int) -> None:
    by_id = {p.id: p for p in pages}
    base_by_id = {s.id: s for s in base.pages}

    def f1(s: PageScore) -> float:
        return 2 * s.tp / (2 * s.tp + s.fp + s.fn) if s.tp + s.fp + s.fn else 1.0

    print(f"\nworst {count} pages for {ours.name} (F1 ours / base, fp, fn):")
    for s in sorted(ours.pages, key=f1)[:count]:
        b = base_by_id[s.id]
        print(
            f"  {s.id[:12]} {f1(s):.3f} / {f1(b):.3f}  fp={s.fp:.3f} fn={s.fn:.3f}  {by_id[s.id].url}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"every {QUICK_EVERY}th page only")
    parser.add_argument("--variants", action="store_true", help="also score trafilatura settings")
    parser.add_argument(
        "--worst", type=int, default=0, help="list the N worst pages for newsingest"
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # trafilatura warns on every page it discards

    pages = load_pages(args.data, args.quick)
    print(f"{len(pages)} pages from {args.data}, python {sys.version.split()[0]}")
    print(f"trafilatura {trafilatura.__version__}; CPU time per page, one process\n")
    results = [run("trafilatura extract() defaults [baseline]", bare_trafilatura, pages)]
    if args.variants:
        results += [run(name, fn, pages) for name, fn in VARIANTS.items()]
    results.append(run("newsingest extract_document().text", newsingest, pages))
    report(results)
    if args.worst:
        report_worst(results[0], results[-1], pages, args.worst)
    rate = plain_text_rate(SEEDS, 0.5 if args.quick else 3.0)
    print(
        f"\nplain-text cleaning alone (the seeds, text/plain; no tagging, no Kafka): "
        f"{rate:,.0f} records/s on one core (the whole enrich path: python -m bench.plaintext)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
