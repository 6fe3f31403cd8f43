"""The counsellor console over HTTP: a job seeker chats, a counsellor finds the session, reviews, notes, plans,
exports (print page and .docx) and hands it over; other roles are refused."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import docx
import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.accounts.service import Accounts
from assistant.api.app import create_app
from assistant.config import Settings
from assistant.store.db import make_engine, make_sessionmaker
from tests.accounts.helpers import cheap_hashing
from tests.conftest import IndexedHome
from tests.helpers import conversation_id

HTML = {"accept": "text/html"}
WELDING_ZH = "我在工厂做了三年电焊，会看图纸，想在湖州找个能拿工资的学徒岗位"
# With a stated goal the welder is among the occupations shown whatever the test embedder, so the apprenticeship
# that trains for it is offered (offers must lead to an occupation shown).
WELDER_ZH = "我在工厂做了三年电焊，会看图纸，想做焊工，想在湖州找个能拿工资的学徒岗位"
PASSWORDS = {"ada": "ada-counsels-2026", "bo": "bo-counsels-2026!", "cy": "cy-counsels-2026!", "olu": "olu-operates-2026"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def app(copy_indexed_home: IndexedHome, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    """The app on a private indexed home with four staff accounts; cookies without Secure (plain-http TestClient)."""
    cheap_hashing(monkeypatch)
    settings = Settings.from_env({**copy_indexed_home.env, "SKILLPATH_COOKIE_SECURE": "0"})
    engine = make_engine(settings.database_url)
    accounts = Accounts(make_sessionmaker(engine))
    for name, role, display in (("ada", "counsellor", "李老师"), ("bo", "counsellor", "王老师"),
                                ("cy", "counsellor", "陈老师"), ("olu", "operator", "Olu")):
        accounts.add_user(name, role, PASSWORDS[name], display_name=display, via="cli")
    accounts.deactivate("cy", via="cli")
    engine.dispose()
    application = create_app(settings)
    with TestClient(application):  # runs the lifespan once; the clients below share its state
        yield application


def token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


@pytest.fixture
def login(app: FastAPI) -> Callable[[str], TestClient]:
    """A browser-like client logged in as `username` through the login form."""
    def make(username: str) -> TestClient:
        client = TestClient(app, follow_redirects=False)
        page = client.get("/login", headers=HTML)
        res = client.post("/login", data={"username": username, "password": PASSWORDS[username], "next": "",
                                          "csrf_token": token(page.text)}, headers=HTML)
        assert res.status_code == 303, res.text
        return client

    return make


HANDLES: dict[str, str] = {}  # conversation id → the handle its job seeker holds (id and key)


def chat(app: FastAPI, *messages: str, session: str | None = None) -> str:
    """The job seeker says these messages (going on with conversation `session`); returns the conversation's id."""
    seeker = TestClient(app)  # the job seeker: no login
    handle = HANDLES.get(session) if session else None
    for message in messages:
        res = seeker.post("/api/chat", json={"session_id": handle, "message": message})
        assert res.status_code == 200, res.text
        handle = res.json()["session_id"]
    assert handle is not None
    HANDLES[conversation_id(handle)] = handle
    return conversation_id(handle)


def post(client: TestClient, path: str, page: str, **data: str) -> httpx.Response:
    return client.post(path, data={"csrf_token": token(page), **data}, headers=HTML)


def form_values(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]*)"', html)


def test_a_counsellor_works_a_case_from_list_to_export(app: FastAPI, login: Callable[[str], TestClient]) -> None:
    sid = chat(app, "你好", "同意", WELDER_ZH, "对", "好的")
    ada = login("ada")

    # The list: not in "mine" yet, found under "all" by words the job seeker said and by the session number.
    mine = ada.get("/counsellor", headers=HTML)
    assert mine.status_code == 200 and "目前没有分给你的会话" in mine.text and sid[:8] not in mine.text
    for query in ("q=电焊", f"q={sid[:6]}", "q=湖州+图纸&phase=pathway", "assigned=-"):
        found = ada.get(f"/counsellor?scope=all&{query}", headers=HTML)
        assert f'href="/counsellor/sessions/{sid}"' in found.text, query
    assert sid not in ada.get("/counsellor?scope=all&q=护士", headers=HTML).text

    # The session: messages, skills with the person's words and their taxonomy anchor, suggestions with sources.
    page = ada.get(f"/counsellor/sessions/{sid}", headers=HTML)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page.text
    assert WELDER_ZH in text and "“电焊”" in text and "国家职业分类大典（2022年版）" in text
    assert "求职者已确认" in text and 'data-poll="/api/counsellor/sessions/' in text
    assert '<th scope="col">求职者的原话</th>' in text
    kinds = form_values(text, "kind")
    refs = form_values(text, "ref")
    assert {"occupation", "apprenticeship", "step"} <= set(kinds)
    apprenticeship = refs[kinds.index("apprenticeship")]

    # Confirm a skill, approve a suggestion with a note, add a note, build the plan, agree it.
    skill = form_values(text, "skill_id")[0]
    res = post(ada, f"/counsellor/sessions/{sid}/skills", text, action="confirm", skill_id=skill)
    assert res.status_code == 303 and res.headers["location"] == f"/counsellor/sessions/{sid}?done=skill_confirm#profile"
    res = post(ada, f"/counsellor/sessions/{sid}/reviews", text, kind="apprenticeship", ref=apprenticeship,
               decision="approved", note="离家近，带薪")
    assert res.headers["location"].endswith("?done=review_approved#suggestions")
    post(ada, f"/counsellor/sessions/{sid}/notes", text, text="第一次面谈：有三年电焊经验。")
    res = post(ada, f"/counsellor/sessions/{sid}/plan", text, action="add_suggestion",
               suggestion=f"apprenticeship|{apprenticeship}", target_date="2027-03-01")
    assert res.status_code == 303
    post(ada, f"/counsellor/sessions/{sid}/plan", text, action="add_step", text="带身份证去人社局报名",
         target_date="2027-01-15", step_action="meet")
    page = ada.get(f"/counsellor/sessions/{sid}?done=plan_add", headers=HTML).text
    assert page.index("带身份证去人社局报名") < page.index("2027-03-01")  # steps go by date, not as added
    post(ada, f"/counsellor/sessions/{sid}/plan", page, action="agree")
    page = ada.get(f"/counsellor/sessions/{sid}", headers=HTML).text
    assert "指导员已确认" in page and "离家近，带薪" in page and "第一次面谈：有三年电焊经验。" in page
    assert "已与求职者确认" in page and len(form_values(page, "item_id")) == 2

    # Exports: the print page and the Word document, both in the job seeker's language, with sources.
    printed = ada.get(f"/counsellor/sessions/{sid}/plan", headers=HTML)
    assert printed.status_code == 200 and printed.headers["cache-control"] == "no-store"
    for words in ("就业指导行动计划", "李老师 (ada)", "带身份证去人社局报名", '<time datetime="2027-01-15">', "示例（示例数据",
                  "SkillPath 示例岗位和培训", '<th scope="col">依据和出处</th>', "data-print"):
        assert words in printed.text, words
    word = ada.get(f"/counsellor/sessions/{sid}/plan.docx")
    assert word.status_code == 200 and word.headers["content-type"] == DOCX
    assert word.headers["content-disposition"] == f'attachment; filename="skillpath-plan-{sid[:8]}.docx"'
    document = docx.Document(io.BytesIO(word.content))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "就业指导行动计划" and "指导员：李老师 (ada)" in paragraphs
    rows = [[c.text for c in r.cells] for r in document.tables[0].rows]
    assert rows[1][:3] == ["2027-01-15", "面谈", "带身份证去人社局报名"]
    assert rows[2][0].startswith("2027-03-01") and rows[2][1] == "申请" and "示例" in rows[2][3]

    # Hand over to a colleague, who then has it in their own list.
    res = post(ada, f"/counsellor/sessions/{sid}/handover", page, to="bo", note="他下周来面谈")
    assert res.headers["location"].endswith("?done=handover#handover")
    bo_list = login("bo").get("/counsellor", headers=HTML).text
    assert f'href="/counsellor/sessions/{sid}"' in bo_list and "王老师 (bo)" in bo_list
    assert sid not in ada.get("/counsellor", headers=HTML).text


@pytest.mark.parametrize(
    ("to", "status", "message"),
    [
        ("cy", 400, "无法移交给“cy”：该账号已停用。"),
        ("nobody", 400, "无法移交给“nobody”：没有这个账号。"),
        ("olu", 400, "无法移交给“olu”：只有指导员和管理员可以负责会话。"),
        ("bo", 303, None),
    ],
)
def test_handover_refusals_show_the_page_again_with_the_reason(
        app: FastAPI, login: Callable[[str], TestClient], to: str, status: int, message: str | None) -> None:
    sid = chat(app, "同意", WELDING_ZH)
    ada = login("ada")
    page = ada.get(f"/counsellor/sessions/{sid}", headers=HTML).text
    res = post(ada, f"/counsellor/sessions/{sid}/handover", page, to=to, note="请跟进")
    assert res.status_code == status
    if message:
        assert f'<p><strong>未能保存：</strong>{message}</p>' in res.text and 'role="alert"' in res.text
        assert 'value="请跟进"' in res.text  # what was typed is still there


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("reviews", {"kind": "occupation", "ref": "csco2022:9-99-99-99", "decision": "approved"},
         "Not saved: </strong>That suggestion is no longer among the latest recommendations."),
        ("notes", {"text": "  "}, "Not saved: </strong>The note is empty."),
        ("plan", {"action": "add_step", "text": "Visit the job centre", "target_date": "31/12/2026"},
         "Not saved: </strong>Target date “31/12/2026” is not a date (YYYY-MM-DD)."),
        ("plan", {"action": "explode"}, "Not saved: </strong>Unknown action."),
        ("skills", {"action": "confirm", "skill_id": "esco:gone"},
         "Not saved: </strong>That skill is no longer in the profile; the job seeker may have just removed it."),
    ],
)
def test_refused_forms_say_why_in_english(app: FastAPI, login: Callable[[str], TestClient], path: str,
                                         data: dict[str, str], message: str) -> None:
    sid = chat(app, "I agree", "I did welding in a factory for three years")
    ada = login("ada")
    page = ada.get(f"/counsellor/sessions/{sid}?lang=en", headers=HTML).text
    res = post(ada, f"/counsellor/sessions/{sid}/{path}", page, **data)
    assert res.status_code == 400 and message in res.text


def test_the_live_route_sends_new_messages_and_changed_regions(app: FastAPI,
                                                              login: Callable[[str], TestClient]) -> None:
    sid = chat(app, "同意", WELDING_ZH)
    ada = login("ada")
    page = ada.get(f"/counsellor/sessions/{sid}", headers=HTML).text
    version = re.search(r'data-version="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    after = int(re.search(r'data-after="(\d+)"', page).group(1))  # type: ignore[union-attr]
    quiet = ada.get(f"/api/counsellor/sessions/{sid}?after={after}&version={version}").json()
    assert (quiet["changed"], quiet["messages"], quiet["last_ordinal"]) == (False, [], after)
    chat(app, "我还会开叉车", session=sid)
    update = ada.get(f"/api/counsellor/sessions/{sid}?after={after}&version={version}")
    assert update.headers["cache-control"] == "no-store"
    body: dict[str, Any] = update.json()
    assert [m["role"] for m in body["messages"]] == ["user", "assistant"]
    assert body["messages"][0]["text"] == "我还会开叉车" and "我还会开叉车</p>" in body["messages"][0]["html"]
    assert body["changed"] and body["last_ordinal"] == after + 2 and body["phase_label"] == "确认技能"
    assert set(body["regions"]) == {"profile", "suggestions"}
    assert f'name="csrf_token" value="{token(page)}"' in body["regions"]["profile"]  # its forms still post
    chat(app, "<b>谢谢</b>", session=sid)
    marked = ada.get(f"/api/counsellor/sessions/{sid}?after={body['last_ordinal']}&version={body['version']}").json()
    assert "&lt;b&gt;谢谢&lt;/b&gt;" in marked["messages"][0]["html"]  # the person's words are text, never markup


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/counsellor"), ("GET", "/counsellor/sessions/{sid}"), ("GET", "/api/counsellor/sessions/{sid}"),
     ("GET", "/counsellor/sessions/{sid}/plan"), ("GET", "/counsellor/sessions/{sid}/plan.docx"),
     ("POST", "/counsellor/sessions/{sid}/notes")],
)
def test_an_operator_is_refused(app: FastAPI, login: Callable[[str], TestClient], method: str, path: str) -> None:
    sid = chat(app, "同意")
    olu = login("olu")
    page = olu.get("/operator", headers=HTML).text
    res = olu.request(method, path.format(sid=sid), data={"csrf_token": token(page), "text": "x"} if method == "POST"
                      else None)
    assert res.status_code == 403
    assert res.json()["detail"] == "this needs the counsellor or admin role; olu is operator"


def test_sessions_without_consent_are_neither_listed_nor_opened(app: FastAPI,
                                                                login: Callable[[str], TestClient]) -> None:
    sid = chat(app, "你好", "不同意")
    ada = login("ada")
    assert sid not in ada.get("/counsellor?scope=all", headers=HTML).text
    assert ada.get(f"/counsellor/sessions/{sid}", headers=HTML).status_code == 404
    assert ada.get(f"/api/counsellor/sessions/{sid}").json()["error"] == "NotFoundError"


def test_a_bad_search_says_why(login: Callable[[str], TestClient]) -> None:
    res = login("ada").get("/counsellor?scope=all&since=2026-02-30&lang=en", headers=HTML)
    assert res.status_code == 400 and "“2026-02-30” is not a date (YYYY-MM-DD)." in res.text
