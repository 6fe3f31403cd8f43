"""The console's new parts over HTTP: problems in the page's language, an import undone with search agreeing, the
document budget refusing a zip bomb of text, and the check screen (see also tests/web/test_operator_undo_browser.py)."""

from __future__ import annotations

import io
import zipfile

import pytest
from fastapi.testclient import TestClient

from tests.api.test_auth import HTML, form_token
from tests.api.test_operator import client, operator, table, text_of, token, upload, wait_for_refresh  # noqa: F401

BOTH_BAD = "id,kind,title,provider,mode,start_dates\nx1,training,Welding,Rizhao College,sometimes,2027-13-01\n"
NEW_OFFER = "id,kind,title,provider,city\nzs1,apprenticeship,潜水焊接学徒,舟山海工示例企业,舟山市\n"


@pytest.mark.parametrize(
    ("lang", "rows", "heading"),
    [
        ("zh", [["huzhou-2027.csv", "2", "mode", "“sometimes”不是可选值，应为以下之一：online, in-person, blended"],
                ["huzhou-2027.csv", "2", "start_dates", "“2027-13-01”不是有效日期（格式为 YYYY-MM-DD）"]],
         "无法导入：发现 2 个问题"),
        ("en", [["huzhou-2027.csv", "2", "mode", "'sometimes' is not one of: online, in-person, blended"],
                ["huzhou-2027.csv", "2", "start_dates", "'2027-13-01' is not a date (YYYY-MM-DD)"]],
         "Cannot be imported: 2 problem(s) found"),
    ],
)
def test_every_bad_value_is_listed_in_the_pages_language(operator: TestClient, lang: str, rows: list[list[str]],
                                                         heading: str) -> None:
    res = upload(operator, BOTH_BAD)
    assert res.status_code == 422
    page = operator.get(f"{res.headers['content-location']}?lang={lang}", headers=HTML).text
    assert heading in text_of(page)
    assert table(page, "problems-caption") == rows
    if lang == "zh":  # no parser English left in the Chinese console's problem list
        assert "is not one of" not in page and "is not a date" not in page


def zip_of_text(name: str, size: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(name, "# 政策\n\n" + "补贴标准按规定执行。" * (size // 30))
    return buf.getvalue()


def test_a_small_zip_of_one_huge_markdown_file_is_refused_at_once(operator: TestClient) -> None:
    data = zip_of_text("policy.md", 40 * 1024 * 1024)
    assert len(data) < 200 * 1024  # a small upload: the 40 MB are inside
    res = operator.post("/operator/uploads", data={"csrf_token": token(operator), "kind": "auto"},
                        files={"file": ("policy.zip", data, "application/zip")}, headers=HTML)
    assert res.status_code == 422
    page = operator.get(f"{res.headers['content-location']}?lang=zh", headers=HTML).text
    assert [row[3] for row in table(page, "problems-caption")] == [
        "文档有 40.0 MiB，超过了 16.0 MiB 的上限；请拆成较小的文件再上传"]
    assert "import-submit" not in page and "已拒绝" in text_of(page)


def check(client: TestClient, q: str, lang: str = "zh") -> dict[str, list[list[str]]]:
    """The check screen's result tables by group: each row's title cell and source cell."""
    page = client.get("/operator/check", params={"q": q, "lang": lang, "type": "apprenticeship"}, headers=HTML).text
    assert f"{q}" in text_of(page)
    return {"apprenticeship": [[r[0], r[2]] for r in _rows(page)]}


def _rows(page: str) -> list[list[str]]:
    import re

    found = re.search(r'data-group="apprenticeship".*?<tbody>(.*?)</tbody>', page, re.S)
    if not found:
        return []
    return [[text_of(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S)]


def search_titles(client: TestClient, q: str) -> list[str]:
    return [h["title"] for h in client.get("/api/search", params={"q": q, "type": "apprenticeship"}).json()["hits"]]


@pytest.mark.slow  # one index refresh of the bundled store on the fake embedder (about 10 s)
def test_an_import_is_found_then_undone_and_search_agrees(operator: TestClient) -> None:
    res = upload(operator, NEW_OFFER, filename="zhoushan.csv")
    assert res.status_code == 303
    page = res.headers["location"]
    assert operator.post(f"{page}/import", data={"csrf_token": token(operator)}, headers=HTML).status_code == 303
    assert operator.post("/api/operator/refresh",
                         headers={"X-CSRF-Token": token(operator), "accept": "application/json"}).status_code == 202
    built = wait_for_refresh(operator)[-1]["version_id"]
    assert "潜水焊接学徒" in search_titles(operator, "潜水焊接学徒")
    found = check(operator, "潜水焊接学徒")["apprenticeship"]
    assert found[0][0].startswith("潜水焊接学徒") and found[0][1].startswith("zhoushan")  # its source named

    confirm = operator.get(f"{page}/undo?lang=en", headers=HTML).text
    [row] = table(confirm, "undo-caption")
    assert row[0] == "zhoushan" and row[2:] == ["Offers 1", "—", "潜水焊接学徒"]  # counts and a sample of what goes
    assert row[1].startswith("Remove the source (version ")
    assert "1 record(s) taken out in all." in text_of(confirm)
    res = operator.post(f"{page}/undo", data={"csrf_token": form_token(confirm)}, headers=HTML)
    assert res.status_code == 303 and "undone=1&index=switched" in res.headers["location"]
    done = text_of(operator.get(res.headers["location"] + "&lang=zh", headers=HTML).text)
    assert "已撤销导入" in done and "检索索引已切换到与知识库一致的版本" in done

    # The store and the index agree: the offer is gone from both, and the version serving is not the one built with it.
    assert "潜水焊接学徒" not in search_titles(operator, "潜水焊接学徒")
    assert all(not row[0].startswith("潜水焊接学徒") for row in check(operator, "潜水焊接学徒")["apprenticeship"])
    health = operator.get("/healthz").json()
    assert health["index"]["version"] != built and health["index"]["state"] == "ok"
    assert operator.get(f"{page}/undo?lang=en", headers=HTML).text.count("not imported, or was undone already") == 1
    audit = table(operator.get("/operator/audit?lang=en", headers=HTML).text, "audit-caption")
    assert [row[2] for row in audit[:2]] == ["index.switch", "upload.undo"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("zh", ["检查搜索结果", "职业", "学徒岗位", "培训课程", "政策条文", "出处"]),
     ("en", ["Check what people find", "Occupations", "Apprenticeships", "Training", "Policy passages", "Source"])],
)
def test_the_check_screen_in_both_languages(operator: TestClient, lang: str, expected: list[str]) -> None:
    page = operator.get("/operator/check", params={"q": "焊工", "lang": lang}, headers=HTML)
    assert page.status_code == 200
    shown = text_of(page.text)
    assert all(s in shown for s in expected), [s for s in expected if s not in shown]
    assert '<a href="/operator/check" aria-current="page">' in page.text

