"""The contact form: a visitor's name, address and message, with two quiet defences against
robots — a field people never see (filled: refused) and a signed time (sent faster than a
person types, or from a form older than a day: refused)."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

SIGNING_SALT = "experts.contact"
DEFAULT_MIN_SECONDS = 3
MAX_AGE_SECONDS = 24 * 60 * 60


def min_seconds() -> float:
    return float(getattr(settings, "EXPERTS_CONTACT_MIN_SECONDS", DEFAULT_MIN_SECONDS))


def issue_stamp(now: float | None = None) -> str:
    return signing.dumps({"t": now if now is not None else time.time()}, salt=SIGNING_SALT)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail"), help_text=_("The expert replies to this address."))
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    # Not for people: hidden by the stylesheet and from assistive technology.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    stamp = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["stamp"] = issue_stamp()

    def check_robot(self, now: float | None = None) -> str | None:
        """Why the submission looks automatic, or None."""
        if (self.data.get("website") or "").strip():
            return "honeypot"
        now = now if now is not None else time.time()
        try:
            issued = float(signing.loads(self.data.get("stamp") or "", salt=SIGNING_SALT)["t"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            return "stamp"
        if now - issued < min_seconds():
            return "too-fast"
        if now - issued > MAX_AGE_SECONDS:
            return "stale"
        return None


class ProfileEditForm(forms.Form):
    """What an expert may propose for their own profile; staff approve it before it shows."""

    other_names = forms.CharField(
        label=_("Other names (one per line)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=255, required=False)
    position = forms.CharField(label=_("Position"), max_length=255, required=False)
    fields = forms.ModelMultipleChoiceField(label=_("Fields of expertise"), queryset=None, required=False)
    languages_spoken = forms.ModelMultipleChoiceField(label=_("Languages spoken"), queryset=None, required=False)
    languages_studied = forms.ModelMultipleChoiceField(label=_("Languages studied"), queryset=None, required=False)
    biography = forms.CharField(
        label=_("Biography (Vietnamese)"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    biography_en = forms.CharField(
        label=_("Biography (English)"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    confirm = forms.BooleanField(label=_("I confirm my profile is correct and current"), required=False)

    def __init__(self, *args, **kwargs):
        from archive.models import Language
        from experts.models import ExpertiseField

        super().__init__(*args, **kwargs)
        self.fields["fields"].queryset = ExpertiseField.objects.all()
        self.fields["languages_spoken"].queryset = Language.objects.all()
        self.fields["languages_studied"].queryset = Language.objects.all()
