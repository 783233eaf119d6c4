# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small image generated in pure Python for smoke tests: a PNG of a colour gradient.

No imaging library is needed on the target: the PNG is zlib-compressed RGB rows. (The video
clip of the smoke test is a real H.264 MP4, roles/smoke/files/: via-server refuses a clip
without a real video codec, so it cannot be generated here.)
"""

from __future__ import annotations

import struct
import zlib
from typing import Tuple

Pixel = Tuple[int, int, int]


def _pixel(x: int, y: int, width: int, height: int, frame: int) -> Pixel:
    """A gradient that moves with the frame number."""
    shift = frame * 16
    return ((x * 255 // max(width - 1, 1) + shift) % 256,
            (y * 255 // max(height - 1, 1)) % 256,
            (128 + shift * 3) % 256)


def png_bytes(width: int = 64, height: int = 64) -> bytes:
    """An RGB PNG of width x height pixels."""
    if width < 1 or height < 1:
        raise ValueError("width and height must be positive")

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type None
        for x in range(width):
            rows.extend(_pixel(x, y, width, height, 0))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))
