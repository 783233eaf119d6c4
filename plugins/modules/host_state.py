#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read, in one round trip, the host state a role checks before it changes anything."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: host_state
short_description: What a role needs to know about a host, read in one round trip
version_added: "0.4.0"
description:
  - Reads, in a single call, what a role would otherwise ask with one task each. What is at a list
    of paths (O(paths)), with the SHA-1 of each regular file (O(checksum)), the text of small files
    (O(files)), which apt package specs the installed packages do not satisfy yet (O(packages)),
    the paths patterns match (O(globs)), systemd units' states (O(services)), the answers of
    read-only commands (O(commands)), and the state of a git clone (O(git)).
  - A role's file and folder tasks then run only where the filter
    P(netai.vlm_server.file_current#filter) says the path does not hold what they would leave.
  - A role calls it once at its start and reads the answers from the result; an
    C(ansible.builtin.apt) task then runs only for the specs in RV(packages_missing), so a host that
    already has everything costs one round trip, not one apt run per task.
  - Reads only; changes nothing. Runs in check mode.
  - Files read with O(files) come back in the result, so the task's output shows them. Read markers,
    keys and configuration with it, never a file that holds a secret.
options:
  paths:
    description:
      - Paths to describe. Each comes back in RV(paths) with C(exists), C(isdir), C(isreg), C(islnk),
        C(size), C(mode), C(owner), C(group) and C(checksum); a symlink is not followed for
        C(islnk) and is followed for C(isdir) and C(isreg).
    type: list
    elements: path
    default: []
  checksum:
    description:
      - Also compute the SHA-1 of each regular file of O(paths) (C(checksum), as
        C(ansible.builtin.stat) does); null for anything else. Name small files only.
    type: bool
    default: false
  globs:
    description:
      - Shell-style patterns (C(*), C(?), C([...])) to expand on the host; each comes back in
        RV(globs) with the paths it matches, sorted (an installed package's C(.dist-info) in a
        virtualenv, for example).
    type: list
    elements: str
    default: []
  commands:
    description:
      - Commands that only read (a version, a driver's answer, a daemon's settings), by a name of
        the caller's choice, each an argv list, run without a shell, even in check mode. Each comes
        back in RV(commands) under its name. A command whose program is not installed answers
        C(found=false), rc 127, and says so in C(stderr). Never a command that changes anything.
    type: dict
    default: {}
  services:
    description:
      - Systemd units to describe (C(systemctl show)). Each comes back in RV(services).
    type: list
    elements: str
    default: []
  files:
    description:
      - Small text files (at most 64 KiB, UTF-8) to read. Each comes back in RV(files), null when no
        file is there. A folder, a larger file or one that is not text fails the task.
    type: list
    elements: path
    default: []
  packages:
    description:
      - Apt-style package specs as C(ansible.builtin.apt) takes them in O(ignore:name) (C(git),
        C(docker-ce=5:28.5.1*), C(pkg=1.0-1)). Those the installed packages (C(dpkg-query)) do not
        satisfy come back in RV(packages_missing), in their order; a spec with another operator
        always does, so that apt decides.
    type: list
    elements: str
    default: []
  git:
    description:
      - A git clone to look at. RV(git) is null when the folder holds no C(.git).
    type: dict
    suboptions:
      path:
        description: The clone's folder.
        type: path
        required: true
      config:
        description: Keys of the clone's local git config to read (null in RV(git.config) when unset).
        type: list
        elements: str
        default: []
      status:
        description: Also list hand edits (C(git status --porcelain --untracked-files=normal)).
        type: bool
        default: true
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
  - C(dpkg-query) on the host for O(packages) (without it every spec counts as missing)
  - C(git) on the host for O(git) (without it RV(git) is null and RV(git_available) false)
  - C(systemctl) on the host for O(services) (without it every unit's states are null)
author:
  - netai lab (!UNKNOWN)
"""

EXAMPLES = r"""
- name: What the role needs to know about the host
  netai.vlm_server.host_state:
    packages: [git]
    paths: [/opt/netai/vss/video-search-and-summarization]
    files: [/opt/netai/vss/.vlm_pipeline.key]
    git:
      path: /opt/netai/vss/video-search-and-summarization
      config: [netai.checkout.commit]
  register: host

- name: Git is installed
  ansible.builtin.apt:
    name: "{{ host.packages_missing }}"
    state: present
  when: host.packages_missing | length > 0
"""

RETURN = r"""
paths:
  description: What is at each path of O(paths), by path.
  returned: success
  type: dict
  sample:
    /opt/netai/vss/video-search-and-summarization:
      exists: true
      isdir: true
      isreg: false
      islnk: false
      size: 4096
      mode: "0755"
      owner: root
      group: root
      checksum: null
commands:
  description: Each command of O(commands), by its name, with C(found), C(rc), C(stdout) and C(stderr).
  returned: success
  type: dict
  sample:
    compose_version: {found: true, rc: 0, stdout: "2.37.1\n", stderr: ""}
globs:
  description: The paths each pattern of O(globs) matches, sorted, by pattern.
  returned: success
  type: dict
  sample:
    /opt/netai/hf-venv/lib/python3*/site-packages/huggingface_hub-*.dist-info:
      - /opt/netai/hf-venv/lib/python3.13/site-packages/huggingface_hub-1.1.0.dist-info
services:
  description: Each unit of O(services) with its C(load), C(active) and C(enabled) state (C(LoadState),
    C(ActiveState) and C(UnitFileState) of C(systemctl show)); null values where systemd gave none.
  returned: success
  type: dict
  sample:
    docker.service: {load: loaded, active: active, enabled: enabled}
files:
  description: The text of each file of O(files), by path; null where no file is.
  returned: success
  type: dict
  sample:
    /opt/netai/vss/.vlm_pipeline.key: "3f1c...\n"
packages_missing:
  description: The specs of O(packages) that the installed packages do not satisfy, in their order.
  returned: success
  type: list
  elements: str
  sample: ["docker-ce=5:28.5.1*"]
packages_installed:
  description: The installed version of each package O(packages) names, null where it is not installed.
  returned: success
  type: dict
  sample: {git: "1:2.47.3-0+deb13u1", docker-ce: null}
git_available:
  description: Whether a git command was found (only meaningful with O(git)).
  returned: success
  type: bool
git:
  description: The clone's state, or null when the folder holds no C(.git) (or git is not installed).
  returned: success
  type: dict
  contains:
    head:
      description: The commit HEAD points to, null in a clone without one.
      type: str
    remotes:
      description: The clone's remotes.
      type: list
      elements: str
    config:
      description: Each key of O(git.config) with its value, null when unset.
      type: dict
    changes:
      description: One line of C(git status --porcelain) per hand edit (empty with O(git.status=false)).
      type: list
      elements: str
"""

import glob
import os
from typing import Any, Dict, List, Optional

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netai.vlm_server.plugins.module_utils.host_state import (
    DPKG_QUERY_FORMAT,
    SYSTEMCTL_PROPERTIES,
    HostStateError,
    git_state,
    parse_dpkg_query,
    parse_systemctl_show,
    path_state,
    read_text,
    spec_name,
    unsatisfied,
)


def installed_packages(module: AnsibleModule, names: List[str]) -> Dict[str, str]:
    """The installed version of each of ``names`` that is installed (dpkg-query)."""
    dpkg_query = module.get_bin_path("dpkg-query")
    if not dpkg_query or not names:
        return {}
    # rc 1 only says that some name is unknown to dpkg; the others are still listed.
    rc, out, err = module.run_command([dpkg_query, "--show", "--showformat=" + DPKG_QUERY_FORMAT] + names)
    if rc not in (0, 1):
        module.fail_json(msg="dpkg-query failed (rc %d): %s" % (rc, err.strip()))
    return parse_dpkg_query(out)


def service_states(module: AnsibleModule, units: List[str]) -> Dict[str, Dict[str, Optional[str]]]:
    """Each unit's states, from one ``systemctl show`` (all null without systemctl)."""
    systemctl = module.get_bin_path("systemctl")
    if not systemctl or not units:
        return parse_systemctl_show("", units)
    rc, out, err = module.run_command([systemctl, "show", "--property=" + SYSTEMCTL_PROPERTIES, "--"] + units)
    if rc != 0:
        module.fail_json(msg="systemctl show failed (rc %d): %s" % (rc, err.strip()))
    return parse_systemctl_show(out, units)


def run_commands(module: AnsibleModule, commands: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """Run each read-only command (argv, no shell); a program that is not installed is rc 127."""
    answers: Dict[str, Dict[str, Any]] = {}
    for name, argv in sorted(commands.items()):
        if not isinstance(argv, list) or not argv or not all(isinstance(arg, (str, int, float)) for arg in argv):
            module.fail_json(msg="commands.%s must be a non-empty list of arguments (argv), not %r" % (name, argv))
        words = [str(arg) for arg in argv]
        program = words[0] if os.path.isabs(words[0]) else module.get_bin_path(words[0])
        if not program or not os.access(program, os.X_OK):
            answers[name] = {"found": False, "rc": 127, "stdout": "", "stderr": "%s: command not found" % words[0]}
            continue
        rc, out, err = module.run_command([program] + words[1:])
        answers[name] = {"found": True, "rc": rc, "stdout": out, "stderr": err}
    return answers


def run_module() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            paths=dict(type="list", elements="path", default=[]),
            checksum=dict(type="bool", default=False),
            services=dict(type="list", elements="str", default=[]),
            globs=dict(type="list", elements="str", default=[]),
            commands=dict(type="dict", default={}),
            files=dict(type="list", elements="path", default=[]),
            packages=dict(type="list", elements="str", default=[]),
            git=dict(
                type="dict",
                options=dict(
                    path=dict(type="path", required=True),
                    config=dict(type="list", elements="str", default=[], no_log=False),
                    status=dict(type="bool", default=True),
                ),
            ),
        ),
        supports_check_mode=True,
    )
    specs: List[str] = module.params["packages"]
    names = sorted({spec_name(spec) for spec in specs})
    installed = installed_packages(module, names)
    result: Dict[str, Any] = dict(
        changed=False,
        services=service_states(module, module.params["services"]),
        globs={pattern: sorted(glob.glob(pattern)) for pattern in module.params["globs"]},
        commands=run_commands(module, module.params["commands"]),
        packages_missing=unsatisfied(specs, installed),
        packages_installed={name: installed.get(name) for name in names},
        git_available=False,
        git=None,
    )
    try:
        result["paths"] = {path: path_state(path, module.params["checksum"]) for path in module.params["paths"]}
        result["files"] = {path: read_text(path) for path in module.params["files"]}
        wanted: Optional[Dict[str, Any]] = module.params["git"]
        git_bin = module.get_bin_path("git")
        result["git_available"] = git_bin is not None
        if wanted and git_bin:
            def run(argv: List[str]):
                return module.run_command([git_bin] + argv[1:])

            result["git"] = git_state(run, wanted["path"], wanted["config"], wanted["status"])
    except (HostStateError, OSError) as exc:
        module.fail_json(msg=to_native(exc))
    module.exit_json(**result)


def main() -> None:
    run_module()


if __name__ == "__main__":
    main()
