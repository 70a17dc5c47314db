"""Admin hooks of the accounts app: researcher access requests, their log actions and the home panel."""

from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from accounts import services
from accounts.models import AccessRequest
from accounts.views.review import NAME, AccessRequestViewSet, PendingRequestsPanel, can_decide, policy

register_permission_policy(AccessRequest, policy)


@hooks.register("register_admin_viewset")
def register_access_requests():
    return AccessRequestViewSet(NAME, url_prefix="researcher-access")


@hooks.register("register_log_actions")
def register_access_request_actions(actions):
    actions.register_action(services.APPROVE_ACTION, _("Approve researcher access"), _("Researcher access approved"))
    actions.register_action(services.REFUSE_ACTION, _("Refuse researcher access"), _("Researcher access refused"))


@hooks.register("construct_homepage_panels")
def add_pending_requests_panel(request, panels):
    if can_decide(request.user):
        count = AccessRequest.objects.pending().count()
        if count:
            panels.append(PendingRequestsPanel(count))
