"""What a notification is about: a :class:`Notice`, and the kinds there are.

A notice is keyed for ever by its kind and what it is about (``about``: unit, period,
report kind, version — a file's SHA-256, an outage's start …), so one occurrence is
told once whatever the restarts and re-runs: the outbox (:mod:`notify.outbox`) keeps
every key it was ever given. Adding a kind is one line in :data:`KINDS` and a function
that makes its notices (its text from :mod:`notify.texts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transforms.shown import log_text

KINDS: dict[str, str] = {
    "quarantined": "报表被退回",
    "rejected": "文件整份退回",
    "source_unreachable": "报送点无法连接",
    "source_back": "报送点恢复连接",
    "overdue": "逾期未报",
    "approved": "审核通过",
    "returned": "审核退回",
}
"""Every kind of notice, with its Chinese name (a channel's ``kinds`` picks among them)."""


@dataclass(frozen=True)
class Notice:
    """One thing to tell people, once.

    ``event``: the Prefect event that goes with it (``emit_event``'s keyword arguments),
    emitted only when the notice is new, so the server never receives an id twice.
    """

    kind: str
    about: str
    text_zh: str
    unit_code: str | None = None
    period: str | None = None
    event: dict[str, Any] | None = field(default=None, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown notice kind {self.kind!r} (one of {', '.join(KINDS)})")
        # a filer's file name, cell or reason is in the text: a line feed in it would
        # forge a line of a digest, a right-to-left override reverse what follows, a web
        # address be a link in the group's chat. Shown as escapes, addresses defanged
        # (http[:]//): one line, seen, never obeyed.
        object.__setattr__(self, "text_zh", log_text(self.text_zh))

    @property
    def key(self) -> str:
        """The outbox key: the kind and what it is about."""
        return f"{self.kind}:{self.about}"
