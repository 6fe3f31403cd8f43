"""Wiring shared by the CLI and the web app: the configured embedder, index versions, holder and search service."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.index.cache import CachedEmbedder
from assistant.index.documents import store_hash
from assistant.index.embedders import Embedder, make_embedder
from assistant.index.loaded import IndexHolder
from assistant.index.versions import IndexVersions
from assistant.retrieval.search import SearchService


@dataclass
class Retrieval:
    """Everything search needs, built once per process from settings."""

    embedder: Embedder
    versions: IndexVersions
    holder: IndexHolder
    service: SearchService
    views: Embedder | None = None  # the second model reading English skills (index/skill_views.py), or none


def cached_embedder(settings: Settings) -> Embedder:
    """The configured model behind the content-hash cache in the data home (fakes are not worth caching)."""
    inner = make_embedder(settings.embedder, batch_engine=settings.batch_embedding)
    if settings.embedder == "fake":
        return inner
    return CachedEmbedder(inner, settings.cache_dir / "embeddings.sqlite")


def views_embedder(settings: Settings) -> Embedder | None:
    """The second model for English skills, as SKILLPATH_SKILL_VIEWS says; loads nothing until it embeds."""
    choice = settings.skill_views
    if choice == "auto":
        choice = "fake" if settings.embedder == "fake" else "minilm"
    if choice == "off":
        return None
    inner = make_embedder(choice)
    return inner if choice == "fake" else CachedEmbedder(inner, settings.cache_dir / "embeddings.sqlite")


def make_retrieval(settings: Settings, sessions: sessionmaker[Session], embedder: Embedder | None = None) -> Retrieval:
    embedder = embedder or cached_embedder(settings)
    versions = IndexVersions(settings.index_dir, keep=settings.index_keep)

    def current_store_hash() -> str:
        with sessions() as session:
            return store_hash(session)

    holder = IndexHolder(versions, embedder=(embedder.name, embedder.version, lambda: embedder.dim),
                         store_hash=current_store_hash)
    return Retrieval(embedder, versions, holder, SearchService(holder.get, embedder), views_embedder(settings))


def warm_up(retrieval: Retrieval) -> None:
    """Load what the first request would otherwise wait for: the index, the model, jieba, the place names."""
    from assistant.errors import SkillPathError
    from assistant.index.tokenize import tokenize
    from assistant.retrieval.jobad import clean_title

    try:
        retrieval.holder.get()
    except SkillPathError:
        return  # reported by /healthz and by every search until an index is built
    getattr(retrieval.embedder, "warm_up", lambda: None)()
    getattr(getattr(retrieval.embedder, "inner", None), "warm_up", lambda: None)()
    tokenize("预热 warm up")
    clean_title("预热")
