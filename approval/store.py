"""The portal's own store (CONTRACT §11): accounts, sessions, uploads and the approval log.

SQLite in ``$RONGHE_HOME/portal/portal.db`` by default (WAL: readers never wait for the
writer), or a PostgreSQL URL (``RONGHE_PORTAL_STORE``) when several portal processes
share it; SQLAlchemy Core speaks to both. The portal writes it; a run only reads it
(:func:`read_log`, :func:`read_explanations`), read-only and with a short timeout, so a
run never waits for the portal and the portal never takes the warehouse's writer.

Tables:

- ``accounts``: one per unit (``unit_code``), the argon2 hash of its password, disabled,
  and whether its password is a one-time one (to be changed at the first login);
- ``sessions``: the SHA-256 of each session token (the cookie's and the bearer token's),
  its unit, CSRF token and expiry;
- ``login_failures``: failed logins by account and by client address (rate limits);
- ``uploads``: each upload by its receipt number (回执号): who, the file, what ronghe
  read (``echo``, JSON), checked or confirmed;
- ``approvals``: every transition of every report version, never updated: ``kind,
  unit_code, period, source_sha256, state, by_unit, at, reason`` and ``seq``, the
  transition's number within its report (unique: two approvers racing on one report
  cannot both win);
- ``explanations``: the 说明 typed at confirmation, per file and report, applied to the
  report's ``explanation`` when a run loads it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
)
from sqlalchemy.exc import SQLAlchemyError

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("unit_code", String(12), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    # a password ronghe made (``accounts add`` / ``reset`` without --password-stdin) is used
    # once: the unit sets its own at its first login before anything else
    Column("must_change", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Column("password_set_at", DateTime, nullable=False),
)
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("unit_code", String(12), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(8), nullable=False),  # account, address
    Column("key", String(64), nullable=False),
    Column("at", DateTime, nullable=False, index=True),
)
uploads = Table(
    "uploads",
    metadata,
    Column("receipt_no", String(32), primary_key=True),
    Column("unit_code", String(12), nullable=False, index=True),
    Column("file_name", String(255), nullable=False),
    Column("stored", Text, nullable=False),  # the staged file, relative to the portal folder
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
    Column("state", String(16), nullable=False),  # checked, confirmed
    Column("echo", Text, nullable=False),
    Column("confirmed_at", DateTime),
    Column("inbox_path", Text),
)
approvals = Table(
    "approvals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("unit_code", String(12), nullable=False),
    Column("period", String(6), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("source_sha256", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("by_unit", String(12), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("reason", Text),
    Column("receipt_no", String(32)),
    UniqueConstraint("kind", "unit_code", "period", "seq", name="one_transition_at_a_time"),
)
explanations = Table(
    "explanations",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("unit_code", String(12), primary_key=True),
    Column("period", String(6), primary_key=True),
    Column("text", Text, nullable=False),
)

APPROVAL_COLUMNS = (
    "kind",
    "unit_code",
    "period",
    "seq",
    "source_sha256",
    "state",
    "by_unit",
    "at",
    "reason",
)
"""The log's columns as ``meta.approvals`` holds them."""


class StoreUnavailable(Exception):
    """The store could not be read now (the run goes on with what it copied before)."""


def sqlite_url(path: Path, read_only: bool = False) -> str:
    if read_only:
        return f"sqlite:///file:{path}?mode=ro&uri=true"
    return f"sqlite:///{path}"


def _sqlite_pragmas(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_con: Any, _record: Any) -> None:
        cur = dbapi_con.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
        with contextlib.suppress(Exception):  # a read-only connection cannot change it
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()


def open_store(url: str, busy_ms: int = 10_000) -> Engine:
    """The store at ``url`` for the portal (tables created if missing)."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        if url.startswith("sqlite:///") and not path.exists():
            # the owner's only: it holds password hashes (SQLite gives its -wal the same mode)
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_pragmas(engine, busy_ms)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    metadata.create_all(engine)
    return engine


@contextlib.contextmanager
def _reader(url: str, timeout_s: float) -> Iterator[Engine | None]:
    """A read-only engine on the store, or None when there is no store yet."""
    if url.startswith("sqlite:///") and "mode=ro" not in url:
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            yield None
            return
        url = sqlite_url(path, read_only=True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": timeout_s})
        _sqlite_pragmas(engine, int(timeout_s * 1000))
    else:
        engine = create_engine(url, connect_args={"connect_timeout": max(1, int(timeout_s))})
    try:
        yield engine
    finally:
        engine.dispose()


def read_log(url: str, timeout_s: float = 2.0) -> list[dict[str, Any]] | None:
    """Every approval transition, oldest first, read-only (a run's copy into
    ``meta.approvals``); None when the portal has no store yet."""
    try:
        with _reader(url, timeout_s) as engine:
            if engine is None:
                return None
            cols = [approvals.c[n] for n in APPROVAL_COLUMNS]
            with engine.connect() as con:
                rows = con.execute(select(*cols).order_by(approvals.c.id)).mappings().all()
            return [dict(r) for r in rows]
    except SQLAlchemyError as e:
        raise StoreUnavailable(str(e).splitlines()[0]) from e


def read_explanations(
    url: str, shas: Sequence[str], timeout_s: float = 2.0
) -> dict[tuple[str, str, str, str], str]:
    """The 说明 typed in the portal for the files ``shas``: by (sha256, kind, unit, period)."""
    if not shas:
        return {}
    try:
        with _reader(url, timeout_s) as engine:
            if engine is None:
                return {}
            t = explanations
            with engine.connect() as con:
                rows = con.execute(select(t).where(t.c.sha256.in_(list(shas)))).all()
            return {(r.sha256, r.kind, r.unit_code, r.period): r.text for r in rows}
    except SQLAlchemyError as e:
        raise StoreUnavailable(str(e).splitlines()[0]) from e
