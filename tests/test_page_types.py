"""Where each page type may be created."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from archive.models import (
    CollectionPage,
    CraftPage,
    CustomPage,
    DocumentPage,
    FestivalPage,
    PerformingArtPage,
    RecordPage,
)
from cms.models import (
    EthnicGroupIndexPage,
    FestivalCalendarPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    PlaceIndexPage,
    RecordTypeIndexPage,
    StandardPage,
)
from library.models import LibraryPage

RECORD_TYPES = {FestivalPage, CustomPage, PerformingArtPage, CraftPage, DocumentPage}
BROWSE = {EthnicGroupIndexPage, PlaceIndexPage, RecordTypeIndexPage, FestivalCalendarPage}


class PageTypeRules(WagtailPageTestCase):
    def test_home_sits_at_the_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_home_holds_collections_the_library_and_site_pages(self):
        self.assertAllowedSubpageTypes(HomePage, {CollectionPage, LibraryPage, StandardPage, NewsIndexPage} | BROWSE)

    def test_records_live_only_in_collections(self):
        for model in RECORD_TYPES:
            self.assertAllowedParentPageTypes(model, {CollectionPage})
            self.assertAllowedSubpageTypes(model, set())
            self.assertCanNotCreateAt(HomePage, model)
            self.assertCanNotCreateAt(StandardPage, model)

    def test_collections_hold_records_and_subcollections(self):
        self.assertAllowedSubpageTypes(CollectionPage, RECORD_TYPES | {CollectionPage})
        self.assertCanCreateAt(HomePage, CollectionPage)
        self.assertCanCreateAt(CollectionPage, CollectionPage)

    def test_the_shared_base_cannot_be_created(self):
        self.assertFalse(RecordPage.is_creatable)
        self.assertCanNotCreateAt(CollectionPage, RecordPage)

    def test_news_and_standard_pages(self):
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsPage})
        self.assertAllowedParentPageTypes(NewsPage, {NewsIndexPage})
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})

    def test_browse_pages_sit_under_home_only(self):
        for model in BROWSE:
            self.assertAllowedParentPageTypes(model, {HomePage})
            self.assertAllowedSubpageTypes(model, set())
