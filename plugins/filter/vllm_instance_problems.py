# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``vllm_instance_problems``: every problem of a host's vLLM instances, each naming its variable."""

from __future__ import annotations

DOCUMENTATION = r"""
name: vllm_instance_problems
short_description: Every problem of a host's vLLM instances, before anything changes
version_added: "0.2.0"
description:
  - Checks the vllm role's instances as a whole and returns one message per problem (an empty list
    when there is none), each naming the variable to fix. Reads nothing from the host.
  - Names and ports must be unique; names lowercase letters, digits, C(.), C(_) or C(-).
  - C(served_model_name) must not be empty; C(model_dir) (optional), mounted into the container, must stay below
    the models root (relative, no C(..), C(.) or empty part) or be an absolute, normalised folder at
    least two levels down and outside the system's (C(/etc), C(/usr), C(/root), ...).
  - Each instance's options (merged over O(default_options)) must render to vLLM flags
    (P(netai.vlm_server.vllm_args#filter)) and its GPU selection to device requests
    (P(netai.vlm_server.gpu_device_requests#filter)).
  - C(tensor_parallel_size) times C(pipeline_parallel_size) must equal the number of GPUs the
    instance gets (the length of its GPU list in mode C(devices), a positive count in mode C(count)).
    vLLM 0.11 fails only after start-up when they differ, that is after the whole health wait.
positional: default_options, known, gpus, gpu_mode
options:
  _input:
    description: The instances (the vllm role's C(vllm_instances)).
    type: list
    elements: dict
    required: true
  default_options:
    description: Options every instance starts from (C(vllm_default_options)).
    type: dict
    default: {}
  known:
    description: Option names accepted (C(vllm_known_options)).
    type: list
    elements: str
    default: []
  gpus:
    description: The host's GPUs for instances without their own (C(vllm_gpus)).
    type: raw
    default: []
  gpu_mode:
    description: C(devices), C(count) or C(none) (C(vllm_gpu_mode)).
    type: str
    default: devices
"""

EXAMPLES = r"""
- name: The instances can run
  ansible.builtin.assert:
    that: _problems | length == 0
    fail_msg: "{{ _problems | join(' | ') }}"
  vars:
    _problems: >-
      {{ vllm_instances | netai.vlm_server.vllm_instance_problems(vllm_default_options, vllm_known_options,
         vllm_gpus, vllm_gpu_mode) }}
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the instances can run.
  type: list
  elements: str
"""

import re
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.filter.gpu_device_requests import gpu_device_requests
from ansible_collections.netai.vlm_server.plugins.filter.vllm_args import vllm_args

NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def _merged(defaults: Mapping[str, Any], options: Any) -> Dict[str, Any]:
    """Options merged over the defaults, one level deep for dict values (as combine(recursive=true))."""
    merged: Dict[str, Any] = dict(defaults)
    for key, value in (options or {}).items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _int_option(options: Mapping[str, Any], name: str) -> Optional[int]:
    value = options.get(name, options.get(name.replace("_", "-"), 1))
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


SYSTEM_TOPS = {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "proc", "root", "run", "sbin", "sys", "usr"}


def instance_gpus(instance: Mapping[str, Any], index: int, gpus: Any, gpu_mode: str) -> Tuple[Any, str]:
    """The GPUs an instance is given, and the variable that gives them.

    Its own ``gpus`` where it names them, else the host's ``vllm_gpus`` (gpu_mode ``devices``) or all
    of the host's GPUs (``-1``, gpu_mode ``count``). The plan and the checks below share this rule.
    """
    if "gpus" in instance:
        return instance["gpus"], "vllm_instances[%d].gpus" % index
    return (gpus if gpu_mode == "devices" else -1), "vllm_gpus"


def _model_dir_ok(path: str) -> bool:
    """A folder below the models root (relative), or an absolute folder of its own outside the system's."""
    parts = path[1:].split("/") if path.startswith("/") else path.split("/")
    if not path or any(p in ("", ".", "..") for p in parts):
        return False
    return not path.startswith("/") or (len(parts) >= 2 and parts[0] not in SYSTEM_TOPS)


def vllm_instance_problems(instances: Any, default_options: Optional[Mapping[str, Any]] = None,
                           known: Optional[Sequence[str]] = None, gpus: Any = None,
                           gpu_mode: str = "devices") -> List[str]:
    """See DOCUMENTATION."""
    if not isinstance(instances, list):
        raise AnsibleFilterError("vllm_instances must be a list, got %s" % type(instances).__name__)
    if not instances:
        return ["vllm_instances: is empty (a host runs at least one vLLM instance)"]
    problems: List[str] = []
    names = [str(i.get("name")) for i in instances if isinstance(i, Mapping)]
    ports = [str(i.get("port")) for i in instances if isinstance(i, Mapping)]
    if len(set(names)) != len(names):
        problems.append("vllm_instances: names repeat (%s)" % ", ".join(names))
    if len(set(ports)) != len(ports):
        problems.append("vllm_instances: ports repeat (%s)" % ", ".join(ports))
    for index, instance in enumerate(instances):
        if not isinstance(instance, Mapping):
            problems.append("vllm_instances[%d]: a dict expected, got %r" % (index, instance))
            continue
        where = "vllm_instances[%d] (%s)" % (index, instance.get("name"))
        if not NAME.match(str(instance.get("name", ""))):
            problems.append("%s: name must be lowercase letters, digits, '.', '_' or '-'" % where)
        served = instance.get("served_model_name")
        if not isinstance(served, str) or not served.strip() or served != served.strip():
            problems.append("%s: served_model_name must be a non-empty name without surrounding spaces (clients "
                            "and via-server ask for it), got %r" % (where, served))
        model_dir = instance.get("model_dir")
        if "model_dir" in instance and (not isinstance(model_dir, str) or not _model_dir_ok(model_dir)):
            problems.append("%s: model_dir must be a folder under vllm_models_root (relative, no '..' or '.') or an "
                            "absolute, normalised folder two levels down at least and outside /etc, /usr, /root and "
                            "the like (it is mounted into the container), got %r" % (where, model_dir))
        options = _merged(default_options or {}, instance.get("options"))
        try:
            vllm_args(options, known)
        except AnsibleFilterError as exc:
            problems.append("%s: %s" % (where, exc))
        selection, gpus_from = instance_gpus(instance, index, gpus, gpu_mode)
        try:
            gpu_device_requests(selection, gpu_mode)
        except AnsibleFilterError as exc:
            problems.append("%s: %s: %s" % (where, gpus_from, exc))
            continue
        tensor, pipeline = _int_option(options, "tensor_parallel_size"), _int_option(options, "pipeline_parallel_size")
        if tensor is None or pipeline is None:
            continue  # vllm_args accepted it as text; vLLM's parser will say more
        if gpu_mode == "devices":
            count: Optional[int] = len(selection)
        elif gpu_mode == "count" and int(selection) > 0:
            count = int(selection)
        else:
            count = None  # all GPUs of the host, or none: not known here
        if count is not None and tensor * pipeline != count:
            problems.append(
                "%s: tensor_parallel_size %d x pipeline_parallel_size %d = %d, but it gets %d GPU(s) (%s: %s); "
                "they must match (vLLM fails only after start-up otherwise): set tensor_parallel_size in its "
                "options or vllm_default_options, or change %s"
                % (where, tensor, pipeline, tensor * pipeline, count, gpus_from, selection, gpus_from))
    return problems


class FilterModule:
    """vllm_instance_problems filter."""

    def filters(self) -> Dict[str, Any]:
        return {"vllm_instance_problems": vllm_instance_problems}
