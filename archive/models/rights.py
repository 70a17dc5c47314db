from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

RIGHTS_PREFIXES = (
    "http://rightsstatements.org/vocab/",
    "https://rightsstatements.org/vocab/",
    "https://creativecommons.org/licenses/",
    "http://creativecommons.org/licenses/",
    "https://creativecommons.org/publicdomain/",
    "http://creativecommons.org/publicdomain/",
)


def validate_rights_uri(value: str) -> None:
    if value and not value.startswith(RIGHTS_PREFIXES):
        raise ValidationError(
            _("Use a rightsstatements.org or Creative Commons URI, e.g. %(example)s."),
            params={"example": "https://creativecommons.org/licenses/by/4.0/"},
        )


def rights_label(uri: str) -> str:
    """A short human label for a rights URI ("CC BY 4.0", "In Copyright - Educational Use")."""
    if not uri:
        return ""
    tail = uri.rstrip("/").split("/")
    if "creativecommons.org" in uri:
        if "publicdomain" in uri:
            return "CC0 1.0" if "zero" in uri else "Public Domain Mark"
        try:
            idx = tail.index("licenses")
            return f"CC {tail[idx + 1].upper()} {tail[idx + 2]}"
        except (ValueError, IndexError):
            return uri
    labels = {
        "InC": "In Copyright",
        "InC-EDU": "In Copyright – Educational Use Permitted",
        "InC-NC": "In Copyright – Non-Commercial Use Permitted",
        "InC-RUU": "In Copyright – Rights-holder(s) Unlocatable",
        "NoC-US": "No Copyright – United States",
        "NoC-NC": "No Copyright – Non-Commercial Use Only",
        "NoC-OKLR": "No Copyright – Other Known Legal Restrictions",
        "CNE": "Copyright Not Evaluated",
        "UND": "Copyright Undetermined",
        "NKC": "No Known Copyright",
    }
    for part in tail:
        if part in labels:
            return labels[part]
    return uri
