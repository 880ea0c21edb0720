"""The HTML brief opened in a real headless Chromium (Debian's ``chromium``).

Locally the browser tests skip when Chromium or its CJK fonts are missing; under CI
(``CI=true``) they fail instead: ``.ci/run`` installs both.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from reports.brief import CHARTS, SECTIONS
from reports.pdf import HEADLESS_FLAGS, find_chromium
from tests.support.report_warehouse import (
    INJECTED_NAME,
    PERIOD,
    Built,
    query,
    sample_report,
    sample_warehouse,
)

__all__ = ["sample_report", "sample_warehouse"]  # fixtures

IN_CI = os.environ.get("CI", "").lower() == "true"


def _need(ok: bool, why: str) -> None:
    if not ok:
        if IN_CI:
            pytest.fail(why + " (CI installs it: .ci/run)")
        pytest.skip(why)


def _cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return "Noto Sans CJK" in out.stdout


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = find_chromium()
    _need(chromium is not None, "no chromium installed")
    _need(_cjk_font(), "fonts-noto-cjk not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium,
            args=[f for f in HEADLESS_FLAGS if f != "--headless"],
            headless=True,
        )
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(browser: Any, sample_report: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The brief loaded, with what it logged and what it asked the network for."""
    p = browser.new_page(viewport={"width": 1200, "height": 1000})
    p.console_messages = []  # type: ignore[attr-defined]
    p.requested = []  # type: ignore[attr-defined]
    p.on("console", lambda m: p.console_messages.append((m.type, m.text)))
    p.on("pageerror", lambda e: p.console_messages.append(("pageerror", str(e))))
    p.on("request", lambda r: p.requested.append(r.url))
    p.goto(Path(sample_report.brief).resolve().as_uri(), wait_until="load")
    shot = tmp_path_factory.mktemp("brief-shot") / "brief.png"
    p.screenshot(path=str(shot), full_page=True)
    p.screenshot_path = shot  # type: ignore[attr-defined]
    yield p
    p.close()


def test_loads_offline_without_console_errors(page: Any, sample_report: Any) -> None:
    errors = [m for m in page.console_messages if m[0] in ("error", "pageerror", "warning")]
    assert errors == []
    own = Path(sample_report.brief).resolve().as_uri()
    assert [u for u in page.requested if u != own and not u.startswith("data:")] == []
    html = Path(sample_report.brief).read_text(encoding="utf-8")
    assert "<script" not in html
    # a filer's text may name an address (the project named =HYPERLINK("http://x",…) is
    # shown, escaped, in 书记项目); no attribute of the page may point at one
    text = html.replace("http://www.w3.org/", "").replace(escape(INJECTED_NAME), "")
    assert "http://" not in text
    assert "https://" not in html
    assert "@font-face" not in html and "@import" not in html


def test_every_section_is_present(page: Any) -> None:
    for sid, name in SECTIONS:
        el = page.locator(f"section#{sid}")
        assert el.count() == 1, sid
        assert el.get_attribute("data-section") == name
        assert el.locator("h2").inner_text().strip()
    assert page.title().startswith("南通市融合党建2017年第四季度通报")


def test_every_chart_has_a_size(page: Any) -> None:
    figures = page.locator("figure.chart")
    keys = [figures.nth(i).get_attribute("data-chart") for i in range(figures.count())]
    assert sorted(keys) == sorted(CHARTS)
    for i in range(figures.count()):
        box = figures.nth(i).locator("svg").first.bounding_box()
        assert box is not None and box["width"] > 50 and box["height"] > 50, keys[i]


def test_county_table_and_scorecards_equal_the_marts(page: Any, sample_warehouse: Built) -> None:
    marts = query(
        sample_warehouse.published,
        "SELECT s.*, u.name FROM marts.unit_scores s JOIN core.units u USING (unit_code)"
        " WHERE s.period = ? AND s.level = 'county' ORDER BY s.rank_in_level NULLS LAST",
        [PERIOD],
    )
    rows = page.locator("section#counties table tbody tr")
    assert rows.count() == len(marts)
    for i, m in enumerate(marts):
        cells = [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
        assert cells[0] == ("" if m["rank_in_level"] is None else str(m["rank_in_level"]))
        assert cells[1] == m["name"]
        assert cells[2] == f"{m['party_score']:,.2f}"
        assert cells[3] == f"{m['development_score']:,.2f}"
        if m["complete"]:
            assert cells[5] == f"{m['composite_score']:,.2f}"
        else:  # tested in test_sections
            assert cells[5] == "" and m["composite_score"] is None
    cards = page.locator("section#counties .card")
    assert cards.count() == len(marts)
    weak = query(
        sample_warehouse.published,
        "SELECT u.parent_code AS township, t.parent_code AS county, count(*) AS n"
        " FROM marts.weak_villages w JOIN core.units u USING (unit_code)"
        " JOIN core.units t ON t.unit_code = u.parent_code WHERE w.period = ? GROUP BY ALL",
        [PERIOD],
    )
    per_county: dict[object, int] = {}
    for w in weak:
        per_county[w["county"]] = per_county.get(w["county"], 0) + int(str(w["n"]))
    for i in range(cards.count()):
        card = cards.nth(i)
        code = card.get_attribute("data-county")
        assert f"{per_county.get(code, 0)}个" in card.inner_text()


def test_summary_and_weak_counts_equal_the_marts(page: Any, sample_warehouse: Built) -> None:
    cs = query(
        sample_warehouse.published, "SELECT * FROM marts.city_summary WHERE period = ?", [PERIOD]
    )[0]
    text = page.locator("section#summary").inner_text()
    assert f"{cs['party_members']:,}" in text
    assert f"{cs['units_reporting']:,}" in text
    weak_rows = page.locator("section#annex-weak table tbody tr")  # 附件2
    assert weak_rows.count() == cs["weak_villages"]
    per_county = page.locator("section#weak table tbody tr").all_inner_texts()
    assert sum(int(r.split("\t")[1]) for r in per_county) == cs["weak_villages"]


def test_filing_and_quality_show_their_tables(page: Any) -> None:
    filing = page.locator("section#filing")
    assert filing.locator("table tbody tr").count() > 1
    assert "已隔离" in filing.inner_text()
    assert "附件3" in filing.inner_text()  # the list of what did not load is an annex
    assert page.locator("section#annex-filing table tbody tr").count() >= 1
    # clerk-level row messages are in the 数据质量 annex, not in the body
    assert "收到“" not in page.locator("section#quality").inner_text()
    assert "收到“" in page.locator("section#annex-quality").inner_text()


def test_screenshot_is_saved(page: Any) -> None:
    shot = page.screenshot_path
    assert shot.is_file() and shot.stat().st_size > 50_000


def test_pdf_without_chromium_says_so_in_one_line(
    sample_warehouse: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reports import office, pdf, write_report

    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    monkeypatch.setattr(office, "find_soffice", lambda: None)
    paths = write_report(sample_warehouse.published, PERIOD, tmp_path, pdf=True)
    assert paths.pdf is None and paths.document_pdf is None
    assert paths.pdf_problem is not None and "\n" not in paths.pdf_problem
    assert "Chromium" in paths.pdf_problem and "LibreOffice" in paths.pdf_problem
    assert paths.document.is_file()  # the document is written, only not printed
