"""Site pages: home, standard and news pages, browse pages, the festival calendar."""

import calendar as pycalendar
import datetime as dt

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from archive import lunar
from archive.access import page_visible_q, visible_q
from archive.models import (
    RECORD_TYPES,
    AsciiSlugMixin,
    CollectionPage,
    EthnicGroup,
    FestivalPage,
    Place,
    RecordPage,
    record_type_by_slug,
)
from cms import calendar_feed
from cms.blocks import BodyBlock
from cms.navigation import navigation

PAGE_SIZE = 24


def paginate(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def record_cards(queryset):
    """What a list of record cards needs, in a constant number of queries."""
    return queryset.specific().select_related("locale").prefetch_related("ethnic_groups")


class HomePage(AsciiSlugMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "archive.CollectionPage",
        "cms.StandardPage",
        "cms.NewsIndexPage",
        "cms.EthnicGroupIndexPage",
        "cms.PlaceIndexPage",
        "cms.RecordTypeIndexPage",
        "cms.FestivalCalendarPage",
        "library.LibraryPage",
    ]
    template = "cms/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        records = RecordPage.objects.listed_for(request, self.locale_id)
        context["latest_records"] = record_cards(records.order_by("-first_published_at")[:8])
        context["record_count"] = records.count()
        context["collections"] = self.get_children().filter(page_visible_q(request)).type(CollectionPage)
        context["ethnic_groups"] = groups_with_counts(request, self.locale).filter(record_count__gt=0)[:12]
        context["group_index_url"] = navigation(self.locale.language_code)["group_index_url"]
        return context


class StandardPage(AsciiSlugMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]
    template = "cms/standard_page.html"

    class Meta:
        verbose_name = _("standard page")


class NewsIndexPage(AsciiSlugMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    template = "cms/news_index_page.html"

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.child_of(self).filter(page_visible_q(request)).order_by("-date")
        context["news"] = paginate(request, news)
        return context


class NewsPage(AsciiSlugMixin, Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    summary = models.TextField(_("summary"), blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("date"), FieldPanel("summary"), FieldPanel("body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []
    template = "cms/news_page.html"

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")


def groups_with_counts(who, locale):
    visible = Q(records__locale=locale) & visible_q(who, prefix="records__")
    return EthnicGroup.objects.annotate(record_count=Count("records", filter=visible, distinct=True)).order_by("code")


class BrowsePage(AsciiSlugMixin, RoutablePageMixin, Page):
    """Base for the browse pages: an index route and one route per term."""

    intro = models.TextField(_("introduction"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        abstract = True

    def render_term(self, request, template, term, records, **extra):
        context = self.get_context(request)
        context.update({"term": term, "records": paginate(request, record_cards(records)), **extra})
        return TemplateResponse(request, template, context)


class EthnicGroupIndexPage(BrowsePage):
    template = "cms/ethnic_group_index_page.html"

    class Meta:
        verbose_name = _("ethnic groups index")

    @path("")
    def index(self, request):
        context = self.get_context(request)
        context["groups"] = groups_with_counts(request, self.locale)
        return TemplateResponse(request, self.template, context)

    @path("<slug:slug>/", name="group")
    def group(self, request, slug):
        group = get_object_or_404(EthnicGroup, slug=slug)
        records = RecordPage.objects.listed_for(request, self.locale_id).filter(ethnic_groups=group).order_by("title")
        return self.render_term(request, "cms/ethnic_group_page.html", group, records)

    def get_sitemap_urls(self, request=None):
        urls = super().get_sitemap_urls(request)
        base = self.get_full_url(request)
        return urls + [{"location": f"{base}{slug}/"} for slug in EthnicGroup.objects.values_list("slug", flat=True)]


class PlaceIndexPage(BrowsePage):
    template = "cms/place_index_page.html"

    class Meta:
        verbose_name = _("places index")

    @path("")
    def index(self, request):
        context = self.get_context(request)
        visible = Q(covered_places__records__locale=self.locale) & visible_q(
            request, prefix="covered_places__records__"
        )
        context["provinces"] = Place.objects.current_provinces().annotate(
            record_count=Count("covered_places__records", filter=visible, distinct=True)
        )
        return TemplateResponse(request, self.template, context)

    @path("<slug:slug>/", name="province")
    def province(self, request, slug):
        province = get_object_or_404(Place.objects.current_provinces(), slug=slug)
        records = RecordPage.objects.listed_for(request, self.locale_id).in_province(province).order_by("title")
        records = records.prefetch_related("places__parent")
        return self.render_term(request, "cms/place_page.html", province, records)


class RecordTypeIndexPage(BrowsePage):
    template = "cms/record_type_index_page.html"

    class Meta:
        verbose_name = _("record types index")

    def record_types(self, who):
        records = RecordPage.objects.listed_for(who, self.locale_id)
        # order_by(): the page tree's default ordering would otherwise join the GROUP BY (one row a page).
        counts = dict(records.order_by().values_list("content_type").annotate(n=Count("pk")))
        from django.contrib.contenttypes.models import ContentType

        result = []
        for model in RECORD_TYPES:
            content_type = ContentType.objects.get_for_model(model)
            result.append({"model": model, "slug": model.type_slug, "count": counts.get(content_type.pk, 0)})
        return result

    @path("")
    def index(self, request):
        context = self.get_context(request)
        context["record_types"] = self.record_types(request)
        return TemplateResponse(request, self.template, context)

    @path("<slug:slug>/", name="type")
    def record_type(self, request, slug):
        model = record_type_by_slug(slug)
        if model is None:
            raise Http404
        records = model.objects.listed_for(request, self.locale_id).order_by("title")
        return self.render_term(
            request, "cms/record_type_page.html", model, records, type_label=model.type_label_plural
        )


class FestivalCalendarPage(BrowsePage):
    """Festivals falling in a Gregorian month, computed from their lunar rules, and an .ics feed."""

    template = "cms/festival_calendar_page.html"

    class Meta:
        verbose_name = _("festival calendar")

    def festivals(self, who):
        return FestivalPage.objects.listed_for(who, self.locale_id).filter(
            lunar_month__isnull=False, lunar_day__isnull=False
        )

    @staticmethod
    def parse_year_month(request):
        today = timezone.localdate()
        try:
            year = int(request.GET.get("year", today.year))
            month = int(request.GET.get("month", today.month))
        except ValueError as exc:
            raise Http404 from exc
        if not (1901 <= year <= 2099 and 1 <= month <= 12):
            raise Http404
        return year, month

    RULE_FIELDS = ("lunar_month", "lunar_day", "lunar_leap_month", "duration_days")
    page_size = 50

    def occurrences(self, who, start: dt.date, end: dt.date):
        """(first day, title, last day, page id) of every occurrence overlapping [start, end], in order.

        Only the rule fields of the festivals are read, and each distinct rule is worked out
        once; pages are fetched afterwards for the occurrences actually shown.
        """
        found, spans = [], {}
        rows = self.festivals(who).order_by().values_list("pk", "title", *self.RULE_FIELDS)  # no tree-order scan
        for pk, title, *rule in rows:
            rule = tuple(rule)
            if rule not in spans:
                month, day, leap, days = rule
                spans[rule] = lunar.occurrences_between(month, day, leap, start, end, days)
            found.extend((first, title, last, pk) for first, last in spans[rule])
        found.sort()
        return found

    @staticmethod
    def with_pages(occurrences):
        """Turn occurrences into (first day, last day, festival page) for display."""
        pages = (
            FestivalPage.objects.filter(pk__in={pk for *_rest, pk in occurrences})
            .select_related("locale")
            .prefetch_related("ethnic_groups")
            .in_bulk()
        )
        return [(first, last, pages[pk]) for first, _title, last, pk in occurrences if pk in pages]

    upcoming_count = 6
    upcoming_days = 400  # every festival held once a year falls within this many days

    def upcoming(self, who, today: dt.date | None = None):
        """The next festivals from ``today``, whatever month they fall in: each festival once, soonest first."""
        today = today or timezone.localdate()
        found, seen = [], set()
        for occurrence in self.occurrences(who, today, today + dt.timedelta(days=self.upcoming_days)):
            _first, _title, last, pk = occurrence
            if last >= today and pk not in seen:
                seen.add(pk)
                found.append(occurrence)
            if len(found) == self.upcoming_count:
                break
        return self.with_pages(found)

    @path("")
    def index(self, request):
        year, month = self.parse_year_month(request)
        start = dt.date(year, month, 1)
        end = dt.date(year, month, pycalendar.monthrange(year, month)[1])
        context = self.get_context(request)
        previous = start - dt.timedelta(days=1)
        following = end + dt.timedelta(days=1)
        occurrences = Paginator(self.occurrences(request, start, end), self.page_size).get_page(request.GET.get("page"))
        events = self.with_pages(occurrences.object_list)
        context.update(
            {
                "year": year,
                "month": month,
                "month_start": start,
                "occurrences": occurrences,
                "events": events,
                # A month without festivals still shows where the next ones are.
                "upcoming": [] if events else self.upcoming(request),
                "previous": {"year": previous.year, "month": previous.month},
                "next": {"year": following.year, "month": following.month},
                "months": range(1, 13),
            }
        )
        return TemplateResponse(request, self.template, context)

    @path("ics/", name="ics")
    def ics(self, request):
        today = timezone.localdate()
        try:
            year = int(request.GET.get("year", today.year))
        except ValueError as exc:
            raise Http404 from exc
        if not 1901 <= year <= 2099:
            raise Http404
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 12, 31)
        events = self.with_pages(self.occurrences(request, start, end))
        body = calendar_feed.render(events, request, str(self.title))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="festivals-{year}.ics"'
        if request.user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    footer_text = RichTextField(_("footer text (Vietnamese)"), blank=True, features=["bold", "italic", "link"])
    footer_text_en = RichTextField(_("footer text (English)"), blank=True, features=["bold", "italic", "link"])
    contact_email = models.EmailField(_("contact email"), blank=True)

    panels = [FieldPanel("footer_text"), FieldPanel("footer_text_en"), FieldPanel("contact_email")]

    class Meta:
        verbose_name = _("site settings")
