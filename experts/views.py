"""The directory, a profile with its contact form, and a profile's photo.

What each shows is decided by :mod:`experts.visibility` (through :mod:`experts.pages`); pages for
anyone signed in are marked private. E-mail and phone are never read here."""

from __future__ import annotations

import logging
import mimetypes
from urllib.parse import quote

import orjson

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from experts import services
from experts.forms import ContactForm
from experts.models import Expert
from experts.pages import FACET_PARAMETERS, directory, profile_with_works
from experts.visibility import audience, visible_experts, visible_fields
from search.engines import EngineUnavailable

logger = logging.getLogger(__name__)

PER_PAGE = 20
DEFAULT_CONTACT_LIMIT = 5  # messages per visitor address…
DEFAULT_CONTACT_WINDOW = 3600  # …in this many seconds
MAX_QUERY = 200


def unavailable_message() -> str:
    # The site search's words (and their translation): the directory asks the same engines.
    return _("Search is temporarily unavailable. Please try again in a few minutes; browsing still works.")


def _language_urls(name: str, *args) -> dict[str, str]:
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = reverse(name, args=args)
    return urls


def _personal(request, response):
    if audience(request) != "public":
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def directory_view(request):
    query = (request.GET.get("q") or "")[:MAX_QUERY]
    chosen = {name: request.GET.get(name, "")[:MAX_QUERY] for name in FACET_PARAMETERS}
    try:
        found = directory(request, query, chosen, request.GET.get("page"), PER_PAGE)
    except EngineUnavailable:
        logger.exception("Search engine unavailable for the expert directory")
        return _personal(request, _message(request, _("Experts"), unavailable_message(), 503))
    facet_labels = {
        "field": _("Field of expertise"),
        "group": _("Ethnic group"),
        "language": _("Language"),
        "province": _("Province"),
        "title": _("Title"),
        "organisation": _("Organisation"),
    }
    facets = [(name, facet_labels[name], found.facets[name]) for name in FACET_PARAMETERS if found.facets[name]]
    context = {
        "directory": found,
        "page_obj": found.page,
        "facets": facets,
        "query": query,
        "chosen": found.chosen,
        "language_urls": _language_urls("experts_directory"),
    }
    return _personal(request, render(request, "experts/directory.html", context))


def _rate_key(request) -> str:
    return f"experts:contact:{request.META.get('REMOTE_ADDR', '')}"


def _over_limit(request) -> bool:
    """Count this attempt; whether the address has sent more than the limit in the window."""
    limit = int(getattr(settings, "EXPERTS_CONTACT_LIMIT", DEFAULT_CONTACT_LIMIT))
    window = int(getattr(settings, "EXPERTS_CONTACT_WINDOW", DEFAULT_CONTACT_WINDOW))
    key = _rate_key(request)
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, window)
        count = 1
    return count > limit


@require_http_methods(["GET", "HEAD", "POST"])
def profile_view(request, slug: str):
    expert = get_object_or_404(visible_experts(request).select_related("person"), slug=slug)
    profile = profile_with_works(expert, request)
    if profile is None:
        raise Http404
    status = 200
    notice = ""
    form = ContactForm() if profile.can_contact else None
    if request.method == "POST":
        if not profile.can_contact:
            status, notice = 403, _("This expert cannot be contacted through the site.")
        elif _over_limit(request):
            status, notice = 429, _("Too many messages from your address. Please wait an hour and try again.")
        else:
            form = ContactForm(request.POST)
            robot = form.check_robot()
            if robot is not None:
                logger.info("Contact form refused: %s", robot)
                status = 400
                notice = _(
                    "Your message could not be sent: the form was sent too quickly or has expired. "
                    "Please wait a few seconds and send it again."
                )
                form = ContactForm(initial={k: request.POST.get(k, "") for k in ("name", "email", "message")})
            elif not form.is_valid():
                status, notice = 400, _("Please correct the fields marked below.")
            else:
                services.send_message(
                    expert,
                    sender_name=form.cleaned_data["name"],
                    sender_email=form.cleaned_data["email"],
                    body=form.cleaned_data["message"],
                    language=translation.get_language() or "vi",
                )
                return redirect(f"{reverse('experts_profile', args=[slug])}?sent=1#contact")
    context = {
        "profile": profile,
        "form": form,
        "notice": notice,
        "sent": request.GET.get("sent") == "1" and request.method != "POST",
        "language_urls": _language_urls("experts_profile", slug),
    }
    response = render(request, "experts/profile.html", context, status=status)
    return _personal(request, response)


@require_safe
def photo_view(request, slug: str):
    """A profile photo, to those who may see it (the profile's and the photo's visibility)."""
    expert = get_object_or_404(Expert.objects.select_related("person"), slug=slug)
    if "photo" not in visible_fields(expert, request) or not expert.photo:
        raise Http404
    try:
        handle = expert.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=mimetypes.guess_type(expert.photo.name)[0] or "image/jpeg")
    public = audience(request) == "public"
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- claiming and editing one's own profile -------------------------------------------------------


def _message(request, title: str, text: str, status: int):
    response = render(request, "experts/message.html", {"title": title, "text": text}, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def claim_view(request, token: str):
    from django.contrib.auth.views import redirect_to_login

    from experts import claims

    try:
        expert = claims.expert_for_token(token)
    except claims.InvalidInvitation as error:
        text = (
            _("This invitation has expired. Ask the archive's staff for a new one.")
            if str(error) == "expired"
            else _("This invitation link is not valid. Check that it was copied whole.")
        )
        return _message(request, _("Invitation"), text, 400)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not claims.claim(expert, request.user):
        return _message(
            request,
            _("Invitation"),
            _("This profile has already been claimed by another account. Ask the archive's staff if this is wrong."),
            403,
        )
    return redirect("experts_edit", slug=expert.slug)


@require_http_methods(["GET", "HEAD", "POST"])
def edit_view(request, slug: str):
    """The person's own profile: proposed values go to review (a revision in the records' workflow)."""
    from django.contrib.auth.views import redirect_to_login

    from experts import claims
    from experts.forms import ProfileEditForm

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    expert = get_object_or_404(Expert.objects.select_related("person"), slug=slug)
    if expert.user_id != request.user.pk:
        return _message(request, _("Edit profile"), _("Only the person this profile describes may edit it."), 403)
    review, review_comment = claims.review_of(expert)
    status = 200
    if request.method == "POST":
        form = ProfileEditForm(request.POST)
        if form.is_valid():
            try:
                claims.propose(expert, request.user, form.cleaned_data)
            except claims.NoWorkflow:
                logger.error("No active workflow is assigned to experts: proposal by user %s refused", request.user.pk)
                return _message(
                    request,
                    _("Edit profile"),
                    _("Changes cannot be reviewed at the moment. Please try again later or write to the archive."),
                    503,
                )
            return redirect(f"{reverse('experts_edit', args=[slug])}?submitted=1")
        status = 400
    else:
        form = ProfileEditForm(initial=claims.current_values(claims.draft_of(expert)))
    context = {
        "expert": expert,
        "form": form,
        "review": review,
        "review_comment": review_comment,
        "submitted": request.GET.get("submitted") == "1",
        "language_urls": _language_urls("experts_edit", slug),
    }
    response = render(request, "experts/edit.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- the directory as JSON ---------------------------------------------------------------------------

API_PAGE_SIZE = 50


def profile_urls(request):
    """slug → the profile's absolute URL, for many results: the URL is reversed once."""
    mark = "slug-mark-0"
    pattern = request.build_absolute_uri(reverse("experts_profile", args=[mark]))
    return lambda slug: pattern.replace(mark, quote(slug, safe=""))


def profile_json(profile, request, url_of=None) -> dict:
    """A directory entry (``experts.pages.Entry``) or a profile as the API shows it: only the parts the
    viewer may see (never contact details)."""
    data = {
        "slug": profile.slug,
        "name": profile.name,
        "url": (url_of or profile_urls(request))(profile.slug),
    }
    if "other_names" in profile.parts:
        data["other_names"] = profile.other_names
    if "titles" in profile.parts:
        data["titles"] = [
            {"kind": title.kind, "label": str(title), "year": title.year, "decision": title.decision}
            for title in profile.titles
        ]
    if "organisation" in profile.parts:
        data["organisation"], data["position"] = profile.organisation, profile.position
    if "fields" in profile.parts:
        data["fields"] = [{"slug": item.slug, "name": item.name, "name_en": item.name_en} for item in profile.fields]
    if "ethnic_groups" in profile.parts:
        data["ethnic_groups"] = [{"slug": g.slug, "name": g.name, "name_en": g.name_en} for g in profile.ethnic_groups]
    if "languages" in profile.parts:
        data["languages_spoken"] = [getattr(lang, "tag", lang) for lang in profile.languages_spoken]
        data["languages_studied"] = [getattr(lang, "tag", lang) for lang in profile.languages_studied]
    if "regions" in profile.parts:
        data["regions"] = [{"slug": p.slug, "name": p.name, "name_en": p.name_en} for p in profile.regions]
    return data


@require_safe
def api_directory(request):
    query = (request.GET.get("q") or "")[:MAX_QUERY]
    chosen = {name: request.GET.get(name, "")[:MAX_QUERY] for name in FACET_PARAMETERS}
    try:
        found = directory(request, query, chosen, request.GET.get("page"), API_PAGE_SIZE)
    except EngineUnavailable:
        logger.exception("Search engine unavailable for the expert directory")
        return JsonResponse({"error": unavailable_message()}, status=503, json_dumps_params={"ensure_ascii": False})
    page = found.page
    url_of = profile_urls(request)
    data = {
        "count": found.total,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [profile_json(profile, request, url_of) for profile in page.object_list],
        "facets": {
            name: [{"value": key, "label": label, "count": count} for key, label, count, _selected in values]
            for name, values in found.facets.items()
        },
    }
    # orjson: a page of 50 results and six facets encode in a fifth of the time json takes.
    response = HttpResponse(orjson.dumps(data), content_type="application/json")
    if audience(request) != "public":
        patch_cache_control(response, private=True, no_store=True)
    return response
