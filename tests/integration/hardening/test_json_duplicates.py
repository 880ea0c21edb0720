"""Issue 19, group 9: a JSON object with a key twice is refused, like a CSV header twice."""

from __future__ import annotations

from pathlib import Path

from tests.support.factories import COUNTY, supervision_row
from tests.support.hardening import cli


def test_a_key_twice_is_unreadable_like_a_header_twice(tmp_path: Path) -> None:
    row = supervision_row()
    body = ", ".join(f'"{k}": "{v}"' for k, v in row.items())
    twice = tmp_path / "supervision_twice.json"
    twice.write_text(f'[{{"unit_code": "{COUNTY[:-1]}3", {body}}}]', encoding="utf-8")
    header = tmp_path / "supervision_twice.csv"
    header.write_text(
        "unit_code," + ",".join(row) + "\n" + f"{COUNTY[:-1]}3," + ",".join(map(str, row.values())),
        encoding="utf-8",
    )
    for path in (twice, header):
        proc = cli("validate", str(path), home=tmp_path / "home")
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "unreadable_file" in proc.stdout or "无法读取" in proc.stdout, proc.stdout
    proc = cli("validate", str(twice), "--format", "json", home=tmp_path / "home")
    assert "the key 'unit_code' twice" in proc.stdout, proc.stdout
