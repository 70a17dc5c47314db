"""Researcher access requests in the Wagtail admin: a listing, a review page with the request in full, and
Approve / Refuse buttons for those who may decide (``accounts.decide_accessrequest``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from accounts import services
from accounts.forms import DecisionForm
from accounts.models import AccessRequest

NAME = "access_requests"  # the viewset's name, and so its URL namespace


class AccessRequestPolicy(ModelPermissionPolicy):
    """Requests come from the site: nobody adds or edits one in the admin. Deciding is its own permission."""

    def user_has_permission(self, user, action):
        return action not in ("add", "change") and super().user_has_permission(user, action)


policy = AccessRequestPolicy(AccessRequest)


def can_decide(user) -> bool:
    return policy.user_has_permission(user, "decide")


class ReviewView(InspectView):
    """The request in full; while it waits, the decision form."""

    template_name = "accounts/admin/review.html"

    def get_object(self, queryset=None):
        if not hasattr(self, "_object"):  # asked for by get_fields() too, before setup() sets self.object
            self._object = super().get_object(queryset)
        return self._object

    def get_fields(self):
        fields = ["full_name", "email", "institution", "reason", "language", "status", "created_at"]
        if not self.get_object().is_pending:
            fields += ["decided_by", "decided_at", "message", "user"]
        return fields

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.is_pending and can_decide(self.request.user):
            context["decision_form"] = DecisionForm()
            context["decide_url"] = reverse(f"{NAME}:decide", args=[self.object.pk])
            context["existing_account"] = services.existing_account(self.object)
        return context


class AccessRequestViewSet(ModelViewSet):
    model = AccessRequest
    icon = "user"
    menu_label = gettext_lazy("Researcher access")
    menu_order = 650
    add_to_admin_menu = True
    inspect_view_enabled = True
    inspect_view_class = ReviewView
    copy_view_enabled = False
    list_display = [
        "full_name",
        "email",
        "institution",
        Column("status", label=pgettext_lazy("access request", "status"), accessor="get_status_display"),
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["full_name", "email", "institution"]
    search_backend_name = None  # plain database filtering: requests are not in a search index
    ordering = ["-created_at"]
    form_fields = ["full_name"]  # required by ModelViewSet; the policy never allows adding or editing

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("decide/<int:pk>/", self.decide_view, name="decide")]

    def decide_view(self, request, pk):
        return decide(request, pk, index_url=reverse(self.get_url_name("index")))


@require_POST
def decide(request, pk, index_url):
    """Approve or refuse (the button pressed), with the reviewer's message; the e-mail goes out on commit."""
    if not can_decide(request.user):
        raise PermissionDenied
    access_request = get_object_or_404(AccessRequest, pk=pk)
    form = DecisionForm(request.POST)
    decision = request.POST.get("decision")
    if not form.is_valid() or decision not in ("approve", "refuse"):
        messages.error(request, _("The decision could not be read; please try again."))
        return redirect(reverse(f"{NAME}:inspect", args=[pk]))
    message = form.cleaned_data["message"]
    try:
        if decision == "approve":
            user = services.approve(access_request, by=request.user, message=message)
            messages.success(
                request,
                _("%(name)s is now a researcher (account “%(username)s”); they have been told by e-mail.")
                % {"name": access_request.full_name, "username": user.get_username()},
            )
        else:
            services.refuse(access_request, by=request.user, message=message)
            messages.success(
                request,
                _("The request of %(name)s was refused; they have been told by e-mail.")
                % {"name": access_request.full_name},
            )
    except services.AlreadyDecided:
        messages.warning(request, _("This request had already been decided; nothing was changed."))
    return redirect(index_url)


class PendingRequestsPanel(Component):
    """On the admin home, for those who decide: how many requests wait."""

    name = "access_requests_pending"
    order = 90
    template_name = "accounts/admin/pending_panel.html"

    def __init__(self, count: int):
        self.count = count

    def get_context_data(self, parent_context=None):
        return {"count": self.count, "url": reverse(f"{NAME}:index") + "?status=pending"}
