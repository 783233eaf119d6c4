"""Unit tests for plugins/module_utils/nvidia_smi.py and the nvidia_gpu_info module."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.netai.vlm_server.plugins.module_utils.nvidia_smi import (
    NvidiaSmiError,
    attach_processes,
    driver_version,
    explain_failure,
    parse_compute_apps,
    parse_gpus,
)
from ansible_collections.netai.vlm_server.plugins.modules import nvidia_gpu_info

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "nvidia_smi"
STANDIN = Path(__file__).resolve().parents[3] / "fixtures" / "standin_nvidia_smi" / "nvidia-smi"


def text(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_four_gpus_two_models():
    gpus = parse_gpus(text("sv4000_4gpu.gpus.csv"))
    assert [g["index"] for g in gpus] == [0, 1, 2, 3]
    assert [g["name"] for g in gpus] == ["NVIDIA L40", "NVIDIA L40", "NVIDIA A100-SXM4-40GB", "NVIDIA A100-SXM4-40GB"]
    assert gpus[2]["memory_total_mib"] == 40960
    assert gpus[2]["memory_free_mib"] == 3545
    assert gpus[0]["mig_mode"] is None and gpus[0]["mig_enabled"] is False
    assert gpus[2]["mig_mode"] == "Disabled"
    assert gpus[1]["uuid"] == "GPU-2e7a4b3f-8c2d-4d9f-a032-7b1e6f4c8d21"
    assert driver_version(gpus) == "580.65.06"


def test_processes_attach_to_their_gpu():
    gpus = attach_processes(parse_gpus(text("sv4000_4gpu.gpus.csv")), parse_compute_apps(text("sv4000_4gpu.apps.csv")))
    assert gpus[0]["processes"] == []
    assert gpus[1]["processes"] == [{"pid": 48211, "process_name": "/usr/bin/python3", "used_memory_mib": 20204}]
    assert gpus[2]["processes"][0]["pid"] == 51877


def test_single_h100_idle():
    gpus = attach_processes(parse_gpus(text("h100_1gpu.gpus.csv")), parse_compute_apps(text("h100_1gpu.apps.csv")))
    assert len(gpus) == 1
    assert gpus[0]["name"] == "NVIDIA H100 80GB HBM3"
    assert gpus[0]["processes"] == []
    assert driver_version(gpus) == "570.133.20"


def test_mig_enabled_gpu():
    gpus = parse_gpus(text("a100_mig.gpus.csv"))
    assert gpus[0]["mig_enabled"] is True and gpus[0]["mig_mode"] == "Enabled"
    assert gpus[1]["mig_enabled"] is False


def test_no_devices_is_an_empty_list():
    assert parse_gpus(text("no_devices.gpus.csv")) == []
    assert driver_version([]) is None


def test_no_running_processes():
    assert parse_compute_apps("No running processes found\n") == []
    assert parse_compute_apps("") == []


def test_wrong_column_count_is_an_error():
    with pytest.raises(NvidiaSmiError, match="has 3 values, expected 9"):
        parse_gpus("0, GPU-x, NVIDIA L40\n")


def test_non_numeric_memory_is_an_error():
    line = "0, GPU-x, NVIDIA L40, 0000:01:00.0, 580.65.06, lots, 0, 1, [N/A]\n"
    with pytest.raises(NvidiaSmiError, match="gave 'lots' for memory.total"):
        parse_gpus(line)


def test_driver_failure_message_keeps_the_driver_words():
    msg = explain_failure(9, text("no_driver.err.txt"), "", "nvidia-smi")
    assert "cannot talk to the NVIDIA driver (rc 9)" in msg
    assert "couldn't communicate with the NVIDIA driver" in msg


def run_module(capsys, **args):
    with patch_module_args(args), pytest.raises(SystemExit):
        nvidia_gpu_info.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def profile(monkeypatch):
    def use(name: str) -> None:
        monkeypatch.setenv("STANDIN_NVIDIA_SMI_PROFILE", str(FIXTURES / name))
    return use


def test_module_on_four_gpus(capsys, profile):
    profile("sv4000_4gpu")
    result = run_module(capsys, nvidia_smi=str(STANDIN))
    assert result["changed"] is False
    assert result["gpu_count"] == 4
    assert result["driver_version"] == "580.65.06"
    assert result["gpus"][2]["processes"][0]["used_memory_mib"] == 36882


def test_module_without_processes(capsys, profile):
    profile("h100_1gpu")
    result = run_module(capsys, nvidia_smi=str(STANDIN), processes=False)
    assert result["gpus"][0]["processes"] == []


def test_module_no_devices(capsys, profile):
    profile("no_devices")
    result = run_module(capsys, nvidia_smi=str(STANDIN))
    assert result.get("failed") is not True
    assert result["gpus"] == [] and result["gpu_count"] == 0 and result["driver_version"] is None


def test_module_driver_not_loaded(capsys, profile):
    profile("no_driver")
    result = run_module(capsys, nvidia_smi=str(STANDIN))
    assert result["failed"] is True
    assert "cannot talk to the NVIDIA driver" in result["msg"]


def test_module_nvidia_smi_absent(capsys):
    result = run_module(capsys, nvidia_smi="nvidia-smi-that-is-not-installed")
    assert result["failed"] is True
    assert "not found: no NVIDIA driver is installed" in result["msg"]
