# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The manifest of an exported tree: what it holds, to prove later that nothing in it changed.

Pure functions (no Ansible): the C(tree_manifest) module and the unit tests use them.
A manifest is a JSON object::

    {"format": 1, "source": {...what the tree was exported from...},
     "files": {"relative/path": "<sha256>", ...},
     "executables": ["relative/path", ...],
     "links": {"relative/path": "<link target>", ...},
     "dirs": ["relative/dir", ...]}
"""

from __future__ import annotations

import json
import os
import stat
from typing import Any, Dict, Iterable, List

from ansible_collections.netai.vlm_server.plugins.module_utils.model_snapshot import sha256_file

FORMAT = 1


class ManifestError(Exception):
    """A manifest that cannot be read or a tree that cannot be scanned."""


def scan(root: str, exclude: Iterable[str] = ()) -> Dict[str, Any]:
    """Describe the tree under ``root``: regular files by sha256, symlinks by target, folders.

    ``exclude`` names paths relative to ``root`` left out (the manifest file itself). A symlink is
    recorded, never followed. Anything else (a socket, a device) is an error: an export holds none.
    """
    if not os.path.isdir(root) or os.path.islink(root):
        raise ManifestError("%s is not a folder" % root)
    skip = set(exclude)
    files: Dict[str, str] = {}
    links: Dict[str, str] = {}
    executables: List[str] = []
    dirs: List[str] = []
    for current, subdirs, names in os.walk(root):
        rel_dir = os.path.relpath(current, root)
        for name in sorted(subdirs):
            rel = os.path.normpath(os.path.join(rel_dir, name))
            full = os.path.join(current, name)
            if os.path.islink(full):  # os.walk lists a link to a folder among the folders
                links[rel] = os.readlink(full)
            elif rel not in skip:
                dirs.append(rel)
        subdirs[:] = [d for d in subdirs
                      if not os.path.islink(os.path.join(current, d))
                      and os.path.normpath(os.path.join(rel_dir, d)) not in skip]
        for name in names:
            rel = os.path.normpath(os.path.join(rel_dir, name))
            if rel in skip:
                continue
            full = os.path.join(current, name)
            info = os.lstat(full)
            if stat.S_ISLNK(info.st_mode):
                links[rel] = os.readlink(full)
            elif stat.S_ISREG(info.st_mode):
                files[rel] = sha256_file(full)
                if info.st_mode & stat.S_IXUSR:
                    executables.append(rel)
            else:
                raise ManifestError("%s is neither a file, a folder nor a link" % full)
    return {
        "files": dict(sorted(files.items())),
        "executables": sorted(executables),
        "links": dict(sorted(links.items())),
        "dirs": sorted(dirs),
    }


def build(root: str, source: Dict[str, Any], exclude: Iterable[str] = ()) -> Dict[str, Any]:
    """The manifest of ``root`` now, recording ``source`` (where the tree came from)."""
    manifest: Dict[str, Any] = {"format": FORMAT, "source": dict(source)}
    manifest.update(scan(root, exclude))
    return manifest


def render(manifest: Dict[str, Any]) -> str:
    """The manifest as the file holds it (stable: sorted keys, one entry per line)."""
    return json.dumps(manifest, indent=1, sort_keys=True) + "\n"


def parse(text: str, origin: str = "manifest") -> Dict[str, Any]:
    """Read a manifest file's text; refuse anything that is not one."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ManifestError("%s is not JSON: %s" % (origin, exc))
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
        raise ManifestError("%s is not a tree manifest of format %d" % (origin, FORMAT))
    return data


def compare(recorded: Dict[str, Any], actual: Dict[str, Any]) -> Dict[str, List[str]]:
    """What differs between a recorded manifest and a scan: modified, missing and extra paths."""
    def entries(data: Dict[str, Any]) -> Dict[str, str]:
        out = {path: "file:" + digest for path, digest in data.get("files", {}).items()}
        out.update({path: "link:" + target for path, target in data.get("links", {}).items()})
        out.update({path: "dir" for path in data.get("dirs", [])})
        for path in data.get("executables", []):
            out[path] = out.get(path, "") + ":x"
        return out

    before, after = entries(recorded), entries(actual)
    return {
        "modified": sorted(p for p in before if p in after and before[p] != after[p]),
        "missing": sorted(p for p in before if p not in after),
        "extra": sorted(p for p in after if p not in before),
    }
