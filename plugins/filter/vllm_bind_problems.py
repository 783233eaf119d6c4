# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``vllm_bind_problems``: where vLLM listens, and the bridge it may listen on, checked."""

from __future__ import annotations

DOCUMENTATION = r"""
name: vllm_bind_problems
short_description: Check where vLLM listens (vllm_bind_host) and the Docker bridge it may listen on
version_added: "0.3.0"
description:
  - Returns one message per problem (an empty list when all is well), each naming its variable.
  - O(_input) must be an IP address. When it is the bridge's gateway, the gateway must lie in the
    bridge's subnet.
positional: bridge_subnet, bridge_gateway
options:
  _input:
    description: C(vllm_bind_host).
    type: str
    required: true
  bridge_subnet:
    description: C(vllm_bridge_subnet), in CIDR form.
    type: str
    required: true
  bridge_gateway:
    description: C(vllm_bridge_gateway).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Where vLLM listens
  ansible.builtin.assert:
    that: problems | length == 0
  vars:
    problems: "{{ vllm_bind_host | netai.vlm_server.vllm_bind_problems(vllm_bridge_subnet, vllm_bridge_gateway) }}"
"""

RETURN = r"""
_value:
  description: The problems, each naming its variable.
  type: list
  elements: str
"""

import ipaddress
from typing import Any, Dict, List


def vllm_bind_problems(bind_host: Any, bridge_subnet: Any, bridge_gateway: Any) -> List[str]:
    """Problems of where vLLM listens (vllm_bind_host) and of the bridge it may listen on."""
    problems: List[str] = []
    try:
        ipaddress.ip_address(str(bind_host))
    except ValueError:
        problems.append("vllm_bind_host: an IP address expected (the bridge's %s by default, 0.0.0.0 to open vLLM to "
                        "the lab, 127.0.0.1 for this host alone), got %r" % (bridge_gateway, bind_host))
    if str(bind_host) == str(bridge_gateway):
        try:
            network = ipaddress.ip_network(str(bridge_subnet))
            if ipaddress.ip_address(str(bridge_gateway)) not in network:
                problems.append("vllm_bridge_gateway: %s is not in vllm_bridge_subnet %s" % (bridge_gateway, network))
        except ValueError as exc:
            problems.append("vllm_bridge_subnet / vllm_bridge_gateway: %s" % exc)
    return problems


class FilterModule:
    """vllm_bind_problems filter."""

    def filters(self) -> Dict[str, Any]:
        return {"vllm_bind_problems": vllm_bind_problems}
