from ingest.models.derivatives import Derivative, DerivativeSet
from ingest.models.jobs import JobState, ProcessingJob
from ingest.models.originals import FixityEvent, FixityOutcome, MediaKind, Original, RecordMedia

__all__ = [
    "Derivative",
    "DerivativeSet",
    "FixityEvent",
    "FixityOutcome",
    "JobState",
    "MediaKind",
    "Original",
    "ProcessingJob",
    "RecordMedia",
]
