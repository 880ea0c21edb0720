"""The grammar of the upkeep commands (:mod:`cli.upkeep`): ``notify``, ``rebuild``."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def add_parsers(sub: Any) -> None:
    n = sub.add_parser(
        "notify", help="the notifications: send what is pending now, or list the outbox"
    )
    n.add_argument("--list", action="store_true", help="list the outbox (newest first)")
    n.add_argument("--state", choices=["pending", "sent", "failed"], help="with --list: only")
    n.add_argument("--limit", type=int, default=50, help="with --list: at most (default 50)")
    n.add_argument("--check", action="store_true", help="check the channels file and say each")
    n.add_argument(
        "--retry-failed", action="store_true", help="put failed notifications back to pending"
    )
    r = sub.add_parser(
        "rebuild", help="a fresh warehouse in this home from an archive folder alone"
    )
    r.add_argument(
        "--archive",
        type=Path,
        required=True,
        help="the archive folder to read (a backup's archive/, not this home's own)",
    )
    r.add_argument("--rules", type=Path, help="rules file (default: the shipped rules)")
