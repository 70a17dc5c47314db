"""Settings of ``bench/exchange.py`` (and of the server it starts for the harvest).

``bench.settings`` (DEBUG off, the benchmark's SQLite database, tasks inline) with the shared cache on,
as production runs it: the IIIF manifests are kept for anonymous visitors for ``PAGE_CACHE_SECONDS``
(the cold timings clear the cache first). The database and the search index are in ``$BENCH_DIR``.
"""

import os

from bench.settings import *  # noqa: F403

PAGE_CACHE_SECONDS = int(os.environ.get("BENCH_PAGE_CACHE_SECONDS", 300))
OAI_PAGE_SIZE = int(os.environ.get("BENCH_OAI_PAGE_SIZE", 100))
OAI_REPOSITORY_IDENTIFIER = "dtts.example.vn"
