"""find_new: known bytes are recognised; unchanged files are not hashed again."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.support.factories import supervision_row, write_csv


def test_find_new_remembers_hashes_and_notices_changes(session: Any, tmp_path: Path) -> None:
    from warehouse.received import find_new

    a = write_csv(tmp_path / "in" / "supervision_a.csv", [supervision_row()])
    b = write_csv(tmp_path / "in" / "supervision_b.csv", [supervision_row(period="2017Q2")])
    found = find_new(session.con, [a, b])
    assert found.new == [a, b]
    rows = session.con.execute("SELECT path, sha256 FROM meta.file_hashes ORDER BY path").fetchall()
    assert [r[0] for r in rows] == [str(a), str(b)]

    # a cached hash is used while path, size and mtime are unchanged…
    session.con.execute("UPDATE meta.file_hashes SET sha256 = 'cached' WHERE path = ?", [str(a)])
    session.con.execute(
        "INSERT INTO meta.file_manifest (sha256, path, received_at, status, rows_read,"
        " rows_loaded, rows_quarantined) VALUES ('cached', 'x', now(), 'loaded', 0, 0, 0)"
    )
    assert find_new(session.con, [a]).already_received == [a]
    # …and a file changed in place is hashed again
    write_csv(a, [supervision_row(party_orgs=7)])
    st = a.stat()
    os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert find_new(session.con, [a]).new == [a]
    sha = session.con.execute(
        "SELECT sha256 FROM meta.file_hashes WHERE path = ?", [str(a)]
    ).fetchone()
    assert sha is not None and len(sha[0]) == 64
