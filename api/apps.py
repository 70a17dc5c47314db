from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Open data API"

    def ready(self):
        from django.urls import reverse

        from archive import representations

        # /id/<identifier> with "Accept: application/json": the record in the API (public records only).
        representations.register(
            "application/json", lambda identifier: reverse("api-v1:record", args=[identifier]), public_only=True
        )
