#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Report the host's NVIDIA GPUs from nvidia-smi."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nvidia_gpu_info
short_description: Structured facts about the host's NVIDIA GPUs, from nvidia-smi
version_added: "0.1.0"
description:
  - Runs C(nvidia-smi --query-gpu=... --format=csv,noheader,nounits) and returns one entry per GPU
    with its index, uuid, name, PCI bus id, driver version, memory total/used/free in MiB and MIG mode.
  - With O(processes=true), also runs C(nvidia-smi --query-compute-apps=...) and lists the compute
    processes of each GPU (pid, process name, memory used).
  - Fails with a clear message when C(nvidia-smi) is absent or cannot talk to the driver
    (the driver's own words are kept). A driver with no GPU (C(No devices were found)) is not a
    failure; RV(gpus) is then empty.
  - Reads only; changes nothing. Runs in check mode.
options:
  nvidia_smi:
    description: The nvidia-smi command (a name on the PATH or a path).
    type: str
    default: nvidia-smi
  processes:
    description: Also list the compute processes on each GPU.
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - C(nvidia-smi) from the NVIDIA driver on the host (without it the module reports no GPU and why)
author:
  - netai lab (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Read the GPUs
  netai.vlm_server.nvidia_gpu_info:
  register: gpu_info

- name: Show GPU 2's free memory
  ansible.builtin.debug:
    msg: "{{ (gpu_info.gpus | selectattr('index', 'equalto', 2) | first).memory_free_mib }} MiB free"
"""

RETURN = r"""
gpus:
  description: One entry per GPU, in index order.
  returned: success
  type: list
  elements: dict
  contains:
    index:
      description: The GPU's index (what C(NVIDIA_VISIBLE_DEVICES) and C(--gpus) name).
      type: int
    uuid:
      description: The GPU's UUID.
      type: str
    name:
      description: The product name.
      type: str
    pci_bus_id:
      description: The PCI bus id.
      type: str
    driver_version:
      description: The driver version.
      type: str
    memory_total_mib:
      description: Total memory, in MiB.
      type: int
    memory_used_mib:
      description: Memory in use, in MiB.
      type: int
    memory_free_mib:
      description: Free memory, in MiB.
      type: int
    mig_mode:
      description: The current MIG mode (C(Enabled), C(Disabled)), null where the GPU has none.
      type: str
    mig_enabled:
      description: Whether MIG is enabled.
      type: bool
    processes:
      description: The compute processes on this GPU (empty with O(processes=false)).
      type: list
      elements: dict
      contains:
        pid:
          description: The process id.
          type: int
        process_name:
          description: The process's name.
          type: str
        used_memory_mib:
          description: Memory it uses, in MiB.
          type: int
  sample:
    - index: 2
      uuid: GPU-5b2c6f0e-8d1a-4c1e-9a57-0c3f2d9e4b11
      name: NVIDIA L40
      pci_bus_id: "00000000:41:00.0"
      driver_version: "580.65.06"
      memory_total_mib: 46068
      memory_used_mib: 1
      memory_free_mib: 45589
      mig_mode: null
      mig_enabled: false
      processes: []
gpu_count:
  description: Number of GPUs.
  returned: success
  type: int
  sample: 4
driver_version:
  description: The NVIDIA driver version, or null when the driver sees no GPU.
  returned: success
  type: str
  sample: "580.65.06"
"""

from typing import Any, Dict, List

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netai.vlm_server.plugins.module_utils.nvidia_smi import (
    APP_QUERY,
    CSV_FORMAT,
    GPU_QUERY,
    gpu_report,
    not_found,
)


def run_module() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            nvidia_smi=dict(type="str", default="nvidia-smi"),
            processes=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    smi = module.params["nvidia_smi"]
    binary = module.get_bin_path(smi) if "/" not in smi else smi
    if not binary:
        module.fail_json(msg=not_found(smi), gpus=[])

    def answer(argv: List[str]) -> Dict[str, Any]:
        rc, out, err = module.run_command(argv)
        return {"found": True, "rc": rc, "stdout": out, "stderr": err}

    gpus_answer = answer([binary, "--query-gpu=" + GPU_QUERY, CSV_FORMAT])
    apps_answer = None
    if module.params["processes"] and gpus_answer["rc"] == 0 and gpus_answer["stdout"].strip():
        apps_answer = answer([binary, "--query-compute-apps=" + APP_QUERY, CSV_FORMAT])
    report = gpu_report(smi, gpus_answer, apps_answer)
    if "msg" in report:
        module.fail_json(msg=report["msg"], rc=gpus_answer["rc"], stdout=gpus_answer["stdout"],
                         stderr=gpus_answer["stderr"], gpus=report["gpus"])
    module.exit_json(changed=False, **report)


def main() -> None:
    run_module()


if __name__ == "__main__":
    main()
