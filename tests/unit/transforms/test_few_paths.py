"""A log line names a count and a few paths, never thousands."""

from __future__ import annotations

from pathlib import Path

from transforms.paths import few_paths


def test_few_paths_stays_short() -> None:
    many = [Path(f"/srv/inbox/县{i:04d}/党建督导_{i}.xlsx") for i in range(3354)]
    line = few_paths(many)
    assert line.startswith("3354 paths (/srv/inbox/县0000/党建督导_0.xlsx, ")
    assert line.endswith(" …)") and len(line) < 200
    two = "/srv/inbox/县0000/党建督导_0.xlsx, /srv/inbox/县0001/党建督导_1.xlsx"
    assert few_paths(many[:2]) == two
    assert few_paths([]) == ""
