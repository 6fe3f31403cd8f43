"""Bad operator uploads over HTTP: each answered with a 4xx naming the file and the line or reason, nothing lost.

Malformed files are kept with their report and answered with it (422); unsafe or oversized ones are refused
outright and nothing is kept (400, 413). "Nothing lost": after each, the store holds what it held, the serving
index version is the same, the earlier uploads are listed as they were, and the good one not yet imported still
imports at the end. The zip bombs are built in memory from one compressed block repeated, so a few MB declare GBs.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.deps import require_services
from assistant.config import Settings
from assistant.operations.safefiles import UploadLimits
from assistant.store.stats import store_status
from tests.accounts.helpers import add_staff, cheap_hashing
from tests.api.test_auth import HTML, form_token, login
from tests.api.test_operator import offers_of, table, text_of
from tests.conftest import IndexedHome
from tests.ingest.test_documents import make_pdf
from tests.operations.conftest import GOOD_CSV, zip_bytes

MiB, GiB = 1 << 20, 1 << 30
CAP = UploadLimits().max_bytes  # the product's cap (64 MiB): no setting lowers it, so the test sends that much
KINDS = "csco, esco, esco-lite, offers, documents"
GOOD_JSON = json.dumps([{"id": "d1", "kind": "apprenticeship", "title": "电工学徒", "provider": "大庆示例企业"}],
                       ensure_ascii=False)
CSV = GOOD_CSV.encode()  # a header and two good rows: a bad row added after them is on line 4
Content = bytes | Callable[[], bytes]


@cache
def _zeros_block() -> tuple[bytes, bytes]:
    """Raw deflate data for 16 MiB of zeros, ending on a full flush so that copies can follow it, and the end."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(16 * MiB)) + packer.flush(zlib.Z_FULL_FLUSH)
    return block, packer.flush()


def zip_of(members: list[tuple[str, bytes | int]]) -> bytes:
    """A zip archive: bytes members stored as they are, int members as that many zeros, deflated (a multiple of
    16 MiB). The zeros' CRC is left 0: computing it takes seconds, and these archives are refused on the sizes
    they declare, before a member is read to its end (which is where a CRC would be checked)."""
    out, central = bytearray(), bytearray()
    for name, content in members:
        if isinstance(content, int):
            block, end = _zeros_block()
            data, size, crc, method = block * (content // (16 * MiB)) + end, content, 0, zipfile.ZIP_DEFLATED
        else:
            data, size, crc, method = content, len(content), zlib.crc32(content), zipfile.ZIP_STORED
        raw, offset = name.encode(), len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(raw), 0)
        out += raw + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data), size,
                               len(raw), 0, 0, 0, 0, 0, offset) + raw
    end_record = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end_record)


@pytest.fixture(scope="module")
def console(indexed_home: IndexedHome, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app on a private copy of the indexed home, with the operator olu logged in."""
    home = tmp_path_factory.mktemp("bad-uploads") / "home"
    shutil.copytree(indexed_home.home, home)
    settings = Settings.from_env({**indexed_home.env, "SKILLPATH_HOME": str(home), "SKILLPATH_COOKIE_SECURE": "0"})
    with pytest.MonkeyPatch.context() as mp:
        cheap_hashing(mp)
        add_staff(settings)
        with TestClient(create_app(settings), follow_redirects=False) as client:
            assert login(client, "olu").status_code == 303
            yield client


def post(console: TestClient, filename: str, data: bytes, kind: str = "auto") -> httpx.Response:
    token = form_token(console.get("/operator/uploads", headers=HTML).text)
    return console.post("/operator/uploads?lang=en", data={"csrf_token": token, "kind": kind},
                        files={"file": (filename, data, "application/octet-stream")}, headers=HTML)


@pytest.fixture(scope="module")
def earlier(console: TestClient) -> dict[str, str]:
    """The operator's earlier work: one upload imported, and a good one checked but not imported yet."""
    imported = post(console, "daqing.json", GOOD_JSON.encode())
    assert imported.status_code == 303, imported.text
    token = form_token(console.get(imported.headers["location"], headers=HTML).text)
    assert console.post(imported.headers["location"] + "/import", data={"csrf_token": token},
                        headers=HTML).status_code == 303
    pending = post(console, "huzhou-2027.csv", CSV)
    assert pending.status_code == 303, pending.text
    assert offers_of(console, "daqing") == ["d1"] and offers_of(console, "huzhou-2027") == []
    return {"imported": imported.headers["location"], "pending": pending.headers["location"]}


def held(console: TestClient) -> dict[str, Any]:
    """What a bad upload must not change: the uploads and what became of them, the store, the serving index."""
    state = require_services(console.app)
    with state.sessions() as session:
        store = store_status(session)
    return {"uploads": [(u.id, u.status, u.sha256, u.imported_at) for u in state.uploads.list()], "store": store,
            "index": state.retrieval.versions.current_id()}


# (file name, content, declared kind) -> the problems table: file, line, field, problem. The large contents are
# made when their case runs (callables), not when the module is collected.
REJECTED = {
    "CSV, a quote never closed": (
        ("offers.csv", CSV + b'h2,training,"Welding,Rizhao College,,\n', "auto"),
        [["offers.csv", "4", "—", "malformed CSV: a quoted field is never closed (unexpected end of data)"]]),
    "CSV, a stray quote": (
        ("offers.csv", CSV + b'h2,training,"Weld"ing,Rizhao College,,\n', "auto"),
        [["offers.csv", "4", "—", "malformed CSV: ',' expected after '\"'"]]),
    "CSV, wrong header": (
        ("offers.csv", "编号,类型,名称\nh1,training,焊工\n".encode(), "auto"),
        [["offers.csv", "1", "—", "missing column(s): id, kind, title, provider"]]),
    "CSV in GBK": (
        ("offers.csv", CSV + "h3,training,焊工培训,湖州技师学院,,\n".encode("gbk"), "auto"),
        [["offers.csv", "4", "—", "not valid UTF-8 (byte 0xba)"]]),
    "CSV, a row with a field missing": (
        ("offers.csv", CSV + b"h3,training,Welding,Rizhao College,Rizhao\n", "auto"),
        [["offers.csv", "4", "—", "expected 6 fields, found 5"]]),
    "JSON, a syntax error": (
        ("offers.json", b'[\n {"id": "a", "kind": "training", "title": "t", "provider": "p"},\n {"id": "b",,}\n]',
         "auto"),
        [["offers.json", "3", "—", "invalid JSON: Expecting property name enclosed in double quotes "
                                   "(at line 3, column 13)"]]),
    "JSONL, a syntax error": (
        ("offers.jsonl", b'{"id": "a", "kind": "training", "title": "t", "provider": "p"}\n{"id": "b" "kind"}\n',
         "auto"),
        [["offers.jsonl", "2", "—", "invalid JSON: Expecting ',' delimiter (column 12)"]]),
    "PDF that is not a PDF": (
        ("policy.pdf", b"<html>Moved</html>", "auto"),
        [["policy.pdf", "—", "—", "cannot read PDF: not a PDF file (no %PDF- header)"]]),
    "PDF cut off": (
        ("policy.pdf", make_pdf([["Apprentices are paid."]])[:300], "auto"),
        [["policy.pdf", "—", "—", "cannot read PDF: the file looks truncated (no %%EOF at its end): "
                                 "Stream has ended unexpectedly"]]),
    "DOCX that is not a zip": (
        ("guide.docx", b"Apprentices are paid.", "auto"),
        [["guide.docx", "—", "—", "cannot read DOCX: File is not a zip file"]]),
    "DOCX without word/document.xml": (
        ("guide.docx", zip_bytes({"[Content_Types].xml": b"<Types/>", "content.xml": b"<office/>"}), "auto"),
        [["guide.docx", "—", "—", "cannot read DOCX: not a Word document (no word/document.xml in the archive)"]]),
    "DOCX that is a zip bomb": (
        ("guide.docx", lambda: zip_of([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>"),
                                       ("word/media/image1.png", 1 * GiB)]), "auto"),
        [["guide.docx", "—", "—", "cannot read DOCX: it unpacks to 1,024 MiB; the limit is 256 MiB"]]),
    "Markdown neither UTF-8 nor GB18030": (
        ("policy.md", b"# Policy\n\xff\xfe\x00\x01\n", "auto"),
        [["policy.md", "2", "—", "not valid UTF-8 or GB18030 text"]]),
    "wrong extension": (
        ("offers.xlsx", CSV, "auto"),
        [["offers.xlsx", "—", "—", f"cannot tell what this is; declare its kind ({KINDS})"]]),
    "wrong extension for the kind declared": (
        ("offers.xlsx", CSV, "offers"),
        [["offers.xlsx", "—", "—", "unsupported offers format '.xlsx' (expected .csv, .json or .jsonl)"]]),
    # Found by tests/api/test_schemathesis.py: a folder named like a file was read as one (a 500), and the
    # OSError's text named the server's paths.
    "a folder named like an offers file": (
        ("catalogue.zip", zip_bytes({"catalogue/x.csv/notes.txt": "x", "catalogue/b.csv": GOOD_CSV}), "offers"),
        [["catalogue/x.csv", "—", "—", "cannot be read (Is a directory)"]]),
    "a folder where the kind wants one file": (
        ("csco.zip", zip_bytes({"a.csv": "level,code\n"}), "csco"),
        [["csco.zip", "—", "—", "cannot be read (Is a directory)"]]),
    "nested zip bombs are not opened": (
        ("nested.zip", lambda: zip_bytes({f"layer{i}.zip": zip_of([("zeros.md", 1 * GiB)]) for i in range(3)}),
         "auto"),
        [["nested.zip", "—", "—", "no documents found (.md, .txt, .html, .pdf, .docx)"]]),
}


@pytest.mark.parametrize(("given", "problems"), REJECTED.values(), ids=REJECTED.keys())
def test_malformed_files_are_answered_with_their_report(
    console: TestClient, earlier: dict[str, str], given: tuple[str, Content, str], problems: list[list[str]]
) -> None:
    filename, content, kind = given
    data = content() if callable(content) else content
    before = held(console)
    res = post(console, filename, data, kind)
    assert res.status_code == 422, res.text[:2000]
    assert f"Cannot be imported: {len(problems)} problem(s) found" in res.text
    assert table(res.text, "problems-caption") == problems
    assert "Import into the store" not in res.text
    after = held(console)
    report = res.headers["content-location"]
    kept = after["uploads"].pop(0)  # kept, with its report, as rejected: it is the newest
    assert (f"/operator/uploads/{kept[0]}", kept[1:3]) == (report, ("rejected", hashlib.sha256(data).hexdigest()))
    assert after == before
    assert console.get(report, headers=HTML).status_code == 200  # the report has an address of its own


def _multipart(token: str, filename: str, size: int) -> tuple[bytes, str]:
    boundary = "bad-uploads-boundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n").encode()
    return head + b"x" * size + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# (file name, content) -> (status, the message on the form page)
REFUSED = {
    "empty file": (("empty.csv", b""), (400, "empty.csv: empty file")),
    "zip bomb": (("bomb.zip", lambda: zip_of([("zeros.csv", 2 * GiB)])), (400,
                 "bomb.zip: archive unpacks to 2.0 GiB; the limit is 512.0 MiB")),
    "zip bomb of many members": (("bombs.zip", lambda: zip_of([(f"z{i}.md", 256 * MiB) for i in range(8)])), (400,
                                 "bombs.zip: archive unpacks to 2.0 GiB; the limit is 512.0 MiB")),
    "too many files": (("many.zip", lambda: zip_bytes({f"d/{i}.md": "# x" for i in range(5001)})), (400,
                       "many.zip: archive holds 5001 files; the limit is 5000")),
    "a zip that is no zip": (("policies.zip", b"PK\x03\x04 and then nothing"), (400,
                             "policies.zip: not a readable zip archive (File is not a zip file)")),
    "unsafe member": (("slip.zip", zip_bytes({"../../etc/cron.d/x.md": "# x"})), (400,
                      "slip.zip: archive member '../../etc/cron.d/x.md' points outside the archive "
                      "(absolute path or '..')")),
    "one byte over the cap": (("big.csv", lambda: b"x" * (CAP + 1)), (400,
                              "big.csv: file is 67,108,865 bytes; the limit is 64.0 MiB (67,108,864 bytes)")),
}


@pytest.mark.parametrize(("given", "expected"), REFUSED.values(), ids=REFUSED.keys())
def test_unsafe_files_are_refused_and_nothing_is_kept(
    console: TestClient, earlier: dict[str, str], given: tuple[str, Content], expected: tuple[int, str]
) -> None:
    (filename, content), (status, message) = given, expected
    data = content() if callable(content) else content
    before = held(console)
    res = post(console, filename, data)
    assert res.status_code == status
    assert text_of(res.text.split('id="upload-error"', 1)[1].split("</p>", 1)[0].split(">", 1)[1]) == message
    assert held(console) == before


@pytest.mark.parametrize("declared", [True, False], ids=["with Content-Length", "chunked"])
def test_an_oversize_upload_is_refused_before_it_is_read(
    console: TestClient, earlier: dict[str, str], declared: bool
) -> None:
    token = form_token(console.get("/operator/uploads", headers=HTML).text)
    body, content_type = _multipart(token, "huge.csv", CAP + 1 * MiB)
    sent = "the request is 65.0 MiB" if declared else "the request is larger than that"
    before = held(console)
    content = body if declared else (body[i:i + MiB] for i in range(0, len(body), MiB))
    res = console.post("/operator/uploads?lang=en", content=content, headers={**HTML, "content-type": content_type})
    assert res.status_code == 413
    assert f"upload too large: files may be at most 64.0 MiB; {sent}" in text_of(res.text)
    assert held(console) == before


def test_the_earlier_good_upload_still_imports(console: TestClient, earlier: dict[str, str]) -> None:
    """Last in the module: after every refusal above, the upload checked before them imports as it would have."""
    token = form_token(console.get(earlier["pending"], headers=HTML).text)
    res = console.post(earlier["pending"] + "/import", data={"csrf_token": token}, headers=HTML)
    assert res.status_code == 303 and res.headers["location"] == earlier["pending"] + "?imported=1"
    assert offers_of(console, "huzhou-2027") == ["h1", "t1"] and offers_of(console, "daqing") == ["d1"]
    statuses = {u.id: u.status for u in require_services(console.app).uploads.list()}
    mine = [statuses.pop(earlier[k].rsplit("/", 1)[1]) for k in ("imported", "pending")]
    assert mine == ["imported", "imported"] and set(statuses.values()) <= {"rejected"}  # bad ones: kept, not imported
