"""Placeholder portraits for the demo's party members (the 党员 board shows one per member)."""

import struct
import zlib

#: PNG, as the wall serves only JPEG and PNG (cases.organisation.wall): an SVG would never show.
PORTRAIT_TYPE = "image/png"
#: The discs' colours, taken in turn down the staff list.
COLOURS = ("#8c2f39", "#1d4e89", "#2d6a4f", "#6a4c93", "#b5651d")
WIDTH, HEIGHT = 96, 120


def _rgb(colour: str) -> bytes:
    return bytes.fromhex(colour.lstrip("#"))


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def portrait(name: str, colour: str) -> bytes:
    """A head and shoulders in the member's colour on a pale ground (PNG, made without a library).

    ``name`` varies the ground a little, so neighbours on the wall are told apart."""
    ground = bytes((244 - len(name) % 3 * 4, 241, 234))
    figure, face = _rgb(colour), bytes((238, 206, 180))
    rows = []
    for y in range(HEIGHT):
        row = bytearray([0])  # filter: none
        for x in range(WIDTH):
            head = (x - WIDTH / 2) ** 2 + (y - HEIGHT * 0.46) ** 2 < (WIDTH * 0.21) ** 2
            body = (x - WIDTH / 2) ** 2 / 1.8 + (y - HEIGHT * 0.98) ** 2 < (WIDTH * 0.42) ** 2
            row += face if head else figure if body else ground
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )
