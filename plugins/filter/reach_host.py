# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``reach_host``: the address a client uses to reach a server bound to an address."""

from __future__ import annotations

DOCUMENTATION = r"""
name: reach_host
short_description: The address a client on the host reaches a server at, given the address it binds
version_added: "0.3.0"
description:
  - A server bound to one address (the gateway of a Docker bridge, C(127.0.0.1)) is reached at that
    address; one bound to every address (C(0.0.0.0), C(::) or empty) at O(wildcard).
  - The vllm role binds C(vllm_bind_host); the vllm role's health checks, the smoke role,
    C(playbooks/status.yml) (from the host, O(wildcard) C(127.0.0.1)) and via-server (from its
    container, O(wildcard) C(host.docker.internal)) all reach vLLM through this filter.
positional: wildcard
options:
  _input:
    description: The address the server binds.
    type: str
    required: true
  wildcard:
    description: The address to use when the server binds every address.
    type: str
    default: 127.0.0.1
"""

EXAMPLES = r"""
- name: vLLM's health, from the host
  ansible.builtin.uri:
    url: "http://{{ vllm_bind_host | netai.vlm_server.reach_host }}:38011/health"
"""

RETURN = r"""
_value:
  description: The address to connect to.
  type: str
"""

from typing import Any, Dict

WILDCARDS = {"", "0.0.0.0", "::", "[::]"}


def reach_host(bind: Any, wildcard: str = "127.0.0.1") -> str:
    """See DOCUMENTATION."""
    bind = "" if bind is None else str(bind).strip()
    return wildcard if bind in WILDCARDS else bind


class FilterModule:
    """reach_host filter."""

    def filters(self) -> Dict[str, Any]:
        return {"reach_host": reach_host}
