# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Merge logic for Docker's ``daemon.json``: the collection's one mechanism.

Several roles own keys in the same file (the ``docker`` role: logging,
live-restore, data-root, mirrors; the ``nvidia_container_toolkit`` role:
``runtimes.nvidia``, ``default-runtime``). Each of them merges its keys into what
is there and never rewrites the keys of the others. The functions here are pure
(no Ansible import) so that they are unit-tested directly.

Semantics:
- objects merge recursively, key by key;
- any other value (string, number, bool, list, null) replaces the old one;
- ``remove`` takes dotted paths (``default-runtime``, ``runtimes.nvidia``) and
  deletes them if present;
- the file is rewritten only when the parsed content changes, so a foreign
  file's formatting survives a run that changes nothing.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple


class DaemonJsonError(Exception):
    """The existing file cannot be used (not JSON, not an object, bad path)."""


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> Dict[str, Any]:
    """Return a new dict: ``base`` with ``override`` merged in recursively."""
    result: Dict[str, Any] = copy.deepcopy(dict(base))
    for key, value in override.items():
        current = result.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            result[key] = deep_merge(current, value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def split_path(path: str) -> List[str]:
    """Split a dotted path; reject empty segments (``a..b``, ``.a``)."""
    parts = path.split(".")
    if not path or any(part == "" for part in parts):
        raise DaemonJsonError("invalid key path %r: use dotted keys such as 'runtimes.nvidia'" % path)
    return parts


def remove_paths(data: Mapping[str, Any], paths: Iterable[str]) -> Dict[str, Any]:
    """Return a copy of ``data`` without the given dotted paths (missing ones are ignored).

    An object left empty by a removal is removed too (``runtimes: {}`` is noise).
    """
    result: Dict[str, Any] = copy.deepcopy(dict(data))
    for path in paths:
        parts = split_path(path)
        trail: List[Tuple[Dict[str, Any], str]] = []
        node: Any = result
        for part in parts[:-1]:
            if not isinstance(node, dict) or part not in node:
                node = None
                break
            trail.append((node, part))
            node = node[part]
        if isinstance(node, dict) and parts[-1] in node:
            del node[parts[-1]]
            for parent, key in reversed(trail):
                if parent[key] == {}:
                    del parent[key]
                else:
                    break
    return result


def parse(text: Optional[str], source: str = "daemon.json") -> Dict[str, Any]:
    """Parse the file's text; an absent or blank file is an empty object."""
    if text is None or not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DaemonJsonError(
            "%s is not valid JSON (%s); fix or remove it by hand, nothing was changed" % (source, exc)
        ) from exc
    if not isinstance(data, dict):
        raise DaemonJsonError(
            "%s must hold a JSON object at the top level, found %s; nothing was changed"
            % (source, type(data).__name__)
        )
    return data


def render(data: Mapping[str, Any]) -> str:
    """Serialise the way Docker's documentation writes the file (2-space indent, newline)."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def plan(
    current_text: Optional[str],
    config: Mapping[str, Any],
    remove: Iterable[str] = (),
    source: str = "daemon.json",
) -> Tuple[bool, Dict[str, Any], Dict[str, Any]]:
    """Compute the merge: ``(changed, before, after)``.

    ``changed`` compares parsed content, not text: a file whose keys already hold
    the wanted values is left alone whatever its formatting.
    """
    before = parse(current_text, source)
    after = remove_paths(deep_merge(before, config), remove)
    return before != after, before, after
