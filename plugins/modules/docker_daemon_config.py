#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Merge keys into Docker's daemon.json without clobbering the keys of others."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: docker_daemon_config
short_description: Merge settings into Docker's daemon.json, keeping keys written by others
version_added: "0.1.0"
description:
  - Reads C(/etc/docker/daemon.json) (or O(path)), merges O(config) into it recursively and
    deletes the dotted key paths in O(remove).
  - Objects merge key by key; any other value (string, number, boolean, list) replaces the old one.
    Keys that O(config) does not name are kept, so the C(docker) role and the
    C(nvidia_container_toolkit) role can both own parts of the same file.
  - The file is written only when its parsed content changes; a run that changes nothing leaves
    the file byte for byte as it was, whatever its formatting.
  - This module does not restart Docker. Notify a handler when it reports a change.
  - This is the collection's one mechanism for C(daemon.json); do not template the file.
options:
  path:
    description: Path of the daemon configuration file.
    type: path
    default: /etc/docker/daemon.json
  config:
    description: Settings to merge in (the JSON object Docker documents for C(daemon.json)).
    type: dict
    default: {}
  remove:
    description:
      - Dotted key paths to delete when present, for example C(default-runtime) or C(runtimes.nvidia).
      - An object left empty by a removal is deleted too.
    type: list
    elements: str
    default: []
  mode:
    description: Permissions of the file when the module writes it.
    type: raw
    default: "0644"
  backup:
    description: Keep a timestamped copy of the previous file when it is rewritten.
    type: bool
    default: false
  validate:
    description:
      - A command that checks the new file before it replaces the old one; C(%s) stands for the
        path of the candidate file, for example C(dockerd --validate --config-file %s).
      - When the command fails, the old file stays and the module fails with the command's output.
      - Runs only when the file is about to be rewritten (not in check mode).
    type: str
notes:
  - Supports check mode and diff mode.
  - A file that is not valid JSON, or not a JSON object, is reported as an error and left alone.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
requirements:
  - Python 3 on the host (standard library only)
  - the program O(validate) names, when set (C(dockerd) for Docker's own check)
author:
  - netai lab (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Docker logging and live-restore, keeping any runtime written by the NVIDIA toolkit
  netai.vlm_server.docker_daemon_config:
    config:
      live-restore: true
      log-driver: json-file
      log-opts:
        max-size: 100m
        max-file: "3"
  notify: Restart docker

- name: Register the nvidia runtime and stop making it the default
  netai.vlm_server.docker_daemon_config:
    config:
      runtimes:
        nvidia:
          path: nvidia-container-runtime
          args: []
    remove:
      - default-runtime
"""

RETURN = r"""
path:
  description: The file that was read (and written when changed).
  returned: always
  type: str
  sample: /etc/docker/daemon.json
config:
  description: The whole merged configuration, as it is in the file after the run.
  returned: always
  type: dict
  sample: {"live-restore": true, "runtimes": {"nvidia": {"path": "nvidia-container-runtime"}}}
backup_file:
  description: The copy of the previous file, when O(backup=true) and the file was rewritten.
  returned: changed and backup requested
  type: str
"""

import os
import tempfile
from typing import Any, Dict

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netai.vlm_server.plugins.module_utils.daemon_json import (
    DaemonJsonError,
    plan,
    render,
)


def read_text(path: str) -> "str | None":
    """Return the file's text, or None when it does not exist."""
    try:
        with open(path, "r", encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def write_atomically(module: AnsibleModule, path: str, text: str, validate: "str | None") -> None:
    """Write ``text`` next to ``path``, check it with ``validate``, move it into place in one step."""
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        os.makedirs(directory, mode=0o755)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".daemon.json.", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    if validate:
        if "%s" not in validate:
            os.unlink(tmp)
            module.fail_json(msg="validate must contain %%s (the candidate file's path): %r" % validate)
        rc, out, err = module.run_command(validate % tmp)
        if rc != 0:
            os.unlink(tmp)
            module.fail_json(
                msg="the merged daemon.json failed validation (%s); %s was left as it was"
                % (validate, path),
                rc=rc,
                stdout=out,
                stderr=err,
                candidate=text,
            )
    module.atomic_move(tmp, path)


def run_module() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/docker/daemon.json"),
            config=dict(type="dict", default={}),
            remove=dict(type="list", elements="str", default=[]),
            mode=dict(type="raw", default="0644"),
            backup=dict(type="bool", default=False),
            validate=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    path: str = module.params["path"]
    current = read_text(path)
    try:
        changed, before, after = plan(current, module.params["config"], module.params["remove"], source=path)
    except DaemonJsonError as exc:
        module.fail_json(msg=to_native(exc), path=path)

    result: Dict[str, Any] = dict(changed=changed, path=path, config=after)
    if changed and module._diff:
        result["diff"] = dict(
            before=render(before) if current is not None else "",
            after=render(after),
            before_header=path,
            after_header=path,
        )
    if changed and not module.check_mode:
        if module.params["backup"] and current is not None:
            result["backup_file"] = module.backup_local(path)
        write_atomically(module, path, render(after), module.params["validate"])
    if not module.check_mode and os.path.exists(path):
        file_args = module.load_file_common_arguments(dict(path=path, mode=module.params["mode"]))
        result["changed"] = module.set_fs_attributes_if_different(file_args, result["changed"])
    module.exit_json(**result)


def main() -> None:
    run_module()


if __name__ == "__main__":
    main()
