"""Arabic names with the particles written onto them: و ف ب ل ك and the article ال."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from newsingest.classify.matcher import ProcliticMatcher, fold
from newsingest.records import Tags

Tag = Callable[..., Tags]


def _ids(tags: Tags) -> list[str]:
    return [m.id for m in tags.militias]


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        # "for Kataib Hezbollah": never Lebanon's Hezbollah inside it
        ("قصفت طائرة مسيرة مقرا لكتائب حزب الله في بغداد", ["kataib_hezbollah"]),
        ("وكتائب حزب الله نفت أي علاقة", ["kataib_hezbollah"]),
        ("بيان لحزب الله", ["hezbollah"]),  # "a statement of Hezbollah"
        ("قال مسؤول في حزب الله", ["hezbollah"]),
        ("فحزب الله أعلن", ["hezbollah"]),
        ("ضربة على مواقع للحشد الشعبي", ["popular_mobilization_forces"]),  # li + al- = lil-
        ("وبالحشد الشعبي", ["popular_mobilization_forces"]),
        ("اتهم مسؤولون الحوثيين", ["houthis"]),  # the oblique plural
        ("قال المتحدث باسم الحوثيون", ["houthis"]),
        ("لأنصار الله", ["houthis"]),
        ("هجوم لتنظيم داعش", ["islamic_state"]),
        ("الدولة الاسلامية", ["islamic_state"]),  # hamza left off the alif
        ("ولاية خراسان", ["islamic_state_khorasan"]),  # starts with و, not a particle
        ("حزب اللهو", []),  # another word that starts with the name
    ],
)
def test_proclitics(tag: Tag, text: str, ids: list[str]) -> None:
    assert _ids(tag(text)) == ids


def test_spans_cover_the_written_word(tag: Tag) -> None:
    text = "قصفت طائرة مسيرة مقرا لكتائب حزب الله في بغداد، وقال مسؤول في حزب الله إن ..."
    tags = tag(text)
    (kh,) = [m for m in tags.militias if m.id == "kataib_hezbollah"]
    (span,) = kh.mentions
    assert text[span.start : span.end] == span.text == "لكتائب حزب الله"
    (lb,) = [m for m in tags.militias if m.id == "hezbollah"]
    assert [s.text for s in lb.mentions] == ["حزب الله"]


def test_mixed_text(tag: Tag) -> None:
    tags = tag("A drone struck a headquarters of Kataib Hezbollah (كتائب حزب الله) in Baghdad.")
    assert _ids(tags) == ["kataib_hezbollah"]
    assert len(tags.militias[0].mentions) == 2


def test_letter_forms_are_one_and_spans_keep_the_text() -> None:
    matcher = ProcliticMatcher({"الدولة الإسلامية": ["is"], "أنصار الله": ["houthis"]})
    text = "بيان لأنصار الله عن والدولة الاسلاميه"
    found = [(text[s:e], p) for s, e, p in matcher.find(fold(text))]
    assert found == [("لأنصار الله", ("houthis",)), ("والدولة الاسلاميه", ("is",))]
    assert not matcher.may_match(fold("Plain English text, with “quotes”."))
