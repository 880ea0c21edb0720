"""The portal tried as an attacker (CONTRACT §11, issue 32), through the real server.

IDOR on every route (another subtree's unit code, receipt number; 403 and nothing
changed), session fixation, CSRF, cookie flags, login limits per account and per
address, path traversal in upload names, a zip bomb and a cell bomb (the §3 read
limits), uploads over the size limit (413, declared or streamed), 20 uploads at once,
and a filer's ``<script>`` and ``=cmd|`` in names and cells staying text.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from approval.store import approvals, explanations, uploads
from config.settings import Settings
from tests.support.portal import (
    COUNTY,
    OTHER_TOWN,
    OTHER_VILLAGE,
    PASSWORD,
    TOWN,
    VILLAGE,
    Visitor,
    add_account,
    portal_server,
    report_csv,
)

LIMITED = "320623100201"  # 北闸村: the account whose logins are limited here
FRESH = "320623100202"  # 掘港荷花村: an account with a one-time password


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    h = tmp_path_factory.mktemp("attacks") / "home"
    h.mkdir()
    for unit in (COUNTY, TOWN, VILLAGE, OTHER_TOWN, OTHER_VILLAGE, LIMITED):
        add_account(h, unit)
    add_account(h, FRESH, "one-time-made-by-ronghe", once=True)
    return h


@pytest.fixture(scope="module")
def url(home: Path) -> Iterator[str]:
    env = {
        "RONGHE_PORTAL_MAX_UPLOAD_MB": "1",
        "RONGHE_PORTAL_FAILURES_PER_ACCOUNT": "3",
        "RONGHE_PORTAL_FAILURES_PER_ADDRESS": "5",
    }
    with portal_server(home, **env) as u:
        yield u


def visitor(url: str, unit: str, address: str = "127.0.0.9") -> Visitor:
    v = Visitor(url, address)
    assert v.login(unit).status_code == 200
    return v


def snapshot(home: Path) -> tuple[Any, ...]:
    """What an attack must not change: the store's uploads, transitions, 说明, the files."""
    settings = Settings(home=home)
    engine = create_engine(settings.portal_store_url)
    with engine.connect() as con:
        counts = tuple(
            con.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (uploads, approvals, explanations)
        )
        states = tuple(con.execute(select(uploads.c.receipt_no, uploads.c.state)).all())
    engine.dispose()
    files = tuple(sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file()
                         and p.suffix not in (".db", ".db-wal", ".db-shm", ".log")))  # fmt: skip
    return counts, states, files


OPEN = {
    ("GET", "/"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/api/login"),
    ("POST", "/logout"),
    ("GET", "/api/me"),
    ("GET", "/healthz"),
    ("GET", "/password"),
    ("POST", "/password"),
    ("POST", "/api/password"),
}
"""Routes that name nothing of anyone's: the caller's own page and password, logging in
and out."""


def _routes(home: Path) -> set[tuple[str, str]]:
    from portal.app import build, create_app
    from portal.config import PortalConfig

    app = create_app(build(Settings(home=home), PortalConfig(hash="cheapest")))
    found = set()
    routes = [*app.routes]
    for r in routes:
        inner = getattr(r, "original_router", None)  # a router included (no prefix here)
        routes.extend(inner.routes if inner is not None else ())
        for m in getattr(r, "methods", None) or ():
            if m != "HEAD":
                found.add((m, getattr(r, "path", "")))
    return found


def test_no_route_lets_a_unit_reach_another_subtree(url: str, home: Path, tmp_path: Path) -> None:
    """瑞丰村 (under 掘港镇) against 七里村 (under 如东沿海经济开发区): every route that
    names a unit, a receipt or a report answers 403, and nothing changes."""
    owner = visitor(url, VILLAGE)
    mine = report_csv(tmp_path / "mine", "supervision", VILLAGE)
    receipt = owner.send_file(mine).json()["receipt_no"]
    attacker = visitor(url, OTHER_VILLAGE)
    sibling = visitor(url, OTHER_TOWN)  # a township, but not this village's
    csrf = {"X-CSRF-Token": attacker.csrf}
    form = {"csrf_token": attacker.csrf}
    act = {"kind": "supervision", "unit_code": VILLAGE, "period": "2017Q1", "action": "approve"}
    files = {"file": (mine.name, mine.read_bytes())}
    tries: dict[tuple[str, str], Any] = {
        ("GET", "/uploads/{receipt_no}"): lambda: attacker.get(f"/uploads/{receipt}"),
        ("GET", "/api/uploads/{receipt_no}"): lambda: attacker.get(f"/api/uploads/{receipt}"),
        ("POST", "/api/uploads/{receipt_no}/confirm"): lambda: attacker.post(
            f"/api/uploads/{receipt}/confirm", json={}, headers=csrf
        ),
        ("POST", "/uploads/{receipt_no}/confirm"): lambda: attacker.post(
            f"/uploads/{receipt}/confirm", data=form
        ),
        ("GET", "/api/status"): lambda: attacker.get("/api/status", params={"unit": TOWN}),
        ("GET", "/review"): lambda: attacker.get("/review", params={"unit": TOWN}),
        ("GET", "/template"): lambda: attacker.get(
            "/template", params={"unit": VILLAGE, "kind": "supervision", "period": "2017Q1"}
        ),
        ("POST", "/api/approvals"): lambda: attacker.post("/api/approvals", json=act, headers=csrf),
        ("POST", "/approvals"): lambda: attacker.post("/approvals", data={**act, **form}),
        ("POST", "/api/uploads"): lambda: attacker.post("/api/uploads", files=files, headers=csrf),
        ("POST", "/uploads"): lambda: attacker.post("/uploads", files=files, data=form),
    }
    assert set(tries) | OPEN == _routes(home)  # a new route needs its line here
    before = snapshot(home)
    for route, attempt in tries.items():
        got = attempt()
        assert got.status_code == 403, (route, got.status_code, got.text[:200])
    # a township of another subtree may not approve either
    assert sibling.act("supervision", VILLAGE, "approve").status_code == 403
    assert snapshot(home) == before
    # an unknown receipt number is not there for anyone; a bad quarter is said
    assert attacker.get("/api/uploads/20990101-DEADBEEF").status_code == 404
    assert owner.get("/api/status", params={"period": "2017Q9"}).status_code == 422
    # without a session: 401 for the API, the login form for a page
    anon = httpx.Client(base_url=url)
    for method, path in tries:
        got = anon.request(method, path.replace("{receipt_no}", receipt))
        if path.startswith("/api/"):
            assert got.status_code == 401, path
        else:
            assert got.status_code in (303, 401), path


def test_cookie_flags_and_session_fixation(url: str) -> None:
    v = Visitor(url)
    assert v.login(VILLAGE, "wrong password").status_code == 401
    first = v.login(VILLAGE)
    cookie = first.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    planted = v.cookies.get("ronghe_session")
    # logging in again (as someone else, or the same) starts a new session; the old ends
    v.login(TOWN)
    assert v.cookies.get("ronghe_session") != planted
    old = httpx.Client(base_url=url, cookies={"ronghe_session": planted})
    assert old.get("/api/me").status_code == 401
    assert v.get("/api/me").json()["unit_code"] == TOWN
    # a bearer token works without a cookie (and needs no CSRF token: no ambient credential)
    token = Visitor(url).post("/api/login", json={"unit_code": COUNTY, "password": PASSWORD})
    bearer = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {token.json()['token']}"}
    )
    assert bearer.get("/api/me").json()["unit_code"] == COUNTY
    assert bearer.get("/api/me", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_a_secure_cookie_behind_tls(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from portal.app import build, create_app
    from portal.config import PortalConfig

    home = tmp_path / "home"
    home.mkdir()
    add_account(home, VILLAGE)
    config = PortalConfig(hash="cheapest", secure_cookies=True, same_site="strict")
    client = TestClient(create_app(build(Settings(home=home), config)), base_url="https://x")
    r = client.post("/api/login", json={"unit_code": VILLAGE, "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie


def test_a_one_time_password_must_be_changed_first(url: str) -> None:
    first, other = Visitor(url, "10.2.0.1"), Visitor(url, "10.2.0.2")
    for v in (first, other):
        assert v.login(FRESH, "one-time-made-by-ronghe").status_code == 200
    held = first.get("/api/status", params={"period": "2017Q1"})
    assert held.status_code == 403 and "一次性密码" in held.json()["detail"]
    page = first.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/password"
    assert first.get("/api/me").status_code == 200  # who am I still answers

    def change(old: str, new: str) -> int:
        body = {"password": old, "new_password": new}
        return first.post(
            "/api/password", json=body, headers={"X-CSRF-Token": first.csrf}
        ).status_code

    assert change("wrong", "a-new-one-of-mine") == 401
    assert change("one-time-made-by-ronghe", "short") == 422
    assert change("one-time-made-by-ronghe", "a-new-one-of-mine") == 200
    assert first.get("/api/status", params={"period": "2017Q1"}).status_code == 200
    assert other.get("/api/me").status_code == 401  # the unit's other sessions ended
    assert Visitor(url, "10.2.0.3").login(FRESH, "one-time-made-by-ronghe").status_code == 401
    assert Visitor(url, "10.2.0.4").login(FRESH, "a-new-one-of-mine").status_code == 200


def test_csrf_is_needed_on_every_cookie_post(url: str, home: Path) -> None:
    t = visitor(url, TOWN)
    body = {"kind": "supervision", "unit_code": VILLAGE, "period": "2017Q1", "action": "approve"}
    before = snapshot(home)
    assert t.post("/api/approvals", json=body).status_code == 403
    assert t.post("/api/approvals", json=body, headers={"X-CSRF-Token": "x"}).status_code == 403
    assert t.post("/approvals", data=body).status_code == 403
    assert t.post("/approvals", data={**body, "csrf_token": "nope"}).status_code == 403
    assert t.post("/logout").status_code == 403
    assert snapshot(home) == before
    assert t.get("/api/me").status_code == 200  # still logged in: the forged logout failed


def test_logins_are_limited_per_account_and_per_address(url: str) -> None:
    v = Visitor(url, "10.0.0.1")
    for _ in range(3):
        assert v.login(LIMITED, "guess").status_code == 401
    limited = v.login(LIMITED)
    assert limited.status_code == 429 and limited.headers.get("retry-after")
    assert Visitor(url, "10.0.0.2").login(LIMITED).status_code == 429  # from anywhere
    w = Visitor(url, "10.0.0.3")
    for n in range(5):
        assert w.login(f"32062310{n:04d}", "guess").status_code == 401
    assert w.login(COUNTY).status_code == 429  # this address is held back
    assert Visitor(url, "10.0.0.4").login(COUNTY).status_code == 200  # the account is not


def test_upload_names_cannot_leave_their_folder(url: str, home: Path, tmp_path: Path) -> None:
    v = visitor(url, VILLAGE)
    src = report_csv(tmp_path, "supervision", VILLAGE)
    for name in (
        "../../../../党建督导_逃逸.csv",
        "..\\..\\..\\党建督导_逃逸.csv",
        "/etc/党建督导.csv",
    ):
        got = v.send_file(src, name)
        assert got.status_code == 200, got.text
    escaped = [p for p in home.parent.rglob("*逃逸*") if "staging" not in p.parts]
    assert escaped == []
    staged = list((home / "portal" / "staging").rglob("*逃逸*"))
    assert staged and all(p.parent.parent == home / "portal" / "staging" for p in staged)
    assert v.send_file(src, "..").status_code == 415
    assert v.send_file(src, "党建督导.exe").status_code == 415


def _xlsx(sheet_xml: str) -> bytes:
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',  # noqa: E501
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',  # noqa: E501
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="报表" sheetId="1" r:id="rId1"/></sheets></workbook>',  # noqa: E501
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',  # noqa: E501
        "xl/worksheets/sheet1.xml": sheet_xml,
    }  # fmt: skip
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buf.getvalue()


SHEET = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dim}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>单位代码</t></is></c></row>{more}</sheetData>{pad}</worksheet>'  # noqa: E501


@pytest.mark.parametrize(
    "bomb",
    [
        # 25 MB of nothing in 25 KB: past the unpacked ratio
        SHEET.format(dim="", more="", pad=" " * 25_000_000),
        # one cell at the last column and row: a reader would allocate the whole range
        SHEET.format(
            dim='<dimension ref="A1:XFD1048576"/>',
            more='<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
            pad="",
        ),
    ],
    ids=["zip-bomb", "cell-bomb"],
)
def test_a_bomb_is_stopped_by_the_read_limits(url: str, tmp_path: Path, bomb: str) -> None:
    v = visitor(url, VILLAGE)
    path = tmp_path / "党建督导季报.xlsx"
    path.write_bytes(_xlsx(bomb))
    got = v.send_file(path)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["reports"] == [] and not body["confirmable"]
    assert any("已损坏或过大" in p["message_zh"] for p in body["file_problems"])
    assert v.get("/healthz").status_code == 200


def test_over_the_size_limit_is_413_declared_or_streamed(url: str) -> None:
    v = visitor(url, VILLAGE)
    big = b"a," * 700_000  # 1.4 MB, over this server's 1 MB
    declared = v.post(
        "/api/uploads", files={"file": ("党建督导.csv", big)}, headers={"X-CSRF-Token": v.csrf}
    )
    assert declared.status_code == 413 and "上限" in declared.json()["detail"]
    boundary = "ronghe-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="党建督导.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(24):
            yield b"x" * 65536  # 1.5 MB with no declared length: counted as it streams
        yield f"\r\n--{boundary}--\r\n".encode()

    streamed = v.post(
        "/api/uploads",
        content=body(),
        headers={
            "X-CSRF-Token": v.csrf,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert streamed.status_code == 413


def test_twenty_uploads_at_once(url: str, tmp_path: Path) -> None:
    def one(i: int) -> tuple[int, str, Any]:
        v = visitor(url, COUNTY, f"10.1.0.{i}")
        path = report_csv(tmp_path / str(i), "supervision", COUNTY, party_members=1000 + i)
        got = v.send_file(path)
        (rep,) = got.json()["reports"]
        return i, got.json()["receipt_no"], rep["values"]["party_members"]

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(one, range(20)))
    assert [members for _, _, members in results] == [1000 + i for i in range(20)]
    assert len({receipt for _, receipt, _ in results}) == 20


def test_a_filers_script_and_formula_stay_text(url: str, tmp_path: Path) -> None:
    v = visitor(url, VILLAGE)
    evil = "<img src=x onerror=alert(1)>=cmd|' /C calc'!A0"
    path = report_csv(tmp_path, "supervision", VILLAGE, explanation=evil)
    name = "<b onmouseover=alert(1)>=cmd|' x'!A0党建督导.csv"
    got = v.send_file(path, name).json()
    (rep,) = got["reports"]
    assert rep["values"]["explanation"] == evil  # the JSON carries the text as typed
    page = v.get(f"/uploads/{got['receipt_no']}").text
    assert "<b onmouseover" not in page and "<img src=x" not in page
    assert "&lt;b onmouseover=alert(1)&gt;=cmd|&#39; x&#39;!A0" in page and "&lt;img src=x" in page
    listing = v.get("/").text
    assert "<b onmouseover" not in listing and "&lt;b onmouseover" in listing
    csp = v.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
