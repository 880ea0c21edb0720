"""Each declared column's rule in words, Chinese and English, from ``transforms.columns``.

Templates (填报说明, input messages) and problem sentences say the same rule the
suites check, because both are derived from the one declaration.
"""

from __future__ import annotations

from transforms.columns import Column, ReportKind, roles

LEVEL_ZH = {"county": "县级", "township": "乡级", "village": "村级"}
LEVEL_EN = {"county": "county-level", "township": "township-level", "village": "village-level"}


def number(x: float) -> str:
    """A bound as people write it: ``0``, ``-50``, ``2.5``."""
    return str(int(x)) if float(x).is_integer() else str(x)


def rule_zh(c: Column) -> str:
    """What a value of ``c`` must be, as the complement of 应为 (e.g. 不小于0的整数)."""
    noun = {"int": "整数", "decimal": "数"}.get(c.type)
    if noun is not None:
        if c.min is not None and c.max is not None:
            return f"{number(c.min)}到{number(c.max)}之间的{noun}"
        if c.min is not None:
            return f"不小于{number(c.min)}的{noun}"
        if c.max is not None:
            return f"不大于{number(c.max)}的{noun}"
        return noun
    match c.type:
        case "bool":
            return "“是”或“否”"
        case "enum":
            return "以下之一：" + "、".join(zh for _, zh in c.enum)
        case "timestamp":
            return "日期时间，如2017-04-10 09:30"
        case "period":
            return "季度，如2017年第一季度或2017Q1"
    if c.pattern_zh:
        return c.pattern_zh
    if c.max_length is not None:
        return f"不超过{c.max_length}个字的文字"
    return "文字"


def rule_en(c: Column) -> str:
    """What a value of ``c`` must be, in English (e.g. a whole number >= 0)."""
    noun = {"int": "a whole number", "decimal": "a number"}.get(c.type)
    if noun is not None:
        if c.min is not None and c.max is not None:
            return f"{noun} from {number(c.min)} to {number(c.max)}"
        if c.min is not None:
            return f"{noun} >= {number(c.min)}"
        if c.max is not None:
            return f"{noun} <= {number(c.max)}"
        return noun
    match c.type:
        case "bool":
            return "yes or no (是/否)"
        case "enum":
            return "one of " + ", ".join(f"{zh} ({code})" for code, zh in c.enum)
        case "timestamp":
            return "a date and time, e.g. 2017-04-10 09:30"
        case "period":
            return "a quarter, e.g. 2017Q1 or 2017年第一季度"
    if c.pattern_en:
        return c.pattern_en
    if c.max_length is not None:
        return f"text of at most {c.max_length} characters"
    return "text"


def requirement_zh(c: Column) -> str:
    """Whether ``c`` must be filled: 必填, 县级单位必填, or 选填 (blank is 0 / left blank)."""
    if c.required:
        return "必填"
    if c.required_levels:
        return "、".join(LEVEL_ZH[lv] for lv in c.required_levels) + "单位必填"
    if c.default is not None:
        return f"选填（空白按{number(c.default)}计）"
    return "选填"


def full_rule_zh(kind: ReportKind, c: Column) -> str:
    """The whole rule of ``c`` for the 填报说明 sheet: requirement, form, cross-field rules."""
    parts = [requirement_zh(c), f"应为{rule_zh(c)}"]
    for rule in kind.rules:
        if rule.lesser == c.name:
            parts.append(f"不大于「{kind.column(rule.greater).zh}」")
    r = roles(kind)
    roles_zh = {
        r.unit: "须是登记在册且在报告期有效的单位",
        r.period: "不晚于填报时间所在季度",
        r.submitted: "不早于报告期开始，不晚于当前时间",
    }
    if c.name in roles_zh:
        parts.append(roles_zh[c.name])
    if c.type == "text" and c.name in kind.key:
        parts.append("同一单位同一报告期内不得重复")
    if c.type == "text":
        parts.append("不得包含身份证号或手机号")
    return "；".join(parts)
