"""Builders for experts, shared by tests/test_experts.py and the experts section of the leak suite."""

import datetime as dt

from archive.models import Person
from experts.models import VISIBLE_PARTS, Expert, ExpertTitle

CONSENT = "Đồng ý công bố hồ sơ theo phiếu ngày 01/03/2026."


def make_expert(name, *, visibility="public", consent=True, titles=(), m2m=None, **fields):
    """An expert for the person ``name``: every part at ``visibility`` (a level, or a dict part → level)."""
    levels = visibility if isinstance(visibility, dict) else dict.fromkeys(VISIBLE_PARTS, visibility)
    expert = Expert(
        person=Person.named(name),
        consent_text=CONSENT if consent else "",
        consent_date=dt.date(2026, 3, 1) if consent else None,
        **{f"visibility_{part}": levels.get(part, "staff") for part in VISIBLE_PARTS},
        **fields,
    )
    for relation, values in (m2m or {}).items():
        getattr(expert, relation).set(values)
    for kind, year, decision in titles:
        expert.titles.add(ExpertTitle(kind=kind, year=year, decision=decision))
    expert.save()
    return expert
