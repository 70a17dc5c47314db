"""Administrative units as the statistics read them: finding the unit a spreadsheet names, and
the links between units that aggregation follows.

The units are ``archive.Place`` rows. A unit that exists today has no ``valid_to``; a former one
(a province merged in 2025, an abolished district, a merged commune) has its last day in
``valid_to`` and the unit that took over its territory in ``successor``. Lower units point to
the unit they belong to with ``parent``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from archive.models import Place
from stats.models import NATIONAL_CODE, fold
from stats.periods import Period

NATIONAL_NAMES = {"toàn quốc", "cả nước", "việt nam", "viet nam", "vietnam", "whole country", "national"}
PREFIXES = (
    "thành phố ",
    "tp. ",
    "tp ",
    "tỉnh ",
    "huyện ",
    "quận ",
    "thị xã ",
    "thị trấn ",
    "xã ",
    "phường ",
    "đặc khu ",
    "province of ",
    "city of ",
)
SUFFIXES = (" province", " city", " district", " commune", " ward", " (former)")


class UnitError(ValueError):
    pass


def bare_name(name: str) -> str:
    """A unit's name folded, without the word for its kind: "tỉnh Hà Giang" and "Hà Giang" match."""
    text = fold(name)
    changed = True
    while changed:
        changed = False
        for prefix in PREFIXES:
            if text.startswith(prefix):
                text, changed = text[len(prefix) :], True
        for suffix in SUFFIXES:
            if text.endswith(suffix):
                text, changed = text[: -len(suffix)], True
    return text.strip()


@dataclass(frozen=True)
class Node:
    pk: int
    code: str
    name: str
    kind: str
    parent: int | None
    successor: int | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    current_province: int | None


VERSION_KEY = "stats:units-version"
_shared: dict[tuple, UnitIndex] = {}


def units_changed() -> None:
    """Forget the shared index (``stats.signal_handlers`` calls this when a place is saved or deleted)."""
    from django.core.cache import cache

    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


class UnitIndex:
    """Every unit read once, for the many lookups of an import or an aggregation."""

    @classmethod
    def shared(cls) -> UnitIndex:
        """The index the pages share, read again only when the places changed: after a place is saved or deleted
        (a version in the shared cache, so every process hears of it) or when their number or the highest id
        moved (rows written in bulk send no signal). One small query a request instead of reading every unit
        (3,321 communes and the former units)."""
        from django.core.cache import cache
        from django.db.models import Count, Max

        counts = Place.objects.aggregate(count=Count("pk"), last=Max("pk"))
        key = (cache.get_or_set(VERSION_KEY, 1, None), counts["count"], counts["last"])
        index = _shared.get(key)
        if index is None:
            index = cls()
            _shared.clear()
            _shared[key] = index
        return index

    def __init__(self):
        self.nodes: dict[int, Node] = {}
        self.by_code: dict[str, list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        rows = Place.objects.values_list(
            "pk", "code", "name", "kind", "parent_id", "successor_id", "valid_from", "valid_to", "current_province_id"
        )
        for row in rows:
            node = Node(*row)
            self.nodes[node.pk] = node
            if node.code:
                self.by_code.setdefault(node.code, []).append(node.pk)
            self.by_name.setdefault(bare_name(node.name), []).append(node.pk)
        self._places: dict[int, Place] = {}

    def place(self, pk: int) -> Place:
        if pk not in self._places:
            self._places[pk] = Place.objects.get(pk=pk)
        return self._places[pk]

    # --- finding the unit a spreadsheet names ---------------------------------------------

    @staticmethod
    def _code_variants(code: str) -> list[str]:
        variants = [code]
        if code.isdigit():
            variants += [code.zfill(width) for width in (2, 3, 5) if len(code) < width]
        return variants

    def _existing(self, pks, period: Period) -> list[int]:
        """Units that had not ended before the period began; among them, those known to have begun by its end first."""
        alive = [pk for pk in pks if self.nodes[pk].valid_to is None or self.nodes[pk].valid_to >= period.start]
        begun = [pk for pk in alive if self.nodes[pk].valid_from is None or self.nodes[pk].valid_from <= period.end]
        return begun if len(begun) == 1 else alive

    def resolve(self, code, name, period: Period) -> int | None:
        """The unit (its pk) that ``code`` and/or ``name`` name in ``period``; None for the whole country.

        Raise :class:`UnitError` when nothing or more than one unit matches, or when code and name disagree.
        """
        code = str(code).strip() if code not in (None, "") else ""
        if code.endswith(".0") and code[:-2].isdigit():
            code = code[:-2]  # a code typed into a number cell
        name = str(name or "").strip()
        if code.upper() == NATIONAL_CODE or (not code and fold(name) in NATIONAL_NAMES):
            return None
        if code:
            pks = [pk for variant in self._code_variants(code) for pk in self.by_code.get(variant, [])]
            if not pks:
                raise UnitError(_("No administrative unit has the code “%(code)s”.") % {"code": code})
            found = self._existing(pks, period)
            if not found:
                node = self.nodes[pks[0]]
                raise UnitError(
                    _("The unit with code “%(code)s” (%(name)s) no longer existed in %(period)s.")
                    % {"code": code, "name": node.name, "period": period.key}
                )
            if name:
                named = [pk for pk in found if bare_name(self.nodes[pk].name) == bare_name(name)]
                if not named:
                    raise UnitError(
                        _("The code “%(code)s” is %(unit)s, not “%(name)s”: check the code and the name.")
                        % {"code": code, "unit": self.nodes[found[0]].name, "name": name}
                    )
                found = named
            if len(found) > 1:
                raise UnitError(
                    _("More than one unit has the code “%(code)s” in %(period)s: %(units)s.")
                    % {"code": code, "period": period.key, "units": ", ".join(self.nodes[pk].name for pk in found)}
                )
            return found[0]
        if not name:
            raise UnitError(_("The row names no administrative unit: give its code (or VN for the whole country)."))
        pks = self.by_name.get(bare_name(name), [])
        if not pks:
            raise UnitError(_("No administrative unit is called “%(name)s”.") % {"name": name})
        found = self._existing(pks, period)
        if not found:
            raise UnitError(
                _("“%(name)s” no longer existed in %(period)s: use the unit of that time or its code.")
                % {"name": name, "period": period.key}
            )
        if len(found) > 1:
            raise UnitError(
                _("More than one unit is called “%(name)s”; give the unit's code (%(codes)s).")
                % {"name": name, "codes": ", ".join(self.nodes[pk].code or "—" for pk in found)}
            )
        return found[0]

    # --- the links aggregation follows ----------------------------------------------------

    def up_links(self, pk: int):
        """(next unit, date crossed) pairs: the parent (no date) and the successor (the day this unit ended)."""
        node = self.nodes[pk]
        if node.parent:
            yield node.parent, None
        if node.successor:
            yield node.successor, node.valid_to or dt.date.max

    def reaches(self, start: int, target: int) -> bool:
        """Whether ``target`` is above ``start`` through parent and successor links (any date)."""
        stack, seen = [start], set()
        while stack:
            pk = stack.pop()
            if pk == target:
                return True
            if pk in seen:
                continue
            seen.add(pk)
            stack.extend(next_pk for next_pk, _date in self.up_links(pk))
        return False
