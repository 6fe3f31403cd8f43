"""Command line: `skillpath ingest`, `status`, `index`, `search`, `serve`, `user`, `purge`."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from pathlib import Path

from assistant.accounts.passwords import check_policy
from assistant.accounts.service import Account, Accounts
from assistant.accounts.users import ROLES, normalise_username
from assistant.config import Settings
from assistant.progress import StageLines
from assistant.errors import AccountError, NotFoundError, SkillPathError
from assistant.ingest import esco
from assistant.ingest.runner import (
    KINDS,
    Job,
    needs_defaults,
    plan_defaults,
    plan_path,
    run_jobs,
    source_names,
)
from assistant.ingest.sync import SyncReport
from assistant.index.documents import TYPES
from assistant.index.versions import IndexVersions
from assistant.store.db import make_engine, make_sessionmaker, migrate, store_lock
from assistant.store.stats import store_status


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="skillpath", description="SkillPath career-guidance assistant")
    sub = p.add_subparsers(dest="command", required=True)
    ing = sub.add_parser("ingest", help="import knowledge sources (no path: the bundled defaults)")
    ing.add_argument("paths", nargs="*", type=Path)
    ing.add_argument("--kind", choices=KINDS, help="source type (default: detect)")
    ing.add_argument("--name", help="source name (default: the file or folder name)")
    ing.add_argument("--source-version", dest="version", help="release label (default: from the data)")
    ing.add_argument("--mapping", type=Path, help="offers: JSON file mapping foreign columns to the schema")
    ing.add_argument("--skip-invalid", action="store_true", help="offers: leave out invalid records, list them")
    ing.add_argument("--no-defaults", action="store_true", help="do not add the bundled defaults to an empty store")
    st = sub.add_parser("status", help="what the store holds")
    st.add_argument("--json", action="store_true", help="print one JSON object")
    ix = sub.add_parser("index", help="build a new index version from the store and switch to it atomically")
    ix.add_argument("--rollback", action="store_true", help="serve the previous index version again")
    ix.add_argument("--list", action="store_true", help="list the index versions on disk")
    se = sub.add_parser("search", help="search the serving index")
    se.add_argument("text")
    se.add_argument("--type", choices=TYPES)
    se.add_argument("--scheme")
    se.add_argument("--lang")
    se.add_argument("--location")
    se.add_argument("-k", type=int, default=10)
    se.add_argument("--json", action="store_true", help="print the API's JSON")
    sv = sub.add_parser("serve", help="run the web service (ingests the defaults and builds the index on first run)")
    sv.add_argument("--host")
    sv.add_argument("--port", type=int)
    sv.add_argument("--workers", type=int, help="processes answering on the port (default: SKILLPATH_WORKERS or 1); "
                                                "with more than one, use PostgreSQL")
    us = sub.add_parser("user", help="console accounts: add, list, passwd, deactivate")
    usub = us.add_subparsers(dest="user_command", required=True)
    ua = usub.add_parser("add", help="create an account (the first admin is made this way)")
    ua.add_argument("username")
    ua.add_argument("--role", required=True, help=f"one of {', '.join(ROLES)}")
    ua.add_argument("--display-name", default="", help="the name shown in the consoles (default: the username)")
    ua.add_argument("--password-stdin", action="store_true", help="read the password from stdin instead of asking")
    ul = usub.add_parser("list", help="list the accounts")
    ul.add_argument("--json", action="store_true", help="print one JSON array")
    up = usub.add_parser("passwd", help="set a new password (ends that user's sessions)")
    up.add_argument("username")
    up.add_argument("--password-stdin", action="store_true", help="read the password from stdin instead of asking")
    ud = usub.add_parser("deactivate", help="stop an account logging in (ends its sessions; kept for the audit)")
    ud.add_argument("username")
    pu = sub.add_parser("purge", help="delete what the retention settings say has expired (the service does it daily)")
    pu.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    pu.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def _print_report(r: SyncReport) -> None:
    if r.unchanged:
        print(f"  {r.source}: unchanged ({r.version})")
    else:
        parts = [f"{t}: +{c.inserted} ~{c.updated} -{c.deleted}" for t, c in r.tables.items() if c.total]
        print(f"  {r.source} {r.version}: " + (", ".join(parts) or "no row changed"))
    for name in r.removed_sources:
        print(f"    replaced source {name}")
    for note in r.notes:
        print(f"    note: {note}")


def _ingest(settings: Settings, jobs_for: Callable[[set[str]], list[Job]]) -> list[SyncReport]:
    settings.ensure_home()
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        factory = make_sessionmaker(engine)
        with factory() as session:
            names = source_names(session)
        jobs = jobs_for(names)
        lines = StageLines("ingest")
        reports = run_jobs(factory, jobs, lines.say) if jobs else []
    finally:
        engine.dispose()
    for r in reports:
        _print_report(r)
    return reports


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    def jobs_for(names: set[str]) -> list[Job]:
        jobs: list[Job] = []
        given_esco = any(esco.is_esco_export(p) for p in args.paths) or args.kind == "esco"
        if not args.paths or (needs_defaults(names) and not args.no_defaults):
            lite = esco.SOURCE_NAME not in names and not given_esco
            jobs += plan_defaults(settings.knowledge_dir, include_esco_lite=lite)
        for path in args.paths:
            jobs += plan_path(path, kind=args.kind, name=args.name, version=args.version,
                              mapping=args.mapping, skip_invalid=args.skip_invalid)
        return jobs

    _ingest(settings, jobs_for)
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.retrieval.runtime import make_retrieval

    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        sessions = make_sessionmaker(engine)
        with sessions() as session:
            status = store_status(session)
        status["index"] = make_retrieval(settings, sessions).holder.status()
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(status, ensure_ascii=False))
        return 0
    print(f"store: {settings.database_url}")
    for key in ("occupations", "groups", "skills"):
        print(f"{key}: " + (", ".join(f"{k} {v}" for k, v in status[key].items()) or "none"))
    print(f"relations: {status['relations']}")
    print("offers: " + ", ".join(f"{k} {v}" for k, v in status["offers"].items()) + f" ({status['sample_offers']} sample)")
    print(f"documents: {status['documents']}, passages: {status['passages']}")
    ix = status["index"]
    print(f"index: {ix['state']}" + (f" {ix['version']} ({ix['embedder']}, built {ix['built_at']})" if ix["version"] else ""))
    for problem in ix["problems"]:
        print(f"  ! {problem}")
    print("sources:")
    for s in status["sources"]:
        print(f"  {s['name']:<28} {s['kind']:<10} {s['version']}  imported {s['imported_at'][:19]}")
    return 0


def _build_index(settings: Settings, *, views: bool = True) -> None:
    """Build an index version; `views` adds the other readings of English skills (index/skill_views.py)."""
    from assistant.index.build import build_index
    from assistant.retrieval.runtime import cached_embedder, views_embedder

    settings.ensure_home()
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        versions = IndexVersions(settings.index_dir, keep=settings.index_keep)
        embedder = cached_embedder(settings)
        report = build_index(make_sessionmaker(engine), embedder, versions, approximate_above=settings.approximate_above,
                             on_step=StageLines("index"), views=views_embedder(settings) if views else None)
    finally:
        engine.dispose()
    m = report.manifest
    print(f"index {m.version_id}: " + ", ".join(f"{k} {v}" for k, v in m.counts.items())
          + f"; {m.units} units, {m.embedder} {m.dim}-d {m.dense_kind}; embedded {report.embedded}, "
          f"reused {report.reused} from cache; {report.seconds:.1f} s")


def _index_needed(settings: Settings) -> bool:
    """No index yet, a broken one, or one built from other store content or with another model. Read from the
    serving version's manifest and file hashes, without loading it: the app loads the index once, when it starts."""
    from assistant.index.documents import store_hash
    from assistant.index.embedders import make_embedder
    from assistant.index.manifest import check_compatible, read_manifest, verify_files

    folder = IndexVersions(settings.index_dir, keep=settings.index_keep).current_path()
    if folder is None:
        return True
    try:
        manifest = read_manifest(folder)
        verify_files(folder, manifest)
    except Exception:  # noqa: BLE001 - whatever is wrong with it, a new build replaces it
        return True
    embedder = make_embedder(settings.embedder)  # name, version and size only: no model is loaded for e5
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            digest = store_hash(session)
    finally:
        engine.dispose()
    return bool(check_compatible(manifest, embedder=embedder.name, embedder_version=embedder.version,
                                 dim=embedder.dim, store_hash=digest))


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    versions = IndexVersions(settings.index_dir, keep=settings.index_keep)
    if args.list:
        current = versions.current_id()
        for vid in versions.versions():
            print(("* " if vid == current else "  ") + vid)
        return 0
    if args.rollback:
        print(f"index: now serving {versions.rollback()}")
        return 0
    _build_index(settings)
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.retrieval.runtime import make_retrieval
    from assistant.retrieval.search import Query

    query = Query(args.text, type=args.type, scheme=args.scheme, lang=args.lang, location=args.location, k=args.k)
    engine = make_engine(settings.database_url)
    try:
        retrieval = make_retrieval(settings, make_sessionmaker(engine))
        hits = retrieval.service.search(query)
        warnings = retrieval.holder.warnings()
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps({"hits": [h.to_dict() for h in hits], "warnings": warnings}, ensure_ascii=False))
        return 0
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    for i, h in enumerate(hits, 1):
        ident = " ".join(x for x in (h.scheme, h.code) if x)
        print(f"{i:>2}. {h.score:.3f}  [{h.type}] {h.title}  ({ident})")
        cite = ", ".join(x for x in (h.source.get("name"), h.source.get("version"), h.uri or h.source.get("url")) if x)
        print(f"    {h.snippet[:100]}" + (f"\n    source: {cite}" if cite else ""))
    if not hits:
        print("no results")
    return 0


# uvicorn kills a worker that misses its health ping for this long (5 s by default), and one still loading torch,
# the model and the index on a busy machine can: a minute.
WORKER_HEALTHCHECK_SECONDS = 60


def _pass_to_workers(environ: Mapping[str, str] | None) -> None:
    """Workers are fresh processes whose create_app() reads os.environ: give them the SKILLPATH_* this command got."""
    if environ is None or environ is os.environ:
        return
    for key in [k for k in os.environ if k.startswith("SKILLPATH_")]:
        del os.environ[key]
    os.environ.update({k: v for k, v in environ.items() if k.startswith("SKILLPATH_")})


def cmd_serve(args: argparse.Namespace, settings: Settings, environ: Mapping[str, str] | None = None) -> int:
    import uvicorn  # imported here: only serve needs it
    from sqlalchemy import make_url

    from assistant.api.accesslog import log_config as access_log_config
    from assistant.api.app import create_app

    workers = args.workers if args.workers is not None else settings.workers
    if workers < 1:
        raise SkillPathError(f"workers: at least 1 (got {workers})")
    # First run: build what the service needs before it accepts requests, here and once: the workers only serve.
    # Two `serve` commands starting together on one store take turns, and the second finds the work done.
    settings.ensure_home()
    engine = make_engine(settings.database_url)
    try:
        with store_lock(engine, "serve-setup"):
            _ingest(settings, lambda names: plan_defaults(settings.knowledge_dir,
                                                          include_esco_lite=esco.SOURCE_NAME not in names)
                    if needs_defaults(names) else [])
            if _index_needed(settings):
                # Without the other readings of English skills: they serve skill ranking (rank_esco), no chat or
                # search path, and would double a first start (about 2 min more on 2 cores). `skillpath index`
                # and the operator's refresh build them.
                _build_index(settings, views=False)
    finally:
        engine.dispose()
    settings.resolved_secret()  # made before the workers start, so they all sign with the same key
    host, port = args.host or settings.host, args.port or settings.port
    store = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"SkillPath on http://{host}:{port}/  (store: {store}; {workers} worker(s))", flush=True)
    # proxy_headers off: uvicorn would believe X-Forwarded-For from 127.0.0.1; the app believes only the proxies
    # configured (SKILLPATH_TRUSTED_PROXIES). The access log leaves out ids and query strings (api/accesslog.py).
    options: dict[str, Any] = {"log_level": "info", "log_config": access_log_config(), "proxy_headers": False}
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, **options)
        return 0
    if settings.database_url.startswith("sqlite"):
        print("note: several workers share one SQLite file, which takes one write at a time; use PostgreSQL",
              file=sys.stderr, flush=True)
    _pass_to_workers(environ)
    # An import string and a factory: each worker process builds its own app (engine, index in memory) from the
    # environment; they share the port, the store, the index folder and the secret key file.
    uvicorn.run("assistant.api.app:create_app", factory=True, workers=workers, host=host, port=port,
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS, **options)
    return 0


def _read_password(args: argparse.Namespace) -> str:
    """The new password: one line of stdin with --password-stdin, else asked twice without echo."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("New password: ")
    check_policy(password)  # say it is too short before asking for it again
    if getpass.getpass("Repeat the password: ") != password:
        raise AccountError("the two passwords differ; nothing was changed")
    return password


def _print_users(rows: list[Account], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps([{"username": a.username, "display_name": a.display_name, "role": a.role,
                           "active": a.active, "created_at": a.created_at.isoformat(),
                           "last_login_at": a.last_login_at.isoformat() if a.last_login_at else None}
                          for a in rows], ensure_ascii=False))
        return
    if not rows:
        print("no users yet: create the first admin with `skillpath user add NAME --role admin`")
    for a in rows:
        last = a.last_login_at.strftime("%Y-%m-%d %H:%M") if a.last_login_at else "never"
        state = "active" if a.active else "inactive"
        print(f"{a.username:<20} {a.role:<11} {state:<9} last login {last:<16}  {a.display_name}")


def cmd_user(args: argparse.Namespace, settings: Settings) -> int:
    settings.ensure_home()
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        accounts = Accounts(make_sessionmaker(engine), session_hours=settings.session_hours)
        if args.user_command == "list":
            _print_users(accounts.list_users(), as_json=args.json)
        elif args.user_command == "add":
            # Name and role are checked before the password prompt, not after it.
            if args.role not in ROLES:
                raise AccountError(f"unknown role {args.role!r}: one of {', '.join(ROLES)}")
            if accounts.find(normalise_username(args.username)) is not None:
                raise AccountError(f"username {normalise_username(args.username)!r} is already taken")
            account = accounts.add_user(args.username, args.role, _read_password(args),
                                        display_name=args.display_name, via="cli")
            print(f"created {account.role} {account.username!r} ({account.display_name})")
        elif args.user_command == "passwd":
            if accounts.find(args.username) is None:  # an unknown name fails before the password prompt
                raise NotFoundError(f"no user named {args.username.strip().lower()!r}")
            ended = accounts.set_password(args.username, _read_password(args), via="cli")
            print(f"password changed for {args.username.strip().lower()!r}; {ended} session(s) ended")
        elif accounts.deactivate(args.username, via="cli"):
            print(f"deactivated {args.username.strip().lower()!r}; their sessions are ended")
        else:
            print(f"{args.username.strip().lower()!r} was already inactive")
    finally:
        engine.dispose()
    return 0


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.operations.retention import Policy, purge
    from assistant.operations.uploads import Uploads

    policy = Policy.from_settings(settings)
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        sessions = make_sessionmaker(engine)
        report = purge(sessions, Uploads(settings.home / "uploads", sessions), policy, dry_run=args.dry_run)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(report.to_dict()))
        return 0
    def kept(days: int) -> str:
        return f"kept {days} days" if days else "kept forever"

    rows = [("conversations without casework", report.conversations, kept(policy.conversations)),
            ("conversations with casework", report.casework_conversations, kept(policy.casework)),
            ("their messages", report.messages, "go with their conversation"),
            ("audit entries", report.audit_events, kept(policy.audit)),
            ("uploads", report.uploads, kept(policy.uploads))]
    print("expired (dry run: nothing deleted):" if args.dry_run else "deleted:")
    for what, count, why in rows:
        print(f"  {what:<31} {count:>7}  ({why})")
    return 0


def main(argv: Sequence[str] | None = None, environ: dict[str, str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {"ingest": cmd_ingest, "status": cmd_status, "index": cmd_index, "search": cmd_search,
                "serve": lambda a, s: cmd_serve(a, s, environ), "user": cmd_user, "purge": cmd_purge}
    try:
        # Inside the try: a bad SKILLPATH_* value is reported like any other refusal, naming the variable.
        return handlers[args.command](args, Settings.from_env(environ))
    except SkillPathError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
