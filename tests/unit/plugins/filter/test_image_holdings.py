"""image_holdings: which pinned image a host holds, decided in one place."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

import io
import json
import tarfile
from pathlib import Path

from ansible_collections.netai.vlm_server.plugins.filter.image_holdings import FilterModule, image_holdings
from ansible_collections.netai.vlm_server.plugins.filter.image_problems import image_problems

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


def saved(path: Path, image_id: str) -> None:
    """An archive as docker save writes it (its manifest only)."""
    data = json.dumps([{"Config": "blobs/sha256/" + image_id.split(":")[1], "RepoTags": ["vllm/vllm-openai:v0.11.0"]}])
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data.encode()))


def test_each_problem_says_what_to_do(tmp_path: Path) -> None:
    archive = dict(VLLM, source="archive", archive=str(tmp_path / "vllm-abababababab.tar"), cache_dir=str(tmp_path))
    [missing] = image_problems(image_holdings([archive], []))
    assert missing.startswith("images_sources.vllm archive: ") and "no such archive on the controller" in missing
    assert "run playbooks/harvest.yml -l <a server that runs vllm/vllm-openai:v0.11.0>" in missing
    saved(tmp_path / "vllm-abababababab.tar", OTHER)
    [other] = image_problems(image_holdings([archive], []))
    assert "holds %s (vllm/vllm-openai:v0.11.0), not the pinned %s" % (OTHER, PIN) in other
    saved(tmp_path / "vllm-abababababab.tar", PIN)
    assert image_problems(image_holdings([archive], [])) == []
    # Held as the pin: the archive is not read at all (never needed, never re-sent).
    assert image_problems(image_holdings([dict(archive, archive="/nope.tar")], [{"Id": PIN, "RepoTags": [VLLM["ref"]]}])) == []
    # A new pin from the lab is brought (the host holds the old one): only its archive is checked.
    [other] = image_problems(image_holdings([dict(archive, id=OTHER, archive=str(tmp_path / "vllm-cdcdcdcdcdcd.tar"))],
                                            [{"Id": PIN, "RepoTags": [VLLM["ref"]]}]))
    assert "vllm-cdcdcdcdcdcd.tar: no such archive" in other
    [wrong] = image_problems(image_holdings([VLLM], [{"Id": OTHER, "RepoTags": [VLLM["ref"]]}]))
    assert wrong.startswith("images_ids.vllm: this host holds vllm/vllm-openai:v0.11.0 as %s, not the pinned" % OTHER)
