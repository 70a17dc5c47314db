"""pyvips, imported once with the loaders libvips marks untrusted (ImageMagick, MATLAB, …) blocked."""

import functools
from types import ModuleType


@functools.cache
def vips() -> ModuleType:
    """The pyvips module, configured for untrusted input."""
    import pyvips

    pyvips.block_untrusted_set(True)
    return pyvips
