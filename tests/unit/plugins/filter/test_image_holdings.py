"""image_holdings: which pinned image a host holds, decided in one place."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.filter.image_holdings import FilterModule, image_holdings

PIN = "sha256:" + "ab" * 32
OTHER = "sha256:" + "cd" * 32
VLLM = {"key": "vllm", "ref": "vllm/vllm-openai:v0.11.0", "id": PIN, "cache_dir": "/cache"}
VSS = {"key": "vss_engine", "ref": "registry.lab:5000/nvidia/blueprint/vss-engine:2.4.1", "id": "", "cache_dir": "/cache"}


def test_the_pinned_image_under_its_reference_is_ready() -> None:
    [entry] = image_holdings([VLLM], [{"Id": PIN, "RepoTags": ["vllm/vllm-openai:v0.11.0", "x:1"]}])
    assert entry["ready"] and not entry["wrong"] and entry["held"] == PIN
    assert entry["held_archive"] == "/cache/vllm-abababababab.tar"


def test_another_id_under_the_reference_is_wrong_and_other_tags_of_the_repository_are_named() -> None:
    [entry] = image_holdings([VLLM], [{"Id": OTHER, "RepoTags": ["vllm/vllm-openai:v0.11.0"]},
                                      {"Id": PIN, "RepoTags": ["vllm/vllm-openai:latest", "other/vllm-openai:v0.11.0"]}])
    assert entry["wrong"] and not entry["ready"] and entry["held"] == OTHER
    assert entry["others"] == ["vllm/vllm-openai:latest (%s)" % PIN[:19]]


def test_a_missing_image_is_neither_ready_nor_wrong_and_an_unpinned_one_is_ready_when_held() -> None:
    missing, vss = image_holdings([VLLM, VSS], [{"Id": OTHER, "RepoTags": [VSS["ref"]]}, {"Id": PIN, "RepoTags": None}])
    assert (missing["ready"], missing["wrong"], missing["held"], missing["held_archive"]) == (False, False, "", "")
    assert vss["ready"] and vss["held"] == OTHER  # a registry with a port is not mistaken for a tag


def test_bad_input_is_refused() -> None:
    with pytest.raises(AnsibleFilterError):
        image_holdings("x", [])  # type: ignore[arg-type]
    assert FilterModule().filters()["image_holdings"] is image_holdings
