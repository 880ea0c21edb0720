"""The one map of reason codes (CONTRACT §3) to Chinese, for what people read.

Receipts (回执), the 通报 and any other sheet a filer or analyst reads show a reason in
Chinese, never its code: they all take it from :data:`REASONS_ZH` through
:func:`reason_zh`. A code not (yet) listed is shown as 其他问题 with the code in
brackets, so a new reason never shows up bare.
"""

from __future__ import annotations

REASONS_ZH: dict[str, str] = {
    "unreadable_file": "文件无法读取",
    "unknown_kind": "无法识别报表类型",
    "missing_columns": "缺少必填列",
    "empty_file": "文件中没有数据行",
    "bad_value": "数值格式错误",
    "missing_required_value": "必填项为空",
    "out_of_range": "数值超出范围",
    "inconsistent": "数据前后矛盾",
    "unknown_unit": "单位代码不在名录中",
    "unit_not_valid_in_period": "单位在该报告期无效",
    "bad_period": "报告期错误",
    "future_submission": "填报时间晚于当前",
    "duplicate_in_file": "文件内重复",
    "pii": "含个人信息",
    "unit_name_mismatch": "单位名称与代码不符",
    "hidden_row": "有隐藏行",
}


REASONS_EN: dict[str, str] = {
    "unreadable_file": "the file cannot be read",
    "unknown_kind": "the file name does not say which report it is",
    "missing_columns": "required columns are missing",
    "bad_value": "a value cannot be read as its type",
    "missing_required_value": "a required value is blank",
    "out_of_range": "a value is out of its allowed range",
    "inconsistent": "figures contradict each other (done > planned, new > members)",
    "unknown_unit": "the unit code is not in the registry",
    "unit_not_valid_in_period": "the unit does not exist in that period",
    "bad_period": "the period is unreadable or after the submission date",
    "future_submission": "the submission time is in the future",
    "duplicate_in_file": "the same report (or project) appears twice in the file",
    "pii": "a text field contains an ID-card or mobile number",
    "empty_file": "the file holds no data row (only a header, or nothing)",
    "unit_name_mismatch": "the unit name beside the code is not the registry's name for it",
    "hidden_row": "a filled row is hidden in its sheet",
}
"""Each reason code in a short English phrase (``ronghe validate``, logs)."""


def reason_zh(code: str | None) -> str:
    """The Chinese label of a reason code ('' for None)."""
    if code is None:
        return ""
    return REASONS_ZH.get(code, f"其他问题（{code}）")


KIND_ZH: dict[str, str] = {"supervision": "党建督导", "projects": "项目", "economy": "经济指标"}
"""Each report kind's Chinese name, as every sheet and line a person reads shows it."""
