"""The STAND-IN via-server refuses what via-server 2.4.1 refuses and answers as it answers.

Each test names the fact it holds the stand-in to (the VSS facts sheet, section "Verified against
the real 2.4.1 source"). The VLM behind it is the STAND-IN vLLM, or a recorder for the start-up call.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List

import pytest

from conftest import CLIP, free_port, http, jcall, multipart

MODEL = "Qwen3-VL-8B-Instruct"


class Recorder:
    """A VLM that records what it is sent and answers with a fixed status."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: List[Dict[str, Any]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length", "0") or 0)
                recorder.requests.append({"method": self.command, "path": self.path,
                                          "auth": self.headers.get("Authorization"),
                                          "body": json.loads(self.rfile.read(length) or b"null")})
                body = json.dumps({"choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}]}
                                  if recorder.status == 200 else {"error": "Unauthorized"}).encode()
                self.send_response(recorder.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return "http://127.0.0.1:%d/v1" % self.port


@pytest.fixture
def recorder() -> Iterator[Any]:
    made: List[Recorder] = []

    def _make(status: int = 200) -> Recorder:
        made.append(Recorder(status))
        return made[-1]

    yield _make
    for r in made:
        r.server.shutdown()


def via_env(endpoint: str, **extra: str) -> Dict[str, str]:
    env = {"VLM_MODEL_TO_USE": "openai-compat", "VIA_VLM_ENDPOINT": endpoint,
           "VIA_VLM_OPENAI_MODEL_DEPLOYMENT_NAME": MODEL, "OPENAI_API_KEY": "empty", "DISABLE_CA_RAG": "true"}
    env.update(extra)
    return env


@pytest.fixture
def pair(start) -> Any:
    """A stand-in vLLM (max_model_len 8192) and a stand-in via-server using it."""
    vllm = start("vllm", ["--served-model-name", MODEL, "--max-model-len", "8192"])
    via = start("via", env=via_env(vllm.base + "/v1"))
    return vllm, via


def upload(via: Any, name: str, data: bytes, **fields: str) -> Any:
    form = {"purpose": "vision", "media_type": "video"}
    form.update(fields)
    body, ctype = multipart({k: v for k, v in form.items() if v is not None}, (name, data))
    status, raw, _headers = http("POST", via.base + "/files", raw=body, headers={"Content-Type": ctype})
    return status, json.loads(raw or b"null")


def test_startup_is_one_text_only_chat_call(start, recorder):
    """Facts: one POST {endpoint}/chat/completions, text only, max_tokens 1024, temperature 0.2,
    top_p 1, seed 1, the deployment name, key VIA_VLM_API_KEY; never GET /models."""
    vlm = recorder()
    via = start("via", env=via_env(vlm.endpoint, VIA_VLM_API_KEY="via-key", OPENAI_API_KEY="openai-key"))
    assert [(r["method"], r["path"]) for r in vlm.requests] == [("POST", "/v1/chat/completions")]
    call = vlm.requests[0]
    assert call["auth"] == "Bearer via-key"
    body = call["body"]
    assert (body["model"], body["max_tokens"], body["temperature"], body["top_p"], body["seed"]) == (MODEL, 1024, 0.2, 1, 1)
    parts = [p for m in body["messages"] for p in m["content"]]
    assert [p["type"] for p in parts] == ["text"]
    status, raw, _headers = http("GET", via.base + "/health/ready")
    assert (status, raw) == (200, b"")
    assert http("GET", via.base + "/health/live")[:2] == (200, b"")
    status, models = jcall("GET", via.base + "/models")
    assert models["data"][0]["id"] == MODEL and models["data"][0]["api_type"] == "openai"
    # `docker stop` (SIGTERM): it exits at once instead of Docker's 10 s wait for a PID 1 that ignores it.
    via.proc.send_signal(signal.SIGTERM)
    assert via.proc.wait(timeout=5) == 0


def test_startup_key_falls_back_to_openai_api_key(start, recorder):
    """Facts: without VIA_VLM_API_KEY, the key is OPENAI_API_KEY."""
    vlm = recorder()
    start("via", env=via_env(vlm.endpoint, OPENAI_API_KEY="openai-key"))
    assert vlm.requests[0]["auth"] == "Bearer openai-key"


@pytest.mark.parametrize("status", [401, 404, 400])
def test_startup_failure_exits_without_listening(start, recorder, status):
    """Facts: on any error of the start-up call it logs "Error connecting to model" and exits."""
    vlm = recorder(status)
    via = start("via", env=via_env(vlm.endpoint), wait=False)
    assert via.proc.wait(30) == 1
    assert "Error connecting to model" in via.output()


def test_startup_with_an_unreachable_vlm_exits(start):
    via = start("via", env=via_env("http://127.0.0.1:%d/v1" % free_port()), wait=False)
    assert via.proc.wait(60) == 1 and "Error connecting to model" in via.output()


def test_files_checks(pair, tmp_path):
    """Facts: purpose and media_type required (422), the filename pattern (400), a probe that refuses
    what is not a video in a documented codec (400 InvalidFile); the reply's fields."""
    _vllm, via = pair
    clip = CLIP.read_bytes()
    status, body = upload(via, "clip.mp4", clip, purpose=None)
    assert (status, body) == (422, {"code": "InvalidParameters", "message": "('body', 'purpose'): Field required"})
    status, body = upload(via, "clip.mp4", clip, media_type=None)
    assert status == 422 and body["message"] == "('body', 'media_type'): Field required"
    status, body = upload(via, "clip.mp4", clip, media_type="audio")
    assert status == 422 and "media_type" in body["message"]
    status, body = upload(via, "bad$name.mp4", clip)
    assert status == 400 and body["code"] == "BadParameters" and "filename should match pattern" in body["message"]
    raw_avi = tmp_path / "raw.avi"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=4:duration=2",
                    "-c:v", "rawvideo", "-pix_fmt", "bgr24", str(raw_avi)], check=True)
    for name, data in (("raw.avi", raw_avi.read_bytes()), ("notes.mp4", b"not a video at all")):
        status, body = upload(via, name, data)
        assert (status, body) == (400, {"code": "InvalidFile", "message": "File does not seem to be a valid video file"})
    status, body = upload(via, "netai-smoke.mp4", clip)
    assert status == 200
    assert set(body) == {"id", "bytes", "filename", "media_type", "purpose"}
    assert (body["bytes"], body["filename"], body["media_type"], body["purpose"]) == (len(clip), "netai-smoke.mp4", "video", "vision")
    assert jcall("DELETE", via.base + "/files/" + body["id"]) == (200, {"id": body["id"], "object": "file", "deleted": True})
    status, again = jcall("DELETE", via.base + "/files/" + body["id"])
    assert status == 400 and again["code"] == "BadParameter"


def test_captions_decode_ten_jpeg_frames_per_chunk_into_one_request(pair):
    """Facts: per chunk, 10 frames (default) as base64 JPEG at the clip's size in ONE chat request;
    /generate_vlm_captions answers chunk_responses with start/end times and the VLM's text."""
    vllm, via = pair
    file_id = upload(via, "clip.mp4", CLIP.read_bytes())[1]["id"]
    status, reply = jcall("POST", via.base + "/generate_vlm_captions",
                          {"id": file_id, "model": MODEL, "prompt": "Describe it.", "chunk_duration": 2, "max_tokens": 64})
    assert status == 200, reply
    assert set(reply) >= {"id", "created", "model", "media_info", "usage", "chunk_responses"}
    chunks = reply["chunk_responses"]
    assert [(c["start_time"], c["end_time"]) for c in chunks] == [("0.0", "2.0"), ("2.0", "4.0")]
    for chunk in chunks:
        assert chunk["content"].startswith("stand-in reply from %s (10 images: 640x360 JPEG" % MODEL)
    report = jcall("GET", via.base + "/netai-standin/report")[1]
    calls = [c for c in report["vlm_calls"] if c["purpose"] == "captions"]
    assert [(c["images"], c["image_prefixes"], c["max_tokens"]) for c in calls] == \
        [(10, ["data:image/jpeg;base64"], 64)] * 2
    status, reply = jcall("POST", via.base + "/generate_vlm_captions",
                          {"id": file_id, "model": MODEL, "prompt": "x", "num_frames_per_chunk": 4,
                           "vlm_input_width": 320, "vlm_input_height": 180})
    assert status == 200 and reply["chunk_responses"][0]["content"].startswith(
        "stand-in reply from %s (4 images: 320x180 JPEG" % MODEL)


def test_captions_fail_when_the_frames_do_not_fit_the_vlm_context(start):
    """Facts: each frame costs VLM context; a chunk that does not fit max_model_len is a 400 from vLLM,
    so via-server's captions fail (500 "Failed to generate VLM captions")."""
    vllm = start("vllm", ["--served-model-name", MODEL, "--max-model-len", "2048"])
    via = start("via", env=via_env(vllm.base + "/v1"))
    file_id = upload(via, "clip.mp4", CLIP.read_bytes())[1]["id"]
    status, reply = jcall("POST", via.base + "/generate_vlm_captions", {"id": file_id, "model": MODEL, "prompt": "x"})
    assert (status, reply) == (500, {"code": "InternalServerError", "message": "Failed to generate VLM captions"})
    assert "maximum model length of 2048" in via.output()


def test_request_models_and_summarize(pair):
    """Facts: extra keys 422, wrong model 400 "No such model", bad UUID 422, unknown id 400;
    /summarize stream false refused when CA-RAG is disabled, stream true answers events ending [DONE]."""
    _vllm, via = pair
    file_id = upload(via, "clip.mp4", CLIP.read_bytes())[1]["id"]
    url = via.base + "/generate_vlm_captions"
    assert jcall("POST", url, {"id": file_id, "model": MODEL, "bogus": 1}) == \
        (422, {"code": "InvalidParameters", "message": "('body', 'bogus'): Extra inputs are not permitted"})
    assert jcall("POST", url, {"id": file_id})[1]["message"] == "('body', 'model'): Field required"
    assert jcall("POST", url, {"id": file_id, "model": "Other"}) == \
        (400, {"code": "BadParameters", "message": "No such model 'Other'"})
    assert jcall("POST", url, {"id": "nope", "model": MODEL})[0] == 422
    assert jcall("POST", url, {"id": file_id, "model": MODEL, "max_tokens": 20000})[1]["message"] == \
        "('body', 'max_tokens'): Input should be less than or equal to 10240"
    unknown = "00000000-0000-0000-0000-000000000000"
    assert jcall("POST", url, {"id": unknown, "model": MODEL}) == \
        (400, {"code": "BadParameter", "message": "No such resource %s" % unknown})
    summarize = via.base + "/summarize"
    assert jcall("POST", summarize, {"id": file_id, "model": MODEL, "prompt": "x", "stream": False}) == \
        (400, {"code": "BadParameters", "message": "Only streaming output is supported for files when CA-RAG is disabled"})
    assert jcall("POST", summarize, {"id": file_id, "model": MODEL, "prompt": ""})[1]["message"] == "VLM prompt is required"
    request = {"id": file_id, "model": MODEL, "prompt": "x", "stream": True, "chunk_duration": 2}
    status, raw, headers = http("POST", summarize, request)
    events = [line[len("data: "):] for line in raw.decode().splitlines() if line.startswith("data: ")]
    assert status == 200 and headers["Content-Type"].startswith("text/event-stream")
    assert events[-1] == "[DONE]" and len(events) == 3
    first = json.loads(events[0])
    assert first["object"] == "summarization.progressing" and first["choices"][0]["message"]["content"]
