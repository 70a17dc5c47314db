"""The "Statistics" menu of the admin: the catalogue and the observations, as snippets."""

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    CreateView,
    DeleteView,
    EditView,
    InspectView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from stats.models import Disaggregation, Indicator, IndicatorGroup, Observation, Unit
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


class StatisticsViewSetGroup(SnippetViewSetGroup):
    items = (IndicatorViewSet, ObservationViewSet, IndicatorGroupViewSet, DisaggregationViewSet, UnitViewSet)
    menu_icon = "table"
    menu_label = _("Statistics")
    menu_name = "statistics"


register_snippet(StatisticsViewSetGroup)
