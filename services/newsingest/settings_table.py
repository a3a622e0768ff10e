"""Every setting as a Markdown table row: ``python -m newsingest.settings_table [--write]``.

The README's settings table is this output; a test keeps them in step.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from newsingest.config import Settings


def _default(name: str, field: FieldInfo) -> str:
    if field.default_factory is not None:
        return "cpu count" if name == "workers" else "empty"
    value: Any = field.default
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def rows() -> Iterator[tuple[str, str, str]]:
    """(env var, default, description) for every setting, groups flattened."""
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for sub_name, sub_field in annotation.model_fields.items():
                env = f"NEWSINGEST_{name}_{sub_name}".upper()
                yield env, _default(sub_name, sub_field), sub_field.description or ""
        else:
            yield f"NEWSINGEST_{name}".upper(), _default(name, field), field.description or ""


def markdown() -> str:
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    lines += [f"| `{env}` | `{default}` | {text} |" for env, default, text in rows()]
    return "\n".join(lines)


def write_readme(readme: Path) -> None:
    """Replace the table between the README's settings markers with the current one."""
    text = readme.read_text()
    start = text.index(START) + len(START)
    end = text.index(END)
    readme.write_text(f"{text[:start]}\n{markdown()}\n{text[end:]}")


START, END = "<!-- settings:start -->", "<!-- settings:end -->"

if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:  # rewrite the table in ./README.md
        write_readme(Path("README.md"))
    else:
        print(markdown())
