"""Evidence about a line: does it read like a sentence, a headline, a fragment?

Used to decide, without lists of known headlines, whether a line at the edge of
a text belongs to the article. Everything here is cheap string work; the body's
word set is only built when a candidate passes the structural checks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from newsingest.extract._patterns import PATTERNS

# Characters that end a line the way a sentence (or a quote of one) ends.
SENTENCE_END = frozenset(".!?…:;\"”’'»)]")
_WORD = re.compile(r"\w+")
_STOP_INSIDE = re.compile(r"[.!?] \w")
_MIN_HEADLINE_WORDS = 4
_MAX_HEADLINE_WORDS = 25
_MIN_SENTENCE_CASE_WORDS = 6
_MAX_SENTENCE_CASE_WORDS = 14
_TITLE_CASE_SHARE = 0.8
_TITLE_CASE_MAX_OVERLAP = 0.2
_BODY_SAMPLE_CHARS = 100_000
_BODY_SAMPLE_TAIL_LINES = 8


def ends_like_sentence(line: str) -> bool:
    return bool(line) and line[-1] in SENTENCE_END


def starts_mid_text(line: str) -> bool:
    """True when a line starts in lower case, like a piece cut from the middle of a text.

    Brand-style words with a capital or a digit inside ("iPhone", "my6sense") are not cuts.
    """
    first = line.split(" ", 1)[0]
    letters = first.rstrip(",;:.'’")
    return letters.isalpha() and letters.islower()


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # what ``\w`` matches


def stem(word: str) -> str:
    """A crude, language-light stem: enough to match "strikes" with "strike"."""
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def is_content_word(word: str) -> bool:
    """A casefolded word that may carry a topic: not a stopword, a figure or a short word."""
    return len(word) >= 3 and word not in PATTERNS.stopwords and not word.isdigit()


def content_words(text: str) -> Counter[str]:
    return Counter(stem(w) for w in _WORD.findall(text.casefold()) if is_content_word(w))


def is_title_case(words: list[str]) -> bool:
    minor = PATTERNS.minor_words
    major = [w for w in words if w[:1].isalpha() and w.casefold() not in minor]
    if len(major) < 3:
        return False
    capitalised = sum(1 for w in major if w[0].isupper())
    return capitalised / len(major) >= _TITLE_CASE_SHARE


def headline_shape(line: str) -> bool:
    """Cheap structural test: could this line be a headline (before any body evidence)?"""
    if not line or (line[-1] in SENTENCE_END and line[-1] != "?"):
        return False
    words = line.split(" ")
    if not _MIN_HEADLINE_WORDS <= len(words) <= _MAX_HEADLINE_WORDS:
        return False
    if _has_two_sentences(line):
        return False  # a paragraph, not a headline
    return is_title_case(words) or (
        _MIN_SENTENCE_CASE_WORDS <= len(words) <= _MAX_SENTENCE_CASE_WORDS
        and line[:1].isupper()
        and line[-1] != "?"
    )


def _has_two_sentences(line: str) -> bool:
    """A full stop after a lower-case letter inside the line: "hurt. Record", not "U.S. Strikes"."""
    return any(line[m.start() - 1].islower() for m in _STOP_INSIDE.finditer(line, 1))


class Body:
    """The content words of the kept text, built once per text and only when needed."""

    def __init__(self, lines: Sequence[str]) -> None:
        # The topic of a text shows long before 100k characters: a huge text is sampled
        # (its start, and its last lines, where the candidates are).
        sample: list[str] = []
        size = 0
        for index, line in enumerate(lines):
            sample.append(line)
            size += len(line)
            if size > _BODY_SAMPLE_CHARS:
                sample.extend(lines[max(index + 1, len(lines) - _BODY_SAMPLE_TAIL_LINES) :])
                break
        # Tokenising the whole body costs more than all the rest of the cleaning: only the
        # few words of a candidate line are counted, by substring search (``_count``).
        self._folded = "\n".join(sample).casefold()

    def _has_more(self, stemmed: str, than: int) -> bool:
        """Whether the body has more than ``than`` content words with this stem."""
        # Each such word starts with the stem: when the stem itself is not found more
        # often (the words of an unrelated headline: only in the headline), no need to
        # look at the words one by one.
        return self._folded.count(stemmed) > than and self._count(stemmed) > than

    def _count(self, stemmed: str) -> int:
        """How often the body has a content word with this stem: the stem itself or it + "s"."""
        text = self._folded
        at = text.find(stemmed)
        words = {w for w in (stemmed, stemmed + "s") if is_content_word(w) and stem(w) == stemmed}
        count = 0
        while at >= 0:
            if at == 0 or not _is_word_char(text[at - 1]):
                end = at + len(stemmed)
                if end < len(text) and text[end] == "s":
                    end += 1  # the plural: one search finds both words
                if (end == len(text) or not _is_word_char(text[end])) and text[at:end] in words:
                    count += 1
            at = text.find(stemmed, at + 1)
        return count

    def is_unrelated(self, line: str, *, strict: bool = False) -> bool:
        """Headline-shaped and sharing (almost) no topic words with the rest of the text.

        ``strict``: no shared topic word at all, whatever the case style.
        """
        if not headline_shape(line):
            return False
        own = content_words(line)
        if not own:
            return False
        shared = sum(1 for w, n in own.items() if self._has_more(w, n))
        overlap = shared / len(own)
        if is_title_case(line.split(" ")) and not strict:
            return overlap <= _TITLE_CASE_MAX_OVERLAP
        return shared == 0
