"""Extraction and cleaning: a fetched page in, the article and an account of the rest out.

``extract_document`` runs trafilatura on HTML (plain text skips it) and then
``clean_text``, which removes what is not the article and records each removal
with a reason code from ``REASONS``:

- ``trailer``: site chrome (comments notice, newsletter and subscription prompts,
  "Read more", related/most-popular link blocks, share/follow prompts, copyright,
  "This article was updated", "Reporting by ... Editing by ...", advertisements);
- ``unrelated_headline``: another story's headline glued to the start or end;
- ``caption``: a picture caption, with or without its credit;
- ``credit``: a picture or agency credit alone ("Getty Images", "(PA)");
- ``metadata_prefix``: a date label or byline before the body ("date 2021-02-26");
- ``duplicate``: a repeated paragraph, the article (or part of it) pasted again,
  or the title repeated as the first line;
- ``fragment``: a piece cut mid-sentence from another text;
- ``too_long``: the end of a body over the size limit (``extract_document``'s
  ``max_chars``), recorded whole, not read.

A body that does not read as text (binary junk decoded as text: controls,
replacement characters, no words) is ``extract_empty``, like a page without an
article.

The patterns are data (``patterns/<language>.yaml``), compiled once at import.
"""

from newsingest.extract._clean import clean_text
from newsingest.extract._extract import extract_document, is_html
from newsingest.extract._html import prime_extractor
from newsingest.extract._model import REASONS, Cleaned, Document

__all__ = [
    "REASONS",
    "Cleaned",
    "Document",
    "clean_text",
    "extract_document",
    "is_html",
    "prime_extractor",
]
