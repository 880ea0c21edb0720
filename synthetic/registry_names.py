"""The names and counts the Nantong unit registry is built from (:mod:`synthetic.registry_build`).

County-level codes and names are real; the township counts follow the 2016 statistical
codes; the village and community names are drawn from the word lists here, unique within
a township and repeating across townships about as often as real ones do (:data:`FIXED_NAMES`
keeps the few that tests and docs name).
"""

from __future__ import annotations

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

# Township-level units of 2016: streets, towns, other bodies (parks and zones, typed
# ``zone``; farms, typed ``farm``: :func:`township_kind`).
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
# villages + communities valid in 2016: "about 1,800 report" (CONTRACT §7), and more than
# 1,800 of them had published their task lists by the year's end (§10), which the sample
# draws quarter by quarter (synthetic.reports.list_published) rather than forcing.
TOTAL_VILLAGES_2016 = 1836

ZONE = "320671"  # 南通经济技术开发区, from 2017Q1: not part of the 2016 counts

# (old code6, successor code6, township code offsets by kind, successor valid from)
SUCCESSORS: tuple[tuple[str, str, dict[str, int], str], ...] = (
    ("320621", "320685", {}, "2018Q1"),
    ("320684", "320614", {}, "2020Q3"),
    # 港闸 streets follow 崇川's 10 streets; its park follows 崇川's one.
    ("320611", "320602", {"street": 10, "zone": 1}, "2020Q3"),
)

# Other names a unit goes by in filers' files (column ``aliases``, ``|``-separated): a
# short name, the name with its county's in front, the name before a change of status.
ALIASES = {
    "320602000000": "崇川",
    "320671000000": "南通开发区|南通经济开发区",
    "320685000000": "海安县",  # 海安市 was 海安县 until 2017Q4
    "320614000000": "海门市",  # 海门区 was 海门市 until 2020Q2
    "320623100000": "如东县掘港镇",
}

OTHER_SUFFIXES = (
    "现代农业园区",
    "科技产业园",
    "物流园区",
    "商贸园区",
    "生态农场",
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
VILLAGE_WORDS = (
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
COMMUNITY_WORDS = (
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
# Village names are also composed of a head and a tail character, as many of the coast's
# are (新港, 北灶, 三圩 …): with the words above they give a township a pool of about 1,500
# names, so a county of 300 villages repeats a name now and then, not every other.
NAME_HEADS = "东西南北新永长双三五大小兴和丰福金高安同联中红平石古万义凌朝先胜建盐海江丁何陈"
NAME_TAILS = "河桥港庄灶闸圩墩湾坝营埭沙洋堡园林塘场店泾洲渡乐星光华湖坊垛舍头口滩岸"
COMMUNITY_WORDS_MORE = (
    "春晖",
    "秋实",
    "阳光",
    "锦绣",
    "丽景",
    "金湾",
    "盛世",
    "友谊",
    "朝阳",
    "建设",
    "人民",
    "解放",
    "和睦",
    "长安",
    "东方",
    "银河",
    "明珠",
    "育才",
    "教育",
    "光华",
    "新苑",
    "紫薇",
    "芙蓉",
    "梧桐",
    "海棠",
    "玉兰",
    "百合",
    "兰亭",
    "秀水",
    "天虹",
)

# Names that tests, fixtures and docs refer to by code: kept whatever the draw.
FIXED_NAMES = {
    "320602001001": "城北社区",
    "320602001002": "城东跃龙社区",
    "320602001003": "城南社区",
    "320602002011": "学府社区",
    "320602003004": "学府社区",  # a name shared by two streets' communities (filers/owners)
    "320623100200": "瑞丰村",
    "320623100201": "北闸村",
    "320623100202": "掘港荷花村",
    "320623100203": "东灶村",
    "320623100207": "荷花村",
    "320682100203": "荷花村",  # and another township's (filers/owners: a shared name)
    "320623402200": "七里村",  # under 如东沿海经济开发区 (the portal's docs and tests)
}


def township_kind(name: str) -> str:
    """The kind of a township-level body other than a street or town, by its name
    (CONTRACT §1): a farm (农场) is ``farm``; parks, zones, ports and new districts
    (开发区, 园区, 产业园, 港区, 新区, 度假区, 保税区 …) are ``zone``."""
    return "farm" if name.endswith("农场") else "zone"
