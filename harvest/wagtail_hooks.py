"""The "Harvesting" menu of the admin: the OAI-PMH sources (add, edit, "Harvest now", the last run's progress)
and the runs, read-only, with their counts, errors and rejected records."""

from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from harvest.client import HarvestError
from harvest.models import HarvestRun, HarvestSource
from harvest.tasks import enqueue

SOURCES = "harvest_sources"
RUNS = "harvest_runs"


def can_harvest(user) -> bool:
    return user.has_perm(f"harvest.{get_permission_codename('change', HarvestSource._meta)}")


class LastRunColumn(Column):
    """The last run's state and counts, its error, and the "Harvest now" button."""

    cell_template_name = "harvest/tables/last_run_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context["request"]
        context["run"] = instance.last_run
        context["harvest_url"] = reverse(f"{SOURCES}:harvest", args=[instance.pk]) if can_harvest(request.user) else ""
        context["next_url"] = request.get_full_path()
        return context


class HarvestSourceViewSet(ModelViewSet):
    model = HarvestSource
    icon = "download"
    menu_label = gettext_lazy("Sources")
    form_fields = ["name", "base_url", "metadata_prefix", "set_spec", "library", "enabled", "harvested_until"]
    list_display = [
        "name",
        "base_url",
        "metadata_prefix",
        "set_spec",
        "enabled",
        "harvested_until",
        LastRunColumn("last_run", label=gettext_lazy("last harvest")),
    ]
    list_filter = ["enabled", "metadata_prefix"]
    search_fields = ["name", "base_url"]
    search_backend_name = None
    copy_view_enabled = False

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("harvest/<int:pk>/", self.harvest_view, name="harvest")]

    def harvest_view(self, request, pk):
        """POST: queue a harvest of the source now (or resume the one that stopped part-way)."""
        if request.method != "POST":
            return redirect(reverse(f"{SOURCES}:index"))
        if not can_harvest(request.user):
            raise PermissionDenied
        source = get_object_or_404(HarvestSource, pk=pk)
        try:
            run = enqueue(source)
        except HarvestError as exc:
            messages.warning(request, str(exc))
        else:
            messages.success(
                request,
                _("A harvest of “%(source)s” was queued; its progress shows under Harvesting › Runs.")
                % {"source": source.name}
                if not run.resumption_token
                else _("The harvest of “%(source)s” that stopped part-way was queued to go on from where it stopped.")
                % {"source": source.name},
            )
        return redirect(reverse(f"{RUNS}:index"))


class RunPermissionPolicy(ModelPermissionPolicy):
    """Runs are only looked at (never added, edited or deleted in the admin), by whoever may edit sources."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete", "copy"):
            return False
        return user.is_active and (user.is_superuser or can_harvest(user))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(HarvestRun, RunPermissionPolicy(HarvestRun))


class HarvestRunViewSet(ModelViewSet):
    model = HarvestRun
    icon = "history"
    menu_label = gettext_lazy("Runs")
    form_fields = ["state"]  # required by ModelViewSet; the policy never allows adding or editing
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "source",
        Column("state", label=gettext_lazy("state"), accessor="get_state_display"),
        "seen",
        "created",
        "updated",
        "deleted",
        "failed",
        "error",
        "started_at",
        "updated_at",
    ]
    list_filter = ["state", "source"]
    search_backend_name = None
    inspect_view_fields = [
        "source",
        "state",
        "metadata_prefix",
        "set_spec",
        "from_date",
        "response_date",
        "pages",
        "complete_list_size",
        "seen",
        "created",
        "updated",
        "unchanged",
        "deleted",
        "failed",
        "error",
        "record_errors",
        "resumption_token",
        "started_at",
        "updated_at",
        "finished_at",
    ]


class HarvestGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("Harvesting")
    menu_icon = "download"
    menu_order = 260
    items = (
        HarvestSourceViewSet(SOURCES, url_prefix="harvest/sources"),
        HarvestRunViewSet(RUNS, url_prefix="harvest/runs"),
    )


@hooks.register("register_admin_viewset")
def register_harvesting():
    return HarvestGroup()
