"""Site-wide addresses outside the page tree that cms answers (included at the root by config/urls.py)."""

from django.urls import re_path

from cms import views

urlpatterns = [
    # Browsers and phones ask the site's root for its icons, whatever the pages link.
    re_path(r"^(?P<name>favicon\.ico|apple-touch-icon\.png)$", views.site_icon, name="site_icon"),
]
