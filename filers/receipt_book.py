"""One receipt (回执) workbook: sheets 回执, 收到的文件, 问题明细 (:mod:`filers.receipts`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from filers.receipt_facts import Facts, Filing, ReceivedFile
from filers.sheets import fit_height, print_setup, put, text_format
from filers.template import period_zh
from transforms.reasons import (
    KIND_ZH,
    reason_zh,
)
from transforms.workbook import workbook

STATUS_ZH = {
    "loaded": "已入库",
    "quarantined": "被退回",
    "missing": "未报送",
    "old_version": "已入库（旧版本）",
    "correction_returned": "更正被退回",
    "review": "需核实",
}
SIZE = 10  # points: the receipts' type, printed at full size
CELL_LIMIT = 32000  # Excel holds at most 32,767 characters in a cell
NAMES_SHOWN = 8  # units named per file on 收到的文件 before 等


@dataclass(frozen=True)
class Line:
    """One line of the 回执 sheet."""

    unit_code: str
    name: str
    kind: str
    status: str  # a key of STATUS_ZH
    submitted_at: datetime | None
    received_at: datetime | None
    file: str
    text: str


def _stamp(ts: datetime | None) -> str:
    return "" if ts is None else ts.strftime("%Y-%m-%d %H:%M")


def _base(path: str | None) -> str:
    if not path:
        return ""
    return (PureWindowsPath(path) if "\\" in path else PurePath(path)).name


def _sentences(problems: Sequence[dict[str, Any]], extra: str = "") -> str:
    text = "\n".join([*([extra] if extra else []), *(str(q["message_zh"]) for q in problems)])
    if len(text) > CELL_LIMIT:
        text = text[:CELL_LIMIT] + f"…（共{len(problems)}个问题，详见“问题明细”）"
    return text


def lines(
    members: Sequence[Filing],
    found: dict[tuple[str, str], list[dict[str, Any]]],
    reviews: Sequence[dict[str, Any]] = (),
) -> list[Line]:
    """The 回执 lines of ``members``: a returned correction beside the version that counts."""
    out: list[Line] = []
    for f in members:
        mine = found.get((f.unit_code, f.kind), [])
        first = mine[0] if mine else {}
        kind = KIND_ZH.get(f.kind, f.kind)
        if f.status == "loaded":
            status = "old_version" if f.returned_correction else "loaded"
            out.append(Line(f.unit_code, f.name, kind, status, f.submitted_at, f.received_at,
                            _base(f.file_path), ""))  # fmt: skip
            if f.returned_correction:
                note = "更正未入库，仍按上一行的旧版本计分；请按以下问题改正后重新报送："
                out.append(Line(f.unit_code, f.name, kind, "correction_returned", None,
                                first.get("received_at"), _base(first.get("path")),
                                _sentences(mine, note)))  # fmt: skip
        elif f.status == "quarantined":
            text = _sentences(mine) or (
                f"共{f.problems}个问题，详见“问题明细”" if f.problems else ""
            )
            out.append(Line(f.unit_code, f.name, kind, "quarantined", None, f.received_at,
                            _base(first.get("path")), text))  # fmt: skip
        else:
            out.append(Line(f.unit_code, f.name, kind, "missing", None, None, "", ""))
        flags = [q for q in reviews if (q["unit_code"], q["kind"]) == (f.unit_code, f.kind)]
        if flags:  # review flags (CONTRACT §9): 需核实, right after the report they concern
            out.append(Line(f.unit_code, f.name, kind, "review", None, None,
                            _base(flags[0].get("source_path")), _sentences(flags)))  # fmt: skip
    return out


def _files_of(members: Sequence[Filing], known: Facts) -> list[ReceivedFile]:
    codes = {f.unit_code for f in members}
    return [
        f for f in known.files
        if (f.units.keys() & codes) or (not f.units and f.owner in codes)
    ]  # fmt: skip


def _outcome(f: ReceivedFile, codes: set[str], loose: bool) -> str:
    """What became of ``f`` for the receipt's units (``loose``: it has rows of no unit)."""
    if f.file_reasons:
        return "整份退回"
    mine = [v for u, v in f.units.items() if u in codes]
    loaded = sum(1 for ld, _ in mine if ld)
    counting = sum(1 for _, c in mine if c)
    if mine and loaded == len(mine):
        done = "已入库" if counting else "已入库，已被更新版本取代"
        return f"{done}；另有行未入库，见说明" if loose else done
    if loaded == 0:
        return "被退回"
    return f"部分入库：入库{loaded}个单位，退回{len(mine) - loaded}个单位"


def _units_text(f: ReceivedFile, codes: set[str], names: dict[str, str]) -> str:
    if not f.units:
        owner = names.get(f.owner or "", f.owner or "")
        return f"文件中未能读出单位；按所在文件夹或来源列入{owner}"
    mine = sorted(u for u in f.units if u in codes)
    shown = "、".join(names.get(u, u) for u in mine[:NAMES_SHOWN])
    if len(f.units) > len(mine[:NAMES_SHOWN]):
        shown += f"等（共{len(f.units)}个单位）"
    return shown


@dataclass(frozen=True)
class _Formats:
    head: Format
    top: Format
    wrap: Format
    title: Format
    plain: Format
    status: dict[str, Format]


def _formats(wb: Any) -> _Formats:
    # 10 pt in columns of about 110 widths a sheet: A4 landscape at full size (>= 9 pt)
    head = text_format(wb, bold=True, bg_color="#DDEBF7", border=1, text_wrap=True,
                       valign="top", font_size=SIZE)  # fmt: skip
    cell = {"valign": "top", "border": 1, "border_color": "#BFBFBF", "font_size": SIZE}
    colours = {
        "loaded": ("#006100", "#C6EFCE"), "old_version": ("#9C5700", "#FFEB9C"),
        "quarantined": ("#9C0006", "#FFC7CE"), "correction_returned": ("#9C0006", "#FFC7CE"),
        "missing": ("#9C5700", "#FFEB9C"), "review": ("#1F4E79", "#DDEBF7"),
    }  # fmt: skip
    return _Formats(
        head=head,
        top=text_format(wb, **cell),
        wrap=text_format(wb, text_wrap=True, **cell),
        title=text_format(wb, bold=True, font_size=14),
        plain=text_format(wb, font_size=SIZE, text_wrap=True, valign="top"),
        status={k: text_format(wb, font_color=fg, bg_color=bg, text_wrap=True, **cell)
                for k, (fg, bg) in colours.items()},
    )  # fmt: skip


def _line(
    ws: Worksheet, row: int, text: str, heads: Sequence[tuple[str, int]], fm: _Formats
) -> None:
    """A line of text across the table's width, wrapped within the page."""
    ws.merge_range(row, 0, row, len(heads) - 1, text, fm.plain)
    fit_height(ws, row, [(text, sum(w for _, w in heads))])


def _table(ws: Worksheet, row: int, heads: Sequence[tuple[str, int]], fm: _Formats) -> None:
    for j, (h, w) in enumerate(heads):
        put(ws, row, j, h, fm.head)
        ws.set_column(j, j, w)


def write_receipt(path: Path, owner: Filing, members: Sequence[Filing], known: Facts) -> None:
    """Write the receipt of ``owner`` (its ``members``: itself and the units under it)."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for q in known.problems:
        found.setdefault((q["unit_code"], q["kind"]), []).append(q)
    codes = {f.unit_code for f in members}
    files = _files_of(members, known)
    shas = {f.sha256 for f in files}
    loose = [q for q in known.loose if q["source_sha256"] in shas]
    wb = workbook(path)
    fm = _formats(wb)
    title = f"{owner.name}（{owner.unit_code}）{period_zh(known.period)}报送回执"

    ws = wb.add_worksheet("回执")
    put(ws, 0, 0, title, fm.title)
    n = {s: sum(f.status == s for f in members) for s in ("loaded", "quarantined", "missing")}
    rc = sum(f.returned_correction for f in members)
    whole = sum(bool(f.file_reasons) for f in files)
    heads = (("单位代码", 13), ("单位名称", 11), ("报表", 7), ("状态", 10), ("填报时间", 15),
             ("收到时间", 15), ("文件", 15), ("问题及改正要求", 26))  # fmt: skip
    intro = (
        f"共{len(members)}份应报报表：已入库{n['loaded']}份（其中更正被退回、仍按旧版本计分{rc}份），"
        f"被退回{n['quarantined']}份，未报送{n['missing']}份。共收到文件{len(files)}份，"
        f"其中整份退回{whole}份，见“收到的文件”。被退回的报表请按“问题”一栏改正后重新报送。"
    )
    _line(ws, 1, intro, heads, fm)
    _line(ws, 2, f"生成时间：{datetime.now():%Y-%m-%d %H:%M}", heads, fm)
    _table(ws, 4, heads, fm)
    shown = lines(members, found, known.reviews)
    for i, ln in enumerate(shown, start=5):
        cells = (ln.unit_code, ln.name, ln.kind, STATUS_ZH[ln.status], _stamp(ln.submitted_at),
                 _stamp(ln.received_at), ln.file)  # fmt: skip
        for j, v in enumerate(cells):
            put(ws, i, j, v, fm.status[ln.status] if j == 3 else fm.wrap if j == 6 else fm.top)
        put(ws, i, 7, ln.text, fm.wrap)
        fit_height(ws, i, [(ln.text, heads[7][1]), (ln.file, heads[6][1])])
    ws.freeze_panes(5, 2)
    ws.autofilter(4, 0, 4 + len(shown), len(heads) - 1)
    print_setup(ws, (4, 4), title)

    _files_sheet(wb, fm, files, codes, loose, known, title)
    _detail_sheet(wb, fm, members, found, loose, known, title)
    wb.close()


def write_unowned(path: Path, files: Sequence[ReceivedFile], known: Facts) -> None:
    """The receipt of the files of the period that no unit can be named for (their rows
    name none, and neither their source nor their folder nor their name says whose they
    are): for the department, who finds out whose they are (CONTRACT §6: every file)."""
    shas = {f.sha256 for f in files}
    loose = [q for q in known.loose if q["source_sha256"] in shas]
    wb = workbook(path)
    fm = _formats(wb)
    title = f"{period_zh(known.period)}未能归属单位的文件"
    _files_sheet(wb, fm, files, set(), loose, known, title)
    wb.close()


def _files_sheet(
    wb: Any, fm: _Formats, files: Sequence[ReceivedFile], codes: set[str],
    loose: Sequence[dict[str, Any]], known: Facts, title: str,
) -> None:  # fmt: skip
    ws = wb.add_worksheet("收到的文件")
    heads = (("文件名", 20), ("收到时间", 15), ("报表", 8), ("涉及单位", 16), ("结果", 12),
             ("原因", 12), ("说明", 29))  # fmt: skip
    _table(ws, 0, heads, fm)
    by_file: dict[str, list[dict[str, Any]]] = {}
    for q in known.problems:
        if q["unit_code"] in codes:
            by_file.setdefault(q["source_sha256"], []).append(q)
    unowned: dict[str, list[dict[str, Any]]] = {}
    for q in loose:
        unowned.setdefault(q["source_sha256"], []).append(q)
    for i, f in enumerate(files, start=1):
        mine = [*by_file.get(f.sha256, []), *unowned.get(f.sha256, [])]
        reasons = dict.fromkeys([*f.file_reasons, *(q["reason"] for q in mine)])
        cells = (
            _base(f.path), _stamp(f.received_at),
            "、".join(KIND_ZH.get(k, k) for k in sorted(f.kinds)),
            _units_text(f, codes, known.names), _outcome(f, codes, f.sha256 in unowned),
            "、".join(reason_zh(r) for r in reasons),
            "\n".join(filter(None, (
                _sentences(unowned.get(f.sha256, []))
                or ("问题见“回执”和“问题明细”" if by_file.get(f.sha256) else ""),
                f.below(),
            ))),
        )  # fmt: skip
        for j, v in enumerate(cells):
            put(ws, i, j, v, fm.wrap)
        fit_height(ws, i, [(str(v), heads[j][1]) for j, v in enumerate(cells)])
    ws.freeze_panes(1, 1)
    print_setup(ws, (0, 0), f"{title}：收到的文件")


def _detail_sheet(
    wb: Any, fm: _Formats, members: Sequence[Filing],
    found: dict[tuple[str, str], list[dict[str, Any]]], loose: Sequence[dict[str, Any]],
    known: Facts, title: str,
) -> None:  # fmt: skip
    ws = wb.add_worksheet("问题明细")
    heads = (("单位代码", 13), ("单位名称", 10), ("报表", 7), ("文件", 15), ("行", 5),
             ("列", 12), ("收到的值", 10), ("原因", 10), ("说明", 30))  # fmt: skip
    _table(ws, 0, heads, fm)
    rows: list[tuple[str, str, dict[str, Any]]] = []
    for f in members:
        if f.status == "quarantined" or f.returned_correction:
            rows.extend((f.unit_code, f.name, q) for q in found.get((f.unit_code, f.kind), []))
    rows.extend((q["unit_code"] or "", known.names.get(q["unit_code"] or "", ""), q) for q in loose)
    for i, (code, name, q) in enumerate(rows, start=1):
        cells = (
            code, name, KIND_ZH.get(q["kind"] or "", q["kind"] or ""), _base(q["path"]),
            "" if q["sheet_row"] is None else str(q["sheet_row"]), q["column_zh"] or "",
            q["value"] or "", reason_zh(q["reason"]), q["message_zh"],
        )  # fmt: skip
        for j, v in enumerate(cells):
            put(ws, i, j, v, fm.wrap if j in (3, 8) else fm.top)
        fit_height(ws, i, [(str(cells[8]), heads[8][1]), (str(cells[3]), heads[3][1])])
    ws.freeze_panes(1, 0)
    print_setup(ws, (0, 0), f"{title}：问题明细")
