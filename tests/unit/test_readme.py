"""Every setting is documented in the README, with its current default."""

from pathlib import Path

from newsingest.settings_table import markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_settings_table_is_current() -> None:
    text = README.read_text()
    start = text.index("<!-- settings:start -->") + len("<!-- settings:start -->\n")
    end = text.index("<!-- settings:end -->")
    assert text[start:end].strip() == markdown(), "run python -m newsingest.settings_table --write"
