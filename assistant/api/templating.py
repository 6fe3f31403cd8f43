"""Server-rendered pages: the templates under web/, UI strings in Chinese and English, and the page language."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from assistant.store.clock import local, shown

UI_LANGUAGES = ("zh", "en")
LANG_COOKIE = "skillpath_lang"


def load_strings(i18n_dir: Path) -> dict[str, dict[str, str]]:
    """Every web/i18n/*.json ({"zh": {...}, "en": {...}}) merged; a key missing in one language is an error."""
    merged: dict[str, dict[str, str]] = {lang: {} for lang in UI_LANGUAGES}
    for path in sorted(i18n_dir.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = [set(data.get(lang, {})) for lang in UI_LANGUAGES]
        if keys[0] != keys[1]:
            raise ValueError(f"{path.name}: keys differ between languages: {sorted(keys[0] ^ keys[1])}")
        for lang in UI_LANGUAGES:
            clash = set(merged[lang]) & set(data[lang])
            if clash:
                raise ValueError(f"{path.name}: keys already defined in another file: {sorted(clash)}")
            merged[lang].update(data[lang])
    return merged


def _moment(value: datetime | str | None) -> datetime | None:
    """A stored moment; an ISO string without a zone is UTC, as everything the service writes."""
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    return value


class Pages:
    """Renders templates with the page language, its strings and the request's CSRF token."""

    def __init__(self, web_dir: Path, time_zone: str = "UTC") -> None:
        self.templates = Jinja2Templates(directory=str(web_dir / "templates"))
        self.strings = load_strings(web_dir / "i18n")
        self.time_zone = time_zone
        # One way to write a time on every page: {{ moment | localtime }}, {{ moment | localdate }}, and for the
        # machine-readable <time datetime="{{ moment | localiso }}">, in the deployment's zone (settings.time_zone).
        # A moment may come as a datetime (rows) or as an ISO string (index manifests, refresh status).
        env = self.templates.env
        env.filters["localtime"] = lambda moment: shown(_moment(moment), time_zone)
        env.filters["localdate"] = lambda moment: shown(_moment(moment), time_zone, with_time=False)
        env.filters["localiso"] = lambda moment: local(_moment(moment), time_zone).isoformat() if moment else ""
        env.globals["time_zone"] = time_zone

    def language(self, request: Request) -> str:
        """?lang= first (and remembered by the cookie), then the cookie, then Accept-Language; Chinese by default."""
        for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
            if candidate in UI_LANGUAGES:
                return candidate
        accept = request.headers.get("accept-language", "").lower()
        if accept.startswith("en") and "zh" not in accept.split(",")[0]:
            return "en"
        return "zh"

    def render(self, request: Request, name: str, context: dict[str, Any] | None = None,
               status_code: int = 200) -> HTMLResponse:
        lang = self.language(request)
        ctx: dict[str, Any] = {
            "lang": lang,
            "other_lang": "en" if lang == "zh" else "zh",
            "t": self.strings[lang],
            "user": getattr(request.state, "user", None),
            "csrf_token": getattr(request.state, "csrf_token", ""),
        }
        ctx.update(context or {})
        response = self.templates.TemplateResponse(request, name, ctx, status_code=status_code)
        if request.query_params.get("lang") in UI_LANGUAGES:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
        return response
