"""The OAI-PMH harvester (``harvest``): a repository into library items, incrementally, resumably.

The repository is a tiny HTTP server on a random loopback port that answers like DSpace: with the responses
recorded from DSpace@MIT (``tests/data/oai/dspace-mit/``, see the README there), its records served in pages
with DSpace-style resumption tokens, and a DSpace-shaped Identify (constructed). It can drop a connection,
go down, or answer with something that is not OAI-PMH. The harvester's own client (oaipmh-scythe over httpx2)
talks to it over real HTTP; nothing is mocked.
"""

import copy
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from lxml import etree

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from wagtail.models import Revision

from harvest.client import HarvestError
from harvest.models import HarvestedRecord, HarvestRun, HarvestSource
from harvest.services import harvest
from library.models import BookPage, LibraryItemPage, ThesisPage
from tests.conftest import build_homes, build_library, create_user

DATA = Path(__file__).parent / "data" / "oai"
RECORDED = DATA / "dspace-mit" / "ListRecords-set-com_1721.1_140587.xml"
DELETED = DATA / "dspace-mit" / "ListRecords-from-2017-12-14-deleted.xml"
NO_RECORDS = DATA / "dspace-mit" / "ListRecords-noRecordsMatch.xml"
IDENTIFY = DATA / "constructed" / "Identify.xml"
MARC = DATA / "constructed" / "ListRecords-marc21.xml"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
SET = "com_1721.1_140587"
FAST = {"retries": 2, "backoff": 0.01, "timeout": 5}


def recorded_records(path=RECORDED) -> list:
    return etree.parse(str(path)).getroot().find(f"{OAI}ListRecords").findall(f"{OAI}record")


def identifier_of(record) -> str:
    return record.findtext(f"{OAI}header/{OAI}identifier")


def retitled(record, title: str):
    changed = copy.deepcopy(record)
    changed.find(f".//{DC}title").text = title
    changed.find(f"{OAI}header/{OAI}datestamp").text = "2024-06-04T08:00:00Z"
    return changed


def deleted(record):
    """The record as DSpace sends it once deleted: the header, status="deleted", and no metadata."""
    gone = copy.deepcopy(record)
    gone.find(f"{OAI}header").set("status", "deleted")
    gone.remove(gone.find(f"{OAI}metadata"))
    return gone


class Repository:
    """What the loopback server answers: ``records`` for a full ListRecords, ``changed`` when ``from`` is
    asked, in pages of ``page_size`` with DSpace-style tokens; ``drop`` connections cut mid-answer,
    ``down`` (every request cut) or ``answer`` (bytes and status for every request)."""

    def __init__(self):
        self.records: list = recorded_records()
        self.changed: list | None = None
        self.page_size = 100
        self.requests: list[dict] = []
        self.drop = 0
        self.down = False
        self.answer: tuple[int, str, bytes] | None = None
        self.template = etree.parse(str(RECORDED)).getroot()

    def respond(self, query: dict) -> tuple[int, str, bytes]:
        if self.answer is not None:
            return self.answer
        if query.get("verb") == "Identify":
            return 200, "text/xml;charset=UTF-8", IDENTIFY.read_bytes()
        if query.get("verb") != "ListRecords":
            return (
                200,
                "text/xml",
                b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="badVerb"/></OAI-PMH>',
            )
        token = query.get("resumptionToken", "")
        if token:
            prefix, from_date, until, set_spec, offset = token.split("/")
        else:
            prefix, from_date, set_spec, offset = (
                query.get("metadataPrefix"),
                query.get("from", ""),
                query.get("set", ""),
                "0",
            )
        if prefix == "marc21":
            return 200, "text/xml", MARC.read_bytes()
        listed = self.changed if from_date and self.changed is not None else self.records
        if not listed:
            return 200, "text/xml;charset=UTF-8", NO_RECORDS.read_bytes()
        start = int(offset)
        page = listed[start : start + self.page_size]
        document = copy.deepcopy(self.template)
        listing = document.find(f"{OAI}ListRecords")
        for record in listing.findall(f"{OAI}record"):
            listing.remove(record)
        for record in page:
            listing.append(copy.deepcopy(record))
        if len(listed) > self.page_size:
            element = etree.SubElement(listing, f"{OAI}resumptionToken")
            element.set("completeListSize", str(len(listed)))
            element.set("cursor", str(start // self.page_size))
            if start + self.page_size < len(listed):
                element.text = f"{prefix}/{from_date}//{set_spec}/{start + self.page_size}"
        body = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
        return 200, "text/xml;charset=UTF-8", body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 - the http.server name
        repository: Repository = self.server.repository
        query = dict(parse_qsl(urlsplit(self.path).query))
        repository.requests.append(query)
        if repository.down or repository.drop > 0:
            repository.drop = max(0, repository.drop - 1)
            # Headers promising a body, a few bytes of it, then the connection closes: a dropped connection.
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5000\r\n\r\n<?xml")
            self.wfile.flush()
            self.close_connection = True
            return
        status, content_type, body = repository.respond(query)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def repository():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.repository = Repository()
    server.repository.url = f"http://127.0.0.1:{server.server_address[1]}/oai/request"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.repository
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the run's messages are written in the active language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def library(db):
    return build_library(build_homes())


def run(repository, **options):
    return harvest(repository.url, client_options=FAST, **options)


def items_by_identifier(source) -> dict[str, LibraryItemPage]:
    return {
        record.oai_identifier: record.page.specific
        for record in HarvestedRecord.objects.filter(source=source).select_related("page")
        if record.page_id
    }


def list_requests(repository) -> list[dict]:
    return [query for query in repository.requests if query.get("verb") == "ListRecords"]


# --- a first harvest, and the next ---------------------------------------------------------------


def test_first_harvest_follows_resumption_tokens_and_creates_published_items(library, repository):
    repository.records = recorded_records()[:12]  # of the 58 recorded, to keep the test quick
    repository.page_size = 5
    result = run(repository, set_spec=SET)

    assert result.state == HarvestRun.State.COMPLETED, result.error
    assert (result.seen, result.created, result.pages, result.complete_list_size) == (12, 12, 3, 12)
    listings = list_requests(repository)
    assert listings[0] == {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": SET}
    assert [query.get("resumptionToken") for query in listings[1:]] == [f"oai_dc///{SET}/5", f"oai_dc///{SET}/10"]
    assert all(set(query) == {"verb", "resumptionToken"} for query in listings[1:])

    items = items_by_identifier(result.source)
    assert len(items) == 12
    doubles = items["oai:dspace.mit.edu:1721.1/140717"]
    assert isinstance(doubles, BookPage)  # no dc:type: the most generic item type
    assert doubles.live and doubles.get_parent().pk == library.pk
    assert doubles.title == "Doubles"
    assert [creator.person.name for creator in doubles.creators.all()] == ["Brody, Martin"]
    assert doubles.date_precision == "month" and doubles.date_start.isoformat() == "1984-10-01"
    record = HarvestedRecord.objects.get(oai_identifier="oai:dspace.mit.edu:1721.1/140717")
    assert record.url == "https://hdl.handle.net/1721.1/140717"
    assert record.datestamp == "2022-02-24T20:08:43Z" and not record.deleted
    source = HarvestSource.objects.get(pk=result.source.pk)
    assert source.repository_name == "DSpace@MIT" and source.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert source.harvested_until.isoformat() == "2024-06-03T19:51:05+00:00"  # the repository's clock

    # Harvested again in full: the same items, found by their OAI identifiers, nothing new.
    again = run(repository, set_spec=SET, full=True)
    assert (again.seen, again.created, again.updated, again.unchanged) == (12, 0, 0, 12)
    assert LibraryItemPage.objects.filter(locale__language_code="vi").count() == 12
    assert HarvestedRecord.objects.count() == 12


def test_second_run_asks_from_the_last_one_and_updates_unpublishes_and_restores(library, repository):
    first, second, third = recorded_records()[:3]
    repository.records = [first, second, third]
    source = run(repository).source
    items = items_by_identifier(source)
    revisions = Revision.page_revisions.filter(object_id=str(items[identifier_of(first)].pk)).count()

    repository.changed = [retitled(first, "Doubles (remastered)"), deleted(second)]
    result = run(repository)

    assert result.state == HarvestRun.State.COMPLETED, result.error
    # Only what changed since the last complete run began (the repository's time, less one second).
    assert list_requests(repository)[-1] == {
        "verb": "ListRecords",
        "metadataPrefix": "oai_dc",
        "from": "2024-06-03T19:51:04Z",
    }
    assert (result.seen, result.updated, result.deleted, result.created) == (2, 1, 1, 0)
    changed = LibraryItemPage.objects.get(pk=items[identifier_of(first)].pk)
    assert changed.title == "Doubles (remastered)" and changed.live and not changed.has_unpublished_changes
    assert Revision.page_revisions.filter(object_id=str(changed.pk)).count() == revisions + 1
    gone = LibraryItemPage.objects.get(pk=items[identifier_of(second)].pk)
    assert not gone.live  # unpublished, not deleted
    assert HarvestedRecord.objects.get(oai_identifier=identifier_of(second)).deleted
    assert Client().get(gone.url).status_code == 404

    # The source restores it: published again, the same item.
    repository.changed = [second]
    restored = run(repository)
    assert (restored.updated, restored.created) == (1, 0)
    back = LibraryItemPage.objects.get(pk=gone.pk)
    assert back.live
    assert not HarvestedRecord.objects.get(oai_identifier=identifier_of(second)).deleted
    assert LibraryItemPage.objects.filter(locale__language_code="vi").count() == 3


def test_a_record_in_two_harvested_sets_is_one_item(library, repository):
    repository.records = recorded_records()[:2]
    run(repository, set_spec=SET)
    other_set = run(repository, set_spec="col_1721.1_140682")
    assert (other_set.seen, other_set.created, other_set.unchanged) == (2, 0, 2)
    assert LibraryItemPage.objects.filter(locale__language_code="vi").count() == 2
    assert HarvestedRecord.objects.count() == 4
    assert len({record.page_id for record in HarvestedRecord.objects.all()}) == 2


def test_a_deleted_record_never_harvested_is_remembered_and_nothing_else_changes(library, repository):
    repository.records = recorded_records(DELETED)  # recorded as DSpace@MIT sent it
    result = run(repository)
    assert (result.state, result.seen, result.deleted, result.created) == (HarvestRun.State.COMPLETED, 1, 1, 0)
    record = HarvestedRecord.objects.get()
    assert record.oai_identifier == "oai:dspace.mit.edu:1721.1/112746" and record.deleted and record.page is None
    assert not LibraryItemPage.objects.exists()


def test_dc_type_chooses_the_item_type(library, repository):
    thesis = copy.deepcopy(recorded_records()[0])
    etree.SubElement(thesis.find(f".//{DC}title").getparent(), f"{DC}type").text = "Thesis"
    repository.records = [thesis]
    run(repository)
    assert isinstance(HarvestedRecord.objects.get().page.specific, ThesisPage)


# --- dropped connections, a run that dies ----------------------------------------------------------


def test_a_dropped_connection_is_retried(library, repository):
    repository.records = recorded_records()[:4]
    repository.page_size = 2
    repository.drop = 0
    calls = []

    def drop_before_the_second_page(result):
        if result.pages == 1:
            repository.drop = 1  # the next request is cut mid-answer once
            calls.append(result.resumption_token)

    result = harvest(repository.url, client_options=FAST, progress=drop_before_the_second_page)

    assert result.state == HarvestRun.State.COMPLETED, result.error
    assert result.created == 4
    tokens = [query.get("resumptionToken") for query in list_requests(repository)]
    assert tokens == [None, calls[0], calls[0]]  # the cut request, then the same one again


def test_a_repository_gone_for_longer_than_the_retries_fails_clearly_and_resumes_from_the_token(library, repository):
    repository.records = recorded_records()[:6]
    repository.page_size = 2

    def go_down_after_the_first_page(result):
        if result.pages == 1:
            repository.down = True

    failed = harvest(repository.url, client_options=FAST, progress=go_down_after_the_first_page)

    assert failed.state == HarvestRun.State.FAILED
    assert "Could not reach" in failed.error and "tried 3 times" in failed.error
    assert failed.resumption_token == "oai_dc////2" and failed.created == 2
    # The first page is in, whole; nothing of the second.
    assert LibraryItemPage.objects.filter(locale__language_code="vi").count() == 2

    repository.down = False
    repository.requests.clear()
    resumed = run(repository)

    assert resumed.pk == failed.pk and resumed.state == HarvestRun.State.COMPLETED, resumed.error
    assert list_requests(repository)[0] == {"verb": "ListRecords", "resumptionToken": "oai_dc////2"}
    assert (resumed.seen, resumed.created) == (6, 6)
    assert (
        HarvestedRecord.objects.count() == 6 and LibraryItemPage.objects.filter(locale__language_code="vi").count() == 6
    )


def test_a_run_whose_worker_died_goes_on_from_its_saved_token(library, repository):
    repository.records = recorded_records()[:6]
    repository.page_size = 2

    class WorkerKilled(BaseException):
        pass

    def die_after_the_second_page(result):
        if result.pages == 2:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        harvest(repository.url, client_options=FAST, progress=die_after_the_second_page)
    dead = HarvestRun.objects.get()
    assert dead.state == HarvestRun.State.RUNNING and dead.resumption_token == "oai_dc////4"

    # While it might still be running, another harvest is refused; once it shows no progress, it is resumed.
    with pytest.raises(HarvestError, match="already running"):
        run(repository)
    HarvestRun.objects.filter(pk=dead.pk).update(updated_at=timezone.now() - HarvestRun.STALE_AFTER * 2)
    repository.requests.clear()
    resumed = run(repository)

    assert resumed.pk == dead.pk and resumed.state == HarvestRun.State.COMPLETED, resumed.error
    assert list_requests(repository) == [{"verb": "ListRecords", "resumptionToken": "oai_dc////4"}]
    assert (resumed.seen, resumed.created) == (6, 6)
    assert len(items_by_identifier(resumed.source)) == 6


def test_an_expired_token_starts_the_list_again_without_duplicates(library, repository):
    repository.records = recorded_records()[:4]
    repository.page_size = 2
    source = HarvestSource.objects.create(name="MIT", base_url=repository.url)
    HarvestRun.objects.create(
        source=source, metadata_prefix="oai_dc", state=HarvestRun.State.FAILED, resumption_token="expired"
    )
    real = Repository.respond

    def refuse_unknown_tokens(self, query):
        if query.get("resumptionToken") == "expired":
            return (
                200,
                "text/xml",
                (
                    b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-06-03T19:51:05Z'
                    b'</responseDate><error code="badResumptionToken">The token is invalid</error></OAI-PMH>'
                ),
            )
        return real(self, query)

    repository.respond = refuse_unknown_tokens.__get__(repository)
    result = harvest(source, client_options=FAST)
    assert result.state == HarvestRun.State.COMPLETED, result.error
    assert result.created == 4 and HarvestedRecord.objects.count() == 4


# --- provenance -------------------------------------------------------------------------------------


def test_a_harvested_item_names_its_source_and_links_to_the_original(library, repository):
    repository.records = recorded_records()[:1]
    source = HarvestSource.objects.create(name="DSpace@MIT", base_url=repository.url, library=library)
    harvest(source, client_options=FAST)
    page = HarvestedRecord.objects.get().page.specific

    html = Client().get(page.url).content.decode()

    assert "DSpace@MIT" in html
    assert 'href="https://hdl.handle.net/1721.1/140717"' in html
    assert 'class="notice provenance"' in html


def test_records_not_harvested_show_no_provenance(library, repository):
    item = library.add_child(instance=BookPage(title="Sách của thư viện", slug="sach"))
    item.save_revision().publish()
    assert "provenance" not in Client().get(item.url).content.decode()


# --- bad input -------------------------------------------------------------------------------------


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/oai/request"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ((404, "text/html", b"<html><body>Not found</body></html>"), "answered HTTP 404 Not Found"),
        ((200, "text/html", b"<!DOCTYPE html><html><body><p>Welcome<br></body></html>"), "did not answer with OAI"),
        ((200, "application/xml", b"<rss><channel/></rss>"), "not OAI-PMH (its root element is <rss>)"),
        (
            (200, "text/xml", IDENTIFY.read_bytes().replace(b"</repositoryName>", b"</repository>")),
            "not well-formed XML",
        ),
        (
            (
                200,
                "text/xml",
                b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="badArgument">'
                b"Illegal argument</error></OAI-PMH>",
            ),
            "OAI-PMH error “badArgument”: Illegal argument",
        ),
        ((503, "text/plain", b"down for maintenance"), "HTTP 503"),
    ],
)
def test_a_bad_answer_fails_the_run_with_a_clear_message_and_writes_nothing(library, repository, answer, message):
    repository.answer = answer
    result = run(repository)
    assert result.state == HarvestRun.State.FAILED
    assert message in result.error
    assert not LibraryItemPage.objects.exists() and not HarvestedRecord.objects.exists()


def test_an_unreachable_repository_fails_clearly(library):
    result = harvest(closed_port_url(), client_options=FAST)
    assert result.state == HarvestRun.State.FAILED
    assert result.error.startswith("Could not reach http://127.0.0.1:")


def test_malformed_xml_on_a_later_page_keeps_the_pages_before_whole(library, repository):
    repository.records = recorded_records()[:4]
    repository.page_size = 2

    def break_the_next_page(result):
        repository.answer = (
            200,
            "text/xml",
            b'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record>',
        )

    result = harvest(repository.url, client_options=FAST, progress=break_the_next_page)
    assert result.state == HarvestRun.State.FAILED and "not well-formed XML" in result.error
    assert result.created == 2 and LibraryItemPage.objects.filter(locale__language_code="vi").count() == 2
    assert result.resumption_token == "oai_dc////2"


def test_no_records_match_is_an_empty_harvest_not_a_failure(library, repository):
    repository.records = []  # answered with DSpace@MIT's recorded noRecordsMatch
    result = run(repository)
    assert (result.state, result.seen, result.error) == (HarvestRun.State.COMPLETED, 0, "")
    assert result.source.harvested_until is not None


def test_a_record_without_a_title_or_metadata_is_rejected_and_the_others_go_in(library, repository):
    untitled = copy.deepcopy(recorded_records()[1])
    title = untitled.find(f".//{DC}title")
    title.getparent().remove(title)
    empty = copy.deepcopy(recorded_records()[3])
    metadata = empty.find(f"{OAI}metadata")
    metadata.remove(metadata[0])
    repository.records = [recorded_records()[0], untitled, recorded_records()[2], empty]

    result = run(repository)

    assert result.state == HarvestRun.State.COMPLETED
    assert (result.seen, result.created, result.failed) == (4, 2, 2)
    assert result.record_errors == [
        {
            "identifier": identifier_of(untitled),
            "reason": "no title: dc:title is missing or empty; every item needs its title.",
        },
        {"identifier": identifier_of(empty), "reason": "the record has no metadata."},
    ]
    assert not HarvestedRecord.objects.filter(oai_identifier=identifier_of(untitled)).exists()


def test_what_is_not_a_source_or_an_address_is_refused(library):
    with pytest.raises(HarvestError, match="neither a harvest source's name nor an http"):
        harvest("ftp://example.org/oai")
    with pytest.raises(HarvestError, match="not an OAI-PMH date"):
        harvest("https://example.org/oai", from_date="yesterday")
    assert not HarvestRun.objects.exists()


# --- MARC 21 ------------------------------------------------------------------------------------------


def test_marc21_records_go_through_the_librarys_marc_mapping(library, repository):
    result = run(repository, metadata_prefix="marc21")
    assert result.state == HarvestRun.State.COMPLETED, result.error
    assert result.created == 1, result.record_errors
    record = HarvestedRecord.objects.get()
    item = record.page.specific
    assert item.title == "Văn hóa các dân tộc thiểu số Việt Nam"
    assert item.publisher == "Nxb. Văn hóa dân tộc" and item.date_start.year == 2019
    assert record.url == "https://library.example.org/cgi-bin/koha/opac-detail.pl?biblionumber=1201"


# --- the command and the admin -----------------------------------------------------------------------


def test_the_command_harvests_a_url_and_reports(library, repository, capsys):
    repository.records = recorded_records()[:2]
    call_command("oai_harvest", repository.url, "--set", SET, "--from", "2022-01-01")
    out = capsys.readouterr().out
    assert "2 seen, 2 created" in out and "from 2022-01-01T00:00:00Z" not in out
    assert list_requests(repository)[0]["from"] == "2022-01-01"
    assert list_requests(repository)[0]["set"] == SET

    repository.answer = (200, "text/html", b"<html>no</html>")
    with pytest.raises(CommandError, match="The harvest failed: .*not OAI-PMH"):
        call_command("oai_harvest", repository.url, "--set", SET)
    with pytest.raises(CommandError, match="neither a harvest source"):
        call_command("oai_harvest", "no such source")


def test_harvest_now_in_the_admin_queues_a_run_whose_progress_shows(library, repository, committed):
    repository.records = recorded_records()[:2]
    source = HarvestSource.objects.create(name="DSpace@MIT", base_url=repository.url)
    admin = create_user("admin", is_superuser=True, is_staff=True)
    browser = Client()
    browser.force_login(admin)

    listing = browser.get(reverse("harvest_sources:index"))
    assert listing.status_code == 200 and "DSpace@MIT" in listing.content.decode()
    assert browser.get(reverse("harvest_sources:add")).status_code == 200
    assert browser.get(reverse("harvest_sources:edit", args=[source.pk])).status_code == 200
    assert browser.post(reverse("harvest_sources:harvest", args=[source.pk + 100])).status_code == 404

    response = committed(browser.post, reverse("harvest_sources:harvest", args=[source.pk]))
    assert response.status_code == 302
    done = HarvestRun.objects.get()
    assert done.state == HarvestRun.State.COMPLETED and done.created == 2

    inspect = reverse("harvest_runs:inspect", args=[done.pk])
    runs = browser.get(reverse("harvest_runs:index")).content.decode()
    assert "DSpace@MIT" in runs and inspect in runs
    assert browser.get(inspect).status_code == 200
    assert browser.get(reverse("harvest_runs:edit", args=[done.pk])).status_code in (302, 403)
    assert inspect in browser.get(reverse("harvest_sources:index")).content.decode()  # the last run, linked

    editor = create_user("reader", is_staff=True)
    browser.force_login(editor)
    refused = browser.post(reverse("harvest_sources:harvest", args=[source.pk]))
    assert refused.status_code in (302, 403) and HarvestRun.objects.count() == 1


def test_harvest_all_queues_every_enabled_source(library, repository, committed, capsys):
    repository.records = []  # nothing to harvest: the run completes empty
    HarvestSource.objects.create(name="on", base_url=repository.url)
    HarvestSource.objects.create(name="off", base_url=repository.url, set_spec="x", enabled=False)
    committed(call_command, "oai_harvest", "--all")
    assert "Queued 1 harvest(s): on." in capsys.readouterr().out
    assert [(run.source.name, run.state) for run in HarvestRun.objects.all()] == [("on", HarvestRun.State.COMPLETED)]


# --- our own provider, harvested over HTTP --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_our_own_provider_is_harvested_and_its_harvested_copies_are_not_served_again(live_server, settings):
    """The harvester against the provider at /oai (``oai``) on a live server: every public record becomes an
    item through the provider's resumption tokens, the staff-only one never; the copies, being another
    repository's records, are not exposed again (two repositories harvesting each other would copy copies
    without end), so a second, incremental run finds nothing new."""
    from archive.models import FestivalPage
    from tests.conftest import build_collection, create_record

    settings.OAI_REPOSITORY_IDENTIFIER = "dtts.example.vn"
    settings.OAI_PAGE_SIZE = 2
    homes = build_homes()
    collection, library = build_collection(homes), build_library(homes)
    made = [create_record(collection, FestivalPage, title=f"Lễ hội số {n}") for n in range(3)]
    made.append(create_record(library, BookPage, title="Sách về khèn Mông"))
    create_record(collection, FestivalPage, title="Bản ghi nội bộ", access_level="staff")
    expected = {f"oai:dtts.example.vn:{page.identifier}": page.title for page in made}

    first = harvest(f"{live_server.url}/oai", client_options=FAST)
    assert first.state == HarvestRun.State.COMPLETED, first.error
    assert first.created == len(made)
    copies = items_by_identifier(first.source)
    assert {identifier: item.title for identifier, item in copies.items()} == expected
    assert all(item.live for item in copies.values())

    from oaipmh_scythe import Scythe

    with Scythe(f"{live_server.url}/oai") as scythe:
        served = {header.identifier for header in scythe.list_identifiers(metadata_prefix="oai_dc")}
    assert served == set(expected)  # the originals only

    second = harvest(first.source, client_options=FAST)
    assert second.state == HarvestRun.State.COMPLETED, second.error
    assert second.created == 0
    assert HarvestedRecord.objects.filter(page__isnull=False).count() == len(made)
