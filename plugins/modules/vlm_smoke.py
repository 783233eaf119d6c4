#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""End-to-end smoke test of a VLM server: vLLM chat with an image, via-server summarize of a clip."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vlm_smoke
short_description: Ask each vLLM instance about a generated image, and via-server to caption a real video clip
version_added: "0.1.0"
description:
  - For each entry of O(vllm), sends one OpenAI chat completion with a small generated PNG image
    (a data URL) to C(<url>/chat/completions) and checks that text comes back.
  - With O(via_server_url), reads C(/models) of via-server, uploads O(clip) (an H.264 MP4 on the target)
    to C(/files) (multipart, C(purpose=vision), C(media_type=video)), asks C(/generate_vlm_captions) for
    it, checks that every chunk of the answer holds text, then deletes the file again
    (C(DELETE /files/<id>)). That call goes file, decode, frames, VLM, and needs no CA-RAG; it is
    the path the lab uses. (C(/summarize) is not used; with CA-RAG off via-server refuses a
    non-streaming answer, and with CA-RAG on the summary comes from CA-RAG's LLM, not the VLM.)
  - Reports the latency of every call and fails, naming each failed target and what it answered,
    when any check fails. Never changes the host (C(changed) is always false). In check mode it
    sends nothing and reports what it would test.
  - API keys are never returned or logged.
options:
  vllm:
    description: The vLLM instances to ask.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The instance's name, for the report.
        type: str
        required: true
      url:
        description: Base URL of its OpenAI API, ending in C(/v1).
        type: str
        required: true
      model:
        description: The served model name.
        type: str
        required: true
      api_key:
        description: Its API key (sent as a bearer token); empty for none.
        type: str
        default: ""
  via_server_url:
    description: Base URL of via-server's API (backend port, no C(/v1)); empty to skip via-server.
    type: str
    default: ""
  clip:
    description:
      - Path on the target of the video clip to upload (H.264 or H.265 in MP4 or MKV, what via-server
        2.4.1 accepts). Required with O(via_server_url).
    type: path
  prompt:
    description: The question asked about the image and the clip.
    type: str
    default: Describe what you see in one sentence.
  max_tokens:
    description: Upper bound on the length of each answer (per chunk for the clip).
    type: int
    default: 64
  timeout:
    description: Seconds allowed for each HTTP call.
    type: int
    default: 120
  chunk_duration:
    description: Seconds per chunk asked of via-server (0 = the whole clip as one chunk).
    type: int
    default: 2
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - Python 3 on the host (standard library only; the image is generated in pure Python, the clip ships with the role)
author:
  - netai lab (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Smoke-test the VLM and via-server
  netai.vlm_server.vlm_smoke:
    vllm:
      - name: qwen3-vl-8b
        url: http://127.0.0.1:38011/v1
        model: Qwen3-VL-8B-Instruct
        api_key: "{{ vllm_api_key }}"
    via_server_url: http://127.0.0.1:8100
    clip: /var/lib/netai/smoke/netai-smoke-640x360-h264.mp4
  register: smoke

- name: Show the latencies
  ansible.builtin.debug:
    msg: "{{ smoke.results | map(attribute='latency_ms') | list }}"
"""

RETURN = r"""
results:
  description: One entry per check, in the order they ran.
  returned: always
  type: list
  elements: dict
  contains:
    target:
      description: What was checked (C(vllm <served name>), C(via-server upload), C(via-server captions)).
      type: str
    url:
      description: The URL asked.
      type: str
    ok:
      description: Whether the check passed.
      type: bool
    latency_ms:
      description: How long the answer took, in milliseconds.
      type: int
    text:
      description: What the server answered (the caption, the file id), shortened.
      type: str
    error:
      description: Why the check failed (empty when it passed).
      type: str
  sample:
    - target: vllm qwen3-vl-8b
      url: http://127.0.0.1:38011/v1/chat/completions
      ok: true
      latency_ms: 812
      text: The image shows a colour gradient.
      error: ""
    - target: via-server upload
      url: http://127.0.0.1:8100/files
      ok: true
      latency_ms: 95
      text: file id 4b0c...
      error: ""
    - target: via-server captions
      url: http://127.0.0.1:8100/generate_vlm_captions
      ok: true
      latency_ms: 4210
      text: "2 chunks: A test pattern with colour bars and a moving counter."
      error: ""
failed_targets:
  description: The targets whose check failed.
  returned: always
  type: list
  elements: str
  sample: []
"""

import base64
import json
import os
import time
import uuid
from typing import Any, Dict, List, Optional, Tuple

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import open_url

from ansible_collections.netai.vlm_server.plugins.module_utils.smoke_media import png_bytes

TEXT_LIMIT = 200


def _call(method: str, url: str, timeout: int, body: Optional[bytes] = None,
          headers: Optional[Dict[str, str]] = None) -> Tuple[int, Any, int]:
    """One HTTP call; returns (status, parsed JSON or text, latency in ms). Raises on transport errors."""
    start = time.monotonic()
    try:
        response = open_url(url, method=method, data=body, headers=headers or {}, timeout=timeout,
                            validate_certs=True, follow_redirects="safe")
        status, raw = response.getcode(), response.read()
    except Exception as exc:  # HTTPError carries a status and a body
        status = getattr(exc, "code", None)
        if status is None:
            raise
        raw = exc.read() if hasattr(exc, "read") else b""
    latency = int((time.monotonic() - start) * 1000)
    text = raw.decode("utf-8", "replace")
    try:
        return status, json.loads(text), latency
    except ValueError:
        return status, text, latency


def _answer_text(payload: Any) -> str:
    """The assistant's text of an OpenAI-style chat or summarization answer, or ''."""
    try:
        content = payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        return ""
    return content.strip() if isinstance(content, str) else ""


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + "..."


def _result(target: str, url: str, ok: bool, latency: int, text: str = "", error: str = "") -> Dict[str, Any]:
    return {"target": target, "url": url, "ok": ok, "latency_ms": latency, "text": _short(text), "error": error}


def check_vllm(instance: Dict[str, Any], prompt: str, max_tokens: int, timeout: int) -> Dict[str, Any]:
    """Ask one vLLM instance about a generated image."""
    url = instance["url"].rstrip("/") + "/chat/completions"
    target = "vllm " + instance["name"]
    image = "data:image/png;base64," + base64.b64encode(png_bytes()).decode("ascii")
    body = {"model": instance["model"], "max_tokens": max_tokens, "temperature": 0,
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": prompt},
                {"type": "image_url", "image_url": {"url": image}}]}]}
    headers = {"Content-Type": "application/json"}
    if instance.get("api_key"):
        headers["Authorization"] = "Bearer " + instance["api_key"]
    try:
        status, payload, latency = _call("POST", url, timeout, json.dumps(body).encode(), headers)
    except Exception as exc:
        return _result(target, url, False, 0, error="no answer: %s" % exc)
    text = _answer_text(payload)
    if status != 200 or not text:
        return _result(target, url, False, latency, error="HTTP %s: %s" % (status, _short(payload)))
    return _result(target, url, True, latency, text)


def multipart(fields: Dict[str, str], filename: str, content: bytes, content_type: str) -> Tuple[bytes, str]:
    """A multipart/form-data body with text fields and one file field named 'file'."""
    boundary = "netai-smoke-" + uuid.uuid4().hex
    parts: List[bytes] = []
    for key, value in fields.items():
        parts.append(('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                      % (boundary, key, value)).encode())
    parts.append(('--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
                  'Content-Type: %s\r\n\r\n' % (boundary, filename, content_type)).encode() + content + b"\r\n")
    parts.append(("--%s--\r\n" % boundary).encode())
    return b"".join(parts), "multipart/form-data; boundary=" + boundary


def _captions_text(payload: Any) -> Tuple[int, str]:
    """(chunks, text) of a /generate_vlm_captions answer; (n, '') when a chunk holds no text."""
    chunks = payload.get("chunk_responses") if isinstance(payload, dict) else None
    if not isinstance(chunks, list) or not chunks:
        return 0, ""
    texts = [c.get("content") if isinstance(c, dict) else None for c in chunks]
    good = [t.strip() for t in texts if isinstance(t, str) and t.strip()]
    if len(good) != len(texts):
        return len(chunks), ""
    return len(chunks), good[0]


def check_via_server(base: str, clip: str, prompt: str, max_tokens: int, timeout: int,
                     chunk_duration: int) -> List[Dict[str, Any]]:
    """Upload the clip to via-server, caption it through the VLM, delete it."""
    base = base.rstrip("/")
    results: List[Dict[str, Any]] = []
    try:
        status, models, latency = _call("GET", base + "/models", timeout)
        model = models["data"][0]["id"] if status == 200 else None
    except Exception as exc:
        return [_result("via-server", base + "/models", False, 0, error="no answer: %s" % exc)]
    if not model:
        return [_result("via-server", base + "/models", False, latency, error="HTTP %s: %s" % (status, _short(models)))]

    with open(clip, "rb") as handle:
        content = handle.read()
    body, content_type = multipart({"purpose": "vision", "media_type": "video"}, os.path.basename(clip),
                                   content, "video/mp4")
    try:
        status, uploaded, latency = _call("POST", base + "/files", timeout, body, {"Content-Type": content_type})
    except Exception as exc:
        return [_result("via-server upload", base + "/files", False, 0, error="no answer: %s" % exc)]
    file_id = uploaded.get("id") if isinstance(uploaded, dict) else None
    if status != 200 or not file_id:
        return [_result("via-server upload", base + "/files", False, latency,
                        error="HTTP %s: %s" % (status, _short(uploaded)))]
    results.append(_result("via-server upload", base + "/files", True, latency, "file id %s" % file_id))

    request = {"id": file_id, "model": model, "prompt": prompt, "chunk_duration": chunk_duration,
               "max_tokens": max_tokens}
    url = base + "/generate_vlm_captions"
    try:
        status, captions, latency = _call("POST", url, timeout, json.dumps(request).encode(),
                                          {"Content-Type": "application/json"})
        count, text = _captions_text(captions)
        if status == 200 and text:
            results.append(_result("via-server captions", url, True, latency, "%d chunks: %s" % (count, text)))
        else:
            hint = " (via-server's log says why)" if status == 500 else ""
            results.append(_result("via-server captions", url, False, latency,
                                   error="HTTP %s: %s%s" % (status, _short(captions), hint)))
    except Exception as exc:
        results.append(_result("via-server captions", url, False, 0, error="no answer: %s" % exc))
    finally:
        try:
            _call("DELETE", base + "/files/" + file_id, timeout)
        except Exception:  # the captions are what counts; a leftover upload is harmless
            pass
    return results


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            vllm=dict(type="list", elements="dict", default=[], options=dict(
                name=dict(type="str", required=True),
                url=dict(type="str", required=True),
                model=dict(type="str", required=True),
                api_key=dict(type="str", default="", no_log=True),
            )),
            via_server_url=dict(type="str", default=""),
            clip=dict(type="path"),
            prompt=dict(type="str", default="Describe what you see in one sentence."),
            max_tokens=dict(type="int", default=64, no_log=False),
            timeout=dict(type="int", default=120),
            chunk_duration=dict(type="int", default=2),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if module.check_mode:
        planned = ["vllm " + i["name"] for i in params["vllm"]] + (["via-server"] if params["via_server_url"] else [])
        module.exit_json(changed=False, results=[], failed_targets=[], msg="check mode: would test " + ", ".join(planned))

    if params["via_server_url"] and not params["clip"]:
        module.fail_json(msg="clip is required with via_server_url (the video to upload)")
    if params["via_server_url"] and not os.path.isfile(params["clip"]):
        module.fail_json(msg="clip %s is not a file on this host" % params["clip"])
    results = [check_vllm(i, params["prompt"], params["max_tokens"], params["timeout"]) for i in params["vllm"]]
    if params["via_server_url"]:
        results += check_via_server(params["via_server_url"], params["clip"], params["prompt"],
                                    params["max_tokens"], params["timeout"], params["chunk_duration"])
    failed = [r["target"] for r in results if not r["ok"]]
    if failed:
        module.fail_json(msg="smoke test failed for %s: %s" % (", ".join(failed), "; ".join(
            "%s (%s): %s" % (r["target"], r["url"], r["error"]) for r in results if not r["ok"])),
            results=results, failed_targets=failed)
    module.exit_json(changed=False, results=results, failed_targets=[])


if __name__ == "__main__":
    main()
