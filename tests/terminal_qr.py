"""Read a QR code printed in block characters the way a phone sees it on a dark terminal."""

from __future__ import annotations

import zxingcpp
from PIL import Image

LIGHT_TOP = {"█", "▀"}
LIGHT_BOTTOM = {"█", "▄"}
PIXELS_PER_MODULE = 8


def decode_terminal_qr(lines: list[str]) -> list[str]:
    """Each character is one module wide and two high; unlit cells are the dark background.
    Not inverted: many phone cameras read only dark-on-light codes."""
    width = max(len(line) for line in lines)
    image = Image.new("L", (width, len(lines) * 2), 0)
    for row, line in enumerate(lines):
        for column, glyph in enumerate(line):
            image.putpixel((column, 2 * row), 255 if glyph in LIGHT_TOP else 0)
            image.putpixel((column, 2 * row + 1), 255 if glyph in LIGHT_BOTTOM else 0)
    # A margin of background round it, as the terminal window gives.
    framed = Image.new("L", (width + 8, len(lines) * 2 + 8), 0)
    framed.paste(image, (4, 4))
    big = framed.resize((framed.width * PIXELS_PER_MODULE, framed.height * PIXELS_PER_MODULE))
    return [result.text for result in zxingcpp.read_barcodes(big, try_invert=False)]
