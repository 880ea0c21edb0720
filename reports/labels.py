"""Chinese labels of the codes the warehouse stores (CONTRACT §1, §3, §4, §5)."""

from __future__ import annotations

from transforms.reasons import REASONS_ZH as REASONS_ZH  # the one map, re-exported

LEVELS_ZH = {"county": "县级", "township": "乡级", "village": "村级"}
LEVEL_UNITS_ZH = {"county": "县（市、区）", "township": "镇（街道）", "village": "村（社区）"}

KINDS_ZH = {
    "district": "区",
    "city": "县级市",
    "county": "县",
    "zone": "开发区/园区",
    "town": "镇",
    "township": "乡",
    "street": "街道",
    "farm": "农场",
    "village": "村",
    "community": "社区",
}

QUADRANTS = ("both_strong", "party_leads", "economy_leads", "both_weak")
QUADRANTS_ZH = {
    "both_strong": "双强",
    "party_leads": "党建领先",
    "economy_leads": "发展领先",
    "both_weak": "双弱",
}

REPORT_KINDS_ZH = {"supervision": "党建督导季报", "economy": "经济指标季报", "projects": "项目季报"}

FILING_ZH = {"loaded": "已入库", "quarantined": "已隔离", "missing": "未报送"}

WEAK_STATUS_ZH = {"new": "新增", "continuing": "持续", "rectified": "已脱薄"}

PROJECT_STATUS_ZH = {
    "planned": "谋划",
    "under_construction": "在建",
    "in_production": "投产",
    "completed": "竣工",
    "suspended": "停建",
}


def quarter_zh(period: str) -> str:
    """``2017Q4`` → ``2017年第四季度``."""
    return f"{period[:4]}年第{'一二三四'[int(period[-1]) - 1]}季度"


def zh(mapping: dict[str, str], code: str | None) -> str:
    """The label of a code; the code itself where none is known; blank for None."""
    if code is None:
        return ""
    return mapping.get(code, code)
