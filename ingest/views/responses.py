"""Answers shared by the ingest admin views: a refusal page, and where to go back to after an action."""

from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from ingest.permissions import can_upload_to


def safe_next(request, default: str) -> str:
    """The ``next`` URL posted with an action, if it stays on this site; else ``default``."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        return next_url
    return default


def refuse(request, message: str, *, status: int, back_url: str, records=()) -> TemplateResponse:
    """Say why an action was not done (403: not allowed; 409: not in this state; 400, 404: bad input), with the
    records in the way and a link to each one's media where the user may manage them."""
    return TemplateResponse(
        request,
        "ingest/refused.html",
        {
            "header_title": _("Not allowed") if status == 403 else _("Not done"),
            "message": message,
            "back_url": back_url,
            "records": [
                (record, reverse("ingest_upload", args=[record.pk]) if can_upload_to(request.user, record) else None)
                for record in records
            ],
        },
        status=status,
    )
