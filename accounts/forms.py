"""The forms of the account pages: Django's own, with the site's words, and the researcher access request."""

from __future__ import annotations

import unicodedata

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessRequest
from accounts.services import normalize_email

MIN_REASON_LENGTH = 20


class SignInForm(AuthenticationForm):
    """Django's sign-in form (so django-axes sees every attempt), with one error worded for this site."""

    error_messages = {
        "invalid_login": _("The user name or password is incorrect. Both are case-sensitive."),
        "inactive": _("This account is not active. Ask the archive's staff to open it again."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["username"].help_text = _("Researchers admitted through a request use their e-mail address.")
        self.fields["password"].label = _("Password")


def _same_email(first: str, second: str) -> bool:
    return unicodedata.normalize("NFKC", first).casefold() == unicodedata.normalize("NFKC", second).casefold()


class ResetPasswordForm(PasswordResetForm):
    """Django's password reset, which also reaches accounts that have no password yet: a researcher whose
    first link (in the approval e-mail) expired asks for another here."""

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if _same_email(email, user.email))


class AccessRequestForm(forms.ModelForm):
    class Meta:
        model = AccessRequest
        fields = ["full_name", "email", "institution", "reason"]
        labels = {
            "full_name": _("Full name"),
            "email": _("E-mail address"),
            "institution": _("Institution (optional)"),
            "reason": _("What you want to study, and why"),
        }
        help_texts = {
            "full_name": "",
            "email": _("We write to you here, and it becomes your user name."),
            "institution": _("University, institute or organisation you work with."),
            "reason": _("A few sentences about your research and the records you would like to see."),
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "institution": forms.TextInput(attrs={"autocomplete": "organization"}),
            "reason": forms.Textarea(attrs={"rows": 6, "maxlength": 4000}),
        }

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        if AccessRequest.objects.pending().for_email(email).exists():
            raise forms.ValidationError(already_pending_message(), code="pending")
        return email

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < MIN_REASON_LENGTH:
            raise forms.ValidationError(
                _("Please say a little more (at least %(count)d characters).") % {"count": MIN_REASON_LENGTH},
                code="short",
            )
        if len(reason) > 4000:
            raise forms.ValidationError(_("Please keep it under 4,000 characters."), code="long")
        return reason


def already_pending_message():
    return _(
        "A request from this e-mail address is already waiting for review. "
        "We will write to you when it has been decided."
    )


class DecisionForm(forms.Form):
    """What a reviewer sends with an approval or a refusal (the button they press is the decision)."""

    message = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional; included in the e-mail. For a refusal, the applicant reads it as the reason."),
    )
