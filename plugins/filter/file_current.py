# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``file_current``: whether a path already holds what a file task would leave there."""

from __future__ import annotations

DOCUMENTATION = r"""
name: file_current
short_description: Whether a path already holds what a copy, template or file task would leave there
version_added: "0.5.0"
description:
  - Takes what M(netai.vlm_server.host_state) reported for a path (an entry of its RV(paths), read
    with O(netai.vlm_server.host_state#module:checksum=true) for files) and says whether the path
    already holds O(content) with O(mode), O(owner) and O(group) (O(kind=file)), or is a folder
    with them (O(kind=directory)).
  - A role reads its files once with M(netai.vlm_server.host_state) and runs each C(copy),
    C(template) or C(file) task only when this filter says false; a re-run that has nothing to
    change costs no round trip per file. When it says false, the task itself decides, as always
    (check mode and C(--diff) included).
  - A link is never current (the tasks would replace it by a file or refuse it).
positional: content
options:
  _input:
    description: The path's entry in M(netai.vlm_server.host_state)'s RV(paths); null or absent is not current.
    type: dict
    required: true
  content:
    description:
      - The text the file must hold (a C(copy) task's C(content), or a template rendered with
        C(ansible.builtin.template)'s lookup). Compared by SHA-1 with the entry's C(checksum).
      - Null does not compare content (a folder, or a file whose attributes alone matter).
    type: str
  checksum:
    description:
      - The SHA-1 the file must have, where the content is not text at hand (a C(copy) task's
        C(src), its checksum from C(ansible.builtin.stat) on the controller). Ignored with O(content).
    type: str
  mode:
    description: The mode the task sets (octal, as a string); null does not compare it.
    type: str
  owner:
    description: The owner the task sets; null does not compare it.
    type: str
    default: root
  group:
    description: The group the task sets; null does not compare it.
    type: str
    default: root
  kind:
    description: A regular file or a folder.
    type: str
    choices: [file, directory]
    default: file
"""

EXAMPLES = r"""
- name: The compose override
  ansible.builtin.template:
    src: compose.override.yaml.j2
    dest: /etc/netai/via-server/compose.override.yaml
    owner: root
    group: root
    mode: "0644"
  when: >-
    not (host.paths['/etc/netai/via-server/compose.override.yaml']
         | netai.vlm_server.file_current(lookup('ansible.builtin.template', 'compose.override.yaml.j2'), mode='0644'))
"""

RETURN = r"""
_value:
  description: True when the path already holds what the task would leave; false when the task must run.
  type: bool
"""

import hashlib
from typing import Any, Dict, Mapping, Optional

from ansible.errors import AnsibleFilterError


def _mode(value: Any) -> int:
    try:
        return int(str(value), 8)
    except ValueError:
        raise AnsibleFilterError("file_current: mode %r is not an octal number" % (value,)) from None


def file_current(state: Optional[Mapping[str, Any]], content: Optional[str] = None, mode: Optional[str] = None,
                 owner: Optional[str] = "root", group: Optional[str] = "root", kind: str = "file",
                 checksum: Optional[str] = None) -> bool:
    """See DOCUMENTATION."""
    if kind not in ("file", "directory"):
        raise AnsibleFilterError("file_current: kind must be file or directory, not %r" % (kind,))
    if not state or not state.get("exists") or state.get("islnk"):
        return False
    if kind == "directory":
        if not state.get("isdir"):
            return False
    else:
        if not state.get("isreg"):
            return False
        if content is not None:
            checksum = hashlib.sha1(str(content).encode("utf-8")).hexdigest()  # nosec - Ansible's own fingerprint
        if checksum is not None:
            if state.get("checksum") is None:
                raise AnsibleFilterError("file_current: the entry has no checksum (read it with host_state checksum=true)")
            if state["checksum"] != checksum:
                return False
    if mode is not None and (state.get("mode") is None or _mode(state["mode"]) != _mode(mode)):
        return False
    if owner is not None and state.get("owner") != owner:
        return False
    if group is not None and state.get("group") != group:
        return False
    return True


class FilterModule:
    """file_current filter."""

    def filters(self) -> Dict[str, Any]:
        return {"file_current": file_current}
