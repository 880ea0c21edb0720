"""``ronghe demo``: the sample into the inbox, the whole pipeline, and what it shows."""

from __future__ import annotations

import argparse
import os
from typing import Any

from rich.table import Table

from cli.common import err, out, rows_out, run_flow
from config.settings import Settings
from synthetic.published import compare, observed
from warehouse.query import run_query

# the sample starts a year before the published figures, so that 2016 has a year to compare
# with (its weak-village determination: 105 rectified, CONTRACT §10)
FIRST = "2015Q4"


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from synthetic.sample import write_sample
    from transforms.periods import period_range

    inbox = settings.inbox_dir
    periods = period_range(FIRST, "2017Q4")
    with err.status(f"writing sample reports {FIRST}–2017Q4 into the inbox…"):
        stats = write_sample(inbox, periods, seed=2017, scale="city")
    err.print(f"sample: {stats.files} files in {inbox}")
    # the demo wrote every file itself and closed it: none is still being written, so
    # the settle rule (RONGHE_SETTLE_SECONDS) would only leave the newest for a later run
    os.environ["RONGHE_SETTLE_SECONDS"] = "0"
    run_flow(settings, "backfill_flow", start=FIRST, end="2017Q4")
    _show_demo(settings)
    return 0


def _show_demo(settings: Settings) -> None:
    got = observed(lambda sql, params: run_query(settings, sql, params))
    if "units_reporting" not in got:
        raise RuntimeError("the demo produced no city summary for 2016Q4")
    t = Table(title="南通 2016: the warehouse beside the published figures")
    for c in ("figure", "warehouse", "published", "ok"):
        t.add_column(c)
    for (_, label, figure, cmp), value, ok in compare(got):
        shown = (
            "—" if value is None else f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"
        )
        t.add_row(label, shown, f"{cmp} {figure:,}", "✓" if ok else "✗")
    t.add_row("reporting units 报告单位", f"{got['units_reporting']:,}", "≈ 1,950", "")
    out.print(t)
    cols, rows = run_query(
        settings,
        # short names, so that the table fits 80 columns unclipped
        "SELECT s.rank_in_level AS rank, u.name, s.party_score AS P, s.development_score AS D,"
        " s.composite_score AS C, s.quadrant FROM marts.unit_scores s JOIN core.units u"
        " USING (unit_code) WHERE s.period = '2017Q4' AND s.level = 'county'"
        " ORDER BY s.rank_in_level NULLS LAST",
    )
    out.print(
        "\n[bold]County-level units, 2017Q4[/bold]\n"
        "P party-building 党建, D development 发展, C composite 综合 = D × P/100"
    )
    rows_out(cols, [tuple(_round(v) for v in r) for r in rows], "table")
    _show_link(settings)
    from warehouse.db import sql_file

    cols, rows = run_query(
        settings, sql_file("weak_village_determination_counts.sql"), {"year": 2017}
    )
    n = dict(zip(cols, rows[0], strict=True))
    out.print(
        "\n[bold]2017年薄弱村认定 weak-village determination 2017[/bold]\n"
        f"认定 {n['determined']:,} 村, 薄弱 {n['weak']}"
        f" (新认定 new {n['new']}, 持续 continuing {n['continuing']},"
        f" 脱薄 rectified {n['rectified']})"
    )
    path = settings.published_path
    out.print(
        "\n[bold]Query the warehouse[/bold] (read-only, safe while runs write):\n"
        f'  ronghe --home {settings.home} query "SELECT * FROM marts.unit_scores LIMIT 5"\n'
        f"  python -c \"import duckdb; print(duckdb.connect('{path}', read_only=True)"
        ".sql('FROM marts.city_summary'))\"\n"
        "  the analysts' guide: docs/warehouse.md"
    )
    quarter = settings.reports_dir / "2017Q4"
    if not (quarter / "brief-2017Q4.html").exists():
        raise RuntimeError(f"the demo wrote no 2017Q4 通报 under {quarter}")
    out.print(
        "\n[bold]2017Q4 通报 (quarterly assessment)[/bold]\n"
        f"  workbook: {quarter / 'assessment-2017Q4.xlsx'}\n"
        f"  brief:    {quarter / 'brief-2017Q4.html'}\n"
        f"  document: {quarter / '通报-2017Q4.docx'}\n"
        "  (open the brief in a browser)"
    )
    out.print(
        "\n[bold]The filers' portal (报送与审核)[/bold] (docs/portal.md):\n"
        f"  ronghe --home {settings.home} accounts add --unit 320623402200  # 七里村\n"
        f"  ronghe --home {settings.home} accounts add --unit 320623402000  # its township\n"
        f"  ronghe --home {settings.home} portal    # then open http://127.0.0.1:8765/"
    )


def _show_link(settings: Settings) -> None:
    """The link the sample tells (CONTRACT §12): correlations of P and D per level, and
    the lagged effect marts.linkage_effect estimates beside the one the sample was drawn
    with."""
    from synthetic.story import LAGGED_EFFECT

    _, rows = run_query(
        settings,
        "SELECT l.level, l.units, l.corr_party_development, p.corr_party_development_next,"
        " e.effect, e.ci_low, e.ci_high, e.observations, e.first_period, e.units"
        " FROM marts.linkage AS l"
        " LEFT JOIN marts.linkage AS p ON p.level = l.level AND p.period = '2017Q3'"
        " LEFT JOIN marts.linkage_effect AS e ON e.level = l.level AND e.period = l.period"
        " WHERE l.period = '2017Q4'"
        " ORDER BY list_position(['county', 'township', 'village'], l.level)",
    )
    t = Table(title="\n党建与发展联动 party building and development, 2017Q4")
    for c in ("level", "units", "r same q", "r lagged", "effect", "95% CI"):
        t.add_column(c, justify="left" if c == "level" else "right")
    township = None
    for level, units, r_now, r_lag, effect, low, high, pairs, first, estimated in rows:
        if level == "township":
            township = (effect, low, high, pairs, first, estimated)
        t.add_row(
            level,
            f"{units:,}",
            _num(r_now),
            _num(r_lag),
            _num(effect),
            "too few units" if effect is None or low is None else f"{low:.2f} … {high:.2f}",
        )
    out.print(t)
    out.print(
        "r: Pearson correlation of P with D, same quarter; lagged: 2017Q3's P with\n"
        "2017Q4's D. effect: points of D per point of the previous quarter's P, with unit\n"
        "and quarter effects (marts.linkage_effect, the two years to 2017Q4)."
    )
    if township is not None and township[0] is not None and township[1] is not None:
        effect, low, high, pairs, first, units = township
        out.print(
            f"[bold]Townships: {effect:.2f} points of D per point of P (95% CI {low:.2f} …"
            f" {high:.2f});\nthe sample was drawn with {LAGGED_EFFECT:.2f}[/bold]"
            f" ({units} townships, {pairs:,} quarter pairs\nfrom {first}; the model:"
            " docs/sample.md)"
        )


def _num(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def _round(v: Any) -> Any:
    return round(v, 1) if isinstance(v, float) else v
