"""Settings, read from an environment mapping passed in (never from import-time globals)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_HOME = "var"
KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
WEB_DIR = Path(__file__).resolve().parent.parent / "web"


@dataclass(frozen=True)
class Settings:
    """Where SkillPath keeps its data and which store it talks to."""

    home: Path
    database_url: str
    knowledge_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    # `serve` processes sharing the port (one machine); above 1, use PostgreSQL: SQLite serialises every write.
    workers: int = 1
    embedder: str = "e5-small"  # e5-small | minilm | fake | a local sentence-transformers folder
    index_keep: int = 3  # index versions kept on disk (the serving one and the ones rollback can reach)
    approximate_above: int = 50_000  # dense rows above which FAISS uses an IVF index instead of exact search
    # Optional LLM: off while llm_base_url is empty (any OpenAI-compatible endpoint, e.g. ".../v1").
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = field(default="", repr=False)  # kept out of repr so it never reaches logs
    llm_timeout: float = 10.0  # seconds per LLM call; on timeout the reply goes out un-rephrased
    max_message_chars: int = 2000  # longest chat message accepted; longer ones are refused
    web_dir: Path = WEB_DIR  # templates/ and static/
    # Signs session cookies and CSRF tokens. Empty: a random key is made once and kept in <home>/secret_key.
    secret_key: str = field(default="", repr=False)
    # Session cookies carry Secure unless turned off for plain-http development (browsers treat localhost as secure).
    cookie_secure: bool = True
    session_hours: float = 8.0  # a console login lasts one working day
    # Embed the knowledge base's own query texts (occupation titles, descriptions) ahead, in a background thread.
    warm_queries: bool = True
    # Request threads per worker (FastAPI runs plain routes in a thread pool); the store's connection pool is sized
    # from it. On 2 cores more threads only queue for the CPU and the model, each holding memory meanwhile.
    threads: int = 16
    # Rate limits (requests per minute and burst; 0 turns one off), per process: see assistant/api/ratelimit.py.
    # Per client address on /api/chat, /api/match and /api/search: generous, because a public employment office
    # puts many job seekers behind one NAT address. Per conversation on /api/chat: tight, no person types faster.
    rate_address_per_minute: int = 600
    rate_address_burst: int = 100
    rate_conversation_per_minute: int = 20
    rate_conversation_burst: int = 10
    # Retention in days (0 keeps forever), counted from the last activity; see assistant/operations/retention.py.
    retention_days_conversations: int = 90  # job seekers no counsellor worked with
    retention_days_casework: int = 365  # conversations with counsellor notes, reviews, a plan or an assignment
    retention_days_uploads: int = 90  # operators' uploaded files (what was imported stays in the store)
    retention_days_audit: int = 365  # audit entries (the Cybersecurity Law asks for at least six months of logs)
    purge_every_hours: float = 24.0  # how often the running service purges; 0: only `skillpath purge`

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from SKILLPATH_* variables; defaults suit a fresh checkout."""
        env = os.environ if environ is None else environ
        home = Path(env.get("SKILLPATH_HOME") or DEFAULT_HOME).expanduser().resolve()
        url = env.get("SKILLPATH_DATABASE_URL") or f"sqlite:///{home / 'skillpath.db'}"
        knowledge = Path(env.get("SKILLPATH_KNOWLEDGE_DIR") or KNOWLEDGE_DIR).expanduser().resolve()
        return cls(
            home=home,
            database_url=url,
            knowledge_dir=knowledge,
            host=env.get("SKILLPATH_HOST", "127.0.0.1"),
            port=int(env.get("SKILLPATH_PORT", "8000")),
            workers=int(env.get("SKILLPATH_WORKERS") or "1"),
            embedder=env.get("SKILLPATH_EMBEDDER") or "e5-small",
            index_keep=int(env.get("SKILLPATH_INDEX_KEEP", "3")),
            # SKILLPATH_HNSW_ABOVE: the name before IVF replaced HNSW, still read.
            approximate_above=int(env.get("SKILLPATH_APPROXIMATE_ABOVE", env.get("SKILLPATH_HNSW_ABOVE", "50000"))),
            llm_base_url=env.get("SKILLPATH_LLM_BASE_URL", "").strip(),
            llm_model=env.get("SKILLPATH_LLM_MODEL", "").strip(),
            llm_api_key=env.get("SKILLPATH_LLM_API_KEY", "").strip(),
            llm_timeout=float(env.get("SKILLPATH_LLM_TIMEOUT") or "10"),
            max_message_chars=int(env.get("SKILLPATH_MAX_MESSAGE_CHARS") or "2000"),
            web_dir=Path(env.get("SKILLPATH_WEB_DIR") or WEB_DIR).expanduser().resolve(),
            secret_key=env.get("SKILLPATH_SECRET_KEY", "").strip(),
            cookie_secure=env.get("SKILLPATH_COOKIE_SECURE", "1").strip().lower() not in ("0", "false", "no", "off"),
            session_hours=float(env.get("SKILLPATH_SESSION_HOURS") or "8"),
            threads=int(env.get("SKILLPATH_THREADS") or "16"),
            warm_queries=env.get("SKILLPATH_WARM_QUERIES", "1").strip().lower() not in ("0", "false", "no", "off"),
            rate_address_per_minute=int(env.get("SKILLPATH_RATE_ADDRESS_PER_MINUTE") or "600"),
            rate_address_burst=int(env.get("SKILLPATH_RATE_ADDRESS_BURST") or "100"),
            rate_conversation_per_minute=int(env.get("SKILLPATH_RATE_CONVERSATION_PER_MINUTE") or "20"),
            rate_conversation_burst=int(env.get("SKILLPATH_RATE_CONVERSATION_BURST") or "10"),
            retention_days_conversations=int(env.get("SKILLPATH_RETENTION_DAYS_CONVERSATIONS") or "90"),
            retention_days_casework=int(env.get("SKILLPATH_RETENTION_DAYS_CASEWORK") or "365"),
            retention_days_uploads=int(env.get("SKILLPATH_RETENTION_DAYS_UPLOADS") or "90"),
            retention_days_audit=int(env.get("SKILLPATH_RETENTION_DAYS_AUDIT") or "365"),
            purge_every_hours=float(env.get("SKILLPATH_PURGE_EVERY_HOURS") or "24"),
        )

    def resolved_secret(self) -> str:
        """The signing key: the configured one, else one generated on first use and kept in the data home."""
        if self.secret_key:
            return self.secret_key
        import secrets

        self.ensure_home()
        path = self.home / "secret_key"
        if not path.exists():
            # Written in full under a private name, then linked into place: link() fails if the key exists, so
            # of several workers starting at once one key wins, and none reads a key file that is still empty.
            tmp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_urlsafe(48))
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        return path.read_text().strip()

    def ensure_home(self) -> None:
        """Create the data home; called by commands that write, not at import."""
        self.home.mkdir(parents=True, exist_ok=True)
