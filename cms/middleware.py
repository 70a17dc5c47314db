from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware

# Paths outside the language-prefixed site: their 404s are final, not a cue to try /vi/...
UNPREFIXED = ("/id/", "/media/", "/documents/", "/admin/", "/django-admin/", "/i18n/")


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, minus the language redirect for unprefixed endpoints."""

    def process_response(self, request, response):
        if response.status_code == 404 and request.path_info.startswith(UNPREFIXED):
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
            return response
        return super().process_response(request, response)
