"""One Redis connection pool per process for Django's cache.

Django's Redis cache keeps its pool on the cache object, and under ASGI every request has a
cache object of its own (caches are per context), so each request opened a new connection
to Redis: a third of the menu page's time in the profile. This pool class hands every cache
object of the process the same pool for the same server and options.
"""

from __future__ import annotations

import threading
from typing import Any

import redis


class ProcessConnectionPool(redis.ConnectionPool):
    _shared: dict[tuple[str, str], redis.ConnectionPool] = {}
    _lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> redis.ConnectionPool:
        key = (url, repr(sorted(kwargs.items())))
        with cls._lock:
            pool = cls._shared.get(key)
            if pool is None:
                pool = cls._shared[key] = super().from_url(url, **kwargs)
            return pool
