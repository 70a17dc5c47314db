"""The one exception type of the processing layer."""


class ProcessingError(Exception):
    """A failure whose ``message`` can be shown to a curator as it is.

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
