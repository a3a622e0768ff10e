"""The incident linker: one strike report in, the incident it belongs to out.

Pure logic, no Kafka: the stage (or the offline command) feeds it reports in
order and publishes whatever versions it returns. Its memory is the set of
open incidents, rebuilt after a restart by feeding ``restore`` the records of
the compacted ``news.incidents`` topic.

Time is stream time: the latest publication (else fetch) time of the reports
seen so far, so a replay or an offline run closes incidents exactly as the
live stream did.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

from newsingest.incidents.config import LinkerConfig
from newsingest.incidents.features import ArticleFeatures, article_features, parse_time
from newsingest.incidents.index import IncidentIndex
from newsingest.incidents.record import IncidentRecord
from newsingest.incidents.scoring import LinkScore, score
from newsingest.incidents.state import IncidentState
from newsingest.records import ArticleRecord, stable_id, utc_now


class IncidentLinker:
    def __init__(
        self, config: LinkerConfig | None = None, *, clock: Callable[[], str] = utc_now
    ) -> None:
        self.config = config or LinkerConfig()
        self._clock = clock
        self._open: dict[str, IncidentState] = {}
        self._by_article: dict[str, str] = {}
        self._index = IncidentIndex(self.config)
        self._stream_time: datetime | None = None
        self._retired: list[IncidentRecord] = []

    @property
    def open_count(self) -> int:
        return len(self._open)

    def incident_of(self, article_id: str) -> str | None:
        """The open incident a report is part of (after any merges), if any."""
        return self._by_article.get(article_id)

    def link(self, article: ArticleRecord) -> IncidentRecord:
        """Link a strike report to its incident (opening one if none fits); the new version.

        A report already linked (a redelivery) changes nothing: its incident's
        current record comes back with the same version.
        """
        known = self._by_article.get(article.article_id)
        if known is not None:
            return self._open[known].current()
        features = article_features(article, self.config)
        self._advance(features.published or parse_time(article.fetched_at))
        matches = self._matches(features)
        now = self._clock()
        if not matches:
            state = IncidentState(incident_id=stable_id(f"incident:{article.article_id}"))
            self._open[state.incident_id] = state
            confidence, duplicate_of = 1.0, None
            filed = None
        else:
            state, link = matches[0]
            filed = self._index.filing(state)  # what it is filed under, before it changes
            confidence = link.confidence(self.config.link_threshold)
            duplicate_of = link.duplicate_of
            # The report belongs to two open incidents: they were one strike whose
            # first reports had nothing in common. Fold the second into the best
            # (one at a time: a chain of weak ties must not snowball).
            merge_at = self.config.link_threshold + self.config.merge_margin
            for other, _ in [m for m in matches[1:2] if m[1].points >= merge_at]:
                state.absorb(other)
                self._forget(other.incident_id)
                self._retired.append(other.close(updated_at=now, merged_into=state.incident_id))
                for source in other.sources:
                    self._by_article[source.article_id] = state.incident_id
        state.add(
            article, features, confidence=confidence, duplicate_of=duplicate_of, linked_at=now
        )
        self._by_article[article.article_id] = state.incident_id
        if filed is None:
            self._index.add(state)
        else:
            self._index.refile(state, filed)
        return state.record(updated_at=now)

    def restore(self, incident: IncidentRecord) -> None:
        """Take an incident into memory from a record of the compacted topic.

        Fed at start-up (replay), and optionally live, so that incidents other
        replicas open become known: a version no newer than the one held (our
        own echo) changes nothing; a closed incident is forgotten.
        """
        held = self._open.get(incident.incident_id)
        if held is not None and held.version >= incident.version:
            return
        self._forget(incident.incident_id)
        if incident.closed:
            return
        state = IncidentState.from_record(incident)
        self._open[state.incident_id] = state
        for source in incident.sources:
            self._by_article[source.article_id] = state.incident_id
        self._index.add(state)
        self._advance(state.last_seen)

    def drop(self, incident_id: str) -> None:
        """Forget an incident (a tombstone on the compacted topic)."""
        self._forget(incident_id)

    def close_stale(self, now: datetime | None = None) -> list[IncidentRecord]:
        """The final versions of the incidents closed since the last call.

        Those merged into another by the last reports, and those without a report
        for ``close_after_days`` before ``now`` (stream time by default).
        """
        closed, self._retired = self._retired, []
        now = now or self._stream_time
        if now is None:
            return closed
        horizon = now - timedelta(days=self.config.close_after_days)
        stale = [
            s for s in self._open.values() if s.last_seen is not None and s.last_seen < horizon
        ]
        for state in stale:
            closed.append(state.close(updated_at=self._clock()))
            self._forget(state.incident_id)
        return closed

    def _matches(self, features: ArticleFeatures) -> list[tuple[IncidentState, LinkScore]]:
        """The open incidents the report may join, best first."""
        found = []
        for incident_id in self._index.candidates(features):
            state = self._open[incident_id]
            link = score(features, state, self.config, self._person_weight)
            if link is not None and link.points >= self.config.link_threshold:
                found.append((state, link))
        found.sort(key=lambda match: -match[1].points)
        return found

    def _person_weight(self, person: str) -> float:
        # A name in many open incidents (a president, a spokesman) tells little.
        return 2.0 / (1.0 + math.log1p(max(0, self._index.incidents_naming(person) - 1)))

    def _advance(self, seen: datetime | None) -> None:
        if seen is not None and (self._stream_time is None or seen > self._stream_time):
            self._stream_time = seen

    def _forget(self, incident_id: str) -> None:
        state = self._open.pop(incident_id, None)
        if state is None:
            return
        self._index.remove(state)
        for source in state.sources:
            if self._by_article.get(source.article_id) == incident_id:
                del self._by_article[source.article_id]
