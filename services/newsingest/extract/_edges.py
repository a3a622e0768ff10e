"""The edges of the text, by evidence: fragments cut mid-sentence, other stories' headlines."""

from __future__ import annotations

from collections.abc import Callable

from newsingest.extract import _model as reason
from newsingest.extract._chrome import SENTENCE_BREAK
from newsingest.extract._evidence import (
    Body,
    ends_like_sentence,
    headline_shape,
    is_title_case,
    starts_mid_text,
)
from newsingest.extract._para import Para, ends
from newsingest.extract._patterns import PATTERNS
from newsingest.records import Removal

_EDGE_LINES = 4  # at most this many headlines/fragments are peeled off each edge
_GLUED_TAIL_WINDOW = 250
_MIN_GLUED_HEAD_WORDS = 7


def strip_edges(paras: list[Para]) -> None:
    """Peel fragments and unrelated headlines off the end, then off the start."""
    body: Body | None = None

    def evidence() -> Body:
        nonlocal body
        if body is None:
            body = Body([p.text for p in paras if p.kept])
        return body

    for _ in range(_EDGE_LINES):
        edge = ends(paras)
        if edge is None:
            return
        last = edge[1]
        if last.heading:
            last.reason = reason.TRAILER  # a heading with nothing under it
        elif starts_mid_text(last.text) and not ends_like_sentence(last.text):
            last.reason = reason.FRAGMENT
        elif headline_shape(last.text) and evidence().is_unrelated(last.text):
            last.reason = reason.UNRELATED_HEADLINE
        elif not _split_glued_tail(last, evidence):
            break
    for _ in range(_EDGE_LINES):
        edge = ends(paras)
        if edge is None:
            return
        first = edge[0]
        if first.heading:
            break
        if starts_mid_text(first.text):
            first.reason = reason.FRAGMENT
        elif headline_shape(first.text) and evidence().is_unrelated(first.text):
            first.reason = reason.UNRELATED_HEADLINE
        elif not _split_glued_head(first, evidence):
            break


def _split_glued_tail(para: Para, evidence: Callable[[], Body]) -> bool:
    """A headline glued after the last sentence of the last paragraph."""
    line = para.text
    if ends_like_sentence(line) and not line.endswith("?"):
        return False
    breaks = list(SENTENCE_BREAK.finditer(line, max(0, len(line) - _GLUED_TAIL_WINDOW)))
    if not breaks:
        return False
    tail = line[breaks[-1].end() :]
    if not headline_shape(tail) or not is_title_case(tail.split(" ")):
        return False
    if not evidence().is_unrelated(tail):
        return False
    para.text = line[: breaks[-1].end()].rstrip()
    para.after.insert(0, Removal(tail, reason.UNRELATED_HEADLINE))
    return True


def _split_glued_head(para: Para, evidence: Callable[[], Body]) -> bool:
    """A title-cased headline glued before the first sentence of the first paragraph."""
    words = para.text.split(" ", 30)
    minor = PATTERNS.minor_words
    cut = next(
        (i for i, w in enumerate(words) if w[:1].islower() and w.casefold() not in minor),
        None,
    )
    if cut is None or cut < _MIN_GLUED_HEAD_WORDS:
        return False
    head = " ".join(words[: cut - 1])
    if "," in head or not headline_shape(head) or not is_title_case(words[: cut - 1]):
        return False  # names listed with commas open many a first sentence
    if not evidence().is_unrelated(head, strict=True):
        return False
    para.before.append(Removal(head, reason.UNRELATED_HEADLINE))
    para.text = para.text[len(head) :].lstrip()
    return True
