"""The library's part of the demo (``cms.demo`` runs the ``load_demo`` hooks in order)."""

from wagtail import hooks


@hooks.register("load_demo", order=10)
def load_demo_library(homes) -> dict:
    """The library section, the documents the seed plans cite and the sample items (in the demo's
    transaction)."""
    from library.demo import load_demo_library

    return load_demo_library(homes)


@hooks.register("load_demo_files")
def load_demo_library_files() -> dict:
    """The sample items' PDFs, ingested like uploads once the demo's transaction has committed."""
    from library.demo import load_demo_library_files

    return load_demo_library_files()
