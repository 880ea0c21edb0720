"""The analysts' read-only query: the published warehouse, sandboxed (``ronghe query``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from config.settings import Settings


def run_query(
    settings: Settings, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one query on the published warehouse, sandboxed: it reads that and nothing else."""
    from warehouse.db import connect_sandboxed

    con = connect_sandboxed(settings.published_path)
    try:
        bound = dict(params) if isinstance(params, Mapping) else list(params)
        rel = con.execute(sql, bound or None)
        columns = [d[0] for d in rel.description or []]
        return columns, rel.fetchall()
    finally:
        con.close()
