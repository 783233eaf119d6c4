# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``daemon_json_current``: whether daemon.json already holds what a merge would write."""

from __future__ import annotations

DOCUMENTATION = r"""
name: daemon_json_current
short_description: Whether Docker's daemon.json already holds what M(netai.vlm_server.docker_daemon_config) would merge in
version_added: "0.5.0"
description:
  - Takes the text of C(daemon.json) as M(netai.vlm_server.host_state) read it (null when there is
    no file) and says whether merging O(config) and removing O(remove) would leave it as it is,
    with the same logic as M(netai.vlm_server.docker_daemon_config) (parsed content, not text).
  - The docker and nvidia_container_toolkit roles run their merge task only when this says false,
    so a re-run with nothing to merge costs no round trip. A file that is not a JSON object is never
    current (the module then reports what is wrong with it).
positional: config, remove
options:
  _input:
    description: The file's text; null or empty for no file.
    type: str
    required: true
  config:
    description: The keys to merge in, as the module's O(netai.vlm_server.docker_daemon_config#module:config).
    type: dict
    required: true
  remove:
    description: Dotted key paths to remove, as the module's O(netai.vlm_server.docker_daemon_config#module:remove).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Merge the role's settings into daemon.json
  netai.vlm_server.docker_daemon_config:
    config: {live-restore: true}
  when: >-
    not (host.files['/etc/docker/daemon.json'] | netai.vlm_server.daemon_json_current({'live-restore': true}))
"""

RETURN = r"""
_value:
  description: True when the merge would change nothing.
  type: bool
"""

from typing import Any, Dict, Iterable, Mapping, Optional

from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.module_utils.daemon_json import DaemonJsonError, plan


def _plain(value: Any) -> Any:
    """A plain copy of a templated value (Ansible's lazy containers are slow to deep-copy)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def daemon_json_current(text: Optional[str], config: Mapping[str, Any], remove: Optional[Iterable[str]] = None) -> bool:
    """See DOCUMENTATION."""
    if not isinstance(config, Mapping):
        raise AnsibleFilterError("daemon_json_current: config must be a dict, not %s" % type(config).__name__)
    try:
        changed, _before, _after = plan(None if text is None else str(text), _plain(config), [str(path) for path in remove or []])
    except DaemonJsonError:
        return False
    return not changed


class FilterModule:
    """daemon_json_current filter."""

    def filters(self) -> Dict[str, Any]:
        return {"daemon_json_current": daemon_json_current}
