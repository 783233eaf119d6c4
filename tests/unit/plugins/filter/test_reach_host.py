"""The reach_host filter: a bound address is reached there, a wildcard at the given stand-in."""

from __future__ import annotations

import pytest

from ansible_collections.netai.vlm_server.plugins.filter.reach_host import reach_host


@pytest.mark.parametrize("bind", ["0.0.0.0", "::", "[::]", "", None, " 0.0.0.0 "])
def test_every_address_is_reached_at_the_wildcard_stand_in(bind):
    assert reach_host(bind) == "127.0.0.1"
    assert reach_host(bind, "host.docker.internal") == "host.docker.internal"


@pytest.mark.parametrize("bind", ["172.30.38.1", "127.0.0.1", "10.0.0.5"])
def test_one_address_is_reached_there(bind):
    assert reach_host(bind) == bind
    assert reach_host(bind, "host.docker.internal") == bind


from ansible_collections.netai.vlm_server.plugins.filter.vllm_bind_problems import vllm_bind_problems  # noqa: E402


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
