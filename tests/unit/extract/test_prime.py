"""Priming pays trafilatura's one-time justext stop-word build before the first page."""

from justext.core import define_stoplist
from trafilatura import external

from newsingest.extract import prime_extractor


def test_priming_builds_the_stop_words_once() -> None:
    prime_extractor()
    assert external.JT_STOPLIST is not None
    assert len(external.JT_STOPLIST) > 10_000  # every language's stop words
    stop_words = external.JT_STOPLIST
    built = define_stoplist.cache_info()
    prime_extractor()  # a second call finds both built
    again = define_stoplist.cache_info()
    assert external.JT_STOPLIST is stop_words
    assert (again.currsize, again.misses) == (built.currsize, built.misses)
