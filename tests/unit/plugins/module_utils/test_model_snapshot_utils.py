"""model_snapshot: the pure verification helpers, and the module's offline mode."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.netai.vlm_server.plugins.module_utils import model_snapshot as ms
from ansible_collections.netai.vlm_server.plugins.modules import model_snapshot


def write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def entry(name, data: bytes, lfs: bool):
    out = {"name": name, "size": len(data), "sha256": None, "blob_id": None}
    if lfs:
        out["sha256"] = hashlib.sha256(data).hexdigest()
    else:
        out["blob_id"] = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    return out


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


def test_select_files_allow_and_ignore():
    remote = [{"name": n} for n in ["config.json", "model-1.safetensors", "original/consolidated.pth", "README.md"]]
    assert [f["name"] for f in ms.select_files(remote, [], [])] == [f["name"] for f in remote]
    assert [f["name"] for f in ms.select_files(remote, ["*.json", "*.safetensors"], [])] == [
        "config.json", "model-1.safetensors"]
    assert [f["name"] for f in ms.select_files(remote, [], ["original/*", "*.md"])] == [
        "config.json", "model-1.safetensors"]


def test_plan_reports_missing_size_and_hash(tmp_path):
    good, bad = b"weights" * 100, b"config"
    files = [entry("a.safetensors", good, True), entry("config.json", bad, False), entry("tokenizer.json", b"t", False)]
    write(tmp_path / "a.safetensors", good)
    write(tmp_path / "config.json", b"CONFIG")  # same size, other bytes
    manifest = {}
    todo = {t["name"]: t["reason"] for t in ms.plan(str(tmp_path), files, manifest)}
    assert todo["tokenizer.json"] == "missing"
    assert todo["config.json"].startswith("git blob id ")
    assert "a.safetensors" not in todo
    assert manifest["a.safetensors"]["hash"] == files[0]["sha256"]
    write(tmp_path / "a.safetensors", good[:-1])
    assert ms.plan(str(tmp_path), files[:1], manifest)[0]["reason"] == "size %d, expected %d" % (len(good) - 1, len(good))


def test_manifest_spares_rehash_until_the_file_changes(tmp_path, monkeypatch):
    data = b"x" * 1000
    files = [entry("w.safetensors", data, True)]
    write(tmp_path / "w.safetensors", data)
    manifest = {}
    assert ms.plan(str(tmp_path), files, manifest) == []
    ms.save_manifest(str(tmp_path), "c" * 40, manifest)
    calls = []
    monkeypatch.setattr(ms, "sha256_file", lambda p: calls.append(p) or "0" * 64)
    assert ms.plan(str(tmp_path), files, ms.load_manifest(str(tmp_path))) == []
    assert calls == []  # recorded size and mtime: not hashed again
    os.utime(tmp_path / "w.safetensors", ns=(1, 1))  # touched: hashed again, and the fake hash differs
    assert ms.plan(str(tmp_path), files, ms.load_manifest(str(tmp_path)))[0]["reason"].startswith("sha256 ")


def test_space_problem_counts_partial_downloads_and_margin():
    todo = [{"size": 10 * 2**30}, {"size": 2**30}]
    assert ms.space_problem(20 * 2**30, todo, 0, 2**30) is None
    message = ms.space_problem(11 * 2**30, todo, 0, 2**30)
    assert message == "needs 12.00 GiB (with a 1.00 GiB margin), 11.00 GiB free"
    assert ms.space_problem(11 * 2**30, todo, 2 * 2**30, 2**30) is None


def test_partial_bytes(tmp_path):
    write(tmp_path / ".cache/huggingface/download/abc.sha.incomplete", b"12345")
    write(tmp_path / ".cache/huggingface/download/x.metadata", b"meta")
    assert ms.partial_bytes(str(tmp_path)) == 5


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
    assert ms.plan(str(root), [entry("model.safetensors", data, True)], manifest) == []
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
