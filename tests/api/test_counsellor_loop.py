"""The console's casework loop over HTTP: correcting lines, contact with consent, follow-ups on the home page, the
take-over message, local times, and the agreed plan on the job seeker's plan page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.api.templating import Pages
from assistant.config import WEB_DIR
from tests.api.test_counsellor import HANDLES, HTML, WELDER_ZH, app, chat, form_values, login, post  # noqa: F401
from tests.helpers import key_headers


def test_taking_a_case_says_you_took_it(app: FastAPI, login: Callable[[str], TestClient]) -> None:
    sid = chat(app, "同意", WELDER_ZH)
    ada = login("ada")
    page = ada.get(f"/counsellor/sessions/{sid}", headers=HTML).text
    res = post(ada, f"/counsellor/sessions/{sid}/handover", page, to="ada")
    assert res.headers["location"].endswith("?done=take#handover")
    assert "你已接手这个会话。" in ada.get(res.headers["location"], headers=HTML).text
    res = post(ada, f"/counsellor/sessions/{sid}/handover", page, to="bo")
    assert "会话已移交。" in ada.get(res.headers["location"], headers=HTML).text


def test_lines_are_corrected_from_the_console(app: FastAPI, login: Callable[[str], TestClient]) -> None:
    sid = chat(app, "同意", WELDER_ZH, "对")
    ada = login("ada")
    page = ada.get(f"/counsellor/sessions/{sid}", headers=HTML).text
    fields, keys = form_values(page, "field"), form_values(page, "key")
    assert "experience" in fields and "goal" in fields and 'data-confirm="确定删除' in page
    experience = keys[fields.index("experience")]
    res = post(ada, f"/counsellor/sessions/{sid}/lines", page, action="edit", field="experience", key=experience,
               text="焊接和装配", note="他做的是装配焊")
    assert res.status_code == 303 and res.headers["location"].endswith("?done=experience_edit#profile")
    page = ada.get(res.headers["location"], headers=HTML).text
    assert "已更正这条经历" in page and "焊接和装配" in page and "他做的是装配焊" in page
    res = post(ada, f"/counsellor/sessions/{sid}/lines", page, action="remove", field="experience", key="没有这条")
    assert res.status_code == 400 and "找不到这一条，求职者可能刚刚改了它。" in res.text


def test_contact_needs_consent_and_follow_ups_reach_the_home_page(app: FastAPI,
                                                                  login: Callable[[str], TestClient]) -> None:
    sid = chat(app, "同意", WELDER_ZH)
    ada = login("ada")
    page = ada.get(f"/counsellor/sessions/{sid}", headers=HTML).text
    res = post(ada, f"/counsellor/sessions/{sid}/contact", page, display_name="王芳", contact="13800000000")
    assert res.status_code == 400 and "请先勾选：求职者同意留下姓名和联系方式。" in res.text
    assert 'value="王芳"' in res.text  # what was typed is not lost
    res = post(ada, f"/counsellor/sessions/{sid}/contact", page, display_name="王芳", contact="13800000000",
               consent="yes")
    assert res.headers["location"].endswith("?done=contact#case-file")
    for due in ("2020-01-02", "not-a-day"):
        res = post(ada, f"/counsellor/sessions/{sid}/follow-up", page, due=due, note="电话回访")
    assert res.status_code == 400 and "目标日期“not-a-day”不是有效日期" in res.text
    home = ada.get("/counsellor", headers=HTML).text
    row = re.search(r'<tr class="overdue">(.*?)</tr>', home, re.S)
    assert row and sid[:8] in row.group(1) and "王芳" in row.group(1) and "已逾期" in row.group(1)
    assert "电话回访" in row.group(1)
    assert "没有待跟进的会话。" in login("bo").get("/counsellor", headers=HTML).text  # ada's, not bo's


def test_times_are_shown_in_the_deployments_zone(app: FastAPI, login: Callable[[str], TestClient]) -> None:
    """The default zone is Asia/Shanghai: every time on the session page carries +08:00, none says UTC."""
    sid = chat(app, "同意", WELDER_ZH)
    page = login("ada").get(f"/counsellor/sessions/{sid}", headers=HTML).text
    stamps = re.findall(r'<time datetime="(\d{4}-\d\d-\d\dT[^"]+)">', page)
    assert stamps and all(s.endswith("+08:00") for s in stamps), stamps
    assert "时间均为 Asia/Shanghai 时间。" in page and "UTC" not in page


@pytest.mark.parametrize(
    ("zone", "filters"),
    [("Asia/Shanghai", ("2026-03-01 23:30", "2026-03-01", "2026-03-01T23:30:00+08:00")),
     ("UTC", ("2026-03-01 15:30", "2026-03-01", "2026-03-01T15:30:00+00:00")),
     ("America/New_York", ("2026-03-01 10:30", "2026-03-01", "2026-03-01T10:30:00-05:00"))],
)
def test_one_helper_writes_every_time(zone: str, filters: tuple[str, str, str]) -> None:
    env = Pages(WEB_DIR, zone).templates.env
    moment = datetime(2026, 3, 1, 15, 30, tzinfo=timezone.utc)
    assert tuple(env.filters[name](moment) for name in ("localtime", "localdate", "localiso")) == filters
    assert env.filters["localtime"](None) == ""


def test_the_agreed_plan_is_what_the_job_seekers_plan_page_shows(app: FastAPI,
                                                                 login: Callable[[str], TestClient]) -> None:
    sid = chat(app, "同意", WELDER_ZH, "对")
    ada = login("ada")
    page = ada.get(f"/counsellor/sessions/{sid}", headers=HTML).text
    post(ada, f"/counsellor/sessions/{sid}/plan", page, action="add_step", text="带身份证去人社局报名",
         target_date="2027-01-15", step_action="meet")
    seeker = TestClient(app)
    before = seeker.get(f"/plan/{sid}", headers={**HTML, **key_headers(HANDLES[sid])}).text
    assert "带身份证去人社局报名" not in before  # a draft is the counsellor's, not yet the person's
    post(ada, f"/counsellor/sessions/{sid}/plan", page, action="agree")
    after = seeker.get(f"/plan/{sid}", headers={**HTML, **key_headers(HANDLES[sid])}).text
    assert "与指导员确认的计划" in after and "带身份证去人社局报名" in after and "2027-01-15" in after
    assert "面谈" in after
