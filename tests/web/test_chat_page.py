"""The job-seeker's chat in a real browser: whole conversations, keyboard use, language switch, plan, deletion, axe."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.web.conftest import REPLY_TIMEOUT_MS, assert_accessible, screenshot
from tests.helpers import KEY_HEADER, conversation_id, key_headers

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# With a stated goal the welder is among the occupations shown whatever the test embedder, so the apprenticeship that
# trains for it is offered (offers must lead to an occupation shown) and the pathway has its four steps.
WELDING_ZH = "我在工厂做了三年电焊，会看图纸，想做焊工，想在湖州找个能拿工资的学徒岗位"
WELDING_EN = ("I did welding in a factory for three years, I can read drawings, I want to become a welder, "
              "and I want a paid apprenticeship in Huzhou")
LOG = "#chat-log[role=log][aria-live=polite]"  # the live region: replies added here are announced
REPLIES = f"{LOG} .msg-assistant"


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def say(page: Any, text: str) -> Any:
    """Type a message, press Enter, wait for the reply in the live region; returns the reply's element."""
    replies = page.locator(REPLIES)
    before = replies.count()
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")
    expect(replies).to_have_count(before + 1, timeout=REPLY_TIMEOUT_MS)
    expect(page.locator("#chat-input")).to_have_value("")
    return replies.last


def session_id(page: Any) -> str:
    """The conversation's handle ("<id>.<key>") as the chat page keeps it."""
    sid = page.evaluate("() => sessionStorage.getItem('skillpath.session')")
    assert sid, "the session id is kept in sessionStorage"
    assert page.evaluate("() => localStorage.length") == 0, "nothing goes to localStorage"
    return sid


def sources(reply: Any, kind: str) -> list[str]:
    return reply.locator(f".card-{kind} .card-source").all_inner_texts()


@pytest.mark.parametrize(
    ("lang", "turns", "texts"),
    [
        ("zh", ["你好", "同意", WELDING_ZH, "对", "好的"],
         {"consent": "同意吗", "skills": "你的技能", "occupations": "推荐的职业", "offers": "学徒岗位和培训",
          "steps": "学习路径", "sample": "示例", "plan": "我的职业发展计划", "deleted": "已删除"}),
        ("en", ["Hello", "I agree", WELDING_EN, "yes", "yes please, show me a learning pathway"],
         {"consent": "Do you agree", "skills": "Your skills", "occupations": "Suggested occupations",
          "offers": "Apprenticeships and training", "steps": "Learning pathway", "sample": "Sample",
          "plan": "My career plan", "deleted": "Deleted"}),
    ],
)
def test_whole_conversation_plan_and_deletion(page: Any, api: httpx.Client, lang: str, turns: list[str],
                                              texts: dict[str, str]) -> None:
    page.goto(f"/?lang={lang}")
    expect(page.locator("#consent")).to_have_attribute("open", "")  # what is kept, shown before anything is said
    first = say(page, turns[0])
    expect(first).to_contain_text(texts["consent"])
    expect(page.locator("#plan-link")).to_be_hidden()  # no consent yet: nothing to save
    say(page, turns[1])
    expect(page.locator("#consent")).not_to_have_attribute("open", "")  # agreed: the notice folds away
    skills = say(page, turns[2])
    expect(skills.locator(".cards-heading")).to_have_text([texts["skills"]])
    assert len(sources(skills, "skill")) == 2 and all(s.strip() for s in sources(skills, "skill"))

    recommended = say(page, turns[3])
    expect(recommended.locator(".cards-heading")).to_have_text([texts["occupations"], texts["offers"]])
    occupations = sources(recommended, "occupation")
    # Each occupation cites its taxonomy and code (CSCO 6-18-02-04) or its ESCO concept.
    assert occupations and all(re.search(r"\d-\d\d-\d\d-\d\d|ESCO", s) for s in occupations), occupations
    offers = recommended.locator(".card-apprenticeship")
    assert offers.count() >= 1
    expect(offers.first.locator(".badge.sample")).to_contain_text(texts["sample"])
    assert all(s.strip() for s in sources(recommended, "apprenticeship"))

    pathway = say(page, turns[4])
    expect(pathway.locator(".cards-heading")).to_have_text([texts["steps"]])
    steps = pathway.locator(".card-step")
    shown = steps.count()
    assert shown >= 2  # recognition … occupation; the steps between depend on the offers found
    assert all(s.strip() for s in sources(pathway, "step"))
    screenshot(page, f"chat-conversation-{lang}-desktop")

    sid = session_id(page)
    stored = api.get(f"/api/chat/{conversation_id(sid)}", headers=key_headers(sid)).json()
    assert stored["phase"] == "pathway" and len(stored["messages"]) == 8  # from the consent turn on

    # The plan opens in the same tab and shows the pathway with its citations.
    expect(page.locator("#plan-link")).to_be_visible()
    page.click("#plan-link")
    expect(page.locator("h1")).to_have_text(texts["plan"])
    expect(page.locator("#plan-pathway + ol .card-step")).to_have_count(shown)
    expect(page.locator("#print-plan")).to_be_visible()
    assert page.evaluate("() => window.print !== undefined")

    # Back to the chat: the conversation is restored from the store; then delete it.
    page.go_back()
    expect(page.locator(REPLIES)).to_have_count(5)  # the greeting plus the four replies stored after consent
    page.click("#delete-open")
    expect(page.locator("#delete-confirm")).to_be_visible()
    expect(page.locator("#delete-confirm")).to_be_focused()
    page.click("#delete-yes")
    expect(page.locator("#delete-done")).to_contain_text(texts["deleted"])
    expect(page.locator("#delete-done")).to_be_focused()
    assert page.evaluate("() => sessionStorage.getItem('skillpath.session')") is None
    expect(page.locator(REPLIES)).to_have_count(1)
    assert api.get(f"/api/chat/{conversation_id(sid)}", headers=key_headers(sid)).status_code == 404  # really gone
    assert api.get(f"/plan/{conversation_id(sid)}", headers=key_headers(sid)).status_code == 404


def test_keyboard_only(page: Any) -> None:
    page.goto("/?lang=zh")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    for _ in range(30):  # Tab until the message box has the focus
        if page.evaluate("() => document.activeElement.id") == "chat-input":
            break
        page.keyboard.press("Tab")
    expect(page.locator("#chat-input")).to_be_focused()
    page.keyboard.type("第一行")
    page.keyboard.press("Shift+Enter")  # a new line, not a send
    page.keyboard.type("第二行")
    expect(page.locator("#chat-input")).to_have_value("第一行\n第二行")
    expect(page.locator(".msg-user")).to_have_count(0)
    page.fill("#chat-input", "你好")
    page.keyboard.press("Enter")
    expect(page.locator(REPLIES)).to_have_count(2, timeout=REPLY_TIMEOUT_MS)
    expect(page.locator("#chat-input")).to_be_focused()  # ready for the next message
    # A quick reply from the keyboard: Shift+Tab back to the chips, Enter on "同意".
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement.dataset.say") == "同意":
            break
    expect(page.locator("#suggestions button[data-say=同意]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(REPLIES)).to_have_count(3, timeout=REPLY_TIMEOUT_MS)
    expect(page.locator(REPLIES).last).to_contain_text("谢谢")
    expect(page.locator("#chat-input")).to_be_focused()


def test_language_switch_keeps_the_conversation(page: Any) -> None:
    page.goto("/")
    assert page.get_attribute("html", "lang") == "zh-CN"
    say(page, "同意")
    page.click("[data-lang-switch=en]")
    page.wait_for_url("**/?lang=en")
    assert page.get_attribute("html", "lang") == "en"
    expect(page.locator("h1")).to_have_text("Find work, learn skills: let's talk")
    expect(page.locator(".msg-user")).to_have_count(1)  # restored from the store after the reload
    expect(page.locator("#chat-status")).to_contain_text("restored")
    reply = say(page, "I worked as a security guard for two years")
    expect(reply.locator(".msg-text")).to_contain_text("security")  # the chat now sends lang=en
    page.click("[data-lang-switch=zh]")
    page.wait_for_url("**/?lang=zh")
    expect(page.locator("#chat-send")).to_have_text("发送")


def test_without_javascript_the_page_says_so(new_context: Any) -> None:
    tab = new_context(java_script_enabled=False).new_page()
    tab.goto("/?lang=zh")
    expect(tab.locator("noscript, .notice").filter(has_text="JavaScript").first).to_be_visible()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_are_accessible_and_pictured(page: Any, phone_page: Any, api: httpx.Client, lang: str) -> None:
    sid = None
    welding = WELDING_ZH if lang == "zh" else WELDING_EN
    for message in (["同意", welding, "对"] if lang == "zh" else ["I agree", welding, "yes"]):
        sid = api.post("/api/chat", json={"session_id": sid, "message": message, "lang": lang}).json()["session_id"]
    for tab, size in ((page, "desktop"), (phone_page, "phone")):
        tab.goto(f"/?lang={lang}")
        screenshot(tab, f"chat-start-{lang}-{size}")
        assert_accessible(tab, f"chat-start-{lang}-{size}")
        tab.goto(f"/plan/{conversation_id(sid)}?lang={lang}#key={key_headers(sid)[KEY_HEADER]}")
        expect(tab.locator("#plan-pathway")).to_be_visible()
        screenshot(tab, f"plan-{lang}-{size}")
        assert_accessible(tab, f"plan-{lang}-{size}")
    # The chat with cards on a phone: restore the conversation into this tab's sessionStorage.
    phone_page.goto(f"/?lang={lang}")
    phone_page.evaluate("sid => sessionStorage.setItem('skillpath.session', sid)", sid)
    phone_page.reload()
    expect(phone_page.locator(".card-occupation").first).to_be_visible()
    screenshot(phone_page, f"chat-cards-{lang}-phone")
    assert_accessible(phone_page, f"chat-cards-{lang}-phone")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_is_small_and_local(page: Any, web_server: str, lang: str) -> None:
    """Everything comes from this server (no CDN, no web fonts) and the whole page stays small for slow phones."""
    sizes: dict[str, int] = {}
    page.on("requestfinished", lambda r: sizes.__setitem__(r.url, sum(r.sizes()[k] for k in (
        "responseBodySize", "responseHeadersSize"))))
    page.goto(f"/?lang={lang}", wait_until="networkidle")
    assert sizes and all(url.startswith(web_server) for url in sizes), sorted(sizes)
    total = sum(sizes.values())
    print(f"/?lang={lang}: {total} bytes in {len(sizes)} requests: {sizes}")
    assert total < 60_000, sizes
