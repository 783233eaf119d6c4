# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verification of a local model snapshot against the Hub's file metadata.

Pure functions (no huggingface_hub import), shared by the model_snapshot module and its
unit tests: which files a folder lacks or holds damaged, what that costs in bytes, and a small
manifest that spares re-hashing files that did not change since they were verified.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
from typing import Any, Dict, Iterable, List, Optional

MANIFEST = ".netai-verified.json"
COMMIT_RE_LEN = 40
_CHUNK = 8 * 1024 * 1024


def is_commit(revision: str) -> bool:
    """A full 40-hex commit id (a pin), as opposed to a branch or tag name."""
    return len(revision) == COMMIT_RE_LEN and all(c in "0123456789abcdef" for c in revision.lower())


def git_blob_id(path: str) -> str:
    """Git's blob id of a file (the Hub's id of a non-LFS file)."""
    size = os.path.getsize(path)
    digest = hashlib.sha1(b"blob %d\0" % size)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def select_files(remote: List[Dict[str, Any]], allow: Iterable[str], ignore: Iterable[str]) -> List[Dict[str, Any]]:
    """Files of `remote` matching any allow pattern (all if none) and no ignore pattern."""
    allow, ignore = list(allow), list(ignore)
    chosen = []
    for entry in remote:
        name = entry["name"]
        if allow and not any(fnmatch.fnmatch(name, pattern) for pattern in allow):
            continue
        if any(fnmatch.fnmatch(name, pattern) for pattern in ignore):
            continue
        chosen.append(entry)
    return chosen


def load_manifest(local_dir: str) -> Dict[str, Dict[str, Any]]:
    try:
        with open(os.path.join(local_dir, MANIFEST)) as handle:
            data = json.load(handle)
        return data.get("files", {}) if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def save_manifest(local_dir: str, commit: str, files: Dict[str, Dict[str, Any]]) -> None:
    path = os.path.join(local_dir, MANIFEST)
    with open(path + ".tmp", "w") as handle:
        json.dump({"commit": commit, "files": files}, handle, indent=1, sort_keys=True)
    os.replace(path + ".tmp", path)


def check_file(local_dir: str, entry: Dict[str, Any], manifest: Dict[str, Dict[str, Any]]) -> Optional[str]:
    """Why the local copy of `entry` is not good (None when it is).

    `entry`: name, size, and sha256 (LFS files) or blob_id (others). The hash is computed only
    when size or mtime differ from what the manifest recorded at the last verification."""
    path = os.path.join(local_dir, entry["name"])
    if not os.path.isfile(path):
        return "missing"
    stat = os.stat(path)
    if entry.get("size") is not None and stat.st_size != entry["size"]:
        return "size %d, expected %d" % (stat.st_size, entry["size"])
    expected = entry.get("sha256") or entry.get("blob_id")
    if not expected:
        return None
    known = manifest.get(entry["name"])
    if known and known.get("size") == stat.st_size and known.get("mtime_ns") == stat.st_mtime_ns \
            and known.get("hash") == expected:
        return None
    actual = sha256_file(path) if entry.get("sha256") else git_blob_id(path)
    if actual != expected:
        return "%s %s, expected %s" % ("sha256" if entry.get("sha256") else "git blob id", actual, expected)
    manifest[entry["name"]] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "hash": expected}
    return None


def plan(local_dir: str, files: List[Dict[str, Any]], manifest: Dict[str, Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The files to (re)fetch, each with the reason."""
    todo = []
    for entry in files:
        reason = check_file(local_dir, entry, manifest)
        if reason is not None:
            todo.append(dict(entry, reason=reason))
    return todo


def partial_bytes(local_dir: str) -> int:
    """Bytes of interrupted downloads that huggingface_hub will resume (its .incomplete files)."""
    total = 0
    download_dir = os.path.join(local_dir, ".cache", "huggingface", "download")
    for root, _dirs, names in os.walk(download_dir):
        for name in names:
            if name.endswith(".incomplete"):
                total += os.path.getsize(os.path.join(root, name))
    return total


def space_problem(free_bytes: int, todo: List[Dict[str, Any]], already: int, margin_bytes: int) -> Optional[str]:
    """A message when the files to fetch (less what is already partly there) do not fit."""
    needed = sum(int(entry.get("size") or 0) for entry in todo) - already + margin_bytes
    if needed > free_bytes:
        return "needs %.2f GiB (with a %.2f GiB margin), %.2f GiB free" % (
            needed / 2**30, margin_bytes / 2**30, free_bytes / 2**30)
    return None


def offline_problems(local_dir: str) -> List[str]:
    """Checks of a folder with no Hub to ask (sources path and cache): config, shards named by
    the index, and the sizes and hashes recorded by an earlier verified download, if any (a file
    whose size and mtime are those recorded is not hashed again)."""
    problems = []
    if not os.path.isfile(os.path.join(local_dir, "config.json")):
        problems.append("config.json missing")
    for name in sorted(os.listdir(local_dir)) if os.path.isdir(local_dir) else []:
        if not name.endswith(".safetensors.index.json"):
            continue
        try:
            with open(os.path.join(local_dir, name)) as handle:
                shards = sorted(set(json.load(handle).get("weight_map", {}).values()))
        except (OSError, ValueError) as exc:
            problems.append("%s unreadable: %s" % (name, exc))
            continue
        for shard in shards:
            if not os.path.isfile(os.path.join(local_dir, shard)):
                problems.append("%s (named in %s) missing" % (shard, name))
    manifest = load_manifest(local_dir)
    for name, known in sorted(manifest.items()):
        path = os.path.join(local_dir, name)
        if not os.path.isfile(path):
            problems.append("%s missing" % name)
        elif os.path.getsize(path) != known.get("size"):
            problems.append("%s: size %d, recorded %s" % (name, os.path.getsize(path), known.get("size")))
        elif os.stat(path).st_mtime_ns == known.get("mtime_ns"):
            continue  # unchanged since it was verified (rsync -t keeps the time)
        elif len(str(known.get("hash"))) == 64 and sha256_file(path) != known["hash"]:
            problems.append("%s: sha256 differs from the recorded one" % name)
        elif len(str(known.get("hash"))) == 40 and git_blob_id(path) != known["hash"]:
            problems.append("%s: git blob id differs from the recorded one" % name)
    return problems
