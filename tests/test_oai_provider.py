"""The OAI-PMH 2.0 provider at /oai: the six verbs over GET and POST, ``oai_dc`` and ``marc21``, sets,
``from``/``until``, resumption tokens that need no server state, persistent deleted records, every
protocol error — each response valid against the official schemas (../shared/schemas/oai-pmh) — and a
harvest by a third-party client (oaipmh-scythe) from a live server.
"""

import datetime as dt
import io
import itertools

import pytest
from lxml import etree
from oaipmh_scythe import Scythe

from django.core import signing
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from wagtail.models import Page, PageViewRestriction, Revision

from archive.models import CraftPage, FestivalPage
from library.models import BookPage, LibraryPage, PeriodicalIssuePage, PeriodicalPage
from oai import services
from oai.models import OaiRecord
from tests.conftest import build_collection, build_homes, build_library, create_record, create_tay
from tests.shared_schemas import schemas_dir

SCHEMAS = schemas_dir() / "oai-pmh"
OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {
    "o": OAI,
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "marc": "http://www.loc.gov/MARC21/slim",
    "id": "http://www.openarchives.org/OAI/2.0/oai-identifier",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
REPOSITORY = "dtts.example.vn"


# --- validating against the official schemas, offline -----------------------------------------


class LocalSchemas(etree.Resolver):
    """Schemas imported by web address (simpledc imports xml.xsd so) come from the local copies."""

    def resolve(self, url, pubid, context):
        local = SCHEMAS / url.rsplit("/", 1)[-1]
        return self.resolve_filename(str(local), context) if local.exists() else None


def _schema(*imports: tuple[str, str]) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalSchemas())
    lines = "".join(f'<xs:import namespace="{ns}" schemaLocation="{SCHEMAS / name}"/>' for ns, name in imports)
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{lines}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser, base_url=f"{SCHEMAS}/"))


# The envelope's <metadata> and <description> hold ##other elements processed strictly: the envelope is
# validated with every format's schema loaded beside it, and each payload again with its own schema alone.
ENVELOPE = _schema(
    (OAI, "OAI-PMH.xsd"),
    (NS["oai_dc"], "oai_dc.xsd"),
    (NS["marc"], "MARC21slim.xsd"),
    (NS["id"], "oai-identifier.xsd"),
)
PAYLOADS = {
    NS["oai_dc"]: _schema((NS["oai_dc"], "oai_dc.xsd")),
    NS["marc"]: _schema((NS["marc"], "MARC21slim.xsd")),
    NS["id"]: _schema((NS["id"], "oai-identifier.xsd")),
}


def validated(content: bytes) -> etree._Element:
    document = etree.fromstring(content)
    ENVELOPE.assertValid(document)
    for holder in document.xpath("//o:metadata | //o:description | //o:setDescription", namespaces=NS):
        for payload in holder:
            PAYLOADS[etree.QName(payload).namespace].assertValid(
                etree.ElementTree(etree.fromstring(etree.tostring(payload)))
            )
    return document


def oai(client=None, method="get", **arguments) -> etree._Element:
    browser = client or Client()
    response = getattr(browser, method)("/oai", arguments)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return validated(response.content)


def error_code(document) -> str | None:
    codes = document.xpath("o:error/@code", namespaces=NS)
    return codes[0] if codes else None


def identifiers(document) -> list[str]:
    return document.xpath("//o:header/o:identifier/text()", namespaces=NS)


def token_of(document):
    found = document.xpath("//o:resumptionToken", namespaces=NS)
    return found[0] if found else None


def harvest_all(verb="ListRecords", client=None, **arguments) -> list[etree._Element]:
    """Every page of a list, following the resumption tokens."""
    pages = [oai(client, verb=verb, **arguments)]
    while (token := token_of(pages[-1])) is not None and token.text:
        pages.append(oai(client, verb=verb, resumptionToken=token.text))
    return pages


def oai_id(page) -> str:
    return f"oai:{REPOSITORY}:{page.identifier}"


def header_of(document, page):
    return document.xpath(f"//o:header[o:identifier='{oai_id(page)}']", namespaces=NS)[0]


# --- the repository ----------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Datestamps from a clock that moves a minute at each reading (they are to the second)."""
    ticks = itertools.count()
    start = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(services, "now", lambda: start + dt.timedelta(minutes=next(ticks)))
    return start


@pytest.fixture
def repo(homes, collection, committed, settings, clock):
    settings.OAI_REPOSITORY_IDENTIFIER = REPOSITORY
    settings.OAI_PAGE_SIZE = 2

    def build():
        tay = create_tay()
        festival = create_record(
            collection, FestivalPage, title="Lễ hội Lồng Tồng", translate="Long Tong festival", ethnic_groups=[tay]
        )
        craft = create_record(collection, CraftPage, title="Dệt thổ cẩm", summary="Nghề dệt")
        staff = create_record(collection, FestivalPage, title="Lễ cấp sắc zqsecret", access_level="staff")
        book = create_record(build_library(homes), BookPage, title="Sách về người Tày", publisher="NXB Văn hóa")
        return {"festival": festival, "craft": craft, "staff": staff, "book": book, "collection": collection}

    return committed(build)


PUBLIC = ("festival", "craft", "book")


def test_identify_describes_the_repository(repo):
    for method in ("get", "post"):
        document = oai(method=method, verb="Identify")
        identify = document.find("o:Identify", NS)
        assert identify.findtext("o:baseURL", namespaces=NS) == "http://testserver/oai"
        assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
        assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
        assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
        assert identify.findtext("o:earliestDatestamp", namespaces=NS).endswith("Z")
        assert identify.findtext("o:adminEmail", namespaces=NS)
        assert document.xpath("//id:repositoryIdentifier/text()", namespaces=NS) == [REPOSITORY]
        assert document.find("o:request", NS).get("verb") == "Identify"


def test_both_metadata_formats_for_the_repository_and_for_a_record(repo):
    for arguments in ({}, {"identifier": oai_id(repo["festival"])}):
        document = oai(verb="ListMetadataFormats", **arguments)
        assert document.xpath("//o:metadataPrefix/text()", namespaces=NS) == ["oai_dc", "marc21"]
    assert error_code(oai(verb="ListMetadataFormats", identifier=oai_id(repo["staff"]))) == "idDoesNotExist"


def test_sets_name_collections_types_and_ethnic_groups(repo):
    document = oai(verb="ListSets")
    specs = document.xpath("//o:setSpec/text()", namespaces=NS)
    for spec in ("collection", "collection:le-hoi", "type", "type:festival", "type:craft", "type:book", "group:tay"):
        assert spec in specs
    festival = document.xpath("//o:set[o:setSpec='collection:le-hoi']", namespaces=NS)[0]
    assert festival.findtext("o:setName", namespaces=NS) == "Lễ hội"
    titles = {t.get(XML_LANG): t.text for t in festival.xpath(".//dc:title", namespaces=NS)}
    assert titles == {"vi": "Lễ hội", "en": "Festivals"}


def test_list_records_gives_every_public_record_once_with_both_languages(repo):
    pages = harvest_all(metadataPrefix="oai_dc")
    assert len(pages) == 2
    found = [identifier for page in pages for identifier in identifiers(page)]
    assert sorted(found) == sorted(oai_id(repo[name]) for name in PUBLIC)
    everything = b"".join(etree.tostring(page) for page in pages).decode()
    assert "zqsecret" not in everything
    festival = pages[0].xpath(f"//o:record[o:header/o:identifier='{oai_id(repo['festival'])}']", namespaces=NS)
    festival = festival or pages[1].xpath(
        f"//o:record[o:header/o:identifier='{oai_id(repo['festival'])}']", namespaces=NS
    )
    titles = {(t.text, t.get(XML_LANG)) for t in festival[0].xpath(".//dc:title", namespaces=NS)}
    assert ("Lễ hội Lồng Tồng", "vi") in titles and ("Long Tong festival", "en") in titles
    assert "Event" in festival[0].xpath(".//dc:type/text()", namespaces=NS)
    assert "Tày" in festival[0].xpath(".//dc:subject/text()", namespaces=NS)
    assert festival[0].xpath(".//o:setSpec/text()", namespaces=NS) == [
        "collection",
        "collection:le-hoi",
        "group",
        "group:tay",
        "type",
        "type:festival",
    ]


def test_marc21_records_validate_and_carry_the_catalogue_record(repo):
    book = repo["book"]
    document = oai(verb="GetRecord", identifier=oai_id(book), metadataPrefix="marc21")
    record = document.find(".//marc:record", NS)
    assert record.xpath("marc:controlfield[@tag='001']/text()", namespaces=NS) == [book.identifier]
    assert record.xpath("marc:datafield[@tag='245']/marc:subfield[@code='a']/text()", namespaces=NS) == [book.title]
    assert record.xpath("marc:datafield[@tag='264']/marc:subfield[@code='b']/text()", namespaces=NS) == ["NXB Văn hóa"]
    festival = oai(verb="GetRecord", identifier=oai_id(repo["festival"]), metadataPrefix="marc21")
    parallel = festival.xpath("//marc:datafield[@tag='246']/marc:subfield[@code='a']/text()", namespaces=NS)
    assert parallel == ["Long Tong festival"]
    pages = harvest_all(metadataPrefix="marc21")
    assert len([r for page in pages for r in page.findall(".//marc:record", NS)]) == len(PUBLIC)


def test_get_and_post_give_the_same_answer(repo):
    arguments = {"verb": "GetRecord", "identifier": oai_id(repo["craft"]), "metadataPrefix": "oai_dc"}
    by_get, by_post = oai(**arguments), oai(method="post", **arguments)
    strip = "o:responseDate"
    for document in (by_get, by_post):
        document.remove(document.find(strip, NS))
    assert etree.tostring(by_get) == etree.tostring(by_post)


def test_resumption_tokens_need_no_server_state_and_count_the_list(repo):
    first = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = token_of(first)
    assert token.get("completeListSize") == "3" and token.get("cursor") == "0"
    assert dt.datetime.strptime(token.get("expirationDate"), "%Y-%m-%dT%H:%M:%SZ")
    cache.clear()  # nothing the first answer left behind is needed: a restarted server reads the token alone
    last = oai(Client(), verb="ListIdentifiers", resumptionToken=token.text)
    end = token_of(last)
    assert end.text is None and end.get("completeListSize") == "3" and end.get("cursor") == "2"
    assert len(identifiers(first)) == 2 and len(identifiers(last)) == 1
    # A token from a ListIdentifiers does not continue a ListRecords.
    assert error_code(oai(verb="ListRecords", resumptionToken=token.text)) == "badResumptionToken"


def test_a_tampered_or_expired_token_is_refused(repo, monkeypatch):
    token = token_of(oai(verb="ListRecords", metadataPrefix="oai_dc")).text
    payload, _sep, signature = token.rpartition(":")
    forged = signing.dumps({"v": "ListRecords", "p": "oai_dc", "s": "", "f": "", "u": "", "d": "x", "i": 0, "c": 0})
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), f"{payload}x:{signature}", forged, "abc"):
        assert error_code(oai(verb="ListRecords", resumptionToken=bad)) == "badResumptionToken"
    later = signing.time.time() + 2 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert error_code(oai(verb="ListRecords", resumptionToken=token)) == "badResumptionToken"


ERRORS = [
    ({}, "badVerb"),
    ({"verb": "ListThings"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "Identify", "set": "type"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "marc21"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-13-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-03-01T08:00Z"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-03-02", "until": "2026-03-01"}, "badArgument"),
    (
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-03-01", "until": "2026-03-02T00:00:00Z"},
        "badArgument",
    ),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "bad set"}, "badArgument"),
    ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
    ({"verb": "ListIdentifiers", "resumptionToken": "x"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "metadataPrefix": "mods", "identifier": "festival"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:elsewhere.org:dtts-0001"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"oai:{REPOSITORY}:dtts-9999"}, "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": "urn:nothing"}, "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": "not a uri"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "group:nobody"}, "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2030-01-01"}, "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "2000-01-01T00:00:00Z"}, "noRecordsMatch"),
]


def test_every_protocol_error_is_an_oai_error_in_a_valid_document(repo):
    for arguments, code in ERRORS:
        if arguments.get("identifier") == "festival":
            arguments = {**arguments, "identifier": oai_id(repo["festival"])}
        for method in ("get", "post"):
            document = oai(method=method, **arguments)
            assert error_code(document) == code, arguments
            assert not document.xpath("o:ListRecords | o:ListIdentifiers | o:GetRecord", namespaces=NS)
            request = document.find("o:request", NS)
            if code in ("badVerb", "badArgument"):
                assert dict(request.attrib) == {}  # the request is echoed without its arguments
            else:
                assert request.get("verb") == arguments["verb"]
            assert request.text == "http://testserver/oai"


ODD = [
    "\x00",
    "\x1b[31m",
    "ﬀ\u202eتست😀",
    "%",
    "<oai>&amp;",
    "x" * 100_000,
    "oai:dtts.example.vn:" + "ế" * 5000,
    "2026-02-30",
    "0000-00-00T00:00:00Z",
    "9999-12-31T23:59:60Z",
]


def test_odd_input_never_fails(repo):
    for value in ODD:
        for verb in ("GetRecord", "ListRecords", value):
            for name in ("identifier", "from", "set", "resumptionToken", value):
                assert oai(verb=verb, metadataPrefix="oai_dc", **{name: value}) is not None
        assert error_code(oai(method="post", verb="GetRecord", identifier=value, metadataPrefix="oai_dc")) in (
            "badArgument",
            "idDoesNotExist",
        )


def test_odd_bytes_and_bodies_never_fail(repo):
    for query in ("verb=Identify&%FF%FE=1", "verb=%FF", "verb=GetRecord&identifier=%ED%A0%80&metadataPrefix=oai_dc"):
        response = Client().get(f"/oai?{query}")
        assert response.status_code == 200
        validated(response.content)
    response = Client().post("/oai", data=b"\xff\x00verb=Identify", content_type="application/octet-stream")
    assert response.status_code == 200
    assert error_code(validated(response.content)) == "badVerb"
    many = "&".join(f"a{n}=1" for n in range(5000))
    response = Client().post("/oai", data=f"verb=Identify&{many}", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert error_code(validated(response.content)) == "badArgument"


# --- deletions ----------------------------------------------------------------------------------


def test_a_withdrawn_record_is_a_deleted_header_and_comes_back_when_public_again(repo, committed, homes):
    festival = repo["festival"]

    def state():
        document = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
        pages = harvest_all("ListIdentifiers", metadataPrefix="oai_dc")
        header = next(
            h
            for page in pages
            for h in page.xpath("//o:header", namespaces=NS)
            if h.findtext("o:identifier", namespaces=NS) == oai_id(festival)
        )
        record = oai(verb="GetRecord", identifier=oai_id(festival), metadataPrefix="oai_dc")
        assert document is not None
        return header.get("status"), header.findtext("o:datestamp", namespaces=NS), header, record

    status, stamp, *_ = state()
    assert status is None
    withdrawals = [
        (
            lambda: [t.unpublish() for t in festival.get_translations(inclusive=True)],
            lambda: festival.save_revision().publish(),
        ),
        (
            lambda: PageViewRestriction.objects.create(page=festival, restriction_type="login"),
            lambda: PageViewRestriction.objects.filter(page=festival).delete(),
        ),
        (lambda: _set_level(festival, "registered"), lambda: _set_level(festival, "public")),
        (lambda: _move_under_restricted_section(homes, festival), lambda: PageViewRestriction.objects.all().delete()),
        (lambda: _expire(festival), lambda: _reinstate(festival)),
    ]
    for withdraw, restore in withdrawals:
        committed(withdraw)
        status, withdrawn_at, header, record = state()
        assert status == "deleted"
        assert withdrawn_at > stamp
        assert header.findall("o:setSpec", NS) == []
        assert record.find(".//o:header", NS).get("status") == "deleted"
        assert record.find(".//o:metadata", NS) is None
        assert "Lồng Tồng" not in etree.tostring(record, encoding="unicode")
        assert "Long Tong" not in etree.tostring(header, encoding="unicode")
        committed(restore)
        status, stamp, header, record = state()
        assert status is None and stamp > withdrawn_at
        assert record.find(".//dc:title", NS).text == "Lễ hội Lồng Tồng"
    committed(lambda: [t.delete() for t in festival.get_translations(inclusive=True)])
    assert state()[0] == "deleted"


def _expire(page):
    """Its expiry time passed, and Wagtail's scheduled publishing (``publish_scheduled``, run by cron) unpublished it."""
    Page.objects.filter(translation_key=page.translation_key).update(expire_at=timezone.now() - dt.timedelta(minutes=1))
    call_command("publish_scheduled", stdout=io.StringIO())


def _reinstate(page):
    Page.objects.filter(translation_key=page.translation_key).update(expire_at=None)
    page.refresh_from_db()
    page.save_revision().publish()


def test_a_record_scheduled_to_go_live_is_harvested_once_scheduled_publishing_made_it_live(repo, committed):
    def schedule():
        page = FestivalPage(title="Lễ hội Nàng Hai", slug="nang-hai", summary="Lễ cầu mưa", live=False)
        repo["collection"].add_child(instance=page)
        page.go_live_at = timezone.now() + dt.timedelta(days=1)
        page.save_revision().publish()  # a go-live time ahead: approved, not live yet
        return page

    page = committed(schedule)
    assert not Page.objects.get(pk=page.pk).live
    assert error_code(oai(verb="GetRecord", identifier=oai_id(page), metadataPrefix="oai_dc")) == "idDoesNotExist"
    assert Client().get(f"/api/v1/records/{page.identifier}").status_code == 404

    def time_passes():  # the go-live time is now a second ago
        past = timezone.now() - dt.timedelta(seconds=1)
        for revision in Revision.objects.filter(object_id=str(page.pk), approved_go_live_at__isnull=False):
            revision.content["go_live_at"] = past.isoformat()
            revision.approved_go_live_at = past
            revision.save()
        call_command("publish_scheduled", stdout=io.StringIO())

    committed(time_passes)
    assert Page.objects.get(pk=page.pk).live
    record = oai(verb="GetRecord", identifier=oai_id(page), metadataPrefix="oai_dc")
    assert record.find(".//o:header", NS).get("status") is None
    assert record.findtext(".//dc:title", namespaces=NS) == "Lễ hội Nàng Hai"
    assert Client().get(f"/api/v1/records/{page.identifier}").status_code == 200


def _set_level(page, level):
    page.refresh_from_db()
    page.access_level = level
    page.save_revision().publish()


def _move_under_restricted_section(homes, page):
    section = build_collection(homes, "Mục hạn chế", "muc-han-che", "Restricted", "restricted")
    PageViewRestriction.objects.create(page=section, restriction_type="login")
    page.refresh_from_db()
    page.move(section, pos="last-child")


def test_a_record_never_public_is_never_mentioned(repo, committed):
    staff = repo["staff"]
    committed(lambda: _set_level(staff, "registered"))
    assert OaiRecord.objects.filter(identifier=staff.identifier).count() == 0
    assert error_code(oai(verb="GetRecord", identifier=oai_id(staff), metadataPrefix="oai_dc")) == "idDoesNotExist"


def test_a_record_hidden_before_the_table_follows_is_already_deleted(repo):
    """Between a change and its sync (a busy worker) nothing hidden is served: visibility is read at request time."""
    festival = repo["festival"]
    PageViewRestriction.objects.create(page=festival, restriction_type="login")  # no commit: no sync yet
    assert not OaiRecord.objects.get(identifier=festival.identifier).deleted
    record = oai(verb="GetRecord", identifier=oai_id(festival), metadataPrefix="marc21")
    assert record.find(".//o:header", NS).get("status") == "deleted"
    assert record.find(".//o:metadata", NS) is None
    listed = harvest_all("ListIdentifiers", metadataPrefix="oai_dc")
    assert any(
        h.get("status") == "deleted" and not h.findall("o:setSpec", NS)
        for page in listed
        for h in page.xpath("//o:header", namespaces=NS)
        if h.findtext("o:identifier", namespaces=NS) == oai_id(festival)
    )


def _titles(document) -> list[str]:
    return document.xpath("//dc:title/text()", namespaces=NS)


def _listed_record(festival):
    """The festival's record in a ListRecords harvest (oai_dc), through every page."""
    return next(
        record
        for page in harvest_all("ListRecords", metadataPrefix="oai_dc")
        for record in page.xpath("//o:record", namespaces=NS)
        if record.findtext("o:header/o:identifier", namespaces=NS) == oai_id(festival)
    )


def test_stored_metadata_is_refreshed_by_the_sync(repo, committed):
    """Lists and GetRecord send the metadata stored at sync time; a change reaches them with the sync."""
    festival = repo["festival"]
    row = OaiRecord.objects.get(identifier=festival.identifier)
    assert "Lễ hội Lồng Tồng" in row.oai_dc and "Lễ hội Lồng Tồng" in row.marc21
    festival.refresh_from_db()
    festival.title = "Lễ hội Lồng Tồng mùa xuân"
    committed(lambda: festival.save_revision().publish())
    row.refresh_from_db()
    assert "Lễ hội Lồng Tồng mùa xuân" in row.oai_dc and "Lễ hội Lồng Tồng mùa xuân" in row.marc21
    record = oai(verb="GetRecord", identifier=oai_id(festival), metadataPrefix="oai_dc")
    assert _titles(record)[0] == "Lễ hội Lồng Tồng mùa xuân"
    marc = oai(verb="GetRecord", identifier=oai_id(festival), metadataPrefix="marc21")
    assert marc.xpath("//marc:datafield[@tag='245']/marc:subfield[@code='a']/text()", namespaces=NS)[0].startswith(
        "Lễ hội Lồng Tồng mùa xuân"
    )
    assert "Lễ hội Lồng Tồng mùa xuân" in _titles(_listed_record(festival))


def test_oai_sync_stores_the_metadata_of_rows_without_it(repo, capsys):
    """Rows from before the metadata was stored get it from ``oai_sync`` (run once after upgrading)."""
    stamps = dict(OaiRecord.objects.values_list("identifier", "datestamp"))
    OaiRecord.objects.update(oai_dc="", marc21="", page_ids="", host_ids="")
    call_command("oai_sync")
    assert "stored: 3" in capsys.readouterr().out
    assert dict(OaiRecord.objects.values_list("identifier", "datestamp")) == stamps
    assert not OaiRecord.objects.filter(deleted=False, oai_dc="").exists()
    call_command("oai_sync", "--refresh")
    assert "stored: 3" in capsys.readouterr().out
    call_command("oai_sync")
    assert "stored: 0" in capsys.readouterr().out


def test_a_record_hidden_after_the_sync_is_deleted_before_the_next(repo):
    """The stored metadata is never sent for what is hidden since it was stored: a hidden translation is
    read afresh, a record hidden altogether is deleted, before the sync task has run."""
    festival = repo["festival"]
    assert "Long Tong festival" in _titles(_listed_record(festival))
    english = festival.get_translations().get()
    english.unpublish()  # no commit: no sync yet
    assert "Long Tong festival" in OaiRecord.objects.get(identifier=festival.identifier).oai_dc
    assert "Long Tong festival" not in _titles(_listed_record(festival))
    record = oai(verb="GetRecord", identifier=oai_id(festival), metadataPrefix="oai_dc")
    assert "Long Tong festival" not in _titles(record) and "Lễ hội Lồng Tồng" in _titles(record)
    PageViewRestriction.objects.create(page=festival, restriction_type="login")
    listed = _listed_record(festival)
    assert listed.find("o:header", NS).get("status") == "deleted"
    assert listed.find("o:metadata", NS) is None
    for prefix in ("oai_dc", "marc21"):
        record = oai(verb="GetRecord", identifier=oai_id(festival), metadataPrefix=prefix)
        assert record.find(".//o:header", NS).get("status") == "deleted"
        assert "Lồng Tồng" not in etree.tostring(record, encoding="unicode")


def test_a_host_hidden_after_the_sync_is_not_named_before_the_next(repo, committed):
    """A journal restricted after its issue's metadata was stored: the issue is read afresh, without it."""
    library = LibraryPage.objects.get(locale__language_code="vi")

    def build():
        journal = create_record(library, PeriodicalPage, title="Tạp chí zqhost")
        return journal, create_record(journal, PeriodicalIssuePage, title="Số 1 năm 2026")

    journal, issue = committed(build)
    assert "zqhost" in OaiRecord.objects.get(identifier=issue.identifier).marc21
    journal.access_level = "staff"
    journal.save(update_fields=["access_level"])  # no commit: no sync yet
    for prefix in ("oai_dc", "marc21"):
        record = oai(verb="GetRecord", identifier=oai_id(issue), metadataPrefix=prefix)
        assert record.find(".//o:header", NS).get("status") is None
        assert "zqhost" not in etree.tostring(record, encoding="unicode")


# --- selective harvesting ----------------------------------------------------------------------


SETS = [
    ("type:festival", {"festival"}),
    ("type:craft", {"craft"}),
    ("type:book", {"book"}),
    ("type", {"festival", "craft", "book"}),
    ("collection:le-hoi", {"festival", "craft"}),
    ("collection", {"festival", "craft"}),
    ("group:tay", {"festival"}),
]


def test_sets_select_their_records(repo):
    for spec, expected in SETS:
        for verb in ("ListIdentifiers", "ListRecords"):
            pages = harvest_all(verb, metadataPrefix="oai_dc", set=spec)
            found = sorted(i for page in pages for i in identifiers(page))
            assert found == sorted(oai_id(repo[name]) for name in expected), spec


def test_from_and_until_select_by_datestamp(repo, committed):
    def stamps():
        rows = OaiRecord.objects.filter(identifier__in=[repo[name].identifier for name in PUBLIC])
        return {row.identifier: row.datestamp for row in rows}

    before = stamps()
    craft = repo["craft"]
    craft.refresh_from_db()
    craft.summary = "Nghề dệt thổ cẩm của người Thái"
    committed(lambda: craft.save_revision().publish())
    changed = stamps()[craft.identifier]
    assert changed > max(before.values())

    def listed(**arguments):
        pages = harvest_all("ListIdentifiers", metadataPrefix="oai_dc", **arguments)
        return sorted(i for page in pages for i in identifiers(page))

    second = changed.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert listed(**{"from": second}) == [oai_id(craft)]
    earlier = (changed - dt.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert listed(until=earlier) == sorted(oai_id(repo[name]) for name in ("festival", "book"))
    assert listed(**{"from": second, "until": second}) == [oai_id(craft)]
    day = changed.strftime("%Y-%m-%d")
    assert listed(**{"from": day, "until": day}) == sorted(oai_id(repo[name]) for name in PUBLIC)
    header = header_of(oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": second}), craft)
    assert header.findtext("o:datestamp", namespaces=NS) == second


def test_oai_sync_rebuilds_the_table_and_changes_nothing_when_run_again(repo, capsys):
    rows = {row.identifier: (row.datestamp, row.deleted, row.set_specs) for row in OaiRecord.objects.all()}
    call_command("oai_sync")
    assert "changed: 0" in capsys.readouterr().out
    assert {row.identifier: (row.datestamp, row.deleted, row.set_specs) for row in OaiRecord.objects.all()} == rows
    OaiRecord.objects.all().delete()
    call_command("oai_sync")
    assert "created: 3" in capsys.readouterr().out
    assert set(OaiRecord.objects.values_list("identifier", flat=True)) == set(rows)


# --- a third-party harvester over HTTP ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_oaipmh_scythe_harvests_every_record_through_the_resumption_tokens(live_server, settings):
    settings.OAI_REPOSITORY_IDENTIFIER = REPOSITORY
    settings.OAI_PAGE_SIZE = 2
    homes = build_homes()
    collection = build_collection(homes)
    tay = create_tay()
    made = [create_record(collection, FestivalPage, title=f"Lễ hội {n}", ethnic_groups=[tay]) for n in range(4)]
    made.append(create_record(build_library(homes), BookPage, title="Sách"))
    create_record(collection, FestivalPage, title="Bí mật", access_level="staff")
    expected = sorted(oai_id(page) for page in made)
    with Scythe(f"{live_server.url}/oai") as scythe:
        records = list(scythe.list_records(metadata_prefix="oai_dc"))
        assert sorted(record.header.identifier for record in records) == expected
        assert all(record.metadata["title"] for record in records)
        marc = list(scythe.list_records(metadata_prefix="marc21", set_="group:tay"))
        assert sorted(r.header.identifier for r in marc) == sorted(oai_id(page) for page in made[:4])
        headers = list(scythe.list_identifiers(metadata_prefix="oai_dc", set_="type:book"))
        assert [h.identifier for h in headers] == [oai_id(made[-1])]
        record = scythe.get_record(identifier=oai_id(made[0]), metadata_prefix="oai_dc")
        assert record.metadata["title"] == ["Lễ hội 0"]
        assert scythe.identify().repositoryName == settings.OAI_REPOSITORY_NAME
        # A token from the first page, saved and used again with a new client after the server answered
        # other requests: nothing but the token itself is needed to go on.
        first = scythe.harvest({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
        token = token_of(etree.fromstring(first.http_response.content)).text
    with Scythe(f"{live_server.url}/oai") as fresh:
        rest = fresh.harvest({"verb": "ListIdentifiers", "resumptionToken": token})
        assert len(identifiers(validated(rest.http_response.content))) == 2
