"""The counsellor console: sessions list, the live session page, casework forms and plan exports, thin over Casework.

Every route is on the guarded router (counsellor or admin; forms and JSON posts need the CSRF token). Forms
post, then redirect (303) back to the session page; a refused form shows the page again with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from assistant.accounts.service import Account
from assistant.api.auth import require_role
from assistant.api.deps import CaseworkDep, CsrfToken, PagesDep
from assistant.api.templating import UI_LANGUAGES, Pages
from assistant.casework.errors import CaseError
from assistant.casework.export import DOCX_TYPE, ExportInfo, citations, plan_docx
from assistant.casework.reading import parse_filter
from assistant.casework.service import Casework
from assistant.casework.views import PHASES, SearchResult, SessionDetail

counsellor_only = require_role("counsellor", "admin")
router = APIRouter(dependencies=[Depends(counsellor_only)])
Counsellor = Annotated[Account, Depends(counsellor_only)]
# Pages and JSON about a person: never cached, and their address (with the session id) never sent on.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def _strings(request: Request, pages: Pages, lang: str | None = None) -> tuple[str, dict[str, str]]:
    lang = lang if lang in UI_LANGUAGES else pages.language(request)
    return lang, pages.strings[lang]


def _fill(text: str, params: dict[str, str]) -> str:
    for key, value in params.items():
        text = text.replace("{" + key + "}", value)
    return text


def error_message(t: dict[str, str], exc: CaseError) -> str:
    """The console's words for a refusal; the English detail when there are none for its code."""
    template = t.get(f"cw_error_{exc.code}")
    return _fill(template, exc.params) if template else str(exc)


def _private(response: Response) -> Response:
    response.headers.update(PRIVATE)
    return response


# -- pages ---------------------------------------------------------------------------------------------------

@router.get("/counsellor", response_class=HTMLResponse)
def home(request: Request, user: Counsellor, pages: PagesDep, service: CaseworkDep, scope: str = "mine", q: str = "",
         phase: str = "", assigned: str = "", since: str = "", until: str = "") -> Response:
    """The sessions list: mine (assigned to me) or all, narrowed by the search form."""
    scope = scope if scope in ("mine", "all") else "mine"
    _, t = _strings(request, pages)
    error = ""
    try:
        f = parse_filter(q, phase, assigned if scope == "all" else user.username, since, until)
        result = service.search(f)
    except CaseError as exc:
        error, result = error_message(t, exc), SearchResult([], False)
    query = {"q": q, "phase": phase, "assigned": assigned, "since": since, "until": until}
    context = {"account": user, "scope": scope, "query": query, "result": result, "error": error,
               "filtered": any(query.values()), "phases": PHASES, "colleagues": service.colleagues(),
               "follow_ups": service.follow_ups(user.username)}
    return _private(pages.render(request, "counsellor/home.html", context, status_code=400 if error else 200))


def _session_page(request: Request, pages: Pages, service: Casework, user: Account, session_id: str, *,
                  done: str = "", error: str = "", form: dict[str, str] | None = None, status: int = 200) -> Response:
    detail = service.detail(session_id)  # NotFoundError → the 404 page
    _, t = _strings(request, pages)
    context = {"account": user, "d": detail, "citations": citations(detail, t), "colleagues": service.colleagues(),
               "time_zone": service.time_zone,
               "done": t.get(f"cw_done_{done}", "") if done else "", "error": error, "form": form or {}}
    return _private(pages.render(request, "counsellor/session.html", context, status_code=status))


@router.get("/counsellor/sessions/{session_id}", response_class=HTMLResponse)
def session_page(request: Request, user: Counsellor, pages: PagesDep, service: CaseworkDep, session_id: str,
                 done: str = "") -> Response:
    """One session, live: the page polls /api/counsellor/sessions/{id} while the job seeker chats."""
    return _session_page(request, pages, service, user, session_id, done=done)


@router.get("/api/counsellor/sessions/{session_id}")
def session_live(request: Request, pages: PagesDep, service: CaseworkDep, token: CsrfToken, session_id: str,
                 after: int = 0, version: str = "") -> JSONResponse:
    """New messages after ordinal `after`, as HTML items; the profile and suggestions regions when `version` is old."""
    update = service.live(session_id, after=after, version=version)
    lang, t = _strings(request, pages)
    env = pages.templates.env
    macros = env.get_template("counsellor/_macros.html").make_module({"t": t})
    body: dict[str, Any] = {
        "version": update.version, "changed": update.changed, "phase": update.phase,
        "phase_label": t.get(f"cw_phase_{update.phase}", update.phase),
        "last_ordinal": max([after] + [m.ordinal for m in update.messages]),
        "messages": [{"ordinal": m.ordinal, "role": m.role, "text": m.text, "html": str(macros.message(m, t))}
                     for m in update.messages],
    }
    if update.detail is not None:
        context = {"d": update.detail, "t": t, "lang": lang, "citations": citations(update.detail, t),
                   "csrf_token": token}
        body["regions"] = {name: env.get_template(f"counsellor/_{name}.html").render(context)
                           for name in ("profile", "suggestions")}
    return JSONResponse(body, headers=PRIVATE)


# -- forms ---------------------------------------------------------------------------------------------------

def _act(request: Request, pages: Pages, service: Casework, user: Account, session_id: str,
         action: Callable[[], Any] | None, *, done: str, anchor: str, form: dict[str, str]) -> Response:
    """Run one casework change; 303 back to the session on success, the page with the reason (400) on refusal."""
    try:
        if action is None:
            raise CaseError("form_action", "unknown action")
        action()
    except CaseError as exc:
        _, t = _strings(request, pages)
        return _session_page(request, pages, service, user, session_id, error=error_message(t, exc), form=form,
                             status=400)
    return RedirectResponse(f"/counsellor/sessions/{quote(session_id)}?done={done}#{anchor}", status_code=303)


@router.post("/counsellor/sessions/{session_id}/skills")
def skills_form(request: Request, user: Counsellor, pages: PagesDep, service: CaseworkDep, session_id: str,
                action: Annotated[str, Form()] = "", skill_id: Annotated[str, Form()] = "",
                label: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    me = user.username
    actions: dict[str, Callable[[], Any]] = {
        "confirm": lambda: service.confirm_skill(session_id, skill_id, actor=me),
        "edit": lambda: service.edit_skill(session_id, skill_id, label, note, actor=me),
        "remove": lambda: service.remove_skill(session_id, skill_id, note, actor=me),
        "add": lambda: service.add_skill(session_id, label, actor=me),
    }
    return _act(request, pages, service, user, session_id, actions.get(action), done=f"skill_{action}",
                anchor="profile", form={"which": "skills", "label": label})


@router.post("/counsellor/sessions/{session_id}/lines")
def lines_form(request: Request, user: Counsellor, pages: PagesDep, service: CaseworkDep, session_id: str,
               action: Annotated[str, Form()] = "", field: Annotated[str, Form()] = "",
               key: Annotated[str, Form()] = "", text: Annotated[str, Form()] = "",
               note: Annotated[str, Form()] = "") -> Response:
    """Correct an experience or goal line (edit or remove); the chat honours it from the next turn on."""
    me = user.username
    actions: dict[str, Callable[[], Any]] = {
        "edit": lambda: service.edit_line(session_id, field, key, text, note, actor=me),
        "remove": lambda: service.remove_line(session_id, field, key, note, actor=me),
    }
    done = f"{field}_{action}" if field in ("experience", "goal") else ""
    return _act(request, pages, service, user, session_id, actions.get(action), done=done, anchor="profile",
                form={"which": "lines", "text": text, "note": note})


@router.post("/counsellor/sessions/{session_id}/contact")
def contact_form(request: Request, user: Counsellor, pages: PagesDep, service: CaseworkDep, session_id: str,
                 display_name: Annotated[str, Form()] = "", contact: Annotated[str, Form()] = "",
                 consent: Annotated[str, Form()] = "") -> Response:
    return _act(request, pages, service, user, session_id,
                lambda: service.set_contact(session_id, display_name, contact, consent == "yes", actor=user.username),
                done="contact", anchor="case-file",
                form={"which": "contact", "display_name": display_name, "contact": contact})


@router.post("/counsellor/sessions/{session_id}/follow-up")
def follow_up_form(request: Request, user: Counsellor, pages: PagesDep, service: CaseworkDep, session_id: str,
                   due: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    return _act(request, pages, service, user, session_id,
                lambda: service.set_follow_up(session_id, due, note, actor=user.username),
                done="follow_up", anchor="case-file", form={"which": "follow_up", "due": due, "note": note})


@router.post("/counsellor/sessions/{session_id}/reviews")
def review_form(request: Request, user: Counsellor, pages: PagesDep, service: CaseworkDep, session_id: str,
                kind: Annotated[str, Form()] = "", ref: Annotated[str, Form()] = "",
                decision: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    return _act(request, pages, service, user, session_id,
                lambda: service.review(session_id, kind, ref, decision, note, actor=user.username),
                done=f"review_{decision}", anchor="suggestions", form={"which": "reviews", "note": note})


@router.post("/counsellor/sessions/{session_id}/notes")
def note_form(request: Request, user: Counsellor, pages: PagesDep, service: CaseworkDep, session_id: str,
              text: Annotated[str, Form()] = "") -> Response:
    return _act(request, pages, service, user, session_id,
                lambda: service.add_note(session_id, text, actor=user.username),
                done="note", anchor="notes", form={"which": "notes", "text": text})


@router.post("/counsellor/sessions/{session_id}/plan")
def plan_form(request: Request, user: Counsellor, pages: PagesDep, service: CaseworkDep, session_id: str,
              action: Annotated[str, Form()] = "", item_id: Annotated[str, Form()] = "",
              suggestion: Annotated[str, Form()] = "", text: Annotated[str, Form()] = "",
              target_date: Annotated[str, Form()] = "", step_action: Annotated[str, Form()] = "") -> Response:
    me = user.username
    kind, _, ref = suggestion.partition("|")  # the select's value is "<kind>|<ref>"
    actions: dict[str, Callable[[], Any]] = {
        "add_suggestion": lambda: service.plan_add_suggestion(session_id, kind, ref, target_date, actor=me),
        "add_step": lambda: service.plan_add_step(session_id, text, target_date, step_action, actor=me),
        "remove": lambda: service.plan_remove(session_id, item_id, actor=me),
        "agree": lambda: service.plan_agree(session_id, actor=me),
    }
    done = {"add_suggestion": "plan_add", "add_step": "plan_add", "remove": "plan_remove",
            "agree": "plan_agree"}.get(action, "")
    return _act(request, pages, service, user, session_id, actions.get(action), done=done, anchor="plan",
                form={"which": "plan", "text": text, "target_date": target_date, "step_action": step_action})


@router.post("/counsellor/sessions/{session_id}/handover")
def handover_form(request: Request, user: Counsellor, pages: PagesDep, service: CaseworkDep, session_id: str,
                  to: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    return _act(request, pages, service, user, session_id,
                lambda: service.hand_over(session_id, to, note, actor=user.username),
                # Taking a case oneself is a handover to oneself, but the counsellor took it: say so.
                done="take" if to.strip().lower() == user.username else "handover", anchor="handover", form={"which": "handover", "to": to, "note": note})


# -- exports -------------------------------------------------------------------------------------------------

def _export(request: Request, pages: Pages, service: Casework, user: Account, session_id: str, lang: str | None,
            fmt: str) -> tuple[SessionDetail, str, dict[str, str], ExportInfo]:
    """The session, in the language asked for (else the job seeker's), and who hands the plan over today."""
    detail = service.export(session_id, actor=user.username, fmt=fmt)
    lang, t = _strings(request, pages, lang if lang in UI_LANGUAGES else detail.language)
    by = detail.assigned.label if detail.assigned else (
        user.display_name if user.display_name == user.username else f"{user.display_name} ({user.username})")
    return detail, lang, t, ExportInfo(by, service.today(), lang, service.time_zone)


@router.get("/counsellor/sessions/{session_id}/plan", response_class=HTMLResponse)
def plan_print(request: Request, user: Counsellor, pages: PagesDep, service: CaseworkDep, session_id: str,
               lang: str | None = None) -> Response:
    """The plan to print and hand over; print CSS drops the navigation and the buttons."""
    detail, lang, t, info = _export(request, pages, service, user, session_id, lang, "html")
    context = {"account": user, "d": detail, "info": info, "citations": citations(detail, t),
               "lang": lang, "other_lang": "en" if lang == "zh" else "zh", "t": t}
    return _private(pages.render(request, "counsellor/plan_print.html", context))


@router.get("/counsellor/sessions/{session_id}/plan.docx")
def plan_word(request: Request, user: Counsellor, pages: PagesDep, service: CaseworkDep, session_id: str,
              lang: str | None = None) -> Response:
    detail, _, t, info = _export(request, pages, service, user, session_id, lang, "docx")
    headers = {**PRIVATE, "Content-Disposition": f'attachment; filename="skillpath-plan-{detail.id[:8]}.docx"'}
    return Response(plan_docx(detail, t, info), media_type=DOCX_TYPE, headers=headers)
