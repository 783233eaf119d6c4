"""Start the STAND-IN servers (tests/fixtures/standin_*) as local processes for their own tests.

The stand-ins promise to refuse what the real vLLM 0.11.0 and via-server 2.4.1 refuse; these
tests hold them to it (see each stand-in's README table). They need what the stand-in images
have: Pillow (in the project's virtualenv), ffmpeg and mediainfo (Debian's, installed by make setup).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
VLLM = FIXTURES / "standin_vllm" / "openai_server.py"
VIA = FIXTURES / "standin_via_server" / "via_server.py"
CONTRACT = FIXTURES / "standin_vllm" / "vllm-0.11.0-cli.json"
CLIP = REPO / "roles" / "smoke" / "files" / "netai-smoke-640x360-h264.mp4"
if str(REPO / "collections") not in sys.path:
    sys.path.insert(0, str(REPO / "collections"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(method: str, url: str, body: Any = None, headers: Optional[Dict[str, str]] = None,
         raw: Optional[bytes] = None, timeout: float = 60) -> Tuple[int, bytes, Dict[str, str]]:
    """(status, body bytes, headers) of one call; HTTP errors are answers too."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def jcall(method: str, url: str, body: Any = None, headers: Optional[Dict[str, str]] = None,
          timeout: float = 60) -> Tuple[int, Any]:
    status, data, _headers = http(method, url, body, headers, timeout=timeout)
    try:
        return status, json.loads(data or b"null")
    except ValueError:
        return status, data.decode("utf-8", "replace")


def multipart(fields: Dict[str, str], file: Optional[Tuple[str, bytes]] = None) -> Tuple[bytes, str]:
    boundary = "standin-test-boundary"
    parts: List[bytes] = []
    for key, value in fields.items():
        parts.append(('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary, key, value)).encode())
    if file is not None:
        parts.append(('--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
                      'Content-Type: application/octet-stream\r\n\r\n' % (boundary, file[0])).encode() + file[1] + b"\r\n")
    parts.append(("--%s--\r\n" % boundary).encode())
    return b"".join(parts), "multipart/form-data; boundary=" + boundary


class Proc:
    """A stand-in server process and where it listens."""

    def __init__(self, argv: List[str], env: Dict[str, str], port: int, log: Path) -> None:
        self.port, self.log = port, log
        self.handle = log.open("w")
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("VLLM_", "VIA_", "NVIDIA_", "OPENAI_"))}
        full_env.update(env)
        self.proc = subprocess.Popen(argv, env=full_env, stdout=self.handle, stderr=subprocess.STDOUT)

    @property
    def base(self) -> str:
        return "http://127.0.0.1:%d" % self.port

    def output(self) -> str:
        self.handle.flush()
        return self.log.read_text()

    def wait_listening(self, path: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("stand-in exited %s: %s" % (self.proc.returncode, self.output()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("stand-in did not listen on %d: %s" % (self.port, self.output()))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.handle.close()


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Any]:
    """start(kind, args, env) -> Proc, stopped at the end of the test."""
    procs: List[Proc] = []

    def _start(kind: str, args: Optional[List[str]] = None, env: Optional[Dict[str, str]] = None,
               wait: bool = True) -> Proc:
        port = free_port()
        if kind == "vllm":
            model = tmp_path / "model"
            model.mkdir(exist_ok=True)
            (model / "config.json").write_text('{"architectures": ["StandIn"], "note": "STAND-IN model folder"}')
            argv = [sys.executable, str(VLLM), "--model", str(model), "--host", "127.0.0.1", "--port", str(port)]
            argv += args if args is not None else ["--served-model-name", "Qwen3-VL-8B-Instruct"]
            health = "/health"
        else:
            argv = [sys.executable, str(VIA)]
            env = dict(env or {}, BACKEND_PORT=str(port))
            health = "/health/ready"
        proc = Proc(argv, dict(env or {}), port, tmp_path / ("%s-%d.log" % (kind, port)))
        procs.append(proc)
        if wait:
            proc.wait_listening(health)
        return proc

    yield _start
    for proc in procs:
        proc.stop()
