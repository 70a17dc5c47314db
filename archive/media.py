"""Access-checked media delivery.

No file under MEDIA_ROOT is served straight from a public URL: every request for
``MEDIA_URL/<path>`` goes through :func:`archive.views.serve_media`, which asks the
resolvers registered here who owns the path and whether the user may see it. Apps that
store their own files (``ingest``) register a resolver in their ``AppConfig.ready()``.
"""

from collections.abc import Callable

# A resolver takes (path, user) and returns None when the path is not its own,
# or a Verdict saying whether the user may see it and if it is public.
Resolver = Callable[[str, object], "Verdict | None"]


class Verdict:
    __slots__ = ("allowed", "public")

    def __init__(self, allowed: bool, public: bool):
        self.allowed = allowed
        self.public = public


_resolvers: list[Resolver] = []


def register_resolver(resolver: Resolver) -> Resolver:
    if resolver not in _resolvers:
        _resolvers.append(resolver)
    return resolver


def resolve(path: str, user) -> "Verdict | None":
    for resolver in _resolvers:
        verdict = resolver(path, user)
        if verdict is not None:
            return verdict
    return None


@register_resolver
def image_files(path: str, user) -> "Verdict | None":
    from archive.models import ArchiveImage, ArchiveRendition

    image = ArchiveImage.objects.filter(file=path).first()
    if image is None:
        rendition = ArchiveRendition.objects.select_related("image").filter(file=path).first()
        image = rendition.image if rendition else None
    if image is None:
        return None
    allowed, public = image.access_for(user)
    return Verdict(allowed=allowed, public=public)
