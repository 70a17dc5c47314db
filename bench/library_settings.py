"""Settings of the server ``bench/library.py`` starts for the reader on 3G (gunicorn).

``bench.settings`` (DEBUG off, the benchmark's SQLite database and index), with static files as
production serves them: collected into ``$BENCH_DIR/static-collected`` by ``collectstatic`` with
WhiteNoise's compressed manifest storage, so scripts such as pdf.js's worker go out gzipped, as
WhiteNoise (or nginx, in the deployment) sends them.
"""

from bench.settings import *  # noqa: F403
from bench.settings import BENCH_DIR, STORAGES

STATIC_ROOT = BENCH_DIR / "static-collected"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
# As production: only the collected, compressed files (the development settings serve the source folders,
# uncompressed, and look for changes on every request).
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
