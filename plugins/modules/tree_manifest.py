#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Record or check the manifest of an exported tree (every file's sha256, links, folders)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: tree_manifest
short_description: Record or check the manifest that proves an exported tree pristine
version_added: "0.1.0"
description:
  - Describes every regular file under O(path) by its sha256 (and its executable bit), every
    symlink by its target and every folder, in a JSON manifest file (O(manifest)).
  - With O(state=present) the manifest is written when it would differ from what the tree holds
    now, recording O(source) (where the tree came from, such as repository, ref and commit).
  - With O(state=checked) nothing is written; the module compares the tree with the manifest and
    returns what differs (RV(modified), RV(missing), RV(extra)) and the recorded RV(source). It
    reports a difference, it does not fail on one; the caller decides.
  - The C(vss_checkout) role uses it for its export mode (a checkout without C(.git)).
options:
  path:
    description: The folder the manifest describes.
    type: path
    required: true
  manifest:
    description: The manifest file; left out of the description when it lies under O(path).
    type: path
    required: true
  state:
    description: C(present) writes the manifest of the tree as it is; C(checked) only compares.
    type: str
    choices: [present, checked]
    default: checked
  source:
    description: What the tree was exported from, recorded in the manifest with O(state=present).
    type: dict
    default: {}
notes:
  - Supports check mode (O(state=present) reports the change and writes nothing).
  - A symlink is recorded by its target and never followed.
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
  - Python 3 on the host (standard library only)
author:
  - netai lab (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Record the exported tree
  netai.vlm_server.tree_manifest:
    path: /opt/netai/vss/video-search-and-summarization
    manifest: /opt/netai/vss/video-search-and-summarization/.netai-vss-manifest.json
    state: present
    source:
      repo: https://github.com/NVIDIA-AI-Blueprints/video-search-and-summarization.git
      ref: v2.4.1
      commit: "{{ commit }}"

- name: Is it still as exported?
  netai.vlm_server.tree_manifest:
    path: /opt/netai/vss/video-search-and-summarization
    manifest: /opt/netai/vss/video-search-and-summarization/.netai-vss-manifest.json
  register: export
"""

RETURN = r"""
exists:
  description: Whether the manifest file was there before the run.
  returned: always
  type: bool
source:
  description: What the tree was exported from, as the manifest records it (empty when there is none).
  returned: always
  type: dict
  sample: {"repo": "https://github.com/NVIDIA-AI-Blueprints/video-search-and-summarization.git",
           "ref": "v2.4.1", "commit": "0123456789abcdef0123456789abcdef01234567"}
pristine:
  description: The tree matches the manifest (false when there is no manifest).
  returned: always
  type: bool
modified:
  description: Paths whose content, executable bit, link target or kind changed.
  returned: always
  type: list
  elements: str
missing:
  description: Paths the manifest records that are gone.
  returned: always
  type: list
  elements: str
extra:
  description: Paths that are there and not in the manifest.
  returned: always
  type: list
  elements: str
files:
  description: How many regular files the tree holds now.
  returned: always
  type: int
"""

import os
from typing import Any, Dict, List

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netai.vlm_server.plugins.module_utils.tree_manifest import (
    ManifestError,
    build,
    compare,
    parse,
    render,
)


def run_module() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            manifest=dict(type="path", required=True),
            state=dict(type="str", choices=["present", "checked"], default="checked"),
            source=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    root: str = module.params["path"]
    manifest_path: str = module.params["manifest"]
    rel_manifest = os.path.relpath(manifest_path, root)
    exclude: List[str] = [] if rel_manifest.startswith("..") else [rel_manifest]
    try:
        recorded: Dict[str, Any] = {}
        exists = os.path.isfile(manifest_path)
        if exists:
            with open(manifest_path, "r", encoding="utf-8") as handle:
                recorded = parse(handle.read(), manifest_path)
        source = module.params["source"] if module.params["state"] == "present" else recorded.get("source", {})
        now = build(root, source, exclude)
    except (ManifestError, OSError) as exc:
        module.fail_json(msg=to_native(exc), path=root, manifest=manifest_path)

    differences = compare(recorded, now) if exists else {"modified": [], "missing": [], "extra": sorted(now["files"])}
    result: Dict[str, Any] = dict(
        changed=False,
        exists=exists,
        source=recorded.get("source", {}),
        pristine=exists and not any(differences.values()),
        files=len(now["files"]),
        **differences
    )
    if module.params["state"] == "present" and render(now) != (render(recorded) if exists else ""):
        result.update(changed=True, source=now["source"])
        if not module.check_mode:
            tmp = manifest_path + ".netai-new"
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(render(now))
            os.chmod(tmp, 0o644)
            module.atomic_move(tmp, manifest_path)
    module.exit_json(**result)


def main() -> None:
    run_module()


if __name__ == "__main__":
    main()
