"""file_current and daemon_json_current: a file task is skipped only where it would change nothing."""

from __future__ import annotations

import hashlib
import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.filter.daemon_json_current import daemon_json_current
from ansible_collections.netai.vlm_server.plugins.filter.file_current import file_current


def entry(content=None, **overrides):
    state = {"exists": True, "isdir": False, "isreg": True, "islnk": False, "mode": "0644",
             "owner": "root", "group": "root",
             "checksum": hashlib.sha1(content.encode()).hexdigest() if content is not None else None}
    state.update(overrides)
    return state


def test_a_file_with_the_content_and_attributes_is_current():
    assert file_current(entry("a=1\n"), "a=1\n", mode="0644")
    assert file_current(entry("a=1\n"), "a=1\n", mode="644")


@pytest.mark.parametrize("state, kwargs", [
    (entry("a=1\n"), {"content": "a=2\n", "mode": "0644"}),
    (entry("a=1\n", mode="0600"), {"content": "a=1\n", "mode": "0644"}),
    (entry("a=1\n", owner="nobody"), {"content": "a=1\n", "mode": "0644"}),
    (entry("a=1\n", group="staff"), {"content": "a=1\n", "mode": "0644"}),
    (entry("a=1\n", islnk=True), {"content": "a=1\n"}),
    (entry("a=1\n", isreg=False, isdir=True), {"content": "a=1\n"}),
    ({"exists": False}, {"content": "a=1\n"}),
    (None, {"content": "a=1\n"}),
])
def test_anything_else_is_not(state, kwargs):
    assert not file_current(state, **kwargs)


def test_folders_and_checksums():
    folder = entry(isreg=False, isdir=True, mode="0750")
    assert file_current(folder, mode="0750", kind="directory")
    assert not file_current(folder, mode="0755", kind="directory")
    assert not file_current(entry("x"), kind="directory")
    assert file_current(entry("x"), checksum=hashlib.sha1(b"x").hexdigest(), mode="0644")
    assert not file_current(entry("x"), checksum="0" * 40)
    # owner/group None: whoever owns it (a file inside a clone).
    assert file_current(entry("x", owner="1000", group="1000"), "x", owner=None, group=None)


def test_misuse_is_an_error():
    with pytest.raises(AnsibleFilterError, match="no checksum"):
        file_current(entry(None), "x")
    with pytest.raises(AnsibleFilterError, match="kind"):
        file_current(entry("x"), kind="link")
    with pytest.raises(AnsibleFilterError, match="octal"):
        file_current(entry("x"), mode="rw-")


def test_daemon_json_is_current_when_the_merge_changes_nothing():
    text = json.dumps({"live-restore": True, "runtimes": {"nvidia": {"path": "nvidia-container-runtime", "args": []}},
                       "debug": True})
    assert daemon_json_current(text, {"live-restore": True})
    assert daemon_json_current(text, {"runtimes": {"nvidia": {"path": "nvidia-container-runtime", "args": []}}})
    assert not daemon_json_current(text, {"live-restore": False})
    assert not daemon_json_current(text, {"live-restore": True}, ["debug"])
    assert daemon_json_current(text, {}, ["not-there"])
    assert daemon_json_current(None, {})
    assert not daemon_json_current(None, {"live-restore": True})
    assert not daemon_json_current("{not json", {"live-restore": True})
    with pytest.raises(AnsibleFilterError, match="dict"):
        daemon_json_current(text, ["live-restore"])


def test_nvidia_gpu_report_reads_answers_as_the_module_does():
    from ansible_collections.netai.vlm_server.plugins.filter.nvidia_gpu_report import nvidia_gpu_report
    from ansible_collections.netai.vlm_server.plugins.filter.nvidia_smi_queries import nvidia_smi_queries

    queries = nvidia_smi_queries("/usr/bin/nvidia-smi")
    assert queries["gpus"][0] == "/usr/bin/nvidia-smi" and queries["gpus"][1].startswith("--query-gpu=index,uuid")
    assert queries["apps"][1].startswith("--query-compute-apps=")
    gpu = "0, GPU-aaaa, NVIDIA H100 80GB HBM3, 00000000:18:00.0, 570.86.15, 81559, 1000, 80559, Disabled\n"
    app = "GPU-aaaa, 4242, python3, 1000\n"
    report = nvidia_gpu_report({"found": True, "rc": 0, "stdout": gpu, "stderr": ""},
                               {"found": True, "rc": 0, "stdout": app, "stderr": ""})
    assert report["gpu_count"] == 1 and report["driver_version"] == "570.86.15"
    assert report["gpus"][0]["memory_total_mib"] == 81559 and report["gpus"][0]["processes"][0]["pid"] == 4242
    missing = nvidia_gpu_report({"found": False, "rc": 127, "stdout": "", "stderr": ""}, None, "nvidia-smi")
    assert "gpu_count" not in missing and "not found" in missing["msg"]
    driverless = nvidia_gpu_report({"found": True, "rc": 9, "stdout": "NVIDIA-SMI has failed because it couldn't "
                                    "communicate with the NVIDIA driver.", "stderr": ""})
    assert "cannot talk to the NVIDIA driver (rc 9)" in driverless["msg"]
    none = nvidia_gpu_report({"found": True, "rc": 6, "stdout": "No devices were found", "stderr": ""},
                             {"found": True, "rc": 6, "stdout": "", "stderr": ""})
    assert none["gpu_count"] == 0
