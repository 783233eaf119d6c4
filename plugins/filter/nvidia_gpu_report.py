# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``nvidia_gpu_report``: the GPUs nvidia-smi's answers describe, as nvidia_gpu_info returns them."""

from __future__ import annotations

DOCUMENTATION = r"""
name: nvidia_gpu_report
short_description: The GPUs that nvidia-smi's answers describe, as M(netai.vlm_server.nvidia_gpu_info) reports them
version_added: "0.5.0"
description:
  - Reads the answers of C(nvidia-smi --query-gpu) and C(--query-compute-apps) (both with
    C(--format=csv,noheader,nounits)) that M(netai.vlm_server.host_state) ran among its
    O(netai.vlm_server.host_state#module:commands), with the same code as
    M(netai.vlm_server.nvidia_gpu_info), so that a role reads the GPUs in the round trip it makes anyway.
  - Returns C(gpus), C(gpu_count) and C(driver_version); or, when nvidia-smi is missing or failed,
    C(msg) (the driver's own words included) and no C(gpu_count).
  - P(netai.vlm_server.nvidia_smi_queries#filter) gives the two queries to run.
positional: apps_answer, command
options:
  _input:
    description: The answer of the GPU query (C(found), C(rc), C(stdout), C(stderr)).
    type: dict
    required: true
  apps_answer:
    description: The answer of the compute-apps query; null leaves the processes out.
    type: dict
  command:
    description: How nvidia-smi was named, for the messages.
    type: str
    default: nvidia-smi
"""

EXAMPLES = r"""
- name: The GPUs
  ansible.builtin.debug:
    msg: "{{ host.commands.gpus | netai.vlm_server.nvidia_gpu_report(host.commands.apps) }}"
"""

RETURN = r"""
_value:
  description: C(gpus), C(gpu_count), C(driver_version); or C(msg) and C(gpus) when something is wrong.
  type: dict
"""

from typing import Any, Dict, Mapping, Optional

from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.module_utils.nvidia_smi import gpu_report


def _answer(value: Any, name: str) -> Dict[str, Any]:
    if not isinstance(value, Mapping):
        raise AnsibleFilterError("nvidia_gpu_report: %s must be a command's answer (found, rc, stdout, stderr)" % name)
    return {"found": bool(value.get("found", True)), "rc": int(value.get("rc", 1)),
            "stdout": str(value.get("stdout") or ""), "stderr": str(value.get("stderr") or "")}


def nvidia_gpu_report(gpus_answer: Any, apps_answer: Optional[Any] = None, command: str = "nvidia-smi") -> Dict[str, Any]:
    """See DOCUMENTATION."""
    return gpu_report(str(command), _answer(gpus_answer, "the GPU answer"),
                      None if apps_answer is None else _answer(apps_answer, "the apps answer"))


class FilterModule:
    """nvidia_gpu_report filter."""

    def filters(self) -> Dict[str, Any]:
        return {"nvidia_gpu_report": nvidia_gpu_report}
