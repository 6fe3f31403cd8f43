"""The operator console's check screen, multi-error report, undo and document budget in a real browser, in Chinese
and English, with a screenshot of each step (test-artifacts/screenshots/operator-undo-*.png).

Its own server on its own copy of the indexed home: the steps import, refresh and undo.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import IndexedHome
from tests.web.conftest import DESKTOP, assert_accessible, screenshot, serve
from tests.web.test_operator_browser import PASSWORD, REFRESH_TIMEOUT_MS, USER, expect, open_tab

pytestmark = [pytest.mark.slow, pytest.mark.browser]

BOTH_BAD = "id,kind,title,provider,mode,start_dates\nx1,training,焊接课程,日照职业技术学院,sometimes,2027-13-01\n"
NEW_OFFER = "id,kind,title,provider,city\nzs1,apprenticeship,潜水焊接学徒,舟山海工示例企业,舟山市\n"
OFFER = "潜水焊接学徒"


@pytest.fixture(scope="module")
def undo_server(indexed_home: IndexedHome, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(indexed_home, tmp_path_factory.mktemp("undo-console") / "home") as app:
        app.add_user(USER, "operator", PASSWORD)
        yield app.url


@pytest.fixture
def desk(browser: Any, undo_server: str) -> Iterator[Any]:
    tab = open_tab(browser, undo_server, DESKTOP)
    yield tab
    tab.context.close()


def step(page: Any, name: str) -> None:
    assert_accessible(page, f"operator-undo-{name}")
    screenshot(page, f"operator-undo-{name}")


def upload(page: Any, name: str, content: bytes, mime: str = "text/csv", status: int = 303) -> None:
    page.goto("/operator/uploads")
    page.set_input_files("#upload-file", files=[{"name": name, "mimeType": mime, "buffer": content}])
    with page.expect_response(lambda r: r.request.method == "POST") as posted, page.expect_navigation():
        page.click("#upload-submit")
    assert posted.value.status == status


def search_titles(base_url: str, q: str) -> list[str]:
    hits = httpx.get(f"{base_url}/api/search", params={"q": q, "type": "apprenticeship"}, timeout=30).json()["hits"]
    return [h["title"] for h in hits]


def check_search(page: Any, q: str) -> Any:
    page.goto("/operator/check")
    page.fill("#check-q", q)
    page.select_option("#check-type", "apprenticeship")
    page.click("#check-submit")
    page.wait_for_url("**/operator/check?*")
    return page.locator("[data-group=apprenticeship] tbody tr")


def test_an_import_checked_then_undone_in_chinese(desk: Any, undo_server: str) -> None:
    page = desk
    before = page.locator("#serving-version code").inner_text()

    # A row with a bad mode and an impossible date: both listed, in Chinese.
    upload(page, "rizhao-2027.csv", BOTH_BAD.encode(), status=422)
    expect(page.locator("[role=alert] h2")).to_have_text("无法导入：发现 2 个问题")
    expect(page.locator("#problems-caption + thead + tbody tr td:nth-child(4)")).to_have_text([
        "“sometimes”不是可选值，应为以下之一：online, in-person, blended",
        "“2027-13-01”不是有效日期（格式为 YYYY-MM-DD）"])
    step(page, "multi-error-zh")

    # A new offer imported, with its progress shown while the import runs.
    upload(page, "zhoushan.csv", NEW_OFFER.encode())
    step(page, "preview-zh")
    page.click("#import-submit")
    page.wait_for_url("**?imported=1")
    expect(page.locator("#result-heading")).to_have_text("已导入")
    step(page, "imported-zh")
    upload_page = page.url.split("?")[0]

    # Refreshed, then found on the check screen with its source, as a job seeker would find it.
    page.goto("/operator/index")
    page.click("#refresh-start")
    expect(page.locator("#refresh-status")).to_contain_text("完成：已生成版本", timeout=REFRESH_TIMEOUT_MS)
    built = page.locator("#versions tbody tr.serving th").inner_text()
    expect(page.locator("#serving-version code")).to_have_text(built)
    rows = check_search(page, OFFER)
    expect(rows.first.locator("th")).to_contain_text(OFFER)
    expect(rows.first.locator("td").nth(1)).to_contain_text("zhoushan")
    step(page, "check-found-zh")
    assert OFFER in search_titles(undo_server, OFFER)

    # Undo: what goes first (counts and a sample), then the undo; the index goes back to the version before.
    page.goto(upload_page)
    page.click("#undo-open")
    expect(page.locator("#undo-caption + thead + tbody tr td").nth(1)).to_have_text("培训与学徒岗位 1")
    expect(page.locator("#undo-caption + thead + tbody tr td").nth(3)).to_have_text(OFFER)
    expect(page.locator("#undo-total")).to_have_text("共去掉 1 条记录。")
    step(page, "confirm-zh")
    page.click("#undo-confirm")
    page.wait_for_url("**undone=1**")
    expect(page.locator("#undone-heading")).to_have_text("已撤销导入")
    expect(page.locator("#undone-index")).to_have_text(f"检索索引已切换到与知识库一致的版本 {before}。")
    expect(page.locator("#serving-version code")).to_have_text(before)
    step(page, "undone-zh")

    # Store and index agree: neither the check screen nor the public search finds the offer any more.
    rows = check_search(page, OFFER)
    expect(rows.filter(has_text=OFFER)).to_have_count(0)
    step(page, "check-gone-zh")
    assert OFFER not in search_titles(undo_server, OFFER)
    page.goto("/operator/index")
    expect(page.locator("#serving-version code")).to_have_text(before)  # one current version on every page
    step(page, "index-after-undo-zh")


def test_a_small_zip_of_40_mb_of_markdown_is_refused_in_english(desk: Any) -> None:
    page = desk
    page.goto("/operator/uploads?lang=en")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("policy.md", "# Policy\n\n" + "Apprentices are paid. " * (40 * 1024 * 1024 // 22))
    assert len(buf.getvalue()) < 200 * 1024
    upload(page, "policy.zip", buf.getvalue(), mime="application/zip", status=422)
    expect(page.locator("[role=alert] h2")).to_have_text("Cannot be imported: 1 problem(s) found")
    expect(page.locator("#problems-caption + thead + tbody tr td:nth-child(4)")).to_have_text(
        "document is 40.0 MiB; the limit is 16.0 MiB: split it into smaller files")
    expect(page.locator("#import-submit")).to_have_count(0)
    step(page, "zip-refused-en")
    rows = check_search(page, "welding")
    expect(page.locator("h1")).to_have_text("Check what people find")
    expect(rows.first).to_be_visible()
    step(page, "check-en")
    page.goto("/operator?lang=zh")  # leave the context's language as the other tests expect it
