"""Who may fetch ingest's files through ``/media/<path>`` (registered with ``archive.media``).

Access copies are as restricted as the strictest record that shows their original. Originals are
preservation masters: only staff get them, and only where they may see every record showing them.
Media attached to no record is staff-only. One query per request.
"""

from archive.access import AccessLevel, can_view, is_staff_user
from archive.media import Verdict
from ingest.services import DERIVATIVES_PREFIX, ORIGINALS_PREFIX


def _verdict(uses, user, *, staff_only: bool) -> Verdict:
    levels = [(level, group) for level, group in uses if level is not None]
    allowed = all(can_view(user, level, group) for level, group in levels)
    if staff_only or not levels:
        return Verdict(allowed=allowed and is_staff_user(user), public=False)
    return Verdict(allowed=allowed, public=all(level == AccessLevel.PUBLIC for level, _group in levels))


def ingest_files(path: str, user) -> Verdict | None:
    from ingest.models import DerivativeSet, Original

    if path.startswith(ORIGINALS_PREFIX + "/"):
        rows = Original.objects.filter(file=path).values_list(
            "links__record__access_level", "links__record__sacred_group"
        )
    elif path.startswith(DERIVATIVES_PREFIX + "/"):
        parts = path.split("/")
        if len(parts) < 4:
            return None
        # Only the current set is served: a folder being written or being retired is nobody's.
        rows = DerivativeSet.objects.filter(prefix="/".join(parts[:3])).values_list(
            "original__links__record__access_level", "original__links__record__sacred_group"
        )
    else:
        return None
    uses = list(rows)
    if not uses:
        return None
    return _verdict(uses, user, staff_only=path.startswith(ORIGINALS_PREFIX + "/"))
