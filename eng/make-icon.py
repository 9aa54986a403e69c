#!/usr/bin/env python3
"""Draws eng/icon.png, the packages' 128x128 icon (usage bars over a gauge at 80%), with the standard library only."""
import struct
import zlib
from pathlib import Path

SIZE = 128
BACKGROUND, WHITE, AMBER = (31, 111, 139, 255), (255, 255, 255, 255), (245, 166, 35, 255)


def inside_rounded(x, y, left, top, right, bottom, radius):
    if not (left <= x <= right and top <= y <= bottom):
        return False
    cx = min(max(x, left + radius), right - radius)
    cy = min(max(y, top + radius), bottom - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def colour_at(x, y):
    px, py = x + 0.5, y + 0.5
    colour = BACKGROUND if inside_rounded(px, py, 0, 0, SIZE, SIZE, 22) else (0, 0, 0, 0)
    for left, top in ((22, 30), (38, 42), (54, 36), (70, 24), (86, 48)):  # usage per period
        if left <= px <= left + 10 and top <= py <= 64:
            colour = WHITE
    if inside_rounded(px, py, 18, 74, 110, 96, 11):  # the limit
        colour = WHITE
    if inside_rounded(px, py, 22, 78, 88, 92, 7):  # 80% of it used
        colour = AMBER
    return colour


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


rows = b"".join(b"\x00" + b"".join(bytes(colour_at(x, y)) for x in range(SIZE)) for y in range(SIZE))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
Path(__file__).with_name("icon.png").write_bytes(png)
