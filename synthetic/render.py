"""How a unit's submission looks: a drawn :class:`Style`, and the file's bytes in it.

Formats and spellings are mixed as real submissions are: xlsx (first sheet, some with
real Excel date cells for ``submitted_at``, some numbers as text), csv (UTF-8, UTF-8
with BOM, GB18030 with CRLF as Excel on Chinese Windows saves it), json (an array, or
an object with ``rows``); English or Chinese headers (some with full-width brackets),
thousands separators, 是/否 · Y/N · 1/0 · true/false booleans, Chinese enum labels,
Chinese quarter spellings, ``YYYY-MM-DD HH:MM`` or ISO timestamps, extra columns.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import xlsxwriter

from transforms.columns import REPORT_KINDS, Column, ReportKind


@dataclass
class Style:
    fmt: str  # xlsx | csv-utf8 | csv-bom | csv-gb18030 | json-array | json-rows
    header: str  # en | zh | zh-fullwidth
    bools: tuple[str, str]
    enum_zh: bool
    period_style: int
    ts_style: str  # space | iso | excel
    thousands: bool
    numbers_as_text: bool  # xlsx only
    zh_prefix: bool
    full_template: bool  # all columns of the kind, blanks where not applicable
    blank_zeros: bool  # optional zero counts left blank
    remark: bool  # an extra 备注 column

    @property
    def ext(self) -> str:
        return self.fmt.split("-")[0]


def draw_style(r: random.Random) -> Style:
    fmt = r.choices(
        ("xlsx", "csv-utf8", "csv-bom", "csv-gb18030", "json-array", "json-rows"),
        weights=(30, 22, 14, 12, 12, 10),
    )[0]
    return Style(
        fmt=fmt,
        header=r.choices(("en", "zh", "zh-fullwidth"), weights=(45, 40, 15))[0],
        bools=r.choice((("true", "false"), ("是", "否"), ("Y", "N"), ("1", "0"))),
        enum_zh=r.random() < 0.5,
        period_style=r.choices((0, 1, 2, 3, 4), weights=(50, 10, 20, 10, 10))[0],
        ts_style="excel" if fmt == "xlsx" and r.random() < 0.5 else r.choice(("space", "iso")),
        thousands=r.random() < 0.35,
        numbers_as_text=fmt == "xlsx" and r.random() < 0.25,
        zh_prefix=r.random() < 0.45,
        full_template=r.random() < 0.4,
        blank_zeros=r.random() < 0.3,
        remark=r.random() < 0.15,
    )


@dataclass
class File:
    rel: str  # path relative to the sample's ``out``
    kind: str
    rows: list[dict[str, Any]]
    style: Style
    duplicate_row: int | None = None  # index of a row written twice


def render(f: File) -> bytes:
    kind = REPORT_KINDS[f.kind]
    st = f.style
    cols = _columns(kind, f.rows, st)
    rows = list(f.rows)
    if f.duplicate_row is not None:
        rows.insert(f.duplicate_row + 1, rows[f.duplicate_row])
    headers = [_header(c, st) for c in cols] + (["备注"] if st.remark else [])
    if st.ext == "csv":
        return _csv(cols, headers, rows, st)
    if st.ext == "json":
        return _json(kind, cols, headers, rows, st)
    return _xlsx(kind, cols, headers, rows, st)


def _csv(cols: list[Column], headers: list[str], rows: list[dict[str, Any]], st: Style) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if st.fmt == "csv-gb18030" else "\n")
    w.writerow(headers)
    for row in rows:
        cells = [_cell(c, row.get(c.name), st, True) for c in cols]
        w.writerow([("" if x is None else x) for x in cells] + (["无"] if st.remark else []))
    text = buf.getvalue()
    if st.fmt == "csv-gb18030":
        return text.encode("gb18030")
    return ("\ufeff" if st.fmt == "csv-bom" else "").encode() + text.encode("utf-8")


def _json(
    kind: ReportKind,
    cols: list[Column],
    headers: list[str],
    rows: list[dict[str, Any]],
    st: Style,
) -> bytes:
    objs = []
    for row in rows:
        obj: dict[str, Any] = {}
        for h, c in zip(headers, cols, strict=False):
            v = _cell(c, row.get(c.name), st, st.thousands)
            if c.type == "bool" and st.bools == ("true", "false") and v is not None:
                v = v == "true"  # native JSON booleans
            if v is not None or st.full_template or c.name in kind.required_names:
                obj[h] = v
        if st.remark:
            obj["备注"] = ""
        objs.append(obj)
    payload: Any = objs if st.fmt == "json-array" else {"rows": objs, "count": len(objs)}
    return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")


def _xlsx(
    kind: ReportKind,
    cols: list[Column],
    headers: list[str],
    rows: list[dict[str, Any]],
    st: Style,
) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    # a fixed creation time keeps the bytes the same from run to run
    wb.set_properties({"created": datetime(2017, 1, 1), "author": "ronghe sample"})
    ws = wb.add_worksheet(kind.zh if st.header != "en" else kind.name)
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for j, h in enumerate(headers):
        ws.write_string(0, j, h)
    for i, row in enumerate(rows, start=1):
        for j, c in enumerate(cols):
            v = _cell(c, row.get(c.name), st, st.numbers_as_text)
            if v is None:
                continue
            if isinstance(v, datetime):
                ws.write_datetime(i, j, v, date_fmt)
            elif isinstance(v, bool):
                ws.write_boolean(i, j, v)
            elif isinstance(v, int | float):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, str(v))
        if st.remark:
            ws.write_string(i, len(cols), "无")
    wb.close()
    return out.getvalue()


def _level_of(code: object) -> str | None:
    """The level a 12-digit division code names (…000000 county, …000 township)."""
    text = str(code or "")
    if len(text) != 12 or not text.isdigit():
        return None  # an injected bad code: no level
    if text[9:] != "000":
        return "village"
    return "township" if text[6:9] != "000" else "county"


def _template(kind: ReportKind, rows: list[dict[str, Any]]) -> list[Column]:
    """The columns of the level templates the file's units fill in, as real units do: a
    village's economy template has no GDP, a township's no collective income."""
    levels = {lv for row in rows if (lv := _level_of(row.get("unit_code")))}
    if not levels:
        return list(kind.columns)
    names = {n for lv in levels for n in kind.level_names(lv)}
    return [c for c in kind.columns if c.name in names]


def _columns(kind: ReportKind, rows: list[dict[str, Any]], style: Style) -> list[Column]:
    template = _template(kind, rows)
    if style.full_template:
        return template
    present = {k for row in rows for k, v in row.items() if v is not None}
    # a file must carry every header its template requires, even where its units leave it blank
    return [c for c in template if c.name in present or c.name in kind.required_names]


def _header(c: Column, style: Style) -> str:
    if style.header == "en":
        return c.name
    if style.header == "zh-fullwidth":
        return c.zh.replace("(", "（").replace(")", "）")
    return c.zh


def _cell(c: Column, v: Any, style: Style, text: bool) -> Any:
    """A value as the file holds it: text (csv, or ``text``) or a native value."""
    if v is None:
        return None
    if isinstance(v, str) and c.type in ("int", "decimal"):
        return v  # a number a clerk typed in words (an injected fault): as typed
    if c.type == "int" and not c.required and v == 0 and style.blank_zeros:
        return None
    if c.type == "period":
        return _period_text(v, style.period_style)
    if c.type == "timestamp":
        if style.ts_style == "excel" and not text:
            return v
        return (
            v.strftime("%Y-%m-%dT%H:%M:%S")
            if style.ts_style == "iso"
            else v.strftime("%Y-%m-%d %H:%M")
        )
    if c.type == "bool":
        return style.bools[0] if v else style.bools[1]
    if c.type == "enum":
        return dict(c.enum)[v] if style.enum_zh else v
    if c.type in ("int", "decimal"):
        return _num_text(v, style.thousands) if text else v
    return v


_CN_Q = {1: "一", 2: "二", 3: "三", 4: "四"}


def _period_text(p: str, style: int) -> str:
    q = int(p[5])
    return (
        p,
        f"{p[:4]}-Q{q}",
        f"{p[:4]}年第{_CN_Q[q]}季度",
        f"{p[:4]}年第{q}季度",
        f"{p[:4]}年{_CN_Q[q]}季度",
    )[style]


def _num_text(v: float | int, thousands: bool) -> str:
    if isinstance(v, int):
        return f"{v:,}" if thousands else str(v)
    text = f"{v:,.2f}" if thousands else f"{v:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
