# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``vlm_frame_budget``: does one via-server chunk fit the VLM's context?"""

from __future__ import annotations

DOCUMENTATION = r"""
name: vlm_frame_budget
short_description: Whether one via-server chunk (its frames, its text, the reply) fits the VLM's max_model_len
version_added: "0.2.0"
description:
  - via-server 2.4.1 sends each chunk to an OpenAI-compatible VLM as one chat request with
    C(frames) JPEG images (10 by default) at the video's size (or C(VLM_INPUT_WIDTH) x
    C(VLM_INPUT_HEIGHT)), some text, and asks for C(max_tokens) 1024. vLLM answers 400 to a request
    whose prompt plus C(max_tokens) exceeds its C(max_model_len), so every chunk of such a video fails.
  - Image tokens follow Qwen-VL's rule, one token per O(token_px) x O(token_px) pixels after rounding
    each side to a multiple of it (Qwen3-VL 32; Qwen2.5-VL 28), plus 2 for the image's start and end
    markers; about 880 for 1280x720 and 2040 for 1920x1080 with Qwen3-VL.
  - Returns the estimate and, when it does not fit, a message naming the variables that chose each number.
options:
  _input:
    description:
      - "A dict: C(max_model_len) (int or null when unknown), C(frames), C(width), C(height),
        C(reply_tokens), C(text_tokens), C(token_px) (default 32), and for the message C(context_from)
        (what set max_model_len), C(frames_from) and C(size_from)."
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: The lab's chunks fit its vLLM
  ansible.builtin.assert:
    that: _budget.fits
    fail_msg: "{{ _budget.problem }}"
  vars:
    _budget: >-
      {{ {'max_model_len': 32768, 'frames': 10, 'width': 1920, 'height': 1080, 'reply_tokens': 1024,
          'text_tokens': 512} | netai.vlm_server.vlm_frame_budget }}
"""

RETURN = r"""
_value:
  description: The estimate.
  type: dict
  contains:
    tokens_per_frame:
      description: Image tokens of one frame.
      type: int
    needed:
      description: Tokens one chunk's request needs (frames, text and reply).
      type: int
    fits:
      description: Whether it fits (true when max_model_len is unknown).
      type: bool
    problem:
      description: The message when it does not fit, else empty.
      type: str
"""

import math
import re
from typing import Any, Dict, Mapping, Optional

from ansible.errors import AnsibleFilterError

MAX_PIXELS = 16777216  # Qwen-VL's cap on one image's pixels (4096 x 4096)


def frame_tokens(width: int, height: int, token_px: int = 32) -> int:
    """Image tokens of one width x height frame, start and end markers included."""
    if width < 1 or height < 1:
        raise AnsibleFilterError("a frame size must be positive, got %dx%d" % (width, height))
    sides = [max(token_px, round(side / token_px) * token_px) for side in (width, height)]
    if sides[0] * sides[1] > MAX_PIXELS:
        shrink = math.sqrt(width * height / MAX_PIXELS)
        sides = [max(token_px, math.floor(side / shrink / token_px) * token_px) for side in (width, height)]
    return (sides[0] // token_px) * (sides[1] // token_px) + 2


def context_length(value: Any) -> Optional[int]:
    """max_model_len as vLLM reads it (8192, 32k, 32K), or None when unknown."""
    if value is None or value == "":
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", str(value))
    if not match:
        raise AnsibleFilterError("max_model_len %r is not a number of tokens" % (value,))
    scale = {"": 1, "k": 1000, "m": 1000 ** 2, "K": 1024, "M": 1024 ** 2}[match.group(2)]
    return int(float(match.group(1)) * scale)


def vlm_frame_budget(spec: Mapping[str, Any]) -> Dict[str, Any]:
    """See DOCUMENTATION."""
    if not isinstance(spec, Mapping):
        raise AnsibleFilterError("vlm_frame_budget expects a dict, got %s" % type(spec).__name__)
    try:
        frames, width, height = int(spec["frames"]), int(spec["width"]), int(spec["height"])
        reply, text = int(spec.get("reply_tokens", 1024)), int(spec.get("text_tokens", 512))
        token_px = int(spec.get("token_px", 32))
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError("vlm_frame_budget: frames, width, height (and numbers for the rest) needed: %s" % exc)
    per_frame = frame_tokens(width, height, token_px)
    needed = frames * per_frame + text + reply
    limit = context_length(spec.get("max_model_len"))
    problem = "" if limit is None or needed <= limit else (
        "%s: %d frames of %dx%d (%s) are about %d image tokens; with via-server's %d-token reply and %d for its "
        "text, one chunk needs about %d tokens, more than max_model_len %d (%s): vLLM would answer 400 to "
        "every chunk. Raise max_model_len, lower the frames per chunk, or resize the frames "
        "(via_server_vlm_input_size)." % (
            spec.get("frames_from", "frames"), frames, width, height, spec.get("size_from", "frame size"),
            frames * per_frame, reply, text, needed, limit, spec.get("context_from", "the VLM")))
    return {"tokens_per_frame": per_frame, "needed": needed, "fits": not problem, "problem": problem}


class FilterModule:
    """vlm_frame_budget filter."""

    def filters(self) -> Dict[str, Any]:
        return {"vlm_frame_budget": vlm_frame_budget}
