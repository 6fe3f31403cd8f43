"""The job seeker's data controls in a real browser: "Download my data" gives the stored conversation as a file,
a refusal for sending too fast is said kindly with the message kept, and nothing breaks the content security policy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.web.conftest import REPLY_TIMEOUT_MS
from tests.web.test_chat_page import REPLIES, expect, say, session_id
from tests.helpers import KEY_HEADER, conversation_id, key_headers

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def watch_policy(page: Any) -> list[str]:
    """Every content-security-policy refusal the page reports, as the browser words it."""
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    return refused


@pytest.mark.parametrize(("lang", "agree", "link"), [("zh", "同意", "下载我的数据"), ("en", "I agree", "Download my data")])
def test_download_my_data(page: Any, lang: str, agree: str, link: str) -> None:
    refused = watch_policy(page)
    page.goto(f"/?lang={lang}")
    expect(page.locator("#export-link")).to_be_hidden()  # nothing said, nothing stored
    say(page, agree)
    sid = session_id(page)
    export = page.locator("#export-link")
    expect(export).to_be_visible()
    expect(export).to_have_text(link)
    expect(export).to_have_attribute("href", f"/api/chat/{conversation_id(sid)}/export")  # the key goes in a header
    with page.expect_download() as info:
        export.click()
    download = info.value
    assert download.suggested_filename == f"skillpath-{sid[:8]}.json"
    with open(download.path(), encoding="utf-8") as fh:
        document = json.load(fh)
    assert document["conversation"]["id"] == conversation_id(sid) and document["conversation"]["consent"] is True
    assert [m["text"] for m in document["messages"] if m["role"] == "user"] == [agree]
    page.goto(f"/plan/{conversation_id(sid)}?lang={lang}#key={key_headers(sid)[KEY_HEADER]}")  # and the plan page
    expect(page.locator("#plan-profile")).to_be_visible()  # opened with its key, also under the policy
    assert refused == []


@pytest.mark.parametrize(
    ("lang", "message", "shown"),
    [("zh", "你好", "消息发得太快了，请等 7 秒再发送。你写的内容还在输入框里。"),
     ("en", "Hello", "Too many messages in a short time: please wait 7 seconds and send it again. "
                     "What you wrote is still in the box.")],
)
def test_sending_too_fast_is_said_kindly(page: Any, lang: str, message: str, shown: str) -> None:
    page.goto(f"/?lang={lang}")
    page.route("**/api/chat", lambda route: route.fulfill(
        status=429, headers={"Retry-After": "7", "Content-Type": "application/json"},
        body=json.dumps({"error": "RateLimited", "detail": "too many messages in this conversation; wait 7 s"})))
    page.fill("#chat-input", message)
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-error")).to_have_text(shown, timeout=REPLY_TIMEOUT_MS)
    expect(page.locator("#chat-input")).to_have_value(message)  # nothing lost: it can be sent again
    expect(page.locator(REPLIES)).to_have_count(1)  # only the greeting
    expect(page.locator("#chat-log .msg-user")).to_have_count(0)


def test_the_browser_enforces_the_policy(page: Any) -> None:
    """An injected inline script does not run, and the watcher above hears the refusal."""
    refused = watch_policy(page)
    page.goto("/?lang=zh")
    page.evaluate("""() => {
        const s = document.createElement("script");
        s.textContent = "window.injected = true";
        document.body.appendChild(s);
    }""")
    expect(page.locator("#chat-input")).to_be_visible()
    assert page.evaluate("() => window.injected") is None
    assert refused and "script-src 'self'" in refused[0], refused
