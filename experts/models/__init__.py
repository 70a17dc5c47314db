from experts.models.experts import (
    PART_LABELS,
    STAFF_HELD_FIELDS,
    VISIBLE_PARTS,
    Expert,
    ExpertTitle,
    Title,
    Visibility,
)
from experts.models.messages import ContactMessage, ErasureLog, retention_days
from experts.models.vocabulary import ExpertiseField

__all__ = [
    "PART_LABELS",
    "STAFF_HELD_FIELDS",
    "VISIBLE_PARTS",
    "ContactMessage",
    "ErasureLog",
    "Expert",
    "ExpertTitle",
    "ExpertiseField",
    "Title",
    "Visibility",
    "retention_days",
]
