"""Build ``warehouse/data/units.csv``, the Nantong unit registry (CONTRACT §1).

Deterministic and not needed at run time: ``python -m synthetic.registry_build``
rewrites the committed CSV byte for byte.

What is real and what is made up (column ``synthetic``):

* County-level rows carry the real statistical codes and names, with the real later
  changes: 海安县 became 海安市 (320685) from 2018Q1, 港闸区 merged into 崇川区 after
  2020Q2, 海门市 became 海门区 (320614) from 2020Q3. 南通经济技术开发区 (320671) is valid
  from 2017Q1. These rows are ``synthetic=false``.
* Township rows: the per-county counts of streets / towns / other bodies follow the 2016
  statistical codes (127 in all). Names are real where known, but the 3-digit township
  codes are assigned in order (streets 001…, towns 100…, others 400…), not copied from
  the official list, so every township row is marked ``synthetic=true``.
* Village rows (村 and 社区) are generated: 229 communities under the 21 streets, the
  rest villages, 1,800 in 2016; all ``synthetic=true``.
* When a county-level unit ends, its children end with it; the successor gets copies
  of them under its own code (valid from the next quarter).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path

from warehouse.registry import COLUMNS

# (code6, name, kind, valid_from, valid_to)
COUNTIES: tuple[tuple[str, str, str, str, str], ...] = (
    ("320602", "崇川区", "district", "", ""),
    ("320611", "港闸区", "district", "", "2020Q2"),
    ("320612", "通州区", "district", "", ""),
    ("320621", "海安县", "county", "", "2017Q4"),
    ("320623", "如东县", "county", "", ""),
    ("320681", "启东市", "city", "", ""),
    ("320682", "如皋市", "city", "", ""),
    ("320684", "海门市", "city", "", "2020Q2"),
    ("320671", "南通经济技术开发区", "zone", "2017Q1", ""),
    # successors
    ("320685", "海安市", "city", "2018Q1", ""),
    ("320614", "海门区", "district", "2020Q3", ""),
)

# Township-level units of 2016: streets, towns, other bodies (farms, parks, zones).
# Lists shorter than the count are completed with generated names.
TOWNSHIPS: dict[
    str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[int, int, int]]
] = {
    "320602": (
        (
            "城东街道",
            "和平桥街道",
            "任港街道",
            "新城桥街道",
            "虹桥街道",
            "学田街道",
            "钟秀街道",
            "文峰街道",
            "观音山街道",
            "狼山镇街道",
        ),
        (),
        ("崇川经济开发区",),
        (10, 0, 1),
    ),
    "320611": (
        ("唐闸镇街道", "天生港镇街道", "秦灶街道", "陈桥街道", "永兴街道", "幸福街道"),
        (),
        ("港闸经济开发区",),
        (6, 0, 1),
    ),
    "320612": (
        ("金沙街道", "金新街道", "先锋街道", "兴东街道"),
        (
            "兴仁镇",
            "石港镇",
            "刘桥镇",
            "平潮镇",
            "平东镇",
            "五接镇",
            "十总镇",
            "骑岸镇",
            "东社镇",
            "三余镇",
            "西亭镇",
            "二甲镇",
        ),
        ("南通高新技术产业开发区",),
        (4, 12, 1),
    ),
    "320621": (
        (),
        (
            "海安镇",
            "城东镇",
            "曲塘镇",
            "李堡镇",
            "角斜镇",
            "大公镇",
            "雅周镇",
            "白甸镇",
            "南莫镇",
            "墩头镇",
        ),
        ("海安经济技术开发区",),
        (0, 10, 1),
    ),
    "320623": (
        (),
        (
            "掘港镇",
            "马塘镇",
            "栟茶镇",
            "洋口镇",
            "苴镇",
            "长沙镇",
            "大豫镇",
            "岔河镇",
            "双甸镇",
            "新店镇",
            "河口镇",
            "袁庄镇",
            "丰利镇",
            "曹埠镇",
        ),
        ("如东经济开发区", "洋口港经济开发区", "如东沿海经济开发区"),
        (0, 14, 6),
    ),
    "320681": (
        (),
        ("汇龙镇", "南阳镇", "北新镇", "王鲍镇", "合作镇", "海复镇", "近海镇", "吕四港镇"),
        ("启东经济开发区", "吕四港经济开发区", "启东滨海工业园", "启隆生态科技产业园"),
        (0, 8, 8),
    ),
    "320682": (
        ("如城街道",),
        (
            "白蒲镇",
            "下原镇",
            "九华镇",
            "石庄镇",
            "长江镇",
            "吴窑镇",
            "江安镇",
            "磨头镇",
            "搬经镇",
            "林梓镇",
            "丁堰镇",
        ),
        ("如皋经济技术开发区", "如皋高新技术产业开发区", "如皋港区"),
        (1, 11, 10),
    ),
    "320684": (
        (),
        ("海门镇", "三厂镇", "常乐镇", "悦来镇", "四甲镇", "余东镇"),
        ("海门经济技术开发区", "海门工业园区", "海门临江新区"),
        (0, 6, 17),
    ),
    # 开发区 from 2017Q1 (not part of the 127 of 2016)
    "320671": (("竹行街道", "小海街道", "中兴街道"), (), (), (3, 0, 0)),
}

# Communities (社区) per street, by county; 229 in all.
COMMUNITIES_PER_COUNTY = {"320602": 110, "320611": 54, "320612": 48, "320682": 17}
TOTAL_VILLAGES_2016 = 1800  # villages + communities

ZONE = "320671"  # 南通经济技术开发区, from 2017Q1: not part of the 2016 counts

# (old code6, successor code6, township code offsets by kind, successor valid from)
SUCCESSORS: tuple[tuple[str, str, dict[str, int], str], ...] = (
    ("320621", "320685", {}, "2018Q1"),
    ("320684", "320614", {}, "2020Q3"),
    # 港闸 streets follow 崇川's 10 streets; its park follows 崇川's one.
    ("320611", "320602", {"street": 10, "farm": 1}, "2020Q3"),
)

_OTHER_SUFFIXES = (
    "现代农业园区",
    "生态农场",
    "科技产业园",
    "物流园区",
    "商贸园区",
    "滨江新区",
    "旅游度假区",
    "新材料产业园",
    "港口产业园",
    "文化创意园",
    "软件园",
    "食品产业园",
    "装备制造园",
    "综合保税区",
    "健康产业园",
    "电子信息产业园",
    "农业示范园",
)
_VILLAGE_WORDS = (
    "新河",
    "东升",
    "永安",
    "丰收",
    "红星",
    "兴隆",
    "太平",
    "长青",
    "光明",
    "和平",
    "幸福",
    "富民",
    "联合",
    "团结",
    "海滨",
    "江海",
    "仁和",
    "德胜",
    "福田",
    "瑞丰",
    "同心",
    "启明",
    "金桥",
    "银杏",
    "桂花",
    "荷花",
    "柳港",
    "双桥",
    "三元",
    "四海",
    "五星",
    "六合",
    "七里",
    "八角",
    "九圣",
    "十里",
    "南港",
    "北闸",
    "西场",
    "东灶",
)
_COMMUNITY_WORDS = (
    "花园",
    "新村",
    "翠园",
    "学府",
    "滨河",
    "文昌",
    "桃园",
    "紫琅",
    "濠西",
    "钟楼",
    "北大街",
    "青年",
    "工农",
    "跃龙",
    "园林",
    "海港",
    "虹桥",
    "城南",
    "城北",
    "星湖",
)


@dataclass
class Row:
    unit_code: str
    name: str
    level: str
    kind: str
    parent_code: str
    valid_from: str
    valid_to: str
    synthetic: bool

    def cells(self) -> tuple[str, ...]:
        return (
            self.unit_code,
            self.name,
            self.level,
            self.kind,
            self.parent_code,
            self.valid_from,
            self.valid_to,
            "true" if self.synthetic else "false",
        )


def build_rows(seed: int = 2016) -> list[Row]:
    """Every unit, sorted by code. One generator, drawn from in this order throughout."""
    rng = random.Random(seed)
    counties = {code6: _county_row(code6, *rest) for code6, *rest in COUNTIES}
    townships = {c: _township_rows(counties[c], *spec) for c, spec in TOWNSHIPS.items()}
    rows = [*counties.values(), *(t for ts in townships.values() for t in ts)]
    rows += _village_rows(rng, townships)
    rows += _successor_rows(rows)
    codes = [r.unit_code for r in rows]
    assert len(codes) == len(set(codes)), "duplicate unit codes"
    rows.sort(key=lambda r: r.unit_code)
    return rows


def _county_row(code6: str, name: str, kind: str, valid_from: str, valid_to: str) -> Row:
    return Row(code6 + "000000", name, "county", kind, "", valid_from, valid_to, False)


def _township_rows(
    county: Row,
    street_names: tuple[str, ...],
    town_names: tuple[str, ...],
    other_names: tuple[str, ...],
    counts: tuple[int, int, int],
) -> list[Row]:
    """Streets numbered from 001, towns from 100, other bodies from 400; valid as the county."""
    code6 = county.unit_code[:6]
    short = county.name[:-1] if len(county.name) <= 3 else county.name[:2]
    groups = (
        ("street", street_names, 1, "街道"),
        ("town", town_names, 100, "镇"),
        ("farm", other_names, 400, ""),
    )
    rows = []
    for (kind, names, start, suffix), n in zip(groups, counts, strict=True):
        for i in range(n):
            if i < len(names):
                name = names[i]
            elif kind == "farm":
                name = short + _OTHER_SUFFIXES[i % len(_OTHER_SUFFIXES)]
            else:
                name = f"{short}第{i + 1}{suffix}"
            code = f"{code6}{start + i:03d}000"
            rows.append(
                Row(
                    code,
                    name,
                    "township",
                    kind,
                    county.unit_code,
                    county.valid_from,
                    county.valid_to,
                    True,
                )
            )
    return rows


def _village_rows(rng: random.Random, townships: dict[str, list[Row]]) -> list[Row]:
    """The villages and communities of 2016, then those of the 开发区 (from 2017Q1)."""
    base_counties = [c for c in TOWNSHIPS if c != ZONE]
    communities = _communities_per_street(rng, townships, base_counties)
    villages = _villages_per_township(rng, townships, base_counties)
    rows = []
    for c in base_counties:
        for t in townships[c]:
            rows += _children(rng, t, communities.get(t.unit_code, 0), villages[t.unit_code])
    # 开发区 streets from 2017Q1: a few villages each (kind village, so the 229 stay 229).
    for t in townships[ZONE]:
        rows += _children(rng, t, 0, rng.randint(3, 6))
    return rows


def _communities_per_street(
    rng: random.Random, townships: dict[str, list[Row]], base_counties: list[str]
) -> dict[str, int]:
    """Each county's communities (COMMUNITIES_PER_COUNTY) shared among its streets."""
    assert sum(COMMUNITIES_PER_COUNTY.get(c, 0) for c in base_counties) == 229
    per_street: dict[str, int] = {}
    for c in base_counties:
        streets = [t for t in townships[c] if t.kind == "street"]
        if streets:
            shares = _distribute(rng, COMMUNITIES_PER_COUNTY.get(c, 0), len(streets), 5, 20)
            for t, k in zip(streets, shares, strict=True):
                per_street[t.unit_code] = k
    return per_street


def _villages_per_township(
    rng: random.Random, townships: dict[str, list[Row]], base_counties: list[str]
) -> dict[str, int]:
    """Streets outside 崇川 have a few villages, farms a few, towns the rest of the 1,800."""
    per_township: dict[str, int] = {}
    for c in base_counties:
        for t in townships[c]:
            if t.kind == "street":
                per_township[t.unit_code] = 0 if c == "320602" else rng.randint(2, 8)
            elif t.kind == "farm":
                per_township[t.unit_code] = rng.choice((0, 0, 1, 2, 3, 4, 5))
    towns = [t for c in base_counties for t in townships[c] if t.kind == "town"]
    rest = TOTAL_VILLAGES_2016 - 229 - sum(per_township.values())
    for t, k in zip(towns, _distribute(rng, rest, len(towns), 15, 32), strict=True):
        per_township[t.unit_code] = k
    return per_township


def _children(rng: random.Random, t: Row, n_communities: int, n_villages: int) -> list[Row]:
    """Township ``t``'s communities (codes 001…) and villages (codes 200…), valid as it is."""
    rows = []
    cnames = _village_names(rng, t.name, n_communities, _COMMUNITY_WORDS, "社区")
    for i, name in enumerate(cnames):
        code = t.unit_code[:9] + f"{i + 1:03d}"
        rows.append(
            Row(code, name, "village", "community", t.unit_code, t.valid_from, t.valid_to, True)
        )
    vnames = _village_names(rng, t.name, n_villages, _VILLAGE_WORDS, "村")
    for i, name in enumerate(vnames):
        code = t.unit_code[:9] + f"{200 + i:03d}"
        rows.append(
            Row(code, name, "village", "village", t.unit_code, t.valid_from, t.valid_to, True)
        )
    return rows


def _successor_rows(rows: list[Row]) -> list[Row]:
    """Copies of each ended county's townships and villages under its successor's code."""
    township_kind = {r.unit_code: r.kind for r in rows if r.level == "township"}
    return [
        _successor(r, new6, offsets, valid_from, township_kind)
        for old6, new6, offsets, valid_from in SUCCESSORS
        for r in rows
        if r.unit_code.startswith(old6) and r.level != "county"
    ]


def _successor(
    r: Row, new6: str, offsets: dict[str, int], valid_from: str, township_kind: dict[str, str]
) -> Row:
    """``r`` under county ``new6``, its township code shifted by ``offsets`` of the kind."""
    kind = r.kind if r.level == "township" else township_kind[r.parent_code]
    t3 = int(r.unit_code[6:9]) + offsets.get(kind, 0)
    code = f"{new6}{t3:03d}{r.unit_code[9:]}"
    parent = new6 + "000000" if r.level == "township" else f"{new6}{t3:03d}000"
    return Row(code, r.name, r.level, r.kind, parent, valid_from, "", True)


def _village_names(
    rng: random.Random, township: str, n: int, words: tuple[str, ...], suffix: str
) -> list[str]:
    """``n`` distinct pleasant names within one township."""
    short = township.removesuffix("街道").removesuffix("镇")
    pool = [w + suffix for w in words] + [f"{short}{w}{suffix}" for w in words]
    rng.shuffle(pool)
    names = pool[:n]
    names += [f"{township}第{i}{suffix}" for i in range(len(names) + 1, n + 1)]
    return names


def _distribute(rng: random.Random, total: int, n: int, low: int, high: int) -> list[int]:
    """``n`` integers in [low, high] (roughly) summing to ``total``."""
    xs = [rng.randint(low, high) for _ in range(n)]
    i = 0
    while sum(xs) != total:
        j = i % n
        if sum(xs) < total:
            xs[j] += 1
        elif xs[j] > 1:
            xs[j] -= 1
        i += 7 if n % 7 else 1
    return xs


def render(rows: list[Row]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow(r.cells())
    return buf.getvalue()


def main() -> None:
    path = Path(__file__).resolve().parent.parent / "warehouse" / "data" / "units.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render(build_rows())
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path} ({text.count(chr(10)) - 1} units)")


if __name__ == "__main__":
    main()
