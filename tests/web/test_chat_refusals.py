"""A message the API refuses (400): the chat page says why in the person's language and keeps what they wrote."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.web.conftest import REPLY_TIMEOUT_MS
from tests.web.test_chat_page import REPLIES, expect, say, session_id
from tests.helpers import conversation_id, key_headers

pytestmark = [pytest.mark.slow, pytest.mark.browser]
HALF = "[HALF]"


@pytest.mark.parametrize(
    ("lang", "typed", "shown"),
    [
        ("zh", "电焊" * 1001, "这条消息太长了（最多 2000 个字）。请分几次简短地发送。你写的内容还在输入框里。"),
        ("en", "x" * 2001, "That message is too long (at most 2000 characters). Please send it in a few shorter parts; "
                           "what you wrote is still in the box."),
        # Half an emoji (a lone surrogate, added by the page's JavaScript below), as a cut-and-paste can leave:
        # JSON.stringify sends it as \ud83d.
        ("zh", "我会电焊" + HALF, "这条消息无法发送，里面可能有无法保存的字符。请修改后再试。你写的内容还在输入框里。"),
        ("en", "I weld" + HALF, "That message could not be sent: it may hold characters that cannot be saved. "
                               "Please change it and try again; what you wrote is still in the box."),
    ],
    ids=["too long zh", "too long en", "lone surrogate zh", "lone surrogate en"],
)
def test_a_refused_message_is_explained_and_kept(page: Any, api: httpx.Client, lang: str, typed: str,
                                                  shown: str) -> None:
    page.goto(f"/?lang={lang}")
    say(page, "同意" if lang == "zh" else "I agree")
    sid = session_id(page)
    before = api.get(f"/api/chat/{conversation_id(sid)}", headers=key_headers(sid)).json()["messages"]
    # Set by the page's JavaScript: a lone surrogate cannot travel from Python to the browser as text.
    page.evaluate("text => { document.getElementById('chat-input').value = text.replace('[HALF]', '\\ud83d'); }",
                  typed)
    expected = page.eval_on_selector("#chat-input", "el => el.value")
    page.press("#chat-input", "Enter")
    expect(page.locator("#chat-error")).to_have_text(shown, timeout=REPLY_TIMEOUT_MS)
    assert page.eval_on_selector("#chat-input", "el => el.value") == expected  # what they wrote, still there
    expect(page.locator(".msg-user")).to_have_count(1)  # the refused message was taken back out of the log
    expect(page.locator(REPLIES)).to_have_count(2)
    assert api.get(f"/api/chat/{conversation_id(sid)}",
                   headers=key_headers(sid)).json()["messages"] == before  # nothing stored, nothing lost
