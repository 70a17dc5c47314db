"""Per-client rate limits for the open data API, kept in the Django cache (Redis when ``REDIS_URL`` is set).

ninja's ``SimpleRateThrottle`` keeps its request history on the throttle object, which one operation
shares between every request and thread; this one keeps it per request, reads its rate from the settings
when asked (``API_RATE_LIMIT``, e.g. "600/hour"; empty: no limit), and always tells how long to wait, so
that every 429 carries ``Retry-After``.
"""

from __future__ import annotations

import math
import threading

from ninja.throttling import SimpleRateThrottle

from django.conf import settings
from django.http import HttpRequest


def rate_limit() -> str:
    return getattr(settings, "API_RATE_LIMIT", "") or ""


class ApiRateThrottle(SimpleRateThrottle):
    scope = "api"
    cache_format = "api:v1:throttle:%(ident)s"

    def __init__(self):  # the rate is read from the settings on each request
        self._local = threading.local()

    def get_cache_key(self, request: HttpRequest) -> str | None:
        ident = self.get_ident(request)
        return self.cache_format % {"ident": ident} if ident else None

    def allow_request(self, request: HttpRequest) -> bool:
        rate = rate_limit()
        self._local.wait = None
        if not rate:
            return True
        limit, duration = self.parse_rate(rate)
        key = self.get_cache_key(request)
        if key is None:
            return True
        now = self.timer()
        history = [moment for moment in self.cache.get(key, []) if moment > now - duration]
        if len(history) >= limit:
            # The oldest request still counted leaves the window first.
            self._local.wait = max(1, math.ceil(duration - (now - history[-1])))
            return False
        history.insert(0, now)
        self.cache.set(key, history, duration)
        return True

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
