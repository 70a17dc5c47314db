"""Settings for the page weight benchmark (bench/weight.py): the page benchmark's (bench/settings.py) in a
database and media folder of their own, and the responses compressed as nginx compresses them in production
(deploy/nginx.conf: gzip, level 1, for text types of 1,024 bytes or more; fonts and pictures as they are)."""

import os

os.environ.setdefault("BENCH_DIR", "/tmp/heritage-bench/weight")  # noqa: S108 - a throw-away benchmark folder

from bench.settings import *  # noqa: E402, F403
from bench.settings import BENCH_DIR, MIDDLEWARE  # noqa: E402

SEARCH_INDEX_DIR = BENCH_DIR / "search"  # the demo's search index too, not the checkout's var/

MIDDLEWARE = ["bench.weight_settings.NginxGzipMiddleware", *MIDDLEWARE]

# nginx's gzip_types (deploy/nginx.conf), text/html always included.
GZIP_TYPES = (
    "text/html", "text/plain", "text/css", "text/xml", "text/javascript", "application/javascript",
    "application/json", "application/xml", "application/rss+xml", "image/svg+xml",
)  # fmt: skip


def NginxGzipMiddleware(get_response):  # noqa: N802 - a middleware factory, named as the class it stands for
    import gzip

    def middleware(request):
        response = get_response(request)
        kind = response.get("Content-Type", "").split(";")[0].strip()
        if (
            kind not in GZIP_TYPES
            or response.has_header("Content-Encoding")
            or "gzip" not in request.META.get("HTTP_ACCEPT_ENCODING", "")
        ):
            return response
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if hasattr(response, "close"):
            response.close()
        if len(body) < 1024:
            if response.streaming:
                response.streaming_content = [body]
            return response
        compressed = gzip.compress(body, compresslevel=1)  # nginx's gzip_comp_level default
        if response.streaming:
            response.streaming_content = [compressed]
        else:
            response.content = compressed
        response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(compressed))
        response["Vary"] = "Accept-Encoding"
        return response

    return middleware
