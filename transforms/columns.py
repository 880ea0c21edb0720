"""The one declaration of the report columns (CONTRACT §2).

Readers, expectation suites, warehouse DDL and column comments are all derived
from the tables below. Nothing else in the code base spells a report column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

# the ``pii`` rule's own declaration (transforms/pii_rule.py), here beside every rule
from transforms.pii_rule import PII_NUMBERS as PII_NUMBERS
from transforms.pii_rule import PII_PATTERNS as PII_PATTERNS
from transforms.pii_rule import PII_PREFIX as PII_PREFIX
from transforms.pii_rule import PiiNumber as PiiNumber

ColumnType = Literal["code", "period", "timestamp", "int", "decimal", "bool", "text", "enum"]
Kind = Literal["supervision", "projects", "economy"]
KINDS: tuple[Kind, ...] = ("supervision", "projects", "economy")
LEVELS = ("county", "township", "village")

# SQL type of each column type in the warehouse.
SQL_TYPES: dict[ColumnType, str] = {
    "code": "VARCHAR",
    "period": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "int": "BIGINT",
    "decimal": "DOUBLE",
    "bool": "BOOLEAN",
    "text": "VARCHAR",
    "enum": "VARCHAR",
}


@dataclass(frozen=True)
class Column:
    """One report column: its canonical name, Chinese label, type and rules."""

    name: str
    zh: str
    type: ColumnType
    required: bool = True
    default: float | None = None  # value used when an optional column is blank
    min: float | None = None
    max: float | None = None
    enum: tuple[tuple[str, str], ...] = ()  # (code, Chinese label)
    required_levels: tuple[str, ...] = ()  # required only for units of these levels
    pattern: str | None = None  # regex the text must match (bad_value otherwise)
    max_length: int | None = None
    # What ``pattern`` asks for, in words (filers read it in templates and problems).
    pattern_zh: str | None = None
    pattern_en: str | None = None

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    @property
    def comment(self) -> str:
        """Chinese column comment for the warehouse."""
        return self.zh


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: ``lesser`` must not exceed ``greater`` (reason ``inconsistent``)."""

    lesser: str
    greater: str


@dataclass(frozen=True)
class ReportKind:
    name: Kind
    zh: str
    stems: tuple[str, ...]  # words that, anywhere in a file name, select this kind
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # unique within one file (duplicate_in_file)
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def required_names(self) -> tuple[str, ...]:
        """Columns a file must have as headers (missing_columns otherwise).

        Only the columns required for every unit: a column required for some levels
        (``required_levels``) may be absent from a level's template (CONTRACT §2); it
        is then blank in every row of the file.
        """
        return tuple(c.name for c in self.columns if c.required)

    def level_names(self, level: str) -> tuple[str, ...]:
        """The columns a unit of ``level`` reports: all but other levels' own columns.

        A column with ``required_levels`` belongs to those levels' templates; one without
        belongs to every level's.
        """
        return tuple(
            c.name for c in self.columns if not c.required_levels or level in c.required_levels
        )


@dataclass(frozen=True)
class Roles:
    """The common columns by role, found by type in the declaration (not re-spelt)."""

    unit: str
    period: str
    submitted: str


def roles(kind: ReportKind) -> Roles:
    def only(t: ColumnType) -> str:
        names = [c.name for c in kind.columns if c.type == t]
        if len(names) != 1:
            raise ValueError(f"{kind.name}: expected one column of type {t}, got {names}")
        return names[0]

    return Roles(unit=only("code"), period=only("period"), submitted=only("timestamp"))


COMMON: tuple[Column, ...] = (
    Column(
        "unit_code",
        "单位代码",
        "code",
        pattern=r"^\d{12}$",
        pattern_zh="12位数字的统计用区划代码",
        pattern_en="a 12-digit statistical division code",
    ),
    Column("period", "报告期", "period"),
    Column("submitted_at", "填报时间", "timestamp"),
)

# Optional common column (CONTRACT §2): the filer's explanation of figures a review rule
# flags (§9). Declared last in every kind so that older warehouses gain it at the end.
EXPLANATION = Column("explanation", "说明", "text", required=False, max_length=500)


def _int(name: str, zh: str, required: bool = True) -> Column:
    return Column(name, zh, "int", required=required, default=None if required else 0, min=0)


AREAS: tuple[tuple[str, str], ...] = (
    ("coverage", "组织覆盖"),
    ("service", "服务引领"),
    ("team", "队伍提升"),
    ("vanguard", "先锋示范"),
    ("care", "关爱激励"),
    ("support", "基层保障"),
)

SUPERVISION = ReportKind(
    name="supervision",
    zh="党建督导季报",
    stems=("supervision", "党建督导", "督导"),
    columns=(
        *COMMON,
        _int("party_orgs", "基层党组织数"),
        _int("party_members", "党员数"),
        _int("new_members", "发展党员数"),
        _int("contact_points", "党建工作联系点数", required=False),
        _int("grid_branches", "网格党支部数", required=False),
        _int("building_groups", "楼道党小组数", required=False),
        _int("central_households", "党员中心户数", required=False),
        _int("prosperity_communities", "党群致富共同体数", required=False),
        # 本年累计 (year to date), like the money figures (CONTRACT §10)
        _int("new_park_orgs", "新组建园区统筹型党组织数", required=False),
        _int("new_business_district_orgs", "新组建商圈统筹型党组织数", required=False),
        _int("new_village_enterprise_orgs", "新组建村企统筹型党组织数", required=False),
        _int("supervisions_held", "党建督导次数"),
        _int("theme_days_planned", "主题党日计划次数"),
        _int("theme_days_held", "主题党日开展次数"),
        Column("list_published", "清单是否公示", "bool"),
        *(
            col
            for area, zh in AREAS
            for col in (
                _int(f"tasks_planned_{area}", f"{zh}任务数"),
                _int(f"tasks_done_{area}", f"{zh}完成数"),
            )
        ),
        EXPLANATION,
    ),
    key=("unit_code", "period"),
    rules=(
        Rule("new_members", "party_members"),
        *(Rule(f"tasks_done_{a}", f"tasks_planned_{a}") for a, _ in AREAS),
    ),
)

PROJECT_TYPES = (
    ("secretary", "书记项目"),
    ("industrial", "产业项目"),
    ("livelihood", "富民实事项目"),
)
PROJECT_STATUSES = (
    ("planned", "谋划"),
    ("under_construction", "在建"),
    ("in_production", "投产"),
    ("completed", "竣工"),
    ("suspended", "停建"),
)

PROJECTS = ReportKind(
    name="projects",
    zh="项目季报",
    stems=("projects", "项目", "书记项目"),
    columns=(
        *COMMON,
        Column(
            "project_id",
            "项目编号",
            "text",
            pattern=r"^[A-Za-z0-9_-]{1,32}$",
            pattern_zh="1至32位的英文字母、数字、-或_",
            pattern_en="1-32 of A-Z a-z 0-9 - _",
        ),
        Column("project_type", "项目类型", "enum", enum=PROJECT_TYPES),
        Column("name", "项目名称", "text", max_length=200),
        Column("planned_investment", "计划总投资(万元)", "decimal", min=0),
        Column("annual_planned_investment", "年度计划投资(万元)", "decimal", required=False, min=0),
        Column("completed_investment", "累计完成投资(万元)", "decimal", min=0),
        Column("progress_pct", "形象进度(%)", "decimal", min=0, max=100),
        Column("status", "项目状态", "enum", enum=PROJECT_STATUSES),
        Column("party_org_established", "是否同步建立党组织", "bool"),
        _int("party_members", "项目党员数", required=False),
        EXPLANATION,
    ),
    key=("unit_code", "period", "project_id"),
)

ECONOMY = ReportKind(
    name="economy",
    zh="经济指标季报",
    stems=("economy", "经济指标", "经济"),
    columns=(
        *COMMON,
        Column("growth_target_pct", "年度增长目标(%)", "decimal", required=False, min=0, max=30),
        Column(
            "gdp",
            "地区生产总值(亿元)",
            "decimal",
            required=False,
            min=0,
            required_levels=("county",),
        ),
        Column(
            "gdp_growth_pct",
            "地区生产总值增速(%)",
            "decimal",
            required=False,
            min=-50,
            max=50,
            required_levels=("county", "township"),
        ),
        Column("fiscal_revenue", "一般公共预算收入(亿元)", "decimal", required=False, min=0),
        Column(
            "savings_balance",
            "居民储蓄存款余额(亿元)",
            "decimal",
            required=False,
            min=0,
            required_levels=("county",),
        ),
        Column(
            "income_growth_pct",
            "居民人均可支配收入增速(%)",
            "decimal",
            required=False,
            min=-50,
            max=50,
        ),
        Column(
            "collective_income",
            "村集体经营性收入(万元)",
            "decimal",
            required=False,
            min=0,
            required_levels=("village",),
        ),
        Column(
            "collective_income_target",
            "村集体经营性收入年度目标(万元)",
            "decimal",
            required=False,
            min=0,
        ),
        EXPLANATION,
    ),
    key=("unit_code", "period"),
)

REPORT_KINDS: dict[str, ReportKind] = {k.name: k for k in (SUPERVISION, PROJECTS, ECONOMY)}


TRUE_WORDS = ("true", "1", "是", "y", "yes", "t")
FALSE_WORDS = ("false", "0", "否", "n", "no", "f")


def is_percent(c: Column) -> bool:
    """A percentage column: a number of percent (typed 40 or 40%, shown 40%: 40; §2)."""
    return c.name.endswith("_pct") or "(%)" in c.zh


def is_free_text(c: Column) -> bool:
    """Free text (a name, an explanation): kept as typed; other columns fold full-width (§2)."""
    return c.type == "text" and c.pattern is None


@lru_cache(maxsize=8192)
def normalise_header(text: str) -> str:
    """Strip spaces, fold full-width brackets to ASCII (cached: headers recur)."""
    return (
        text.strip()
        .replace("（", "(")
        .replace("）", ")")
        .replace("\u3000", " ")
        .strip()
        .lstrip("\ufeff")
    )


def found_column(kind: ReportKind, name: str) -> Column:
    """The declared column ``name``, or an extra column as the file names it (a text
    column labelled with its name: a personal number in it is a problem too)."""
    return kind.column(name) if name in kind.names else Column(name, name, "text", required=False)


def header_map(kind: ReportKind) -> dict[str, str]:
    """Map every accepted header spelling (English or Chinese) to the canonical name."""
    out: dict[str, str] = {}
    for c in kind.columns:
        out[c.name] = c.name
        out[c.name.lower()] = c.name
        out[normalise_header(c.zh)] = c.name
    return out


def kind_of(filename: str) -> ReportKind | None:
    """The report kind whose word is anywhere in a file name (CONTRACT §2), or None (also when
    the name holds two kinds' words: :func:`transforms.read.kind_from_headers` decides)."""
    name = filename.rsplit("/", 1)[-1].lower()
    name = name.rsplit(".", 1)[0] if "." in name else name
    hits = [k for k in REPORT_KINDS.values() if any(s in name for s in k.stems)]
    return hits[0] if len(hits) == 1 else None
