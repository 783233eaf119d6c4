# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``nvidia_smi_queries``: the nvidia-smi runs whose answers nvidia_gpu_report reads."""

from __future__ import annotations

DOCUMENTATION = r"""
name: nvidia_smi_queries
short_description: The two nvidia-smi runs (GPUs, compute apps) that P(netai.vlm_server.nvidia_gpu_report#filter) reads
version_added: "0.5.0"
description:
  - Returns, by name (C(gpus), C(apps)), the argv of the C(nvidia-smi) queries that
    M(netai.vlm_server.nvidia_gpu_info) runs, for O(netai.vlm_server.host_state#module:commands),
    so that a role reads the GPUs in the round trip it makes anyway.
options:
  _input:
    description: How nvidia-smi is called (a name on the PATH or a path).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The GPUs, in the role's one look at the host
  netai.vlm_server.host_state:
    commands: "{{ 'nvidia-smi' | netai.vlm_server.nvidia_smi_queries }}"
  register: host
"""

RETURN = r"""
_value:
  description: C(gpus) and C(apps), each an argv list.
  type: dict
"""

from typing import Any, Dict, List

from ansible_collections.netai.vlm_server.plugins.module_utils.nvidia_smi import APP_QUERY, CSV_FORMAT, GPU_QUERY


def nvidia_smi_queries(command: str) -> Dict[str, List[str]]:
    """See DOCUMENTATION."""
    return {"gpus": [str(command), "--query-gpu=" + GPU_QUERY, CSV_FORMAT],
            "apps": [str(command), "--query-compute-apps=" + APP_QUERY, CSV_FORMAT]}


class FilterModule:
    """nvidia_smi_queries filter."""

    def filters(self) -> Dict[str, Any]:
        return {"nvidia_smi_queries": nvidia_smi_queries}
