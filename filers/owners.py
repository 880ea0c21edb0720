"""Which unit a file belongs to when none of its rows can say (CONTRACT §6 receipts).

A file rejected whole (unreadable, of no known kind, …) names no unit in its rows, yet it
must reach a clerk: it goes on the receipt of the unit that owns the place it came from.

- A file pulled from a unit's deposit (CONTRACT §8) belongs to the unit of that source:
  the caller passes it as ``source_unit`` (the receipts look it up through
  ``meta.pulls`` and ``meta.source_status`` where those tables exist).
- A file dropped into the inbox belongs to the unit whose code or registry name is a
  folder of its path: ``inbox/320623000000/…``, ``inbox/如东县/…``,
  ``inbox/320623100000_掘港镇/…`` or ``inbox/如东县/掘港镇/…`` (the deepest folder
  that names a unit wins, so the township, not its county). A name several units share
  (村 names repeat across townships) counts only where the nearest outer folder that
  names an ancestor of one of them names an ancestor of that one only; otherwise the
  folder names no unit.
- Deeper still is the file's own name, as clerks name files: a unit's code or registry
  name written in it (``掘港镇2017年一季度党建督导季报.xlsx``; of two names the one
  under the other, ``如东县掘港镇…`` is 掘港镇's), placed among shared names the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath, PureWindowsPath

_CODE = re.compile(r"(?<!\d)(\d{12})(?!\d)")
_SEPARATORS = re.compile(r"[\s_\-—·.、，,（）()\[\]【】]+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Registry:
    """What :func:`owning_unit` needs of ``core.units``: names and parents by code."""

    names: Mapping[str, str]
    parents: Mapping[str, str | None]

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, str | None]]) -> Registry:
        """From ``(unit_code, name, parent_code)`` rows."""
        names: dict[str, str] = {}
        parents: dict[str, str | None] = {}
        for code, name, parent in rows:
            names[code] = name
            parents[code] = parent
        return cls(names, parents)

    def by_name(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for code, name in self.names.items():
            found.setdefault(name, []).append(code)
        return found

    def ancestors(self, code: str) -> set[str]:
        out: set[str] = set()
        parent = self.parents.get(code)
        while parent is not None and parent not in out:
            out.add(parent)
            parent = self.parents.get(parent)
        return out


def _folders(path: str) -> list[str]:
    """The folder names of ``path``, outermost first (``/`` or ``\\`` separated)."""
    pure: PurePath = PureWindowsPath(path) if "\\" in path else PurePath(path)
    return [p for p in pure.parent.parts if p not in ("/", "\\", "")]


def _candidates(folder: str, registry: Registry, by_name: Mapping[str, list[str]]) -> list[str]:
    codes = [c for c in _CODE.findall(folder) if c in registry.names]
    if codes:
        return codes[:1]
    bare = _SEPARATORS.sub("", _DIGITS.sub("", folder))
    return list(by_name.get(bare, ()))


def _stem(path: str) -> str:
    pure: PurePath = PureWindowsPath(path) if "\\" in path else PurePath(path)
    return pure.stem


def _named_in(stem: str, registry: Registry, by_name: Mapping[str, list[str]]) -> list[str]:
    """The units a file's own name names: a registered code in it, else the registry
    name written in it (a name inside a longer one, or an ancestor of another named
    unit, gives way to it); several units only where they share that one name."""
    codes = [c for c in _CODE.findall(stem) if c in registry.names]
    if codes:
        return codes[:1]
    text = _SEPARATORS.sub("", stem)
    names = [n for n in by_name if len(n) >= 2 and n in text]
    names = [n for n in names if not any(n != m and n in m for m in names)]
    codes = [c for n in names for c in by_name[n]]
    under = [c for c in codes if not any(c in registry.ancestors(o) for o in codes)]
    named = {registry.names[c] for c in under}
    return [c for c in under if registry.names[c] in named] if len(named) == 1 else []


def owning_unit(path: str, registry: Registry, source_unit: str | None = None) -> str | None:
    """The unit that owns a file received at ``path``, or None where nothing says.

    ``source_unit``: the unit of the source (CONTRACT §8) the file was pulled from; when
    given (and registered) it wins over the folders.
    """
    if source_unit is not None and source_unit in registry.names:
        return source_unit
    by_name = registry.by_name()
    found: list[list[str]] = [_candidates(f, registry, by_name) for f in _folders(path)]
    found.append(_named_in(_stem(path), registry, by_name))
    for depth in range(len(found) - 1, -1, -1):
        codes = found[depth]
        if len(codes) == 1:
            return codes[0]
        placed = _placed(codes, found[:depth], registry) if len(codes) > 1 else None
        if placed is not None:
            return placed
    return None  # (a shared name nothing places gives way to an outer folder's unit)


def _placed(codes: list[str], outer: list[list[str]], registry: Registry) -> str | None:
    """The one of ``codes`` under the nearest outer folder that names an ancestor of any."""
    for named in reversed(outer):
        fitting = [c for c in codes if registry.ancestors(c) & set(named)]
        if fitting:
            return fitting[0] if len(fitting) == 1 else None
    return None
