"""The account pages of the public site: sign in and out, the profile, passwords, researcher access requests.

Sign-in, sign-out and the password pages are Django's own views (django-axes throttles the sign-in form as
every other); no page with a form goes into the anonymous page cache.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse_lazy, translate_url
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from accounts import services
from accounts.forms import AccessRequestForm, ResetPasswordForm, SignInForm, already_pending_message
from accounts.models import AccessRequest
from archive.access import AccessLevel, Viewer
from archive.models import RecordPage

# Requests one address may submit in an hour: each sends e-mails, to the applicant and to every reviewer.
REQUESTS_PER_ADDRESS_PER_HOUR = 10


class LanguageSwitch:
    """The header's language links lead to this page in the other language (``cms`` ``language_links``)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        path = self.request.get_full_path()
        context["language_urls"] = {code: translate_url(path, code) for code, _name in settings.LANGUAGES}
        return context


def _site_context() -> dict:
    return {"site_name": str(settings.SITE_NAME), "site_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")}


class SignInView(LanguageSwitch, auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires), then a page that says so."""

    next_page = "accounts:signed_out"


class SignedOutView(LanguageSwitch, TemplateView):
    template_name = "accounts/signed_out.html"


@method_decorator(never_cache, name="dispatch")
class ProfileView(LoginRequiredMixin, LanguageSwitch, TemplateView):
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        viewer = Viewer.of(self.request)
        labels = dict(AccessLevel.choices)
        levels = [labels[level] for level in viewer.levels]
        # Sacred material of the communities whose group the account is in (only those with such records).
        communities = (
            RecordPage.objects.filter(sacred_group__in=viewer.groups)
            .values_list("sacred_group__name", flat=True)
            .distinct()
            .order_by("sacred_group__name")
        )
        levels += [f"{labels[AccessLevel.SACRED]}: {name}" for name in communities]
        mine = Q(user=user) | Q(email__iexact=user.email) if user.email else Q(user=user)
        context.update(
            levels=levels,
            is_staff=viewer.is_staff,
            access_requests=AccessRequest.objects.filter(mine),
        )
        return context


class ChangePasswordView(LanguageSwitch, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class ChangePasswordDoneView(LanguageSwitch, auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@method_decorator(never_cache, name="dispatch")
class ResetPasswordView(LanguageSwitch, auth_views.PasswordResetView):
    form_class = ResetPasswordForm
    template_name = "accounts/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        return _site_context()


class ResetPasswordDoneView(LanguageSwitch, auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class ResetPasswordConfirmView(LanguageSwitch, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class ResetPasswordCompleteView(LanguageSwitch, auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@method_decorator(never_cache, name="dispatch")
class RequestAccessView(LanguageSwitch, FormView):
    """A visitor asks for researcher access: who they are and why. Signed-in visitors have it already."""

    template_name = "accounts/request_access.html"
    form_class = AccessRequestForm
    success_url = reverse_lazy("accounts:request_sent")

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("accounts:request_access")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if not self._within_limit():
            form.add_error(None, self.limit_message())
            return self.form_invalid(form)
        data = form.cleaned_data
        try:
            services.submit_request(
                full_name=data["full_name"],
                email=data["email"],
                institution=data["institution"],
                reason=data["reason"],
                language=get_language(),
            )
        except services.AlreadyPending:
            form.add_error("email", already_pending_message())
            return self.form_invalid(form)
        return super().form_valid(form)

    def _within_limit(self) -> bool:
        key = f"accounts:requests:{self.request.META.get('REMOTE_ADDR', '')}"
        cache.add(key, 0, 3600)
        try:
            return cache.incr(key) <= REQUESTS_PER_ADDRESS_PER_HOUR
        except ValueError:  # expired between add and incr
            return True

    @staticmethod
    def limit_message():
        return _("Too many requests came from your network in the last hour. Please try again later.")


class RequestSentView(LanguageSwitch, TemplateView):
    template_name = "accounts/request_sent.html"
