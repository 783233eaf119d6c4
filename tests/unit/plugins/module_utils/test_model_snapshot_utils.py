"""model_snapshot: the helpers for what huggingface_hub does not do itself (manifest, reading its
verification and progress, free space), and the module's offline mode."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from types import SimpleNamespace

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.netai.vlm_server.plugins.module_utils import model_snapshot as ms
from ansible_collections.netai.vlm_server.plugins.modules import model_snapshot


def write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_git_blob_id_matches_git(tmp_path):
    path = write(tmp_path / "config.json", b'{"a": 1}\n')
    expected = subprocess.run(["git", "hash-object", str(path)], capture_output=True, text=True, check=True).stdout.strip()
    assert ms.git_blob_id(str(path)) == expected


@pytest.mark.parametrize("revision,pinned", [
    ("5e1f0c1d2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f70", True),
    ("main", False),
    ("v1.0", False),
    ("5e1f0c1d", False),
    ("5e1f0c1d2b3a4f5e6d7c8b9a0f1e2d3c4b5a6fzz", False),
])
def test_is_commit(revision, pinned):
    assert ms.is_commit(revision) is pinned


def sibling(name, data: bytes, lfs: bool):
    """What model_info(files_metadata=True) gives for a file (huggingface_hub's RepoSibling shape)."""
    blob_id = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    lfs_info = SimpleNamespace(sha256=hashlib.sha256(data).hexdigest(), size=len(data)) if lfs else None
    return SimpleNamespace(rfilename=name, size=len(data), blob_id=blob_id, lfs=lfs_info)


def test_expected_files_takes_sha256_of_lfs_and_blob_id_of_the_others():
    weights, config = b"weights" * 100, b"{}"
    expected = ms.expected_files([sibling("w.safetensors", weights, True), sibling("config.json", config, False)])
    assert expected == {
        "w.safetensors": {"size": 700, "hash": hashlib.sha256(weights).hexdigest()},
        "config.json": {"size": 2, "hash": hashlib.sha1(b"blob 2\0{}").hexdigest()},
    }


def test_manifest_vouches_until_the_file_or_the_hub_changes(tmp_path):
    data = b"x" * 1000
    write(tmp_path / "w.safetensors", data)
    expected = ms.expected_files([sibling("w.safetensors", data, True)])
    manifest = {}
    assert not ms.vouched(str(tmp_path), "w.safetensors", expected["w.safetensors"], manifest)
    ms.record(str(tmp_path), ["w.safetensors"], expected, manifest)
    ms.save_manifest(str(tmp_path), "c" * 40, manifest)
    manifest = ms.load_manifest(str(tmp_path))
    assert ms.vouched(str(tmp_path), "w.safetensors", expected["w.safetensors"], manifest)
    # The Hub's hash moved (a new revision): no longer vouched for.
    assert not ms.vouched(str(tmp_path), "w.safetensors", {"size": 1000, "hash": "0" * 64}, manifest)
    # Touched (mtime), truncated or gone: no longer vouched for.
    os.utime(tmp_path / "w.safetensors", ns=(1, 1))
    assert not ms.vouched(str(tmp_path), "w.safetensors", expected["w.safetensors"], manifest)
    ms.record(str(tmp_path), ["w.safetensors"], expected, manifest)
    write(tmp_path / "w.safetensors", data[:-1])
    assert not ms.vouched(str(tmp_path), "w.safetensors", expected["w.safetensors"], manifest)
    (tmp_path / "w.safetensors").unlink()
    assert not ms.vouched(str(tmp_path), "w.safetensors", expected["w.safetensors"], manifest)


def test_verification_problems_reads_the_library_result_for_the_selection():
    # The shape of huggingface_hub's FolderVerification (a frozen dataclass).
    verification = SimpleNamespace(
        revision="c" * 40, checked_count=4, verified_path="/m",
        mismatches=[{"path": "w.safetensors", "expected": "a" * 64, "actual": "b" * 64, "algorithm": "sha256"},
                    {"path": "config.json", "expected": "1" * 40, "actual": "2" * 40, "algorithm": "git-sha1"},
                    {"path": "original/consolidated.pth", "expected": "e", "actual": "f", "algorithm": "sha256"}],
        missing_paths=["tokenizer.json", "README.md"],
        extra_paths=[".netai-verified.json"])
    problems = ms.verification_problems(verification, ["w.safetensors", "config.json", "tokenizer.json"])
    assert problems == {
        "w.safetensors": "sha256 %s, expected %s" % ("b" * 64, "a" * 64),
        "config.json": "git blob id %s, expected %s" % ("2" * 40, "1" * 40),
        "tokenizer.json": "missing",
    }
    assert ms.verification_problems(SimpleNamespace(mismatches=[], missing_paths=[]), ["w.safetensors"]) == {}


def test_byte_progress_counts_the_largest_byte_bar_only():
    tally = ms.ByteProgress()
    assert tally.bytes_done() == 0
    tally.add(SimpleNamespace(unit="it", n=7, total=7))  # "Fetching 7 files"
    tally.add(SimpleNamespace(unit="B", n=10 * 2**20, total=40 * 2**20))  # "Downloading bytes"
    tally.add(SimpleNamespace(unit="B", n=5 * 2**20, total=40 * 2**20))  # "Reconstructing"
    assert tally.bytes_done() == 10 * 2**20


def test_space_problem_with_margin():
    assert ms.space_problem(20 * 2**30, 11 * 2**30, 2**30) is None
    assert ms.space_problem(11 * 2**30, 11 * 2**30, 2**30) == \
        "needs 12.00 GiB (with a 1.00 GiB margin), 11.00 GiB free"


def make_model(root, shards=("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")):
    write(root / "config.json", b"{}")
    write(root / "model.safetensors.index.json",
          json.dumps({"weight_map": {"w%d" % i: s for i, s in enumerate(shards)}}).encode())
    for shard in shards:
        write(root / shard, shard.encode())
    return root


def test_offline_problems(tmp_path):
    root = make_model(tmp_path / "m")
    assert ms.offline_problems(str(root)) == []
    (root / "model-00002-of-00002.safetensors").unlink()
    (root / "config.json").unlink()
    assert ms.offline_problems(str(root)) == [
        "config.json missing",
        "model-00002-of-00002.safetensors (named in model.safetensors.index.json) missing"]


def test_offline_problems_check_recorded_hashes(tmp_path):
    root = make_model(tmp_path / "m", shards=("model.safetensors",))
    data = (root / "model.safetensors").read_bytes()
    manifest = {}
    ms.record(str(root), ["model.safetensors"], ms.expected_files([sibling("model.safetensors", data, True)]), manifest)
    ms.save_manifest(str(root), "c" * 40, manifest)
    assert ms.offline_problems(str(root)) == []
    (root / "model.safetensors").write_bytes(b"X" * len(data))
    assert ms.offline_problems(str(root)) == ["model.safetensors: sha256 differs from the recorded one"]


def run(capsys, **args):
    with patch_module_args(args), pytest.raises(SystemExit):
        model_snapshot.main()
    return json.loads(capsys.readouterr().out)


def test_module_offline_accepts_a_complete_copy(tmp_path, capsys):
    root = make_model(tmp_path / "m")
    result = run(capsys, local_dir=str(root), offline=True)
    assert result["changed"] is False and result["files"] == 4


def test_module_offline_names_what_is_missing(tmp_path, capsys):
    root = make_model(tmp_path / "m")
    (root / "model-00001-of-00002.safetensors").unlink()
    result = run(capsys, local_dir=str(root), offline=True)
    assert result["failed"] is True
    assert result["msg"] == ("%s is not a complete model copy: model-00001-of-00002.safetensors "
                             "(named in model.safetensors.index.json) missing" % root)


def test_module_needs_repo_id_unless_offline(tmp_path, capsys):
    result = run(capsys, local_dir=str(tmp_path))
    assert result["failed"] is True and "repo_id" in result["msg"]
