"""A small PNG decoder (8-bit greyscale/RGB/RGBA, not interlaced): enough to look at a screenshot's pixels."""

from __future__ import annotations

import struct
import zlib

_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """``(width, height, channels, rows)``: each row the unfiltered bytes of one line of pixels."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat = 8, b""
    width = height = depth = color = interlace = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if depth != 8 or color not in _CHANNELS or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour {color}, interlace {interlace})")
    channels = _CHANNELS[color]
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        filter_type = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = prev[x]
            if filter_type == 1:
                line[x] = (line[x] + left) & 0xFF
            elif filter_type == 2:
                line[x] = (line[x] + up) & 0xFF
            elif filter_type == 3:
                line[x] = (line[x] + ((left + up) >> 1)) & 0xFF
            elif filter_type == 4:
                upleft = prev[x - channels] if x >= channels else 0
                line[x] = (line[x] + _paeth(left, up, upleft)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def distinct_colours(data: bytes) -> int:
    """How many different pixel values a PNG holds."""
    _, _, channels, rows = decode_png(data)
    seen: set[bytes] = set()
    for row in rows:
        seen.update(row[i : i + channels] for i in range(0, len(row), channels))
    return len(seen)
