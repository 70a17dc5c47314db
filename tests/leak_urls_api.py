"""The open data API in the leak suite (tests/test_leaks.py, "exchange"): it shows what anyone may see, whoever
asks, so every visitor must get exactly the anonymous visitor's tokens, and all the page-text ones."""

AUDIENCE = "public"
COMPLETE = {"t"}


def urls(world) -> list[str]:
    states = world["identifiers"]
    urls = [
        "/api/v1/records?limit=100",
        "/api/v1/items?limit=100",
        "/api/v1/records?type=festival&limit=100",
        "/api/v1/records?type=book&limit=100",
        "/api/v1/ethnic-groups?limit=100",
        "/api/v1/places?limit=100",
        "/api/v1/languages",
        "/api/v1/collections",
    ]
    # Each state's ethnic group and province as filters: a hidden record's must answer an empty list.
    urls += [f"/api/v1/records?group=g-{state}&limit=100" for state in states]
    urls += [f"/api/v1/records?province=p-{state}&type=festival&limit=100" for state in states]
    for identifier in [*world["identifiers"].values(), *world["item_identifiers"].values()]:
        urls += [f"/api/v1/records/{identifier}", f"/api/v1/items/{identifier}"]
    return urls
