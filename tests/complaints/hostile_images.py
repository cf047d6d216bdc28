"""Images built to crash a decoder: headers that claim 20000×20000 and stop, chunks that are
missing. Shared by the evidence tests, the upload doors and the decoder fuzz test."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int, *, pixels: bool = True) -> bytes:
    """A PNG whose header claims ``width``×``height``, then a few compressed bytes and no end;
    without ``pixels``, a header and an end with no image data between them."""
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    body = (
        png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))[:20] if pixels else png_chunk(b"IEND", b"")
    )
    return b"\x89PNG\r\n\x1a\n" + header + body


def gif_claiming(width: int, height: int) -> bytes:
    """A GIF whose screen and first image claim ``width``×``height``, truncated after that."""
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0)
    return screen + b"," + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x08"


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header is rewritten to claim ``width``×``height``."""
    data = bytearray(sample("JPEG"))
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def webp_claiming(width: int, height: int) -> bytes:
    """An extended WebP header (VP8X) with a canvas of ``width``×``height`` and nothing after."""
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    chunk = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + canvas
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def sample(fmt: str, size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def blank_png(width: int, height: int) -> bytes:
    """A complete, valid black-and-white PNG: small on disk whatever its size in pixels."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


DAMAGED = "The image “{name}” is damaged or not what it claims."
TOO_LARGE = "The image “{name}” is too large: at most 89 megapixels."

# (name, content, content type, the refusal): Pillow raises DecompressionBombError, IndexError,
# SyntaxError or OSError for these, or only warns; the first two used to answer 500.
DECODER_CRASHES = [
    ("huge.png", png_claiming(20000, 20000), "image/png", TOO_LARGE),
    ("big.png", png_claiming(10000, 10000), "image/png", TOO_LARGE),
    ("huge.gif", gif_claiming(20000, 20000), "image/gif", TOO_LARGE),
    ("huge.jpg", jpeg_claiming(20000, 20000), "image/jpeg", TOO_LARGE),
    ("huge.webp", webp_claiming(20000, 20000), "image/webp", TOO_LARGE),
    ("empty.png", png_claiming(8, 8, pixels=False), "image/png", DAMAGED),
    ("cut.webp", sample("WEBP")[:20], "image/webp", DAMAGED),
]
