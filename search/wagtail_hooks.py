"""Admin hooks of the search app: a panel on the admin home when the discovery index needs attention."""

from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.ui.components import Component

from search import services

# Who sees the panel: superusers, and whoever is granted this (the group editor lists it, as
# "Can view pending index update").
PERMISSION = "search.view_pendingupdate"

HEADLINES = {
    "missing": _(
        "The search index is missing or must be rebuilt. Site search tells visitors it is unavailable until the "
        "task worker (or an operator) has rebuilt it; no update is lost meanwhile."
    ),
    "unavailable": _(
        "The search engine cannot be used. Site search tells visitors it is unavailable; updates wait and are "
        "retried by themselves."
    ),
    "failing": _("Search index updates are failing: edits do not reach site search yet."),
    "mismatch": _("The search index does not match the archive: some records are missing from it or linger in it."),
    "stalled": _("Search index updates have been waiting for a long time."),
}


class SearchIndexPanel(Component):
    name = "search_index"
    template_name = "search/admin/index_panel.html"
    order = 10  # above the others: it says the site search is broken

    def __init__(self, state: dict):
        self.state = state

    def get_context_data(self, parent_context=None) -> dict:
        return {
            "state": self.state,
            "problems": [(HEADLINES[problem.kind], problem.message) for problem in self.state["problems"]],
        }


def can_see_index_state(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm(PERMISSION))


@hooks.register("construct_homepage_panels")
def add_search_index_panel(request, panels):
    if not can_see_index_state(request.user):
        return
    state = services.status()
    if state["problems"]:
        panels.append(SearchIndexPanel(state))


@hooks.register("register_permissions")
def register_index_state_permission():
    app_label, codename = PERMISSION.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)
