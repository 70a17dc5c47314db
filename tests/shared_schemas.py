"""The official schemas the exchange formats are validated against, offline: ``../shared/schemas/`` beside
the repository (IIIF Presentation 3, OAI-PMH 2.0, oai_dc, MARCXML; see its README), or where
``SHARED_SCHEMAS_DIR`` says. A test that needs one fails, naming where it looked, when it is missing:
a schema that is not there must never pass for a document that was not checked."""

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent


def schemas_dir() -> Path:
    candidates = [Path(os.environ["SHARED_SCHEMAS_DIR"])] if os.environ.get("SHARED_SCHEMAS_DIR") else []
    candidates += [REPOSITORY.parent / "shared" / "schemas", Path("/work/shared/schemas")]
    for candidate in candidates:
        if (candidate / "oai-pmh" / "OAI-PMH.xsd").is_file():
            return candidate
    pytest.fail(f"The official schemas were not found in {', '.join(map(str, candidates))} (set SHARED_SCHEMAS_DIR).")


def schema(*parts: str) -> Path:
    return schemas_dir().joinpath(*parts)
