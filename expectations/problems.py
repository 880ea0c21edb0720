"""Problems a filer can act on (CONTRACT §3, §5 ``quarantine.problems``).

One problem per (row, column, reason) of a quarantined report, and one per whole-file
reason (one per missing column for ``missing_columns``): the row as the filer sees it
(``sheet_row``), the column and its Chinese label, the value as received, the reason
code, and a sentence in Chinese and in English naming the row, the column, the value
and the rule. The failing rows and columns come from the GX results
(:mod:`expectations.validate`); the rules in words from :mod:`transforms.describe`.

``sheet_row``: in a spreadsheet or CSV the header is row 1, so a data row's sheet row is
its ``_row`` + 1; in JSON it is the object's 1-based position (``_row``). Callers pass
the header rows per file (:func:`header_rows`); unknown files count one header row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

import polars as pl

from expectations.sentences import hidden_sentences, sentences
from transforms.batch import FILE, ID, KEY_PERIOD, KEY_UNIT, RECORD, ROW, Place
from transforms.columns import REPORT_KINDS, ReportKind, found_column, roles
from transforms.limits import DAMAGED, SENTENCE_ZH
from transforms.periods import PeriodError, parse_period
from transforms.pii import mask, mask_expr, mask_or_none

PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "source_sha256": pl.String(),
    "kind": pl.String(),
    "unit_code": pl.String(),
    "period": pl.String(),
    "sheet_row": pl.Int64(),
    "column": pl.String(),
    "column_zh": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
    "message_zh": pl.String(),
    "message_en": pl.String(),
}

# The GX findings validate hands over: which row failed which reason on which column.
HITS_SCHEMA: dict[str, pl.DataType] = {
    ID: pl.Int64(),
    "reason": pl.String(),
    "column": pl.String(),
    "level": pl.String(),
}

FILE_REASONS_ZH = {
    "unreadable_file": "文件无法读取",
    "unknown_kind": "文件名未表明报表类型",
    "empty_file": "文件中没有数据行",
}


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


Places = int | Sequence[Place]


def header_rows(files: Sequence[Any]) -> dict[str, Places]:
    """Per file SHA-256, where its data rows are: rows above the first data row (0 for
    JSON, else 1, the header), or, for a workbook, each data row's (sheet, sheet row) as
    the office program shows it, by ``_row`` − 1 (``RawFile.places``)."""
    out: dict[str, Places] = {}
    for f in files:
        places = getattr(f, "places", None)
        out[f.sha256] = places if places else (0 if f.format == "json" else 1)
    return out


def _place(offset: Places, row: int | None, column: str | None = None) -> tuple[int | None, str]:
    """A data row's sheet row (a form read down a column: the row of ``column``'s cell),
    and the sheet named where a workbook has several."""
    if row is None:
        return None, ""
    if isinstance(offset, int):
        return row + offset, ""
    place = offset[row - 1]
    sheet, n = place[0], place[1]
    if len(place) > 2 and column is not None:
        n = place[2].get(column, n)
    several = len({p[0] for p in offset}) > 1
    return n, (f"工作表“{sheet}”" if several else "")


def office_row(offset: Places, row: int, column: str | None = None) -> int:
    """The sheet row (as the office program shows it) of data row ``row`` (1-based);
    in a form read down a column, of its ``column`` cell."""
    n, _ = _place(offset, row, column)
    return row if n is None else n


def report_problems(
    kind: ReportKind,
    batch: pl.DataFrame,
    hits: pl.DataFrame,
    header_rows: Mapping[str, Places] | None = None,
    names: Mapping[str, str] | None = None,
    window_days: int | None = None,
) -> pl.DataFrame:
    """One problem row per distinct (row, column, reason) in ``hits`` (see HITS_SCHEMA).

    ``window_days``: the round's correction window, said where a 填报时间 is too late."""
    if hits.is_empty():
        return empty()
    r = roles(kind)
    offsets = header_rows or {}
    hits = hits.unique([ID, "reason", "column"]).join(
        batch.select(ID, FILE, ROW, RECORD, KEY_UNIT, KEY_PERIOD, r.submitted), on=ID, how="left"
    )
    order = {n: i for i, n in enumerate(kind.names)}
    # files some of whose rows fill the unit code: a row of theirs without one is told so
    with_unit = set(batch.filter(pl.col(KEY_UNIT).is_not_null()).get_column(FILE).unique())
    rows: list[dict[str, Any]] = []
    records: dict[int, dict[str, Any]] = {}
    for h in hits.iter_rows(named=True):
        rec = records.get(h[ID])
        if rec is None:
            rec = records[h[ID]] = json.loads(h[RECORD] or "{}")
        if h["column"] is None:  # a problem of the whole row: the clerk hid it
            offset = offsets.get(h[FILE], 1)
            sheet_row, sheet = _place(offset, h[ROW])
            zh, en = hidden_sentences(sheet_row)
            rows.append(
                {
                    "source_sha256": h[FILE],
                    "kind": kind.name,
                    "unit_code": mask_or_none(h[KEY_UNIT]),
                    "period": mask_or_none(h[KEY_PERIOD]),
                    "sheet_row": sheet_row,
                    "column": None,
                    "column_zh": None,
                    "value": None,
                    "reason": h["reason"],
                    "message_zh": mask(sheet + zh),
                    "message_en": mask(en),
                    "__order": -1,
                }
            )
            continue
        c = found_column(kind, h["column"])  # an extra column's pii too
        # the record's keys are masked like its values: an extra column named with a
        # number (联系13912345678) is found under its masked name
        key = c.name if c.name in rec else mask(c.name)
        raw = rec.get(key)
        # as received, personal numbers masked (the record is masked already; the value
        # and the keys pass the one mask again in case a caller's record is not)
        value = None if raw is None or not str(raw).strip() else mask(str(raw))
        unit, period = mask_or_none(h[KEY_UNIT]), mask_or_none(h[KEY_PERIOD])
        offset = offsets.get(h[FILE], 1)
        sheet_row, sheet = _place(offset, h[ROW], c.name)
        given = rec.get("单位名称", rec.get("unit_name"))  # the unit's name as the row gives it
        # a blank unit code where the file's other rows have one
        lone = (
            h["reason"] == "missing_required_value"
            and c.name == r.unit
            and h[KEY_UNIT] is None
            and h[FILE] in with_unit
        )
        other: str | None = None
        if h["reason"] == "inconsistent":
            other = next(ru.greater for ru in kind.rules if ru.lesser == c.name)
        elif h["reason"] == "bad_period" and h[r.submitted] is not None:
            other = h[r.submitted].strftime("%Y-%m-%d %H:%M")
        elif h["reason"] == "unit_name_mismatch":
            other = f"{(names or {}).get(str(raw), '')}\0{given}"
        elif lone and given is not None and str(given).strip():
            other = str(given).strip()
        elif h["reason"] == "out_of_range" and c.name == r.submitted and window_days is not None:
            other = str(window_days)
        zh, en = sentences(
            kind,
            c,
            h["reason"],
            sheet_row,
            value,
            json_file=offset == 0,
            level=h["level"],
            absent=key not in rec,
            other=other,
            period=period,
            others_have_unit=lone,
        )
        rows.append(
            {
                "source_sha256": h[FILE],
                "kind": kind.name,
                "unit_code": unit,
                "period": period,
                "sheet_row": sheet_row,
                "column": mask(c.name),  # a header is the filer's text too
                "column_zh": mask(c.zh),
                "value": value,
                "reason": h["reason"],
                "message_zh": mask(sheet + zh),
                "message_en": mask(en),
                "__order": order.get(c.name, len(order)),
            }
        )
    return (
        pl.DataFrame(rows, schema=PROBLEM_SCHEMA | {"__order": pl.Int64()})
        .sort("source_sha256", "sheet_row", "__order", "reason", nulls_last=True)
        .drop("__order")
    )


def _keys(kind: ReportKind, frame: pl.DataFrame) -> list[dict[str, str | None]]:
    """The (unit, period) pairs a file names, so a whole-file problem reaches those units.

    One entry with nulls when the file names none (no unit-code column, or no rows).
    """
    r = roles(kind)
    if r.unit not in frame.columns or frame.height == 0:
        return [{}]
    periods = frame.get_column(r.period) if r.period in frame.columns else None
    seen: dict[tuple[str | None, str | None], None] = {}
    for i, unit in enumerate(frame.get_column(r.unit).to_list()):
        raw = None if periods is None else periods[i]
        try:
            period = parse_period(raw) if raw else None
        except PeriodError:
            period = str(raw).strip()
        seen[(str(unit).strip() if unit else None, period)] = None
    return [{"unit_code": u, "period": p} for u, p in seen]


def file_problems(files: Sequence[Any]) -> pl.DataFrame:
    """One problem per whole-file reason of each file (one per missing column).

    ``files`` are :class:`transforms.read.RawFile` (or alike: ``sha256, path, kind,
    frame, reasons, detail``).
    """
    rows: list[dict[str, Any]] = []
    for f in files:
        name = PurePath(f.path).name
        kind = REPORT_KINDS.get(f.kind or "")
        for reason in f.reasons:
            base = {
                "source_sha256": f.sha256,
                "kind": f.kind,
                "unit_code": None,
                "period": None,
                "sheet_row": None,
                "column": None,
                "column_zh": None,
                "value": None,
                "reason": reason,
            }
            common = [c.zh for c in kind.columns[:3]] if kind is not None else []
            if (
                reason == "missing_columns"
                and kind is not None
                and f.frame is not None
                and not any(c.name in f.frame.columns for c in kind.columns[:3])
            ):
                # no header found at all: one sentence, not one per column
                rows.append(
                    base
                    | {
                        "message_zh": f"文件“{name}”中找不到表头（应有「{'」「'.join(common)}」"
                        "等列）：请在前10行内保留报送模板的表头",
                        "message_en": f"{name}: no header row found (with {', '.join(common)});"
                        " keep the template's header within the first 10 rows",
                    }
                )
                continue
            if reason == "missing_columns" and kind is not None and f.frame is not None:
                for c in kind.columns:
                    if c.required and c.name not in f.frame.columns:
                        rows.extend(
                            base
                            | key
                            | {
                                "column": c.name,
                                "column_zh": c.zh,
                                "message_zh": f"文件“{name}”缺少「{c.zh}」列，请使用报送模板",
                                "message_en": f"{name}: the column {c.name} ({c.zh}) is missing",
                            }
                            for key in _keys(kind, f.frame)
                        )
                continue
            if reason == "unknown_kind":
                zh = f"文件名“{name}”未表明报表类型：文件名应以“党建督导”“项目”或“经济指标”开头"
                en = (
                    f"{name}: the file name does not say which report it is; start it with"
                    " 党建督导 (supervision), 项目 (projects) or 经济指标 (economy)"
                )
            elif reason == "unreadable_file" and f.detail.startswith(DAMAGED):
                zh = SENTENCE_ZH.format(name=name)
                en = f"{name}: the file cannot be read ({f.detail})"
            elif reason == "unreadable_file":
                zh = (
                    f"文件“{name}”无法读取，请用Excel另存为.xlsx（或UTF-8、GBK编码的.csv）"
                    "后重新报送"
                )
                en = f"{name}: the file cannot be read ({f.detail})"
            else:
                label = FILE_REASONS_ZH.get(reason, reason)
                zh, en = f"文件“{name}”：{label}", f"{name}: {reason} ({f.detail})"
            rows.append(base | {"message_zh": zh, "message_en": en})
    # names, keys and OS messages as shown and stored: personal numbers masked
    shown = ("unit_code", "period", "message_zh", "message_en")
    return pl.DataFrame(rows, schema=PROBLEM_SCHEMA).with_columns(
        mask_expr(pl.col(c)) for c in shown
    )
