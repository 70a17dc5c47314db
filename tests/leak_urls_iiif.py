"""What the leak suite walks of IIIF (tests/test_leaks.py, "exchange"): every state's record and item manifest,
and the collections (the top one, the archive's collection and its restricted section, the library, each
state's ethnic group), Content Search inside every record and item (for the state's media word, typed in capitals
so that a query echoed back is not taken for a hit), and the viewer page of each. A IIIF viewer runs on our own pages for the visitor reading them, so IIIF follows the
visitor's rule, and every page-text token a visitor may see must be reached (manifests carry the titles and
summaries)."""

AUDIENCE = "visitor"
COMPLETE = {"t"}


def urls(world) -> list[str]:
    identifiers = [*world["identifiers"].values(), *world["item_identifiers"].values()]
    found = [f"/iiif/{identifier}/manifest" for identifier in identifiers]
    found += ["/iiif/collection/top", "/iiif/collection/le-hoi", "/iiif/collection/muc-han-che"]
    found += ["/iiif/collection/thu-vien", "/iiif/collection/festivals", "/iiif/collection/library"]
    found += [f"/iiif/collection/group/g-{state}" for state in world["identifiers"]]
    for state in world["identifiers"]:
        word = f"ZQM{state.upper()}QZ"
        for identifier in (world["identifiers"][state], world["item_identifiers"][state]):
            found += [f"/iiif/{identifier}/search?q={word}", f"/vi/iiif-viewer/{identifier}/"]
    return found
