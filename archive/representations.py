"""A record's other representations under its persistent identifier, for ``/id/<identifier>``.

``/id/<identifier>`` sends a browser to the record's page; a client that asks for another media type in its
``Accept`` header (``application/json``, ``application/ld+json``) is sent (303 See Other) to the record in that
form instead, as persistent-identifier resolvers do. The apps that serve those forms register them here in
their ``AppConfig.ready()`` (the open data API its JSON record, IIIF its manifest); ``archive`` imports none
of them. Whether the visitor may see the record at all is decided before, by the archive's one rule.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Representation:
    media_type: str
    # The path of the record in this form, from its persistent identifier.
    path: Callable[[str], str]
    # Served only for records anyone may see (the open data API); otherwise for anyone who may see the record.
    public_only: bool


_registry: dict[str, Representation] = {}


def register(media_type: str, path: Callable[[str], str], *, public_only: bool) -> None:
    _registry[media_type] = Representation(media_type, path, public_only)


def offered(public: bool) -> dict[str, Representation]:
    """The forms a record may be sent in: all of them for a record anyone may see."""
    return {kind: form for kind, form in _registry.items() if public or not form.public_only}
