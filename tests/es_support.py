"""Test-only help for running the Elasticsearch engine against osmem-server.

osmem-server speaks the Elasticsearch REST API but rejects the 9.x client's
``compatible-with=9`` media types; this transport node sends plain JSON instead. It is
used only by tests: production code never sees it.
"""

from elastic_transport import Urllib3HttpNode
from elasticsearch import Elasticsearch


class PlainJsonNode(Urllib3HttpNode):
    def perform_request(self, method, target, body=None, headers=None, **kwargs):
        if headers:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                value = headers.get(name, "")
                if "compatible-with" in value:
                    headers[name] = "application/x-ndjson" if "ndjson" in value else "application/json"
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)


def osmem_client(url: str) -> Elasticsearch:
    return Elasticsearch(url, node_class=PlainJsonNode, request_timeout=10, max_retries=0)
