"""The Vietnamese lunar calendar, and how records validate lunar dates."""

import datetime as dt

import pytest

from django.core.exceptions import ValidationError
from django.utils import translation

from archive import lunar
from archive.models import FestivalPage


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted in English here; Vietnamese ones are checked separately."""
    with translation.override("en"):
        yield


def test_tet_1985_follows_the_vietnamese_calendar_not_the_chinese_one():
    # Vietnam (UTC+7) celebrated Tết on 21 January 1985; China (UTC+8) on 20 February.
    assert lunar.to_gregorian(1985, 1, 1) == dt.date(1985, 1, 21)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (1968, dt.date(1968, 1, 29)),
        (2007, dt.date(2007, 2, 17)),
        (2024, dt.date(2024, 2, 10)),
        (2030, dt.date(2030, 2, 2)),
    ],
)
def test_tet_in_years_where_the_calendars_differ(year, expected):
    assert lunar.to_gregorian(year, 1, 1) == expected


def test_leap_month_2023():
    # Quý Mão (2023) had a leap 2nd month: the ordinary 2nd month began on 20 February,
    # the leap one on 22 March.
    assert lunar.to_gregorian(2023, 2, 1) == dt.date(2023, 2, 20)
    assert lunar.to_gregorian(2023, 2, 1, leap=True) == dt.date(2023, 3, 22)
    assert lunar.to_lunar(dt.date(2023, 3, 22)) == lunar.LunarDate(2023, 2, 1, True)


def test_leap_month_the_year_does_not_have_is_an_error():
    with pytest.raises(lunar.InvalidLunarDate, match="no leap month 5"):
        lunar.to_gregorian(2024, 5, 1, leap=True)


def test_day_31_is_an_error():
    with pytest.raises(lunar.InvalidLunarDate, match="between 1 and 30"):
        lunar.to_gregorian(2024, 1, 31)


def test_day_30_of_a_29_day_month_is_an_error_but_a_rule_falls_on_the_29th():
    # Month 1 of Giáp Thìn (2024) has 29 days.
    with pytest.raises(lunar.InvalidLunarDate, match="only 29 days"):
        lunar.to_gregorian(2024, 1, 30)
    assert lunar.occurrence(2024, 1, 30) == lunar.to_gregorian(2024, 1, 29)


def test_a_leap_month_rule_occurs_only_in_years_with_that_leap_month():
    assert lunar.occurrence(2024, 2, 1, leap=True) is None
    assert lunar.occurrence(2023, 2, 1, leap=True) == dt.date(2023, 3, 22)


def test_parse_lunar_text():
    assert lunar.parse("15/2n/2023") == lunar.LunarDate(2023, 2, 15, True)
    with pytest.raises(lunar.InvalidLunarDate):
        lunar.parse("15-1-2024")


def test_occurrences_crossing_the_gregorian_new_year():
    # The 12th lunar month of 2024 (Giáp Thìn) falls in January 2025.
    spans = lunar.occurrences_between(12, 15, False, dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert spans == [(dt.date(2025, 1, 14), dt.date(2025, 1, 14))]


@pytest.mark.django_db
def test_festival_rule_with_day_31_is_a_validation_error():
    page = FestivalPage(title="Lễ thử", slug="le-thu", lunar_month=1, lunar_day=31)
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "lunar_day" in error.value.message_dict


@pytest.mark.django_db
def test_record_date_in_a_missing_leap_month_is_a_validation_error():
    page = FestivalPage(title="Lễ thử", slug="le-thu", date_start_lunar="1/5n/2024")
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "no leap month 5" in " ".join(error.value.message_dict["date_start_lunar"])


@pytest.mark.django_db
def test_record_date_entered_in_the_lunar_calendar_sets_the_gregorian_date():
    page = FestivalPage(title="Lễ thử", slug="le-thu", date_start_lunar="1/1/1985")
    page.clean()
    assert page.date_start == dt.date(1985, 1, 21)
    assert page.date_precision == "day"


def test_errors_are_given_in_vietnamese_too():
    with translation.override("vi"), pytest.raises(lunar.InvalidLunarDate, match="không có tháng 5 nhuận"):
        lunar.to_gregorian(2024, 5, 1, leap=True)
