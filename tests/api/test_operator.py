"""The operator console over HTTP: uploads checked before import, refresh with progress, rollback, the audit log."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from assistant.accounts import audit
from assistant.api import operator_uploads
from assistant.api.app import create_app
from assistant.api.deps import require_services
from assistant.config import Settings
from assistant.operations.safefiles import UploadLimits, size_text
from assistant.store.models import Offer, Source
from tests.accounts.helpers import T0, add_staff, cheap_hashing
from tests.api.test_auth import HTML, form_token, login
from tests.conftest import IndexedHome
from tests.operations.conftest import GOOD_CSV
from tests.operations.test_refresh import BlockingEmbedder

BAD_ROW = "x1,internship,Welding,Rizhao College,,\n"  # line 4 of the file: an unknown kind
WAIT = 120  # seconds for a refresh of the bundled store on the fake embedder (about 12 s here)


@pytest.fixture
def client(copy_indexed_home: IndexedHome, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app on a private copy of the indexed home, with one account per role (olu is the operator)."""
    cheap_hashing(monkeypatch)
    settings = Settings.from_env({**copy_indexed_home.env, "SKILLPATH_COOKIE_SECURE": "0"})
    add_staff(settings)
    with TestClient(create_app(settings), follow_redirects=False) as c:
        yield c


@pytest.fixture
def operator(client: TestClient) -> TestClient:
    assert login(client, "olu").status_code == 303
    return client


def token(client: TestClient, page: str = "/operator/uploads") -> str:
    return form_token(client.get(page, headers=HTML).text)


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def table(page: str, caption_id: str) -> list[list[str]]:
    """The body rows of the table with that caption, as cell texts."""
    found = re.search(rf'<caption id="{caption_id}">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert found, f"no table captioned #{caption_id} on the page"
    return [[text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S)]


def upload(client: TestClient, content: str, filename: str = "huzhou-2027.csv", **fields: str) -> httpx.Response:
    data = {"csrf_token": token(client), "kind": "auto", **fields}
    return client.post("/operator/uploads", data=data, files={"file": (filename, content.encode(), "text/csv")},
                       headers=HTML)


def offers_of(client: TestClient, source: str) -> list[str]:
    with require_services(client.app).sessions() as session:
        return sorted(session.scalars(select(Offer.external_id).join(Source).where(Source.name == source)))


def audit_rows(client: TestClient, query: str = "") -> list[list[str]]:
    return table(client.get(f"/operator/audit{query}", headers=HTML).text, "audit-caption")


@pytest.mark.parametrize(
    ("path", "zh", "en"),
    [
        ("/operator", ["<h1>运维台</h1>", "当前检索索引", "知识库内容"],
         ["<h1>Operator console</h1>", "Serving search index", "What the store holds"]),
        ("/operator/uploads", ["<h1>上传知识来源</h1>", '<label for="upload-file">文件</label>', "自动识别"],
         ["<h1>Upload a knowledge source</h1>", '<label for="upload-file">File</label>', "Detect automatically"]),
        ("/operator/index", ["<h1>检索索引</h1>", "开始刷新", 'role="status" aria-live="polite"'],
         ["<h1>Search index</h1>", "Start refresh", "<caption id=\"versions-caption\">Index versions, newest first"]),
        ("/operator/audit", ["<h1>审计日志</h1>", '<label for="audit-actor">操作人</label>'],
         ["<h1>Audit log</h1>", '<label for="audit-action">Action</label>']),
    ],
)
def test_pages_in_both_languages(operator: TestClient, path: str, zh: list[str], en: list[str]) -> None:
    for lang, expected in (("zh", zh), ("en", en)):
        res = operator.get(f"{path}?lang={lang}", headers=HTML)
        assert res.status_code == 200
        for s in expected:
            assert s in res.text, f"{path} in {lang}: {s!r} missing"
        assert f'<a href="{path}" aria-current="page">' in res.text  # the console's navigation marks the page


def test_a_bad_row_is_named_and_nothing_can_be_imported(operator: TestClient) -> None:
    before = offers_of(operator, "huzhou-2027")
    res = upload(operator, GOOD_CSV + BAD_ROW)
    # Kept with its report, and the report is the answer: a 422 naming the problems (no redirect to follow).
    assert res.status_code == 422 and "huzhou-2027.csv" in res.text and "internship" in res.text
    assert re.fullmatch(r"/operator/uploads/[0-9TZ]+-[0-9a-f]{6}", res.headers["content-location"])
    page = operator.get(res.headers["content-location"] + "?lang=en", headers=HTML).text
    assert '<div class="op-alert danger" role="alert">' in page
    assert "Cannot be imported: 1 problem(s) found" in page
    assert table(page, "problems-caption") == [
        ["huzhou-2027.csv", "4", "kind", "'internship' is not one of: apprenticeship, training"]]
    assert "/import" not in page and "Import into the store" not in page  # no button to press
    # Posting the import anyway is refused by the service, with the same problem named, and changes nothing.
    res = operator.post(res.headers["content-location"] + "/import", data={"csrf_token": token(operator)},
                        headers=HTML)
    assert res.status_code == 400
    assert ("cannot be imported: huzhou-2027.csv:4: field 'kind': 'internship' is not one of: apprenticeship, "
            "training") in html.unescape(res.text)
    assert offers_of(operator, "huzhou-2027") == before == []


def test_a_good_file_is_previewed_then_imported(operator: TestClient) -> None:
    res = upload(operator, GOOD_CSV, version="2027-03")
    detail = res.headers["location"]
    page = operator.get(detail + "?lang=en", headers=HTML).text
    assert 'role="alert"' not in page and "Check passed" in page
    assert table(page, "sources-caption") == [
        ["huzhou-2027", "Offers (training, apprenticeships)", "2027-03", "apprenticeships 1; training 1", "—"]]
    assert table(page, "preview-caption") == [["Offers", "+2", "0", "−0"]]
    assert f'action="{detail}/import"' in page
    assert offers_of(operator, "huzhou-2027") == []  # shown, not imported

    res = operator.post(detail + "/import", data={"csrf_token": token(operator)}, headers=HTML)
    assert res.status_code == 303 and res.headers["location"] == detail + "?imported=1"
    page = operator.get(res.headers["location"] + "&lang=zh", headers=HTML).text
    assert offers_of(operator, "huzhou-2027") == ["h1", "t1"]
    assert 'role="status"' in page and "共改动 2 行。" in page
    assert table(page, "result-caption") == [["huzhou-2027 2027-03", "培训与学徒岗位", "+2", "0", "−0"]]
    assert f'action="{detail}/import"' not in page  # imported once; the page offers no second import

    listing = table(operator.get("/operator/uploads", headers=HTML).text, "uploads-caption")
    assert [(row[1], row[3], row[4], row[5]) for row in listing] == [("huzhou-2027.csv", "已导入", "0", "2")]
    assert [row[1:4] for row in audit_rows(operator)[:2]] == [
        ["olu", "upload.import", detail.rsplit("/", 1)[1]], ["olu", "upload.validate", detail.rsplit("/", 1)[1]]]


def test_a_long_list_of_problems_is_cut_with_a_note(operator: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(operator_uploads, "PROBLEMS_SHOWN", 2)
    res = upload(operator, GOOD_CSV + BAD_ROW + BAD_ROW.replace("x1", "x2") + BAD_ROW.replace("x1", "x3"))
    page = operator.get(res.headers["content-location"] + "?lang=en", headers=HTML).text
    assert "Cannot be imported: 3 problem(s) found" in page
    assert [row[1] for row in table(page, "problems-caption")] == ["4", "5"]
    assert "1 more problem(s) are not listed here." in page


@pytest.mark.parametrize(
    ("filename", "content", "fields", "message"),
    [
        ("", "", {}, "Choose a file to upload."),
        ("empty.csv", "", {}, "empty.csv: empty file"),
        ("a.csv", GOOD_CSV, {"kind": "jobs"},
         "Unknown kind; choose one of: csco, esco, esco-lite, offers, documents."),
        ("notes.bin", "x", {"kind": "offers"}, None),  # kept with its report, which names what is wrong (422)
    ],
)
def test_upload_form_errors(operator: TestClient, filename: str, content: str, fields: dict[str, str],
                            message: str | None) -> None:
    data = {"csrf_token": token(operator), "kind": "auto", **fields}
    files = {"file": (filename, content.encode(), "application/octet-stream")}
    res = operator.post("/operator/uploads?lang=en", data=data, files=files, headers=HTML)
    if message is None:
        assert res.status_code == 422
        assert "unsupported offers format &#39;.bin&#39;" in res.text
        return
    assert res.status_code == 400
    assert f'<p id="upload-error" class="error-text" role="alert">{message}</p>' in res.text
    assert require_services(operator.app).uploads.list() == []


@pytest.mark.parametrize("declared", [True, False])
def test_an_oversized_body_is_refused_before_it_is_read(operator: TestClient, declared: bool) -> None:
    require_services(operator.app).uploads.limits = UploadLimits(max_bytes=1024)
    body = b"id,kind,title,provider\n" + b"a,training,t,p\n" * 20_000  # 313 KiB
    csrf = token(operator)
    boundary = "x-boundary"
    payload = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n'
               f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
               f"Content-Type: text/csv\r\n\r\n").encode() + body + f"\r\n--{boundary}--\r\n".encode()
    headers = {**HTML, "content-type": f"multipart/form-data; boundary={boundary}"}
    # Chunked, the second time: no Content-Length to go by, so the bytes are counted as they come.
    content = payload if declared else iter([payload[i:i + 8192] for i in range(0, len(payload), 8192)])
    res = operator.post("/operator/uploads", content=content, headers=headers)
    assert res.status_code == 413
    sent = r"\d+\.\d KiB" if declared else "larger than that"
    assert re.search(f"upload too large: files may be at most 1.0 KiB; the request is {sent}",
                     html.unescape(res.text))
    assert require_services(operator.app).uploads.list() == []
    # Within the cap (and its allowance for the form around the file) the service's own limit still speaks.
    medium = GOOD_CSV * 20
    res = upload(operator, medium, "medium.csv")
    assert res.status_code == 400
    assert f"medium.csv: file is {size_text(len(medium.encode()))}; the limit is 1.0 KiB" in res.text


def wait_for_refresh(client: TestClient) -> list[dict[str, object]]:
    """Poll as the page does until the refresh ends; every status seen, in order."""
    seen = []
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        seen.append(client.get("/api/operator/refresh").json())
        if not seen[-1]["running"]:
            return seen
        time.sleep(0.2)
    raise AssertionError(f"the refresh did not end in {WAIT} s: {seen[-1]}")


@pytest.mark.slow
def test_refresh_with_progress_then_rollback(operator: TestClient) -> None:
    services = require_services(operator.app)
    v1 = services.retrieval.versions.current_id()
    blocking = BlockingEmbedder()
    services.refresh.embedder = blocking  # holds the first batch until released: the test acts while it runs
    csrf = token(operator, "/operator/index")
    assert operator.get("/api/operator/refresh").json()["phase"] == "idle"

    res = operator.post("/api/operator/refresh", headers={"x-csrf-token": csrf})
    assert res.status_code == 202 and res.json()["running"] and res.json()["previous_id"] == v1
    assert blocking.entered.wait(30)
    busy = operator.post("/api/operator/refresh", headers={"x-csrf-token": csrf})
    assert busy.status_code == 409 and busy.json()["error"] == "IndexBusyError"
    assert busy.json()["detail"].startswith("an index refresh is already running (started ") and " by olu, " in \
        busy.json()["detail"]
    page = operator.post("/operator/index/refresh?lang=en", data={"csrf_token": csrf}, headers=HTML)
    assert page.status_code == 409 and "an index refresh is already running" in page.text
    assert 'class="op-alert danger" role="alert"' in page.text
    assert 'data-running="true"' in page.text and '<button type="submit" id="refresh-start" disabled>' in page.text
    refused = operator.post("/operator/index/rollback", data={"csrf_token": csrf}, headers=HTML)
    assert refused.status_code == 409 and services.retrieval.versions.current_id() == v1

    blocking.release.set()
    seen = wait_for_refresh(operator)
    done = seen[-1]
    assert done["phase"] == "done" and done["percent"] == 100.0 and done["error"] is None
    v2 = done["version_id"]
    assert v2 and v2 != v1 and done["message"] == f"done: built {v2}"
    assert all(0 <= s["percent"] <= 100 for s in seen)
    assert [s["percent"] for s in seen] == sorted(s["percent"] for s in seen)  # progress only moves forward

    page = operator.get("/operator/index?lang=en", headers=HTML).text
    assert [row[0] for row in table(page, "versions-caption")] == [v2, v1]
    assert [row[-1] for row in table(page, "versions-caption")] == ["Serving", "Rollback target"]
    assert operator.get("/healthz").json()["index"]["version"] == v2  # served without a restart
    assert [v["id"] for v in operator.get("/api/operator/versions").json()["versions"]] == [v2, v1]

    confirm = operator.get("/operator/index/rollback?lang=en", headers=HTML).text
    assert [row[:2] for row in table(confirm, "confirm-caption")] == [["Now", v2], ["After", v1]]
    assert f"Roll back to {v1}" in confirm
    res = operator.post("/operator/index/rollback", data={"csrf_token": form_token(confirm)}, headers=HTML)
    assert res.status_code == 303 and res.headers["location"] == "/operator/index?done=rollback"
    assert f"Rolled back: now serving {v1}." in operator.get(res.headers["location"], headers=HTML).text
    # One current version on the page: the refresh panel says what it built, not what serves (it no longer does).
    for lang, serving, built in (("en", f"Serving search index: {v1}", f"Done: built version {v2} (not serving now)"),
                                 ("zh", f"当前使用的检索索引：{v1}", f"完成：已生成版本 {v2}（此版本现在未在使用）")):
        # text_of spaces elements apart; a Chinese label runs into its <code> value without one
        after = text_of(operator.get(f"{res.headers['location']}&lang={lang}", headers=HTML).text).replace("： ", "：")
        assert serving in after and built in after and f"serving {v2}" not in after and f"当前使用 {v2}" not in after
    assert operator.get("/healthz").json()["index"]["version"] == v1

    rows = audit_rows(operator, "?action=index.*&lang=en")
    assert [row[1:4] for row in rows] == [
        ["olu", "index.rollback", v1], ["olu", "index.refresh.done", v2], ["olu", "index.refresh.start", v1]]
    assert f"previous {v2}" in rows[0][4] and f"version {v2}" in rows[1][4]


def test_audit_filters_and_pages(operator: TestClient) -> None:
    with require_services(operator.app).sessions.begin() as session:
        for i in range(60):  # oldest first; the page lists newest first
            audit.record(session, "olu" if i % 2 else "root", "upload.validate", f"u{i:02d}", {"n": i},
                         now=T0 + timedelta(minutes=i))
    first = operator.get("/operator/audit?action=upload.validate&lang=en", headers=HTML).text
    rows = table(first, "audit-caption")
    assert len(rows) == 50 and rows[0][3] == "u59" and rows[-1][3] == "u10"
    # Times are the deployment's (Asia/Shanghai by default), as on the counsellor's console, and the page says so.
    assert rows[0][0] == "2026-03-02 17:59" and rows[0][4] == "n 59"
    assert "Times are in Asia/Shanghai." in first and " UTC" not in first
    assert 'href="/operator/audit?action=upload.validate&amp;page=2" rel="next"' in first
    assert 'rel="prev"' not in first
    second = operator.get("/operator/audit?action=upload.validate&page=2", headers=HTML).text
    assert [row[3] for row in table(second, "audit-caption")] == [f"u{i:02d}" for i in range(9, -1, -1)]
    assert 'href="/operator/audit?action=upload.validate&amp;page=1" rel="prev"' in second
    assert 'rel="next"' not in second
    by_root = table(operator.get("/operator/audit?actor=root&action=upload.*", headers=HTML).text, "audit-caption")
    assert len(by_root) == 30 and {row[1] for row in by_root} == {"root"}
    assert "没有符合条件的记录。" in operator.get("/operator/audit?actor=nobody&lang=zh", headers=HTML).text
    assert operator.get("/operator/audit?page=x", headers=HTML).status_code == 200  # a mistyped page: the first


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/operator"), ("GET", "/operator/uploads"), ("POST", "/operator/uploads"), ("GET", "/operator/index"),
     ("POST", "/api/operator/refresh"), ("GET", "/api/operator/refresh"), ("GET", "/operator/audit")],
)
def test_a_counsellor_is_refused(client: TestClient, method: str, path: str) -> None:
    assert login(client, "ada").status_code == 303
    csrf = form_token(client.get("/counsellor", headers=HTML).text)
    res = client.request(method, path, data={"csrf_token": csrf} if method == "POST" else None,
                         headers={"x-csrf-token": csrf, "accept": "application/json"})
    assert res.status_code == 403
    assert res.json() == {"error": "PermissionDenied",
                          "detail": "this needs the operator or admin role; ada is counsellor"}


def test_forms_and_json_without_the_csrf_token_are_refused(operator: TestClient) -> None:
    res = operator.post("/operator/uploads", data={"kind": "auto"}, headers=HTML,
                        files={"file": ("huzhou-2027.csv", GOOD_CSV.encode(), "text/csv")})
    assert res.status_code == 403 and "CSRF token missing or wrong" in res.text
    res = operator.post("/api/operator/refresh")
    assert res.status_code == 403
    assert res.json()["detail"] == "CSRF token missing or wrong: reload the page and try again"
    assert require_services(operator.app).uploads.list() == []
    assert operator.get("/api/operator/refresh").json()["phase"] == "idle"


def test_an_unknown_upload_is_404(operator: TestClient) -> None:
    for path in ("/operator/uploads/20260101T000000000Z-abcdef", "/operator/uploads/..%2F..%2Fetc"):
        assert operator.get(path, headers=HTML).status_code == 404
    res = operator.post("/operator/uploads/20260101T000000000Z-abcdef/import", data={"csrf_token": token(operator)},
                        headers=HTML)
    assert res.status_code == 404
