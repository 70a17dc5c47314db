"""Originals and their processing jobs in the Wagtail admin: a listing with state and progress, an inspect
view with the technical metadata, and a retry action for failed jobs."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet

from ingest import services
from ingest.models import JobState, Original, ProcessingJob
from ingest.permissions import can_manage

NAME = "ingest_originals"  # the viewset's name, and so its URL namespace


class JobColumn(Column):
    """State, progress, the reason for a failure, and a retry button where the user may retry."""

    cell_template_name = "ingest/tables/job_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context["request"]
        job = getattr(instance, "job", None)
        context["job"] = job
        context["retry_url"] = (
            reverse(f"{NAME}:retry", args=[instance.pk])
            if job is not None and job.state == JobState.FAILED and can_manage(request.user, instance)
            else None
        )
        context["next_url"] = request.get_full_path()
        return context


class OriginalIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("job").prefetch_related("records")


class OriginalInspectView(InspectView):
    def get_fields(self):
        return ["filename", "kind", "mime", "size", "sha256", "file", "created_by", "created_at", "metadata"]

    def get_field_display_value(self, field_name, field):
        if field_name == "size":
            return filesizeformat(self.object.size)
        return super().get_field_display_value(field_name, field)


def _records(original):
    return ", ".join(record.title for record in original.records.all())


class OriginalViewSet(ModelViewSet):
    model = Original
    icon = "media"
    menu_label = _("Media files")
    menu_order = 250
    add_to_admin_menu = True
    index_view_class = OriginalIndexView
    inspect_view_class = OriginalInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_filter = ["kind", "job__state"]
    search_fields = ["filename", "sha256"]
    search_backend_name = None  # plain database filtering: no search index for originals
    list_display = [
        "filename",
        Column("kind", label=_("kind of media"), accessor="get_kind_display"),
        JobColumn("job", label=_("processing")),
        Column("records", label=_("records"), accessor=_records),
        Column("size", label=_("size"), accessor=lambda o: filesizeformat(o.size)),
        "created_at",
    ]
    ordering = ["-created_at"]
    form_fields = ["filename"]  # required by ModelViewSet; the policy never allows adding or editing

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("retry/<int:pk>/", self.retry_view, name="retry")]

    def retry_view(self, request, pk):
        return retry(request, pk, index_url_name=self.get_url_name("index"))


@require_POST
def retry(request, pk, index_url_name):
    original = get_object_or_404(Original.objects.select_related("job"), pk=pk)
    if not can_manage(request.user, original):
        raise PermissionDenied
    job = ProcessingJob.objects.get(original=original)
    if services.retry(job):
        messages.success(request, _("Processing of “%(name)s” was queued again.") % {"name": original.filename})
    else:
        messages.warning(request, _("“%(name)s” is already queued or being processed.") % {"name": original.filename})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    return redirect(next_url or index_url_name)
