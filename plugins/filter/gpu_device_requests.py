# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``gpu_device_requests``: a GPU selection as docker_container device_requests."""

from __future__ import annotations

DOCUMENTATION = r"""
name: gpu_device_requests
short_description: Turn a GPU selection into community.docker.docker_container device_requests
version_added: "0.1.0"
description:
  - Mode C(devices) gives the GPUs by index (C(--gpus '"device=2"')), mode C(count) a number of GPUs
    (C(-1) for all), mode C(none) no GPU at all (CPU test hosts).
positional: mode
options:
  _input:
    description: GPU indices (mode devices) or a count (mode count).
    type: raw
    required: true
  mode:
    description: devices, count or none.
    type: str
    default: devices
"""

EXAMPLES = r"""
- name: GPU 2 for a container
  community.docker.docker_container:
    name: vllm
    image: vllm/vllm-openai:v0.11.0
    device_requests: "{{ [2] | netai.vlm_server.gpu_device_requests('devices') }}"
"""

RETURN = r"""
_value:
  description: The device_requests list.
  type: list
  elements: dict
"""

from typing import Any, Dict, List

from ansible.errors import AnsibleFilterError


def gpu_device_requests(gpus: Any, mode: str = "devices") -> List[Dict[str, Any]]:
    """device_requests for ``gpus`` in ``mode``; see DOCUMENTATION."""
    if mode == "none":
        return []
    if mode == "count":
        try:
            count = int(gpus)
        except (TypeError, ValueError):
            raise AnsibleFilterError("GPU mode count needs a number of GPUs (-1 for all), got %r" % (gpus,))
        if count == 0 or count < -1:
            raise AnsibleFilterError("GPU mode count needs a positive number of GPUs or -1, got %d" % count)
        return [{"driver": "nvidia", "count": count, "capabilities": [["gpu"]]}]
    if mode == "devices":
        if isinstance(gpus, (str, int)) or not gpus:
            raise AnsibleFilterError("GPU mode devices needs a non-empty list of GPU indices, got %r" % (gpus,))
        ids = []
        for gpu in gpus:
            if isinstance(gpu, bool) or not str(gpu).isdigit():
                raise AnsibleFilterError("GPU index %r is not a number" % (gpu,))
            ids.append(str(int(gpu)))
        if len(set(ids)) != len(ids):
            raise AnsibleFilterError("GPU indices repeat: %s" % ", ".join(ids))
        return [{"driver": "nvidia", "device_ids": ids, "capabilities": [["gpu"]]}]
    raise AnsibleFilterError("GPU mode must be devices, count or none, got %r" % (mode,))


class FilterModule:
    """gpu_device_requests filter."""

    def filters(self) -> Dict[str, Any]:
        return {"gpu_device_requests": gpu_device_requests}
