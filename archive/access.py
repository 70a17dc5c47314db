"""Who may see what: the four access levels and the one rule that enforces them.

Every output (pages, listings, calendar, feeds, sitemap, JSON-LD, media) asks this
module, so a new output cannot invent its own rule.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AccessLevel(models.TextChoices):
    PUBLIC = "public", _("Public")
    REGISTERED = "registered", _("Registered researchers")
    STAFF = "staff", _("Staff only")
    SACRED = "sacred", _("Sacred (community protocol)")


# Stricter levels sort later: an image used by several records takes the strictest.
STRICTNESS = {level: rank for rank, level in enumerate(AccessLevel.values)}


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


def access_filter(user, prefix: str = "") -> Q:
    """A Q object selecting objects with access fields that ``user`` may see.

    Sacred material is visible only to members of its named community group, whatever
    their other roles: staff manage it in the admin, not on the public site.
    """
    q = Q(**{f"{prefix}access_level__in": visible_levels(user)})
    groups = _group_ids(user) if user and user.is_active else frozenset()
    if groups:
        q |= Q(**{f"{prefix}access_level": AccessLevel.SACRED, f"{prefix}sacred_group__in": groups})
    return q


def can_view(user, access_level: str, sacred_group_id: int | None) -> bool:
    if access_level in visible_levels(user):
        return True
    if access_level == AccessLevel.SACRED and user and user.is_active:
        return sacred_group_id is not None and sacred_group_id in _group_ids(user)
    return False


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

    def can_view(self, user) -> bool:
        return can_view(user, self.access_level, self.sacred_group_id)

    def clean_access(self):
        from django.core.exceptions import ValidationError

        if self.access_level == AccessLevel.SACRED and not self.sacred_group_id:
            raise ValidationError({"sacred_group": _("Sacred material needs the community group allowed to see it.")})
