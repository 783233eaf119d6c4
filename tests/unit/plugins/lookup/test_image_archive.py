"""image_archive: an archive's image ID and tags read on the controller, each unusable archive said why."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from ansible_collections.netai.vlm_server.plugins.lookup.image_archive import LookupModule
from ansible_collections.netai.vlm_server.plugins.plugin_utils.image_archive import read_archive

HEX = "ab" * 32


def archive(path: Path, manifest: object, name: str = "manifest.json") -> str:
    """A tar laid out as `docker save` writes it (Docker 25+: the config under blobs/sha256/)."""
    with tarfile.open(path, "w") as tar:
        data = json.dumps(manifest).encode() if not isinstance(manifest, bytes) else manifest
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return str(path)


def test_the_id_and_tags_of_a_saved_image_are_read(tmp_path: Path) -> None:
    path = archive(tmp_path / "vllm.tar", [{"Config": "blobs/sha256/" + HEX, "RepoTags": ["vllm/vllm-openai:v0.11.0"],
                                            "Layers": []}])
    answer = read_archive(path)
    assert answer["id"] == "sha256:" + HEX and answer["tags"] == ["vllm/vllm-openai:v0.11.0"]
    assert answer["problem"] == "" and answer["images"] == 1 and answer["size"] > 0


def test_an_older_docker_layout_is_read_too(tmp_path: Path) -> None:
    path = archive(tmp_path / "old.tar", [{"Config": HEX + ".json", "RepoTags": None, "Layers": []}])
    assert read_archive(path)["id"] == "sha256:" + HEX


def test_a_missing_archive_is_said_missing(tmp_path: Path) -> None:
    answer = read_archive(str(tmp_path / "nope.tar"))
    assert not answer["exists"] and "no such archive on the controller" in answer["problem"]


def test_a_file_that_is_no_image_archive_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.tar"
    plain.write_bytes(b"not a tar")
    assert "not an image archive" in read_archive(str(plain))["problem"]
    no_manifest = archive(tmp_path / "other.tar", b"{}", name="other.json")
    assert "not an image archive" in read_archive(no_manifest)["problem"]
    empty = archive(tmp_path / "empty.tar", [])
    assert read_archive(empty)["id"] == "" and read_archive(empty)["problem"]


def test_the_lookup_answers_one_dict_per_path(tmp_path: Path) -> None:
    path = archive(tmp_path / "a.tar", [{"Config": HEX + ".json", "RepoTags": ["a:1"]}])
    answers = LookupModule().run([path, str(tmp_path / "b.tar")])
    assert [a["exists"] for a in answers] == [True, False]
