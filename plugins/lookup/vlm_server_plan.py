# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lookup ``vlm_server_plan``: the plan of the current host, derived once from its variables."""

from __future__ import annotations

DOCUMENTATION = r"""
name: vlm_server_plan
short_description: The plan of a VLM server, what runs where, from the host's variables
version_added: "0.4.0"
description:
  - Turns the current host's variables into its plan, the one place where every value that several
    roles and playbooks need is derived; the roles, C(status.yml) and C(teardown.yml) read it.
  - It reads the variables of the roles C(vllm), C(model_weights), C(via_server), C(smoke) and C(images) that the
    plan needs. Those the host does not set take the role's default, read from the role's
    C(defaults/main.yml) in this collection, so the plan is the same in C(deploy.yml), in a play that
    runs one role, and in C(status.yml) or C(teardown.yml), which run none.
  - Pure, it reads variables and the collection's files only, never the host.
  - The plan holds API keys (an instance's key, via-server's VLM key); set it with C(no_log).
options: {}
notes:
  - C(deploy.yml) sets it once per host as the fact C(vlm_server_plan), before any change.
"""

EXAMPLES = r"""
- name: The host's plan
  ansible.builtin.set_fact:
    vlm_server_plan: "{{ lookup('netai.vlm_server.vlm_server_plan') }}"
  no_log: true

- name: Its vLLM containers
  ansible.builtin.debug:
    msg: "{{ vlm_server_plan.instances | map(attribute='container') | list }}"
"""

RETURN = r"""
_raw:
  description: The plan, one dict (a list of one element unless C(wantlist=false)).
  type: list
  elements: dict
  contains:
    host:
      description: The host's inventory name.
      type: str
    mode:
      description: via-server's VLM mode (C(via_server_vlm_mode)).
      type: str
    stages:
      description: Whether each of C(model_weights), C(vllm), C(via_server), C(smoke) has work on the host.
      type: dict
    instances:
      description:
        - The vLLM instances (none unless the mode is C(local_vllm)), each with C(name), C(container),
          C(served_model_name), C(port), C(repo_id), C(revision), C(host_path), C(mount), C(gpus),
          C(gpus_from), C(gpu_list) (the GPU indices chosen for it, whatever the mode), C(gpu_mode), C(api_key), C(api_key_from), C(options), C(max_model_len),
          C(extra_args), C(env), C(url) (the C(/v1) base from the host), C(health_url), C(version_url) and
          C(via_server_url) (the C(/v1) base from via-server's container).
      type: list
      elements: dict
    instances_keyless:
      description: The same instances without C(api_key), for loops (Ansible prints a loop's item at C(-v)).
      type: list
      elements: dict
    weights:
      description: One entry per model folder to fetch, with C(repo_id), C(revision), C(host_path), C(name),
        C(source), the C(instances) that mount it and C(record) (the manifest C(model_snapshot) writes there once
        a download verified).
      type: list
      elements: dict
    via_server:
      description: via-server's VLM wiring, with C(mode), C(instance), C(endpoint), C(check_url), C(model_name),
        C(api_key), C(sent_key), C(sent_key_from), C(gpus), C(gpus_from), C(budget_spec), C(url), C(health_url)
        and C(container).
      type: dict
    smoke:
      description: The smoke targets, C(vllm) (each with C(name), C(model), C(url), C(api_key)) and C(via_server_url).
      type: dict
    images:
      description:
        - The images the host runs (C(vllm) only with vLLM instances, C(vss_engine) always), each with C(key),
          C(variable) (the variable that pins its reference), C(ref), C(source) (C(upstream), C(registry) or
          C(archive), from C(images_sources)), C(id) (from C(images_ids)), C(cache_dir), C(archive) (its archive
          in the controller's cache when pinned) and C(registry_ref) (its name in the lab registry).
      type: list
      elements: dict
    secrets:
      description: The secrets the modes need, each with C(variable), C(set) (never the value), C(needed), C(why)
        and C(problem) (the message when it is needed and not set; the C(via_server) role reports it).
      type: list
      elements: dict
    preflight:
      description: What preflight checks against the host, C(gpu_claims), C(ports) and C(secrets).
      type: dict
    problems:
      description: Every problem found in the variables, each naming its variable.
      type: list
      elements: str
"""

import os
from typing import Any, Dict, List, Optional

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.template import Templar

from ansible_collections.netai.vlm_server.plugins.plugin_utils.vlm_server_plan import PLAN_VARIABLES, build_plan

ROLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "roles")


class LookupModule(LookupBase):
    """vlm_server_plan lookup."""

    def _role_defaults(self) -> Dict[str, Any]:
        """Every role default the plan may need (they may refer to one another)."""
        defaults: Dict[str, Any] = {}
        for role in PLAN_VARIABLES:
            path = os.path.join(ROLES_DIR, role, "defaults", "main.yml")
            data = self._loader.load_from_file(path, trusted_as_template=True)
            defaults.update(data or {})
        return defaults

    def run(self, terms: List[Any], variables: Optional[Dict[str, Any]] = None, **kwargs: Any) -> List[Dict[str, Any]]:
        if terms:
            raise AnsibleLookupError("vlm_server_plan takes no terms: it plans the current host")
        variables = variables or {}
        env: Dict[str, Any] = self._role_defaults()
        env.update(variables)
        templar = Templar(loader=self._loader, variables=env)
        values = {name: templar.template(env[name]) for names in PLAN_VARIABLES.values() for name in names}
        return [build_plan(values, str(variables.get("inventory_hostname", "")))]
