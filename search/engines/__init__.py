"""Which engine answers: the embedded one by default, Elasticsearch when ELASTICSEARCH_URL is set."""

from django.conf import settings
from django.utils.module_loading import import_string

from search.engines.base import (
    EngineResult,
    EngineUnavailable,
    Hit,
    IndexNeedsRebuild,
    SearchEngine,
    SearchQuery,
    Suggestions,
)

ENGINES = {
    "embedded": "search.engines.embedded.EmbeddedEngine",
    "elasticsearch": "search.engines.elastic.ElasticsearchEngine",
}

_engine: SearchEngine | None = None


def create_engine(name: str | None = None, **options) -> SearchEngine:
    name = name or settings.SEARCH_ENGINE
    engine_class = import_string(ENGINES[name])
    if name == "embedded":
        return engine_class(
            options.get("directory", settings.SEARCH_INDEX_DIR),
            cache_entries=options.get("cache_entries", settings.SEARCH_CACHE_ENTRIES),
        )
    options.setdefault("prefix", settings.SEARCH_INDEX_PREFIX)
    options.setdefault("timeout", settings.SEARCH_TIMEOUT_SECONDS)
    return engine_class(options.pop("url", settings.ELASTICSEARCH_URL), **options)


def get_engine() -> SearchEngine:
    """The process's engine, made once from settings."""
    global _engine
    if _engine is None:
        _engine = create_engine()
    return _engine


def set_engine(engine: SearchEngine | None) -> None:
    """Replace the process's engine (tests run one contract suite against each engine)."""
    global _engine
    _engine = engine


__all__ = [
    "EngineResult",
    "EngineUnavailable",
    "Hit",
    "IndexNeedsRebuild",
    "SearchEngine",
    "SearchQuery",
    "Suggestions",
    "create_engine",
    "get_engine",
    "set_engine",
]
