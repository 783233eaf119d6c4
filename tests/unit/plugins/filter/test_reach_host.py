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
