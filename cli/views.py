"""``ronghe status`` and ``ronghe sources`` as an 80-column terminal shows them.

Fixed columns for what has a fixed width (a unit code is always 12 characters, a time
16), the rest wrapped under its column (:func:`cli.layout.table`): nothing is cut, not
a unit code, not a source's ``!``, not an error. Data is shown with control characters
escaped (:func:`transforms.shown.escaped`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cli.layout import WIDTH, table, wrap
from transforms.shown import escaped


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else escaped(str(value))


def _took(started: Any, finished: Any) -> str:
    if not (isinstance(started, datetime) and isinstance(finished, datetime)):
        return "-"
    s = int((finished - started).total_seconds())
    return f"{s}s" if s < 600 else f"{s // 60}m"


def runs_lines(rows: Sequence[Sequence[Any]]) -> list[str]:
    """Recent runs: started, how long, flow, state, run id (36 characters, never cut)."""
    body = [["started", "took", "flow", "state", "run id"]]
    for run_id, flow, state, started, finished, *_ in rows:
        body.append(
            [_when(started), _took(started, finished), escaped(flow), state, escaped(run_id)]
        )
    return table(body, [16, 6, 9, 9, 36])


def open_report_lines(rows: Sequence[Sequence[Any]]) -> list[str]:
    """Open quarantined reports: kind, unit, quarter, reasons, received; then the file."""
    widths = [11, 12, 7, 27, 16]  # the longest reason code is 24 characters
    out = table([["kind", "unit", "period", "reasons", "received"]], widths)
    for kind, unit, period, reasons, path, received in rows:
        shown = escaped(str(reasons)).replace(",", ", ")  # wrapped between codes
        cells = [kind, escaped(str(unit)), escaped(str(period)), shown, _when(received)]
        out += table([cells], widths)
        out += ["    " + line for line in wrap(escaped(str(path or "")), WIDTH - 4)]
    return out


def open_file_lines(rows: Sequence[Sequence[Any]]) -> list[str]:
    """Open rejected files: when, the reasons; then the file (its source for a pull)."""
    out = table([["received", "reasons"]], [16, 40])
    for path, reasons, when in rows:
        out += table([[_when(when), escaped(str(reasons)).replace(",", ", ")]], [16, 40])
        out += ["    " + line for line in wrap(escaped(str(path)), WIDTH - 4)]
    return out


SOURCE_COLUMNS = (("source", 14), ("unit", 12), ("last reached", 17), ("seen/pulled", 11))
"""``ronghe sources``: the fixed columns (name, width); the last error takes the rest."""


def source_lines(sources: Sequence[Any], status: dict[str, tuple[Any, ...]]) -> list[str]:
    """The ``ronghe sources`` table: one source a row (wrapped, never cut), 80 columns."""
    widths = [w for _, w in SOURCE_COLUMNS] + [WIDTH]
    rows = [[n for n, _ in SOURCE_COLUMNS] + ["last error"]]
    for s in sources:
        row = status.get(s.name)
        if row is None:
            rows.append([s.name, s.unit, "never tried", "-", ""])
            continue
        _, _, _attempted, reached, reached_at, seen, pulled, error = row
        when = _when(reached_at) or "never"
        rows.append(
            [
                s.name,
                s.unit,
                when if reached else f"{when}!",
                f"{seen}/{pulled}",
                escaped(error or ""),
            ]
        )
    return table(rows, widths)


def outbox_counts(home: Any) -> dict[str, int] | str | None:
    """The notification outbox's rows per state, read-only; None: nothing told yet; a
    string: why it cannot be read (the outbox is its owner's, mode 0600)."""
    import sqlite3

    from notify.outbox import Outbox, outbox_path

    if not outbox_path(home).exists():
        return None
    try:
        with Outbox.reader(home) as box:
            return box.counts()
    except (OSError, sqlite3.Error) as exc:
        return f"{outbox_path(home)}: {exc}"


def outbox_lines(counts: dict[str, int] | str | None) -> list[str]:
    """``ronghe status``'s notifications: what waits, and what failed (and where to look)."""
    if counts is None:
        return ["Notifications: none told yet"]
    if isinstance(counts, str):
        return wrap(f"Notifications: the outbox cannot be read ({counts})", WIDTH)
    line = "Notifications: " + ", ".join(
        f"{counts.get(s, 0)} {s}" for s in ("pending", "failed", "sent")
    )
    if counts.get("failed"):  # the command on a line of its own, whole
        return [line, "  a channel cannot send; why: ronghe notify --list --state failed"]
    if counts.get("pending"):
        return [line, "  waiting for a delivery, or for a channel that is down"]
    return [line]
