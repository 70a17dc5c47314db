"""A media item's caption on a record's media page: a plain form per item, posted without JavaScript.

The caption is in the language of the record page it is edited on (the English translation edits its own).
Like attaching and detaching (``ingest.views.upload``), it changes the record's draft: visitors of a live
record keep the approved caption until a reviewer publishes the draft."""

import re

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from archive.models import RecordPage
from archive.text import nfc
from ingest import attachments
from ingest.models import Original
from ingest.permissions import can_upload_to
from ingest.views.responses import refuse
from ingest.views.upload import locked

_SPACES = re.compile(r"\s+")


class CaptionForm(forms.Form):
    """One line of plain text: NFC, runs of white space (line breaks too) made one space, at most
    ``attachments.CAPTION_MAX_LENGTH`` characters once normalised; empty removes the caption."""

    caption = forms.CharField(
        label=gettext_lazy("Caption"),
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"maxlength": attachments.CAPTION_MAX_LENGTH}),
    )

    def clean_caption(self) -> str:
        caption = _SPACES.sub(" ", nfc(self.cleaned_data["caption"])).strip()
        if len(caption) > attachments.CAPTION_MAX_LENGTH:
            raise forms.ValidationError(
                _("A caption may have at most %(limit)s characters; this one has %(count)s.")
                % {"limit": attachments.CAPTION_MAX_LENGTH, "count": len(caption)}
            )
        return caption


@require_POST
def caption(request, page_id: int, original_id: int):
    """Save the caption of one media item of a record in its draft; refused with a message (4xx) and nothing
    written when the caption is not acceptable, the media unknown or not on the record, the user may not
    attach media to it, or it is locked."""
    record = get_object_or_404(RecordPage, pk=page_id)
    media_url = reverse("ingest_upload", args=[record.pk])
    source = attachments.source_page(record)
    if not (can_upload_to(request.user, record) and can_upload_to(request.user, source)):
        return refuse(
            request,
            _("You may not change the captions of media on “%(title)s”: only its editors may.")
            % {"title": record.title},
            status=403,
            back_url=media_url,
        )
    original = Original.objects.filter(pk=original_id).first()
    if original is None:
        message = _("This media file is not in the archive (it may have been deleted).")
        return refuse(request, message, status=404, back_url=media_url)
    form = CaptionForm(request.POST)
    if not form.is_valid():
        return refuse(request, " ".join(form.errors["caption"]), status=400, back_url=media_url)
    if locked(request.user, source):
        return refuse(
            request,
            _(
                "“%(title)s” is locked (by a person, or while it awaits a review you cannot give): captions can be "
                "changed once it is unlocked."
            )
            % {"title": record.title},
            status=409,
            back_url=media_url,
        )
    try:
        changed = attachments.caption_draft(original, record, form.cleaned_data["caption"], request.user)
    except attachments.NotAttached:
        return refuse(
            request,
            _("“%(name)s” is not attached to this record (it may have been detached): its caption was not saved.")
            % {"name": original.filename},
            status=409,
            back_url=media_url,
        )
    if not changed:
        messages.info(request, _("The caption of “%(name)s” is unchanged.") % {"name": original.filename})
    elif source.live:
        messages.success(
            request,
            _(
                "The caption of “%(name)s” was changed in the draft of this record: visitors see it once the draft "
                "is published."
            )
            % {"name": original.filename},
        )
    else:
        messages.success(request, _("The caption of “%(name)s” was saved.") % {"name": original.filename})
    return redirect(media_url)
