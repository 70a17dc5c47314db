"""Who may see what: the one visibility rule every output asks.

A visitor may see a record when it is **live**, its **access level** admits them (public,
registered, staff, or sacred for the members of its community group) and **no view
restriction covers it that they fail**. A Wagtail view restriction (password, login, groups)
covers the page it is set on, that page's aliases and everything below them — and, for the
archive, every translation of a covered page: a record restricted in one language is
restricted in all, as its access level is.

The rule is stated three ways, one per kind of question, all built here:

* for querysets (:func:`visible_q`, :meth:`RecordQuerySet.visible_to`): listings, counts,
  related records, the calendar, feeds, the sitemap;
* for one page (:func:`covering_restrictions`, ``RecordPage.get_view_restrictions``): Wagtail's
  own serving, ``/id/``;
* for search engines (:meth:`Viewer.audience` and :meth:`Viewer.hidden`, with
  :func:`audience_key` and :func:`restriction_ids_for` on the documents).

Media files follow the records that show them (:func:`media_verdicts`). Nothing else decides
visibility: a new output asks this module.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class AccessLevel(models.TextChoices):
    PUBLIC = "public", _("Public")
    REGISTERED = "registered", _("Registered researchers")
    STAFF = "staff", _("Staff only")
    SACRED = "sacred", _("Sacred (community protocol)")


# Stricter levels sort later: an image used by several records takes the strictest.
STRICTNESS = {level: rank for rank, level in enumerate(AccessLevel.values)}
SACRED_KEY_PREFIX = "sacred-"


def is_staff_user(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("wagtailadmin.access_admin"))
    )


def _group_ids(user) -> frozenset[int]:
    if not user or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_archive_group_ids", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("pk", flat=True))
        user._archive_group_ids = cached
    return cached


def visible_levels(user) -> list[str]:
    if not user or not user.is_authenticated or not user.is_active:
        return [AccessLevel.PUBLIC]
    if is_staff_user(user):
        return [AccessLevel.PUBLIC, AccessLevel.REGISTERED, AccessLevel.STAFF]
    return [AccessLevel.PUBLIC, AccessLevel.REGISTERED]


def audience_key(access_level: str, sacred_group_id: int | None) -> str:
    """The one word search engines store for who may see a record at this level."""
    if access_level == AccessLevel.SACRED:
        return f"{SACRED_KEY_PREFIX}{sacred_group_id}"
    return access_level


# --- view restrictions -------------------------------------------------------------------


PASSED_SESSION_KEY = "passed_page_view_restrictions"  # where Wagtail's password form records a pass
RESTRICTIONS_VERSION_KEY = "archive:restrictions-version"
# A subquery holds at most this many path ranges: SQLite refuses expressions deeper than 1,000.
RANGES_PER_SUBQUERY = 100
# Tree paths are made of 0-9 and A-Z (treebeard): every descendant of P sorts between P and P + "ZZ…".
_PATH_END = "Z" * 255


@dataclass(frozen=True)
class Restriction:
    """A Wagtail PageViewRestriction as the rule needs it: who passes, and the tree paths it covers
    (its page and that page's aliases)."""

    id: int
    kind: str  # "password", "login" or "groups"
    prefixes: tuple[str, ...]
    group_ids: frozenset[int] = frozenset()

    def covers_path(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.prefixes)

    def passes(self, user, session) -> bool:
        """Wagtail's own test (``BaseViewRestriction.accept_request``), from what is cached here."""
        if self.kind == "password":
            return self.id in (session.get(PASSED_SESSION_KEY) or [])
        if self.kind == "login":
            return bool(user.is_authenticated)
        if self.kind == "groups":
            return bool(user.is_superuser or self.group_ids & _group_ids(user))
        return True


def restrictions_changed() -> None:
    """Forget the cached restrictions (``archive.signal_handlers`` calls this when a restriction, a
    page's place in the tree or an alias changes)."""
    from django.core.cache import cache

    try:
        cache.incr(RESTRICTIONS_VERSION_KEY)
    except ValueError:
        cache.set(RESTRICTIONS_VERSION_KEY, 2, None)


def all_restrictions() -> list[Restriction]:
    """Every view restriction on the site, from the shared cache (read from the database again after
    any change that could alter them: one query, two when some exist)."""
    from django.core.cache import cache

    version = cache.get_or_set(RESTRICTIONS_VERSION_KEY, 1, None)
    key = f"archive:restrictions:{version}"
    found = cache.get(key)
    if found is None:
        found = _read_restrictions()
        cache.set(key, found, 24 * 60 * 60)
    return found


def _read_restrictions() -> list[Restriction]:
    from wagtail.models import Page, PageViewRestriction

    rows = list(PageViewRestriction.objects.values_list("pk", "restriction_type", "page_id", "page__path"))
    if not rows:
        return []
    groups: dict[int, set[int]] = {}
    for restriction_id, group_id in PageViewRestriction.groups.through.objects.filter(
        pageviewrestriction_id__in=[row[0] for row in rows]
    ).values_list("pageviewrestriction_id", "group_id"):
        groups.setdefault(restriction_id, set()).add(group_id)
    aliases: dict[int, list[str]] = {}
    for source, path in Page.objects.filter(alias_of__in=[row[2] for row in rows]).values_list("alias_of", "path"):
        aliases.setdefault(source, []).append(path)
    return [
        Restriction(pk, kind, (path, *aliases.get(page_id, ())), frozenset(groups.get(pk, ())))
        for pk, kind, page_id, path in rows
    ]


def _covered_keys(restrictions) -> list[models.QuerySet]:
    """Translation keys of every page the restrictions cover, as subqueries (none when nothing is
    covered). Each subtree is a range of the indexed path column; nested subtrees are dropped."""
    from wagtail.models import Page

    prefixes = sorted({prefix for restriction in restrictions for prefix in restriction.prefixes})
    outermost = []
    for prefix in prefixes:  # sorted: a subtree's descendants follow it
        if not (outermost and prefix.startswith(outermost[-1])):
            outermost.append(prefix)
    subqueries = []
    for start in range(0, len(outermost), RANGES_PER_SUBQUERY):
        covered = Q()
        for prefix in outermost[start : start + RANGES_PER_SUBQUERY]:
            covered |= Q(path__gte=prefix, path__lte=prefix + _PATH_END[: 255 - len(prefix)])
        subqueries.append(Page.objects.filter(covered).values("translation_key"))
    return subqueries


def restriction_ids_for(pages, restrictions: list[Restriction] | None = None) -> dict[int, set[int]]:
    """``{page id: ids of the restrictions covering it}`` for (page id, translation key) pairs,
    in two queries at most (one when ``restrictions`` are given). Pages no restriction covers
    are left out."""
    restrictions = all_restrictions() if restrictions is None else restrictions
    pages = list(pages)
    if not restrictions or not pages:
        return {}
    from wagtail.models import Page

    keys: dict[uuid.UUID, list[int]] = {}
    for pk, key in pages:  # keys may come as text (search documents read them so)
        keys.setdefault(key if isinstance(key, uuid.UUID) else uuid.UUID(str(key)), []).append(pk)
    found: dict[int, set[int]] = {}
    for key, path in Page.objects.filter(translation_key__in=list(keys)).values_list("translation_key", "path"):
        ids = {r.id for r in restrictions if r.covers_path(path)}
        if ids:
            for pk in keys[key]:
                found.setdefault(pk, set()).update(ids)
    return found


def covering_restrictions(page) -> set[int]:
    """Ids of the view restrictions that apply to ``page``: on it, an ancestor, their aliases'
    sources, or any of that for one of its translations."""
    return restriction_ids_for([(page.pk, page.translation_key)]).get(page.pk, set())


class RestrictedAcrossTranslations:
    """Page mixin: Wagtail serves the page only to those who pass every restriction covering it
    in any language (Wagtail alone looks at the page's own tree)."""

    def get_view_restrictions(self):
        from wagtail.models import PageViewRestriction

        covering = covering_restrictions(self)
        return PageViewRestriction.objects.filter(pk__in=covering) if covering else PageViewRestriction.objects.none()


# --- who is asking -------------------------------------------------------------------------


class Viewer:
    """A visitor as the rule sees them: their account and the page passwords their session holds."""

    def __init__(self, user=None, session=None):
        self.user = user if user is not None else AnonymousUser()
        self.session = session if session is not None else {}

    @classmethod
    def of(cls, who) -> Viewer:
        """The viewer for a request (remembered on it), a user, None (anonymous) or a Viewer."""
        if isinstance(who, Viewer):
            return who
        if isinstance(who, HttpRequest):
            viewer = getattr(who, "_archive_viewer", None)
            user = getattr(who, "user", None)
            if viewer is None or viewer.user is not user:
                viewer = cls(user, getattr(who, "session", None))
                who._archive_viewer = viewer
            return viewer
        return cls(who)

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user.is_authenticated and self.user.is_active)

    @property
    def is_staff(self) -> bool:
        return is_staff_user(self.user)

    @cached_property
    def levels(self) -> list[str]:
        return visible_levels(self.user)

    @cached_property
    def groups(self) -> frozenset[int]:
        return _group_ids(self.user) if self.is_authenticated else frozenset()

    def may_see_level(self, access_level: str, sacred_group_id: int | None) -> bool:
        if access_level in self.levels:
            return True
        return access_level == AccessLevel.SACRED and sacred_group_id is not None and sacred_group_id in self.groups

    def audience(self) -> tuple[str, ...]:
        """The audience keys (see :func:`audience_key`) whose records this viewer may see."""
        return (*self.levels, *(f"{SACRED_KEY_PREFIX}{group}" for group in sorted(self.groups)))

    @cached_property
    def restrictions(self) -> list[Restriction]:
        """Every view restriction on the site, read once per viewer (so once per request)."""
        return all_restrictions()

    @cached_property
    def failed(self) -> list[Restriction]:
        """The view restrictions this viewer does not pass."""
        return [r for r in self.restrictions if not r.passes(self.user, self.session)]

    def hidden(self) -> tuple[int, ...]:
        """Ids of the restrictions this viewer fails: records they cover are hidden from them."""
        return tuple(r.id for r in self.failed)


def viewer_for(who) -> Viewer:
    return Viewer.of(who)


# --- the rule as queryset filters ----------------------------------------------------------


def access_filter(who, prefix: str = "") -> Q:
    """Objects with access fields (``access_level``, ``sacred_group``) whose level ``who`` meets.

    Sacred material is visible only to members of its named community group, whatever their
    other roles: staff manage it in the admin, not on the public site.
    """
    viewer = Viewer.of(who)
    q = Q(**{f"{prefix}access_level__in": viewer.levels})
    if viewer.groups:
        q |= Q(**{f"{prefix}access_level": AccessLevel.SACRED, f"{prefix}sacred_group__in": viewer.groups})
    return q


def page_visible_q(who, prefix: str = "") -> Q:
    """Pages of any type ``who`` may see: live and outside every restriction they fail."""
    q = Q(**{f"{prefix}live": True})
    for keys in _covered_keys(Viewer.of(who).failed):
        q &= ~Q(**{f"{prefix}translation_key__in": keys})
    return q


def visible_q(who, prefix: str = "") -> Q:
    """Records (pages with access fields) ``who`` may see: the whole rule as one filter."""
    return page_visible_q(who, prefix) & access_filter(who, prefix)


def can_view(who, access_level: str, sacred_group_id: int | None) -> bool:
    """Does ``who`` meet this access level (the level alone: Wagtail applies a page's restrictions
    when serving it, listings use :func:`visible_q`)?"""
    return Viewer.of(who).may_see_level(access_level, sacred_group_id)


# --- media ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaVerdict:
    allowed: bool
    public: bool


def media_verdicts(who, uses: dict, own: dict | None = None) -> dict:
    """Who may fetch files shown by records: ``uses`` maps each item (an image, an original…) to
    the ids of the record pages that show it; ``own`` optionally to the item's own (level, group).

    An item may be fetched when the viewer meets its own level and every showing record's level
    and restrictions, and at least one showing record is live: a draft's, an unpublished or a
    deleted record's media answer to nobody but staff, and a file stops being served the moment
    its record stops being visible. Staff also get media of records not yet live (they preview
    drafts) and media shown by no record (they manage the library). ``public`` (may shared caches keep it) when it would
    be allowed for anyone: public levels, no restriction, a live record.
    """
    from wagtail.models import Page

    viewer = Viewer.of(who)
    own = own or {}
    record_ids = {pk for ids in uses.values() for pk in ids}
    rows = {}
    if record_ids:
        rows = {
            pk: (live, level, group, key)
            for pk, live, level, group, key in Page.objects.filter(pk__in=record_ids).values_list(
                "pk", "live", "recordpage__access_level", "recordpage__sacred_group", "translation_key"
            )
        }
    covering = restriction_ids_for(((pk, row[3]) for pk, row in rows.items()), viewer.restrictions)
    failed = {r.id for r in viewer.failed}
    verdicts = {}
    for item, ids in uses.items():
        records = [(pk, rows[pk]) for pk in ids if pk in rows]
        own_level, own_group = own.get(item, (AccessLevel.PUBLIC, None))
        if not records:  # in the library, shown nowhere: for staff, who manage it
            verdicts[item] = MediaVerdict(viewer.is_staff and viewer.may_see_level(own_level, own_group), False)
            continue
        # A page without an access level (a news or standard page) is as open as its restrictions.
        meets = viewer.may_see_level(own_level, own_group) and all(
            (level is None or viewer.may_see_level(level, group)) and not (covering.get(pk, set()) & failed)
            for pk, (_live, level, group, _key) in records
        )
        some_live = any(live for _pk, (live, *_rest) in records)
        public = (
            own_level == AccessLevel.PUBLIC
            and some_live
            and all(level in (None, AccessLevel.PUBLIC) and not covering.get(pk) for pk, (_l, level, _g, _k) in records)
        )
        verdicts[item] = MediaVerdict(meets and (some_live or viewer.is_staff), public)
    return verdicts


class AccessControlled(models.Model):
    """Fields and checks for anything with an access level."""

    access_level = models.CharField(
        _("access level"),
        max_length=12,
        choices=AccessLevel.choices,
        default=AccessLevel.PUBLIC,
        db_index=True,
        help_text=_(
            "Public: everyone. Registered: logged-in researchers. Staff: archive staff. "
            "Sacred: only members of the community group below, never listed publicly."
        ),
    )
    sacred_group = models.ForeignKey(
        "auth.Group",
        verbose_name=_("community group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For sacred material: the group whose members may see it."),
    )

    class Meta:
        abstract = True

    @property
    def is_public(self) -> bool:
        return self.access_level == AccessLevel.PUBLIC

    def can_view(self, who) -> bool:
        """Does ``who`` meet this object's access level (the level alone)?"""
        return can_view(who, self.access_level, self.sacred_group_id)

    def clean_access(self):
        from django.core.exceptions import ValidationError

        if self.access_level == AccessLevel.SACRED and not self.sacred_group_id:
            raise ValidationError({"sacred_group": _("Sacred material needs the community group allowed to see it.")})
