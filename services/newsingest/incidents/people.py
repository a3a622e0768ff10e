"""A light extractor of people's names: runs of capitalised words, titles dropped.

The classifier does not tag people, but the person killed or quoted is among
the strongest signs that two reports tell of one strike. This is deliberately
simple: two to five capitalised tokens on one line (Arabic particles such as
``al-`` and ``bin`` allowed inside), no word from the stop lists, not inside a
span the classifier already tagged as a militia or a place. Names are keyed by
their last token without its particle, which survives most transliterations
("Abu Baqir al-Saadi" and "Baqir al-Saadi" share ``saadi``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_TOKEN = r"(?:[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?|(?:[Aa]l|[Ee]l)-[A-Z][a-z'’]+)"
_CONNECTOR = r"(?:bin|ibn|bint|al|el|de|van|von|abu)"
_NAME = re.compile(rf"\b{_TOKEN}(?:[ \t]+(?:{_CONNECTOR}[ \t]+)?{_TOKEN}){{1,4}}\b")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that open a capitalised run without belonging to a name.
_LEADING = _words(
    """
    the a an in on at as after before when while since during by for from of to with and but
    president prime minister gen general maj major lt col colonel brig brigadier adm admiral
    secretary spokesman spokeswoman commander chief deputy leader supreme ayatollah sheikh imam
    prophet dr mr mrs ms sen senator rep defence defense foreign interior press state army sgt
    sergeant capt captain cpl corporal pfc specialist staff lieutenant mayor governor iraqi
    iranian syrian israeli lebanese american yemeni jordanian british french turkish saudi
    palestinian kurdish houthi us u.s un former late slain senior top veteran militant
    """
)

# Words that mark a run as an organisation, a place, a date, a weapon or a nationality.
_NOT_A_PERSON = _words(
    """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday forces force command ministry army
    guard guards corps group brigade brigades hezbollah hizbollah resistance council
    observatory news agency post times street base airport province city sea gulf islamic state
    coalition department central united nations house white red green zone navy human rights
    mobilization mobilisation popular units revolutionary kataib kataeb harakat asaib nujaba
    hashed shaabi houthis ansar allah pentagon centcom embassy international republic kingdom
    emirates arab media office committee party movement front network university hospital
    bridge road camp tower national security square district governorate region north south
    east west northern southern eastern western missile missiles drone drones rocket rockets
    aircraft jet jets ship ships tanker vessel tv channel radio press reuters associated air
    joint iraqi iranian syrian israeli lebanese american yemeni jordanian british
    """
)

_PARTICLE = re.compile(r"^(?:al|el|abu|bin|ibn)-", re.IGNORECASE)


def extract_people(
    text: str, *, limit_chars: int, tagged_spans: Iterable[tuple[int, int]] = ()
) -> frozenset[str]:
    """Keys of the people named in the first ``limit_chars`` of ``text``."""
    head = text[:limit_chars]
    taken = sorted(tagged_spans)
    keys: set[str] = set()
    for match in _NAME.finditer(head):
        if any(start < match.end() and match.start() < end for start, end in taken):
            continue
        tokens = match.group().split()
        while tokens and tokens[0].lower().strip(".") in _LEADING:
            tokens.pop(0)
        words = [t.lower() for t in tokens]
        if len(words) < 2 or any(_bare(w) in _NOT_A_PERSON for w in words):
            continue
        keys.add(name_key(tokens))
    return frozenset(keys)


def name_key(tokens: list[str]) -> str:
    """The key two spellings of one person share: the bare last token, lower-cased."""
    return _bare(tokens[-1].lower())


def _bare(word: str) -> str:
    word = _PARTICLE.sub("", word).replace("’", "'")
    return word.removesuffix("'s").strip("'")
