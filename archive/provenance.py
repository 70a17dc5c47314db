"""Records that came from another repository, as the apps that bring them in say.

An app that copies records in from elsewhere (``harvest``) registers, in its ``AppConfig.ready()``, a
function giving the translation keys of those records (a one-column queryset, used as a subquery). Apps
that expose the archive's records to other systems (the OAI-PMH provider, ``oai``) leave them out: they are
the other repository's to expose, and two repositories harvesting each other would otherwise copy each
other's copies without end. Neither app imports the other.
"""

from collections.abc import Callable, Iterable

ForeignRecords = Callable[[], Iterable]

_sources: list[ForeignRecords] = []


def register_foreign_records(source: ForeignRecords) -> ForeignRecords:
    if source not in _sources:
        _sources.append(source)
    return source


def foreign_translation_keys() -> list[Iterable]:
    """What each registered app gives: the translation keys of records another repository holds."""
    return [source() for source in _sources]
