"""vllm_bind_problems: where vLLM listens, refused before any change when it cannot work."""

from __future__ import annotations

from ansible_collections.netai.vlm_server.plugins.filter.vllm_bind_problems import vllm_bind_problems


def test_where_vllm_listens():
    assert vllm_bind_problems("172.30.38.1", "172.30.38.0/24", "172.30.38.1") == []
    assert vllm_bind_problems("0.0.0.0", "not checked", "172.30.38.1") == []
    assert vllm_bind_problems("lab-net", "172.30.38.0/24", "172.30.38.1") == [
        "vllm_bind_host: an IP address expected (the bridge's 172.30.38.1 by default, 0.0.0.0 to open vLLM to the lab, "
        "127.0.0.1 for this host alone), got 'lab-net'"]
    assert vllm_bind_problems("10.1.0.1", "172.30.38.0/24", "10.1.0.1") == [
        "vllm_bridge_gateway: 10.1.0.1 is not in vllm_bridge_subnet 172.30.38.0/24"]
    assert vllm_bind_problems("172.30.38.1", "172.30.38.0/33", "172.30.38.1")[0].startswith(
        "vllm_bridge_subnet / vllm_bridge_gateway: ")
