"""Django's Redis cache backend with one ``redis.Redis`` client per connection pool.

Django's ``RedisCacheClient.get_client`` makes a new ``redis.Redis`` for every cache
operation; since redis-py 5 its constructor fills a dictionary of some 170 response
callbacks each time, about 0.1 ms per operation (measured with redis 8.1: a ``get`` of a
small value 205 µs through the cache, 57 µs with the client reused) — as long as the whole
round trip to Redis, and a fifth of a bare Django view. A cached public page is one
operation (``netzwerk.public_cache``), so this alone decided whether a hit was faster than
the bare view. The client holds no state of its own besides its pool (which is
thread-safe and opened anew after a fork), so one per pool serves every operation.
"""

from functools import cache

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Django calls self._client(connection_pool=pool) in get_client(): made once per pool.
        self._client = cache(self._client)


class RedisCache(django_redis.RedisCache):
    """``django.core.cache.backends.redis.RedisCache``, reusing its clients (above)."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
