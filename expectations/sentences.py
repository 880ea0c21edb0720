"""The sentence a filer reads for each problem of a report (CONTRACT §3 "a filer must
never have to guess"): the row, the column, the value received and what to write instead,
in Chinese and in English (:func:`sentences`, called by :mod:`expectations.problems`).
"""

from __future__ import annotations

import re

from transforms.columns import Column, ReportKind, roles
from transforms.describe import LEVEL_EN, LEVEL_ZH, rule_en, rule_zh
from transforms.textfiles import BAD_TEXT

SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d+$")
NO_YEAR = re.compile(r"^\d{1,2}\s*[月/.-]\s*\d{1,2}\s*日?$")
YEAR = re.compile(r"\d{4}")


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
    others_have_unit: bool = False,
) -> tuple[str, str]:
    """The Chinese and English sentence of one report problem.

    ``others_have_unit``: the file's other rows fill the unit code this row leaves blank
    (``other`` is then the row's unit name, or None): the sentence says which row to fill.
    """
    at_zh, at_en = _where(row, json_file)
    col_zh = f"「{c.zh}」"
    col_en = c.name if c.zh == c.name else f"{c.name} ({c.zh})"
    got_zh = "收到空白" if value is None else f"收到“{value}”"
    got_en = "got a blank" if value is None else f'got "{value}"'
    r = roles(kind)
    if (
        reason == "missing_required_value"
        and c.name == r.unit
        and value is None
        and others_have_unit
    ):
        named_zh = f"（单位名称为“{other}”）" if other else ""
        named_en = f" (unit name {other})" if other else ""
        return (
            f"{at_zh}填了数据，但{col_zh}是空白{named_zh}，而本文件其他行填了单位代码："
            f"请在{at_zh}填写这一行所属单位的12位单位代码（原表若是合并单元格，请在每一行都填上）",
            f"{at_en} has figures but no {col_en}{named_en}, while the file's other rows have"
            " one: fill in the 12-digit code of the row's unit (on every row, where the cell"
            " was merged)",
        )
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
    if reason == "bad_value" and value and BAD_TEXT in value:
        seen = value.replace(BAD_TEXT, "") or value
        return (
            f"{at_zh}{col_zh}的文字编码与文件其他部分不同，收到“{seen}”（是从别处粘贴的？）："
            "请把整个文件另存为“CSV UTF-8（逗号分隔）”，或在报送模板（xlsx）中重新填写后报送",
            f"{at_en}, {col_en}: the text is in another encoding than the rest of the file"
            f' (pasted from elsewhere?), got "{seen}"; save the whole file as CSV UTF-8, or'
            " fill in the template (xlsx), and send it again",
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
    if reason == "out_of_range" and c.name == r.submitted:
        days = f"后{other}天" if other else "后的更正期限"
        return (
            f"{at_zh}{col_zh}“{value}”晚于该报告期报送截止{days}，不是可信的填报时间："
            "请核实年份（输入日期时不写年份，表格会当作今年），改正后重新报送",
            f"{at_en}, {col_en}: {value} is after the period's deadline plus the correction"
            f" window{f' ({other} days)' if other else ''}; check the year (a date typed"
            " without one is taken as this year's)",
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


def hidden_sentences(row: int | None) -> tuple[str, str]:
    """The sentence of a filled row the clerk hid (``hidden_row``, CONTRACT §2)."""
    return (
        f"第{row}行是隐藏行：隐藏的行不会报送，请取消隐藏第{row}行（核对后保留）或删除该行，"
        "再重新报送",
        f"Row {row} is hidden in the sheet: unhide it (and keep it if it belongs) or delete it,"
        " then send the file again",
    )
