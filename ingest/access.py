"""Who may fetch ingest's files through ``/media/<path>`` (registered with ``archive.media``).

Access copies follow the records that show their original, by the archive's media rule
(:func:`archive.access.media_verdicts`): the visitor must meet every showing record's level and
restrictions, and one of them must be live. Originals are preservation masters: only staff get
them, and only where the same rule lets them. Media attached to no record is staff-only.

The links read here are the published lists (``RecordMedia`` rows, written when a revision is
published: ``ingest.attachments``): media waiting in a record's draft for review belong to no live
record yet, so only staff, who preview drafts, get their files.
"""

from archive.access import MediaVerdict, media_verdicts
from archive.media import Verdict
from ingest.services.paths import DERIVATIVES_PREFIX, ORIGINALS_PREFIX


def verdicts_for_originals(originals, who) -> dict[int, MediaVerdict]:
    """The media rule for each original (by id), from the records linked to it, in one query."""
    from ingest.models import RecordMedia

    uses: dict[int, set[int]] = {original.pk if hasattr(original, "pk") else original: set() for original in originals}
    for original_id, record_id in RecordMedia.objects.filter(original__in=list(uses)).values_list(
        "original_id", "record_id"
    ):
        uses[original_id].add(record_id)
    return media_verdicts(who, uses)


def ingest_files(path: str, user) -> Verdict | None:
    from ingest.models import DerivativeSet, Original

    if path.startswith(ORIGINALS_PREFIX + "/"):
        original_ids = list(Original.objects.filter(file=path).values_list("pk", flat=True))
    elif path.startswith(DERIVATIVES_PREFIX + "/"):
        parts = path.split("/")
        if len(parts) < 4:
            return None
        # Only the current set is served: a folder being written or being retired is nobody's.
        original_ids = list(
            DerivativeSet.objects.filter(prefix="/".join(parts[:3])).values_list("original_id", flat=True)
        )
    else:
        return None
    if not original_ids:
        return None
    verdicts = verdicts_for_originals(original_ids, user)
    allowed = all(verdict.allowed for verdict in verdicts.values())
    if path.startswith(ORIGINALS_PREFIX + "/"):
        from archive.access import Viewer

        return Verdict(allowed=allowed and Viewer.of(user).is_staff, public=False)
    return Verdict(allowed=allowed, public=all(verdict.public for verdict in verdicts.values()))
