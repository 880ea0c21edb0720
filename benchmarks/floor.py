"""The floor: read every report file and insert all its rows into DuckDB, nothing else.

The least any pipeline must do with these files: decode them (UTF-8 or GB18030 csv,
json, the first sheet of an xlsx), map the English or Chinese headers to one set of
column names so that one table per kind can hold them, and insert every row as text
in one bulk insert per kind. No typing, no validation, no archive, no marts.

It uses the fastest simple tools measured for these small files: Python's C ``csv``
and ``json`` modules and fastexcel (calamine), on a pool of as many threads as
ronghe reads with, and one Arrow insert per kind.

Run as ``python -m benchmarks.floor INBOX DB [--workers N]``; prints the rows inserted.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import fastexcel
import pyarrow as pa

from transforms.columns import REPORT_KINDS, header_map, kind_of, normalise_header

Rows = tuple[str, list[str], list[list[str | None]]]  # (kind, header, columns)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _cell(v: object) -> str | None:
    if v is None or isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else str(v)


def read_one(path: Path) -> Rows | None:
    """One file's header and columns of text, or None when its name selects no kind."""
    kind = kind_of(path.name)
    if kind is None:
        return None
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        records = list(csv.reader(io.StringIO(_text(data), newline="")))
        header, body = records[0], [r for r in records[1:] if r]
        cols: list[list[str | None]] = [
            [r[i] if i < len(r) else None for r in body] for i in range(len(header))
        ]
    elif suffix == ".json":
        doc = json.loads(_text(data))
        rows = doc["rows"] if isinstance(doc, dict) else doc
        header = list(dict.fromkeys(k for r in rows for k in r))
        cols = [[_cell(r.get(k)) for r in rows] for k in header]
    elif suffix == ".xlsx":
        frame = fastexcel.read_excel(data).load_sheet(0, dtypes="string").to_arrow()
        header = list(frame.column_names)
        cols = [frame.column(i).to_pylist() for i in range(frame.num_columns)]
    else:
        return None
    names = header_map(kind)
    mapped = [normalise_header(str(h)) for h in header]
    mapped = [names.get(h) or names.get(h.lower()) or h for h in mapped]
    return kind.name, mapped, cols


def run(inbox: Path, db: Path, workers: int = 2) -> int:
    files = sorted(p for p in inbox.rglob("*") if p.is_file())
    with ThreadPoolExecutor(workers) as pool:
        read = [r for r in pool.map(read_one, files) if r is not None]
    con = duckdb.connect(str(db))
    total = 0
    for kind in REPORT_KINDS:
        names: dict[str, None] = {}
        for k, header, _ in read:
            if k == kind:
                names.update(dict.fromkeys(header))
        columns: dict[str, list[str | None]] = {n: [] for n in names}
        for k, header, cols in read:
            if k != kind:
                continue
            height = len(cols[0]) if cols else 0
            got = dict(zip(header, cols, strict=True))
            for n, out in columns.items():
                out.extend(got.get(n) or [None] * height)
        table = pa.table({n: pa.array(v, pa.string()) for n, v in columns.items()})
        con.register("rows_in", table)
        con.execute(f'CREATE OR REPLACE TABLE "{kind}" AS SELECT * FROM rows_in')
        con.unregister("rows_in")
        total += table.num_rows
    con.close()
    return total


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.floor")
    p.add_argument("inbox", type=Path)
    p.add_argument("db", type=Path)
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args(argv)
    print(run(args.inbox, args.db, args.workers))


if __name__ == "__main__":
    main()
