"""model_snapshot against the STAND-IN Hugging Face Hub (tests/fixtures/standin_hf_hub), with
the pinned huggingface_hub of requirements.txt: the library's selection (patterns), dry run (check
mode, the verification pass), verification (repair) and parallel download; ours: the manifest, the
free-space check and the progress file; gated repositories and unknown revisions."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args
# A hard import: these tests must fail, not skip, where the client is missing.
from huggingface_hub import HfApi

from ansible_collections.netai.vlm_server.plugins.modules import model_snapshot

HUB = Path(__file__).resolve().parents[3] / "fixtures" / "standin_hf_hub" / "hub.py"
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
    for _attempt in range(50):
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
    verified = []
    real_verify = HfApi.verify_repo_checksums
    monkeypatch.setattr(HfApi, "verify_repo_checksums", lambda self, *a, **k: verified.append(k) or real_verify(self, *a, **k))
    download = run(capsys, repo_id=REPO, local_dir=str(local), endpoint=open_hub, space_margin_gb=0.001)
    assert [f["name"] for f in download["fetched"]] == ["config.json"]
    assert len(verified) == 1  # after the download only: what the first pass verified is not hashed before it
    assert stats(open_hub)["files_served"] == {"config.json": 1}
    verified.clear()
    noop = run(capsys, repo_id=REPO, local_dir=str(local), endpoint=open_hub)
    assert noop["changed"] is False and noop["fetched"] == [] and verified == []  # the manifest vouches for all


def test_check_mode_and_verification_pass_write_nothing_in_a_new_folder(tmp_path, capsys, open_hub):
    local = tmp_path / "new" / "m"
    check = run(capsys, repo_id=REPO, local_dir=str(local), endpoint=open_hub, _ansible_check_mode=True)
    assert check["changed"] is True and len(check["fetched"]) == 7
    assert {f["reason"] for f in check["fetched"]} == {"missing"}
    assert check["bytes_fetched"] == check["bytes_total"] > 2 * 2**20
    plan = run(capsys, repo_id=REPO, local_dir=str(local), endpoint=open_hub, download=False)
    assert plan["changed"] is False and len(plan["fetched"]) == 7
    assert not (tmp_path / "new").exists()  # the library's dry run ran in a scratch folder
    assert stats(open_hub)["bytes_served"] == 0


def test_unknown_revision(tmp_path, capsys, open_hub):
    result = run(capsys, repo_id=REPO, revision="0" * 40, local_dir=str(tmp_path / "m"), endpoint=open_hub)
    assert result["failed"] is True
    assert result["msg"] == "%s has no revision %s on %s" % (REPO, "0" * 40, open_hub)


def test_parallel_download_with_max_workers(tmp_path, capsys, open_hub, monkeypatch):
    calls = []
    real = model_snapshot.snapshot_download
    monkeypatch.setattr(model_snapshot, "snapshot_download", lambda **k: calls.append(k) or real(**k))
    result = run(capsys, repo_id=REPO, local_dir=str(tmp_path / "m"), endpoint=open_hub, max_workers=3,
                 space_margin_gb=0.001)
    assert result["changed"] is True
    assert [c.get("dry_run", False) for c in calls] == [True, False]
    assert calls[1]["max_workers"] == 3 and calls[1]["local_dir"] == str(tmp_path / "m")
    assert sorted(stats(open_hub)["files_served"]) == sorted(f["name"] for f in result["fetched"])
    refused = run(capsys, repo_id=REPO, local_dir=str(tmp_path / "m"), endpoint=open_hub, max_workers=0)
    assert refused["failed"] is True and refused["msg"] == "max_workers must be at least 1, got 0"


def test_progress_file_follows_the_library_bars(tmp_path, capsys):
    """A download that lasts a few reporter intervals: the progress file shows bytes arriving
    (the library's byte bar, 10 MiB at a time), then the whole."""
    proc, url = hub("--weights-mb", "24", "--rate", str(5 * 2**20))
    progress = tmp_path / "progress.json"
    seen = []
    stop = threading.Event()

    def watch():
        while not stop.wait(0.5):
            try:
                seen.append(json.loads(progress.read_text()))
            except (OSError, ValueError):
                pass

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        result = run(capsys, repo_id=REPO, local_dir=str(tmp_path / "m"), endpoint=url, progress_file=str(progress),
                     space_margin_gb=0.001)
    finally:
        stop.set()
        watcher.join()
        proc.kill()
    assert result["changed"] is True
    total = result["bytes_total"]
    during = [p["bytes_done"] for p in seen if not p["finished"]]
    assert any(0 < done < total for done in during), seen
    assert during == sorted(during)
    assert json.loads(progress.read_text()) == {"bytes_done": total, "bytes_total": total, "file": "", "finished": True}


def test_without_huggingface_hub_says_which_python(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(model_snapshot, "HF_HUB_IMPORT_ERROR", "Traceback: No module named 'huggingface_hub'")
    result = run(capsys, repo_id=REPO, local_dir=str(tmp_path / "m"))
    assert result["failed"] is True
    assert "huggingface_hub" in result["msg"] and sys.executable in result["msg"]


def test_offline_returns_the_recorded_commit_and_asks_no_hub(tmp_path, capsys, open_hub):
    local = tmp_path / "m"
    first = run(capsys, repo_id=REPO, local_dir=str(local), endpoint=open_hub, space_margin_gb=0.001)
    urllib.request.urlopen(urllib.request.Request(open_hub + "/netai-standin/reset", method="POST"))
    offline = run(capsys, local_dir=str(local), offline=True)
    assert offline["changed"] is False and offline["commit"] == first["commit"] and len(offline["commit"]) == 40
    assert offline["writable"] == []  # the verified copy is read-only
    assert offline["at_revision"] is False  # no revision given: "main" is never a recorded commit
    pinned = run(capsys, local_dir=str(local), offline=True, revision=first["commit"])
    assert pinned["at_revision"] is True
    assert stats(open_hub)["bytes_served"] == 0
    os.chmod(local / "config.json", 0o644)  # made writable by hand: said, so that the role verifies online again
    assert run(capsys, local_dir=str(local), offline=True)["writable"] == ["config.json"]
    os.chmod(local / "config.json", 0o444)

    by_hand = tmp_path / "by-hand"  # weights copied without our record: complete, but no commit to vouch for
    by_hand.mkdir()
    (by_hand / "config.json").write_text("{}")
    assert run(capsys, local_dir=str(by_hand), offline=True)["commit"] == ""

    shard = local / "model-00001-of-00001.safetensors"
    os.chmod(shard, 0o644)
    with open(shard, "r+b") as handle:
        handle.write(b"CORRUPT")
    damaged = run(capsys, local_dir=str(local), offline=True)
    assert damaged["failed"] is True and "sha256 differs" in damaged["msg"]
