"""Text hygiene shared by every input path (admin forms, demo data, imports)."""

import unicodedata


def nfc(value):
    """Return ``value`` in Unicode NFC; other types pass through unchanged."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


def normalise_text_fields(instance) -> None:
    """NFC-normalise every character field of a model instance in place."""
    from django.db import models

    for field in instance._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)):
            value = getattr(instance, field.attname, None)
            if isinstance(value, str):
                setattr(instance, field.attname, nfc(value))


def ascii_slug(value: str, max_length: int = 100) -> str:
    """A URL slug for Vietnamese text: "Đắk Lắk" → "dak-lak" (đ folds to d, not dropped)."""
    from django.utils.text import slugify

    folded = nfc(value or "").replace("đ", "d").replace("Đ", "D")
    return slugify(folded)[:max_length].strip("-")
