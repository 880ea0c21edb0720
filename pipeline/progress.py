"""A process-wide progress reporter: the CLI installs one, tasks report to it.

Flow parameters must stay serialisable, so the reporter is not passed as one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Reporter(Protocol):
    def step(self, message: str) -> None: ...

    def advance(self, label: str, done: int, total: int) -> None: ...


class _Silent:
    def step(self, message: str) -> None:
        pass

    def advance(self, label: str, done: int, total: int) -> None:
        pass


_current: Reporter = _Silent()


def install(reporter: Reporter | None) -> Callable[[], None]:
    """Install a reporter; returns a function that restores the previous one."""
    global _current
    previous = _current
    _current = reporter or _Silent()

    def restore() -> None:
        global _current
        _current = previous

    return restore


def step(message: str) -> None:
    _current.step(message)


def advance(label: str, done: int, total: int) -> None:
    _current.advance(label, done, total)
