"""What a department would otherwise write: pandas + openpyxl, row-by-row checks in Python.

Written straight, as a competent analyst would, not to be slow: ``pandas.read_excel``
(openpyxl) / ``read_csv`` / ``json`` per file, the headers mapped to the English
names, every row checked in Python against the contract's rules (types and value
forms, required values, ranges, done ≤ planned, registry and validity, period vs
submission time, duplicates in a file, personal data), reports with any failed row
set aside whole, then one DataFrame insert per kind into DuckDB and the current
version of each report chosen in SQL. It shares only the column declaration
(``transforms.columns``) with ronghe. No archive, manifest, marts or orchestration.

Run as ``python -m benchmarks.pandas_script INBOX DB REGISTRY_CSV``; prints the rows
loaded and quarantined.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from transforms.columns import (
    FALSE_WORDS,
    PII_PATTERNS,
    REPORT_KINDS,
    TRUE_WORDS,
    Column,
    ReportKind,
    header_map,
    kind_of,
    normalise_header,
)

PERIOD = re.compile(r"^\s*(\d{4})\s*(?:-?\s*[Qq]\s*([1-4])|年\s*第?\s*([1-4一二三四])\s*季度)\s*$")
CN = {"一": "1", "二": "2", "三": "3", "四": "4"}
TS_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")
PII = [re.compile(p) for p in PII_PATTERNS]
BOOLS = {w: True for w in TRUE_WORDS} | {w: False for w in FALSE_WORDS}


class Bad(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return pd.read_excel(path, engine="openpyxl", dtype=str)
    if suffix == ".csv":
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except UnicodeDecodeError:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="gb18030")
    doc = json.loads(path.read_text(encoding="utf-8-sig"))
    rows = doc["rows"] if isinstance(doc, dict) else doc
    return pd.DataFrame(rows).astype(object)


def parse_period(text: str) -> str:
    m = PERIOD.match(text)
    if not m:
        raise Bad("bad_period")
    q = m.group(2) or CN.get(m.group(3), m.group(3))
    return f"{m.group(1)}Q{q}"


def period_start(p: str) -> datetime:
    return datetime(int(p[:4]), (int(p[5]) - 1) * 3 + 1, 1)


def parse_value(c: Column, text: str) -> Any:
    if c.type == "int":
        v = float(text.replace(",", ""))
        if not v.is_integer():
            raise ValueError(text)
        return int(v)
    if c.type == "decimal":
        return float(text.replace(",", ""))
    if c.type == "bool":
        return BOOLS[text.lower()]
    if c.type == "enum":
        for code, zh in c.enum:
            if text.lower() in (code, zh):
                return code
        raise ValueError(text)
    if c.type == "timestamp":
        t = text.replace("/", "-").replace("Z", "").split("+")[0].split(".")[0]
        for fmt in TS_FORMATS:
            try:
                return datetime.strptime(t, fmt)
            except ValueError:
                pass
        serial = float(text)  # an Excel date serial
        return datetime(1899, 12, 30) + timedelta(days=serial)
    if c.type == "period":
        return parse_period(text)
    if c.pattern and not re.match(c.pattern, text):
        raise ValueError(text)
    return text


def check_row(
    kind: ReportKind, row: dict[str, Any], units: dict[str, list[tuple[str, str, str]]]
) -> tuple[dict[str, Any], set[str]]:
    out: dict[str, Any] = {}
    reasons: set[str] = set()
    for c in kind.columns:
        raw = row.get(c.name)
        text = "" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else str(raw).strip()
        if not text:
            out[c.name] = c.default
            if c.required:
                reasons.add("missing_required_value")
            continue
        try:
            v = parse_value(c, text)
        except Bad as e:
            reasons.add(e.reason)
            v = None
        except (ValueError, KeyError, OverflowError):
            reasons.add("bad_value")
            v = None
        numeric = v is not None and c.type in ("int", "decimal")
        if numeric and ((c.min is not None and v < c.min) or (c.max is not None and v > c.max)):
            reasons.add("out_of_range")
        if v is not None and c.max_length is not None and len(v) > c.max_length:
            reasons.add("out_of_range")
        if v is not None and c.type == "text" and any(p.search(v) for p in PII):
            reasons.add("pii")
        out[c.name] = v
    for r in kind.rules:
        lesser, greater = out.get(r.lesser), out.get(r.greater)
        if lesser is not None and greater is not None and lesser > greater:
            reasons.add("inconsistent")
    unit, period, ts = out.get("unit_code"), out.get("period"), out.get("submitted_at")
    level = None
    if unit is not None:
        rows = units.get(unit)
        if not rows:
            reasons.add("unknown_unit")
        else:
            level = rows[0][2]
            if period is not None and not any(
                (not f or f <= period) and (not t or period <= t) for f, t, _ in rows
            ):
                reasons.add("unit_not_valid_in_period")
    for c in kind.columns:
        if level in c.required_levels and out.get(c.name) is None:
            reasons.add("missing_required_value")
    if ts is not None:
        if ts > datetime.now():
            reasons.add("future_submission")
        if period is not None:
            q = f"{ts.year}Q{(ts.month - 1) // 3 + 1}"
            if period > q or ts < period_start(period):
                reasons.add("bad_period")
    return out, reasons


def check_file(
    kind: ReportKind, df: pd.DataFrame, units: dict[str, list[tuple[str, str, str]]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    names = header_map(kind)
    df = df.rename(columns=lambda h: names.get(normalise_header(str(h)), str(h)))
    missing = [c for c in kind.required_names if c not in df.columns]
    if missing:
        raise Bad("missing_columns")
    df = df.dropna(how="all")
    checked = []
    seen: dict[tuple[Any, ...], int] = {}
    for n, row in enumerate(df.to_dict("records"), start=1):
        values, reasons = check_row(kind, row, units)
        key = tuple(values.get(k) for k in kind.key)
        seen[key] = seen.get(key, 0) + 1
        checked.append((n, values, reasons, key))
    reports: dict[tuple[Any, Any], set[str]] = {}
    for _, values, reasons, key in checked:
        if seen[key] > 1:
            reasons.add("duplicate_in_file")
        rk = (values.get("unit_code"), values.get("period"))
        reports.setdefault(rk, set()).update(reasons)
    good, bad = [], []
    for n, values, _, _ in checked:
        rk = (values.get("unit_code"), values.get("period"))
        if reports[rk]:
            bad.append({"row": n, "unit_code": rk[0], "reasons": sorted(reports[rk])})
        else:
            good.append(values)
    return good, bad


def run(inbox: Path, db: Path, registry_csv: Path) -> tuple[int, int]:
    reg = pd.read_csv(registry_csv, dtype=str, keep_default_na=False)
    units: dict[str, list[tuple[str, str, str]]] = {}
    for r in reg.to_dict("records"):
        units.setdefault(r["unit_code"], []).append((r["valid_from"], r["valid_to"], r["level"]))
    loaded: dict[str, list[dict[str, Any]]] = {k: [] for k in REPORT_KINDS}
    quarantined: list[dict[str, Any]] = []
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        kind = kind_of(path.name)
        if kind is None:
            quarantined.append({"file": str(path), "row": 0, "reasons": ["unknown_kind"]})
            continue
        try:
            good, bad = check_file(kind, read_table(path), units)
        except Bad as e:
            quarantined.append({"file": str(path), "row": 0, "reasons": [e.reason]})
            continue
        except Exception:
            quarantined.append({"file": str(path), "row": 0, "reasons": ["unreadable_file"]})
            continue
        for g in good:
            g["source"] = str(path)
        loaded[kind.name].extend(good)
        quarantined.extend(dict(b, file=str(path)) for b in bad)
    con = duckdb.connect(str(db))
    rows = 0
    for name, items in loaded.items():
        df = pd.DataFrame(items, columns=[*REPORT_KINDS[name].names, "source"])
        con.execute(f"CREATE OR REPLACE TABLE raw_{name} AS SELECT * FROM df")
        order = "submitted_at DESC, source DESC"
        con.execute(
            f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM raw_{name} QUALIFY"
            f" dense_rank() OVER (PARTITION BY unit_code, period ORDER BY {order}) = 1"
        )
        rows += len(df)
    q = pd.DataFrame(quarantined, columns=["file", "row", "unit_code", "reasons"])
    q["reasons"] = q["reasons"].map(lambda r: ",".join(r))
    con.execute("CREATE OR REPLACE TABLE quarantine AS SELECT * FROM q")
    con.close()
    return rows, len(quarantined)


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.pandas_script")
    p.add_argument("inbox", type=Path)
    p.add_argument("db", type=Path)
    p.add_argument("registry", type=Path)
    args = p.parse_args(argv)
    loaded, quarantined = run(args.inbox, args.db, args.registry)
    print(loaded, quarantined)


if __name__ == "__main__":
    main()
