"""Incident-linking benchmark: one strike report against 10,000 open incidents.

Open incidents are synthetic records fed through ``IncidentLinker.restore``
(the start-up path): scenes drawn around 73 cities of current wars (40 of the
Middle East, 33 elsewhere; ``--dense``: the 40 only), four militia ids per
country, event days spread over the closing window, two or three sources with
text fingerprints each, people named. Probe reports are real-length articles
(the seed texts) with hand-made tags drawn from the same distribution, so many
share a militia, a city and a day with dozens of open incidents.

Timed per report, in this one process, in the same run:

* ``index``    ``IncidentLinker.link`` (features, index lookup and pre-score, scoring
  of the best ``max_candidates``, the new version);
* ``scan``     the baseline: the same features and scoring against every open
  incident, no index;
* ``features`` feature extraction alone (text sketch, names), the floor of both;
* ``classify`` the classifier on the same text, what the enrich stage spends on it.

Usage: python bench/incidents.py [--quick] [--dense] [--open N] [--probes N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from newsingest.classify import load_classifier
from newsingest.incidents import IncidentLinker, IncidentRecord, LinkerConfig
from newsingest.incidents.features import article_features
from newsingest.incidents.index import IncidentIndex
from newsingest.incidents.record import (
    IncidentCasualties,
    IncidentMilitia,
    IncidentPlace,
    IncidentSource,
)
from newsingest.incidents.scoring import score
from newsingest.incidents.state import IncidentState
from newsingest.records import (
    ArticleRecord,
    LocationTag,
    MilitiaTag,
    StrikeTag,
    Tags,
    stable_id,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared/seeds"
START = date(2024, 2, 1)
# Scenes of strikes: the region the labelled set covers, and other wars an
# incident store holds at the same time. (name, country, lat, lon)
CITIES: list[tuple[str, str, float, float]] = [
    ("Baghdad", "IQ", 33.31, 44.37),
    ("Erbil", "IQ", 36.19, 44.01),
    ("Mosul", "IQ", 36.34, 43.13),
    ("Basra", "IQ", 30.51, 47.78),
    ("Kirkuk", "IQ", 35.47, 44.39),
    ("Hillah", "IQ", 32.46, 44.42),
    ("Karbala", "IQ", 32.62, 44.02),
    ("Najaf", "IQ", 32.03, 44.34),
    ("Ramadi", "IQ", 33.43, 43.30),
    ("al-Qaim", "IQ", 34.37, 41.09),
    ("Tikrit", "IQ", 34.61, 43.68),
    ("Samarra", "IQ", 34.20, 43.87),
    ("Damascus", "SY", 33.51, 36.28),
    ("Aleppo", "SY", 36.20, 37.13),
    ("Homs", "SY", 34.73, 36.71),
    ("Deir ez-Zor", "SY", 35.33, 40.14),
    ("Albu Kamal", "SY", 34.45, 40.92),
    ("Raqqa", "SY", 35.95, 39.01),
    ("Idlib", "SY", 35.93, 36.63),
    ("Latakia", "SY", 35.52, 35.79),
    ("Beirut", "LB", 33.89, 35.50),
    ("Tyre", "LB", 33.27, 35.20),
    ("Sidon", "LB", 33.56, 35.37),
    ("Baalbek", "LB", 34.01, 36.21),
    ("Nabatieh", "LB", 33.38, 35.48),
    ("Sanaa", "YE", 15.37, 44.19),
    ("Hodeidah", "YE", 14.80, 42.95),
    ("Aden", "YE", 12.79, 45.02),
    ("Saada", "YE", 16.94, 43.76),
    ("Taiz", "YE", 13.58, 44.02),
    ("Marib", "YE", 15.46, 45.32),
    ("Gaza", "PS", 31.50, 34.47),
    ("Khan Younis", "PS", 31.34, 34.31),
    ("Rafah", "PS", 31.30, 34.25),
    ("Jenin", "PS", 32.46, 35.30),
    ("Amman", "JO", 31.95, 35.93),
    ("Tehran", "IR", 35.69, 51.39),
    ("Isfahan", "IR", 32.65, 51.67),
    ("Kerman", "IR", 30.28, 57.08),
    ("Ahvaz", "IR", 31.32, 48.67),
]
OTHER_WARS: list[tuple[str, str, float, float]] = [
    ("Kyiv", "UA", 50.45, 30.52), ("Kharkiv", "UA", 49.99, 36.23), ("Odesa", "UA", 46.48, 30.72),
    ("Dnipro", "UA", 48.46, 35.05), ("Zaporizhzhia", "UA", 47.84, 35.14),
    ("Kherson", "UA", 46.64, 32.62), ("Donetsk", "UA", 48.02, 37.80), ("Sumy", "UA", 50.91, 34.80),
    ("Belgorod", "RU", 50.60, 36.59), ("Kursk", "RU", 51.73, 36.19),
    ("Khartoum", "SD", 15.50, 32.56), ("Omdurman", "SD", 15.64, 32.48),
    ("El Fasher", "SD", 13.63, 25.35), ("Nyala", "SD", 12.05, 24.88),
    ("Wad Madani", "SD", 14.40, 33.52), ("Bamako", "ML", 12.64, -8.00), ("Gao", "ML", 16.27, -0.04),
    ("Ouagadougou", "BF", 12.37, -1.52), ("Niamey", "NE", 13.51, 2.11),
    ("Maiduguri", "NG", 11.83, 13.15), ("Mogadishu", "SO", 2.05, 45.32),
    ("Kismayo", "SO", -0.36, 42.55), ("Baidoa", "SO", 3.11, 43.65),
    ("Mandalay", "MM", 21.96, 96.09), ("Lashio", "MM", 22.94, 97.75),
    ("Myitkyina", "MM", 25.38, 97.40), ("Kabul", "AF", 34.56, 69.21),
    ("Peshawar", "PK", 34.01, 71.58), ("Quetta", "PK", 30.18, 66.98),
    ("Tripoli", "LY", 32.89, 13.19), ("Goma", "CD", -1.68, 29.22), ("Bunia", "CD", 1.56, 30.25),
    ("Mekelle", "ET", 13.50, 39.47),
]  # fmt: skip
MILITIAS_PER_COUNTRY = 4
SURNAMES = [f"name{i:03d}" for i in range(400)]


class Scenes:
    """Where synthetic strikes happen, and which militias are active there."""

    def __init__(self, dense: bool) -> None:
        self.cities = CITIES if dense else CITIES + OTHER_WARS
        self.by_country: dict[str, list[tuple[str, str, float, float]]] = {}
        for city in self.cities:
            self.by_country.setdefault(city[1], []).append(city)

    def places(self, rng: random.Random) -> list[IncidentPlace]:
        """A scene, then up to two more places of the same country (a report's context)."""
        scene = rng.choice(self.cities)
        around = self.by_country[scene[1]]
        return [_jitter(rng, scene)] + [
            _jitter(rng, rng.choice(around)) for _ in range(rng.randint(0, 2))
        ]

    def militias(self, rng: random.Random, country: str, count: int) -> list[str]:
        pool = [f"{country.lower()}_militia_{i}" for i in range(MILITIAS_PER_COUNTRY)]
        return rng.sample(pool, count)


def _jitter(rng: random.Random, city: tuple[str, str, float, float]) -> IncidentPlace:
    name, country, lat, lon = city
    return IncidentPlace(name, country, lat + rng.uniform(-0.2, 0.2), lon + rng.uniform(-0.2, 0.2))


def synthetic_incident(
    rng: random.Random, scenes: Scenes, n: int, window_days: int
) -> IncidentRecord:
    day = START + timedelta(days=rng.randrange(window_days))
    seen = f"{day.isoformat()}T{rng.randrange(24):02d}:00:00Z"
    places = scenes.places(rng)
    militias = scenes.militias(rng, places[0].country or "", rng.randint(1, 2))
    targets = [IncidentMilitia(m, m, "target") for m in militias]
    sources = [
        IncidentSource(
            article_id=stable_id(f"bench-{n}-{s}"),
            source_domain=f"outlet{rng.randrange(50)}.example",
            url=f"https://outlet.example/{n}/{s}",
            title=f"report {n}",
            published_at=seen,
            linked_at=seen,
            confidence=1.0,
            event_date=day.isoformat(),
            fingerprint=sorted(rng.getrandbits(48) for _ in range(64)),
        )
        for s in range(rng.randint(2, 3))
    ]
    return IncidentRecord(
        incident_id=stable_id(f"incident-{n}"),
        version=len(sources),
        first_seen=seen,
        last_seen=seen,
        updated_at=seen,
        headline=f"report {n}",
        event_date=day.isoformat(),
        location=places[0],
        actor=rng.choice(["us", "israel", "iran", "militia"]),
        type=rng.choice(["airstrike", "drone_strike", "missile", "rocket"]),
        targets=targets,
        militias=targets,
        places=places,
        people=rng.sample(SURNAMES, rng.randint(0, 2)),
        weapons=[],
        casualties=IncidentCasualties(),
        sources=sources,
    )


def probe_article(
    rng: random.Random, scenes: Scenes, n: int, text: str, window_days: int
) -> ArticleRecord:
    day = START + timedelta(days=rng.randrange(window_days))
    places = scenes.places(rng)
    (militia,) = scenes.militias(rng, places[0].country or "", 1)
    tags = Tags(
        strike=StrikeTag(True, 0.9, rng.choice(["airstrike", "drone_strike"]), "us"),
        militias=[MilitiaTag(militia, militia, "target")],
        locations=[LocationTag(p.name, p.country, p.lat, p.lon) for p in places],
        event_date=day.isoformat(),
    )
    published = f"{day.isoformat()}T20:00:00Z"
    url = f"https://probe.example/{n}"
    return ArticleRecord(
        article_id=stable_id(url), url_id=stable_id(url), url=url, canonical_url=url,
        source_domain="probe.example", title=f"Probe {n}", authors=[], published_at=published,
        language="en", text=text, headings=[], removed=[], content_hash=stable_id(text),
        tags=tags, classifier_version="bench", fetched_at=published, enriched_at=published,
    )  # fmt: skip


def per_report_ms(
    fn: Callable[[ArticleRecord], object], probes: list[ArticleRecord]
) -> list[float]:
    times = []
    for article in probes:
        started = time.perf_counter()
        fn(article)
        times.append((time.perf_counter() - started) * 1e3)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer probe reports")
    parser.add_argument("--open", type=int, default=10_000, help="open incidents")
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument(
        "--dense", action="store_true", help="every incident in the 40 Middle East cities"
    )
    args = parser.parse_args()
    scenes = Scenes(args.dense)
    probes_n = 60 if args.quick else args.probes
    rng = random.Random(9)
    config = LinkerConfig()
    window = int(config.close_after_days)

    records = [synthetic_incident(rng, scenes, n, window) for n in range(args.open)]
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    probes = [probe_article(rng, scenes, n, rng.choice(texts), window) for n in range(probes_n)]

    linker = IncidentLinker(config)
    started = time.perf_counter()
    for record in records:
        linker.restore(record)
    restore_s = time.perf_counter() - started
    states = [IncidentState.from_record(r) for r in records]

    def scan(article: ArticleRecord) -> object:
        features = article_features(article, config)
        weight: Callable[[str], float] = lambda _person: 1.0  # noqa: E731
        return [score(features, state, config, weight) for state in states]

    classifier = load_classifier()
    classify_ms = per_report_ms(
        lambda a: classifier.classify(a.text, title=a.title, published_at=a.published_at), probes
    )
    feature_ms = per_report_ms(lambda a: article_features(a, config), probes)
    scan_ms = per_report_ms(scan, probes[: max(10, probes_n // 10)])
    index_ms = per_report_ms(linker.link, probes)
    index = IncidentIndex(config)
    for state in states:
        index.add(state)
    probe_features = [article_features(a, config) for a in probes]
    hits = [len(index.hits(f)) for f in probe_features]
    scored = [len(index.candidates(f)) for f in probe_features]

    def line(name: str, times: list[float]) -> str:
        p95 = statistics.quantiles(times, n=20)[18]
        return f"{name:<9} median {statistics.median(times):8.3f} ms   p95 {p95:8.3f} ms"

    print(f"open incidents {len(records):,} (restored in {restore_s:.2f} s)")
    print(
        f"probe reports {probes_n}, median incidents the index hits "
        f"{statistics.median(hits):.0f}, of which scored {statistics.median(scored):.0f} "
        f"(cap {config.max_candidates})"
    )
    print(line("features", feature_ms))
    print(line("index", index_ms))
    print(line("scan", scan_ms))
    print(line("classify", classify_ms))
    ratio = statistics.median(scan_ms) / statistics.median(index_ms)
    p95 = statistics.quantiles(index_ms, n=20)[18]
    print(
        f"index is {ratio:.0f}x faster than the scan; goal < 2 ms per report: "
        f"{'met' if p95 < 2.0 else 'NOT met'} at p95 "
        f"(median {statistics.median(index_ms):.2f} ms, p95 {p95:.2f} ms)"
    )


if __name__ == "__main__":
    main()
