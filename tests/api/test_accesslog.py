"""The access log keeps no personal data: ids in paths become {id}, query strings (a counsellor's search for a name or
a phone number) are left out; and `serve` writes it that way, in a real server, believing no X-Forwarded-For."""

from __future__ import annotations

import logging
import logging.config
import urllib.request
from pathlib import Path

import pytest
from uvicorn.logging import AccessFormatter

from assistant.api.accesslog import RedactPaths, log_config, redact_path
from tests.conftest import IndexedHome
from tests.faults.conftest import http, running
from tests.helpers import KEY_HEADER, conversation_id

CID = "5f0c3a9d1b2e4f60a7b8c9d0e1f2a3b4"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (f"/api/chat/{CID}", "/api/chat/{id}"),
        (f"/api/chat/{CID}/export", "/api/chat/{id}/export"),
        (f"/plan/{CID}?lang=zh", "/plan/{id}"),
        (f"/counsellor/sessions/{CID}/plan.docx", "/counsellor/sessions/{id}/plan.docx"),
        ("/counsellor/sessions/c1/notes", "/counsellor/sessions/{id}/notes"),
        ("/counsellor?q=13912345678&phase=", "/counsellor"),
        ("/counsellor?q=%E7%8E%8B%E5%B0%8F%E6%98%8E", "/counsellor"),
        ("/api/counsellor/notes/12", "/api/counsellor/notes/{id}"),
        ("/operator/uploads/7/undo", "/operator/uploads/{id}/undo"),
        ("/api/chat", "/api/chat"),
        ("/login?next=%2Fcounsellor%2Fsessions%2Fabc", "/login"),
        ("/static/js/chat.js", "/static/js/chat.js"),
        ("/healthz", "/healthz"),
        ("/", "/"),
        ("/K7M2QX", "/{id}"),  # anything that is not a word of the app's own
    ],
)
def test_paths_are_logged_without_ids_or_queries(path: str, logged: str) -> None:
    assert redact_path(path) == logged


def test_uvicorns_access_line_goes_through_the_filter() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", f"/counsellor/sessions/{CID}?q=13912345678", "1.1", 200),
                               None)
    assert RedactPaths().filter(record) is True
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False).format(record)
    assert line == '127.0.0.1:5000 - "GET /counsellor/sessions/{id} HTTP/1.1" 200 OK'


def test_the_config_puts_the_filter_on_the_access_handler_only() -> None:
    config = log_config()
    assert config["handlers"]["access"]["filters"] == ["redact_paths"]
    assert "filters" not in config["handlers"]["default"]
    logging.config.dictConfig({**config, "loggers": {}})  # it loads (the filter class is found by name)


@pytest.mark.slow
def test_serve_writes_no_ids_no_search_and_no_forwarded_address(copy_indexed_home: IndexedHome,
                                                                 tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    env = {**copy_indexed_home.env, "SKILLPATH_WARM_QUERIES": "0"}
    with running(env, log) as server:
        status, body = http("POST", server.url + "/api/chat", {"session_id": None, "message": "同意"})
        assert status == 200
        cid, key = conversation_id(body["session_id"]), body["session_id"].partition(".")[2]
        assert http("GET", f"{server.url}/api/chat/{cid}", headers={KEY_HEADER: key})[0] == 200
        req = urllib.request.Request(f"{server.url}/plan/{cid}?lang=zh&q=13912345678",
                                     headers={"X-Forwarded-For": "203.0.113.77", "accept": "text/html"})
        try:
            urllib.request.urlopen(req, timeout=30)
        except urllib.error.HTTPError as err:  # the locked plan page: 404 without the key
            assert err.code == 404
        http("GET", f"{server.url}/counsellor?q=13912345678")
    text = log.read_text(errors="replace")
    assert '"GET /api/chat/{id} HTTP/1.1" 200' in text and '"GET /plan/{id} HTTP/1.1" 404' in text, text[-2000:]
    assert cid not in text and key not in text and "13912345678" not in text
    assert "203.0.113.77" not in text  # a client's own X-Forwarded-For is not believed, loopback's neither
