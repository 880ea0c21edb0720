"""The portal's reads and writes of its store (:mod:`approval.store`): one function each.

Accounts (``ronghe accounts`` and the login), sessions, failed logins, uploads and the
approval log. Every write is one transaction. Two approvers acting on one report at
once: the second one's transition number is taken (a unique key), and it is told so
(:class:`Conflict`), never silently overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from approval.machine import Version
from approval.store import accounts, approvals, explanations, login_failures, sessions, uploads


class Conflict(Exception):
    """Someone else changed the report at the same moment: look again and retry."""


# ----------------------------------------------------------------------------- accounts


def account(engine: Engine, unit: str) -> Any:
    with engine.connect() as con:
        return con.execute(select(accounts).where(accounts.c.unit_code == unit)).first()


def add_account(
    engine: Engine, unit: str, password_hash: str, now: datetime, once: bool = False
) -> None:
    """A new account; ``once``: its password is one-time (changed at the first login)."""
    with engine.begin() as con:
        con.execute(
            insert(accounts).values(
                unit_code=unit,
                password_hash=password_hash,
                disabled=False,
                must_change=once,
                created_at=now,
                password_set_at=now,
            )
        )


def set_password(
    engine: Engine, unit: str, password_hash: str, now: datetime, once: bool = False, keep: str = ""
) -> bool:
    """A new password (and the account enabled); every session of the unit ends but
    ``keep`` (the token hash of the session that changed it)."""
    with engine.begin() as con:
        n = con.execute(
            update(accounts)
            .where(accounts.c.unit_code == unit)
            .values(
                password_hash=password_hash, password_set_at=now, disabled=False, must_change=once
            )
        ).rowcount
        con.execute(
            delete(sessions).where(sessions.c.unit_code == unit, sessions.c.token_hash != keep)
        )
    return bool(n)


def disable(engine: Engine, unit: str) -> bool:
    """The account can no longer log in; every session of the unit ends."""
    with engine.begin() as con:
        n = con.execute(
            update(accounts).where(accounts.c.unit_code == unit).values(disabled=True)
        ).rowcount
        con.execute(delete(sessions).where(sessions.c.unit_code == unit))
    return bool(n)


def all_accounts(engine: Engine) -> list[Any]:
    with engine.connect() as con:
        return list(con.execute(select(accounts).order_by(accounts.c.unit_code)).all())


# ----------------------------------------------------------------------------- sessions


def open_session(
    engine: Engine, unit: str, token_hash: str, csrf: str, now: datetime, hours: float, old: str
) -> None:
    """A new session (the old one of this client, if any, ends: no fixation)."""
    with engine.begin() as con:
        if old:
            con.execute(delete(sessions).where(sessions.c.token_hash == old))
        con.execute(delete(sessions).where(sessions.c.expires_at < now))
        con.execute(
            insert(sessions).values(
                token_hash=token_hash,
                unit_code=unit,
                csrf=csrf,
                created_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )


def session(engine: Engine, token_hash: str, now: datetime) -> Any:
    """The live session with this token hash, joined with its (enabled) account."""
    q = (
        select(sessions.c.unit_code, sessions.c.csrf, sessions.c.token_hash, accounts.c.must_change)
        .join(accounts, accounts.c.unit_code == sessions.c.unit_code)
        .where(
            sessions.c.token_hash == token_hash,
            sessions.c.expires_at > now,
            accounts.c.disabled.is_(False),
        )
    )
    with engine.connect() as con:
        return con.execute(q).first()


def close_session(engine: Engine, token_hash: str) -> None:
    with engine.begin() as con:
        con.execute(delete(sessions).where(sessions.c.token_hash == token_hash))


# ----------------------------------------------------------------------------- logins


def failures(engine: Engine, scope: str, key: str, since: datetime) -> int:
    t = login_failures
    with engine.connect() as con:
        q = select(func.count()).where(t.c.scope == scope, t.c.key == key, t.c.at >= since)
        return int(con.execute(q).scalar_one())


def fail(engine: Engine, keys: Iterable[tuple[str, str]], now: datetime, keep: timedelta) -> None:
    t = login_failures
    with engine.begin() as con:
        con.execute(delete(t).where(t.c.at < now - keep))
        for scope, key in keys:
            con.execute(insert(t).values(scope=scope, key=key[:64], at=now))


def forget_failures(engine: Engine, scope: str, key: str) -> None:
    t = login_failures
    with engine.begin() as con:
        con.execute(delete(t).where(t.c.scope == scope, t.c.key == key))


# ----------------------------------------------------------------------------- uploads


def add_upload(engine: Engine, **row: Any) -> None:
    with engine.begin() as con:
        con.execute(insert(uploads).values(**row))


def upload(engine: Engine, receipt_no: str) -> Any:
    with engine.connect() as con:
        return con.execute(select(uploads).where(uploads.c.receipt_no == receipt_no)).first()


def recent_uploads(engine: Engine, units: Sequence[str], limit: int = 20) -> list[Any]:
    q = (
        select(uploads)
        .where(uploads.c.unit_code.in_(list(units)))
        .order_by(uploads.c.uploaded_at.desc())
        .limit(limit)
    )
    with engine.connect() as con:
        return list(con.execute(q).all())


def notes_of(engine: Engine, sha256: str) -> dict[str, str]:
    """The 说明 typed when a file was confirmed, by report key (``kind:unit:period``)."""
    t = explanations
    with engine.connect() as con:
        rows = con.execute(select(t).where(t.c.sha256 == sha256)).all()
    return {f"{r.kind}:{r.unit_code}:{r.period}": r.text for r in rows}


# ----------------------------------------------------------------------------- approvals


def log(engine: Engine, period: str, units: Sequence[str]) -> list[Any]:
    """The approval transitions of ``units`` in ``period``, in order."""
    q = (
        select(approvals)
        .where(approvals.c.period == period, approvals.c.unit_code.in_(list(units)))
        .order_by(approvals.c.kind, approvals.c.unit_code, approvals.c.seq)
    )
    with engine.connect() as con:
        return list(con.execute(q).all())


def last_seq(rows: Iterable[Any]) -> dict[tuple[str, str], int]:
    """Per (unit, kind): the number of its last transition."""
    out: dict[tuple[str, str], int] = {}
    for r in rows:
        out[(r.unit_code, r.kind)] = max(out.get((r.unit_code, r.kind), 0), r.seq)
    return out


def versions(rows: Iterable[Any]) -> dict[tuple[str, str], list[Version]]:
    """Per (unit, kind): each version's latest state, oldest version first."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for r in rows:
        out.setdefault((r.unit_code, r.kind), {})[r.source_sha256] = r.state
    return {k: [Version(sha, st) for sha, st in v.items()] for k, v in out.items()}


def record(engine: Engine, transitions: Sequence[dict[str, Any]], **also: Any) -> None:
    """Append ``transitions`` (each with ``seq``: one more than the last transition of its
    report that the decision saw), in one transaction with ``also``: ``confirm``
    (receipt_no, at, inbox_path) and ``notes`` (explanations)."""
    t = approvals
    try:
        with engine.begin() as con:
            confirm = also.get("confirm")
            if confirm is not None:
                n = con.execute(
                    update(uploads)
                    .where(uploads.c.receipt_no == confirm[0], uploads.c.state == "checked")
                    .values(state="confirmed", confirmed_at=confirm[1], inbox_path=confirm[2])
                ).rowcount
                if n != 1:
                    raise Conflict(confirm[0])
            for row in transitions:
                # numbered after the transition the decision saw: if another came in
                # between, the number is taken and the unique key refuses this one
                con.execute(insert(t).values(**row))
            for note in also.get("notes", ()):
                con.execute(delete(explanations).where(
                    explanations.c.sha256 == note["sha256"],
                    explanations.c.kind == note["kind"],
                    explanations.c.unit_code == note["unit_code"],
                    explanations.c.period == note["period"],
                ))  # fmt: skip
                con.execute(insert(explanations).values(**note))
    except IntegrityError as e:
        raise Conflict(str(e.orig)) from e
