from django.utils.translation import gettext_lazy as _

from wagtail.images.forms import BaseImageForm

from archive.text import nfc


class ArchiveImageForm(BaseImageForm):
    """Image upload/edit form: alternative text is required, text is NFC-normalised."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "description" in self.fields:
            self.fields["description"].required = True
            self.fields["description"].help_text = _("Describe the image for people who cannot see it (alt text).")

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str):
                cleaned[name] = nfc(value)
        return cleaned
