"""The outbox: every notification kept until it is sent (CONTRACT §8, ``meta.notifications``).

A SQLite database, ``$RONGHE_HOME/notify/outbox.sqlite`` (owner only), because several
processes write it at once — a run, the chase, a pull, the delivery flow, the portal —
and SQLite lets each wait its turn (DuckDB has one writer process). It holds

- ``notices``: every notice ever told, by key (:attr:`notify.notice.Notice.key`),
  routed to a channel or not: a key seen once is never told again;
- ``notifications``: the contract's rows, one per notice and channel: ``key, kind,
  unit_code, period, channel, text_zh, state`` (``pending``, ``sent``, ``failed``),
  ``attempts, last_error, created_at, sent_at``, and the delivery's own ``next_at``
  (not before: the backoff) and ``claimed_until`` (a delivery is sending it);
- ``sends``: each message sent to a robot (a digest is one), for the rate limits;
- ``marks``: small facts (how far the delivery flow has looked for missed notices).

Each published warehouse carries a copy as ``meta.notifications`` (:func:`mirror`), as
of its run; ``ronghe notify --list`` shows the outbox as it is now.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from notify.notice import Notice
from warehouse.modes import open_private, private_dir

FOLDER = "notify"
NAME = "outbox.sqlite"
COLUMNS = (
    "key",
    "kind",
    "unit_code",
    "period",
    "channel",
    "text_zh",
    "state",
    "attempts",
    "last_error",
    "created_at",
    "sent_at",
)
"""The columns of ``meta.notifications`` (CONTRACT §8), in order."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS notices (
    key        TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    unit_code  TEXT,
    period     TEXT,
    text_zh    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    channels   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS notifications (
    key           TEXT NOT NULL,
    kind          TEXT NOT NULL,
    unit_code     TEXT,
    period        TEXT,
    channel       TEXT NOT NULL,
    text_zh       TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending',
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    created_at    TEXT NOT NULL,
    sent_at       TEXT,
    next_at       TEXT,
    claimed_until TEXT,
    PRIMARY KEY (key, channel)
);
CREATE INDEX IF NOT EXISTS notifications_due ON notifications (channel, state, created_at);
CREATE TABLE IF NOT EXISTS sends (
    channel  TEXT NOT NULL,
    sent_at  TEXT NOT NULL,
    messages INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS marks (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


UNROUTED = -1
"""``notices.channels`` of a notice kept while the channels file could not be read."""


def _rows(
    con: sqlite3.Connection,
    key: str,
    kind: str,
    unit: str | None,
    period: str | None,
    text: str,
    channels: Sequence[str],
    now: datetime,
) -> None:
    con.executemany(
        "INSERT OR IGNORE INTO notifications (key, kind, unit_code, period, channel,"
        " text_zh, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(key, kind, unit, period, c, text, _ts(now)) for c in channels],
    )


def outbox_path(home: Path) -> Path:
    return home / FOLDER / NAME


def _ts(t: datetime) -> str:
    return t.isoformat(sep=" ", timespec="microseconds")


@dataclass(frozen=True)
class Row:
    """One notification of a channel (a row of ``notifications``)."""

    key: str
    kind: str
    unit_code: str | None
    period: str | None
    channel: str
    text_zh: str
    state: str
    attempts: int
    last_error: str | None
    created_at: str
    sent_at: str | None


class Outbox:
    """The outbox of one home. Each method is one short transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        private_dir(path.parent)
        if not path.exists():  # the owner's only, whatever the umask (SQLite's WAL follows)
            os.close(open_private(path, os.O_RDWR))
        self.con = sqlite3.connect(path, timeout=60.0, isolation_level=None)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("PRAGMA busy_timeout=60000")
        self.con.executescript(_SCHEMA)
        # the outbox's birth: what happened before it is history, not news
        self.con.execute(
            "INSERT OR IGNORE INTO marks VALUES ('created_at', ?)", (_ts(datetime.now()),)
        )

    @classmethod
    def of(cls, home: Path) -> Outbox:
        return cls(outbox_path(home))

    @classmethod
    def reader(cls, home: Path) -> Outbox:
        """The outbox opened read-only (``ronghe status``): nothing made or changed."""
        box = cls.__new__(cls)
        box.path = outbox_path(home)
        uri = f"{box.path.resolve().as_uri()}?mode=ro"
        box.con = sqlite3.connect(uri, uri=True, timeout=60.0, isolation_level=None)
        box.con.execute("PRAGMA busy_timeout=60000")
        return box

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (``BEGIN IMMEDIATE``: no upgrade deadlock)."""
        self.con.execute("BEGIN IMMEDIATE")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # --- telling ------------------------------------------------------------------

    def add(
        self,
        notices: Sequence[Notice],
        route: Callable[[Notice], Sequence[str]] | None,
        now: datetime,
    ) -> list[Notice]:
        """Keep the notices never told before, with a pending row for each channel
        ``route`` gives them; the new ones (in order). A key told before adds nothing.
        ``route`` None: the channels cannot be read now (a broken channels file); the
        notices wait, unrouted, for :meth:`reroute`."""
        new: list[Notice] = []
        with self._write() as con:
            for n in notices:
                channels = sorted(set(route(n))) if route is not None else []
                routed = len(channels) if route is not None else UNROUTED
                cur = con.execute(
                    "INSERT OR IGNORE INTO notices VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (n.key, n.kind, n.unit_code, n.period, n.text_zh, _ts(now), routed),
                )
                if cur.rowcount != 1:
                    continue
                new.append(n)
                _rows(con, n.key, n.kind, n.unit_code, n.period, n.text_zh, channels, now)
        return new

    def reroute(self, route: Callable[[Notice], Sequence[str]], now: datetime) -> int:
        """Route the notices kept while the channels could not be read; how many."""
        with self._write() as con:
            waiting = con.execute(
                "SELECT key, kind, unit_code, period, text_zh FROM notices WHERE channels = ?",
                (UNROUTED,),
            ).fetchall()
            for key, kind, unit, period, text in waiting:
                about = key.split(":", 1)[1]
                channels = sorted(set(route(Notice(kind, about, text, unit, period))))
                _rows(con, key, kind, unit, period, text, channels, now)
                con.execute("UPDATE notices SET channels = ? WHERE key = ?", (len(channels), key))
        return len(waiting)

    def known(self, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` were told before."""
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            part = list(keys[i : i + 500])
            marks = ",".join("?" * len(part))
            rows = self.con.execute(f"SELECT key FROM notices WHERE key IN ({marks})", part)
            found.update(r[0] for r in rows)
        return found

    # --- delivering ---------------------------------------------------------------

    def claim(self, channel: str, now: datetime, lease: timedelta) -> list[Row]:
        """The channel's pending rows that are due, claimed for ``lease`` (another
        delivery leaves them alone meanwhile; a delivery that dies frees them then)."""
        with self._write() as con:
            rows = con.execute(
                f"SELECT {', '.join(COLUMNS)} FROM notifications WHERE channel = ?"
                " AND state = 'pending' AND (next_at IS NULL OR next_at <= ?)"
                " AND (claimed_until IS NULL OR claimed_until <= ?)"
                " ORDER BY created_at, rowid",
                (channel, _ts(now), _ts(now)),
            ).fetchall()
            con.executemany(
                "UPDATE notifications SET claimed_until = ? WHERE key = ? AND channel = ?",
                [(_ts(now + lease), r[0], channel) for r in rows],
            )
        return [Row(*r) for r in rows]

    def release(self, channel: str, keys: Sequence[str], not_before: datetime | None) -> None:
        """Give claimed rows back, pending, due again at ``not_before``."""
        with self._write() as con:
            con.executemany(
                "UPDATE notifications SET claimed_until = NULL, next_at = ?"
                " WHERE key = ? AND channel = ?",
                [(None if not_before is None else _ts(not_before), k, channel) for k in keys],
            )

    def sent(
        self, channel: str, keys: Sequence[str], now: datetime, ledger: str | None = None
    ) -> None:
        """The rows went out in one message, counted for ``ledger``'s rate limit (the
        channel's own, unless channels share one robot)."""
        with self._write() as con:
            con.executemany(
                "UPDATE notifications SET state = 'sent', sent_at = ?, attempts = attempts + 1,"
                " claimed_until = NULL, next_at = NULL WHERE key = ? AND channel = ?",
                [(_ts(now), k, channel) for k in keys],
            )
            con.execute("INSERT INTO sends VALUES (?, ?, 1)", (ledger or channel, _ts(now)))
            # the rate limits look one minute back: a day of sends is plenty to keep
            con.execute("DELETE FROM sends WHERE sent_at < ?", (_ts(now - timedelta(days=1)),))

    def tried(
        self,
        channel: str,
        keys: Sequence[str],
        error: str,
        next_at: datetime | None,
        give_up: bool = False,
    ) -> None:
        """A send failed: count it, keep the error; pending again at ``next_at``, or
        ``failed`` (``give_up``: the channel cannot send as configured)."""
        state = "failed" if give_up else "pending"
        with self._write() as con:
            con.executemany(
                "UPDATE notifications SET attempts = attempts + 1, last_error = ?, state = ?,"
                " next_at = ?, claimed_until = NULL WHERE key = ? AND channel = ?",
                [
                    (error[:500], state, None if next_at is None else _ts(next_at), k, channel)
                    for k in keys
                ],
            )

    def sends_since(self, channel: str, since: datetime) -> int:
        """Messages sent to ``channel`` (or a ledger) since ``since`` (the rate limit's
        window)."""
        row = self.con.execute(
            "SELECT coalesce(sum(messages), 0) FROM sends WHERE channel = ? AND sent_at > ?",
            (channel, _ts(since)),
        ).fetchone()
        return int(row[0])

    def channels_pending(self) -> list[str]:
        """The channels with a pending row."""
        rows = self.con.execute(
            "SELECT DISTINCT channel FROM notifications WHERE state = 'pending' ORDER BY 1"
        )
        return [r[0] for r in rows]

    def retry_failed(self) -> int:
        """Put every failed row back to pending (the configuration was fixed)."""
        with self._write() as con:
            cur = con.execute(
                "UPDATE notifications SET state = 'pending', next_at = NULL WHERE state = 'failed'"
            )
        return int(cur.rowcount)

    # --- reading ------------------------------------------------------------------

    def rows(self, state: str | None = None, limit: int | None = None) -> list[Row]:
        """The notifications, newest first (``state``: only those)."""
        sql = f"SELECT {', '.join(COLUMNS)} FROM notifications"
        args: list[object] = []
        if state is not None:
            sql += " WHERE state = ?"
            args.append(state)
        sql += " ORDER BY created_at DESC, key, channel"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [Row(*r) for r in self.con.execute(sql, args)]

    def counts(self) -> dict[str, int]:
        """Rows per state, and notices no channel took (``unrouted``)."""
        out: dict[str, int] = {"pending": 0, "sent": 0, "failed": 0}
        out |= dict(
            self.con.execute("SELECT state, count(*) FROM notifications GROUP BY state").fetchall()
        )
        row = self.con.execute("SELECT count(*) FROM notices WHERE channels <= 0").fetchone()
        out["unrouted"] = int(row[0])
        return {str(k): int(v) for k, v in out.items()}

    @property
    def created_at(self) -> datetime:
        return datetime.fromisoformat(self.mark("created_at") or _ts(datetime.now()))

    def mark(self, name: str) -> str | None:
        row = self.con.execute("SELECT value FROM marks WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_mark(self, name: str, value: str) -> None:
        with self._write() as con:
            con.execute("INSERT OR REPLACE INTO marks VALUES (?, ?)", (name, value))
