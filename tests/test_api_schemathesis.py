"""schemathesis runs the open data API's OpenAPI document against a live server: every operation, with
generated parameters (valid and not), must never answer 500, and every answer must match the document
(status code, content type, headers and body schema)."""

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from archive.models import Language, Person
from library.models import BookPage, ItemCreator
from tests.conftest import build_collection, build_homes, build_library, create_places, create_record, create_tay

pytestmark = pytest.mark.django_db(transaction=True)

# Examples per operation: enough to try odd values of every parameter, and the whole run within a minute.
EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def live_api(live_server, settings):
    settings.API_RATE_LIMIT = ""  # generated requests are many; the limit has its own test (test_api.py)
    homes = build_homes()
    collection = build_collection(homes)
    tay = create_tay()
    _province, district = create_places()
    record = create_record(
        collection,
        title="Lễ hội Lồng tồng",
        translate=True,
        ethnic_groups=[tay],
        places=[district],
        date_start=dt.date(1995, 2, 1),
    )
    record.languages.add(Language.objects.create(tag="tay", name="Tiếng Tày", name_en="Tay"))
    book = BookPage(title="Sách về người Tày", slug="sach-tay", publisher="NXB Văn hóa")
    book.creators.add(ItemCreator(person=Person.named("Nguyễn Văn Huy"), role="aut"))
    build_library(homes).add_child(instance=book)
    book.save_revision().publish()
    return live_server.url


def test_every_answer_matches_the_document(live_api):
    # One test for every operation (schemathesis' lazy pytest loader does not run on this pytest): the live
    # server's database is set up once.
    schema = schemathesis.openapi.from_url(f"{live_api}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def conforms(case):
                case.call_and_validate(checks=CHECKS)

            try:
                conforms()
            except Unsatisfiable:
                # Nothing the document forbids for this operation (a path's free-text identifier): no negative case.
                assert mode == GenerationMode.NEGATIVE, operation.label
