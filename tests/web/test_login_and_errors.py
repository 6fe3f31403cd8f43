"""The login page and the error pages in a real browser: axe in both languages and sizes, a refused login announced,
a console link for a visitor without a login ending on the login form, and screenshots."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import DESKTOP, PHONE, Served, assert_accessible, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.browser]

STAFF = ("wang.operator", "wang-operates-2026!")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_login_and_not_found_pages_are_accessible(new_context: Any, lang: str, size: str,
                                                  viewport: dict[str, int]) -> None:
    tab = new_context(viewport).new_page()
    tab.goto(f"/login?lang={lang}")
    assert tab.locator("label[for=login-username]").is_visible()
    assert_accessible(tab, f"login-{lang}-{size}")
    screenshot(tab, f"login-{lang}-{size}")
    res = tab.goto("/no-such-page")
    assert res is not None and res.status == 404
    assert tab.locator("h1").inner_text().startswith("出错了" if lang == "zh" else "Something went wrong")
    assert_accessible(tab, f"not-found-{lang}-{size}")
    screenshot(tab, f"not-found-{lang}-{size}")


@pytest.mark.parametrize(("path", "heading"), [("/counsellor", "登录"), ("/operator/uploads", "登录")])
def test_a_console_link_without_a_login_ends_on_the_login_form(page: Any, path: str, heading: str) -> None:
    page.goto(f"{path}?lang=zh")
    assert page.url.split("?")[0].endswith("/login")
    assert heading in page.locator("h1").inner_text()
    assert page.locator("input[name=next]").input_value().startswith(path)


def test_a_refused_login_is_announced_and_accessible(page: Any, served: Served) -> None:
    served.add_user(STAFF[0], "operator", STAFF[1])
    page.goto("/login?lang=en&next=/operator")
    page.fill("#login-username", STAFF[0])
    page.fill("#login-password", "not-the-password")
    page.click("button[type=submit]")
    alert = page.locator("[role=alert]")
    assert alert.is_visible() and alert.inner_text().strip()
    assert page.locator("#login-password").get_attribute("aria-invalid") == "true"
    assert_accessible(page, "login-refused-en")
    screenshot(page, "login-refused-en")
    page.fill("#login-password", STAFF[1])
    page.click("button[type=submit]")
    page.wait_for_url("**/operator")
    assert page.locator("h1").count() == 1
