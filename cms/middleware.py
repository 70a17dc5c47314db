from csp.middleware import CSPMiddleware

from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware

# Paths outside the language-prefixed site: their 404s are final, not a cue to try /vi/... (/documents/ is
# Wagtail's old document library, not installed: its links must end in a 404, not a redirect.)
UNPREFIXED = ("/id/", "/cite/", "/api/", "/media/", "/documents/", "/admin/", "/i18n/", "/iiif/")


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, minus the language redirect for unprefixed endpoints."""

    def process_response(self, request, response):
        if response.status_code == 404 and request.path_info.startswith(UNPREFIXED):
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
            return response
        return super().process_response(request, response)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with ``settings.CONTENT_SECURITY_POLICY``, plus
    ``CONTENT_SECURITY_POLICY_ADMIN_UPDATE`` and ``_REPLACE`` on the admins' paths (their inline scripts and styles)."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(settings.CONTENT_SECURITY_POLICY_ADMIN_PREFIXES):
            parts.update = {**settings.CONTENT_SECURITY_POLICY_ADMIN_UPDATE, **(parts.update or {})}
            parts.replace = {**settings.CONTENT_SECURITY_POLICY_ADMIN_REPLACE, **(parts.replace or {})}
        return parts
