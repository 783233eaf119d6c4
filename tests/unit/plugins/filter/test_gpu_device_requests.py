"""gpu_device_requests: GPU choices rendered to Docker's device requests."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.filter.gpu_device_requests import gpu_device_requests


def test_devices():
    assert gpu_device_requests([2]) == [{"driver": "nvidia", "device_ids": ["2"], "capabilities": [["gpu"]]}]
    assert gpu_device_requests(["0", 1], "devices")[0]["device_ids"] == ["0", "1"]


def test_count_and_none():
    assert gpu_device_requests(-1, "count") == [{"driver": "nvidia", "count": -1, "capabilities": [["gpu"]]}]
    assert gpu_device_requests([2], "none") == []


@pytest.mark.parametrize(
    "gpus, mode, message",
    [
        ([], "devices", "non-empty list"),
        (2, "devices", "non-empty list"),
        (["a"], "devices", "not a number"),
        ([True], "devices", "not a number"),
        ([1, 1], "devices", "repeat"),
        ("x", "count", "needs a number"),
        (0, "count", "positive number"),
        ([1], "mig", "must be devices, count or none"),
    ],
)
def test_bad_gpu_selections(gpus, mode, message):
    with pytest.raises(AnsibleFilterError, match=message):
        gpu_device_requests(gpus, mode)
