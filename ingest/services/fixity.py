"""Fixity: re-hash the stored originals and record what was found (``manage.py fixity_check``)."""

import dataclasses

from django.core.files.storage import default_storage

from ingest import storage as tree
from ingest.models import FixityEvent, FixityOutcome, Original


@dataclasses.dataclass
class FixityReport:
    checked: int = 0
    ok: int = 0
    problems: list[FixityEvent] = dataclasses.field(default_factory=list)

    @property
    def changed(self) -> list[FixityEvent]:
        return [e for e in self.problems if e.outcome == FixityOutcome.CHANGED]

    @property
    def missing(self) -> list[FixityEvent]:
        return [e for e in self.problems if e.outcome == FixityOutcome.MISSING]


def check_fixity(originals=None, batch_size: int = 200) -> FixityReport:
    """Re-hash every stored original in chunks and record a FixityEvent for each."""
    report = FixityReport()
    queryset = originals if originals is not None else Original.objects.all()
    pending: list[FixityEvent] = []
    for original in queryset.order_by("pk").only("pk", "file", "sha256").iterator(chunk_size=batch_size):
        name = original.file.name
        actual = ""
        if default_storage.exists(name):
            try:
                actual, _size = tree.hash_stored(default_storage, name)
            except FileNotFoundError:
                actual = ""
        if not actual:
            outcome = FixityOutcome.MISSING
        elif actual == original.sha256:
            outcome = FixityOutcome.OK
        else:
            outcome = FixityOutcome.CHANGED
        event = FixityEvent(original=original, outcome=outcome, path=name, expected=original.sha256, actual=actual)
        pending.append(event)
        report.checked += 1
        if outcome == FixityOutcome.OK:
            report.ok += 1
        else:
            report.problems.append(event)
        if len(pending) >= batch_size:
            FixityEvent.objects.bulk_create(pending)
            pending = []
    FixityEvent.objects.bulk_create(pending)
    return report
