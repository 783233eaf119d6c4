"""netai.vlm_server.vlm_smoke and its generated media, against the STAND-IN vLLM and via-server."""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request
import zlib
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.netai.vlm_server.plugins.module_utils.smoke_media import avi_bytes, png_bytes
from ansible_collections.netai.vlm_server.plugins.modules import vlm_smoke

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _png_chunks(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks.append((kind, body))
        pos += 12 + length
    return chunks


def test_png_is_a_valid_rgb_image():
    chunks = _png_chunks(png_bytes(16, 8))
    assert [c[0] for c in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    assert (width, height, depth, colour) == (16, 8, 8, 2)
    raw = zlib.decompress(chunks[1][1])
    assert len(raw) == 8 * (1 + 16 * 3)  # a filter byte and 16 RGB pixels per row


def _riff_walk(data: bytes, pos: int, end: int, out: list, depth: int = 0):
    while pos < end:
        fourcc, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        assert pos + 8 + size <= end, "chunk %r overruns its parent" % fourcc
        if fourcc in (b"RIFF", b"LIST"):
            out.append((depth, fourcc + b":" + data[pos + 8:pos + 12]))
            _riff_walk(data, pos + 12, pos + 8 + size, out, depth + 1)
        else:
            out.append((depth, fourcc))
        pos += 8 + size + (size % 2)


def test_avi_structure_and_index():
    data = avi_bytes(width=10, height=6, fps=3, seconds=2)
    tree: list = []
    _riff_walk(data, 0, len(data), tree)
    names = [name for _, name in tree]
    assert names[:6] == [b"RIFF:AVI ", b"LIST:hdrl", b"avih", b"LIST:strl", b"strh", b"strf"]
    assert names.count(b"00db") == 6 and names[-1] == b"idx1"
    frame_size = (10 * 3 + 2) * 6  # rows padded to 4 bytes
    avih_at = data.index(b"avih") + 8
    per_frame_us, _, _, flags, total = struct.unpack("<5I", data[avih_at:avih_at + 20])
    assert (per_frame_us, flags & 0x10, total) == (333333, 0x10, 6)
    strf_at = data.index(b"strf") + 8
    assert struct.unpack("<IiiHHI", data[strf_at:strf_at + 20]) == (40, 10, 6, 1, 24, 0)
    movi = data.index(b"movi")
    idx = data.index(b"idx1") + 8
    for n in range(6):
        ckid, _, offset, size = struct.unpack("<4sIII", data[idx + 16 * n:idx + 16 * (n + 1)])
        assert ckid == b"00db" and size == frame_size
        assert data[movi + offset:movi + offset + 4] == b"00db"
    first, second = (data[movi + 4 + 8:movi + 4 + 8 + frame_size],
                     data[movi + 4 + 16 + frame_size:movi + 4 + 16 + 2 * frame_size])
    assert first != second  # the picture moves


def test_media_rejects_bad_sizes():
    with pytest.raises(ValueError):
        png_bytes(0, 4)
    with pytest.raises(ValueError):
        avi_bytes(fps=0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen) -> None:
    for _ in range(100):
        assert proc.poll() is None, "stand-in exited early"
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("stand-in did not answer at " + url)


@pytest.fixture(name="standins")
def fixture_standins(tmp_path):
    """The STAND-IN vLLM (with an API key) and the STAND-IN via-server pointed at it."""
    model = tmp_path / "model"
    model.mkdir()
    vllm_port, via_port = _free_port(), _free_port()
    vllm = subprocess.Popen([sys.executable, str(FIXTURES / "standin_vllm/openai_server.py"), "--model", str(model),
                             "--served-model-name", "Lab-VLM", "--host", "127.0.0.1", "--port", str(vllm_port),
                             "--api-key", "unit-key"], stdout=subprocess.DEVNULL)
    procs = [vllm]
    try:
        _wait("http://127.0.0.1:%d/health" % vllm_port, vllm)
        env = dict(os.environ, BACKEND_PORT=str(via_port), VLM_MODEL_TO_USE="openai-compat",
                   VIA_VLM_ENDPOINT="http://127.0.0.1:%d/v1" % vllm_port, VIA_VLM_API_KEY="unit-key",
                   VIA_VLM_OPENAI_MODEL_DEPLOYMENT_NAME="Lab-VLM")
        via = subprocess.Popen([sys.executable, str(FIXTURES / "standin_via_server/via_server.py")], env=env,
                               stdout=subprocess.DEVNULL)
        procs.append(via)
        _wait("http://127.0.0.1:%d/health/ready" % via_port, via)
        yield {"vllm": "http://127.0.0.1:%d/v1" % vllm_port, "via": "http://127.0.0.1:%d" % via_port}
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def _run(capsys, args):
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            vlm_smoke.main()
    return json.loads(capsys.readouterr().out)


def test_smoke_passes_and_reports_latency(standins, capsys):
    out = _run(capsys, {"vllm": [{"name": "lab", "url": standins["vllm"], "model": "Lab-VLM", "api_key": "unit-key"}],
                        "via_server_url": standins["via"]})
    assert not out.get("failed") and out["changed"] is False
    assert [r["target"] for r in out["results"]] == ["vllm lab", "via-server upload", "via-server"]
    assert all(r["ok"] and r["latency_ms"] >= 0 for r in out["results"])
    assert "(1 images)" in out["results"][0]["text"]
    assert out["results"][2]["text"].startswith("stand-in reply from Lab-VLM")
    assert "unit-key" not in json.dumps(out)


def test_smoke_names_the_failed_target(standins, capsys):
    out = _run(capsys, {"vllm": [{"name": "good", "url": standins["vllm"], "model": "Lab-VLM", "api_key": "unit-key"},
                                 {"name": "nokey", "url": standins["vllm"], "model": "Lab-VLM"},
                                 {"name": "down", "url": "http://127.0.0.1:%d/v1" % _free_port(), "model": "x"}]})
    assert out["failed"] is True
    assert out["failed_targets"] == ["vllm nokey", "vllm down"]
    assert "HTTP 401" in out["msg"] and "no answer" in out["msg"]


def test_check_mode_sends_nothing(capsys):
    out = _run(capsys, {"vllm": [{"name": "a", "url": "http://127.0.0.1:9/v1", "model": "m"}],
                        "via_server_url": "http://127.0.0.1:9", "_ansible_check_mode": True})
    assert not out.get("failed") and out["results"] == []
    assert "vllm a, via-server" in out["msg"]


def test_multipart_body_carries_fields_and_file():
    body, content_type = vlm_smoke.multipart({"purpose": "vision"}, "c.avi", b"RIFFxxxxAVI ", "video/x-msvideo")
    boundary = content_type.split("boundary=")[1]
    assert body.startswith(b"--" + boundary.encode()) and body.endswith(b"--" + boundary.encode() + b"--\r\n")
    assert b'name="purpose"\r\n\r\nvision\r\n' in body and b'filename="c.avi"' in body
