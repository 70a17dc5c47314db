"""Reading rows for many records at once (search rebuilds ask for a thousand at a time)."""

from django.db.models import Q

# Ids spread over no more than this many times their number are read as one range.
DENSE = 4


def for_ids(field: str, ids) -> Q:
    """A filter on ``field`` for ``ids``: an id range when they are dense, else an ``IN`` list.

    A range is much cheaper for the database and for Django than a long ``IN`` list, but it may
    also match ids between those asked for: callers keep only the rows they want.
    """
    ids = list(ids)
    if not ids:
        return Q(pk__in=[])
    low, high = min(ids), max(ids)
    if high - low < DENSE * len(ids):
        return Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return Q(**{f"{field}__in": ids})
