"""Keeping what shows experts current.

Pages that show experts ("experts on this" on group and province pages, the directory) are cached for
anonymous visitors: any change to a profile starts a new content version. And every change that alters
what an expert's directory entry holds — the profile, its titles, its vocabulary links, the person's
name, a vocabulary term renamed (a field of expertise, an ethnic group or one of its other names, a
language, a place) — queues the experts it touches for the search engines' people index
(``search.people.enqueue``: written by the task worker once the transaction commits). An erased
(deleted) expert is queued too: its documents go.
"""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

RELATIONS = {
    "ExpertiseField": ["fields"],
    "EthnicGroup": ["ethnic_groups"],
    "Language": ["languages_spoken", "languages_studied"],
    "Place": ["regions", "regions__current_province"],
}


def _changed(**kwargs):
    from cms import page_cache

    page_cache.invalidate()


def _queue(pks) -> None:
    from search import people

    people.enqueue(pks)


def _expert_changed(sender, instance, **kwargs):
    _queue([instance.pk])
    _changed()


def _title_changed(sender, instance, **kwargs):
    _queue([instance.expert_id])
    _changed()


def _relation_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    from experts.models import Expert

    if isinstance(instance, Expert):
        _queue([instance.pk])
    elif pk_set:
        _queue(pk_set)
    elif action == "pre_clear":  # a term's experts cleared from its side: who had it, before it goes
        term = next(
            field
            for field in sender._meta.fields
            if field.is_relation and field.related_model is type(instance) and field.name != "expert"
        )
        _queue(sender.objects.filter(**{term.name: instance}).values_list("expert_id", flat=True))
    _changed()


def _experts_using(sender, instance) -> list[int]:
    from experts.models import Expert

    q = Q()
    for relation in RELATIONS[sender.__name__]:
        q |= Q(**{relation: instance})
    return list(Expert.objects.filter(q).values_list("pk", flat=True).distinct())


def _term_renamed(sender, instance, **kwargs):
    from experts import pages
    from search import labels

    labels.clear()
    pages.clear_labels()
    _queue(_experts_using(sender, instance))
    _changed()


def _group_name_changed(sender, instance, **kwargs):
    from experts.models import Expert

    _queue(Expert.objects.filter(ethnic_groups__pk=instance.group_id).values_list("pk", flat=True))
    _changed()


def _person_changed(sender, instance, **kwargs):
    from experts.models import Expert

    _queue(Expert.objects.filter(person=instance).values_list("pk", flat=True))


def connect():
    from experts.models import Expert

    post_save.connect(_expert_changed, sender="experts.Expert", dispatch_uid="experts.changed.save.experts.Expert")
    post_delete.connect(_expert_changed, sender="experts.Expert", dispatch_uid="experts.changed.delete.experts.Expert")
    for signal in (post_save, post_delete):
        signal.connect(_title_changed, sender="experts.ExpertTitle", dispatch_uid=f"experts.title.{id(signal)}")
        signal.connect(_group_name_changed, sender="archive.EthnicGroupName", dispatch_uid=f"experts.gn.{id(signal)}")
    for model in ("experts.ExpertiseField", "archive.EthnicGroup", "archive.Language", "archive.Place"):
        post_save.connect(_term_renamed, sender=model, dispatch_uid=f"experts.term.{model}")
    post_save.connect(_person_changed, sender="archive.Person", dispatch_uid="experts.person")
    for relation in ("fields", "ethnic_groups", "languages_spoken", "languages_studied", "regions"):
        m2m_changed.connect(
            _relation_changed, sender=getattr(Expert, relation).through, dispatch_uid=f"experts.changed.{relation}"
        )
