"""Schemathesis against the app's own OpenAPI schema, on a real server, logged in as an admin: no 5xx anywhere.

Every operation in /openapi.json gets schema-conforming requests (positive), the same on ids that exist (a
conversation, an upload) so they get past the lookup, and requests that break the schema (negative: wrong types,
missing fields, strings where numbers go), with the admin's session cookie and CSRF header, so the counsellor and
operator routes are exercised past their guards. A 5xx from any of them fails the test, which lists each one as a
curl command to replay. Bounded: at most EXAMPLES requests per operation and way; the figures of the last run go
to test-artifacts/schemathesis.json.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.accounts.helpers import PASSWORDS, cheap_hashing
from tests.api.test_chat import WELDING_ZH
from tests.conftest import ROOT, IndexedHome
from tests.helpers import conversation_id
from tests.operations.conftest import GOOD_CSV
from tests.web.conftest import Served, serve

schemathesis = pytest.importorskip("schemathesis")  # the `test` extra (it brings hypothesis); CI installs it

pytestmark = pytest.mark.slow

EXAMPLES = 15  # per operation and way of fuzzing it (see runs)
# /logout would end the session the other requests need; it is exercised by tests/api/test_auth.py.
SKIPPED = {"POST /logout"}
NO_LIMITS = {"SKILLPATH_RATE_CONVERSATION_PER_MINUTE": "0", "SKILLPATH_RATE_ADDRESS_PER_MINUTE": "0"}
REPORT = ROOT / "test-artifacts" / "schemathesis.json"


@pytest.fixture(scope="module")
def server(indexed_home: IndexedHome, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app under uvicorn (in this process) on a private copy of the indexed home, without rate limits, with an
    admin account; password hashing is cheap, as the fuzzed logins would otherwise take most of the time."""
    home = IndexedHome(indexed_home.home, {**indexed_home.env, **NO_LIMITS}, indexed_home.settings)
    with pytest.MonkeyPatch.context() as mp, serve(home, tmp_path_factory.mktemp("schemathesis") / "home") as served:
        cheap_hashing(mp)
        served.add_user("root", "admin", PASSWORDS["root"])
        yield served


def admin_session(url: str) -> tuple[Any, str]:
    """A requests session logged in as the admin (counsellor and operator routes alike), and its CSRF token."""
    import requests

    http = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]*)"', http.get(f"{url}/login").text)
    assert token
    res = http.post(f"{url}/login", data={"username": "root", "password": PASSWORDS["root"], "next": "",
                                           "csrf_token": token.group(1)}, allow_redirects=False)
    assert res.status_code == 303, res.text
    token = re.search(r'name="csrf_token" value="([^"]*)"', http.get(f"{url}/operator/uploads").text)
    assert token
    return http, token.group(1)


def wait_for_refreshes(http: Any, url: str) -> None:
    """Index refreshes the fuzzing started run in a thread; let them end before the server goes."""
    deadline = time.monotonic() + 120
    while http.get(f"{url}/api/operator/refresh").json().get("running") and time.monotonic() < deadline:
        time.sleep(0.5)


def breakable(operation: Any) -> bool:
    """Whether negative cases can exist: a path parameter is any string, so only a body or a query can be broken.
    Hypothesis takes seconds to give up on an operation with nothing to break, so those are not asked."""
    return bool(list(operation.body) or list(operation.query))


def known_ids(http: Any, url: str, token: str) -> dict[str, str]:
    """Ids that exist, so that fuzzed requests also get past the lookup: a conversation a counsellor may open
    (consent given, skills told) and a checked upload."""
    chat = http.post(f"{url}/api/chat", json={"session_id": None, "message": "同意"}).json()["session_id"]
    assert http.post(f"{url}/api/chat", json={"session_id": chat, "message": WELDING_ZH}).status_code == 200
    res = http.post(f"{url}/operator/uploads", data={"csrf_token": token, "kind": "auto"},
                    files={"file": ("huzhou-2027.csv", GOOD_CSV.encode(), "text/csv")}, allow_redirects=False)
    assert res.status_code == 303, res.text
    return {"session_id": conversation_id(chat), "upload_id": res.headers["location"].rsplit("/", 1)[1]}


def runs(operation: Any, ids: dict[str, str]) -> list[tuple[str, Any]]:
    """(name, strategy) for each way the operation is fuzzed: positive, positive on existing ids (except a DELETE,
    which would remove them for the operations after it), negative where there is something to break."""
    from schemathesis import GenerationMode

    out = [("positive", operation.as_strategy())]
    names = {p.name for p in operation.path_parameters}
    if names and names <= set(ids) and operation.method.upper() != "DELETE":
        fixed = {name: ids[name] for name in names}
        out.append(("existing ids", operation.as_strategy(path_parameters=fixed)))
    if breakable(operation):
        out.append(("negative", operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)))
    return out


def test_no_server_errors_on_any_operation(server: Served) -> None:
    from hypothesis import HealthCheck, Phase, given, settings

    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    http, token = admin_session(server.url)
    ids = known_ids(http, server.url, token)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30, [op.label for op in operations]  # every route, not a schema that failed to load
    sent: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    errors: list[str] = []
    took: dict[str, float] = {}
    started = time.monotonic()
    try:
        for operation in operations:
            if operation.label in SKIPPED:
                continue
            began = time.monotonic()
            for _name, strategy in runs(operation, ids):

                @given(case=strategy)
                # Derandomized: CI asks the same questions every run (a failure replays); explore with more
                # EXAMPLES, or derandomize=False, by hand. No database: nothing is written under .hypothesis/.
                @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
                def fuzz(case: Any) -> None:
                    response = case.call(session=http, headers={"X-CSRF-Token": token}, timeout=60)
                    sent[operation.label] += 1
                    statuses[f"{response.status_code // 100}xx"] += 1
                    if response.status_code >= 500:
                        errors.append(f"{response.status_code} {case.as_curl_command()}\n{response.text[:300]}")

                fuzz()
            took[operation.label] = round(time.monotonic() - began, 1)
    finally:
        wait_for_refreshes(http, server.url)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps({"operations": len(sent), "requests": sum(sent.values()),
                                  "seconds": round(time.monotonic() - started, 1), "statuses": dict(statuses),
                                  "requests_per_operation": dict(sent), "seconds_per_operation": took}, indent=1))
    assert not errors, f"{len(errors)} server error(s):\n\n" + "\n\n".join(errors[:20])
    assert set(sent) == {op.label for op in operations} - SKIPPED  # each operation really was called
    assert statuses["2xx"] >= len(operations)  # and not only refused: the known ids get requests through
