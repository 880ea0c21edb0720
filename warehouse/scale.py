"""The home remembers its scale (``RONGHE_SCALE``: ``city`` or ``province``).

The registry a run validates against is the city's (Nantong, about 1,800 villages) or
the province's (Jiangsu's 13 cities, about 20,000). A province's files run at city
scale are ``unknown_unit`` by the tens of thousands, and a city run on a province home
would put the city's registry in place of the province's. So the first run writes the
scale into the home (``$RONGHE_HOME/scale``, one word); later, an unset ``RONGHE_SCALE``
takes it from there (:func:`config.settings.Settings.load`), and a different one is a
usage error naming both. A home made before the file is judged by its warehouse's
``core.units`` (units outside Nantong: province).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # config.settings imports this module: DuckDB only where it is needed
    import duckdb

MARKER = "scale"
SCALES = ("city", "province")
NANTONG = "3206"


class ScaleMismatch(ValueError):
    """``RONGHE_SCALE`` says one scale, the home holds a warehouse of the other."""


def remembered(home: Path) -> str | None:
    """The scale written in the home, or None."""
    try:
        text = (home / MARKER).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text if text in SCALES else None


def inferred(published: Path) -> str | None:
    """The scale of a warehouse made before the marker (None: no warehouse, or unreadable)."""
    if not published.exists():
        return None
    import duckdb

    try:
        con = duckdb.connect(str(published), read_only=True)
    except duckdb.Error:
        return None
    try:
        ((outside,),) = con.execute(
            "SELECT count(*) FROM core.units WHERE NOT starts_with(unit_code, ?)", [NANTONG]
        ).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return "province" if outside else "city"


def of_home(home: Path, published: Path) -> str | None:
    return remembered(home) or inferred(published)


def mismatch(home: Path, wanted: str, found: str) -> ScaleMismatch:
    return ScaleMismatch(
        f"RONGHE_SCALE is {wanted}, but the home {home} holds a {found}-scale warehouse"
        f" ({home / MARKER}): set RONGHE_SCALE={found}, or use another RONGHE_HOME"
    )


def remember(home: Path, scale: str) -> None:
    """Write the home's scale once (the first run); a home that has one keeps it."""
    marker = home / MARKER
    if marker.exists():
        return
    tmp = marker.with_name(f".{MARKER}.{os.getpid()}")
    tmp.write_text(scale + "\n", encoding="utf-8")
    os.replace(tmp, marker)


HINT_AT = 50
"""``unknown_unit`` reports of other Jiangsu cities in one run that make the hint."""


def province_hint(con: duckdb.DuckDBPyConnection, scale: str, when: datetime) -> str | None:
    """At city scale, a run that returned many reports as ``unknown_unit`` whose codes are
    of other Jiangsu cities (32xx) was most likely meant for the province: say so."""
    if scale != "city":
        return None
    ((n,),) = con.execute(
        "SELECT count(*) FROM quarantine.reports WHERE quarantined_at = ?"
        " AND list_contains(reasons, 'unknown_unit') AND starts_with(unit_code, '32')"
        " AND NOT starts_with(unit_code, ?)",
        [when, NANTONG],
    ).fetchall()
    if n < HINT_AT:
        return None
    return (
        f"{n:,} reports name units of other Jiangsu cities (unknown_unit at city scale):"
        " did you mean RONGHE_SCALE=province? (a new home; docs/operations.md «Province scale»)"
    )
