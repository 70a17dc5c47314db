"""Experts in the admin: the profiles (with an erase action), the vocabulary of fields, the
messages kept and the erasure log."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, re_path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail import hooks
from wagtail.admin.ui.tables import TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button

from experts import services
from experts.models import ContactMessage, ErasureLog, Expert, ExpertiseField, ProfileChange


def _export_url(kind: str) -> str:
    return reverse("experts_export", kwargs={"kind": kind})


def _review_url(change) -> str:
    return reverse("experts_review", args=[change.pk])


class ExpertIndexView(generic.IndexView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons += [
            Button(
                gettext_lazy("Export CSV"),
                url=reverse("experts_export", kwargs={"kind": "csv"}),
                icon_name="download",
                priority=40,
            ),
            Button(
                gettext_lazy("Export XLSX"),
                url=reverse("experts_export", kwargs={"kind": "xlsx"}),
                icon_name="download",
                priority=41,
            ),
            Button(
                gettext_lazy("Not confirmed for a year"), url=reverse("experts_stale"), icon_name="time", priority=42
            ),
        ]
        return buttons


class ExpertEditView(generic.EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(
            Button(
                gettext_lazy("Invite to claim"),
                url=reverse("experts_invite", args=[self.object.pk]),
                icon_name="mail",
                priority=29,
            )
        )
        buttons.append(
            Button(
                gettext_lazy("Erase on request"),
                url=reverse("experts_erase", args=[self.object.pk]),
                icon_name="bin",
                priority=30,
            )
        )
        return buttons


class ExpertViewSet(ModelViewSet):
    name = "experts_expert"
    url_prefix = "experts/profiles"
    model = Expert
    icon = "user"
    menu_label = gettext_lazy("Experts")
    edit_view_class = ExpertEditView
    index_view_class = ExpertIndexView
    list_display = ["__str__", "organisation", "last_confirmed", "consent_date"]
    list_filter = ["fields", "visibility_name"]
    search_fields = ["person__name", "organisation"]
    ordering = ["person__name"]
    add_to_admin_menu = False


class ExpertiseFieldViewSet(ModelViewSet):
    name = "experts_field"
    url_prefix = "experts/fields"
    model = ExpertiseField
    icon = "tag"
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en"]
    add_to_admin_menu = False


class ContactMessageViewSet(ModelViewSet):
    name = "experts_message"
    url_prefix = "experts/messages"
    model = ContactMessage
    icon = "mail"
    list_display = ["expert", "sender_name", "created_at", "delivered"]
    form_fields = ["sender_name", "sender_email", "body", "delivered"]
    add_to_admin_menu = False


class ProfileChangeViewSet(ModelViewSet):
    name = "experts_change"
    url_prefix = "experts/changes"
    model = ProfileChange
    icon = "edit"
    list_display = [
        TitleColumn(
            "expert", label=gettext_lazy("Expert"), get_url=lambda change: reverse("experts_review", args=[change.pk])
        ),
        "submitted_at",
        "status",
        "reviewed_at",
    ]
    list_filter = ["status"]
    form_fields = ["status"]
    add_to_admin_menu = False


class ErasureLogViewSet(ModelViewSet):
    name = "experts_erasurelog"
    url_prefix = "experts/erasures"
    model = ErasureLog
    icon = "history"
    list_display = ["erased_at", "erased_by", "reference", "name_kept", "messages_deleted", "works_affected"]
    form_fields = ["reference"]
    add_to_admin_menu = False


class ExpertsViewSetGroup(ModelViewSetGroup):
    items = (ExpertViewSet, ProfileChangeViewSet, ExpertiseFieldViewSet, ContactMessageViewSet, ErasureLogViewSet)
    menu_icon = "user"
    menu_label = gettext_lazy("Experts")
    menu_name = "experts"


@hooks.register("register_admin_viewset")
def register_experts_viewsets():
    return ExpertsViewSetGroup()


def erase_view(request, pk: int):
    """Confirm, then erase: staff who may delete profiles only."""
    if not request.user.has_perm("experts.delete_expert"):
        raise PermissionDenied
    expert = get_object_or_404(Expert.objects.select_related("person"), pk=pk)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the confirmation to erase this person."))
        else:
            services.erase(expert, user=request.user, reference=request.POST.get("reference", ""))
            messages.success(request, _("The person was erased. The erasure is logged without their data."))
            return redirect("experts_erasurelog:index")
    works = services._page_ids_of_works(expert.person)
    return TemplateResponse(
        request,
        "experts/admin/erase.html",
        {"expert": expert, "works": len(works), "message_count": expert.messages.count()},
    )


def invite_view(request, pk: int):
    """The invitation link for a profile, and sending it to the person's e-mail."""
    from experts import claims

    if not request.user.has_perm("experts.change_expert"):
        raise PermissionDenied
    expert = get_object_or_404(Expert.objects.select_related("person"), pk=pk)
    link = request.build_absolute_uri(claims.invitation_path(expert))
    if request.method == "POST":
        if not expert.email:
            messages.error(request, _("This profile has no e-mail address to send the invitation to."))
        else:
            services.send_invitation(expert, link)
            messages.success(request, _("The invitation was sent."))
            return redirect("experts_expert:edit", expert.pk)
    return TemplateResponse(
        request,
        "experts/admin/invite.html",
        {"expert": expert, "link": link, "days": claims.invitation_days()},
    )


def review_view(request, pk: int):
    """A proposed change beside the profile as it is; approve or reject."""
    from experts import claims

    if not request.user.has_perm("experts.change_expert"):
        raise PermissionDenied
    change = get_object_or_404(ProfileChange.objects.select_related("expert__person"), pk=pk)
    if request.method == "POST" and change.status == ProfileChange.Status.PENDING:
        if request.POST.get("action") == "approve":
            claims.approve(change, request.user)
            messages.success(request, _("The changes were applied to the profile."))
        elif request.POST.get("action") == "reject":
            claims.reject(change, request.user)
            messages.success(request, _("The changes were rejected."))
        return redirect("experts_change:index")
    current = claims.current_values(change.expert)
    labels = {name: str(Expert._meta.get_field(name).verbose_name) for name in current}
    rows = [
        (
            labels[name],
            _readable(name, current.get(name)),
            _readable(name, change.data.get(name)),
            current.get(name) != change.data.get(name),
        )
        for name in current
    ]
    return TemplateResponse(request, "experts/admin/review.html", {"change": change, "rows": rows})


def _readable(name: str, value) -> str:
    from archive.models import Language

    if name == "fields":
        return "; ".join(ExpertiseField.objects.filter(pk__in=value or []).values_list("name", flat=True))
    if name.startswith("languages_"):
        return "; ".join(Language.objects.filter(pk__in=value or []).values_list("tag", flat=True))
    return value or ""


def export_view(request, kind: str):
    from django.http import HttpResponse

    from experts import exports

    if not request.user.has_perm("experts.view_expert") and not request.user.has_perm("experts.change_expert"):
        raise PermissionDenied
    base = request.build_absolute_uri("/").rstrip("/")
    if kind == "csv":
        response = HttpResponse(exports.as_csv(base_url=base), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.as_xlsx(base_url=base),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="chuyen-gia.{kind}"'
    response["Cache-Control"] = "private, no-store"
    return response


def stale_view(request):
    if not request.user.has_perm("experts.change_expert"):
        raise PermissionDenied
    experts = Expert.objects.stale().select_related("person").order_by("last_confirmed", "person__name")
    return TemplateResponse(request, "experts/admin/stale.html", {"experts": experts})


@hooks.register("register_admin_urls")
def register_expert_urls():
    return [
        path("experts/erase/<int:pk>/", erase_view, name="experts_erase"),
        path("experts/invite/<int:pk>/", invite_view, name="experts_invite"),
        path("experts/review/<int:pk>/", review_view, name="experts_review"),
        re_path(r"^experts/export\.(?P<kind>csv|xlsx)$", export_view, name="experts_export"),
        path("experts/stale/", stale_view, name="experts_stale"),
    ]
