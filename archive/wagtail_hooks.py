from django.utils.translation import gettext_lazy as _

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from archive.models import EthnicGroup, Language, Person, Place, Subject


class EthnicGroupViewSet(SnippetViewSet):
    model = EthnicGroup
    icon = "group"
    list_display = ["code", "name", "name_en", "language_group", "population_2019"]
    list_filter = ["language_family"]
    # No search_fields: the search backend reads the model's own, its other names among them.
    ordering = ["code"]


class PlaceViewSet(SnippetViewSet):
    model = Place
    icon = "site"
    list_display = ["name", "kind", "code", "valid_to", "current_province"]
    list_filter = ["kind", "sacred"]
    search_fields = ["name", "name_en"]


class LanguageViewSet(SnippetViewSet):
    model = Language
    icon = "globe"
    list_display = ["tag", "name", "name_en"]
    search_fields = ["tag", "name", "name_en"]


class SubjectViewSet(SnippetViewSet):
    model = Subject
    icon = "tag"
    list_display = ["name", "name_en"]
    search_fields = ["name", "name_en"]


class PersonViewSet(SnippetViewSet):
    model = Person
    icon = "user"
    list_display = ["name", "kind", "dates"]
    list_filter = ["kind"]
    search_fields = ["name", "other_names"]


class TaxonomyViewSetGroup(SnippetViewSetGroup):
    items = (EthnicGroupViewSet, PlaceViewSet, LanguageViewSet, SubjectViewSet, PersonViewSet)
    menu_icon = "list-ul"
    menu_label = _("Taxonomies")
    menu_name = "taxonomies"


register_snippet(TaxonomyViewSetGroup)
