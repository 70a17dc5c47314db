"""Keeping what shows experts current.

Pages that show experts ("experts on this" on group and province pages, the directory) are cached for
anonymous visitors: any change to a profile starts a new content version. A vocabulary term renamed
(a field of expertise, an ethnic group, a language, a place) is searched under its new name: the
folded search text of the experts using it is written again."""

from django.db.models.signals import m2m_changed, post_delete, post_save


def _changed(**kwargs):
    from cms import page_cache

    page_cache.invalidate()


def _term_renamed(sender, instance, **kwargs):
    from django.db.models import Q

    from experts.models import Expert
    from experts.search import refresh_search_text

    relations = {
        "ExpertiseField": ["fields"],
        "EthnicGroup": ["ethnic_groups"],
        "Language": ["languages_spoken", "languages_studied"],
        "Place": ["regions"],
    }[sender.__name__]
    q = Q()
    for relation in relations:
        q |= Q(**{relation: instance})
    for expert in Expert.objects.filter(q).distinct().select_related("person"):
        refresh_search_text(expert)
    _changed()


def connect():
    from experts.models import Expert

    for model in ("experts.Expert", "experts.ExpertTitle"):
        post_save.connect(_changed, sender=model, dispatch_uid=f"experts.changed.save.{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"experts.changed.delete.{model}")
    for model in ("experts.ExpertiseField", "archive.EthnicGroup", "archive.Language", "archive.Place"):
        post_save.connect(_term_renamed, sender=model, dispatch_uid=f"experts.term.{model}")
    for relation in ("fields", "ethnic_groups", "languages_spoken", "languages_studied", "regions"):
        m2m_changed.connect(
            _changed, sender=getattr(Expert, relation).through, dispatch_uid=f"experts.changed.{relation}"
        )
