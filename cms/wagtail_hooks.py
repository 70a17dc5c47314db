"""Admin hooks of the cms app."""

from axes.models import AccessAttempt

from django.apps import apps
from django.contrib.auth.models import Permission
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

# --- Failed sign-ins (django-axes): administrators see them and lift a lock-out by deleting its row -------


class FailedSignInPolicy(ModelPermissionPolicy):
    """Rows are written by django-axes alone: they may be viewed and deleted, never added or edited."""

    def user_has_permission(self, user, action):
        return action not in ("add", "change") and super().user_has_permission(user, action)


register_permission_policy(AccessAttempt, FailedSignInPolicy(AccessAttempt))


class FailedSignInViewSet(ModelViewSet):
    model = AccessAttempt
    icon = "lock"
    menu_label = _("Failed sign-ins")
    add_to_settings_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    form_fields = []  # nobody may add or edit (FailedSignInPolicy); Wagtail wants the attribute all the same

    def get_permissions_to_register(self):
        """Seeing failed sign-ins and lifting lock-outs, in the group editor."""
        return Permission.objects.filter(
            content_type__app_label="axes", codename__in=["view_accessattempt", "delete_accessattempt"]
        )


@hooks.register("register_admin_viewset")
def register_failed_sign_ins():
    return FailedSignInViewSet("failed_sign_ins", url_prefix="failed-sign-ins")


class NoDocumentsEndpoint:
    """The admin API's ``documents`` endpoint, for a site without Wagtail's document library.

    ``wagtail.documents`` is not installed (its ``/documents/`` view served files to anyone; files go
    through ``ingest`` and the access-checked ``/media/`` view instead), but Wagtail 8.0's admin still
    reverses ``wagtailadmin_api:documents:listing`` on every page (wagtail/wagtail#14418). This endpoint
    gives that name a URL that answers 404 and serves no model. Remove it once Wagtail ships the fix.
    """

    class model:  # noqa: N801 - stands for "no model": the admin API looks endpoints up by model class
        pass

    @staticmethod
    def not_found(request):
        raise Http404

    @classmethod
    def get_urlpatterns(cls):
        return [path("", cls.not_found, name="listing")]


@hooks.register("construct_admin_api")
def register_no_documents_endpoint(router):
    if not apps.is_installed("wagtail.documents"):
        router.register_endpoint("documents", NoDocumentsEndpoint)
