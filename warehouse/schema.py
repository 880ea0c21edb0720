"""DDL of the report tables, derived from the column declaration.

``raw.<kind>`` keeps every loaded version of every report; ``core.<kind>`` keeps
the current version of each (kind, unit, period). Both carry the contract's
columns plus ``source_sha256``; ``raw`` adds when the version was received.
"""

from __future__ import annotations

from importlib import resources

from transforms.columns import REPORT_KINDS, ReportKind

SQL_DIR = resources.files("warehouse") / "sql"


def sql_file(name: str) -> str:
    """The text of ``warehouse/sql/<name>``."""
    return (SQL_DIR / name).read_text(encoding="utf-8")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def report_columns(kind: ReportKind) -> list[tuple[str, str]]:
    """(name, SQL type) of a kind's core columns, in declaration order."""
    return [(c.name, c.sql_type) for c in kind.columns] + [("source_sha256", "VARCHAR")]


def raw_columns(kind: ReportKind) -> list[tuple[str, str]]:
    return [*report_columns(kind), ("received_at", "TIMESTAMP"), ("row_number", "BIGINT")]


def report_ddl(kind: ReportKind) -> list[str]:
    """CREATE TABLE and COMMENT statements for raw.<kind> and core.<kind>."""
    out: list[str] = []
    for schema, cols, what in (
        ("raw", raw_columns(kind), "全部版本"),
        ("core", report_columns(kind), "当前版本"),
    ):
        table = f"{schema}.{kind.name}"
        body = ",\n    ".join(f"{n} {t}" for n, t in cols)
        out.append(f"CREATE TABLE IF NOT EXISTS {table} (\n    {body}\n)")
        out.append(f"COMMENT ON TABLE {table} IS {_quote(f'{kind.zh}（{what}）')}")
        comments = {c.name: c.comment for c in kind.columns}
        comments["source_sha256"] = "来源文件 SHA-256"
        comments["received_at"] = "该版本收到时间"
        comments["row_number"] = "文件中的数据行号（从1起）"
        for n, _ in cols:
            out.append(f"COMMENT ON COLUMN {table}.{n} IS {_quote(comments[n])}")
    return out


def all_ddl() -> list[str]:
    """Every statement that creates the warehouse, in order."""
    stmts = [s for s in _split(sql_file("schemas.sql"))]
    for kind in REPORT_KINDS.values():
        stmts.extend(report_ddl(kind))
    return stmts


def _split(script: str) -> list[str]:
    lines = [ln for ln in script.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
