"""The vlm_frame_budget filter: one via-server chunk against the VLM's max_model_len."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.filter.vlm_frame_budget import frame_tokens, vlm_frame_budget


@pytest.mark.parametrize("size, tokens", [((1280, 720), 882), ((1920, 1080), 2042), ((640, 360), 222),
                                          ((64, 64), 6), ((8192, 8192), 16386)])
def test_frame_tokens_follow_the_facts(size, tokens):
    """Facts: about 880 tokens at 1280x720 and 2040 at 1920x1080 (Qwen3-VL, 32 px per token)."""
    assert frame_tokens(*size) == tokens


def test_the_runbooks_8192_cannot_hold_an_hd_chunk():
    budget = vlm_frame_budget({"max_model_len": 8192, "frames": 10, "width": 1920, "height": 1080,
                               "reply_tokens": 1024, "text_tokens": 512, "context_from": "vllm_instances[0] (qwen)",
                               "frames_from": "via_server_frames_per_chunk", "size_from": "via_server_video_max_size"})
    assert not budget["fits"] and budget["needed"] == 10 * 2042 + 1536
    assert budget["problem"].startswith("via_server_frames_per_chunk: 10 frames of 1920x1080 (via_server_video_max_size)")
    assert "more than max_model_len 8192 (vllm_instances[0] (qwen))" in budget["problem"]


def test_the_lab_default_holds_1080p_and_unknown_fits():
    assert vlm_frame_budget({"max_model_len": 32768, "frames": 10, "width": 1920, "height": 1080})["fits"]
    assert vlm_frame_budget({"max_model_len": None, "frames": 10, "width": 1920, "height": 1080})["problem"] == ""


def test_max_model_len_as_vllm_reads_it():
    spec = {"frames": 10, "width": 1920, "height": 1080}
    assert vlm_frame_budget(dict(spec, max_model_len="32k"))["fits"]
    assert not vlm_frame_budget(dict(spec, max_model_len="8K"))["fits"]
    with pytest.raises(AnsibleFilterError, match="not a number of tokens"):
        vlm_frame_budget(dict(spec, max_model_len="lots"))


def test_bad_input():
    with pytest.raises(AnsibleFilterError):
        vlm_frame_budget({"frames": 10})
    with pytest.raises(AnsibleFilterError):
        vlm_frame_budget({"frames": 1, "width": 0, "height": 1})
