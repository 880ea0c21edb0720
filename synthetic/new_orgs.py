"""The newly formed party organisations (新组建党组织) a unit reports, year to date.

Park-based ones (园区统筹型) at township-level units, business-district ones (商圈统筹型)
at streets, village–enterprise ones (村企统筹型) at villages. Nantong's units valid in
2016Q4 form exactly the published numbers in 2016 (:data:`NEW_ORGS_2016`, shared out by
:func:`calibrate_2016`); each quarter reports its share of the year so far. Drawn from
generators of their own, so no other figure of the sample changes.
"""

from __future__ import annotations

import math
import random

from synthetic.published import exact_count
from transforms import periods as quarters

NEW_ORGS_2016 = {
    key: exact_count(key)
    for key in ("new_park_orgs", "new_business_district_orgs", "new_village_enterprise_orgs")
}
Who = tuple[str, str, str]  # (unit code, level, kind)


def yearly(who: Who, key: str, year: int, seed: int) -> float:
    """The unit's (uncalibrated) number for the year."""
    code, level, kind = who
    eligible = {
        "new_park_orgs": level == "township",
        "new_business_district_orgs": level == "township" and kind == "street",
        "new_village_enterprise_orgs": level == "village" and kind == "village",
    }[key]
    if not eligible:
        return 0.0
    r = random.Random(f"{seed}|neworgs|{key}|{year}|{code}")
    return r.uniform(0, 2) * r.uniform(0.6, 1.4)


def calibrate_2016(units: list[Who], seed: int) -> dict[str, dict[str, int]]:
    """code → key → the 2016 number, summing exactly to :data:`NEW_ORGS_2016`."""
    out: dict[str, dict[str, int]] = {who[0]: {} for who in units}
    for key, total in NEW_ORGS_2016.items():
        raws = [yearly(who, key, 2016, seed) for who in units]
        s = sum(raws)
        exact = [x * total / s for x in raws] if s else [0.0] * len(raws)
        ints = [math.floor(x) for x in exact]
        order = sorted(range(len(raws)), key=lambda i: (-(exact[i] - ints[i]), i))
        for i in order[: total - sum(ints)]:
            ints[i] += 1
        for who, v in zip(units, ints, strict=True):
            out[who[0]][key] = v
    return out


def year_to_date(who: Who, period: str, seed: int, fixed: dict[str, int]) -> dict[str, int]:
    """The unit's year-to-date counts for ``period``; ``fixed`` the calibrated year's."""
    year, q = int(period[:4]), quarters.quarter_number(period)
    out = {}
    for key in NEW_ORGS_2016:
        full = fixed[key] if year == 2016 and key in fixed else yearly(who, key, year, seed)
        out[key] = round(full * q / 4)
    return out
