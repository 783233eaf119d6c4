"""image_problems: what an image the host cannot have yet is missing, and what to do about it."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from ansible_collections.netai.vlm_server.plugins.filter.image_holdings import image_holdings
from ansible_collections.netai.vlm_server.plugins.filter.image_problems import image_problems

PIN = "sha256:" + "ab" * 32
OTHER = "sha256:" + "cd" * 32
VLLM = {"key": "vllm", "ref": "vllm/vllm-openai:v0.11.0", "id": PIN, "cache_dir": "/cache"}


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
