"""The "Statistics" menu of the admin: the catalogue and the observations, and the periodic reports' forms,
units, periods and reports, as snippets; the log actions of the report workflow."""

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    CreateView,
    DeleteView,
    EditView,
    InspectView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from stats.models import (
    Disaggregation,
    Indicator,
    IndicatorGroup,
    Observation,
    Report,
    ReportForm,
    ReportingPeriod,
    ReportingUnit,
    Unit,
)
from stats.reports import workflow
from stats.revisions import revision_context


class IndicatorViewSet(SnippetViewSet):
    model = Indicator
    icon = "table"
    list_display = ["working_code", "official_code", "name", "unit", "verification", "additive"]
    list_filter = ["verification", "group", "kind", "periodicity"]
    search_fields = ["working_code", "official_code", "name", "name_en"]
    ordering = ["working_code"]


class IndicatorGroupViewSet(SnippetViewSet):
    model = IndicatorGroup
    icon = "folder-open-inverse"
    list_display = ["working_code", "official_code", "name", "verification"]
    ordering = ["sort_order"]


class DisaggregationViewSet(SnippetViewSet):
    model = Disaggregation
    icon = "list-ul"
    list_display = ["code", "name", "name_en", "source", "partition"]
    ordering = ["sort_order"]


class UnitViewSet(SnippetViewSet):
    model = Unit
    icon = "tag"
    list_display = ["code", "symbol", "name", "name_en", "kind"]


class _InAdminRevision:
    """Changes made through these views are recorded with the signed-in user (``stats.revisions``)."""

    def dispatch(self, request, *args, **kwargs):
        with revision_context(user=request.user, origin="admin"):
            return super().dispatch(request, *args, **kwargs)


class ObservationCreateView(_InAdminRevision, CreateView):
    pass


class ObservationEditView(_InAdminRevision, EditView):
    pass


class ObservationDeleteView(_InAdminRevision, DeleteView):
    pass


class ObservationInspectView(InspectView):
    def get_revision_history_display_value(self):
        revisions = self.object.revisions.select_related("user").order_by("-created_at", "-pk")
        rows = format_html_join(
            "",
            "<li>{} — {} — {} ({}): {}</li>",
            (
                (
                    revision.created_at.strftime("%Y-%m-%d %H:%M"),
                    revision.get_action_display(),
                    revision.user or "—",
                    revision.origin or "—",
                    "; ".join(f"{name}: {old} → {new}" for name, (old, new) in revision.changes.items()),
                )
                for revision in revisions
            ),
        )
        return format_html("<ul>{}</ul>", rows)

    def get_field_label(self, field_name, field):
        if field_name == "revision_history":
            return _("Revision history")
        return super().get_field_label(field_name, field)


class ObservationViewSet(SnippetViewSet):
    model = Observation
    icon = "table"
    list_display = ["indicator", "period", "unit_name", "disaggregation_key", "value", "status", "is_sample"]
    list_filter = ["status", "is_sample", "indicator"]
    search_fields = ["period", "unit_code", "unit_name", "disaggregation_key", "source"]
    add_view_class = ObservationCreateView
    edit_view_class = ObservationEditView
    delete_view_class = ObservationDeleteView
    inspect_view_enabled = True
    inspect_view_class = ObservationInspectView
    inspect_view_fields = [
        "indicator",
        "period",
        "place",
        "unit_code",
        "unit_name",
        "unit_version",
        "disaggregation_key",
        "value",
        "status",
        "source",
        "notes",
        "is_sample",
        "revision_history",
    ]


class ReportFormViewSet(SnippetViewSet):
    model = ReportForm
    icon = "form"
    list_display = ["code", "official_code", "name", "filled_by", "verification", "active"]
    list_filter = ["filled_by", "verification", "active"]
    search_fields = ["code", "official_code", "name"]


class ReportingUnitViewSet(SnippetViewSet):
    model = ReportingUnit
    icon = "group"
    list_display = ["name", "level", "parent", "active"]
    list_filter = ["level", "active"]
    search_fields = ["name"]


class ReportingPeriodCreateView(CreateView):
    """Opening a period from the admin opens it for every unit of the form's level (``workflow.open_period``)."""

    def save_instance(self):
        instance = self.form.instance
        period, _added = workflow.open_period(
            instance.form, instance.period, deadline=instance.deadline, user=self.request.user
        )
        return period


class ReportingPeriodViewSet(SnippetViewSet):
    model = ReportingPeriod
    icon = "date"
    list_display = ["form", "period", "deadline", "closed"]
    list_filter = ["form", "closed"]
    add_view_class = ReportingPeriodCreateView


class ReportViewSet(SnippetViewSet):
    """Reports are filled and reviewed on the site (/vi/thong-ke/bao-cao/); the admin lists them and shows
    their history."""

    model = Report
    icon = "doc-full"
    list_display = ["reporting_period", "unit", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status", "reporting_period"]
    search_fields = ["unit__name"]
    inspect_view_enabled = True
    inspect_view_fields = ["reporting_period", "unit", "status", "submitted_at", "reviewed_at", "review_comment"]


class StatisticsViewSetGroup(SnippetViewSetGroup):
    items = (
        IndicatorViewSet,
        ObservationViewSet,
        IndicatorGroupViewSet,
        DisaggregationViewSet,
        UnitViewSet,
        ReportFormViewSet,
        ReportingUnitViewSet,
        ReportingPeriodViewSet,
        ReportViewSet,
    )
    menu_icon = "table"
    menu_label = _("Statistics")
    menu_name = "statistics"


register_snippet(StatisticsViewSetGroup)


@hooks.register("register_log_actions")
def register_report_actions(actions):
    actions.register_action(workflow.OPEN_ACTION, _("Open reporting period"), _("Reporting period opened"))
    actions.register_action(workflow.SAVE_ACTION, _("Save report"), _("Report saved"))
    actions.register_action(workflow.SUBMIT_ACTION, _("Submit report"), _("Report submitted"))
    actions.register_action(workflow.RETURN_ACTION, _("Return report"), _("Report returned for correction"))
    actions.register_action(workflow.APPROVE_ACTION, _("Approve report"), _("Report approved"))
    actions.register_action(workflow.EVIDENCE_ADD_ACTION, _("Attach evidence"), _("Evidence attached"))
    actions.register_action(workflow.EVIDENCE_DELETE_ACTION, _("Remove evidence"), _("Evidence removed"))
    actions.register_action(workflow.REMIND_ACTION, _("Send reminder"), _("Reminder sent"))


@hooks.register("load_demo", order=200)
def load_demo_statistics(homes) -> dict:
    """The demo's statistics (``cms.demo``): the indicator catalogue, report forms and observations."""
    from stats.demo import load_stats_demo

    return {"statistical observations": load_stats_demo()["created"]}
