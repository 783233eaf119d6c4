# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small media generated in pure Python for smoke tests: a PNG image and an AVI clip.

No imaging library is needed on the target: the PNG is zlib-compressed RGB rows, the clip is
an uncompressed AVI (RIFF, one video stream of 24-bit BI_RGB frames, with an idx1 index) that
FFmpeg and GStreamer decode. Both show a moving colour gradient, so frames differ.
"""

from __future__ import annotations

import struct
import zlib
from typing import List, Tuple

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


def _frame_bgr(width: int, height: int, frame: int) -> bytes:
    """One BI_RGB frame: bottom-up rows of BGR pixels, each row padded to 4 bytes."""
    pad = (4 - (width * 3) % 4) % 4
    out = bytearray()
    for y in range(height - 1, -1, -1):
        for x in range(width):
            r, g, b = _pixel(x, y, width, height, frame)
            out.extend((b, g, r))
        out.extend(b"\0" * pad)
    return bytes(out)


def _riff_chunk(fourcc: bytes, data: bytes) -> bytes:
    return fourcc + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")


def _riff_list(kind: bytes, body: bytes) -> bytes:
    return _riff_chunk(b"LIST", kind + body)


def avi_bytes(width: int = 64, height: int = 48, fps: int = 4, seconds: int = 2) -> bytes:
    """An uncompressed AVI clip of seconds x fps frames."""
    if width < 1 or height < 1 or fps < 1 or seconds < 1:
        raise ValueError("width, height, fps and seconds must be positive")
    count = fps * seconds
    frames: List[bytes] = [_frame_bgr(width, height, i) for i in range(count)]
    frame_size = len(frames[0])

    avih = struct.pack("<14I", 1000000 // fps, frame_size * fps, 0, 0x10, count, 0, 1,
                       frame_size, width, height, 0, 0, 0, 0)
    strh = (b"vids" + b"DIB " + struct.pack("<IHHIIIIIIII", 0, 0, 0, 0, 1, fps, 0, count,
                                            frame_size, 0xFFFFFFFF, 0)
            + struct.pack("<hhhh", 0, 0, width, height))
    strf = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, frame_size, 0, 0, 0, 0)
    hdrl = _riff_list(b"hdrl", _riff_chunk(b"avih", avih)
                      + _riff_list(b"strl", _riff_chunk(b"strh", strh) + _riff_chunk(b"strf", strf)))

    movi_body = bytearray()
    index = bytearray()
    for data in frames:
        offset = 4 + len(movi_body)  # from the 'movi' fourcc
        index.extend(b"00db" + struct.pack("<III", 0x10, offset, len(data)))
        movi_body.extend(_riff_chunk(b"00db", data))
    movi = _riff_list(b"movi", bytes(movi_body))
    return _riff_chunk(b"RIFF", b"AVI " + hdrl + movi + _riff_chunk(b"idx1", bytes(index)))
