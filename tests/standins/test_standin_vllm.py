"""The STAND-IN vLLM refuses what vLLM 0.11.0 refuses and answers as it answers.

Each test names the fact it holds the stand-in to (docs: the vLLM facts sheet; the contract:
tests/fixtures/standin_vllm/vllm-0.11.0-cli.json, recorded from the real parser).
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import signal
import socket
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from PIL import Image

from conftest import CONTRACT, REPO, VLLM, jcall

from ansible_collections.netai.vlm_server.plugins.filter.vllm_args import vllm_args

SPEC = importlib.util.spec_from_file_location("standin_vllm", VLLM)
standin = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(standin)  # type: ignore[union-attr]
OPTIONS: List[Dict[str, Any]] = json.loads(CONTRACT.read_text())["options"]
MODEL = "Qwen3-VL-8B-Instruct"


def parse(argv: List[str]) -> Any:
    return standin.build_parser(str(CONTRACT)).parse_args(["--model", "/m"] + argv)


def sample_value(option: Dict[str, Any]) -> str:
    if option.get("choices"):
        return [c for c in option["choices"] if c != "None"][0]
    return {"int": "2", "float": "0.5", "json": "{}", "human_readable_int": "8k", "bool": "true",
            "loads": '["*"]'}.get(option.get("type") or "", "x")


@pytest.mark.parametrize("option", OPTIONS, ids=[o["dest"] for o in OPTIONS])
def test_every_option_of_the_contract_is_accepted(option):
    """Contract: every option of the real 0.11.0 parser, each of its forms."""
    for form in option["options"]:
        argv = [form] if option["kind"] == "flag" else [form, sample_value(option)]
        args = parse(argv)
        if option["kind"] == "flag":
            assert getattr(args, option["dest"]) is (not form.startswith("--no-"))


@pytest.mark.parametrize("argv, message", [
    (["--bogus-flag"], "unrecognized arguments: --bogus-flag"),
    (["--max-model"], "unrecognized arguments"),            # no abbreviations
    (["--max_model_len", "8"], "unrecognized arguments"),   # only the recorded spellings
    (["--dtype", "float64"], "invalid choice"),
    (["--block-size", "7"], "invalid choice"),
    (["--max-model-len", "lots"], "invalid human readable integer"),
    (["--media-io-kwargs", "{not json"], "not valid JSON"),
    (["--tensor-parallel-size", "one"], "invalid int value"),
    (["--no-headless"], "unrecognized arguments"),          # a switch without a --no- form
])
def test_refuses_what_the_parser_refuses(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        parse(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_prefix_caching_is_on_unless_no_form():
    """Facts: enable_prefix_caching unset means ON; only --no-enable-prefix-caching turns it off."""
    assert parse([]).enable_prefix_caching is None
    assert parse(["--no-enable-prefix-caching"]).enable_prefix_caching is False
    assert parse(["--enable-prefix-caching"]).enable_prefix_caching is True


def test_a_value_after_a_switch_is_the_positional_model_tag():
    """Facts: `--trust-remote-code false` turns it on and takes `false` as the ignored model tag."""
    args = parse(["--trust-remote-code", "false"])
    assert args.trust_remote_code is True and args.model_tag == "false"


def test_the_roles_lab_command_line_parses():
    """The vllm role's rendered command line (defaults: the lab's run script) is a valid 0.11.0 one."""
    defaults = yaml.safe_load((REPO / "roles/vllm/defaults/main.yml").read_text())
    flags = vllm_args(defaults["vllm_default_options"], defaults["vllm_known_options"])
    args = standin.build_parser(str(CONTRACT)).parse_args(
        ["--model", "/models/Qwen3-VL-8B-Instruct", "--served-model-name", MODEL, "--host", "0.0.0.0",
         "--port", "38011"] + flags)
    assert args.max_model_len == defaults["vllm_default_options"]["max_model_len"]
    assert args.media_io_kwargs == {"video": {"num_frames": -1}}


def test_missing_model_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        standin.main(["--port", "1"])
    assert exc.value.code == 2 and "needs --model" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="no config.json"):
        standin.main(["--model", str(tmp_path), "--port", "1"])


def png(width: int, height: int, fmt: str = "PNG") -> str:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 160)).save(buf, fmt)
    return "data:image/%s;base64,%s" % (fmt.lower(), base64.b64encode(buf.getvalue()).decode())


def chat(images: List[str], max_tokens: Any = 64, model: str = MODEL) -> Dict[str, Any]:
    content: List[Dict[str, Any]] = [{"type": "image_url", "image_url": {"url": u}} for u in images]
    content.append({"type": "text", "text": "Describe these images in one sentence."})
    body: Dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": content}]}
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
    return body


def test_http_like_vllm(start):
    """Facts: /health 200 empty; /v1/models fields; model check 404 nested; usage in replies."""
    vllm = start("vllm", ["--served-model-name", MODEL, "--max-model-len", "8192"])
    status, body = jcall("GET", vllm.base + "/health")
    assert (status, body) == (200, None)
    status, models = jcall("GET", vllm.base + "/v1/models")
    entry = models["data"][0]
    assert status == 200 and models["object"] == "list"
    assert {"id", "object", "created", "owned_by", "root", "parent", "max_model_len", "permission"} <= set(entry)
    assert entry["id"] == MODEL and entry["max_model_len"] == 8192
    status, reply = jcall("POST", vllm.base + "/v1/chat/completions", chat([png(64, 64)]))
    assert status == 200, reply
    assert reply["choices"][0]["message"]["content"].startswith("stand-in reply from %s (1 images: 64x64 PNG" % MODEL)
    assert set(reply["usage"]) == {"prompt_tokens", "completion_tokens", "total_tokens"}
    status, reply = jcall("POST", vllm.base + "/v1/chat/completions", chat([png(64, 64)], model="Other"))
    assert status == 404
    assert reply["error"]["type"] == "NotFoundError" and reply["error"]["code"] == 404
    assert "Other" in reply["error"]["message"]
    status, reply = jcall("GET", vllm.base + "/v1/nothing")
    assert status == 404


def test_the_key_guards_only_v1(start):
    """Facts: with a key, /v1/* is 401 {"error": "Unauthorized"}; /invocations, /tokenize, /version,
    /metrics and /health answer without it (VLLM_API_KEY is read when --api-key is not given)."""
    vllm = start("vllm", env={"VLLM_API_KEY": "k-123"})
    assert jcall("GET", vllm.base + "/v1/models") == (401, {"error": "Unauthorized"})
    assert jcall("GET", vllm.base + "/v1/models", headers={"Authorization": "Bearer wrong"})[0] == 401
    assert jcall("GET", vllm.base + "/v1/models", headers={"Authorization": "Bearer k-123"})[0] == 200
    assert jcall("POST", vllm.base + "/v1/chat/completions", chat([png(32, 32)]))[0] == 401
    status, reply = jcall("POST", vllm.base + "/invocations", chat([png(32, 32)]))
    assert status == 200 and "stand-in reply" in reply["choices"][0]["message"]["content"]
    assert jcall("GET", vllm.base + "/version") == (200, {"version": "0.11.0"})
    assert jcall("POST", vllm.base + "/tokenize", {"prompt": "hello"})[0] == 200
    assert jcall("GET", vllm.base + "/metrics")[0] == 200
    assert jcall("GET", vllm.base + "/health")[0] == 200


def test_images_are_decoded(start):
    """Facts: data URLs are decoded, a broken image is a 400 (JPEG with via-server's zero padding decodes)."""
    vllm = start("vllm")
    status, reply = jcall("POST", vllm.base + "/v1/chat/completions",
                          chat(["data:image/png;base64," + base64.b64encode(b"not a png").decode()]))
    assert status == 400 and reply["error"]["type"] == "BadRequestError"
    padded = png(640, 360, "JPEG") + base64.b64encode(b"\0" * 30).decode()
    status, reply = jcall("POST", vllm.base + "/v1/chat/completions", chat([png(640, 360, "JPEG")] * 9 + [padded]))
    assert status == 200 and "(10 images: 640x360 JPEG" in reply["choices"][0]["message"]["content"]


@pytest.mark.parametrize("size, tokens", [((1280, 720), 880), ((1920, 1080), 2040), ((640, 360), 220)])
def test_image_tokens_by_resolution(size, tokens):
    """Facts: Qwen3-VL image tokens about (H/32)*(W/32): ~880 at 1280x720, ~2040 at 1920x1080."""
    assert abs(standin.image_tokens(*size) - tokens) <= 4


def test_prompt_and_max_tokens_must_fit_max_model_len(start):
    """Facts: prompt (text + image tokens) plus max_tokens over max_model_len is a 400."""
    vllm = start("vllm", ["--served-model-name", MODEL, "--max-model-len", "4096"])
    url = vllm.base + "/v1/chat/completions"
    small = [png(640, 360, "JPEG")] * 10           # ~2,220 tokens: fits with a 1024-token reply
    status, reply = jcall("POST", url, chat(small, 1024))
    assert status == 200, reply
    status, reply = jcall("POST", url, chat(small, 2000))
    assert status == 400 and "maximum context length is 4096" in reply["error"]["message"]
    hd = [png(1280, 720, "JPEG")] * 10              # ~8,800 tokens: the prompt alone does not fit
    status, reply = jcall("POST", url, chat(hd, None))
    assert status == 400 and "longer than the maximum model length of 4096" in reply["error"]["message"]


def test_does_not_listen_while_loading(start):
    """Facts: connection refused while the model loads, then /health 200."""
    began = time.monotonic()
    vllm = start("vllm", env={"STANDIN_LOAD_SECONDS": "1.5"}, wait=False)
    time.sleep(0.5)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", vllm.port), timeout=0.5).close()
    vllm.wait_listening("/health")
    assert time.monotonic() - began >= 1.5
    assert jcall("GET", vllm.base + "/health")[0] == 200


def test_tensor_parallel_size_must_match_the_gpus_after_loading(start):
    """Facts: tensor_parallel_size different from the GPUs the container sees fails after start-up."""
    vllm = start("vllm", ["--served-model-name", MODEL, "--tensor-parallel-size", "1"],
                 env={"NVIDIA_VISIBLE_DEVICES": "0,1", "STANDIN_LOAD_SECONDS": "0.5"}, wait=False)
    assert vllm.proc.wait(15) == 1
    assert "2 GPU(s) are visible" in vllm.output()
    ok = start("vllm", ["--served-model-name", MODEL, "--tensor-parallel-size", "2"],
               env={"NVIDIA_VISIBLE_DEVICES": "0,1"})
    assert jcall("GET", ok.base + "/health")[0] == 200


def test_contract_is_the_recorded_one():
    """The stand-in reads the whole recorded contract (183 options of vLLM 0.11.0), not a subset."""
    contract = json.loads(Path(CONTRACT).read_text())
    assert "0.11.0" in contract["vllm_version"] and len(contract["options"]) == 183


def test_docker_stop_ends_it_at_once(start):
    """`docker stop` sends SIGTERM: the server exits (0) at once, as vLLM's uvicorn app does."""
    vllm = start("vllm", ["--served-model-name", MODEL])
    vllm.proc.send_signal(signal.SIGTERM)
    assert vllm.proc.wait(timeout=5) == 0
