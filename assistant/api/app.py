"""Application factory: settings, engine and sessions are built here, never at import time."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from assistant import __version__
from assistant.api.bodylimit import install_body_limit
from assistant.api.errors import install_error_handlers
from assistant.api.inputs import check_request_text
from assistant.api.headers import install_security_headers
from assistant.accounts.service import Accounts
from assistant.api.auth import install_auth
from assistant.api.deps import Services, ServicesDep, set_pages, set_services
from assistant.api.counsellor import router as counsellor_router
from assistant.api.login import router as login_router
from assistant.api.operator import UPLOADS_PATH, install_operator, make_refresh_runner, make_uploads
from assistant.api.operator import router as operator_router
from assistant.api.pages import router as pages_router
from assistant.api.ratelimit import RateLimits, install_trusted_proxies
from assistant.api.chat import router as chat_router
from assistant.api.match import router as match_router
from assistant.api.search import router as search_router
from assistant.api.templating import Pages
from assistant.config import Settings
from assistant.dialogue.llm import make_language_model
from assistant.dialogue.manager import DialogueManager
from assistant.guidance.service import make_guidance
from assistant.casework.service import Casework
from assistant.errors import StoreUnavailableError
from assistant.operations.retention import start_purge_loop
from assistant.store.db import make_engine, pool_options, make_sessionmaker, schema_revision
from assistant.retrieval.runtime import make_retrieval, warm_up
from assistant.store.stats import store_status


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI app; the store engine lives for the app's lifespan."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Every request thread may hold one connection and, briefly, a second (a freshness check): the pool never
        # runs dry below that, so no thread waits on another for a connection.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        services = build_services(settings, pages)
        set_services(app, services)
        purges = start_purge_loop(settings, services.sessions, services.uploads)  # retention, in a thread
        # What start-up built (index, catalogue, models, ~300k objects) lives as long as the app: kept out of the
        # garbage collector's full passes, which otherwise stop every request for 50-170 ms a few times a minute.
        gc.collect()
        gc.freeze()
        yield
        gc.unfreeze()  # collectable again once the app is gone (tests build many apps in one process)
        if purges is not None:
            purges.stop()  # a purge in progress finishes its transaction before the engine goes
        if services.guidance.warmer is not None:
            services.guidance.warmer.stop()
        services.engine.dispose()

    # No /docs or /redoc: FastAPI's pages load scripts from a CDN, which the content security policy refuses
    # (and this service serves nothing from a CDN). The schema itself stays at /openapi.json.
    app = FastAPI(title="SkillPath", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  dependencies=[Depends(check_request_text)])  # URL and form text the store can hold, or a 400
    pages = Pages(settings.web_dir, settings.time_zone)  # templates and UI strings, read when the app is built
    set_pages(app, pages)
    install_error_handlers(app, https=settings.cookie_secure)
    install_auth(app)  # request.state.user and .csrf_token for every request
    install_operator(app)  # upload bodies capped before they are read
    install_body_limit(app, uploads=UPLOADS_PATH)  # and every other body, at a size no form or message needs
    install_security_headers(app, settings)  # outermost but one: the other middleware's answers get them too
    install_trusted_proxies(app, settings)  # outermost: every middleware and route sees the client's own address
    app.mount("/static", StaticFiles(directory=settings.web_dir / "static"), name="static")
    app.include_router(search_router)
    app.include_router(match_router)
    app.include_router(chat_router)
    app.include_router(pages_router)
    app.include_router(login_router)
    app.include_router(counsellor_router)
    app.include_router(operator_router)

    @app.get("/healthz")
    def healthz(services: ServicesDep) -> JSONResponse:
        """Liveness plus store readiness: 503 when the store is unreachable or not migrated."""
        try:
            current, head = schema_revision(services.engine)
            if current != head:
                return JSONResponse(
                    {"status": "unavailable", "detail": f"store schema at {current}, expected {head}"},
                    status_code=503,
                )
            with services.sessions() as session:
                status = store_status(session)
        except StoreUnavailableError as exc:
            return JSONResponse({"status": "unavailable", "detail": str(exc)}, status_code=503)
        except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
            return JSONResponse({"status": "unavailable", "detail": type(exc).__name__}, status_code=503)
        counts = {k: status[k] for k in ("occupations", "skills", "relations", "offers", "passages")}
        index = services.retrieval.holder.status()
        # A missing or incompatible index means search cannot answer: not ready. A stale one still serves.
        ok = index["state"] in ("ok", "stale")
        body = {"status": "ok" if index["state"] == "ok" else "degraded" if ok else "unavailable",
                "version": __version__, "schema": current, "store": counts, "index": index,
                "worker": os.getpid()}  # which `serve --workers` process answered (load balancing, debugging)
        warmer = services.guidance.warmer
        if warmer is not None:
            body["query_warmup"] = warmer.status()  # guidance is at full speed once this is done
        query_counts = getattr(services.retrieval.embedder, "query_counts", None)
        if query_counts is not None:
            body["query_vectors"] = query_counts()  # how often a query waited for the model (the load benchmark reads it)
        return JSONResponse(body, status_code=200 if ok else 503)

    return app


def build_services(settings: Settings, pages: Pages) -> Services:
    """What the lifespan starts, in the order each part needs the one before; started, not yet serving."""
    engine = make_engine(settings.database_url, **pool_options(settings.database_url, settings.threads))
    sessions = make_sessionmaker(engine)
    retrieval = make_retrieval(settings, sessions)
    warm_up(retrieval)
    guidance = make_guidance(retrieval, sessions, warm_lock=settings.cache_dir / "query-warmup.lock")
    guidance.warm_up()  # the store's catalog and the skills → occupations index, before the first request needs them
    if settings.warm_queries and guidance.warmer is not None:
        guidance.warmer.start()  # knowledge-base query vectors, in a low-priority thread
    dialogue = DialogueManager(guidance, sessions, max_chars=settings.max_message_chars,
                               llm=make_language_model(settings))
    return Services(
        settings=settings, engine=engine, sessions=sessions, retrieval=retrieval, guidance=guidance,
        dialogue=dialogue,
        # Counsellors' casework; skills they type are anchored in the taxonomy as the chat's are.
        casework=Casework(sessions, anchor=guidance.skill_from_form, occupation=guidance.extractor.occupation,
                          time_zone=settings.time_zone),
        accounts=Accounts(sessions, session_hours=settings.session_hours),
        csrf_key=settings.resolved_secret(),  # signs CSRF tokens; made and kept in the data home when not configured
        uploads=make_uploads(settings, sessions),
        refresh=make_refresh_runner(settings, sessions, retrieval),  # the one index refresh runner of this process
        rate_limits=RateLimits.from_settings(settings),  # this process's token buckets for chat, match and search
        pages=pages,
    )
