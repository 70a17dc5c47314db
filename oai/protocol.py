"""OAI-PMH 2.0: one request in, one response document out (https://www.openarchives.org/OAI/openarchivesprotocol.html).

Written with lxml rather than a provider library (docs/exchange.md says why). The view hands
:func:`respond` the request's arguments; every problem with them is an OAI-PMH error in the document,
never an exception. Lists are harvested in (datestamp, row id) order and paged by resumption tokens that
carry the whole query and the last (datestamp, id) sent, signed (``django.core.signing``): nothing is kept
on the server, so a token survives a restart and another server of the same site.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from lxml import etree

from django.conf import settings
from django.core import signing
from django.db.models import Min, Q

from wagtail.models import Page

from archive.models import RecordPage
from oai import metadata, services
from oai.models import METADATA_FIELDS, OaiRecord

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_ID_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
XSI = metadata.XSI_NS
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
RESUMPTION_SALT = "oai.resumption-token"
MAX_ARGUMENT_LENGTH = 2000

# Arguments each verb takes: required, optional, exclusive (a resumption token stands alone).
VERBS = {
    "Identify": ((), (), None),
    "ListMetadataFormats": ((), ("identifier",), None),
    "ListSets": ((), (), "resumptionToken"),
    "GetRecord": (("identifier", "metadataPrefix"), (), None),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
}
PREFIX_PATTERN = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
SET_PATTERN = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
# A URI, as the envelope's identifierType (xs:anyURI) takes it: a scheme, then no spaces or stray "%".
URI_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:(?:[^\s%<>\"{}|\\^`\[\]]|%[0-9A-Fa-f]{2})+")
STORED_MARK = "oai-stored:"
STORED_PATTERN = re.compile(rb"<!--oai-stored:(\d+)-->")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def repository_identifier() -> str:
    return settings.OAI_REPOSITORY_IDENTIFIER


def oai_identifier(local: str) -> str:
    return f"oai:{repository_identifier()}:{local}"


def local_identifier(identifier: str) -> str | None:
    prefix = f"oai:{repository_identifier()}:"
    return identifier[len(prefix) :] if identifier.startswith(prefix) and len(identifier) > len(prefix) else None


def datestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(value: str, name: str, end: bool = False) -> tuple[dt.datetime, str]:
    """A ``from``/``until`` argument: (instant, granularity). A day reaches its last second as ``until``."""
    try:
        if SECOND.fullmatch(value):
            return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC), "second"
        if DAY.fullmatch(value):
            day = dt.datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=dt.UTC)
            return (day + dt.timedelta(days=1, seconds=-1) if end else day), "day"
    except (ValueError, OverflowError):
        pass
    raise OaiError("badArgument", f"'{name}' is not a date as YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.")


# --- the query a list answers, and its resumption token -------------------------------------------


@dataclasses.dataclass
class ListQuery:
    verb: str
    prefix: str
    set: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    after: tuple[dt.datetime, int] | None = None
    cursor: int = 0

    def rows(self):
        rows = OaiRecord.objects.all()
        if self.set:
            rows = rows.in_set(self.set)
        if self.start is not None:
            rows = rows.filter(datestamp__gte=self.start)
        if self.end is not None:
            rows = rows.filter(datestamp__lte=self.end)
        return rows

    def token(self, last: OaiRecord, cursor: int) -> str:
        payload = {
            "v": self.verb,
            "p": self.prefix,
            "s": self.set,
            "f": self.start.isoformat() if self.start else "",
            "u": self.end.isoformat() if self.end else "",
            "d": last.datestamp.isoformat(),
            "i": last.pk,
            "c": cursor,
        }
        return signing.dumps(payload, salt=RESUMPTION_SALT, compress=True)

    @classmethod
    def from_token(cls, verb: str, token: str) -> ListQuery:
        try:
            data = signing.loads(token, salt=RESUMPTION_SALT, max_age=settings.OAI_RESUMPTION_TOKEN_SECONDS)
            if data["v"] != verb:
                raise ValueError("another verb's token")
            return cls(
                verb=verb,
                prefix=data["p"],
                set=data["s"],
                start=dt.datetime.fromisoformat(data["f"]) if data["f"] else None,
                end=dt.datetime.fromisoformat(data["u"]) if data["u"] else None,
                after=(dt.datetime.fromisoformat(data["d"]), int(data["i"])),
                cursor=int(data["c"]),
            )
        except signing.SignatureExpired:
            raise OaiError("badResumptionToken", "The resumption token has expired: start the list again.") from None
        except (signing.BadSignature, ValueError, KeyError, TypeError):
            raise OaiError("badResumptionToken", "The resumption token is not valid.") from None


# --- the response document -------------------------------------------------------------------------


def _el(parent, name: str, text: str | None = None, **attributes) -> etree._Element:
    node = etree.SubElement(parent, f"{{{OAI_NS}}}{name}", **attributes)
    if text is not None:
        node.text = text
    return node


class Response:
    def __init__(self, base_url: str, now: dt.datetime):
        self.fragments: list[str] = []
        self.root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI})
        self.root.set(f"{{{XSI}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
        _el(self.root, "responseDate", datestamp(now))
        self.request = _el(self.root, "request", base_url)

    def echo(self, arguments: dict[str, str]) -> None:
        for name, value in arguments.items():
            self.request.set(name, value)

    def error(self, code: str, message: str) -> None:
        _el(self.root, "error", message, code=code)

    def verb(self, name: str) -> etree._Element:
        return _el(self.root, name)

    def stored(self, parent, text: str) -> None:
        """Put metadata stored as XML text (``OaiRecord``) into ``parent``, as it is: a placeholder the
        document's bytes take it in place of (no parsing and writing it again)."""
        parent.append(etree.Comment(f"{STORED_MARK}{len(self.fragments)}"))
        self.fragments.append(text)

    def bytes(self) -> bytes:
        document = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8")
        if not self.fragments:
            return document
        # Comments are ours alone (text never reads as one: lxml escapes "<"); each mark is one fragment.
        return STORED_PATTERN.sub(lambda found: self.fragments[int(found[1])].encode(), document)


def _arguments(pairs: list[tuple[str, list[str]]]) -> tuple[str, dict[str, str]]:
    """The verb and the other arguments, or an OaiError (badVerb before badArgument)."""
    values = dict(pairs)
    verbs = values.pop("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OaiError("badVerb", "The verb is missing, repeated or not one of OAI-PMH's six.")
    verb = verbs[0]
    required, optional, exclusive = VERBS[verb]
    for name, given in values.items():
        if name not in (*required, *optional, exclusive):
            raise OaiError("badArgument", f"{verb} does not take this argument.")
        if len(given) != 1:
            raise OaiError("badArgument", f"The argument '{name}' is repeated.")
        value = given[0]
        if len(value) > MAX_ARGUMENT_LENGTH or not all(metadata.is_xml_char(ch) for ch in value) or not value:
            raise OaiError("badArgument", f"The argument '{name}' is empty, too long or holds characters XML cannot.")
    arguments = {name: given[0] for name, given in values.items()}
    if exclusive and exclusive in arguments:
        if len(arguments) > 1:
            raise OaiError("badArgument", f"'{exclusive}' is an exclusive argument: give it alone with the verb.")
        return verb, arguments
    missing = [name for name in required if name not in arguments]
    if missing:
        raise OaiError("badArgument", f"{verb} needs the argument '{missing[0]}'.")
    if "metadataPrefix" in arguments and not PREFIX_PATTERN.fullmatch(arguments["metadataPrefix"]):
        raise OaiError("badArgument", "'metadataPrefix' is not a metadata prefix.")
    if "identifier" in arguments and not URI_PATTERN.fullmatch(arguments["identifier"]):
        raise OaiError("badArgument", "'identifier' is not a URI.")
    if "set" in arguments and not SET_PATTERN.fullmatch(arguments["set"]):
        raise OaiError("badArgument", "'set' is not a set spec.")
    return verb, arguments


def error_document(code: str, message: str, base_url: str) -> bytes:
    response = Response(base_url, services.now())
    response.error(code, message)
    return response.bytes()


def respond(pairs: list[tuple[str, list[str]]], base_url: str) -> bytes:
    """The OAI-PMH response to a request's arguments (``[(name, [values])]``), as UTF-8 XML."""
    now = services.now()
    response = Response(base_url, now)
    try:
        verb, arguments = _arguments(pairs)
    except OaiError as error:  # badVerb and badArgument: the request is echoed without its arguments
        response.error(error.code, error.message)
        return response.bytes()
    response.echo({"verb": verb, **arguments})
    try:
        HANDLERS[verb](response, arguments, base_url, now)
    except OaiError as error:
        for child in list(response.root)[2:]:
            response.root.remove(child)
        if error.code == "badArgument":
            for name in list(response.request.attrib):
                del response.request.attrib[name]
        response.error(error.code, error.message)
    return response.bytes()


# --- the verbs -----------------------------------------------------------------------------------


def identify(response: Response, arguments, base_url: str, now) -> None:
    node = response.verb("Identify")
    _el(node, "repositoryName", str(settings.OAI_REPOSITORY_NAME))
    _el(node, "baseURL", base_url)
    _el(node, "protocolVersion", "2.0")
    for email in settings.OAI_ADMIN_EMAILS:
        _el(node, "adminEmail", email)
    earliest = OaiRecord.objects.aggregate(earliest=Min("datestamp"))["earliest"] or now
    _el(node, "earliestDatestamp", datestamp(earliest))
    _el(node, "deletedRecord", "persistent")
    _el(node, "granularity", GRANULARITY)
    description = _el(node, "description")
    about = etree.SubElement(description, f"{{{OAI_ID_NS}}}oai-identifier", nsmap={None: OAI_ID_NS, "xsi": XSI})
    about.set(f"{{{XSI}}}schemaLocation", f"{OAI_ID_NS} {OAI_ID_SCHEMA}")
    for name, value in (
        ("scheme", "oai"),
        ("repositoryIdentifier", repository_identifier()),
        ("delimiter", ":"),
        ("sampleIdentifier", oai_identifier("dtts-0001")),
    ):
        etree.SubElement(about, f"{{{OAI_ID_NS}}}{name}").text = value


def _record_row(identifier: str) -> OaiRecord:
    local = local_identifier(identifier)
    row = OaiRecord.objects.filter(identifier=local).first() if local else None
    if row is None:
        raise OaiError("idDoesNotExist", "No record has this identifier here.")
    return row


def list_metadata_formats(response: Response, arguments, base_url: str, now) -> None:
    if "identifier" in arguments:
        _record_row(arguments["identifier"])  # every record is given in every format
    node = response.verb("ListMetadataFormats")
    for prefix, described in metadata.FORMATS.items():
        entry = _el(node, "metadataFormat")
        _el(entry, "metadataPrefix", prefix)
        _el(entry, "schema", described["schema"])
        _el(entry, "metadataNamespace", described["namespace"])


def list_sets(response: Response, arguments, base_url: str, now) -> None:
    if "resumptionToken" in arguments:  # every set is in the first (and only) answer
        raise OaiError("badResumptionToken", "ListSets answers in one response: this token is not one of ours.")
    node = response.verb("ListSets")
    for oai_set in services.all_sets():
        entry = _el(node, "set")
        _el(entry, "setSpec", oai_set.spec)
        _el(entry, "setName", metadata.xml_safe(oai_set.name))
        description = _el(entry, "setDescription")
        description.append(metadata.oai_dc_element([("title", name, code) for code, name in oai_set.names.items()]))


def _check_prefix(prefix: str) -> None:
    if prefix not in metadata.FORMATS:
        raise OaiError("cannotDisseminateFormat", "This metadata format is not given here: see ListMetadataFormats.")


def _public_versions(rows: list[OaiRecord], with_metadata: bool) -> tuple[dict, set[int]]:
    """``({translation key: {ids of its pages anyone may see now}}, {ids of the hosts the rows name that
    anyone may see now})``, in one query: the table follows the archive a moment after a change (a task),
    so what is served is checked against the archive as it is."""
    keys = [row.translation_key for row in rows if not row.deleted]
    if not keys:
        return {}, set()
    hosts = set().union(*(row.hosts for row in rows if not row.deleted)) if with_metadata else set()
    condition = Q(translation_key__in=keys) | Q(pk__in=hosts) if hosts else Q(translation_key__in=keys)
    # The candidates as a subquery of their own: an OR in the main query keeps SQLite off the indexes
    # (a scan of every public record: 50 ms at 100,000 records instead of 3).
    candidates = Page.objects.filter(condition).values("pk")
    versions: dict = {}
    visible = set()
    public = RecordPage.objects.visible_to(None).filter(pk__in=candidates).order_by()
    for pk, key in public.values_list("pk", "translation_key"):
        visible.add(pk)
        versions.setdefault(key, set()).add(pk)
    return versions, visible


def _header(parent, row: OaiRecord, public: bool) -> None:
    """A record's header; one withdrawn (or found hidden since the table was last brought up to date)
    is deleted, with no sets."""
    attributes = {} if public else {"status": "deleted"}
    node = _el(parent, "header", **attributes)
    _el(node, "identifier", oai_identifier(row.identifier))
    _el(node, "datestamp", datestamp(row.datestamp))
    if public:
        for spec in row.sets:
            _el(node, "setSpec", spec)


def _records(response: Response, parent, rows: list[OaiRecord], prefix: str, with_metadata: bool) -> None:
    """The headers (and, ``with_metadata``, the records) of ``rows``. The metadata stored on a row is
    served while the record's public versions and the hosts it names are still exactly those it was made
    from; a record changed since (a version hidden or published, a host hidden, before the sync task ran)
    is read afresh, and one no longer public at all is deleted."""
    versions, visible = _public_versions(rows, with_metadata)
    stale = [
        row.translation_key
        for row in rows
        if with_metadata
        and not row.deleted
        and row.translation_key in versions
        and (not row.stored(prefix) or versions[row.translation_key] != row.pages or not row.hosts <= visible)
    ]
    fresh = metadata.pages_for(stale) if stale else {}
    for row in rows:
        key = row.translation_key
        shown = not row.deleted and key in versions and (key in fresh or key not in stale)
        if not with_metadata:
            _header(parent, row, shown)
            continue
        record = _el(parent, "record")
        _header(record, row, shown)
        if not shown:
            continue
        if key not in fresh:
            response.stored(_el(record, "metadata"), row.stored(prefix))
            continue
        pages = fresh[key]
        payload = (
            metadata.oai_dc_element(metadata.dublin_core(pages)) if prefix == "oai_dc" else metadata.marc_element(pages)
        )
        _el(record, "metadata").append(payload)


def get_record(response: Response, arguments, base_url: str, now) -> None:
    row = _record_row(arguments["identifier"])
    _check_prefix(arguments["metadataPrefix"])
    _records(response, response.verb("GetRecord"), [row], arguments["metadataPrefix"], with_metadata=True)


def _list(response: Response, arguments, verb: str, now) -> None:
    if "resumptionToken" in arguments:
        query = ListQuery.from_token(verb, arguments["resumptionToken"])
    else:
        start = end = None
        granularities = []
        if "from" in arguments:
            start, granularity = parse_date(arguments["from"], "from")
            granularities.append(granularity)
        if "until" in arguments:
            end, granularity = parse_date(arguments["until"], "until", end=True)
            granularities.append(granularity)
        if len(set(granularities)) > 1:
            raise OaiError("badArgument", "'from' and 'until' must have the same granularity.")
        if start and end and start > end:
            raise OaiError("badArgument", "'from' is after 'until'.")
        query = ListQuery(verb, arguments["metadataPrefix"], arguments.get("set", ""), start, end)
    _check_prefix(query.prefix)
    every = query.rows()
    # Only the stored metadata this answer sends is read.
    unsent = [name for name in METADATA_FIELDS if verb != "ListRecords" or name != query.prefix]
    rows = every.order_by("datestamp", "pk").defer(*unsent)
    if query.after:
        rows = rows.after(*query.after)
    size = settings.OAI_PAGE_SIZE
    page = list(rows[: size + 1])
    if not page:  # nothing matches (or, resumed, what was left has left the list: withdrawn from its set)
        raise OaiError("noRecordsMatch", "No record matches these arguments.")
    more, page = len(page) > size, page[:size]
    node = response.verb(verb)
    _records(response, node, page, query.prefix, with_metadata=verb == "ListRecords")
    if more or query.after:
        complete = str(every.count())
        if more:
            token = query.token(page[-1], query.cursor + len(page))
            expires = now + dt.timedelta(seconds=settings.OAI_RESUMPTION_TOKEN_SECONDS)
            _el(
                node,
                "resumptionToken",
                token,
                completeListSize=complete,
                cursor=str(query.cursor),
                expirationDate=datestamp(expires),
            )
        else:
            _el(node, "resumptionToken", "", completeListSize=complete, cursor=str(query.cursor))


def list_identifiers(response: Response, arguments, base_url: str, now) -> None:
    _list(response, arguments, "ListIdentifiers", now)


def list_records(response: Response, arguments, base_url: str, now) -> None:
    _list(response, arguments, "ListRecords", now)


HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}
