"""The breakdowns of an indicator with their values, as imports, checks and outputs read them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from archive.models import EthnicGroup
from stats.keys import ETHNIC_GROUP, parse_key
from stats.models.catalogue import fold


def ethnic_code_system() -> str:
    """The code system of the ethnic-group codes in keys (the archive's taxonomy uses QĐ 121-TCTK/PPCĐ, 1979)."""
    return getattr(settings, "STATS_ETHNIC_CODE_SYSTEM", EthnicGroup._meta.get_field("code_system").default)


def ethnic_group_by_code(code: str) -> EthnicGroup | None:
    return EthnicGroup.objects.filter(code_system=ethnic_code_system(), code=code).first()


@dataclass(frozen=True)
class Value:
    code: str
    name: str
    name_en: str = ""

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "vi").startswith("en") and self.name_en else self.name


@dataclass
class Dimension:
    code: str
    name: str
    name_en: str
    partition: bool
    values: list[Value]
    excluded: set[str] = field(default_factory=set)

    def __post_init__(self):
        self._by_code = {value.code: value for value in self.values}
        self._by_spelling: dict[str, str | None] = {}
        for value in self.values:
            for spelling in {fold(value.code), fold(value.name), fold(value.name_en)} - {""}:
                # A spelling shared by two values names neither.
                known = self._by_spelling.get(spelling, value.code)
                self._by_spelling[spelling] = value.code if known == value.code else None

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "vi").startswith("en") and self.name_en else self.name

    def applicable(self) -> set[str]:
        return set(self._by_code) - self.excluded

    def value(self, code: str) -> Value | None:
        return self._by_code.get(code)

    def lookup(self, text) -> str | None:
        """The code a spreadsheet means by ``text`` (a code, or a name in either language), or None."""
        text = str(text).strip()
        if text.isdigit() and self.code == ETHNIC_GROUP:
            text = text.zfill(2)
        if text in self._by_code:
            return text
        return self._by_spelling.get(fold(text))


def ethnic_group_values() -> list[Value]:
    groups = EthnicGroup.objects.filter(code_system=ethnic_code_system()).order_by("code")
    return [Value(code, name, name_en) for code, name, name_en in groups.values_list("code", "name", "name_en")]


def indicator_dimensions(indicator, ethnic_values: list[Value] | None = None) -> list[Dimension]:
    dimensions = []
    for breakdown in indicator.dimensions():
        disaggregation = breakdown.disaggregation
        if not disaggregation.in_key:
            continue
        if disaggregation.source == disaggregation.Source.ETHNIC_GROUPS:
            values = ethnic_values if ethnic_values is not None else ethnic_group_values()
        else:
            values = [Value(v.code, v.name, v.name_en) for v in disaggregation.values.all().order_by("sort_order")]
        dimensions.append(
            Dimension(
                disaggregation.code,
                disaggregation.name,
                disaggregation.name_en,
                disaggregation.partition,
                values,
                breakdown.excluded,
            )
        )
    return dimensions


def validate_key(indicator, key: str) -> None:
    """Raise ValidationError unless every part of ``key`` is a breakdown of the indicator with a known value."""
    dimensions = {dimension.code: dimension for dimension in indicator_dimensions(indicator)}
    problems = []
    for code, value in parse_key(key).items():
        dimension = dimensions.get(code)
        if dimension is None:
            problems.append(
                _("%(indicator)s is not broken down by “%(code)s”.") % {"indicator": indicator.code, "code": code}
            )
        elif dimension.value(value) is None:
            problems.append(
                _("“%(value)s” is not a value of %(dimension)s.")
                % {"value": value, "dimension": dimension.display_name}
            )
    if problems:
        raise ValidationError(problems)
