"""Django's Redis cache, failing open while Redis is away (docs/decisions/0018).

Wiring only. The cache holds nothing anyone must not lose: API throttle counters. When Redis
(also the Celery broker) stops answering, a read answers the default, a write is dropped, and
for CACHE_RETRY_SECONDS no request tries Redis again, so every page and API request still
answers, at the price of throttles not counting until Redis is back. Sign-in lock-out (axes)
counts in the database and is unaffected."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("coordination.cache")

CACHE_RETRY_SECONDS = 5.0
_REDIS_AWAY = (RedisConnectionError, RedisTimeoutError, OSError)


class FailOpenRedisCache(RedisCache):
    _away_until = 0.0  # shared by every cache of the process: one Redis

    def _call(self, name: str, default: Any, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < FailOpenRedisCache._away_until:
            return default
        try:
            return getattr(super(), name)(*args, **kwargs)
        except _REDIS_AWAY as exc:
            FailOpenRedisCache._away_until = time.monotonic() + CACHE_RETRY_SECONDS
            logger.warning("cache: Redis unavailable (%s); carrying on without it", type(exc).__name__)
            return default

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._call("add", False, key, value, timeout, version)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._call("get", default, key, default, version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> None:
        self._call("set", None, key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._call("touch", False, key, timeout, version)

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._call("delete", False, key, version)

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._call("get_many", {}, keys, version)

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._call("has_key", False, key, version)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        return self._call("set_many", [], data, timeout, version)

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._call("delete_many", None, keys, version)
