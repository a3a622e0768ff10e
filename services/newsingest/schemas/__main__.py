"""Rewrite the schema files from the record types."""

from newsingest.schemas import HERE, render

for name, content in render().items():
    (HERE / name).write_bytes(content)
    print(f"wrote {HERE / name}")
