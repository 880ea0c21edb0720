"""The portal as people see it: Debian's Chromium, driven by Playwright, on the real server.

The village's whole path (log in, upload, read the 回显 and its problem, fix, upload
again, read each value beside its cell, type the 说明 of a 需核实 flag, confirm), the
township's approve and return, the county's approve; each at a phone's width (390 px)
or a desktop's, with screenshots (``RONGHE_PORTAL_SHOTS=DIR`` keeps them there: the
ones in docs/portal/ were made so). Locally the test skips without Chromium or its CJK
fonts; under CI (``CI=true``) it fails instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from reports.pdf import HEADLESS_FLAGS, find_chromium
from tests.support.portal import (
    COUNTY,
    PASSWORD,
    TOWN,
    VILLAGE,
    Visitor,
    add_account,
    portal_server,
    report_csv,
)

IN_CI = os.environ.get("CI", "").lower() == "true"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
DIALOGS: list[str] = []
"""Every dialog a page opened (a filer's script that ran would open one): none."""


def _need(ok: bool, why: str) -> None:
    if not ok:
        if IN_CI:
            pytest.fail(why + " (CI installs it: .ci/run)")
        pytest.skip(why)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published warehouse holding 七里村's 2016Q4 report (so 2017Q1 has a previous
    quarter to be checked against: 需核实), and the three accounts."""
    from pipeline.run import run as ingest
    from tests.support.realistic import supervision_row, write_gbk_csv
    from transforms.columns import SUPERVISION
    from warehouse.workspace import Workspace

    base = tmp_path_factory.mktemp("browser")
    h = base / "home"
    h.mkdir()
    row = supervision_row(
        VILLAGE, period="2016年第四季度", submitted_at="2017-01-04 09:00", party_members=120
    )
    write_gbk_csv(base / "deposit" / "党建督导_2016Q4.csv", SUPERVISION, [row])
    with Workspace.open(Settings(home=h)) as ws:
        ingest(ws, [base / "deposit"], datetime(2017, 3, 1), quarters=["2016Q4"])
        ws.publish()
    for unit in (COUNTY, TOWN, VILLAGE):
        add_account(h, unit)
    return h


@pytest.fixture(scope="module")
def url(home: Path) -> Iterator[str]:
    with portal_server(home) as u:
        yield u


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = find_chromium()
    _need(chromium is not None, "no chromium installed")
    fonts = (
        shutil.which("fc-list")
        and subprocess.run(
            ["fc-list", ":lang=zh"], capture_output=True, text=True, check=False
        ).stdout
    )
    _need(bool(fonts) and "Noto Sans CJK" in str(fonts), "fonts-noto-cjk not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium,
            args=[f for f in HEADLESS_FLAGS if f != "--headless"],
            headless=True,
        )
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path: Path) -> Any:
    keep = os.environ.get("RONGHE_PORTAL_SHOTS")

    def shoot(page: Any, name: str) -> None:
        path = tmp_path / f"{name}.png"
        # a phone's first screen as its clerk sees it; a desktop's whole page
        page.screenshot(path=str(path), full_page=page.viewport_size["width"] > 600)
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(keep) / path.name)
        # nothing wider than the window: no clipped or sideways-scrolling page
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], name

    return shoot


def _login(browser: Any, url: str, unit: str, size: dict[str, int]) -> Any:
    page = browser.new_context(viewport=size, locale="zh-CN").new_page()
    page.on("dialog", lambda d: (DIALOGS.append(d.message), d.dismiss()))
    page.goto(f"{url}/")
    assert page.url.endswith("/login")
    page.fill("input[name=unit_code]", unit)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def _upload(page: Any, path: Path) -> None:
    page.set_input_files("input[type=file]", str(path))
    page.click('button:has-text("上传并查看读取结果")')
    page.wait_for_selector("span.receipt")  # the 回显 page (home lists receipts too)


def test_the_village_files_the_township_and_the_county_approve(
    browser: Any, url: str, tmp_path: Path, shots: Any
) -> None:
    login = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    login.goto(f"{url}/login")
    shots(login, "login-390")

    # --- the village, on a phone
    v = _login(browser, url, VILLAGE, PHONE)
    assert "七里村" in v.inner_text("header")
    _upload(v, report_csv(tmp_path / "bad", "supervision", VILLAGE, party_members="二百"))
    text = v.inner_text("main")
    assert "将被退回" in text and "二百" in text and "不能报送" in text
    shots(v, "echo-problem-390")
    v.click("text=重新上传")
    v.wait_for_selector("input[type=file]")
    # fixed; 200 members against 120 last quarter: a 需核实 flag, with its box
    fixed = report_csv(tmp_path / "fixed", "supervision", VILLAGE, party_members=200)
    _upload(v, fixed)
    text = v.inner_text("main")
    assert "可入库" in text and "需核实" in text and "党员数" in text
    assert "第2行「党员数」" in text and "200" in text  # each value beside its cell
    shots(v, "echo-390")
    v.fill("textarea", "本季度新吸收预备党员80名（村党委换届后集中发展）")
    v.click('button:has-text("确认报送")')
    v.wait_for_selector("text=已报送")
    assert "报送时的说明：本季度新吸收预备党员80名" in v.inner_text("main")

    desk = _login(browser, url, VILLAGE, DESKTOP)
    desk.locator(".list a").first.click()
    desk.wait_for_selector("text=读到的数据")
    shots(desk, "echo-desktop")

    # the village's economy report goes in by the API (as a county's script would)
    api = Visitor(url)
    api.login(VILLAGE)
    eco = api.send_file(report_csv(tmp_path / "eco", "economy", VILLAGE)).json()
    assert api.confirm(eco["receipt_no"]).status_code == 200
    town = Visitor(url)
    town.login(TOWN)
    for kind in ("supervision", "economy"):
        own = town.send_file(report_csv(tmp_path / f"t-{kind}", kind, TOWN)).json()
        assert town.confirm(own["receipt_no"]).status_code == 200

    # --- the township approves one report and returns the other, with a reason
    t = _login(browser, url, TOWN, PHONE)
    t.click("nav >> text=审核")
    t.fill("input[name=period]", "2017Q1")
    t.click("button:has-text('查看')")
    t.wait_for_selector("h1:has-text('2017Q1')")
    card = t.locator(f"#u{VILLAGE}")
    card.wait_for()
    assert "已报待审" in card.inner_text()
    shots(t, "review-390")
    card.locator(".report-line", has_text="党建督导").locator('button:has-text("审核通过")').click()
    t.wait_for_load_state("networkidle")
    line = t.locator(f"#u{VILLAGE} .report-line", has_text="经济指标")
    line.locator("input[name=reason]").fill("集体经营性收入与台账不符，请核对后重报")
    line.locator('button:has-text("退回")').click()
    t.wait_for_load_state("networkidle")
    card = t.locator(f"#u{VILLAGE}")
    assert "通过" in card.locator(".report-line", has_text="党建督导").inner_text()
    assert "退回" in card.locator(".report-line", has_text="经济指标").inner_text()
    again = api.send_file(report_csv(tmp_path / "eco2", "economy", VILLAGE, collective_income=37))
    assert api.confirm(again.json()["receipt_no"]).status_code == 200
    t.reload()
    t.locator(f"#u{VILLAGE} .report-line", has_text="经济指标").locator(
        'button:has-text("审核通过")'
    ).click()
    t.wait_for_load_state("networkidle")
    assert "通过" in t.locator(f"#u{VILLAGE} .report-line", has_text="经济指标").inner_text()

    # --- the county approves the township's report, on a desktop
    c = _login(browser, url, COUNTY, DESKTOP)
    c.goto(f"{url}/review?period=2017Q1")
    c.wait_for_selector("h1:has-text('2017Q1')")
    card = c.locator(f"#u{TOWN}")
    card.locator(".report-line", has_text="党建督导").locator('button:has-text("审核通过")').click()
    c.wait_for_load_state("networkidle")
    assert "通过" in c.locator(f"#u{TOWN} .report-line", has_text="党建督导").inner_text()
    shots(c, "review-desktop")
    assert DIALOGS == []
