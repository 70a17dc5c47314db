import mimetypes

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

from cms.sitemap import AllLocalesSitemap


@require_safe
def sitemap(request):
    return wagtail_sitemap(request, sitemaps={"pages": AllLocalesSitemap(request)})


@require_safe
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /id/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# Icons that browsers and phones ask for at the site's root, whatever the page links.
SITE_ICONS = ("favicon.ico", "apple-touch-icon.png")


@require_safe
@cache_control(max_age=86400, public=True)
def site_icon(request, name):
    """``/favicon.ico`` and ``/apple-touch-icon.png``, from the static files (``static/``)."""
    if name not in SITE_ICONS:
        raise Http404
    found = finders.find(name)
    try:
        handle = open(found, "rb") if found else staticfiles_storage.open(name)  # noqa: SIM115 - FileResponse closes it
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    return FileResponse(handle, content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")


def account_locked(request, original_response=None, credentials=None):
    """What django-axes answers a sign-in to a locked-out account (``AXES_LOCKOUT_CALLABLE``), on every form."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(request, "cms/account_locked.html", {"minutes": minutes}, status=429)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Keep the error page free of database work: the database may be what failed.
    return render(request, "500.html", {"settings_debug": settings.DEBUG}, status=500)
