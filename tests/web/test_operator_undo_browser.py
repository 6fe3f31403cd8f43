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


# What each step should say, in each console language (the console's own strings, written out here so that a
# translation that goes missing fails the test).
SAYS = {
    "zh": {"problems": "无法导入：发现 2 个问题",
           "bad": ["“sometimes”不是可选值，应为以下之一：online, in-person, blended",
                   "“2027-13-01”不是有效日期（格式为 YYYY-MM-DD）"],
           "imported": "已导入", "built": "完成：已生成版本", "goes": "培训与学徒岗位 1", "total": "共去掉 1 条记录。",
           "undone": "已撤销导入", "switched": "检索索引已切换到与知识库一致的版本 {version}。",
           "one_problem": "无法导入：发现 1 个问题",
           "too_large": "文档有 40.0 MiB，超过了 16.0 MiB 的上限；请拆成较小的文件再上传",
           "check": "检查搜索结果"},
    "en": {"problems": "Cannot be imported: 2 problem(s) found",
           "bad": ["'sometimes' is not one of: online, in-person, blended", "'2027-13-01' is not a date (YYYY-MM-DD)"],
           "imported": "Imported", "built": "Done: built version", "goes": "Offers 1",
           "total": "1 record(s) taken out in all.", "undone": "Import undone",
           "switched": "The search index now serves version {version}, which matches the store.",
           "one_problem": "Cannot be imported: 1 problem(s) found",
           "too_large": "document is 40.0 MiB; the limit is 16.0 MiB: split it into smaller files",
           "check": "Check what people find"},
}
# A new offer per language: each run imports its own file and undoes it.
NEW_OFFERS = {"zh": ("zhoushan.csv", NEW_OFFER, OFFER),
              "en": ("zhoushan-en.csv", "id,kind,title,provider,city\nzs2,apprenticeship,Hyperbaric diving welder apprentice,"
                     "Zhoushan Marine Sample Co.,舟山市\n", "Hyperbaric diving welder apprentice")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_import_checked_then_undone(desk: Any, undo_server: str, lang: str) -> None:
    page, says = desk, SAYS[lang]
    page.goto(f"/operator?lang={lang}")  # the console keeps the language for the steps below
    before = page.locator("#serving-version code").inner_text()

    # A row with a bad mode and an impossible date: both listed, in the console's language.
    upload(page, "rizhao-2027.csv", BOTH_BAD.encode(), status=422)
    expect(page.locator("[role=alert] h2")).to_have_text(says["problems"])
    expect(page.locator("#problems-caption + thead + tbody tr td:nth-child(4)")).to_have_text(says["bad"])
    step(page, f"multi-error-{lang}")

    # A new offer imported, with its progress shown while the import runs.
    filename, content, offer = NEW_OFFERS[lang]
    upload(page, filename, content.encode())
    step(page, f"preview-{lang}")
    page.click("#import-submit")
    page.wait_for_url("**?imported=1")
    expect(page.locator("#result-heading")).to_have_text(says["imported"])
    step(page, f"imported-{lang}")
    upload_page = page.url.split("?")[0]

    # Refreshed, then found on the check screen with its source, as a job seeker would find it.
    page.goto("/operator/index")
    page.click("#refresh-start")
    # The panel may still say what the previous refresh built: wait for a version other than the one before.
    expect(page.locator("#versions tbody tr.serving th")).not_to_have_text(before, timeout=REFRESH_TIMEOUT_MS)
    expect(page.locator("#refresh-status")).to_contain_text(says["built"], timeout=REFRESH_TIMEOUT_MS)
    built = page.locator("#versions tbody tr.serving th").inner_text()
    expect(page.locator("#serving-version code")).to_have_text(built)
    rows = check_search(page, offer)
    expect(rows.first.locator("th")).to_contain_text(offer)
    expect(rows.first.locator("td").nth(1)).to_contain_text("zhoushan")
    step(page, f"check-found-{lang}")
    assert offer in search_titles(undo_server, offer)

    # Undo: what goes first (counts and a sample), then the undo; the index goes back to the version before.
    page.goto(upload_page)
    page.click("#undo-open")
    expect(page.locator("#undo-caption + thead + tbody tr td").nth(1)).to_have_text(says["goes"])
    expect(page.locator("#undo-caption + thead + tbody tr td").nth(3)).to_have_text(offer)
    expect(page.locator("#undo-total")).to_have_text(says["total"])
    step(page, f"confirm-{lang}")
    page.click("#undo-confirm")
    page.wait_for_url("**undone=1**")
    expect(page.locator("#undone-heading")).to_have_text(says["undone"])
    expect(page.locator("#undone-index")).to_have_text(says["switched"].format(version=before))
    expect(page.locator("#serving-version code")).to_have_text(before)
    step(page, f"undone-{lang}")

    # Store and index agree: neither the check screen nor the public search finds the offer any more.
    rows = check_search(page, offer)
    expect(rows.filter(has_text=offer)).to_have_count(0)
    step(page, f"check-gone-{lang}")
    assert offer not in search_titles(undo_server, offer)
    page.goto("/operator/index")
    expect(page.locator("#serving-version code")).to_have_text(before)  # one current version on every page
    step(page, f"index-after-undo-{lang}")
    page.goto("/operator?lang=zh")  # leave the context's language as the other tests expect it


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_small_zip_of_40_mb_of_markdown_is_refused(desk: Any, lang: str) -> None:
    page, says = desk, SAYS[lang]
    page.goto(f"/operator/uploads?lang={lang}")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("policy.md", "# Policy\n\n" + "Apprentices are paid. " * (40 * 1024 * 1024 // 22))
    assert len(buf.getvalue()) < 200 * 1024
    upload(page, "policy.zip", buf.getvalue(), mime="application/zip", status=422)
    expect(page.locator("[role=alert] h2")).to_have_text(says["one_problem"])
    expect(page.locator("#problems-caption + thead + tbody tr td:nth-child(4)")).to_have_text(says["too_large"])
    expect(page.locator("#import-submit")).to_have_count(0)
    step(page, f"zip-refused-{lang}")
    rows = check_search(page, "welding")
    expect(page.locator("h1")).to_have_text(says["check"])
    expect(rows.first).to_be_visible()
    step(page, f"check-{lang}")
    page.goto("/operator?lang=zh")  # leave the context's language as the other tests expect it
