"""netai.vlm_server.vlm_smoke and its generated media, against the STAND-IN vLLM and via-server."""

from __future__ import annotations

import contextlib
import io
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

from ansible_collections.netai.vlm_server.plugins.module_utils.smoke_media import png_bytes
from ansible_collections.netai.vlm_server.plugins.modules import vlm_smoke

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
CLIP = Path(__file__).resolve().parents[4] / "roles" / "smoke" / "files" / "netai-smoke-640x360-h264.mp4"


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


def test_png_decodes_with_a_real_decoder():
    """The stand-in vLLM decodes images with Pillow, as vLLM does: the generated PNG must decode."""
    from PIL import Image

    with Image.open(io.BytesIO(png_bytes(64, 64))) as image:
        image.load()
        assert (image.width, image.height, image.mode) == (64, 64, "RGB")


def test_media_rejects_bad_sizes():
    with pytest.raises(ValueError):
        png_bytes(0, 4)


def test_the_smoke_clip_is_a_real_h264_mp4():
    """roles/smoke/files: a few seconds of H.264 in MP4 at 640x360, tens of KB (what via-server accepts)."""
    out = subprocess.run(["mediainfo", "--Output=JSON", str(CLIP)], check=True, capture_output=True).stdout
    tracks = {t["@type"]: t for t in json.loads(out)["media"]["track"]}
    assert tracks["General"]["Format"] == "MPEG-4"
    assert tracks["Video"]["Format"] == "AVC"
    assert (int(tracks["Video"]["Width"]), int(tracks["Video"]["Height"])) == (640, 360)
    assert 2 <= float(tracks["Video"]["Duration"]) <= 10
    assert 10_000 < CLIP.stat().st_size < 100_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen) -> None:
    for _attempt in range(100):
        assert proc.poll() is None, "stand-in exited early"
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("stand-in did not answer at " + url)


@contextlib.contextmanager
def _servers(tmp_path, served, vllm_args, via_env):
    """A STAND-IN vLLM serving `served` and a STAND-IN via-server pointed at it: their base URLs."""
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text('{"note": "STAND-IN model folder"}')
    vllm_port, via_port = _free_port(), _free_port()
    vllm = subprocess.Popen([sys.executable, str(FIXTURES / "standin_vllm/openai_server.py"), "--model", str(model),
                             "--served-model-name", served, "--host", "127.0.0.1", "--port", str(vllm_port)]
                            + vllm_args, stdout=subprocess.DEVNULL)
    procs = [vllm]
    try:
        _wait("http://127.0.0.1:%d/health" % vllm_port, vllm)
        env = dict(os.environ, BACKEND_PORT=str(via_port), VIA_VLM_ENDPOINT="http://127.0.0.1:%d/v1" % vllm_port,
                   VIA_VLM_OPENAI_MODEL_DEPLOYMENT_NAME=served, **via_env)
        via = subprocess.Popen([sys.executable, str(FIXTURES / "standin_via_server/via_server.py")], env=env,
                               stdout=subprocess.DEVNULL)
        procs.append(via)
        _wait("http://127.0.0.1:%d/health/ready" % via_port, via)
        yield {"vllm": "http://127.0.0.1:%d/v1" % vllm_port, "via": "http://127.0.0.1:%d" % via_port}
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.fixture(name="standins")
def fixture_standins(tmp_path):
    """The STAND-IN vLLM (with an API key) and the STAND-IN via-server pointed at it."""
    with _servers(tmp_path, "Lab-VLM", ["--api-key", "unit-key"], {"VIA_VLM_API_KEY": "unit-key"}) as urls:
        yield urls


def _run(capsys, args):
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            vlm_smoke.main()
    return json.loads(capsys.readouterr().out)


def test_smoke_passes_and_reports_latency(standins, capsys):
    out = _run(capsys, {"vllm": [{"name": "lab", "url": standins["vllm"], "model": "Lab-VLM", "api_key": "unit-key"}],
                        "via_server_url": standins["via"], "clip": str(CLIP)})
    assert not out.get("failed") and out["changed"] is False, out
    assert [r["target"] for r in out["results"]] == ["vllm lab", "via-server upload", "via-server captions"]
    assert all(r["ok"] and r["latency_ms"] >= 0 for r in out["results"])
    assert "(1 images: 64x64 PNG" in out["results"][0]["text"]
    # 4 s in 2 s chunks, each captioned by the VLM from 10 JPEG frames at the clip's size
    assert out["results"][2]["text"].startswith("2 chunks: stand-in reply from Lab-VLM (10 images: 640x360 JPEG")
    assert "unit-key" not in json.dumps(out)


def test_smoke_fails_on_a_clip_via_server_refuses(standins, capsys, tmp_path):
    """An uncompressed AVI (what this module used to send) is refused by via-server's probe."""
    avi = tmp_path / "raw.avi"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=4:duration=2",
                    "-c:v", "rawvideo", "-pix_fmt", "bgr24", str(avi)], check=True)
    out = _run(capsys, {"via_server_url": standins["via"], "clip": str(avi)})
    assert out["failed"] is True and out["failed_targets"] == ["via-server upload"]
    assert "File does not seem to be a valid video file" in out["msg"]


def test_smoke_fails_when_the_frames_do_not_fit(capsys, tmp_path):
    """A VLM whose max_model_len cannot hold a chunk's frames fails the captions call, named."""
    with _servers(tmp_path, "Small", ["--max-model-len", "2048"], {}) as urls:
        out = _run(capsys, {"via_server_url": urls["via"], "clip": str(CLIP)})
    assert out["failed_targets"] == ["via-server captions"]
    assert "HTTP 500" in out["msg"] and "Failed to generate VLM captions" in out["msg"]


def test_smoke_names_the_failed_target(standins, capsys):
    out = _run(capsys, {"vllm": [{"name": "good", "url": standins["vllm"], "model": "Lab-VLM", "api_key": "unit-key"},
                                 {"name": "nokey", "url": standins["vllm"], "model": "Lab-VLM"},
                                 {"name": "down", "url": "http://127.0.0.1:%d/v1" % _free_port(), "model": "x"}]})
    assert out["failed"] is True
    assert out["failed_targets"] == ["vllm nokey", "vllm down"]
    assert "HTTP 401" in out["msg"] and "no answer" in out["msg"]


def test_check_mode_sends_nothing(capsys):
    out = _run(capsys, {"vllm": [{"name": "a", "url": "http://127.0.0.1:9/v1", "model": "m"}],
                        "via_server_url": "http://127.0.0.1:9", "clip": str(CLIP), "_ansible_check_mode": True})
    assert not out.get("failed") and out["results"] == []
    assert "vllm a, via-server" in out["msg"]


def test_multipart_body_carries_fields_and_file():
    body, content_type = vlm_smoke.multipart({"purpose": "vision"}, "c.mp4", b"\0\0\0\x18ftypmp42", "video/mp4")
    boundary = content_type.split("boundary=")[1]
    assert body.startswith(b"--" + boundary.encode()) and body.endswith(b"--" + boundary.encode() + b"--\r\n")
    assert b'name="purpose"\r\n\r\nvision\r\n' in body and b'filename="c.mp4"' in body
