# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lookup ``file_sha1``: the SHA-1 of a file on the controller, found as a copy task's src is."""

from __future__ import annotations

DOCUMENTATION = r"""
name: file_sha1
short_description: The SHA-1 of a file on the controller (a copy task's src), binary files included
version_added: "0.5.0"
description:
  - Finds each file as C(ansible.builtin.copy) finds its C(src) (a relative name in the role's or
    the playbook's C(files/), or an absolute path) and returns the SHA-1 of its content, the
    checksum C(copy) and M(netai.vlm_server.host_state) compute.
  - The smoke role compares it with the host's copy of its clip
    (P(netai.vlm_server.file_current#filter)) and copies the clip only when they differ, without a
    round trip to the controller's own Python.
options:
  _terms:
    description: Files on the controller.
    type: list
    elements: path
    required: true
"""

EXAMPLES = r"""
- name: The checksum of the role's smoke clip
  ansible.builtin.debug:
    msg: "{{ lookup('netai.vlm_server.file_sha1', 'netai-smoke-640x360-h264.mp4') }}"
"""

RETURN = r"""
_raw:
  description: The SHA-1 of each file, in hex.
  type: list
  elements: str
"""

from typing import Any, Dict, List, Optional

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

# The same fingerprint host_state computes on the host: one function for both sides.
from ansible_collections.netai.vlm_server.plugins.module_utils.host_state import sha1_of


class LookupModule(LookupBase):
    """file_sha1 lookup."""

    def run(self, terms: List[Any], variables: Optional[Dict[str, Any]] = None, **kwargs: Any) -> List[str]:
        answers: List[str] = []
        for term in terms:
            path = self.find_file_in_search_path(variables, "files", str(term), ignore_missing=True)
            if not path:
                raise AnsibleLookupError("file_sha1: %s not found on the controller (files/ of the role or playbook, "
                                         "or an absolute path)" % term)
            try:
                answers.append(sha1_of(path))
            except OSError as exc:
                raise AnsibleLookupError("file_sha1: cannot read %s: %s" % (path, exc)) from None
        return answers
