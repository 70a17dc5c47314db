"""The OAI-PMH provider for the leak suite (tests/test_leaks.py): what anyone may see, whoever asks.

The world is built in one transaction that never commits, so the provider's on-commit upkeep never ran:
its table is brought up to date here as ``manage.py oai_sync`` does. Lists are walked to their end
through their resumption tokens, with a small page size so that several tokens are followed.
"""

import re
from html import unescape

from django.test import Client, override_settings

from oai import services
from oai.protocol import oai_identifier

AUDIENCE = "public"
COMPLETE = {"t"}
TOKEN = re.compile(r"<resumptionToken[^>]*>([^<]+)</resumptionToken>")


def _walk(client, first: str) -> list[str]:
    urls, url = [], first
    while url:
        urls.append(url)
        body = client.get(url).content.decode()
        found = TOKEN.search(body)
        verb = re.search(r"verb=(\w+)", first)[1]
        url = f"/oai?verb={verb}&resumptionToken={unescape(found[1])}" if found else None
    return urls


def urls(world) -> list[str]:
    services.sync_all()
    client = Client()
    found = ["/oai?verb=Identify", "/oai?verb=ListSets", "/oai?verb=ListMetadataFormats"]
    with override_settings(OAI_PAGE_SIZE=3):
        for first in (
            "/oai?verb=ListRecords&metadataPrefix=oai_dc",
            "/oai?verb=ListRecords&metadataPrefix=marc21",
            "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc",
        ):
            found += _walk(client, first)
    for identifier in [*world["identifiers"].values(), *world["item_identifiers"].values()]:
        for prefix in ("oai_dc", "marc21"):
            found.append(f"/oai?verb=GetRecord&metadataPrefix={prefix}&identifier={oai_identifier(identifier)}")
        found.append(f"/oai?verb=ListMetadataFormats&identifier={oai_identifier(identifier)}")
    return found
