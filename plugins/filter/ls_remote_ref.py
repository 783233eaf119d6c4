# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``ls_remote_ref``: what a name is in ``git ls-remote`` output, and the commit it names."""

from __future__ import annotations

DOCUMENTATION = r"""
name: ls_remote_ref
short_description: Whether a name is a tag or a branch of a remote, and the commit it names
version_added: "0.2.0"
description:
  - Reads the output of C(git ls-remote --heads --tags URL NAME NAME^{}) and returns what O(ref) is there.
  - A tag wins over a branch of the same name. For an annotated tag the commit is the peeled one
    (the C(refs/tags/NAME^{}) line), not the tag object.
positional: ref
options:
  _input:
    description: The output of C(git ls-remote), one C(<sha><TAB><ref>) per line.
    type: str
    required: true
  ref:
    description: The tag or branch name (as given to C(git ls-remote)).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: What v2.4.1 is upstream
  ansible.builtin.debug:
    msg: "{{ ls_remote.stdout | netai.vlm_server.ls_remote_ref('v2.4.1') }}"
"""

RETURN = r"""
_value:
  description: The kind (V(tag), V(branch) or empty when the remote has no such name) and the commit.
  type: dict
  contains:
    kind:
      description: V(tag), V(branch) or V("").
      type: str
    commit:
      description: The 40-character commit the name points to (empty when none).
      type: str
"""

from typing import Any, Dict

from ansible.errors import AnsibleFilterError


def ls_remote_ref(stdout: Any, ref: str) -> Dict[str, str]:
    """See DOCUMENTATION."""
    if not isinstance(stdout, str):
        raise AnsibleFilterError("ls_remote_ref expects the text of git ls-remote, got %s" % type(stdout).__name__)
    refs: Dict[str, str] = {}
    for line in stdout.splitlines():
        fields = line.split()
        if len(fields) == 2:
            refs[fields[1]] = fields[0]
    tag = "refs/tags/" + ref
    if tag + "^{}" in refs or tag in refs:
        return {"kind": "tag", "commit": refs.get(tag + "^{}", refs.get(tag, ""))}
    if "refs/heads/" + ref in refs:
        return {"kind": "branch", "commit": refs["refs/heads/" + ref]}
    return {"kind": "", "commit": ""}


class FilterModule:
    """ls_remote_ref filter."""

    def filters(self) -> Dict[str, Any]:
        return {"ls_remote_ref": ls_remote_ref}
