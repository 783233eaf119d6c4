# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lookup ``plaintext_secrets``: secrets written in plain text in an inventory's variable files."""

from __future__ import annotations

DOCUMENTATION = r"""
name: plaintext_secrets
short_description: Find secrets in plain text in an inventory's group_vars and host_vars
version_added: "0.3.0"
description:
  - Reads, on the controller, every file under C(group_vars/) and C(host_vars/) next to each path given
    (an inventory file, an inventory folder or the playbook folder), and each inventory file given,
    and returns what is not encrypted.
  - A file that starts with C($ANSIBLE_VAULT;) is encrypted whole and fine.
  - A file whose name starts with C(vault) (C(vault.yml), C(vault_lab.yaml), a C(vault) folder's files)
    is a vault file, reported whole when in plain text.
  - In any other file, a line that gives one of O(names) a literal value (not C(!vault), not a
    C({{ }}) reference, not empty) is reported by file and variable name. The value itself never
    leaves this plugin.
  - Files ending in C(.example), C(.md) or C(~) are left out.
options:
  _terms:
    description: Inventory sources or folders; a file stands for its folder.
    type: list
    elements: path
    required: true
  names:
    description: Regular expressions of the variable names that hold secrets (matched whole).
    type: list
    elements: str
    default: ['vault_\w+', '\w*api_key', '\w*hf_token', '\w*_password']
"""

EXAMPLES = r"""
- name: No secret in plain text in the inventory this run uses
  ansible.builtin.assert:
    that: found | length == 0
  vars:
    found: "{{ lookup('netai.vlm_server.plaintext_secrets', playbook_dir, *ansible_inventory_sources, wantlist=True) }}"
"""

RETURN = r"""
_raw:
  description: One entry per finding.
  type: list
  elements: dict
  contains:
    path:
      description: The file.
      type: str
    variable:
      description: The variable given in plain text; empty when the whole vault file is in plain text.
      type: str
"""

import os
import re
from typing import Any, Dict, Iterable, List

from ansible.plugins.lookup import LookupBase

VAULT_HEADER = "$ANSIBLE_VAULT;"
SKIPPED_SUFFIXES = (".example", ".md", "~", ".swp", ".orig")
EMPTY_VALUES = {"", '""', "''", "null", "~", "[]", "{}"}


def _is_literal(value: str) -> bool:
    value = value.split(" #", 1)[0].strip()
    if value in EMPTY_VALUES or value.startswith("!vault"):
        return False
    return "{{" not in value


def file_findings(path: str, text: str, names: Iterable[str]) -> List[Dict[str, str]]:
    """What is in plain text in one variable file (``text`` is its content)."""
    if text.lstrip().startswith(VAULT_HEADER):
        return []
    stem = os.path.basename(path)
    if stem.startswith("vault") or os.path.basename(os.path.dirname(path)).startswith("vault"):
        return [{"path": path, "variable": ""}] if text.strip() else []
    pattern = re.compile(r"^\s*(?:-\s+)?[\"']?(%s)[\"']?\s*:\s*(.*)$" % "|".join("(?:%s)" % n for n in names))
    found: List[Dict[str, str]] = []
    for line in text.splitlines():
        match = pattern.match(line)
        if match and _is_literal(match.group(2)) and not any(f["variable"] == match.group(1) for f in found):
            found.append({"path": path, "variable": match.group(1)})
    return found


def variable_files(sources: Iterable[str]) -> List[str]:
    """Each source file, and the files under group_vars/ and host_vars/ next to each source, once, sorted."""
    files = set()
    for source in sources:
        if os.path.isfile(source):
            files.add(os.path.realpath(source))
        base = source if os.path.isdir(source) else os.path.dirname(source)
        for sub in ("group_vars", "host_vars"):
            for root, _dirs, names in os.walk(os.path.join(base, sub)):
                for name in names:
                    if not name.endswith(SKIPPED_SUFFIXES):
                        files.add(os.path.realpath(os.path.join(root, name)))
    return sorted(files)


def plaintext_secrets(sources: Iterable[str], names: Iterable[str]) -> List[Dict[str, str]]:
    """Every finding in the variable files of ``sources`` (see DOCUMENTATION)."""
    names = list(names)
    found: List[Dict[str, str]] = []
    for path in variable_files(sources):
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8", errors="replace")
        found.extend(file_findings(path, text, names))
    return found


class LookupModule(LookupBase):
    """plaintext_secrets lookup."""

    def run(self, terms: List[Any], variables: Any = None, **kwargs: Any) -> List[Dict[str, str]]:
        self.set_options(var_options=variables, direct=kwargs)
        return plaintext_secrets((str(t) for t in terms), self.get_option("names"))
