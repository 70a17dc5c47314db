"""Pure media processing for ingest: no Django here, so workers and benchmarks can use it directly.

Modules: ``sniff`` (what a file is), ``probe`` (technical metadata), ``images``, ``video``, ``audio``,
``documents``, ``captions`` (access copies), ``ffmpeg`` (the one way ffmpeg is run), ``outputs``
(atomic, idempotent writes), ``pipeline`` (all of it for one file).

Messages for curators (a ``ProcessingError``'s, warnings, notes) are written in English and marked with
``errors.gettext_noop`` for ``makemessages``; ``ingest.messages.translate_reason`` translates them where they
are shown.
"""

from .errors import ProcessingError
from .pipeline import Options, inspect, process
from .sniff import Sniffed, sniff

__all__ = ["Options", "ProcessingError", "Sniffed", "inspect", "process", "sniff"]
