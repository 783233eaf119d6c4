#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the async_progress action (the work is done on the controller)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: async_progress
short_description: Wait for a background job, printing a progress line at every interval
version_added: "0.2.0"
description:
  - Waits for an Ansible background job (a task started with C(async) and C(poll=0)) to end, and
    prints one line per O(interval) with what its JSON O(progress_file) says (C(bytes_done),
    C(bytes_total), C(file)), the rate and the time left. Returns the job's own result, so a failed
    job fails this task with the job's message; then removes the job's status file.
  - A loop on the controller, not a self-including task file. A 4-hour job at 15-second intervals
    is 960 polls, each three short module calls on the host (C(wait_for) on the progress file,
    C(async_status), C(slurp)), with no recursion and no template that grows.
  - "The progress file is written by the job (for example M(netai.vlm_server.model_snapshot) with
    its C(progress_file) option) as JSON with C(bytes_done), C(bytes_total), C(file) and C(finished)."
  - This is an action plugin; the module of the same name only documents it.
options:
  jid:
    description: The job id (C(ansible_job_id) of the task started with C(async)).
    type: str
    required: true
  progress_file:
    description: The job's progress file on the host.
    type: path
    required: true
  label:
    description: What the job does, at the start of every line (for example the model's name).
    type: str
    default: job
  interval:
    description: Seconds between progress lines (the wait ends early when the job finishes).
    type: int
    default: 15
  timeout:
    description:
      - Seconds the job may take (its C(async) value). The wait gives up a little later, in case
        the job's own watchdog is gone too.
    type: int
    default: 14400
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: none
  diff_mode:
    support: none
  platform:
    platforms: posix
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
requirements:
  - a job started with C(async) and C(poll=0) on the host, and the module that writes O(progress_file) (for example M(netai.vlm_server.model_snapshot))
author:
  - netai lab (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Start the download in the background
  netai.vlm_server.model_snapshot:
    repo_id: Qwen/Qwen3-VL-8B-Instruct
    revision: main
    local_dir: /opt/netai/models/Qwen3-VL-8B-Instruct
    progress_file: /opt/netai/models/.Qwen3-VL-8B-Instruct.progress.json
  async: 14400
  poll: 0
  register: download

- name: Print the progress until it ends
  netai.vlm_server.async_progress:
    jid: "{{ download.ansible_job_id }}"
    progress_file: /opt/netai/models/.Qwen3-VL-8B-Instruct.progress.json
    label: Qwen3-VL-8B-Instruct
    interval: 15
    timeout: 14400
"""

RETURN = r"""
polls:
  description: How many intervals the wait took.
  returned: always
  type: int
  sample: 12
finished:
  description: Whether the job ended (true unless the wait timed out).
  returned: always
  type: bool
  sample: true
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.netai.vlm_server.plugins.module_utils.async_progress import ARGUMENT_SPEC


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=False)
    module.fail_json(msg="netai.vlm_server.async_progress runs as an action plugin on the controller")


if __name__ == "__main__":
    main()
