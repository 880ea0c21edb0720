"""The one-writer lock: a second writer waits, says for whom, and gives up in time."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.lock import LockTimeout, holder, writer_lock


def test_a_second_writer_says_what_it_waits_for(tmp_path: Path) -> None:
    path = tmp_path / "writer.lock"
    heard: list[str] = []
    with writer_lock(path, "backfill run A"):
        assert "backfill run A" in holder(path)
        with (
            pytest.raises(LockTimeout, match="backfill run A"),
            writer_lock(path, "run B", timeout=0.3, on_wait=heard.append),
        ):
            pytest.fail("took a lock that is held")
    assert len(heard) == 1 and "waiting for backfill run A" in heard[0]
    # released: the next writer gets it at once
    with writer_lock(path, "run C", timeout=0.3):
        assert "run C" in holder(path)
    assert holder(path) == "another run"  # nothing is held now
