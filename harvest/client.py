"""The OAI-PMH client: one request at a time to a repository, through oaipmh-scythe (whose httpx2 client
retries a dropped connection or a 503 with exponential backoff), and every way a request can fail turned
into a :class:`HarvestError` whose message says what happened in words an administrator can act on.

Responses are parsed strictly here (scythe's own parser recovers from broken XML silently): a response that
is not well-formed XML, or well-formed but not OAI-PMH, is refused rather than harvested half-read.
"""

import dataclasses
import datetime as dt

import httpx2
from lxml import etree
from oaipmh_scythe import Scythe
from oaipmh_scythe import exceptions as oai_errors
from oaipmh_scythe.config import HTTPConfig, RetryConfig
from oaipmh_scythe.models import Record
from oaipmh_scythe.response import OAIResponse

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

OAI = "{http://www.openarchives.org/OAI/2.0/}"
USER_AGENT = "heritage-archive-harvester (oaipmh-scythe)"
# External entities and DTDs are never fetched; entity expansion is off.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class HarvestError(Exception):
    """A request to the repository failed, or its answer cannot be harvested; the message says which."""


class NoRecordsMatch(Exception):  # noqa: N818 - named as the protocol names the condition
    """The repository has no records for the arguments: an empty result, not a failure."""


class BadResumptionToken(HarvestError):
    """The repository no longer knows the resumption token (it expired, or the repository restarted)."""


@dataclasses.dataclass
class Page:
    """One answer to ListRecords: its records (scythe's :class:`Record`, or the reason one cannot be read)
    and the token for the next, empty on the last page."""

    response_date: dt.datetime | None
    records: list["Record | tuple[str, str]"]
    token: str = ""
    complete_list_size: int | None = None


def _code(error: oai_errors.OAIPMHException) -> str:
    name = type(error).__name__
    return "unknown" if name == "GeneralOAIPMHError" else name[0].lower() + name[1:]


class OAIClient:
    """Requests to one repository's base URL. ``retries`` is how many times a dropped connection, a timeout
    or a 503 is tried again (waiting ``backoff`` seconds, doubling each time) before the request fails."""

    def __init__(self, base_url: str, *, retries: int = 4, backoff: float = 2.0, timeout: float = 60):
        self.base_url = base_url
        self.retries = retries
        self.scythe = Scythe(
            base_url,
            http_config=HTTPConfig(timeout=timeout, user_agent=USER_AGENT),
            retry_config=RetryConfig(
                max_retries=retries,
                retry_on_transport_error=True,
                initial_backoff=backoff,
                default_retry_after=max(backoff * 8, 1),
            ),
        )

    def close(self) -> None:
        self.scythe.close()

    def __enter__(self) -> "OAIClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- verbs -----------------------------------------------------------------------------------------

    def identify(self) -> dict:
        """The repository's name, datestamp granularity and earliest datestamp, and its time now (Identify)."""
        root = self.request({"verb": "Identify"})
        identify = root.find(f"{OAI}Identify")
        if identify is None:
            raise HarvestError(
                _("%(url)s answered Identify without an Identify element; it is not an OAI-PMH repository.")
                % {"url": self.base_url}
            )
        return {
            "repository_name": (identify.findtext(f"{OAI}repositoryName") or "").strip(),
            "granularity": (identify.findtext(f"{OAI}granularity") or "YYYY-MM-DD").strip(),
            "earliest": (identify.findtext(f"{OAI}earliestDatestamp") or "").strip(),
            "response_date": parse_datetime((root.findtext(f"{OAI}responseDate") or "").strip()),
        }

    def list_records(
        self, *, metadata_prefix: str = "oai_dc", set_spec: str = "", from_date: str = "", token: str = ""
    ) -> Page:
        """One page of ListRecords: the first (with the arguments) or the one ``token`` names."""
        if token:
            query = {"verb": "ListRecords", "resumptionToken": token}
        else:
            query = {"verb": "ListRecords", "metadataPrefix": metadata_prefix}
            if set_spec:
                query["set"] = set_spec
            if from_date:
                query["from"] = from_date
        root = self.request(query)
        response_date = parse_datetime((root.findtext(f"{OAI}responseDate") or "").strip())
        listing = root.find(f"{OAI}ListRecords")
        if listing is None:
            raise HarvestError(
                _("%(url)s answered ListRecords without a ListRecords element.") % {"url": self.base_url}
            )
        records: list[Record | tuple[str, str]] = []
        for position, element in enumerate(listing.findall(f"{OAI}record"), start=1):
            identifier = element.findtext(f".//{OAI}identifier") or _("record %(n)s") % {"n": position}
            try:
                records.append(Record(element))
            except ValueError:
                records.append((identifier, _("the record has no header; it cannot be identified.")))
            except StopIteration:  # scythe reads the first child of <metadata>: there is none
                records.append((identifier, _("the record has no metadata.")))
        token_element = listing.find(f"{OAI}resumptionToken")
        token = (token_element.text or "").strip() if token_element is not None else ""
        size = token_element.get("completeListSize") if token_element is not None else None
        return Page(response_date, records, token, int(size) if size and size.isdigit() else None)

    # -- one request -----------------------------------------------------------------------------------

    def request(self, query: dict[str, str]) -> etree._Element:
        """The parsed OAI-PMH answer to ``query``; raises NoRecordsMatch, BadResumptionToken or HarvestError.

        The request goes through scythe's retrying sender; the answer is then checked here in this order:
        well-formed XML (strictly), OAI-PMH, an OAI-PMH error (mapped to scythe's exceptions), the HTTP status.
        (``Scythe.harvest`` reads an error element before checking that the answer is XML at all, and fails on
        an answer with no XML in it.)"""
        tries = self.retries + 1
        try:
            http = self.scythe._request_with_retry(query)  # noqa: SLF001 - scythe's retrying sender
        except httpx2.TimeoutException as exc:
            raise HarvestError(
                _("%(url)s did not answer in time (tried %(tries)s times).") % {"url": self.base_url, "tries": tries}
            ) from exc
        except (httpx2.UnsupportedProtocol, httpx2.InvalidURL) as exc:
            raise HarvestError(
                _("“%(url)s” is not a web address the harvester can use (%(error)s).")
                % {"url": self.base_url, "error": exc}
            ) from exc
        except httpx2.TransportError as exc:
            raise HarvestError(
                _("Could not reach %(url)s (tried %(tries)s times): %(error)s")
                % {"url": self.base_url, "tries": tries, "error": str(exc) or type(exc).__name__}
            ) from exc
        failed = http.is_error
        try:
            root = self.parse(http.content, http.headers.get("content-type", ""))
        except HarvestError:
            if failed:
                raise self.status_error(http) from None
            raise
        try:
            OAIResponse(http, params=query).raise_for_oaipmh_error()
        except oai_errors.NoRecordsMatch as exc:
            raise NoRecordsMatch(str(exc)) from exc
        except oai_errors.BadResumptionToken as exc:
            raise BadResumptionToken(
                _("The repository no longer accepts the resumption token (%(message)s).") % {"message": exc}
            ) from exc
        except oai_errors.OAIPMHException as exc:
            raise HarvestError(
                _("The repository answered %(verb)s with the OAI-PMH error “%(code)s”: %(message)s")
                % {"verb": query.get("verb"), "code": _code(exc), "message": str(exc) or "—"}
            ) from exc
        if failed:
            raise self.status_error(http)
        return root

    def status_error(self, http: httpx2.Response) -> HarvestError:
        return HarvestError(
            _("%(url)s answered HTTP %(status)s %(reason)s; is it the repository's OAI-PMH base URL?")
            % {"url": self.base_url, "status": http.status_code, "reason": http.reason_phrase}
        )

    def parse(self, content: bytes, content_type: str = "") -> etree._Element:
        try:
            root = etree.fromstring(content, _PARSER)  # noqa: S320 - no entities, no network, no DTD
        except etree.XMLSyntaxError as exc:
            if b"OAI-PMH" in content[:2000]:
                raise HarvestError(
                    _(
                        "%(url)s sent an OAI-PMH response that is not well-formed XML (%(error)s); nothing of it "
                        "was harvested."
                    )
                    % {"url": self.base_url, "error": exc}
                ) from exc
            raise HarvestError(
                _(
                    "%(url)s did not answer with OAI-PMH XML (it sent %(type)s beginning “%(start)s”); check "
                    "the base URL."
                )
                % {
                    "url": self.base_url,
                    "type": content_type or _("an unnamed type"),
                    "start": content[:60].decode("utf-8", "replace").strip(),
                }
            ) from exc
        if root.tag != f"{OAI}OAI-PMH":
            raise HarvestError(
                _("%(url)s answered with XML that is not OAI-PMH (its root element is <%(root)s>); check the base URL.")
                % {"url": self.base_url, "root": etree.QName(root).localname}
            )
        return root
