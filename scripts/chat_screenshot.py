"""Takes the README's picture of the chat: `skillpath serve` on a data home indexed with the real model, one welding
conversation in Debian's chromium (Playwright, never a downloaded browser), a screenshot of the recommendations.

Usage: .venv/bin/python scripts/chat_screenshot.py HOME [--out docs/images/chat.png]   (needs the test extra)
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TURNS = ["你好", "同意", "我在工厂做了三年电焊，会看图纸，想在湖州找个能拿工资的学徒岗位", "对"]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("home", type=Path, help="a data home with the defaults ingested and indexed by e5-small")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "chat.png")
    args = ap.parse_args(argv)
    from playwright.sync_api import expect, sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SKILLPATH_HOME": str(args.home), "SKILLPATH_PORT": str(port),
           "SKILLPATH_COOKIE_SECURE": "0", "SKILLPATH_WARM_QUERIES": "0"}
    server = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1100, "height": 1000}, locale="zh-CN")
            page.goto(f"http://127.0.0.1:{port}/?lang=zh")
            replies = page.locator("#chat-log .msg-assistant")
            for text in TURNS:
                before = replies.count()
                page.fill("#chat-input", text)
                page.press("#chat-input", "Enter")
                expect(replies).to_have_count(before + 1, timeout=60_000)
            replies.last.scroll_into_view_if_needed()
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
