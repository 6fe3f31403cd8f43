"""Application factory: settings, engine and sessions are built here, never at import time."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from assistant import __version__
from assistant.api.bodylimit import install_body_limit
from assistant.api.errors import install_error_handlers
from assistant.api.inputs import check_request_text
from assistant.api.headers import install_security_headers
from assistant.api.auth import install_auth, start_auth
from assistant.api.counsellor import router as counsellor_router
from assistant.api.login import router as login_router
from assistant.api.operator import UPLOADS_PATH, install_operator, start_operator
from assistant.api.operator import router as operator_router
from assistant.api.pages import router as pages_router
from assistant.api.ratelimit import start_rate_limits
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
        engine = make_engine(settings.database_url, **pool_options(settings.database_url, settings.threads))
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessions = make_sessionmaker(engine)
        app.state.retrieval = make_retrieval(settings, app.state.sessions)
        warm_up(app.state.retrieval)
        app.state.guidance = make_guidance(app.state.retrieval, app.state.sessions,
                                           warm_lock=settings.cache_dir / "query-warmup.lock")
        if settings.warm_queries and app.state.guidance.warmer is not None:
            app.state.guidance.warmer.start()  # knowledge-base query vectors, in a low-priority thread
        app.state.dialogue = DialogueManager(app.state.guidance, app.state.sessions,
                                             max_chars=settings.max_message_chars, llm=make_language_model(settings))
        start_auth(app, settings)  # accounts service and the CSRF signing key
        # Counsellors' casework; skills they type are anchored in the taxonomy as the chat's are.
        app.state.casework = Casework(app.state.sessions, anchor=app.state.guidance.skill_from_form)
        start_operator(app, settings)  # uploads folder and the one index refresh runner
        start_rate_limits(app, settings)  # this process's token buckets for chat, match and search
        purges = start_purge_loop(settings, app.state.sessions, app.state.uploads)  # retention, in a thread
        yield
        if purges is not None:
            purges.stop()  # a purge in progress finishes its transaction before the engine goes
        if app.state.guidance.warmer is not None:
            app.state.guidance.warmer.stop()
        engine.dispose()

    # No /docs or /redoc: FastAPI's pages load scripts from a CDN, which the content security policy refuses
    # (and this service serves nothing from a CDN). The schema itself stays at /openapi.json.
    app = FastAPI(title="SkillPath", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  dependencies=[Depends(check_request_text)])  # URL and form text the store can hold, or a 400
    app.state.pages = Pages(settings.web_dir)  # templates and UI strings, read when the app is built
    install_error_handlers(app)
    install_auth(app)  # request.state.user and .csrf_token for every request
    install_operator(app)  # upload bodies capped before they are read
    install_body_limit(app, uploads=UPLOADS_PATH)  # and every other body, at a size no form or message needs
    install_security_headers(app, settings)  # last, so outermost: the other middleware's answers get them too
    app.mount("/static", StaticFiles(directory=settings.web_dir / "static"), name="static")
    app.include_router(search_router)
    app.include_router(match_router)
    app.include_router(chat_router)
    app.include_router(pages_router)
    app.include_router(login_router)
    app.include_router(counsellor_router)
    app.include_router(operator_router)

    @app.get("/healthz")
    def healthz(request: Request) -> JSONResponse:
        """Liveness plus store readiness: 503 when the store is unreachable or not migrated."""
        try:
            current, head = schema_revision(request.app.state.engine)
            if current != head:
                return JSONResponse(
                    {"status": "unavailable", "detail": f"store schema at {current}, expected {head}"},
                    status_code=503,
                )
            with request.app.state.sessions() as session:
                status = store_status(session)
        except StoreUnavailableError as exc:
            return JSONResponse({"status": "unavailable", "detail": str(exc)}, status_code=503)
        except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
            return JSONResponse({"status": "unavailable", "detail": type(exc).__name__}, status_code=503)
        counts = {k: status[k] for k in ("occupations", "skills", "relations", "offers", "passages")}
        index = request.app.state.retrieval.holder.status()
        # A missing or incompatible index means search cannot answer: not ready. A stale one still serves.
        ok = index["state"] in ("ok", "stale")
        body = {"status": "ok" if index["state"] == "ok" else "degraded" if ok else "unavailable",
                "version": __version__, "schema": current, "store": counts, "index": index,
                "worker": os.getpid()}  # which `serve --workers` process answered (load balancing, debugging)
        warmer = request.app.state.guidance.warmer
        if warmer is not None:
            body["query_warmup"] = warmer.status()  # guidance is at full speed once this is done
        query_counts = getattr(request.app.state.retrieval.embedder, "query_counts", None)
        if query_counts is not None:
            body["query_vectors"] = query_counts()  # how often a query waited for the model (the load benchmark reads it)
        return JSONResponse(body, status_code=200 if ok else 503)

    return app
