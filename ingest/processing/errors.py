"""The one exception type of the processing layer, and the marker for its messages."""


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation and return it unchanged (the processing layer runs without Django).

    ``makemessages`` collects every ``gettext_noop("...")`` literal; messages are raised and stored in
    English, with ``%(name)s`` placeholders filled in, and :func:`ingest.messages.translate_reason` puts them
    in the reader's language where they are shown. Use it for every sentence a curator may read (a
    ``ProcessingError`` message, a warning, a note), one sentence or line per call, never with a line break.
    """
    return message


class ProcessingError(Exception):
    """A failure whose ``message`` can be shown to a curator (in English; translated where it is shown).

    ``code`` is a short stable key for programs and tests (``empty_file``, ``pixel_limit``, …);
    ``detail`` keeps technical output (a tool's stderr) for the logs.
    """

    def __init__(self, message: str, *, code: str = "error", detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.detail = detail

    def __str__(self) -> str:
        return self.message
