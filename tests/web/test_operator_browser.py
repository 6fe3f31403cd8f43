"""The operator console in a real browser: a refused upload, a good one imported, a refresh watched to done, rollback.

The console changes the store and the index, so it runs against its own server on its own copy of the indexed home
(the harness's shared server stays as the chat tests expect it), with an operator account made for it here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import IndexedHome
from tests.operations.conftest import GOOD_CSV
from tests.web.conftest import DESKTOP, PHONE, assert_accessible, screenshot, serve

pytestmark = [pytest.mark.slow, pytest.mark.browser]

USER, PASSWORD = "olu", "olu-operates-2026"
BAD_CSV = GOOD_CSV + "x1,internship,Welding,Rizhao College,,\n"  # line 4: an unknown kind
REFRESH_TIMEOUT_MS = 180_000  # the bundled store on the fake embedder: about 10 s here, slower on CI machines


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


@pytest.fixture(scope="module")
def console_server(indexed_home: IndexedHome, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own (uploads and refreshes change its knowledge base), with one operator account."""
    with serve(indexed_home, tmp_path_factory.mktemp("console") / "home") as app:
        app.add_user(USER, "operator", PASSWORD)
        yield app.url


def open_tab(browser: Any, base_url: str, viewport: dict[str, int]) -> Any:
    """A logged-in tab in a fresh context (its own cookies), Chinese first as a visitor from China would have it."""
    phone = viewport == PHONE
    context = browser.new_context(base_url=base_url, viewport=viewport, locale="zh-CN", is_mobile=phone,
                                  has_touch=phone, device_scale_factor=1)
    context.set_default_timeout(30_000)
    tab = context.new_page()
    tab.goto("/login?next=/operator")
    tab.fill("#login-username", USER)
    tab.fill("#login-password", PASSWORD)
    tab.click("button[type=submit]:has-text('登录')")
    tab.wait_for_url("**/operator")
    return tab


@pytest.fixture
def desk(browser: Any, console_server: str) -> Iterator[Any]:
    tab = open_tab(browser, console_server, DESKTOP)
    yield tab
    tab.context.close()


@pytest.fixture
def phone(browser: Any, console_server: str) -> Iterator[Any]:
    tab = open_tab(browser, console_server, PHONE)
    yield tab
    tab.context.close()


def choose_and_upload(page: Any, name: str, content: str, status: int = 303) -> None:
    """Post the form; a good file is redirected to its report (303), a rejected one is answered with it (422)."""
    page.goto("/operator/uploads")
    page.set_input_files("#upload-file", files=[{"name": name, "mimeType": "text/csv", "buffer": content.encode()}])
    with page.expect_response(lambda r: r.request.method == "POST") as posted, page.expect_navigation():
        page.click("#upload-submit")
    assert posted.value.status == status


def check(page: Any, name: str) -> None:
    """axe on the page as it stands, then a full-page screenshot for a person to look at."""
    assert_accessible(page, name)
    screenshot(page, name)


def test_upload_import_refresh_and_rollback(desk: Any) -> None:
    page = desk
    expect(page.locator("h1")).to_have_text("运维台")
    expect(page.locator(".op-nav a[aria-current=page]")).to_have_text("概览")
    check(page, "operator-home")
    page.goto("/operator/uploads")
    check(page, "operator-uploads")

    # A file with one bad row: refused, with the file, line and field named, and nothing to import.
    choose_and_upload(page, "huzhou-2027.csv", BAD_CSV, status=422)
    expect(page.locator("[role=alert] h2")).to_have_text("无法导入：发现 1 个问题")
    expect(page.locator("#problems-caption + thead + tbody tr td")).to_have_text(
        ["huzhou-2027.csv", "4", "kind", "“internship”不是可选值，应为以下之一：apprenticeship, training"])
    expect(page.locator("#import-submit")).to_have_count(0)
    check(page, "operator-upload-refused")

    # The corrected file: the preview first, then the import and its result.
    choose_and_upload(page, "huzhou-2027.csv", GOOD_CSV)
    expect(page.locator("[role=status] h2")).to_have_text("检查通过")
    preview = page.locator("#preview-caption + thead + tbody tr > *")
    expect(preview).to_have_text(["培训与学徒岗位", "+2", "0", "−0"])
    check(page, "operator-upload-preview")
    page.click("#import-submit")
    page.wait_for_url("**?imported=1")
    expect(page.locator("#result-heading")).to_have_text("已导入")
    expect(page.locator(".op-result")).to_contain_text("共改动 2 行。")
    check(page, "operator-upload-imported")
    page.goto("/operator/uploads")
    expect(page.locator("#uploads-caption + thead + tbody tr")).to_have_count(2)
    screenshot(page, "operator-uploads-listed")

    # A refresh, watched through the progress panel until it is done; the table then shows the new version serving.
    page.goto("/operator/index")
    old = page.locator("#versions tbody tr.serving th").inner_text()
    check(page, "operator-index")
    page.click("#refresh-start")
    expect(page.locator("#refresh-start")).to_be_disabled()
    # Mid-way: on the fake embedder embedding is over in a second and writing the indexes takes the longest.
    midway = ", ".join(f"#refresh[data-phase={p}]" for p in ("embedding", "writing", "publishing"))
    expect(page.locator(midway)).to_have_count(1, timeout=REFRESH_TIMEOUT_MS)
    assert 5 <= page.locator("#refresh-progress").evaluate("el => el.value") < 100
    expect(page.locator("#refresh-status")).to_have_text(re.compile("正在(生成向量|写入索引文件|发布新版本)……"))
    screenshot(page, "operator-index-refreshing")
    expect(page.locator("#refresh-status")).to_contain_text("完成：已生成版本", timeout=REFRESH_TIMEOUT_MS)
    assert page.locator("#refresh-progress").evaluate("el => el.value") == 100
    expect(page.locator("#refresh-percent")).to_have_text("100%")
    expect(page.locator("#refresh-start")).to_be_enabled()
    expect(page.locator("#versions tbody tr")).to_have_count(2)
    new = page.locator("#versions tbody tr.serving th").inner_text()
    assert new != old and new in page.locator("#refresh-status").inner_text()
    expect(page.locator("#versions tbody tr").nth(1)).to_contain_text("回滚目标")
    check(page, "operator-index-refreshed")

    # Rollback: a confirm step naming both versions, then the old one serves again.
    page.click("#rollback-open")
    expect(page.locator("#confirm-caption + thead + tbody tr")).to_have_count(2)
    check(page, "operator-rollback-confirm")
    page.click("#rollback-confirm")
    page.wait_for_url("**/operator/index?done=rollback")
    expect(page.locator("[role=status]").first).to_have_text(f"已回滚：当前使用 {old}。")
    expect(page.locator("#versions tbody tr.serving th")).to_have_text(old)

    # The audit log names each step, newest first.
    page.goto("/operator/audit")
    actions = page.locator("#audit-caption + thead + tbody tr td:nth-child(3)").all_inner_texts()
    assert actions[:6] == ["index.rollback", "index.refresh.done", "index.refresh.start", "upload.import",
                           "upload.validate", "upload.validate"], actions
    check(page, "operator-audit")
    page.select_option("#audit-action", "index.*")
    page.click(".op-filters button[type=submit]")
    expect(page.locator("#audit-caption + thead + tbody tr")).to_have_count(3)


def test_keyboard_reaches_the_console_and_english_renders(desk: Any) -> None:
    page = desk
    page.goto("/operator/uploads?lang=en")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")  # skip to the content, then on through the console's navigation
    page.keyboard.press("Tab")
    expect(page.locator(".op-nav a").first).to_be_focused()
    outline = page.locator(".op-nav a").first.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"  # the focus ring is drawn
    expect(page.locator("h1")).to_have_text("Upload a knowledge source")
    check(page, "operator-uploads-en")
    page.goto("/operator/index?lang=zh")  # back to Chinese for the next test's context (cookies are per context)


@pytest.mark.parametrize("path", ["/operator", "/operator/uploads", "/operator/index", "/operator/audit"])
def test_phone_layout(phone: Any, path: str) -> None:
    phone.goto(path)
    # Nothing wider than the screen except inside a table's own scrolling region.
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    name = "operator-home" if path == "/operator" else "operator-" + path.rsplit("/", 1)[1]
    check(phone, f"{name}-phone")


def test_phone_upload_report(phone: Any) -> None:
    choose_and_upload(phone, "rizhao-2027.csv", BAD_CSV.replace("Rizhao College", "日照职业技术学院"), status=422)
    expect(phone.locator("[role=alert] h2")).to_have_text("无法导入：发现 1 个问题")
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the upload report scrolls sideways by {overflow}px on a phone"
    check(phone, "operator-upload-refused-phone")
