"""Who and what changes observations: the context every revision records.

Saving an :class:`~stats.models.Observation` writes its revision itself, whatever saved it
(the admin, an import, the demo loader, a shell). The context says by whom and through what:

    with revision_context(user=request.user, origin="import: tuyen-quang-2024.xlsx"):
        ...

Bulk queryset ``update()`` bypasses ``save()`` and so the history: the app never uses it on
observations. The one bulk path, the import's creation of new figures (``stats.importer``), writes their
"created" revisions itself, with the current context.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class RevisionContext:
    user: object = None
    origin: str = ""


NO_CONTEXT = RevisionContext()
_current: contextvars.ContextVar[RevisionContext | None] = contextvars.ContextVar(
    "stats_revision_context", default=None
)


@contextmanager
def revision_context(user=None, origin: str = ""):
    token = _current.set(RevisionContext(user if getattr(user, "is_authenticated", False) else None, origin))
    try:
        yield
    finally:
        _current.reset(token)


def current_context() -> RevisionContext:
    return _current.get() or NO_CONTEXT


def jsonable(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _revision(observation, action: str, changes: dict, context: RevisionContext):
    from stats.models import ObservationRevision

    return ObservationRevision(
        observation=observation if action != ObservationRevision.Action.DELETED else None,
        indicator_code=observation.indicator.working_code,
        period=observation.period,
        place_id_at_change=observation.place_id,
        unit_code=observation.unit_code,
        disaggregation_key=observation.disaggregation_key,
        action=action,
        changes={name: [jsonable(old), jsonable(new)] for name, (old, new) in changes.items()},
        user=context.user,
        origin=context.origin,
    )


def record_revision(observation, action: str, changes: dict) -> None:
    _revision(observation, action, changes, _current.get() or NO_CONTEXT).save()
