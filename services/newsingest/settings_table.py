"""Every setting as a Markdown table row: ``python -m newsingest.settings_table``.

The README's settings table is this output; a test keeps them in step.
"""

from __future__ import annotations

from collections.abc import Iterator
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


if __name__ == "__main__":
    print(markdown())
