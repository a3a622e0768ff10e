"""Stage adapters: runner messages in, typed records through a stage, topic records out.

This is the one place that knows both sides of the seam: which record type a
topic carries, which topic a stage's output goes to and with which key. Each
handler binds the ids of its record (``url_id``, ``article_id``) for the log:
the runner runs every record in a context of its own, so they stay on every
line about that record, its retry and its dead letter included.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from structlog.contextvars import bind_contextvars

from newsingest.broker.publisher import Outgoing
from newsingest.config import TopicSettings
from newsingest.errors import InvalidRecordError, NewsingestError
from newsingest.incidents.record import IncidentRecord
from newsingest.records import ArticleRecord, EncodedArticle, PageRecord, UrlRecord, decode, encode
from newsingest.runner.message import Handler, Message
from newsingest.urls import host_of

FetchStage = Callable[[UrlRecord], Awaitable[PageRecord]]
EnrichStage = Callable[[PageRecord], Awaitable[EncodedArticle]]
IncidentsStage = Callable[[ArticleRecord], Awaitable[Sequence[IncidentRecord]]]


def _value(message: Message) -> bytes:
    if message.value is None:
        raise InvalidRecordError("empty message (tombstone) on a data topic")
    return message.value


def fetch_handler(fetch: FetchStage, topics: TopicSettings) -> Handler:
    async def handle(message: Message) -> Sequence[Outgoing]:
        url = decode(UrlRecord, _value(message))
        bind_contextvars(url_id=url.url_id)
        try:
            page = await fetch(url)
        except NewsingestError as exc:
            exc.url_id, exc.url = url.url_id, url.url
            raise
        return [Outgoing(topics.pages, encode(page), key=page.url_id.encode())]

    return handle


def enrich_handler(enrich: EnrichStage, topics: TopicSettings) -> Handler:
    async def handle(message: Message) -> Sequence[Outgoing]:
        page = decode(PageRecord, _value(message))
        bind_contextvars(url_id=page.url_id)
        article = await enrich(page)
        bind_contextvars(article_id=article.article_id)
        return article_outputs(article, topics)

    return handle


def incidents_handler(link: IncidentsStage, topics: TopicSettings) -> Handler:
    async def handle(message: Message) -> Sequence[Outgoing]:
        article = decode(ArticleRecord, _value(message))
        bind_contextvars(url_id=article.url_id, article_id=article.article_id)
        incidents = await link(article)
        return [
            Outgoing(topics.incidents, encode(i), key=i.incident_id.encode()) for i in incidents
        ]

    return handle


def article_outputs(article: EncodedArticle, topics: TopicSettings) -> list[Outgoing]:
    """news.articles always; news.strikes too when the article reports a strike."""
    key = article.article_id.encode()
    outputs = [Outgoing(topics.articles, article.value, key=key)]
    if article.is_strike:
        outputs.append(Outgoing(topics.strikes, article.value, key=key))
    return outputs


def url_output(url: UrlRecord, topics: TopicSettings) -> Outgoing:
    """news.urls is keyed by host so that one host's URLs share a partition (politeness)."""
    return Outgoing(topics.urls, encode(url), key=host_of(url.url).encode())
