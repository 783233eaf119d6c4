"""nvidia_gpu_report: nvidia-smi's answers, read as the nvidia_gpu_info module reads them."""

from __future__ import annotations

from ansible_collections.netai.vlm_server.plugins.filter.nvidia_gpu_report import nvidia_gpu_report


def test_nvidia_gpu_report_reads_answers_as_the_module_does():
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
