"""``ronghe shell``'s init script: the analyst's own ~/.duckdbrc, then the memory limit."""

from __future__ import annotations

import stat
from pathlib import Path

from cli.workbench import shell_init


def test_the_analysts_own_script_runs_and_the_limit_comes_last(tmp_path: Path) -> None:
    own = tmp_path / ".duckdbrc"
    own.write_text(".timer on\nSET threads = 1;\n", encoding="utf-8")
    init = shell_init("512MB", own)
    try:
        text = init.read_text(encoding="utf-8")
        assert text.splitlines() == [".timer on", "SET threads = 1;", "SET memory_limit = '512MB';"]
        assert stat.S_IMODE(init.stat().st_mode) == 0o600
    finally:
        init.unlink()


def test_without_an_own_script_only_the_limit(tmp_path: Path) -> None:
    init = shell_init("2GB", tmp_path / "none")
    try:
        assert init.read_text(encoding="utf-8") == "SET memory_limit = '2GB';\n"
    finally:
        init.unlink()
