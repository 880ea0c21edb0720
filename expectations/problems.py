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
import re
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

import polars as pl

from transforms.batch import FILE, ID, KEY_PERIOD, KEY_UNIT, RECORD, ROW
from transforms.columns import REPORT_KINDS, Column, ReportKind, found_column, roles
from transforms.describe import LEVEL_EN, LEVEL_ZH, rule_en, rule_zh
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


SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d+$")
NO_YEAR = re.compile(r"^\d{1,2}\s*[月/.-]\s*\d{1,2}\s*日?$")
YEAR = re.compile(r"\d{4}")


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


Places = int | Sequence[tuple[str, int]]


def header_rows(files: Sequence[Any]) -> dict[str, Places]:
    """Per file SHA-256, where its data rows are: rows above the first data row (0 for
    JSON, else 1, the header), or, for a workbook, each data row's (sheet, sheet row) as
    the office program shows it, by ``_row`` − 1 (``RawFile.places``)."""
    out: dict[str, Places] = {}
    for f in files:
        places = getattr(f, "places", None)
        out[f.sha256] = places if places else (0 if f.format == "json" else 1)
    return out


def _place(offset: Places, row: int | None) -> tuple[int | None, str]:
    """A data row's sheet row, and the sheet named where a workbook has several."""
    if row is None:
        return None, ""
    if isinstance(offset, int):
        return row + offset, ""
    sheet, n = offset[row - 1]
    several = len({s for s, _ in offset}) > 1
    return n, (f"工作表“{sheet}”" if several else "")


def office_row(offset: Places, row: int) -> int:
    """The sheet row (as the office program shows it) of data row ``row`` (1-based)."""
    n, _ = _place(offset, row)
    return row if n is None else n


def _where(row: int | None, json_file: bool) -> tuple[str, str]:
    if row is None:
        return "", ""
    if json_file:
        return f"第{row}条记录", f"Record {row}"
    return f"第{row}行", f"Row {row}"


def sentences(
    kind: ReportKind,
    c: Column,
    reason: str,
    row: int | None,
    value: str | None,
    *,
    json_file: bool = False,
    level: str | None = None,
    absent: bool = False,
    other: str | None = None,
    period: str | None = None,
) -> tuple[str, str]:
    """The Chinese and English sentence of one report problem."""
    at_zh, at_en = _where(row, json_file)
    col_zh = f"「{c.zh}」"
    col_en = c.name if c.zh == c.name else f"{c.name} ({c.zh})"
    got_zh = "收到空白" if value is None else f"收到“{value}”"
    got_en = "got a blank" if value is None else f'got "{value}"'
    r = roles(kind)
    if reason == "missing_required_value":
        who_zh = f"{LEVEL_ZH[level]}单位" if level and not c.required else ""
        who_en = f" for a {LEVEL_EN[level]} unit" if level and not c.required else ""
        if absent:
            return (
                f"{at_zh}：文件中没有{col_zh}这一列，{who_zh}必须填写（应为{rule_zh(c)}），"
                "请使用本级的报送模板",
                f"{at_en}: the file has no column {col_en}, which is required{who_en}"
                f" ({rule_en(c)}); use your level's template",
            )
        return (
            f"{at_zh}{col_zh}{who_zh}必须填写，应为{rule_zh(c)}，{got_zh}",
            f"{at_en}, {col_en}: required{who_en}, must be {rule_en(c)}; {got_en}",
        )
    if reason == "bad_value" and c.name == r.unit and value and SCIENTIFIC.match(value):
        return (
            f"{at_zh}{col_zh}显示为科学计数法“{value}”，原代码已无法还原：请把该列设为文本格式后"
            "重新填写12位代码",
            f"{at_en}, {col_en}: shown in scientific notation ({value}), the code is lost;"
            " make the column text and type the 12 digits again",
        )
    if reason == "bad_value" and c.type == "timestamp" and value and NO_YEAR.match(value):
        return (
            f"{at_zh}{col_zh}“{value}”没有年份，请写明年月日，如2017年4月10日",
            f"{at_en}, {col_en}: the date {value} has no year; write it as 2017-04-10",
        )
    if (
        reason in ("bad_value", "bad_period")
        and c.type == "period"
        and value
        and not YEAR.search(value)
    ):
        return (
            f"{at_zh}{col_zh}“{value}”没有年份，请写明年份，如2017年第一季度",
            f"{at_en}, {col_en}: {value} has no year; write it as 2017Q1",
        )
    if reason in ("bad_value", "out_of_range") or (reason == "bad_period" and other is None):
        return (
            f"{at_zh}{col_zh}应为{rule_zh(c)}，{got_zh}",
            f"{at_en}, {col_en}: must be {rule_en(c)}; {got_en}",
        )
    if reason == "inconsistent":
        g = kind.column(other or "")
        return (
            f"{at_zh}{col_zh}不应大于「{g.zh}」，{got_zh}",
            f"{at_en}, {col_en}: must not exceed {g.name} ({g.zh}); {got_en}",
        )
    if reason == "bad_period":
        return (
            f"{at_zh}{col_zh}不应晚于填报时间（{other}）所在季度，{got_zh}",
            f"{at_en}, {col_en}: must not be after the quarter of {r.submitted} ({other});"
            f" {got_en}",
        )
    if reason == "unit_name_mismatch":
        registry_name, _, given = (other or "").partition("\0")
        return (
            f"{at_zh}{col_zh}“{value}”在单位名册中是“{registry_name}”，但本行单位名称为“{given}”："
            "请核对单位代码与单位名称是否填反",
            f"{at_en}, {col_en}: {value} is {registry_name} in the registry, but the row names"
            f" {given}; check that code and name belong together",
        )
    if reason == "unknown_unit":
        return (
            f"{at_zh}{col_zh}应为登记在册的单位代码，{got_zh}",
            f"{at_en}, {col_en}: must be a unit code in the registry; {got_en}",
        )
    if reason == "unit_not_valid_in_period":
        return (
            f"{at_zh}{col_zh}“{value}”在报告期{period}不是有效单位（尚未设立或已撤并）",
            f"{at_en}, {col_en}: unit {value} does not exist in period {period}",
        )
    if reason == "future_submission":
        return (
            f"{at_zh}{col_zh}不应晚于当前时间，{got_zh}",
            f"{at_en}, {col_en}: must not be in the future; {got_en}",
        )
    if reason == "duplicate_in_file":
        if c.name == r.unit:
            return (
                f"{at_zh}：单位“{value}”报告期{period}的报表在本文件中出现多次，请只保留一行",
                f"{at_en}: unit {value}, period {period} appears more than once in the file;"
                " keep one row",
            )
        return (
            f"{at_zh}{col_zh}“{value}”在同一单位同一报告期中重复出现，请只保留一行",
            f"{at_en}, {col_en}: {value} appears more than once for the unit and period;"
            " keep one row",
        )
    if reason == "pii":
        return (
            f"{at_zh}{col_zh}不得包含身份证号或手机号，{got_zh}",
            f"{at_en}, {col_en}: must not contain an ID-card or mobile number; {got_en}",
        )
    return (f"{at_zh}{col_zh}：{reason}，{got_zh}", f"{at_en}, {col_en}: {reason}; {got_en}")


def report_problems(
    kind: ReportKind,
    batch: pl.DataFrame,
    hits: pl.DataFrame,
    header_rows: Mapping[str, Places] | None = None,
    names: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """One problem row per distinct (row, column, reason) in ``hits`` (see HITS_SCHEMA)."""
    if hits.is_empty():
        return empty()
    r = roles(kind)
    offsets = header_rows or {}
    hits = hits.unique([ID, "reason", "column"]).join(
        batch.select(ID, FILE, ROW, RECORD, KEY_UNIT, KEY_PERIOD, r.submitted), on=ID, how="left"
    )
    order = {n: i for i, n in enumerate(kind.names)}
    rows: list[dict[str, Any]] = []
    records: dict[int, dict[str, Any]] = {}
    for h in hits.iter_rows(named=True):
        rec = records.get(h[ID])
        if rec is None:
            rec = records[h[ID]] = json.loads(h[RECORD] or "{}")
        c = found_column(kind, h["column"])  # an extra column's pii too
        raw = rec.get(c.name)
        # as received, personal numbers masked (the record is masked already; the value
        # and the keys pass the one mask again in case a caller's record is not)
        value = None if raw is None or not str(raw).strip() else mask(str(raw))
        unit, period = mask_or_none(h[KEY_UNIT]), mask_or_none(h[KEY_PERIOD])
        offset = offsets.get(h[FILE], 1)
        sheet_row, sheet = _place(offset, h[ROW])
        other: str | None = None
        if h["reason"] == "inconsistent":
            other = next(ru.greater for ru in kind.rules if ru.lesser == c.name)
        elif h["reason"] == "bad_period" and h[r.submitted] is not None:
            other = h[r.submitted].strftime("%Y-%m-%d %H:%M")
        elif h["reason"] == "unit_name_mismatch":
            given = rec.get("单位名称", rec.get("unit_name"))
            other = f"{(names or {}).get(str(raw), '')}\0{given}"
        zh, en = sentences(
            kind,
            c,
            h["reason"],
            sheet_row,
            value,
            json_file=offset == 0,
            level=h["level"],
            absent=c.name not in rec,
            other=other,
            period=period,
        )
        rows.append(
            {
                "source_sha256": h[FILE],
                "kind": kind.name,
                "unit_code": unit,
                "period": period,
                "sheet_row": sheet_row,
                "column": c.name,
                "column_zh": c.zh,
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
