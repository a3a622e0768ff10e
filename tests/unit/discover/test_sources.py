from __future__ import annotations

from pathlib import Path

import pytest

from newsingest.discover.sources import load_sources

TOML = """
[[sources]]
name = "world"
url = "https://news.test/world.xml"
kind = "feed"
interval_s = 60

[[sources]]
name = "sitemap"
url = "https://news.test/news-sitemap.xml"
"""
YAML = """
sources:
  - name: world
    url: https://news.test/world.xml
    kind: feed
    interval_s: 60
  - name: sitemap
    url: https://news.test/news-sitemap.xml
"""


@pytest.mark.parametrize(("suffix", "text"), [(".toml", TOML), (".yaml", YAML)])
def test_toml_and_yaml_read_the_same(tmp_path: Path, suffix: str, text: str) -> None:
    path = tmp_path / f"sources{suffix}"
    path.write_text(text)
    sources = load_sources(path)
    assert [(s.name, s.kind, s.interval_s) for s in sources] == [
        ("world", "feed", 60.0),
        ("sitemap", "auto", None),
    ]


@pytest.mark.parametrize(
    "text",
    [
        'sources:\n  - {name: a, url: "ftp://x/"}\n',
        "sources:\n  - {name: a, url: https://x/}\n  - {name: a, url: https://y/}\n",
        'sources:\n  - {name: "has space", url: https://x/}\n',
        "sources:\n  - {name: a, url: https://x/, colour: red}\n",
    ],
)
def test_bad_files_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"sources\.yaml"):
        load_sources(path)
