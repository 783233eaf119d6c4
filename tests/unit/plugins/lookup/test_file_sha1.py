"""file_sha1: a controller file's SHA-1, found as copy's src is; a missing file named."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from ansible.errors import AnsibleLookupError
from ansible.parsing.dataloader import DataLoader

from ansible_collections.netai.vlm_server.plugins.lookup.file_sha1 import LookupModule, sha1_of


def test_the_checksum_of_a_binary_file(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(bytes(range(256)) * 5000)
    assert sha1_of(str(clip)) == hashlib.sha1(clip.read_bytes()).hexdigest()
    lookup = LookupModule(loader=DataLoader())
    assert lookup.run([str(clip)], variables={}) == [hashlib.sha1(clip.read_bytes()).hexdigest()]


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    lookup = LookupModule(loader=DataLoader())
    with pytest.raises(AnsibleLookupError, match="no-such-clip.mp4 not found"):
        lookup.run([str(tmp_path / "no-such-clip.mp4")], variables={})
