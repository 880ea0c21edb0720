"""Issue 14, masking in a run (in process): every table a person reads, and ``ronghe
validate``, show a personal number masked; what is validated and loaded is unchanged."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from filers.check import check, render_json, render_text
from pipeline.run import run as ingest
from tests.support.factories import project_row, write_csv
from transforms.pii import has_pii
from warehouse.workspace import Workspace

NOW = datetime(2017, 6, 1)
MOBILE, RESIDENT_ID = "13912345678", "32060219800101123X"
MASKED_MOBILE, MASKED_ID = "139****5678", "320602********123X"


def _inbox(inbox: Path) -> Path:
    write_csv(
        inbox / f"项目季报_联系人{MOBILE}.csv",
        [
            project_row("320602000000", name=f"联系人{MOBILE} 村道拓宽"),
            project_row("320611000000", name=f"负责人{RESIDENT_ID}", progress_pct=150),
            # a number in a numeric column is an amount, not text: loaded as it is
            project_row("320612000000", planned_investment=MOBILE),
        ],
    )
    (inbox / f"联系人{MOBILE}.csv").write_text("名称\n随便\n", encoding="utf-8")
    return inbox


def _all_text(ws: Workspace, sql: str) -> str:
    return " ".join(str(v) for r in ws.con.execute(sql).fetchall() for v in r)


def test_a_run_stores_personal_numbers_masked_only(session: Any, tmp_path: Path) -> None:
    inbox = _inbox(tmp_path / "inbox")
    result = ingest(session, [inbox], NOW)
    assert result.reports_quarantined == 2
    assert result.reasons == {"pii": 2, "out_of_range": 1}  # validation is unchanged

    reports = session.con.execute(
        "SELECT unit_code, reasons, record FROM quarantine.reports ORDER BY unit_code"
    ).fetchall()
    assert [(u, r) for u, r, _ in reports] == [
        ("320602000000", ["pii"]),
        ("320611000000", ["out_of_range", "pii"]),
    ]
    assert f"联系人{MASKED_MOBILE} 村道拓宽" in reports[0][2]
    assert f"负责人{MASKED_ID}" in reports[1][2]

    pii = session.con.execute(
        "SELECT value, message_zh, message_en FROM quarantine.problems"
        " WHERE reason = 'pii' ORDER BY unit_code"
    ).fetchall()
    assert [v for v, _, _ in pii] == [f"联系人{MASKED_MOBILE} 村道拓宽", f"负责人{MASKED_ID}"]
    assert all(v in zh and v in en for v, zh, en in pii)

    names = _all_text(session, "SELECT path FROM meta.file_manifest") + _all_text(
        session, "SELECT path FROM quarantine.files"
    )
    assert f"项目季报_联系人{MASKED_MOBILE}.csv" in names and f"联系人{MASKED_MOBILE}.csv" in names
    files = _all_text(session, "SELECT message_zh, message_en FROM quarantine.problems")
    assert f"联系人{MASKED_MOBILE}.csv" in files

    # the accepted report: the amount is loaded as the number it is; reconciliation holds
    (amount,) = session.con.execute(
        "SELECT planned_investment FROM core.projects WHERE unit_code = '320612000000'"
    ).fetchone()
    assert amount == float(MOBILE)
    for read, loaded, quarantined in session.con.execute(
        "SELECT rows_read, rows_loaded, rows_quarantined FROM meta.file_manifest"
    ).fetchall():
        assert read == loaded + quarantined

    text_columns = session.con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns()"
        " WHERE data_type IN ('VARCHAR', 'JSON') AND schema_name IN ('meta', 'quarantine')"
    ).fetchall()
    for schema, table, column in text_columns:
        text = _all_text(session, f'SELECT "{column}" FROM {schema}."{table}"')
        assert not has_pii(text), (schema, table, column, text)


def test_validate_shows_numbers_masked(tmp_path: Path, session: Any) -> None:
    inbox = _inbox(tmp_path / "inbox")
    checks = check([inbox], session.registry, NOW)
    text = "\n".join(render_text(checks)) + render_json(checks)
    assert MASKED_MOBILE in text and MASKED_ID in text
    assert MOBILE not in text and RESIDENT_ID not in text
    assert f"联系人{MASKED_MOBILE}.csv" in text
