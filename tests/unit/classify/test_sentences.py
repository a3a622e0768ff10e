"""split_sentences: sentence ends, abbreviations, line ends, overlong runs."""

from __future__ import annotations

import pytest

from newsingest.classify.sentences import MAX_SENTENCE, split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("He met Dr. Smith. Then he left.", ["He met Dr. Smith.", "Then he left."]),
        # An abbreviation right after a line end: its word does not reach back into the line.
        (
            "End of line.\nDr. Smith spoke. It was late.",
            ["End of line.", "Dr. Smith spoke.", "It was late."],
        ),
        (
            "Attack on Oct. 17 killed two. Gen. X said.",
            ["Attack on Oct. 17 killed two.", "Gen. X said."],
        ),
        ("x\nab. Cd", ["x", "ab.", "Cd"]),
        ("In the 1990s. The end", ["In the 1990s.", "The end"]),
        ("St. Louis. Oct. The", ["St. Louis.", "Oct.", "The"]),  # "Oct." before a word ends one
        ("  Lead.  \n\n Next line!  More? Yes.", ["Lead.", "Next line!", "More?", "Yes."]),
        ("U.S. forces said “It is over.” Then", ["U.S. forces said “It is over.”", "Then"]),
        ("", []),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert [text[a:b] for a, b in split_sentences(text)] == sentences


def test_an_overlong_run_is_cut_at_spaces() -> None:
    text = "word " * 400 + "end."
    spans = split_sentences(text)
    assert len(spans) > 1
    assert all(b - a <= MAX_SENTENCE for a, b in spans)
    assert " ".join(text[a:b] for a, b in spans) == text.strip()
