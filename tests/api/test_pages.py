"""The job-seeker's pages as HTML: the chat at / and the printable plan at /plan/{id} (the browser tests drive them)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.config import Settings
from tests.conftest import IndexedHome
from tests.helpers import KEY_HEADER, conversation_id, key_headers

HTML = {"accept": "text/html"}
# With a stated goal the welder is among the occupations shown whatever the test embedder, so the apprenticeship that
# trains for it is offered (offers must lead to an occupation shown) and the pathway has its four steps.
WELDING = {"zh": "我在工厂做了三年电焊，会看图纸，想做焊工，想在湖州找个能拿工资的学徒岗位",
           "en": "I did welding in a factory for three years, I can read drawings, I want to become a welder, "
                 "and I want a paid apprenticeship in Huzhou"}
AGREE = {"zh": "同意", "en": "I agree"}
YES = {"zh": "对", "en": "yes"}


@pytest.fixture(scope="module")
def client(indexed_home: IndexedHome, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    home = tmp_path_factory.mktemp("pages") / "home"
    shutil.copytree(indexed_home.home, home)
    settings = Settings.from_env({**indexed_home.env, "SKILLPATH_HOME": str(home)})
    with TestClient(create_app(settings)) as c:
        yield c


def conversation(client: TestClient, lang: str, *messages: str) -> str:
    session = None
    for message in messages:
        res = client.post("/api/chat", json={"session_id": session, "message": message, "lang": lang})
        assert res.status_code == 200, res.text
        session = res.json()["session_id"]
    assert session
    return session


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh", ['<html lang="zh-CN">', '<label for="chat-input">你的消息</label>', "你同意吗？", "删除我的数据",
                'data-say="同意"', "需要开启 JavaScript"]),
        ("en", ['<html lang="en">', '<label for="chat-input">Your message</label>', "Do you agree?",
                "Delete my data", 'data-say="I agree"', "This chat needs JavaScript"]),
    ],
)
def test_chat_page(client: TestClient, lang: str, expected: list[str]) -> None:
    res = client.get(f"/?lang={lang}", headers=HTML)
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/html")
    body = res.text
    for text in expected:
        assert text in body, text
    assert re.search(r'id="chat-log"[^>]*role="log"[^>]*aria-live="polite"', body)
    assert "<noscript>" in body and 'id="consent"' in body
    # Every script and stylesheet is served from here: no CDN, no web fonts.
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', body)
    assert assets and all(a.startswith("http://testserver/static/") for a in assets), assets


def test_chat_page_assets_are_served(client: TestClient) -> None:
    for path in ("/static/css/site.css", "/static/css/chat.css", "/static/js/chat.js", "/static/js/plan.js"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh", ["我的职业发展计划", "关于你", "学习路径", "推荐的职业", "学徒岗位和培训", "第 1 步", "示例", "湖州市",
                "国家职业分类大典（2022年版）", "打印或另存为 PDF"]),
        ("en", ["My career plan", "About you", "Learning pathway", "Suggested occupations", "Step 1", "Sample",
                "Print or save as PDF"]),
    ],
)
def test_plan_page(client: TestClient, lang: str, expected: list[str]) -> None:
    session = conversation(client, lang, AGREE[lang], WELDING[lang], YES[lang])
    res = client.get(f"/plan/{conversation_id(session)}?lang={lang}", headers={**HTML, **key_headers(session)})
    assert res.status_code == 200, res.text
    for text in expected:
        assert text in res.text, text
    assert res.headers["cache-control"] == "no-store" and res.headers["referrer-policy"] == "no-referrer"
    # The pathway kept with the recommendations is in the plan before the person asked for it: every step cited.
    pathway = res.text.split('id="plan-pathway"')[1].split("</section>")[0]
    steps = pathway.count('class="card card-step"')
    assert steps >= 2 and pathway.count('class="card-source"') == steps


def test_plan_without_consent_shows_nothing(client: TestClient) -> None:
    session = conversation(client, "zh", "你好")
    res = client.get(f"/plan/{conversation_id(session)}?lang=zh", headers={**HTML, **key_headers(session)})
    assert res.status_code == 200 and "你还没有同意保存信息" in res.text and "关于你" not in res.text


@pytest.mark.parametrize(("lang", "message"), [("zh", "这个计划只能在生成它的浏览器里打开"),
                                               ("en", "This plan opens only in the browser where it was made")])
def test_plan_for_an_unknown_conversation_is_the_locked_404_page(client: TestClient, lang: str, message: str) -> None:
    res = client.get(f"/plan/nope?lang={lang}", headers=HTML)
    assert res.status_code == 404 and res.headers["content-type"].startswith("text/html")
    assert message in res.text and 'id="plan-locked"' in res.text and "nope" not in res.text


@pytest.mark.parametrize("key", [None, "not-its-key"])
def test_plan_without_its_key_is_the_same_page_as_an_unknown_one(client: TestClient, key: str | None) -> None:
    session = conversation(client, "zh", "同意", WELDING["zh"])
    sid = conversation_id(session)
    res = client.get(f"/plan/{sid}?lang=zh", headers={**HTML, **({KEY_HEADER: key} if key else {})})
    unknown = client.get("/plan/0123456789abcdef0123456789abcdef?lang=zh", headers=HTML)
    assert res.status_code == unknown.status_code == 404
    assert res.text == unknown.text  # nothing tells a known id from an unknown one
    assert "电焊" not in res.text and "关于你" not in res.text


def test_plan_after_deletion_is_a_404_page(client: TestClient) -> None:
    session = conversation(client, "zh", "同意", WELDING["zh"])
    opened = {**HTML, **key_headers(session)}
    assert client.get(f"/plan/{conversation_id(session)}", headers=opened).status_code == 200
    assert client.delete(f"/api/chat/{conversation_id(session)}", headers=key_headers(session)).status_code == 204
    assert client.get(f"/plan/{conversation_id(session)}", headers=opened).status_code == 404


def test_a_plan_right_after_consent_opens(client: TestClient) -> None:
    """Nothing said yet but "同意": the profile is empty, and the page says so rather than failing."""
    session = conversation(client, "zh", "同意")
    res = client.get(f"/plan/{conversation_id(session)}?lang=zh", headers={**HTML, **key_headers(session)})
    assert res.status_code == 200, res.text[-500:]
    assert "关于你" in res.text and "还没有记录。" in res.text
