"""Where rate-limit counters live: somewhere every worker process sees them.

flask-limiter's default, memory, gives each gunicorn worker its own counters, so two workers
allow twice the advertised number. `database://` (the default) keeps the counters in the app's
own database, one row per limit window, incremented by one atomic upsert; with
`CADENCE_RATELIMIT_STORAGE_URL=redis://...` they live in Redis instead.

When Redis cannot be reached the counters degrade to the database, with a warning in the log,
and Redis is tried again after `REDIS_RETRY_SECONDS`. So a Redis outage neither answers 500 nor
switches the limits off (sign-in stays limited); it only starts the windows afresh once.
"""

from __future__ import annotations

import logging
import threading
import time

import redis
import sqlalchemy as sa
from flask import current_app
from limits.storage import RedisStorage, Storage

log = logging.getLogger("cadence.ratelimits")

REDIS_RETRY_SECONDS = 30
# Redis on the same network answers in milliseconds; a dead host must not hold a sign-in long.
REDIS_TIMEOUT_SECONDS = 1.0
# Expired windows are deleted now and then, not on every hit.
PURGE_EVERY = 500

_UPSERT = sa.text(
    """
    INSERT INTO rate_limit_counters (bucket, hits, expires_at)
    VALUES (:bucket, :amount, :expires_at)
    ON CONFLICT (bucket) DO UPDATE SET
        hits = CASE WHEN rate_limit_counters.expires_at <= :now THEN excluded.hits
                    ELSE rate_limit_counters.hits + excluded.hits END,
        expires_at = CASE WHEN rate_limit_counters.expires_at <= :now THEN excluded.expires_at
                          ELSE rate_limit_counters.expires_at END
    RETURNING hits
    """
)


class DatabaseCounters:
    """Fixed-window counters in the `rate_limit_counters` table of the current app's
    database. Each call is its own short transaction, apart from the request's session."""

    def __init__(self):
        self._calls = 0
        self._lock = threading.Lock()

    @staticmethod
    def _engine() -> sa.Engine:
        return current_app.extensions["cadence.engine"]

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._engine().begin() as connection:
            hits = connection.execute(
                _UPSERT,
                {"bucket": key, "amount": amount, "expires_at": now + expiry, "now": now},
            ).scalar_one()
        self._maybe_purge(now)
        return hits

    def get(self, key: str) -> int:
        with self._engine().connect() as connection:
            hits = connection.scalar(
                sa.text(
                    "SELECT hits FROM rate_limit_counters WHERE bucket = :bucket "
                    "AND expires_at > :now"
                ),
                {"bucket": key, "now": time.time()},
            )
        return hits or 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        with self._engine().connect() as connection:
            expires_at = connection.scalar(
                sa.text(
                    "SELECT expires_at FROM rate_limit_counters WHERE bucket = :bucket "
                    "AND expires_at > :now"
                ),
                {"bucket": key, "now": now},
            )
        return expires_at or now

    def clear(self, key: str) -> None:
        with self._engine().begin() as connection:
            connection.execute(
                sa.text("DELETE FROM rate_limit_counters WHERE bucket = :bucket"), {"bucket": key}
            )

    def reset(self) -> int:
        with self._engine().begin() as connection:
            return connection.execute(sa.text("DELETE FROM rate_limit_counters")).rowcount

    def check(self) -> bool:
        with self._engine().connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True

    def _maybe_purge(self, now: float) -> None:
        with self._lock:
            self._calls += 1
            if self._calls % PURGE_EVERY:
                return
        with self._engine().begin() as connection:
            connection.execute(
                sa.text("DELETE FROM rate_limit_counters WHERE expires_at <= :now"), {"now": now}
            )


class SharedStorage(Storage):
    """The limits storage behind `database://`: Redis when `redis_url` is given, else (and
    while Redis is unreachable) the app's database."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        redis_url = options.pop("redis_url", "") or ""
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.database = DatabaseCounters()
        self.redis = (
            RedisStorage(
                redis_url,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            )
            if redis_url
            else None
        )
        self._redis_retry_at = 0.0

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    def _call(self, method: str, *args):
        if self.redis is not None and time.monotonic() >= self._redis_retry_at:
            try:
                return getattr(self.redis, method)(*args)
            except (redis.RedisError, OSError) as error:
                self._redis_retry_at = time.monotonic() + REDIS_RETRY_SECONDS
                log.warning(
                    "rate-limit Redis unreachable (%s); counting in the database for %d s",
                    type(error).__name__,
                    REDIS_RETRY_SECONDS,
                )
        return getattr(self.database, method)(*args)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._call("incr", key, expiry, amount)

    def get(self, key: str) -> int:
        return self._call("get", key)

    def get_expiry(self, key: str) -> float:
        return self._call("get_expiry", key)

    def check(self) -> bool:
        return self._call("check")

    def reset(self) -> int | None:
        return self._call("reset")

    def clear(self, key: str) -> None:
        return self._call("clear", key)
