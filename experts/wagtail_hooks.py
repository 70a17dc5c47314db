"""Experts in the admin: the profiles (a snippet with revisions, drafts and the records' workflow, with
invite and erase actions), the vocabulary of fields, the messages kept and the erasure log; and what the
expert database adds to the site through the lower apps' hooks ("experts on this" panels, the demo,
editorial permissions and the workflow)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, re_path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets
from wagtail.snippets.views.snippets import SnippetViewSet

from experts import services
from experts.models import STAFF_HELD_FIELDS, ContactMessage, ErasureLog, Expert, ExpertiseField


def _export_url(kind: str) -> str:
    return reverse("experts_export", kwargs={"kind": kind})


def write_staff_held(expert: Expert) -> None:
    """Staff's values of the staff-held fields, written to the row at once: they are outside the profile's
    revisions (``Expert.with_content_json`` takes them from the row whenever a revision is published)."""
    Expert.objects.filter(pk=expert.pk).update(**{name: getattr(expert, name) for name in STAFF_HELD_FIELDS})


class ExpertIndexView(snippets.IndexView):
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


class ExpertEditView(snippets.EditView):
    def save_instance(self):
        instance = super().save_instance()
        write_staff_held(instance)
        # The row as it now is (the instance may hold an unpublished draft): its search text, and whatever
        # follows a saved profile, take the new visibilities at once.
        Expert.objects.get(pk=instance.pk).save()
        return instance

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


class ExpertViewSet(SnippetViewSet):
    name = "experts_expert"
    admin_url_namespace = "experts_expert"
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


class ErasureLogViewSet(ModelViewSet):
    name = "experts_erasurelog"
    url_prefix = "experts/erasures"
    model = ErasureLog
    icon = "history"
    list_display = ["erased_at", "erased_by", "reference", "name_kept", "messages_deleted", "works_affected"]
    form_fields = ["reference"]
    add_to_admin_menu = False


class ExpertsViewSetGroup(ModelViewSetGroup):
    items = (ExpertViewSet, ExpertiseFieldViewSet, ContactMessageViewSet, ErasureLogViewSet)
    menu_icon = "user"
    menu_label = gettext_lazy("Experts")
    menu_name = "experts"


# As a snippet group, so that profiles are snippets (revisions, drafts, workflow) from the moment the hooks
# are read — migrations included, which make the snippet's publish permission.
register_snippet(ExpertsViewSetGroup)


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
        re_path(r"^experts/export\.(?P<kind>csv|xlsx)$", export_view, name="experts_export"),
        path("experts/stale/", stale_view, name="experts_stale"),
    ]


# --- what the expert database adds to the lower apps, through their hooks -----------------------------


@hooks.register("term_page_panels")
def experts_on_term(request, term) -> str:
    """ "Experts on this" on an ethnic group's or a province's page."""
    from django.template.loader import render_to_string

    from archive.models import EthnicGroup, Place
    from experts.pages import experts_on_group, experts_on_place

    if isinstance(term, EthnicGroup):
        found, parameter = experts_on_group(term, request, 12), "group"
    elif isinstance(term, Place):
        found, parameter = experts_on_place(term, request, 12), "province"
    else:
        return ""
    context = {"experts": found, "term": term, "parameter": parameter}
    return render_to_string("experts/includes/experts_on.html", context, request=request)


@hooks.register("record_page_panels")
def experts_on_work(request, page) -> str:
    """ "Experts on this" on a heritage record's or a library item's page."""
    from experts.related import work_panel

    return work_panel(request, page)


@hooks.register("load_demo", order=100)  # after the library: experts are people its items name
def load_demo_experts(homes) -> dict:
    from experts.demo import load_demo_experts

    return load_demo_experts()


@hooks.register("editorial_workflow_models")
def expert_profiles_reviewed_as_records():
    # Profile changes an expert proposes go through the records' review (cms.setup).
    return [Expert]


@hooks.register("editorial_group_permissions")
def experts_permissions():
    from cms.setup import ADMINISTRATORS, CURATORS, REVIEWERS

    return {
        # Curators see the profiles and export them.
        CURATORS: [("experts", "view_expert")],
        # Reviewers keep profiles current: edit, invite, approve proposals (publish), the vocabulary, messages.
        REVIEWERS: [
            ("experts", "view_expert"),
            ("experts", "add_expert"),
            ("experts", "change_expert"),
            ("experts", "publish_expert"),
            ("experts", "add_expertisefield"),
            ("experts", "change_expertisefield"),
            ("experts", "view_contactmessage"),
        ],
        # Administrators: all of it, erasure (delete_expert) and its log included.
        ADMINISTRATORS: [
            *[
                ("experts", f"{action}_{model}")
                for model in ("expert", "expertisefield")
                for action in ("view", "add", "change", "delete")
            ],
            ("experts", "publish_expert"),
            ("experts", "view_contactmessage"),
            ("experts", "delete_contactmessage"),
            ("experts", "view_erasurelog"),
        ],
    }
