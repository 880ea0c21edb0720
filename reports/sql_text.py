"""The SQL files of ``reports/sql``."""

from __future__ import annotations

from importlib import resources


def sql(name: str) -> str:
    """The text of ``reports/sql/<name>.sql``."""
    return (resources.files("reports") / "sql" / f"{name}.sql").read_text(encoding="utf-8")
