"""The grammar of ``ronghe portal`` and ``ronghe accounts`` (CONTRACT §11)."""

from __future__ import annotations

import argparse
from typing import Any

MIN_PASSWORD = 10


def add_parsers(sub: Any) -> None:
    """The portal's commands (called by :func:`cli.parser.build_parser`)."""
    po = sub.add_parser("portal", help="serve the filers' portal (upload, 回显, 报送, 审核)")
    po.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    po.add_argument("--port", type=_port, default=8765, help="port (default 8765)")

    ac = sub.add_parser("accounts", help="the portal's accounts: add, reset, disable, list")
    acts = ac.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text in (
        ("add", "open an account for a unit (prints a one-time password)"),
        ("reset", "give a unit's account a new password (its sessions end)"),
        ("disable", "close a unit's account (its sessions end)"),
    ):
        a = acts.add_parser(name, help=text)
        a.add_argument("--unit", required=True, type=_code, help="the unit's 12-digit code")
        if name != "disable":
            a.add_argument(
                "--password-stdin",
                action="store_true",
                help=f"read the password from standard input (at least {MIN_PASSWORD} characters)",
            )
    ls = acts.add_parser("list", help="every account: unit, name, state, when its password was set")
    ls.add_argument("--format", choices=["table", "csv"], default="table")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (1–65535): {text!r}")
    return value


def _code(text: str) -> str:
    if not (len(text) == 12 and text.isdigit()):
        raise argparse.ArgumentTypeError(f"not a 12-digit unit code: {text!r}")
    return text
