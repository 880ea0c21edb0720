"""Who may see and act on what (CONTRACT §11), decided here once for every route.

The hierarchy is the unit registry's (``parent_code``): a unit sees and acts on its own
reports and those of every unit under it, nothing else; a report's approver is the
unit's parent (a village's township, a township's county-level unit), and a
county-level unit approves its own reports. :mod:`portal.deps` turns these answers
into the routes' dependencies (403 for anything outside the caller's subtree).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from warehouse.registry import valid_units


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str
    parent: str | None


class Hierarchy:
    """The registry's units by code, and who is under whom."""

    def __init__(self, registry: pl.DataFrame) -> None:
        self.registry = registry
        self.units: dict[str, Unit] = {}
        for code, name, level, parent in registry.select(
            "unit_code", "name", "level", "parent_code"
        ).iter_rows():
            self.units.setdefault(code, Unit(code, name, level, parent or None))

    def get(self, code: str) -> Unit | None:
        return self.units.get(code)

    def chain(self, code: str) -> list[str]:
        """The unit and every unit above it, nearest first."""
        out: list[str] = []
        at: str | None = code
        while at is not None and at not in out and at in self.units:
            out.append(at)
            at = self.units[at].parent
        return out

    def children(self, code: str, period: str) -> list[Unit]:
        """The units directly under ``code`` valid in ``period``."""
        kids = valid_units(self.registry, period).filter(pl.col("parent_code") == code)
        return [self.units[c] for c in sorted(kids.get_column("unit_code").to_list())]

    def valid(self, code: str, period: str) -> bool:
        return not valid_units(self.registry, period).filter(pl.col("unit_code") == code).is_empty()


def may_see(h: Hierarchy, actor: str, unit: str | None) -> bool:
    """The actor's own unit or one under it: it may see and file its reports."""
    return unit is not None and actor in h.chain(unit)


def approver_of(h: Hierarchy, unit: str) -> str | None:
    """Who approves ``unit``'s reports: its parent, or itself at the top (county level)."""
    u = h.get(unit)
    if u is None:
        return None
    return u.parent if u.parent in h.units else u.code


def may_approve(h: Hierarchy, actor: str, unit: str) -> bool:
    return may_see(h, actor, unit) and approver_of(h, unit) == actor
