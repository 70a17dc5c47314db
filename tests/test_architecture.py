"""Dependencies point one way: the archive imports nothing of ours; the four apps the site grew from
(archive, cms, ingest, search) import none of the apps built on them, which register into their
hooks and registries instead (docs/architecture.md)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ("archive", "cms", "ingest", "search")
ABOVE = ("library", "stats", "experts", "iiif", "oai", "harvest", "api", "opendata")
ABOVE_TAG_LIBRARIES = tuple(
    path.stem for app in ABOVE for path in (ROOT / app / "templatetags").glob("*.py") if path.stem != "__init__"
)


def _imports(app: str) -> set[str]:
    pattern = re.compile(r"^\s*(?:from|import)\s+([a-z_]+)", re.MULTILINE)
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue  # migrations name other apps' models by string, as Django writes them
        found |= {(name, str(path.relative_to(ROOT))) for name in pattern.findall(path.read_text(encoding="utf-8"))}
    return found


def test_the_archive_imports_nothing_of_ours():
    ours = {"cms", "ingest", "search", "accounts", *ABOVE}
    assert sorted(where for name, where in _imports("archive") if name in ours) == []


@pytest.mark.parametrize("app", CORE)
def test_the_core_apps_import_none_of_the_apps_built_on_them(app):
    assert sorted(f"{where}: {name}" for name, where in _imports(app) if name in ABOVE) == []


@pytest.mark.parametrize("app", CORE)
def test_the_core_apps_templates_load_no_tags_of_the_apps_built_on_them(app):
    load = re.compile(r"{%\s*load\s+([^%]*)%}")
    offending = []
    for path in (ROOT / app).rglob("*.html"):
        for libraries in load.findall(path.read_text(encoding="utf-8")):
            offending += [
                f"{path.relative_to(ROOT)}: {name}" for name in libraries.split() if name in ABOVE_TAG_LIBRARIES
            ]
    assert offending == []
