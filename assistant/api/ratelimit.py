"""Rate limits on the public API: token buckets in memory, per client address and per conversation; and which
reverse proxies may say what the client address is.

The limits are per process. Each `serve` worker keeps its own buckets, so with N workers one client can get up
to N times the configured rate (when the load balancer spreads its requests over all of them). That is acceptable
because the limits are not a quota: they keep one script from taking a worker's CPU from everyone else (a chat or
match request costs tens to hundreds of milliseconds of CPU), and each worker's buckets protect that worker. Exact
limits across workers would need a shared store such as Redis.

The client address is `request.client.host`. Behind a reverse proxy, the proxy's address is replaced with the
client's from X-Forwarded-For only when the connection comes from a proxy named in SKILLPATH_TRUSTED_PROXIES
(install_trusted_proxies below; nobody by default, loopback included). Set it to the proxy's address, or every job
seeker counts as the proxy; a client elsewhere cannot pick the address it is counted as by sending the header.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from assistant.api.deps import services_of
from assistant.config import Settings
from assistant.errors import RateLimited, SettingsError

LIMITED = ("chat", "match", "search")  # the endpoints limited per address, each with its own buckets
MAX_KEYS = 50_000  # buckets kept per limiter; about 10 MB at most


class TokenBuckets:
    """One token bucket per key, refilled at `per_minute` up to `burst`; thread-safe, with bounded memory.

    A bucket left alone for burst/rate seconds is full again, exactly like a new one, so it is forgotten then and
    forgetting it changes nothing. Beyond `max_keys` live buckets (someone inventing keys), the least recently used
    is forgotten early: that key gets a fresh burst, which is the price of a memory bound.
    """

    def __init__(self, per_minute: int, burst: int, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = MAX_KEYS) -> None:
        if per_minute <= 0:
            raise ValueError(f"per_minute must be positive, got {per_minute}")
        self.rate = per_minute / 60.0  # tokens per second
        self.burst = float(max(1, burst))
        self.idle = self.burst / self.rate
        self.clock = clock
        self.max_keys = max_keys
        # key → (tokens, last touched); least recently touched first, so eviction looks only at the front.
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> float:
        """Take a token for `key`: 0.0 when there was one, else the seconds until there will be."""
        now = self.clock()
        with self._lock:
            self._evict(now)
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def _evict(self, now: float) -> None:
        while self._buckets:
            key, (_tokens, last) = next(iter(self._buckets.items()))
            if now - last < self.idle and len(self._buckets) < self.max_keys:
                return
            del self._buckets[key]


def _buckets(per_minute: int, burst: int) -> TokenBuckets | None:
    return TokenBuckets(per_minute, burst) if per_minute > 0 and burst > 0 else None


@dataclass
class RateLimits:
    """The service's limiters; None where a limit is turned off (a rate or burst of 0)."""

    by_address: dict[str, TokenBuckets | None]
    by_conversation: TokenBuckets | None

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        return cls({name: _buckets(settings.rate_address_per_minute, settings.rate_address_burst) for name in LIMITED},
                   _buckets(settings.rate_conversation_per_minute, settings.rate_conversation_burst))


def client_address(request: Request) -> str:
    """The client's address (X-Forwarded-For only from a configured proxy, see above)."""
    return request.client.host if request.client else "unknown"


def _limits(request: Request) -> RateLimits | None:
    services = services_of(request.app)
    return services.rate_limits if services is not None else None  # None: an app built without its lifespan


def per_address(name: str) -> Callable[[Request], Awaitable[None]]:
    """A route dependency: refuse the request when this address has used up its `name` bucket."""
    if name not in LIMITED:
        raise ValueError(f"per_address needs one of {', '.join(LIMITED)}; got {name!r}")

    async def limit(request: Request) -> None:
        limits = _limits(request)
        buckets = limits.by_address[name] if limits else None
        if buckets is not None and (wait := buckets.take(client_address(request))):
            seconds = math.ceil(wait)
            raise RateLimited(f"too many requests from your address; try again in {seconds} s", retry_after=seconds)

    limit.__name__ = f"rate_limit_{name}"
    return limit


def per_conversation(request: Request, session_id: str | None) -> None:
    """Refuse a chat turn when its conversation has used up its bucket; a new conversation has none yet."""
    limits = _limits(request)
    buckets = limits.by_conversation if limits else None
    if session_id and buckets is not None and (wait := buckets.take(session_id)):
        seconds = math.ceil(wait)
        raise RateLimited(f"too many messages in this conversation; wait {seconds} s before the next one",
                          retry_after=seconds)


# -- the client address behind a proxy ----------------------------------------------------------------------------

PROXIES_SETTING = "SKILLPATH_TRUSTED_PROXIES"


def trusted_proxies(value: str) -> list[str]:
    """The configured proxies, each an address or a network; SettingsError naming a bad entry."""
    entries = [item.strip() for item in value.split(",") if item.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(f"{PROXIES_SETTING}: {entry!r} is not an IP address or network (such as 10.0.0.5 or "
                                "10.0.0.0/24); '*' is refused: it would let any client choose its address") from None
    return entries


def install_trusted_proxies(app: FastAPI, settings: Settings) -> None:
    """Called when the app is built, after every other middleware, so that all of them see the client's address.

    `serve` turns uvicorn's own handling off (it believes 127.0.0.1 by default): this is the only one.
    """
    proxies = trusted_proxies(settings.trusted_proxies)
    if proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
