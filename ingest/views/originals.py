"""Originals and their processing jobs in the Wagtail admin: a listing with state and progress, an inspect
view with the technical metadata, retry and reprocess actions, and deletion of originals no record shows."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import DeleteView, IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet

from archive.models import RecordPage
from ingest import attachments, services
from ingest.models import DerivativeSet, JobState, Original, ProcessingJob
from ingest.permissions import can_delete_originals, can_manage, can_reprocess
from ingest.views.responses import refuse, safe_next

NAME = "ingest_originals"  # the viewset's name, and so its URL namespace


class JobColumn(Column):
    """State, progress, the reason for a failure, and a retry (failed) or reprocess (done) button where the
    user may manage the original."""

    cell_template_name = "ingest/tables/job_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context["request"]
        job = getattr(instance, "job", None)
        context["job"] = job
        context.update(job_actions(request.user, instance, job))
        context["next_url"] = request.get_full_path()
        return context


def job_actions(user, original, job, record=None) -> dict:
    """The retry and reprocess URLs ``user`` gets for ``original`` (None where not offered); on a record's
    media page (``record``, which shows the original or lists it in its draft) they name the record."""
    allowed = job is not None and job.is_finished and can_manage(user, original, record)
    query = f"?record={record.pk}" if record is not None else ""
    offer_retry = allowed and job.state == JobState.FAILED
    offer_reprocess = allowed and job.state == JobState.DONE and can_reprocess(user, original, record)
    return {
        "retry_url": reverse(f"{NAME}:retry", args=[original.pk]) + query if offer_retry else None,
        "reprocess_url": reverse(f"{NAME}:reprocess", args=[original.pk]) + query if offer_reprocess else None,
    }


def record_asked(request, original):
    """The record named by a retry or reprocess sent from its media page, if it shows ``original`` or its
    draft lists it; else None."""
    record_id = request.GET.get("record") or ""
    if not record_id.isdigit():
        return None
    record = RecordPage.objects.filter(pk=int(record_id)).first()
    return record if record is not None and attachments.holds(record, original) else None


class OriginalIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("job").prefetch_related("records")

    def get_delete_url(self, instance):
        # Only what no record shows can be deleted; the others are detached from their records first.
        if not instance.records.all():
            return super().get_delete_url(instance)
        return None


class OriginalInspectView(InspectView):
    def get_fields(self):
        return ["filename", "kind", "mime", "size", "sha256", "file", "created_by", "created_at", "metadata"]

    def get_delete_url(self):
        if self.object.records.exists():
            return None
        return super().get_delete_url()

    def get_field_display_value(self, field_name, field):
        if field_name == "size":
            return filesizeformat(self.object.size)
        return super().get_field_display_value(field_name, field)


class OriginalDeleteView(DeleteView):
    """Delete an original that no record shows: a confirmation page, then its rows and files.

    Only holders of ``ingest.delete_original`` (403 for others, rather than Wagtail's redirect); an original
    still shown by a record, or being processed, is refused with 409 and nothing is removed.
    """

    permission_required = None  # checked in dispatch()
    success_message = None
    template_name = "ingest/confirm_delete.html"

    def dispatch(self, request, *args, **kwargs):
        if not can_delete_originals(request.user):
            return refuse(
                request,
                _("Only managers may delete originals from the archive."),
                status=403,
                back_url=reverse(self.index_url_name),
            )
        try:
            services.ensure_deletable(self.object)
        except services.Refused as refusal:
            return self.refused(refusal)
        return super().dispatch(request, *args, **kwargs)

    def get_usage_url(self):
        return None  # what shows an original is its records, checked in dispatch(), not the reference index

    def refused(self, refusal: services.Refused):
        return refuse(
            self.request, refusal.message, status=409, back_url=self.get_success_url(), records=refusal.records
        )

    def form_valid(self, form):
        try:
            deleted = services.delete_original(self.object, self.request.user)
        except services.Refused as refusal:
            return self.refused(refusal)
        except Original.DoesNotExist as exc:
            raise Http404 from exc
        messages.success(
            self.request,
            _("“%(name)s” was deleted from the archive with its access copies; the deletion is kept in the log.")
            % {"name": deleted.filename},
        )
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["derivative_set"] = DerivativeSet.objects.filter(original=self.object).first()
        context["fixity_checks"] = self.object.fixity_events.count()
        context["last_fixity"] = self.object.fixity_events.first()
        return context


def _records(original):
    return ", ".join(record.title for record in original.records.all())


class OriginalViewSet(ModelViewSet):
    model = Original
    icon = "media"
    menu_label = gettext_lazy("Media files")
    menu_order = 250
    add_to_admin_menu = True
    index_view_class = OriginalIndexView
    inspect_view_class = OriginalInspectView
    delete_view_class = OriginalDeleteView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_filter = ["kind", "job__state"]
    search_fields = ["filename", "sha256"]
    search_backend_name = None  # plain database filtering: no search index for originals
    list_display = [
        "filename",
        Column("kind", label=gettext_lazy("kind of media"), accessor="get_kind_display"),
        JobColumn("job", label=gettext_lazy("processing")),
        Column("records", label=gettext_lazy("records"), accessor=_records),
        Column("size", label=gettext_lazy("size"), accessor=lambda o: filesizeformat(o.size)),
        "created_at",
    ]
    ordering = ["-created_at"]
    form_fields = ["filename"]  # required by ModelViewSet; the policy never allows adding or editing

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("retry/<int:pk>/", self.retry_view, name="retry"),
            path("reprocess/<int:pk>/", self.reprocess_view, name="reprocess"),
        ]

    def retry_view(self, request, pk):
        return retry(request, pk, index_url_name=self.get_url_name("index"))

    def reprocess_view(self, request, pk):
        return reprocess(request, pk, index_url=reverse(self.get_url_name("index")))


@require_POST
def retry(request, pk, index_url_name):
    original = get_object_or_404(Original.objects.select_related("job"), pk=pk)
    if not can_manage(request.user, original, record_asked(request, original)):
        raise PermissionDenied
    job = ProcessingJob.objects.get(original=original)
    if services.retry(job):
        messages.success(request, _("Processing of “%(name)s” was queued again.") % {"name": original.filename})
    else:
        messages.warning(request, _("“%(name)s” is already queued or being processed.") % {"name": original.filename})
    return redirect(safe_next(request, reverse(index_url_name)))


@require_POST
def reprocess(request, pk, index_url):
    """Make the access copies of a finished original again (e.g. after upgrading ffmpeg): a technical
    action, logged in the history of the original and of the records showing it."""
    original = get_object_or_404(Original, pk=pk)
    back = safe_next(request, index_url)
    record = record_asked(request, original)
    if not can_manage(request.user, original, record):
        return refuse(
            request,
            _("You may not reprocess “%(name)s”: only editors of a record showing it and managers may.")
            % {"name": original.filename},
            status=403,
            back_url=back,
        )
    if not can_reprocess(request.user, original, record):
        return refuse(
            request,
            _(
                "You may not reprocess “%(name)s”: a published record shows it, and new access copies reach "
                "visitors without a review, so only those who may publish that record and managers may."
            )
            % {"name": original.filename},
            status=403,
            back_url=back,
        )
    if services.reprocess(original, request.user):
        messages.success(
            request,
            _(
                "Access copies of “%(name)s” will be made again; the current ones are replaced once the new ones "
                "are ready."
            )
            % {"name": original.filename},
        )
    else:
        messages.warning(
            request,
            _("“%(name)s” is queued or being processed right now; reprocess it once it has finished.")
            % {"name": original.filename},
        )
    return redirect(back)
