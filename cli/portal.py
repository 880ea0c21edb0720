"""``ronghe portal`` and ``ronghe accounts`` (CONTRACT §11, docs/portal.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from cli.common import err, out, rows_out
from cli.errors import UsageError
from cli.portal_parser import MIN_PASSWORD
from config.settings import Settings


def _portal_config() -> Any:
    from pydantic import ValidationError

    from portal.config import PortalConfig

    try:
        return PortalConfig()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "RONGHE_PORTAL_" + "_".join(str(p) for p in first["loc"]).upper()
        raise UsageError(f"{name}: {first['msg']}") from None


def cmd_portal(args: argparse.Namespace, settings: Settings) -> int:
    import socket

    from portal.app import serve

    try:  # a port taken is one line, not the server's start-up and shut-down log
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as e:
        raise RuntimeError(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}") from None
    err.print(f"the portal: http://{args.host}:{args.port}/ (Ctrl-C stops it)", markup=False)
    serve(settings, _portal_config(), args.host, args.port)
    return 0


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """The password to set, and whether it was generated (then it is printed)."""
    from portal.security import new_password

    if not getattr(args, "password_stdin", False):
        return new_password(), True
    text = sys.stdin.readline().rstrip("\r\n")
    if len(text) < MIN_PASSWORD:
        raise UsageError(f"the password read from standard input is shorter than {MIN_PASSWORD}")
    return text, False


def cmd_accounts(args: argparse.Namespace, settings: Settings) -> int:
    from approval.store import open_store
    from portal import records
    from portal.security import hash_password, hasher
    from warehouse.modes import private_dir
    from warehouse.registry import load_registry

    if settings.portal_store is None:
        private_dir(settings.portal_dir)
    engine = open_store(settings.portal_store_url)
    names = dict(load_registry(settings.scale).select("unit_code", "name").iter_rows())
    if args.action == "list":
        rows = [
            (a.unit_code, names.get(a.unit_code, "?"), "disabled" if a.disabled else "active",
             f"{a.password_set_at:%Y-%m-%d %H:%M}")
            for a in records.all_accounts(engine)
        ]  # fmt: skip
        rows_out(["unit_code", "name", "state", "password_set_at"], rows, args.format)
        return 0
    unit = args.unit
    if unit not in names:
        raise UsageError(f"unit {unit} is not in the registry (see `ronghe units`)")
    now = datetime.now()
    if args.action == "disable":
        if not records.disable(engine, unit):
            raise UsageError(f"unit {unit} has no account")
        err.print(f"disabled the account of {unit} {names[unit]}", markup=False)
        return 0
    password, generated = _password(args)
    hashed = hash_password(hasher(_portal_config().hash), password)
    if args.action == "add":
        if records.account(engine, unit) is not None:
            raise UsageError(f"unit {unit} has an account already (`ronghe accounts reset`)")
        records.add_account(engine, unit, hashed, now, once=generated)
        what = "opened the account of"
    else:
        if not records.set_password(engine, unit, hashed, now, once=generated):
            raise UsageError(f"unit {unit} has no account (`ronghe accounts add`)")
        what = "set a new password for"
    err.print(f"{what} {unit} {names[unit]}", markup=False)
    if generated:
        err.print(
            "its one-time password (shown this once; hand it over in person;"
            " the unit sets its own at its first login):",
            markup=False,
        )
        out.print(password, markup=False)
    return 0
