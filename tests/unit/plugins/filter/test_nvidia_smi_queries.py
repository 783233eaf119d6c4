"""nvidia_smi_queries: the argv the preflight look runs (the nvidia_gpu_info module's own queries)."""

from __future__ import annotations

from ansible_collections.netai.vlm_server.plugins.filter.nvidia_smi_queries import nvidia_smi_queries


def test_nvidia_smi_queries_are_the_modules_argv():
    queries = nvidia_smi_queries("/usr/bin/nvidia-smi")
    assert queries["gpus"][0] == "/usr/bin/nvidia-smi" and queries["gpus"][1].startswith("--query-gpu=index,uuid")
    assert queries["apps"][1].startswith("--query-compute-apps=")
