"""The casework loop in a real browser, in Chinese and English: a counsellor's rejection changes the job seeker's next
chat turn; a follow-up date set on the session page shows in "my follow-ups"; removing a skill asks first; the
session page stays about two screens long. Screenshots of each step in test-artifacts/screenshots/."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.helpers import conversation_id
from tests.web.conftest import DESKTOP
from tests.web.test_chat_page import say
from tests.web.test_counsellor_browser import (  # noqa: F401  (counsellor is a fixture)
    WELDING_ZH, chat, check, counsellor, expect, log_in, picture,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

STORY = {"zh": ["同意", WELDING_ZH, "对"],
         "en": ["I agree", "I did welding in a factory for three years, I can read drawings, I want to become a "
                "welder, and I want a paid apprenticeship in Huzhou", "yes"]}
AGAIN = {"zh": "推荐", "en": "Recommend"}
NOTE = {"zh": "你的就业指导员更新了你的档案或计划", "en": "Your counsellor has updated your profile or plan"}
WORDS = {"zh": {"reason": "他不想做这一行", "rejected": "已驳回该建议。", "follow_up": "跟进日期已保存。",
                "mine": "我的跟进", "overdue": "已逾期", "removed": "已删除该技能。"},
         "en": {"reason": "He does not want this line of work", "rejected": "Suggestion rejected.",
                "follow_up": "Follow-up saved.", "mine": "My follow-ups", "overdue": "Overdue",
                "removed": "Skill removed."}}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_rejection_changes_the_next_chat_turn(new_context: Any, counsellor: tuple[str, str], lang: str) -> None:
    seeker = new_context(DESKTOP).new_page()
    seeker.goto(f"/?lang={lang}")
    for message in STORY[lang]:
        reply = say(seeker, message)
    titles = reply.locator(".card-occupation .card-title").all_inner_texts()
    assert len(titles) >= 2, reply.inner_text()
    picture(seeker, f"loop-{lang}-1-chat-before")
    cid = conversation_id(seeker.evaluate("() => sessionStorage.getItem('skillpath.session')"))

    staff = new_context(DESKTOP).new_page()
    log_in(staff, counsellor)
    staff.goto(f"/counsellor/sessions/{cid}?lang={lang}")
    top = staff.locator(".suggestion-occupation").first
    expect(top.locator(".suggestion-title")).to_have_text(titles[0])
    top.locator("input[name=note]").fill(WORDS[lang]["reason"])
    top.locator("button[value=rejected]").click()
    expect(staff.locator("#form-done")).to_have_text(WORDS[lang]["rejected"])
    expect(staff.locator(".suggestion-occupation.decided-rejected").first).to_contain_text(WORDS[lang]["reason"])
    check(staff, f"loop-{lang}-2-counsellor-rejects")

    after = say(seeker, AGAIN[lang])
    expect(after).to_contain_text(NOTE[lang])
    shown = after.locator(".card-occupation .card-title").all_inner_texts()
    assert shown and titles[0] not in shown, shown
    picture(seeker, f"loop-{lang}-3-chat-after")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_follow_up_date_shows_in_my_follow_ups(page: Any, api: httpx.Client, counsellor: tuple[str, str],
                                                 lang: str) -> None:
    later, overdue = chat(api, *STORY[lang]), chat(api, *STORY[lang])
    log_in(page, counsellor)
    for cid, due, note in ((later, date.today() + timedelta(days=30), "A"),
                           (overdue, date.today() - timedelta(days=3), "B")):
        page.goto(f"/counsellor/sessions/{cid}?lang={lang}")
        page.fill("#follow-up-due", due.isoformat())
        page.fill("#follow-up-note", f"{note}-{lang}")
        page.click("#case-file .follow-up-form button[type=submit]")
        expect(page.locator("#form-done")).to_have_text(WORDS[lang]["follow_up"])
        expect(page.locator("#case-follow-up")).to_contain_text(due.isoformat())
    check(page, f"loop-{lang}-4-follow-up-set")

    page.goto(f"/counsellor?lang={lang}")
    box = page.locator("#follow-ups")
    expect(box.locator("h2")).to_contain_text(WORDS[lang]["mine"])
    rows = box.locator("tbody tr")
    first = box.locator(f"tbody tr:has-text('B-{lang}')")
    expect(first).to_have_class("overdue")
    expect(first).to_contain_text(WORDS[lang]["overdue"])
    order = [t for t in rows.all_inner_texts() if f"-{lang}" in t]
    assert [t.count(f"B-{lang}") for t in order] == [1, 0], order  # overdue first, then by date
    check(page, f"loop-{lang}-5-my-follow-ups")


def test_removing_a_skill_asks_first_and_the_page_is_short(page: Any, api: httpx.Client,
                                                           counsellor: tuple[str, str]) -> None:
    cid = chat(api, *STORY["zh"])
    log_in(page, counsellor)
    page.goto(f"/counsellor/sessions/{cid}")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height <= 2.5 * DESKTOP["height"], height  # about two screens for a typical case (was about 6,000 px)
    skills = page.locator("table.skills tbody tr")
    before = skills.count()
    label = skills.first.locator("th").inner_text()
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    skills.first.locator("form[data-confirm] button").click()
    expect(skills).to_have_count(before)  # dismissed: nothing removed
    assert asked and label in asked[0]
    page.once("dialog", lambda d: d.accept())
    skills.first.locator("form[data-confirm] button").click()
    expect(page.locator("#form-done")).to_have_text(WORDS["zh"]["removed"])
    expect(skills).to_have_count(before - 1)
    check(page, "loop-zh-6-skill-removed")


def pdf_pages(page: Any) -> int:
    """How many A4 pages the page prints on (Chromium's own PDF, with the page's print CSS)."""
    data = page.pdf(format="A4", prefer_css_page_size=True)
    return data.count(b"/Type /Page") - data.count(b"/Type /Pages")


def test_a_typical_plan_prints_on_one_a4_page(new_context: Any, counsellor: tuple[str, str]) -> None:
    """Goal plus eight dated steps, agreed: the counsellor's print page and the job seeker's plan page each fit
    one A4 sheet."""
    seeker = new_context(DESKTOP).new_page()
    seeker.goto("/?lang=zh")
    for message in STORY["zh"]:
        say(seeker, message)
    cid = conversation_id(seeker.evaluate("() => sessionStorage.getItem('skillpath.session')"))
    staff = new_context(DESKTOP).new_page()
    log_in(staff, counsellor)
    staff.goto(f"/counsellor/sessions/{cid}")
    top = staff.locator(".suggestion-occupation").first
    top.locator("button[value=approved]").click()
    staff.fill("#plan-suggestion-date", "2027-01-01")
    staff.click("#plan fieldset:has(#plan-suggestion) button[type=submit]")
    steps = [("learn", "参加焊工安全操作培训"), ("certify", "报名焊工职业技能等级认定（初级）"), ("apply", "向湖州的学徒岗位投递申请"),
             ("meet", "与指导员面谈，复盘申请进展"), ("learn", "自学识图基础课程"), ("apply", "申请培训补贴"),
             ("meet", "参加企业开放日"), ("certify", "取得特种作业操作证")]
    for n, (action, text) in enumerate(steps, 1):
        staff.select_option("#plan-step-action", action)
        staff.fill("#plan-step-text", text)
        staff.fill("#plan-step-date", f"2027-{n + 1:02d}-15")
        staff.click("#plan fieldset:has(#plan-step-text) button[type=submit]")
        expect(staff.locator("#form-done")).to_be_visible()
    staff.click("text=标记为已与求职者确认")
    staff.goto(f"/counsellor/sessions/{cid}/plan")
    expect(staff.locator("table.plan-table tbody tr")).to_have_count(8)
    assert pdf_pages(staff) == 1
    staff.emulate_media(media="print")
    picture(staff, "loop-zh-7-plan-print-paper")

    say(seeker, "好的")
    seeker.click("#plan-link")
    seeker.wait_for_url(f"**/plan/{cid}*")
    expect(seeker.locator(".plan-agreed")).to_contain_text("与指导员确认的计划")
    expect(seeker.locator(".agreed-steps li")).to_have_count(8)
    assert pdf_pages(seeker) == 1
    seeker.emulate_media(media="print")
    picture(seeker, "loop-zh-8-seeker-plan-paper")
