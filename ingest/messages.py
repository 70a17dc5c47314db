"""Messages of the processing layer in the reader's language.

``ingest.processing`` runs without Django, so it cannot translate: it raises and returns its messages in
English and marks each template with :func:`ingest.processing.errors.gettext_noop`, which ``makemessages``
collects like Django's own. The English text is what is stored (``ProcessingJob.message``, the notes and
warnings) and what the logs show; :func:`translate_reason` translates it where it is shown (the admin, the
upload results, the import report). It finds the marked template the text was made from, translates the
template and fills it with the same values, themselves translated where they are marked too ("This file is
%(what)s" with "a Linux program (ELF)"). So messages stored before a translation existed are shown
translated as well.
"""

import ast
import functools
import re
from pathlib import Path

from django.utils.translation import gettext

PROCESSING = Path(__file__).resolve().parent / "processing"
MARKER = "gettext_noop"
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


@functools.cache
def templates() -> tuple[str, ...]:
    """Every message template marked in ``ingest/processing`` (read from the source, as makemessages does)."""
    found: dict[str, None] = {}
    for path in sorted(PROCESSING.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == MARKER
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found[node.args[0].value] = None
    return tuple(found)


def _pattern(template: str) -> re.Pattern:
    """A regular expression that matches what ``template % values`` gives, capturing the values by name."""
    parts, names, position = [], set(), 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        name = match.group(1)
        if name is None:
            parts.append("%")
        elif name in names:
            parts.append(f"(?P={name})")
        else:
            parts.append(f"(?P<{name}>.*?)")
            names.add(name)
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts))


@functools.cache
def _patterns() -> tuple[tuple[re.Pattern, str], ...]:
    # The template with the most fixed text first: the most specific one wins.
    ordered = sorted(templates(), key=lambda template: -len(_PLACEHOLDER.sub("", template)))
    return tuple((_pattern(template), template) for template in ordered)


def translate_reason(text: str) -> str:
    """``text``, a message from ``ingest.processing``, in the active language; other text is returned as it is.

    A message of several lines (a captions file's problems, one per line) is translated line by line.
    """
    if not text:
        return text
    if "\n" in text:
        return "\n".join(translate_reason(line) for line in text.split("\n"))
    for pattern, template in _patterns():
        match = pattern.fullmatch(text)
        if match:
            values = {name: translate_reason(value) for name, value in match.groupdict().items()}
            return gettext(template) % values if _PLACEHOLDER.search(template) else gettext(template)
    return text
