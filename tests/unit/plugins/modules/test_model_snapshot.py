"""model_snapshot against the STAND-IN Hugging Face Hub (tests/fixtures/standin_hf_hub), with
the pinned huggingface_hub of requirements.txt: download, no-op, repair, gated."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.netai.vlm_server.plugins.modules import model_snapshot

pytest.importorskip("huggingface_hub")
HUB = Path(__file__).resolve().parents[1] / "fixtures" / "standin_hf_hub" / "hub.py"
REPO = "Qwen/Qwen3-VL-8B-Instruct"
TOKEN = "hf_unit_test_token_0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hub(*args):
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(HUB), "--port", str(port), "--weights-mb", "2", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = "http://127.0.0.1:%d" % port
    for _ in range(50):
        try:
            urllib.request.urlopen(url + "/netai-standin/stats", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("stand-in hub did not start")


@pytest.fixture()
def open_hub():
    proc, url = hub()
    yield url
    proc.kill()


@pytest.fixture()
def gated_hub():
    proc, url = hub("--token", TOKEN)
    yield url
    proc.kill()


def stats(url):
    return json.load(urllib.request.urlopen(url + "/netai-standin/stats"))


def run(capsys, **args):
    with patch_module_args(args), pytest.raises(SystemExit):
        model_snapshot.main()
    return json.loads(capsys.readouterr().out)


def test_download_noop_and_repair(tmp_path, capsys, open_hub):
    local = tmp_path / "m"
    progress = tmp_path / "progress.json"
    first = run(capsys, repo_id=REPO, local_dir=str(local), endpoint=open_hub, progress_file=str(progress),
                space_margin_gb=0.001)
    assert first["changed"] is True and first["files"] == 7
    shard = local / "model-00001-of-00001.safetensors"
    assert shard.stat().st_size == 2 * 2**20 and oct(shard.stat().st_mode & 0o777) == "0o444"
    assert json.loads(progress.read_text())["finished"] is True

    urllib.request.urlopen(urllib.request.Request(open_hub + "/netai-standin/reset", method="POST"))
    second = run(capsys, repo_id=REPO, local_dir=str(local), endpoint=open_hub, space_margin_gb=0.001)
    assert second["changed"] is False and second["fetched"] == []
    assert stats(open_hub)["bytes_served"] == 0

    good = hashlib.sha256(shard.read_bytes()).hexdigest()
    os.chmod(shard, 0o644)
    with open(shard, "r+b") as handle:
        handle.seek(1000)
        handle.write(b"CORRUPT")
    check = run(capsys, repo_id=REPO, local_dir=str(local), endpoint=open_hub, _ansible_check_mode=True)
    assert check["changed"] is True and check["fetched"][0]["name"] == shard.name
    assert check["fetched"][0]["reason"].startswith("sha256 ")
    repaired = run(capsys, repo_id=REPO, local_dir=str(local), endpoint=open_hub, space_margin_gb=0.001)
    assert repaired["changed"] is True and [f["name"] for f in repaired["fetched"]] == [shard.name]
    assert hashlib.sha256(shard.read_bytes()).hexdigest() == good


def test_allow_patterns(tmp_path, capsys, open_hub):
    result = run(capsys, repo_id=REPO, local_dir=str(tmp_path / "m"), endpoint=open_hub,
                 allow_patterns=["*.json"], ignore_patterns=["tokenizer*"], space_margin_gb=0.001)
    assert sorted(f["name"] for f in result["fetched"]) == [
        "config.json", "generation_config.json", "model.safetensors.index.json"]


def test_gated_without_and_with_token(tmp_path, capsys, gated_hub):
    refused = run(capsys, repo_id=REPO, local_dir=str(tmp_path / "m"), endpoint=gated_hub)
    assert refused["failed"] is True
    assert refused["msg"].startswith("%s is gated on %s: give a token" % (REPO, gated_hub))
    wrong = run(capsys, repo_id=REPO, local_dir=str(tmp_path / "m"), endpoint=gated_hub, token="hf_wrong_token_xyz")
    assert wrong["failed"] is True and wrong["msg"].endswith("the token given was refused")
    ok = run(capsys, repo_id=REPO, local_dir=str(tmp_path / "m"), endpoint=gated_hub, token=TOKEN,
             space_margin_gb=0.001)
    assert ok["changed"] is True
    assert TOKEN not in json.dumps(ok)


def test_not_enough_space(tmp_path, capsys, open_hub):
    result = run(capsys, repo_id=REPO, local_dir=str(tmp_path / "m"), endpoint=open_hub, space_margin_gb=10**6)
    assert result["failed"] is True and "not enough space" in result["msg"]
    assert not (tmp_path / "m" / "model-00001-of-00001.safetensors").exists()


def test_verification_pass_records_without_fetching(tmp_path, capsys, open_hub, monkeypatch):
    local = tmp_path / "m"
    run(capsys, repo_id=REPO, local_dir=str(local), endpoint=open_hub, space_margin_gb=0.001, read_only=False)
    (local / ".netai-verified.json").unlink()  # as if the weights had been put there by hand
    (local / "config.json").unlink()
    urllib.request.urlopen(urllib.request.Request(open_hub + "/netai-standin/reset", method="POST"))
    first = run(capsys, repo_id=REPO, local_dir=str(local), endpoint=open_hub, download=False)
    assert [f["name"] for f in first["fetched"]] == ["config.json"]
    assert first["changed"] is True  # the verified files were made read-only
    assert not (local / "config.json").exists() and stats(open_hub)["bytes_served"] == 0
    assert oct((local / "model-00001-of-00001.safetensors").stat().st_mode & 0o777) == "0o444"
    hashed = []
    real_sha256 = model_snapshot.ms.sha256_file
    monkeypatch.setattr(model_snapshot.ms, "sha256_file", lambda p: hashed.append(p) or real_sha256(p))
    download = run(capsys, repo_id=REPO, local_dir=str(local), endpoint=open_hub, space_margin_gb=0.001)
    assert [f["name"] for f in download["fetched"]] == ["config.json"]
    assert hashed == []  # what the first pass verified is not hashed again
