"""Colour contrast of the site's palette meets WCAG 2.1 AA (4.5:1 for text)."""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "critical.css"  # the palette (site.css uses it)


def variables():
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{3,6})", CSS.read_text()))


def luminance(hex_colour):
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(c * 2 for c in hex_colour)
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("ink", "paper"),
        ("muted", "paper"),
        ("accent", "paper"),
        ("accent-ink", "accent"),
        ("ink", "soft"),
        ("muted", "soft"),
    ],
)
def test_text_colours_have_enough_contrast(text, background):
    palette = variables()
    assert contrast(palette[text], palette[background]) >= 4.5, (text, background)
