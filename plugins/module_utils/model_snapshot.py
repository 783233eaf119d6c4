# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verification of a local model snapshot against the Hub's file metadata.

Pure functions (no huggingface_hub import), shared by the model_snapshot module and its unit
tests: what huggingface_hub does not do itself. The library selects the files, verifies them
(``HfApi.verify_repo_checksums``), plans (``dry_run``) and downloads them in parallel; here are the
manifest that spares re-hashing files unchanged since they verified, the reading of the library's
verification for the selected files, the byte count of its progress bars, the free-space check,
and the checks of a folder with no Hub to ask (offline).
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional

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
    """The sha256 of a file (the Hub's id of an LFS file), read in 8 MiB pieces."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_manifest(local_dir: str) -> Dict[str, Dict[str, Any]]:
    """The files recorded as verified in ``local_dir`` (empty when there is no readable manifest)."""
    try:
        with open(os.path.join(local_dir, MANIFEST)) as handle:
            data = json.load(handle)
        return data.get("files", {}) if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def recorded_commit(local_dir: str) -> str:
    """The commit the manifest of ``local_dir`` says its verified files belong to ("" without one)."""
    try:
        with open(os.path.join(local_dir, MANIFEST)) as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return ""
    commit = data.get("commit", "") if isinstance(data, dict) else ""
    return commit if isinstance(commit, str) else ""


def save_manifest(local_dir: str, commit: str, files: Dict[str, Dict[str, Any]]) -> None:
    """Write the manifest atomically (a temporary file, then a rename)."""
    path = os.path.join(local_dir, MANIFEST)
    with open(path + ".tmp", "w") as handle:
        json.dump({"commit": commit, "files": files}, handle, indent=1, sort_keys=True)
    os.replace(path + ".tmp", path)


def expected_files(siblings: Iterable[Any]) -> Dict[str, Dict[str, Any]]:
    """The Hub's size and hash of every file, from ``model_info(files_metadata=True).siblings``:
    the sha256 of an LFS file, the git blob id of the others."""
    expected: Dict[str, Dict[str, Any]] = {}
    for sibling in siblings:
        lfs = getattr(sibling, "lfs", None)
        expected[sibling.rfilename] = {"size": sibling.size,
                                       "hash": lfs.sha256 if lfs else sibling.blob_id}
    return expected


def vouched(local_dir: str, name: str, expected: Mapping[str, Any], manifest: Mapping[str, Dict[str, Any]]) -> bool:
    """Whether the manifest vouches for the local copy of ``name``: recorded with the hash the Hub
    gives now, and neither its size nor its modification time changed since it verified. Such a
    file is not hashed again (a 17 GB model is not re-read on every run)."""
    known = manifest.get(name)
    path = os.path.join(local_dir, name)
    if not known or known.get("hash") != expected.get("hash") or not os.path.isfile(path):
        return False
    stat = os.stat(path)
    return known.get("size") == stat.st_size == expected.get("size") and known.get("mtime_ns") == stat.st_mtime_ns


def record(local_dir: str, names: Iterable[str], expected: Mapping[str, Mapping[str, Any]],
           manifest: Dict[str, Dict[str, Any]]) -> None:
    """Record in ``manifest`` that these files verified: their size, time and the Hub's hash."""
    for name in names:
        stat = os.stat(os.path.join(local_dir, name))
        manifest[name] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "hash": expected[name]["hash"]}


def verification_problems(verification: Any, selected: Iterable[str]) -> Dict[str, str]:
    """What huggingface_hub's ``HfApi.verify_repo_checksums`` found wrong with the selected files,
    by file: ``missing``, or the algorithm and the digests that differ. Files outside the selection
    (which the library reports as missing) and files the Hub does not know (its extras: our manifest,
    progress) are not problems."""
    chosen = set(selected)
    problems = {name: "missing" for name in getattr(verification, "missing_paths", []) if name in chosen}
    for mismatch in getattr(verification, "mismatches", []):
        name = mismatch["path"]
        if name in chosen:
            algorithm = "sha256" if mismatch.get("algorithm") == "sha256" else "git blob id"
            problems[name] = "%s %s, expected %s" % (algorithm, mismatch.get("actual"), mismatch.get("expected"))
    return problems


class ByteProgress:
    """The bytes huggingface_hub has downloaded so far, from the progress bars it opens with the
    ``tqdm_class`` it is given (its public hook for progress): the largest count among the bars
    that count bytes. Bars counting files (unit ``it``) are left out."""

    def __init__(self) -> None:
        self.bars: List[Any] = []

    def add(self, progress_bar: Any) -> None:
        """Follow one more bar (the tqdm class calls this as the library opens it)."""
        self.bars.append(progress_bar)

    def bytes_done(self) -> int:
        """The bytes downloaded so far (0 before a byte bar opens)."""
        counts = [int(getattr(b, "n", 0) or 0) for b in list(self.bars) if getattr(b, "unit", "") == "B"]
        return max(counts, default=0)


def space_problem(free_bytes: int, todo_bytes: int, margin_bytes: int) -> Optional[str]:
    """A message when the files to fetch, with the margin, do not fit in the free space."""
    needed = todo_bytes + margin_bytes
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
