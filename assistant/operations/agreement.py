"""Bring the search index in line with the store after the store went back (an import undone).

An index version records the hash of the store it was built from. After an undo the store is as it was before the
import, so the version built before the import usually matches it again: serving that one agrees with the store
at once. Without one, a refresh is started. Either way search stops finding what the undo took out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts import audit
from assistant.errors import IndexBusyError, SkillPathError
from assistant.index.versions import IndexVersions
from assistant.operations.overview import current_store_hash
from assistant.operations.refresh import RefreshRunner
from assistant.operations.versions import list_versions
from assistant.store.clock import utc_now

log = logging.getLogger("skillpath.operations")


@dataclass(frozen=True)
class IndexFollowUp:
    """What happened to the index: `agrees` (the serving one already matched), `switched` to `version`,
    `refreshing` (a refresh was started), or `busy` (a refresh was already running; `detail` says which)."""

    outcome: str
    version: str | None = None
    detail: str = ""


def follow_store(
    sessions: sessionmaker[Session], versions: IndexVersions, runner: RefreshRunner, *, actor: str | None,
    now: datetime | None = None,
) -> IndexFollowUp:
    """Serve the newest complete version built from the store as it is now, else start a refresh."""
    matching = [v for v in list_versions(versions, store_hash=current_store_hash(sessions))
                if v.stale is False and v.problem is None]
    if matching and matching[0].serving:
        return IndexFollowUp("agrees", matching[0].id)
    if matching:
        target = matching[0].id
        own = IndexVersions(versions.root, keep=versions.keep)  # a private instance takes the build lock for real
        try:
            with sessions.begin() as session:
                before = own.current_id()
                own.switch(target)
                audit.record(session, actor, "index.switch", target=target, now=now or utc_now(),
                             detail={"previous": before, "reason": "the store went back (an import undone)"})
            return IndexFollowUp("switched", target)
        except IndexBusyError as exc:
            return IndexFollowUp("busy", detail=str(exc))
    try:
        runner.start(actor)
    except IndexBusyError as exc:
        return IndexFollowUp("busy", detail=str(exc))
    except SkillPathError as exc:  # the undo is done and recorded; the operator can still refresh by hand
        log.warning("could not start the refresh after an undo: %s", exc)
        return IndexFollowUp("busy", detail=str(exc))
    return IndexFollowUp("refreshing")
