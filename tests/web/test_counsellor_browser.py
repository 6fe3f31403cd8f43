"""The counsellor console in a real browser: a job seeker chats in Chinese, a counsellor finds the session, watches it
update live, confirms a skill, approves a suggestion, builds and exports the plan; axe on every page; screenshots."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import docx
import httpx
import pytest

from tests.web.conftest import ARTIFACTS, DESKTOP, PHONE, SCREENSHOTS, Served, assert_accessible
from tests.helpers import conversation_id

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# With a stated goal the welder is among the occupations shown whatever the test embedder, so the apprenticeship that
# trains for it is offered: offers must lead to an occupation shown.
WELDING_ZH = "我在工厂做了三年电焊，会看图纸，想做焊工，想在湖州找个能拿工资的学徒岗位"
COUNSELLOR = ("li.counsellor", "li-counsels-2026!", "李老师")
LIVE_MS = 15_000  # the page polls every 2.5 s; a chat turn on the fake embedder takes about a second


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


@pytest.fixture(scope="module")
def counsellor(served: Served) -> tuple[str, str]:
    """A counsellor account in the served store."""
    username, password, display = COUNSELLOR
    served.add_user(username, "counsellor", password, display_name=display)
    return username, password


HANDLES: dict[str, str] = {}  # conversation id → the handle (id and key) its job seeker's page holds


def chat(api: httpx.Client, *messages: str, session: str | None = None) -> str:
    """The job seeker's side, through the chat API the page uses; returns the conversation's id."""
    handle = HANDLES.get(session) if session else None
    for message in messages:
        res = api.post("/api/chat", json={"session_id": handle, "message": message})
        assert res.status_code == 200, res.text
        handle = res.json()["session_id"]
    assert handle
    HANDLES[conversation_id(handle)] = handle
    return conversation_id(handle)


def log_in(page: Any, account: tuple[str, str]) -> None:
    page.goto("/login?lang=zh")
    page.fill("#login-username", account[0])
    page.fill("#login-password", account[1])
    page.click("main button[type=submit]")
    page.wait_for_url("**/counsellor")


def picture(page: Any, name: str) -> Path:
    """A full-page PNG under test-artifacts/screenshots/, taken from the top: the session page's conversation column
    is sticky, and from the bottom (as the chat's pictures are taken) it would be drawn at the end of the page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.evaluate("() => window.scrollTo({top: 0, behavior: 'instant'})")
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


def check(page: Any, name: str) -> Path:
    """axe (no serious or critical WCAG 2.1 AA problem) and a full-page screenshot."""
    assert_accessible(page, name)
    return picture(page, name)


def test_counsellor_follows_a_live_session_and_exports_the_plan(page: Any, api: httpx.Client,
                                                               counsellor: tuple[str, str]) -> None:
    sid = chat(api, "你好", "同意", WELDING_ZH, "对", "好的")
    log_in(page, counsellor)

    # The list: nothing assigned yet; under "all", found by the job seeker's own words.
    expect(page.locator("main")).to_contain_text("目前没有分给你的会话")
    check(page, "counsellor-list-mine-desktop")
    page.click("text=全部会话")
    page.fill("#search-q", "电焊 湖州")
    page.select_option("#search-phase", "pathway")
    page.click("form[role=search] button[type=submit]")
    row = page.locator(f'table.sessions a[href="/counsellor/sessions/{sid}"]')
    expect(row).to_have_count(1)
    check(page, "counsellor-list-desktop")
    row.click()
    page.wait_for_url(f"**/counsellor/sessions/{sid}")
    expect(page.locator("h1")).to_contain_text(f"会话 {sid[:8]}")
    expect(page.locator("#messages .msg-user").first).to_contain_text("同意")
    expect(page.locator("table.skills")).to_contain_text("“电焊”")
    check(page, "counsellor-session-desktop")

    # Live: the job seeker writes again; the message appears and is announced, and typing is not lost.
    page.click("#transcript summary")  # the transcript starts folded: the page is about two screens
    page.click("#skill-edit-1 summary")
    page.fill("#skill-label-1", "焊接")
    page.fill("#note-text", "正在写的备注")
    page.focus("#note-text")
    messages = page.locator("#messages .msg")
    before = messages.count()
    chat(api, "我还会开叉车", session=sid)
    expect(page.locator("#messages")).to_contain_text("我还会开叉车", timeout=LIVE_MS)
    expect(messages).to_have_count(before + 2, timeout=LIVE_MS)
    expect(page.locator("#live-status")).to_contain_text("求职者发来新消息：我还会开叉车", timeout=LIVE_MS)
    expect(page.locator("#case-phase")).to_have_text("确认技能", timeout=LIVE_MS)
    expect(page.locator("#skill-edit-1")).to_have_attribute("open", "")
    expect(page.locator("#skill-label-1")).to_have_value("焊接")  # the region was redrawn around it
    expect(page.locator("#note-text")).to_have_value("正在写的备注")
    assert page.evaluate("document.activeElement.id") == "note-text"
    page.fill("#note-text", "")

    # Confirm a skill.
    page.locator("table.skills tbody tr").first.locator("button", has_text="确认").click()
    expect(page.locator("#form-done")).to_have_text("已确认该技能。")
    expect(page.locator("table.skills tbody tr").first).to_contain_text("指导员已确认")

    # The job seeker's "好的" after the skills asked for recommendations again: approve an apprenticeship.
    chat(api, "推荐", session=sid)
    page.reload()
    page.click("#sg-details-apprenticeship summary")  # groups other than the occupations start folded
    card = page.locator(".suggestion-apprenticeship").first
    expect(card).to_be_visible()
    title = card.locator(".suggestion-title").inner_text()
    card.locator("input[name=note]").fill("离家近，带薪")
    card.locator("button[value=approved]").click()
    expect(page.locator("#form-done")).to_have_text("已批准该建议。")
    approved = page.locator(".suggestion-apprenticeship.decided-approved").first
    expect(approved).to_contain_text("离家近，带薪")

    # Build the plan: the approved apprenticeship, a dated step of our own that goes first by its date, then agreed.
    page.select_option("#plan-suggestion", index=0)
    page.fill("#plan-suggestion-date", "2027-03-01")
    page.click("#plan fieldset:has(#plan-suggestion) button[type=submit]")
    expect(page.locator("#form-done")).to_have_text("已加入计划。")
    page.fill("#plan-step-text", "带身份证去人社局报名")
    page.fill("#plan-step-date", "2027-01-15")
    page.select_option("#plan-step-action", "meet")
    page.click("#plan fieldset:has(#plan-step-text) button[type=submit]")
    items = page.locator(".plan-items > li")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("带身份证去人社局报名")
    expect(items.nth(1)).to_contain_text(title)
    page.click("text=标记为已与求职者确认")
    expect(page.locator("#plan")).to_contain_text("已与求职者确认")
    check(page, "counsellor-session-plan-desktop")

    # Export: the print page, then the Word document.
    page.click("text=打印版计划")
    page.wait_for_url(f"**/counsellor/sessions/{sid}/plan")
    table = page.locator("table.plan-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first).to_contain_text("2027-01-15")
    expect(table).to_contain_text("示例")
    expect(page.locator(".print-facts")).to_contain_text("李老师 (li.counsellor)")
    check(page, "counsellor-plan-print-desktop")
    page.emulate_media(media="print")
    expect(page.locator(".plan-print-actions")).to_be_hidden()  # no buttons on paper
    picture(page, "counsellor-plan-print-paper")
    page.emulate_media(media="screen")
    with page.expect_download() as downloading:
        page.click("text=下载 Word 文档")
    download = downloading.value
    assert download.suggested_filename == f"skillpath-plan-{sid[:8]}.docx"
    saved = ARTIFACTS / "downloads" / download.suggested_filename
    saved.parent.mkdir(parents=True, exist_ok=True)
    download.save_as(str(saved))
    document = docx.Document(io.BytesIO(saved.read_bytes()))
    assert document.paragraphs[0].text == "就业指导行动计划"
    rows = [[c.text for c in r.cells] for r in document.tables[0].rows]
    assert rows[1][:3] == ["2027-01-15", "面谈", "带身份证去人社局报名"] and rows[2][2] == title


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_console_pages_on_a_phone(new_context: Any, api: httpx.Client, counsellor: tuple[str, str],
                                  lang: str) -> None:
    sid = chat(api, "同意", WELDING_ZH, "对")
    for viewport, size in ((PHONE, "phone"), (DESKTOP, "desktop")):
        if lang == "zh" and size == "desktop":
            continue  # the Chinese desktop pages are pictured by the test above
        page = new_context(viewport).new_page()
        log_in(page, counsellor)
        page.goto(f"/counsellor?scope=all&lang={lang}")
        expect(page.locator(f'a[href="/counsellor/sessions/{sid}"]')).to_have_count(1)
        check(page, f"counsellor-list-{lang}-{size}")
        page.goto(f"/counsellor/sessions/{sid}")
        expect(page.locator("#live-state")).to_be_visible()
        if size == "phone":  # the review and plan forms work at 390 px too, then the pictures show a plan
            page.click("#sg-details-apprenticeship summary")
            card = page.locator(".suggestion-apprenticeship").first
            card.locator("input[name=note]").fill("OK")
            card.locator("button[value=approved]").click()
            expect(page.locator("#form-done")).to_be_visible()
            page.fill("#plan-suggestion-date", "2027-03-01")
            page.click("#plan fieldset:has(#plan-suggestion) button[type=submit]")
            expect(page.locator(".plan-items > li")).to_have_count(1)
        check(page, f"counsellor-session-{lang}-{size}")
        page.goto(f"/counsellor/sessions/{sid}/plan?lang={lang}")
        check(page, f"counsellor-plan-print-{lang}-{size}")


def test_keyboard_reaches_the_review_form(page: Any, api: httpx.Client, counsellor: tuple[str, str]) -> None:
    sid = chat(api, "同意", WELDING_ZH, "对")
    log_in(page, counsellor)
    page.goto(f"/counsellor/sessions/{sid}")
    page.locator(".review-form input[name=note]").first.focus()
    page.keyboard.type("先看看")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.value]")
    assert focused == ["BUTTON", "approved"]
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # the focus ring shows where the keyboard is
    page.keyboard.press("Enter")
    expect(page.locator("#form-done")).to_have_text("已批准该建议。")
