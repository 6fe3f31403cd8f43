"""Personal data stays personal, in a real browser, in Chinese and English: the chat shows its case code; a plan
address opened without its key (by someone it was passed to) shows nothing personal, and neither do the chat's
read, export, delete and turn requests made with the id alone from that browser; the person's own link still opens
the plan; a counsellor finds the case by its code. Screenshots of each step in test-artifacts/screenshots."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.helpers import conversation_id, key_headers
from tests.web.conftest import Served, assert_accessible, screenshot
from tests.web.test_chat_page import WELDING_EN, WELDING_ZH, expect, say, session_id

pytestmark = [pytest.mark.slow, pytest.mark.browser]

COUNSELLOR = ("wang.counsellor", "wang-counsels-2026!", "王老师")
TEXTS = {
    "zh": {"agree": "同意", "welding": WELDING_ZH, "yes": "对",
           "locked": "这个计划只能在生成它的浏览器里打开",
           "plan": "我的职业发展计划", "about": "关于你", "code": "案件编号"},
    "en": {"agree": "I agree", "welding": WELDING_EN, "yes": "yes",
           "locked": "This plan opens only in the browser where it was made", "plan": "My career plan",
           "about": "About you", "code": "Case code"},
}
CODE = re.compile(r"[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}")
PERSONAL = ("电焊", "湖州", "welding", "Huzhou", "About you", "关于你")


def _nothing_personal(text: str) -> None:
    found = [word for word in PERSONAL if word in text]
    assert not found, f"personal words on a page opened without the key: {found}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_plan_link_without_its_key_shows_nothing_personal(page: Any, new_context: Any, lang: str) -> None:
    t = TEXTS[lang]
    page.goto(f"/?lang={lang}")
    for message in (t["agree"], t["welding"], t["yes"]):
        say(page, message)
    handle = session_id(page)
    cid = conversation_id(handle)
    expect(page.locator("#case-code")).to_be_visible()
    code = page.locator("#case-code-value").inner_text()
    assert CODE.fullmatch(code), code
    screenshot(page, f"privacy-1-chat-with-case-code-{lang}")

    # The person's own link carries the key after "#": the plan opens, and the key leaves the address bar.
    href = page.locator("#plan-link").get_attribute("href") or ""
    assert href.startswith(f"/plan/{cid}?lang={lang}#key=") and handle.partition(".")[2] in href
    page.click("#plan-link")
    expect(page.locator("#plan-profile")).to_be_visible()
    expect(page.locator(".plan-header .case-code")).to_contain_text(code)
    assert "#key=" not in page.url and page.url.endswith(f"/plan/{cid}?lang={lang}")
    screenshot(page, f"privacy-2-own-plan-{lang}")
    assert_accessible(page, f"privacy-own-plan-{lang}")

    # Someone the address was passed to (another browser): the id alone, then with a wrong key.
    strangers = new_context()
    for suffix, step in (("", "3-plan-link-alone"), ("#key=guessed-key", "4-plan-link-wrong-key")):
        stranger = strangers.new_page()  # a fresh tab: a change of "#" alone would not load the page again
        if suffix:  # the page's script tries the key from the address: wait for its answer
            with stranger.expect_response(lambda r: r.request.headers.get("x-conversation-key") is not None) as tried:
                response = stranger.goto(f"/plan/{cid}?lang={lang}{suffix}")
            assert tried.value.status == 404
        else:
            response = stranger.goto(f"/plan/{cid}?lang={lang}")
        assert response is not None and response.status == 404
        expect(stranger.locator("#plan-locked")).to_have_text(re.compile(re.escape(t["locked"])))
        expect(stranger.locator("h1")).to_have_text(t["plan"])
        _nothing_personal(stranger.content())
        screenshot(stranger, f"privacy-{step}-{lang}")
    assert_accessible(stranger, f"privacy-plan-locked-{lang}")

    # The chat's requests with the id alone, from that browser: each answers as for an unknown id.
    unknown = f"session_id: no conversation '{cid}' (it may have been deleted)"
    request = stranger.context.request
    answers = {
        "read": request.get(f"/api/chat/{cid}"),
        "export": request.get(f"/api/chat/{cid}/export"),
        "delete": request.delete(f"/api/chat/{cid}"),
        "turn": request.post("/api/chat", data={"session_id": cid, "message": "我还会开叉车"}),
        "turn with a wrong key": request.post("/api/chat", data={"session_id": f"{cid}.guessed", "message": "hi"}),
    }
    for name, res in answers.items():
        assert res.status == 404, (name, res.status)
        assert res.json() == {"error": "NotFoundError", "detail": unknown}, name
        _nothing_personal(res.text())
    stranger.goto(f"/api/chat/{cid}")  # what the browser shows for the read request: the 404 and nothing else
    _nothing_personal(stranger.content())
    screenshot(stranger, f"privacy-5-api-with-id-alone-{lang}")

    # Nothing was changed by them: the person's chat restores the whole conversation, case code included.
    page.goto(f"/?lang={lang}")
    expect(page.locator("#chat-log .msg-user")).to_have_count(3)
    expect(page.locator("#case-code-value")).to_have_text(code)
    screenshot(page, f"privacy-6-chat-restored-{lang}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_counsellor_finds_the_case_by_its_code(page: Any, api: httpx.Client, served: Served, lang: str) -> None:
    t = TEXTS[lang]
    handle = None
    for message in (t["agree"], t["welding"]):
        res = api.post("/api/chat", json={"session_id": handle, "message": message, "lang": lang})
        assert res.status_code == 200, res.text
        handle = res.json()["session_id"]
    assert handle
    code = api.get(f"/api/chat/{conversation_id(handle)}", headers=key_headers(handle)).json()["case_code"]
    assert CODE.fullmatch(code), code

    username, password, display = COUNSELLOR
    served.add_user(username, "counsellor", password, display_name=display)
    page.goto(f"/login?lang={lang}")
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/counsellor")
    page.goto(f"/counsellor?scope=all&lang={lang}")  # a case nobody has taken yet
    typed = code.replace("-", " ").lower()  # as someone reads it out over the counter
    page.fill("#search-q", typed)
    page.locator("#search-q").press("Enter")
    page.wait_for_url(re.compile(r".*[?&]q="))
    row = page.locator(f'table.sessions a[href="/counsellor/sessions/{conversation_id(handle)}"]')
    expect(row).to_have_count(1)
    expect(page.locator("table.sessions .case-code").first).to_contain_text(code)
    screenshot(page, f"privacy-7-console-found-by-code-{lang}")
    row.click()
    expect(page.locator("#case-code")).to_have_text(code)
    expect(page.locator(".case-head")).to_contain_text(t["code"])
    screenshot(page, f"privacy-8-console-case-page-{lang}")
