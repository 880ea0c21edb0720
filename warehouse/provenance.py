"""What a rebuild needs beside the archive's bytes: each pack's members, named.

A pack's members are ``<sha256>.<ext>`` (:mod:`warehouse.archive`): the bytes alone say
neither the file's name (which gives its kind, CONTRACT §2), nor where it came from,
nor when. So beside each pack ``archive/packs/<sha>.tar`` lies its **members file**
``archive/packs/<sha>.json`` (owner only), written before the load that indexes the
pack commits, and removed with the pack if that load never commits::

    {"format": "ronghe-pack-members/1", "pack": "<sha>.tar",
     "loaded_at": "2017-04-10T02:00:03.120000",        # the load's time (its "now")
     "members": [{"sha256": "…", "member": "<sha>.xlsx",
                  "path": "/srv/ronghe/home/inbox/如东县/掘港镇党建督导季报.xlsx",
                  "name": "掘港镇党建督导季报.xlsx", "kind": "supervision",
                  "format": "xlsx", "size": 10240, "order": 17,
                  "received_at": "2017-04-10T02:00:03.120017",
                  "arrived_at": "2017-04-05T16:12:00",     # deposit's first sighting or mtime
                  "source": null}]}                        # or the pull's source (below)

``path`` is the manifest's (personal numbers masked, as everywhere it is kept);
``order`` the file's place among the run's new files (receipt times follow it);
``arrived_at`` when the file reached the department (``meta.file_manifest.arrived_at``:
the inbox file's modification time, or when a pull first saw it at its deposit). A
pulled file's ``source`` is ``{"name", "unit", "remote_path", "size", "modified_at",
"pulled_at", "first_seen_at"}``
(added by the pull, :func:`add_sources`). ``ronghe rebuild`` reads these files
(:func:`read_members`); packs written before them get theirs from the warehouse
(:func:`write_missing`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from warehouse.archive import PACKS, Pack, home_path
from warehouse.modes import write_private

FORMAT = "ronghe-pack-members/1"


def members_path(pack: Path) -> Path:
    """``archive/packs/<sha>.json`` beside ``archive/packs/<sha>.tar``."""
    return pack.with_suffix(".json")


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def write_doc(pack: Path, doc: Mapping[str, Any]) -> None:
    """Write (or replace) a pack's members file: whole, flushed, renamed into place."""
    target = members_path(pack)
    tmp = target.with_name(f".members.tmp{os.getpid()}")
    data = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    try:
        write_private(tmp, data)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_members(pack: Path) -> dict[str, Any] | None:
    """A pack's members file, or None where it has none (or not one of ours)."""
    try:
        doc = json.loads(members_path(pack).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("format") == FORMAT else None


def write_for_load(pack: Pack, outcomes: Sequence[Any], now: datetime) -> None:
    """The members file of a load's pack, from the load's ``outcomes``
    (``store.FileOutcome``: the manifest's rows)."""
    facts = {o.sha256: o for o in outcomes}
    members = []
    for sha, member, _, size in pack.members:
        o = facts[sha]
        members.append(
            {
                "sha256": sha,
                "member": member,
                "path": o.path,
                "name": Path(o.path).name,
                "kind": o.kind,
                "format": o.format,
                "size": size,
                "order": (o.received_at - now) // timedelta(microseconds=1),
                "received_at": _iso(o.received_at),
                "arrived_at": _iso(o.arrived_at or o.received_at),
                "source": None,
            }
        )
    write_doc(
        pack.path,
        {"format": FORMAT, "pack": pack.path.name, "loaded_at": _iso(now), "members": members},
    )


def add_sources(
    con: duckdb.DuckDBPyConnection, home: Path, sources: Mapping[str, Mapping[str, Any]]
) -> int:
    """Name the source of pulled files (by SHA-256) in their packs' members files; the
    packs changed. ``sources[sha]``: ``name, unit, remote_path, size, modified_at,
    pulled_at``."""
    if not sources:
        return 0
    rows = con.execute(
        "SELECT DISTINCT pack FROM meta.archive_index WHERE list_contains($shas, sha256)",
        {"shas": list(sources)},
    ).fetchall()
    changed = 0
    for (stored,) in rows:
        pack = home_path(stored, home)
        doc = read_members(pack)
        if doc is None:
            continue
        for m in doc["members"]:
            origin = sources.get(m["sha256"])
            if origin is not None:
                m["source"] = dict(origin)
        write_doc(pack, doc)
        changed += 1
    return changed


def packs(archive_dir: Path) -> list[Path]:
    folder = archive_dir / PACKS
    return sorted(folder.glob("*.tar")) if folder.is_dir() else []


def write_missing(con: duckdb.DuckDBPyConnection, home: Path, archive_dir: Path) -> int:
    """Members files for the packs that have none (archived before them), from the
    warehouse's manifest and pulls; how many were written. A run's "now" is not kept
    for them: it is taken as its first file's receipt time."""
    todo = [p for p in packs(archive_dir) if not members_path(p).exists()]
    if not todo:
        return 0
    names = [p.name for p in todo]
    found = con.execute(_LEGACY, {"names": names}).fetchall()
    by_pack: dict[str, list[tuple[Any, ...]]] = {}
    for row in found:
        by_pack.setdefault(Path(row[0]).name, []).append(row)
    for pack in todo:
        rows = by_pack.get(pack.name)
        if not rows:
            continue
        first = min(r[7] for r in rows)
        members = [_legacy_member(r, first) for r in sorted(rows, key=lambda r: r[7])]
        write_doc(
            pack,
            {"format": FORMAT, "pack": pack.name, "loaded_at": _iso(first), "members": members},
        )
    return len([p for p in todo if p.name in by_pack])


_LEGACY = """
SELECT a.pack, a.sha256, a.member, m.path, m.kind, m.format, a.size_bytes, m.received_at,
       m.arrived_at, p.source, p.unit_code, p.remote_path, p.size, p.modified_at, p.pulled_at,
       p.first_seen_at
FROM meta.archive_index a
JOIN meta.file_manifest m ON m.sha256 = a.sha256
LEFT JOIN (SELECT * FROM meta.pulls WHERE outcome = 'pulled') p ON p.sha256 = a.sha256
WHERE list_contains($names, parse_filename(a.pack))
"""


def _legacy_member(row: Iterable[Any], first: datetime) -> dict[str, Any]:
    (_, sha, member, path, kind, fmt, size, received, arrived, *pull) = row
    source, unit, remote, rsize, modified, pulled, first_seen = pull
    return {
        "sha256": sha,
        "member": member,
        "path": path,
        "name": Path(path).name,
        "kind": kind,
        "format": fmt,
        "size": size,
        "order": (received - first) // timedelta(microseconds=1),
        "received_at": _iso(received),
        "arrived_at": _iso(arrived or received),
        "source": None
        if source is None
        else {
            "name": source,
            "unit": unit,
            "remote_path": remote,
            "size": rsize,
            "modified_at": _iso(modified),
            "pulled_at": _iso(pulled),
            "first_seen_at": _iso(first_seen),
        },
    }
