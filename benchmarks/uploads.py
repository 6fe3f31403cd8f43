"""Operator uploads through the console over HTTP: a 1 MB offers file uploaded, validated and previewed; imported;
undone; a large text document validated; a small zip of a 40 MB Markdown file refused.

    python -m benchmarks.uploads [--home var/bench-uploads] [--mb 1.0] [--runs 3]

The home holds the bundled knowledge base (ingested on the first run, with the fake embedder: uploads embed
nothing). Each figure is the wall time of one request as the browser makes it, through the app's middleware,
CSRF check and body limit; the median of --runs runs (each file with new ids, so every run adds rows).
"""

from __future__ import annotations

import argparse
import io
import random
import re
import statistics
import time
import zipfile
from pathlib import Path

from benchmarks.common import ROOT

CITIES = ("湖州市", "日照市", "临沂市", "舟山市", "Hangzhou", "Rizhao")
TRADES = ("焊工", "电工", "叉车司机", "育婴员", "养老护理员", "Welder", "Electrician", "CNC operator")
USER, PASSWORD = "bench-operator", "bench-operator-2026"


def offers_csv(target_bytes: int, seed: str) -> str:
    """Offers rows until the file reaches target_bytes; every field valid."""
    rng = random.Random(seed)
    lines = ["id,kind,title,provider,city,mode,duration_text,cost,start_dates,description"]
    size, n = len(lines[0]) + 1, 0
    while size < target_bytes:
        n += 1
        trade, city = rng.choice(TRADES), rng.choice(CITIES)
        kind = rng.choice(("apprenticeship", "training"))
        line = (f"{seed}-{n},{kind},{trade}{'学徒' if kind == 'apprenticeship' else '培训'} {n},{city}职业技能培训学校,"
                f"{city},{rng.choice(('online', 'in-person', 'blended'))},{rng.choice((3, 6, 12))}个月,"
                f"{rng.randint(0, 5000)},2027-{rng.randint(1, 12):02d}-01,"
                f"面向{city}求职者的{trade}课程，含实操训练和考证辅导。")
        lines.append(line)
        size += len(line.encode()) + 1
    return "\n".join(lines) + "\n"


def markdown_zip(megabytes: float) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("policy.md", "# 政策\n\n" + "补贴标准按规定执行。" * int(megabytes * 1024 * 1024 / 30))
    return buf.getvalue()


def timed(fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=ROOT / "var" / "bench-uploads")
    parser.add_argument("--mb", type=float, default=1.0, help="size of the offers file (MB)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--document-mb", type=float, default=15.0, help="size of the text document validated")
    args = parser.parse_args(argv)

    from fastapi.testclient import TestClient

    from assistant.accounts.service import Accounts
    from assistant.api.app import create_app
    from assistant.cli import main as cli
    from assistant.config import Settings
    from assistant.store.db import make_engine, make_sessionmaker, migrate

    env = {"SKILLPATH_HOME": str(args.home), "SKILLPATH_EMBEDDER": "fake", "SKILLPATH_COOKIE_SECURE": "0",
           "SKILLPATH_WARM_QUERIES": "0", "SKILLPATH_PURGE_EVERY_HOURS": "0"}
    if not (args.home / "skillpath.db").exists():
        assert cli(["ingest"], environ=env) == 0 and cli(["index"], environ=env) == 0
    settings = Settings.from_env(env)
    engine = make_engine(settings.database_url)
    migrate(engine)
    accounts = Accounts(make_sessionmaker(engine))
    if accounts.find(USER) is None:
        accounts.add_user(USER, "operator", PASSWORD, display_name=USER, via="cli")
    engine.dispose()

    html = {"accept": "text/html"}
    with TestClient(create_app(settings), follow_redirects=False) as client:
        page = client.get("/login", headers=html).text
        token = re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"username": USER, "password": PASSWORD, "next": "/operator", "csrf_token": token},
                    headers=html)
        token = re.search(r'name="csrf_token" value="([^"]*)"',  # type: ignore[union-attr]
                          client.get("/operator/uploads", headers=html).text).group(1)

        def post_file(name: str, data: bytes) -> tuple[int, str]:
            res = client.post("/operator/uploads", data={"csrf_token": token, "kind": "auto"},
                              files={"file": (name, data, "text/csv")}, headers=html)
            where = res.headers.get("location") or res.headers.get("content-location") or ""
            client.get(where, headers=html)  # the report page the browser is sent to
            return res.status_code, where

        upload_s, import_s, undo_s = [], [], []
        for run in range(args.runs):
            data = offers_csv(int(args.mb * 1_000_000), f"bench{time.time_ns()}{run}").encode()
            seconds, (status, where) = timed(lambda: post_file(f"bench-{run}.csv", data))
            assert status == 303, f"upload refused ({status}): {where}"
            upload_s.append(seconds)
            seconds, res = timed(lambda: client.post(f"{where}/import", data={"csrf_token": token}, headers=html))
            assert res.status_code == 303, res.text[:500]
            import_s.append(seconds)
            seconds, res = timed(lambda: client.post(f"{where}/undo", data={"csrf_token": token}, headers=html))
            assert res.status_code == 303, res.text[:500]
            undo_s.append(seconds)
        rows = data.count(b"\n") - 1
        print(f"offers file: {len(data) / 1e6:.2f} MB, {rows:,} rows; median of {args.runs} runs on {_cores()} cores")
        print(f"  upload + validate + preview (report page shown): {statistics.median(upload_s):.2f} s "
              f"(max {max(upload_s):.2f} s)")
        print(f"  import: {statistics.median(import_s):.2f} s; undo (index switched back): "
              f"{statistics.median(undo_s):.2f} s")

        text = ("# 学徒政策\n\n" + "企业新招用学徒，按规定给予培训补贴。申请材料包括劳动合同和培训计划。\n\n"
                * int(args.document_mb * 1024 * 1024 / 110)).encode()
        seconds, (status, _where) = timed(lambda: post_file("policy-large.md", text))
        print(f"text document {len(text) / 2**20:.1f} MiB: validated in {seconds:.2f} s (status {status})")
        bomb = markdown_zip(40)
        seconds, (status, _where) = timed(lambda: post_file("policy-40mb.zip", bomb))
        print(f"zip of {len(bomb) / 1024:.0f} KiB holding a 40 MiB Markdown file: answered in {seconds:.2f} s "
              f"(status {status}: {'refused' if status == 422 else 'accepted'})")


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
