"""Deterministic sample report files (CONTRACT §6 ``ronghe sample``, §7).

:func:`write_sample` writes, for each requested quarter, the files that the city's
units would send in, laid out as::

    out/<period>/<county code>/county/…              the county-level unit's own reports
    out/<period>/<county code>/<township code>/…     a township's own reports and, in the
                                                     same folder, its villages' reports

Mostly one file per unit per kind (``supervision_320602001000_2016Q4.xlsx``,
``党建督导_….csv``, ``项目_….json``, ``经济指标_….csv``); for about one township in five a
single file per kind holds all its villages' rows. At ``scale="province"`` the
villages of every township are always grouped into one file per township per kind,
to keep the file count sane (≈ 9,300 files per quarter; the city scale writes ≈ 3,400).

Formats and spellings are mixed as real submissions are: xlsx (first sheet, some with
real Excel date cells for ``submitted_at``, some numbers as text), csv (UTF-8, UTF-8
with BOM, GB18030 with CRLF as Excel on Chinese Windows saves it), json (an array, or
an object with ``rows``); English or Chinese headers (some with full-width brackets),
thousands separators, 是/否 · Y/N · 1/0 · true/false booleans, Chinese enum labels,
Chinese quarter spellings, ``YYYY-MM-DD HH:MM`` or ISO timestamps, extra columns.

Figures: for the Nantong units valid in 2016Q4 the current reports add up exactly to
the published figures of CONTRACT §7 (see ``PUBLISHED`` and ``COUNTY_2016``); other
quarters vary around them. Quarters other than 2016Q4 carry a few bad reports (well
under 1%); 2016Q4 carries a few bad or wrong reports each followed by a corrected
resubmission (later ``submitted_at``, another file), so its totals come out right
after supersession. Everything injected is listed in :class:`SampleStats`.

Same seed → byte-identical files. Quarters that have not ended yet are skipped.
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from transforms import periods as quarters
from transforms.columns import REPORT_KINDS, Column, ReportKind
from warehouse.registry import load_registry, valid_units

BASE_PERIOD = "2016Q4"
NANTONG = "3206"

# CONTRACT §7: Nantong's published figures for 2016Q4 (sums over current reports).
PUBLISHED: dict[str, int] = {
    "party_orgs": 25_199,
    "party_members": 465_134,
    "grid_branches": 1_633,
    "building_groups": 2_855,
    "central_households": 5_236,  # published as "at least 5,000"
    "prosperity_communities": 2_863,  # published as "at least 2,800"
    "contact_points": 318,
}
SECRETARY_PROJECTS_2016Q4 = 202
SECRETARY_PER_COUNTY = 3
SECRETARY_PER_TOWNSHIP = 1

# 2016 annual figures of the county-level units (亿元; growth in %). GDP values are
# multiples of 0.25 so that sums are exact in binary floating point: Σ gdp = 6,768 and
# the GDP-weighted mean growth is 9.3; Σ savings = 10,243 (> 10,000).
COUNTY_2016: dict[str, dict[str, float]] = {
    "320602000000": {
        "gdp": 876.75,
        "gdp_growth_pct": 9.2,
        "savings_balance": 1650.5,
        "fiscal_revenue": 61.25,
    },
    "320611000000": {
        "gdp": 375.0,
        "gdp_growth_pct": 9.8,
        "savings_balance": 520.25,
        "fiscal_revenue": 30.5,
    },
    "320612000000": {
        "gdp": 1006.0,
        "gdp_growth_pct": 9.4,
        "savings_balance": 1420.75,
        "fiscal_revenue": 70.75,
    },
    "320621000000": {
        "gdp": 781.0,
        "gdp_growth_pct": 9.7,
        "savings_balance": 1060.5,
        "fiscal_revenue": 60.5,
    },
    "320623000000": {
        "gdp": 743.0,
        "gdp_growth_pct": 9.4,
        "savings_balance": 1090.25,
        "fiscal_revenue": 55.25,
    },
    "320681000000": {
        "gdp": 906.0,
        "gdp_growth_pct": 9.8,
        "savings_balance": 1380.0,
        "fiscal_revenue": 70.0,
    },
    "320682000000": {
        "gdp": 897.75,
        "gdp_growth_pct": 8.8,
        "savings_balance": 1510.75,
        "fiscal_revenue": 65.5,
    },
    "320684000000": {
        "gdp": 1182.5,
        "gdp_growth_pct": 8.8,
        "savings_balance": 1610.0,
        "fiscal_revenue": 85.25,
    },
    # from 2017Q1
    "320671000000": {
        "gdp": 560.0,
        "gdp_growth_pct": 9.0,
        "savings_balance": 310.0,
        "fiscal_revenue": 48.0,
    },
}
# year-to-date share of the annual figure at the end of each quarter
YTD_SHARE = {1: 0.22, 2: 0.47, 3: 0.72, 4: 1.0}

_SUP_CALIBRATED = tuple(PUBLISHED)
_AREAS = tuple(
    c.name.removeprefix("tasks_planned_")
    for c in REPORT_KINDS["supervision"].columns
    if c.name.startswith("tasks_planned_")
)


@dataclass(frozen=True)
class Injected:
    """A deliberately bad (or wrong) report written into the sample."""

    period: str
    kind: str
    unit_code: str
    problem: str  # the contract reason code it should produce, or "superseded"
    file: str  # path relative to ``out``
    corrected_by: str | None = None  # file holding the corrected resubmission


@dataclass
class SampleStats:
    out: Path
    periods: list[str]
    skipped_periods: list[str] = field(default_factory=list)
    files: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REPORT_KINDS, 0))
    formats: dict[str, int] = field(default_factory=dict)
    injected: list[Injected] = field(default_factory=list)
    seconds: float = 0.0


# ---------------------------------------------------------------------------------
# unit base figures


@dataclass
class _Unit:
    code: str
    name: str
    level: str
    kind: str
    parent: str | None
    strength: float  # 0.3 … 1.0: how well the unit does its party work
    sup: dict[str, int]  # calibrated supervision figures at 2016Q4
    econ: dict[str, float]  # county: annual 2016 figures; village: annual collective income


def _rng(*key: object) -> random.Random:
    return random.Random("|".join(str(k) for k in key))


def _raw_sup(u: _Unit, r: random.Random) -> dict[str, float]:
    if u.level == "county":
        return {
            "party_orgs": r.uniform(350, 650),
            "party_members": r.uniform(6000, 11000),
            "grid_branches": 0,
            "building_groups": 0,
            "central_households": 0,
            "prosperity_communities": r.uniform(10, 30),
            "contact_points": r.uniform(15, 25),
        }
    if u.level == "township":
        return {
            "party_orgs": r.uniform(30, 70),
            "party_members": r.uniform(700, 1500),
            "grid_branches": 0,
            "building_groups": 0,
            "central_households": r.uniform(0, 6),
            "prosperity_communities": r.uniform(2, 8),
            "contact_points": r.uniform(0.5, 1.5),
        }
    community = u.kind == "community"
    return {
        "party_orgs": r.uniform(6, 10),
        "party_members": r.uniform(150, 310),
        "grid_branches": r.uniform(4, 10) if community else 0,
        "building_groups": r.uniform(8, 17) if community else 0,
        "central_households": r.uniform(0, 3) if community else r.uniform(1, 5),
        "prosperity_communities": r.uniform(0, 1.5) if community else r.uniform(0.5, 2.5),
        "contact_points": 0,
    }


def _largest_remainder(raw: list[float], total: int) -> list[int]:
    s = sum(raw)
    if s <= 0:
        return [0] * len(raw)
    exact = [x * total / s for x in raw]
    out = [math.floor(x) for x in exact]
    order = sorted(range(len(raw)), key=lambda i: (-(exact[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _units(registry: pl.DataFrame, seed: int) -> dict[str, _Unit]:
    """Every registry unit with its base figures; Nantong's 2016Q4 ones calibrated."""
    units: dict[str, _Unit] = {}
    raws: dict[str, dict[str, float]] = {}
    for row in registry.sort("unit_code").iter_rows(named=True):
        code = row["unit_code"]
        r = _rng(seed, "unit", code)
        u = _Unit(code, row["name"], row["level"], row["kind"], row["parent_code"], 0.0, {}, {})
        u.strength = min(1.0, max(0.3, r.gauss(0.8, 0.15)))
        raw = _raw_sup(u, r)
        raws[code] = raw
        u.sup = {k: round(v) for k, v in raw.items()}
        if u.level == "county":
            fixed = COUNTY_2016.get(code)
            if fixed is None:  # synthetic (province) county or a later successor
                gdp = round(r.uniform(300, 1500) * 4) / 4
                fixed = {
                    "gdp": gdp,
                    "gdp_growth_pct": round(r.uniform(7.0, 10.5), 1),
                    "savings_balance": round(gdp * r.uniform(1.1, 1.7) * 4) / 4,
                    "fiscal_revenue": round(gdp * r.uniform(0.06, 0.09) * 4) / 4,
                }
            u.econ = dict(fixed)
            u.econ["target"] = round(r.uniform(8.0, 9.5) * 2) / 2
            u.econ["income_growth_pct"] = round(r.uniform(8.0, 9.6), 1)
        elif u.level == "township":
            u.econ = {"target": round(r.uniform(7.5, 10.0) * 2) / 2}
        else:
            income = math.exp(r.gauss(math.log(55) + 0.6 * (u.strength - 0.8), 0.62))
            u.econ = {
                "collective_income": income,
                "target": round(income * r.uniform(1.0, 1.25) / 5 + 0.5) * 5,
            }
        units[code] = u
    base = valid_units(registry, BASE_PERIOD).filter(pl.col("unit_code").str.starts_with(NANTONG))
    codes = sorted(base["unit_code"].to_list())
    for key, total in PUBLISHED.items():
        for code, v in zip(
            codes, _largest_remainder([raws[c][key] for c in codes], total), strict=True
        ):
            units[code].sup[key] = v
    return units


# ---------------------------------------------------------------------------------
# report rows for one unit and period


def _submitted(period: str, r: random.Random, now: datetime) -> datetime:
    end = quarters.start_of(quarters.next_period(period))
    ts = end + timedelta(days=r.randint(0, 19), hours=r.randint(8, 18), minutes=r.randint(0, 59))
    return min(ts, now.replace(second=0, microsecond=0))


def _drift(period: str) -> int:
    return quarters.index(period) - quarters.index(BASE_PERIOD)


def _supervision(u: _Unit, period: str, seed: int, ts: datetime) -> dict[str, Any]:
    r = _rng(seed, "sup", period, u.code)
    exact = period == BASE_PERIOD
    row: dict[str, Any] = {"unit_code": u.code, "period": period, "submitted_at": ts}
    for key in ("party_orgs", "party_members", *_SUP_CALIBRATED[2:]):
        v = u.sup[key]
        if not exact and v:
            v = max(0, round(v * (1 + 0.004 * _drift(period) + r.gauss(0, 0.015))))
        row[key] = v
    # keep the canonical column order
    ordered: dict[str, Any] = {}
    s = u.strength
    extra = {
        "new_members": round(row["party_members"] * r.uniform(0.002, 0.012)),
        "supervisions_held": 0
        if r.random() < 0.25 * (1 - s)
        else r.randint(1, 4 if u.level != "village" else 2),
        "theme_days_planned": 3 if r.random() < 0.9 else r.choice((0, 2, 4)),
    }
    extra["theme_days_held"] = min(
        extra["theme_days_planned"],
        max(0, round(extra["theme_days_planned"] * min(1, s + r.gauss(0, 0.15)))),
    )
    extra["list_published"] = r.random() < 0.45 + 0.55 * s
    for area in _AREAS:
        planned = r.randint(2, 6) if u.level == "village" else r.randint(4, 12)
        extra[f"tasks_planned_{area}"] = planned
        extra[f"tasks_done_{area}"] = min(
            planned, max(0, round(planned * min(1.0, s + r.gauss(0.05, 0.2))))
        )
    row |= extra
    for c in REPORT_KINDS["supervision"].columns:
        ordered[c.name] = row[c.name]
    return ordered


def _economy(u: _Unit, period: str, seed: int, ts: datetime) -> dict[str, Any]:
    r = _rng(seed, "eco", period, u.code)
    q = quarters.quarter_number(period)
    year = int(period[:4])
    exact = period == BASE_PERIOD
    row: dict[str, Any] = {"unit_code": u.code, "period": period, "submitted_at": ts}
    if u.level == "county":
        e = u.econ
        yr = _rng(seed, "eco-year", year, u.code)
        g_year = (
            e["gdp_growth_pct"]
            if year == 2016
            else round(e["gdp_growth_pct"] + yr.gauss(-0.3, 0.4), 1)
        )
        scale = (1 + e["gdp_growth_pct"] / 100) ** (year - 2016)
        share = YTD_SHARE[q] if exact else YTD_SHARE[q] * (1 + r.gauss(0, 0.01))
        row["growth_target_pct"] = e["target"]
        row["gdp"] = e["gdp"] if exact else round(e["gdp"] * scale * share, 2)
        row["gdp_growth_pct"] = g_year if exact or q == 4 else round(g_year + r.gauss(0, 0.3), 1)
        row["fiscal_revenue"] = round(e["fiscal_revenue"] * scale * share, 2)
        savings = e["savings_balance"] * (
            1 + 0.025 * _drift(period) + (0 if exact else r.gauss(0, 0.005))
        )
        row["savings_balance"] = e["savings_balance"] if exact else round(savings, 2)
        row["income_growth_pct"] = round(e["income_growth_pct"] + r.gauss(0, 0.3), 1)
    elif u.level == "township":
        row["growth_target_pct"] = u.econ["target"]
        row["gdp_growth_pct"] = round(
            min(30, max(-15, r.gauss(8.6 + 3 * (u.strength - 0.8), 2.5))), 1
        )
        row["income_growth_pct"] = round(min(20, max(-5, r.gauss(8.4, 1.4))), 1)
    else:
        annual = u.econ["collective_income"] * (1.06 ** (year - 2016)) * (1 + r.gauss(0, 0.03))
        share = YTD_SHARE[q] * (1 + (0 if q == 4 else r.gauss(0, 0.05)))
        row["collective_income"] = round(annual * share, 2)
        row["collective_income_target"] = u.econ["target"]
    return row


_TOPICS = (
    "党建引领乡村振兴",
    "红色网格服务",
    "党群服务中心提升",
    "高标准农田建设",
    "村企联建共富",
    "老旧小区改造",
    "特色农业产业园",
    "邻里中心建设",
    "江海先锋驿站",
    "智慧社区建设",
    "河道整治",
    "标准厂房建设",
    "家庭农场培育",
    "电商服务站",
    "养老服务中心",
    "文化礼堂建设",
)


def _projects(
    u: _Unit, period: str, seed: int, ts: datetime, n_secretary: int, n_other: int
) -> list[dict[str, Any]]:
    year = int(period[:4])
    q = quarters.quarter_number(period)
    rows: list[dict[str, Any]] = []
    types = ["secretary"] * n_secretary + [
        "industrial" if i % 2 == 0 else "livelihood" for i in range(n_other)
    ]
    scale = {"county": (5000, 50000), "township": (500, 6000), "village": (20, 300)}[u.level]
    for i, ptype in enumerate(types):
        pr = _rng(seed, "proj", year, u.code, i)  # stable over the quarters of a year
        qr = _rng(seed, "projq", period, u.code, i)
        prefix = {"secretary": "SJ", "industrial": "CY", "livelihood": "FM"}[ptype]
        planned = round(pr.uniform(*scale), 1)
        start = pr.uniform(0, 30)
        speed = pr.uniform(12, 30) * (0.6 + 0.5 * u.strength)
        progress = round(min(100.0, max(0.0, start + speed * q + qr.gauss(0, 3))), 1)
        suspended = pr.random() < 0.03
        if suspended:
            status = "suspended"
        elif progress <= 0:
            status = "planned"
        elif progress >= 100:
            status = "completed" if pr.random() < 0.5 else "in_production"
        else:
            status = (
                "under_construction" if ptype != "industrial" or progress < 80 else "in_production"
            )
        completed = round(min(planned, planned * progress / 100 * qr.uniform(0.85, 1.05)), 1)
        rows.append(
            {
                "unit_code": u.code,
                "period": period,
                "submitted_at": ts,
                "project_id": f"{prefix}{year}-{i + 1:02d}",
                "project_type": ptype,
                "name": f"{u.name}{_TOPICS[pr.randrange(len(_TOPICS))]}项目",
                "planned_investment": planned,
                "completed_investment": completed,
                "progress_pct": progress,
                "status": status,
                "party_org_established": pr.random() < 0.5 + 0.4 * u.strength,
                "party_members": pr.randint(0, 30) if u.level != "village" else pr.randint(0, 8),
            }
        )
    return rows


# ---------------------------------------------------------------------------------
# file writing


@dataclass
class _Style:
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


def _style(r: random.Random, province: bool = False) -> _Style:
    fmt = r.choices(
        ("xlsx", "csv-utf8", "csv-bom", "csv-gb18030", "json-array", "json-rows"),
        weights=(30, 22, 14, 12, 12, 10),
    )[0]
    return _Style(
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


def _header(c: Column, style: _Style) -> str:
    if style.header == "en":
        return c.name
    if style.header == "zh-fullwidth":
        return c.zh.replace("(", "（").replace(")", "）")
    return c.zh


def _num_text(v: float | int, thousands: bool) -> str:
    if isinstance(v, int):
        return f"{v:,}" if thousands else str(v)
    text = f"{v:,.2f}" if thousands else f"{v:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _columns(kind: ReportKind, rows: list[dict[str, Any]], style: _Style) -> list[Column]:
    if style.full_template:
        return list(kind.columns)
    present = {k for row in rows for k, v in row.items() if v is not None}
    # a file must carry every required header, even where its units leave it blank
    return [c for c in kind.columns if c.name in present or c.name in kind.required_names]


def _cell(c: Column, v: Any, style: _Style, text: bool) -> Any:
    """A value as the file holds it: text (csv, or ``text``) or a native value."""
    if v is None:
        return None
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


@dataclass
class _File:
    rel: str
    kind: str
    rows: list[dict[str, Any]]
    style: _Style
    duplicate_row: int | None = None  # index of a row written twice


def _render(f: _File) -> bytes:
    kind = REPORT_KINDS[f.kind]
    st = f.style
    cols = _columns(kind, f.rows, st)
    rows = list(f.rows)
    if f.duplicate_row is not None:
        rows.insert(f.duplicate_row + 1, rows[f.duplicate_row])
    headers = [_header(c, st) for c in cols] + (["备注"] if st.remark else [])
    if st.ext == "csv":
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
    if st.ext == "json":
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
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
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


def _write_batch(out: str, files: list[_File]) -> list[tuple[str, int]]:
    written = []
    for f in files:
        path = Path(out) / f.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = _render(f)
        path.write_bytes(data)
        written.append((f.style.fmt, len(data)))
    return written


# ---------------------------------------------------------------------------------
# planning one period


class _Plan:
    def __init__(self, seed: int, period: str, province: bool, now: datetime) -> None:
        self.seed, self.period, self.province, self.now = seed, period, province, now
        self.files: list[_File] = []
        self.injected: list[Injected] = []

    def style(self, *key: object) -> _Style:
        return _style(_rng(self.seed, "style", self.period, *key), self.province)

    def name(self, kind: str, key: str, st: _Style, suffix: str = "") -> str:
        stems = REPORT_KINDS[kind].stems
        return f"{stems[1] if st.zh_prefix else stems[0]}_{key}_{self.period}{suffix}.{st.ext}"

    def add(
        self, folder: str, kind: str, key: str, rows: list[dict[str, Any]], suffix: str = ""
    ) -> _File:
        st = self.style(kind, key, suffix)
        f = _File(f"{self.period}/{folder}/{self.name(kind, key, st, suffix)}", kind, rows, st)
        self.files.append(f)
        return f


def _secretary_villages(
    units: dict[str, _Unit], valid: list[str], seed: int, period: str
) -> set[str]:
    """Villages with a secretary project: exactly 51 in Nantong 2016Q4, about that otherwise."""
    year = period[:4]
    by_city: dict[str, list[str]] = {}
    for code in valid:
        if units[code].level == "village":
            by_city.setdefault(code[:4], []).append(code)
    chosen: set[str] = set()
    for city, codes in sorted(by_city.items()):
        order = sorted(codes, key=lambda c: (_rng(seed, "secv", year, c).random(), c))
        if city == NANTONG and period == BASE_PERIOD:
            n_county = sum(1 for c in valid if c.startswith(city) and units[c].level == "county")
            n_town = sum(1 for c in valid if c.startswith(city) and units[c].level == "township")
            n = (
                SECRETARY_PROJECTS_2016Q4
                - SECRETARY_PER_COUNTY * n_county
                - SECRETARY_PER_TOWNSHIP * n_town
            )
        else:
            n = round(len(codes) * 0.028 * (1 + 0.02 * quarters.quarter_number(period))) + _rng(
                seed, "secn", period, city
            ).randint(-3, 3)
        chosen.update(order[: max(0, n)])
    return chosen


def _plan_period(
    units: dict[str, _Unit],
    valid: list[str],
    seed: int,
    period: str,
    province: bool,
    now: datetime,
    per_unit: bool = False,
) -> _Plan:
    plan = _Plan(seed, period, province, now)
    sec_villages = _secretary_villages(units, valid, seed, period)
    children: dict[str, list[str]] = {}
    for code in valid:
        p = units[code].parent
        if p is not None:
            children.setdefault(p, []).append(code)
    ts_of = {code: _submitted(period, _rng(seed, "ts", period, code), now) for code in valid}

    def reports(code: str) -> dict[str, list[dict[str, Any]]]:
        u = units[code]
        ts = ts_of[code]
        r = _rng(seed, "nproj", period[:4], code)
        if u.level == "county":
            n_sec, n_other = SECRETARY_PER_COUNTY, r.randint(2, 5)
        elif u.level == "township":
            n_sec, n_other = SECRETARY_PER_TOWNSHIP, r.randint(1, 3)
        else:
            n_sec = 1 if code in sec_villages else 0
            n_other = 1 if r.random() < 0.08 + 0.4 * n_sec else 0
            if per_unit and n_sec + n_other == 0:
                n_other = 1
        return {
            "supervision": [_supervision(u, period, seed, ts)],
            "projects": _projects(u, period, seed, ts, n_sec, n_other),
            "economy": [_economy(u, period, seed, ts)],
        }

    counties = sorted(c for c in valid if units[c].level == "county")
    for county in counties:
        for kind, rows in reports(county).items():
            if rows:
                plan.add(f"{county}/county", kind, county, rows)
        for town in sorted(children.get(county, [])):
            folder = f"{county}/{town}"
            for kind, rows in reports(town).items():
                if rows:
                    plan.add(folder, kind, town, rows)
            villages = sorted(children.get(town, []))
            grouped = not per_unit and (
                province or _rng(seed, "group", period, town).random() < 0.2
            )
            per_kind: dict[str, list[dict[str, Any]]] = {k: [] for k in REPORT_KINDS}
            for v in villages:
                for kind, rows in reports(v).items():
                    if not rows:
                        continue
                    if grouped:
                        per_kind[kind].extend(rows)
                    else:
                        plan.add(folder, kind, v, rows)
            if grouped:
                for kind, rows in per_kind.items():
                    if rows:
                        plan.add(folder, kind, f"{town}_村社区", rows)
    _inject(plan, units)
    return plan


# ---------------------------------------------------------------------------------
# bad input


def _find(
    plan: _Plan,
    kind: str,
    level: str,
    units: dict[str, _Unit],
    r: random.Random,
    grouped: bool | None = None,
    nantong: bool = True,
) -> _File | None:
    cands = [
        f
        for f in plan.files
        if f.kind == kind
        and units[f.rows[0]["unit_code"]].level == level
        and (grouped is None or (len({x["unit_code"] for x in f.rows}) > 1) == grouped)
        and (not nantong or f.rows[0]["unit_code"].startswith(NANTONG))
    ]
    return r.choice(cands) if cands else None


def _correct(plan: _Plan, f: _File, code: str, good: list[dict[str, Any]], problem: str) -> None:
    """Resubmit ``code``'s report from ``f`` correctly, two days later, in another file."""
    later = [dict(x, submitted_at=x["submitted_at"] + timedelta(days=2, hours=3)) for x in good]
    later = [dict(x, submitted_at=min(x["submitted_at"], plan.now)) for x in later]
    folder = f.rel.rsplit("/", 1)[0].split("/", 1)[1]
    fix = plan.add(folder, f.kind, code, later, suffix="_更正")
    plan.injected.append(Injected(plan.period, f.kind, code, problem, f.rel, fix.rel))


def _inject(plan: _Plan, units: dict[str, _Unit]) -> None:
    r = _rng(plan.seed, "inject", plan.period)
    if plan.period == BASE_PERIOD:
        # 1. a village's supervision with done > planned, then corrected
        f = _find(plan, "supervision", "village", units, r)
        if f is not None:
            i = r.randrange(len(f.rows))
            good = dict(f.rows[i])
            bad = dict(good)
            bad["tasks_done_care"] = bad["tasks_planned_care"] + 2
            f.rows[i] = bad
            _correct(plan, f, good["unit_code"], [good], "inconsistent")
        # 2. a county's economy with GDP typed ten times too large (valid), then corrected
        f = _find(plan, "economy", "county", units, r)
        if f is not None:
            good = dict(f.rows[0])
            f.rows[0] = dict(good, gdp=good["gdp"] * 10)
            _correct(plan, f, good["unit_code"], [good], "superseded")
        # 3. a township's projects with a phone number in a name, then corrected
        f = _find(plan, "projects", "township", units, r)
        if f is not None:
            good_rows = [dict(x) for x in f.rows]
            f.rows[0] = dict(
                f.rows[0], name=f"{f.rows[0]['name']}（联系人 139{r.randint(10**7, 10**8 - 1)}）"
            )
            _correct(plan, f, good_rows[0]["unit_code"], good_rows, "pii")
        # 4. a township's supervision with a mistyped member count (valid), then corrected
        f = _find(plan, "supervision", "township", units, r)
        if f is not None:
            good = dict(f.rows[0])
            f.rows[0] = dict(good, party_members=good["party_members"] * 10 + 7)
            _correct(plan, f, good["unit_code"], [good], "superseded")
        return

    def record(f: _File, code: str, problem: str) -> None:
        plan.injected.append(Injected(plan.period, f.kind, code, problem, f.rel))

    f = _find(plan, "supervision", "village", units, r, grouped=False, nantong=False)
    if f is not None:
        f.rows[0] = dict(f.rows[0], tasks_done_service=f.rows[0]["tasks_planned_service"] + 1)
        record(f, f.rows[0]["unit_code"], "inconsistent")
    f = _find(plan, "projects", "township", units, r, nantong=False)
    if f is not None:
        f.rows[-1] = dict(
            f.rows[-1],
            name=f"{f.rows[-1]['name']} 联系电话13{r.randint(5, 9)}{r.randint(10**7, 10**8 - 1)}",
        )
        record(f, f.rows[-1]["unit_code"], "pii")
    f = _find(plan, "supervision", "village", units, r, grouped=True, nantong=False)
    if f is None:
        f = _find(plan, "supervision", "village", units, r, nantong=False)
    if f is not None:
        f.duplicate_row = r.randrange(len(f.rows))
        record(f, f.rows[f.duplicate_row]["unit_code"], "duplicate_in_file")
    f = _find(plan, "economy", "village", units, r, nantong=False)
    if f is not None:
        code = f.rows[0]["unit_code"][:9] + "899"
        f.rows.append(dict(f.rows[0], unit_code=code))
        record(f, code, "unknown_unit")
    f = _find(plan, "economy", "township", units, r, nantong=False)
    if f is not None:
        f.rows[0] = dict(f.rows[0], gdp_growth_pct=f.rows[0]["gdp_growth_pct"] + 60)
        record(f, f.rows[0]["unit_code"], "out_of_range")


# ---------------------------------------------------------------------------------
# entry point


def write_sample(
    out: Path,
    periods: Sequence[str],
    seed: int = 2017,
    scale: str = "city",
    registry: pl.DataFrame | None = None,
    *,
    now: datetime | None = None,
    per_unit: bool = False,
) -> SampleStats:
    """Write sample report files for ``periods`` under ``out`` (see the module docstring).

    ``per_unit=True`` writes one file per unit per kind (villages are never grouped,
    and every village also reports one project), as a city whose every unit files all
    three reports: about 5,800 files per city quarter. Used by ``benchmarks``.

    ``now`` (default: the real now) decides which quarters have ended: later ones are
    skipped and listed in ``skipped_periods``. Files are written serially: a process
    pool measured slower (creating files, not rendering them, dominates).
    """
    t0 = time.perf_counter()
    if scale not in ("city", "province"):
        raise ValueError(f"unknown scale {scale!r} (city or province)")
    reg = (
        registry
        if registry is not None
        else load_registry("province" if scale == "province" else "city")
    )
    now = now or datetime.now()
    wanted = [quarters.parse_period(p) for p in periods]
    stats = SampleStats(out=Path(out), periods=[])
    units = _units(reg, seed)
    plans: list[_Plan] = []
    for p in wanted:
        if quarters.start_of(quarters.next_period(p)) > now:
            stats.skipped_periods.append(p)
            continue
        stats.periods.append(p)
        valid = sorted(valid_units(reg, p)["unit_code"].to_list())
        plans.append(_plan_period(units, valid, seed, p, scale == "province", now, per_unit))
    files = [f for plan in plans for f in plan.files]
    for plan in plans:
        stats.injected.extend(plan.injected)
    for f in files:
        stats.rows[f.kind] += len(f.rows) + (1 if f.duplicate_row is not None else 0)
    results = _write_batch(str(out), files)
    for fmt, _size in results:
        stats.formats[fmt] = stats.formats.get(fmt, 0) + 1
    stats.files = len(results)
    stats.seconds = time.perf_counter() - t0
    return stats
