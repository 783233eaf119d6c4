#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fetch and verify a model snapshot from the Hugging Face Hub with huggingface_hub."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: model_snapshot
short_description: A verified local copy of a Hugging Face model repository, fetched with huggingface_hub
version_added: "0.1.0"
description:
  - Asks the Hub (O(endpoint)) for the files of O(repo_id) at O(revision) with their sizes and
    hashes (sha256 of LFS files, git blob id of the others), checks the local folder O(local_dir)
    against them, and fetches only what is missing, truncated or corrupted, with the official
    client (C(huggingface_hub.hf_hub_download), which resumes interrupted downloads).
  - A complete, verified copy gives C(changed=false) and downloads nothing. Hashes are recorded in
    C(.netai-verified.json) (also when nothing is fetched) so unchanged files are not hashed again.
  - Checks free space before fetching and fails with the sizes when the files do not fit.
  - Writes its progress (bytes done and total) to O(progress_file) every few seconds, for a role
    that runs it asynchronously to print.
  - With O(offline=true) it asks no Hub and only checks the folder (config.json, the shards named
    by the safetensors index, hashes recorded by an earlier verified download).
  - Must run with a Python that has C(huggingface_hub), such as a virtualenv's (set
    C(ansible_python_interpreter) on the task), except with O(offline=true).
  - Supports check mode (reports what would be fetched).
options:
  repo_id:
    description: Repository id on the Hub (C(owner/name)).
    type: str
  revision:
    description: Commit (a pin), tag or branch.
    type: str
    default: main
  local_dir:
    description: Folder the files go to.
    type: path
    required: true
  endpoint:
    description: The Hub's URL (C(HF_ENDPOINT); a mirror works).
    type: str
    default: https://huggingface.co
  token:
    description: Hub token for gated or private repositories. Never logged.
    type: str
  allow_patterns:
    description: Only files matching one of these glob patterns (all when empty).
    type: list
    elements: str
    default: []
  ignore_patterns:
    description: Skip files matching one of these glob patterns.
    type: list
    elements: str
    default: []
  space_margin_gb:
    description: Free space to keep beyond the files, in GiB.
    type: float
    default: 1.0
  progress_file:
    description: Where to write progress as JSON (C(bytes_done), C(bytes_total), C(file), C(finished)).
    type: path
  offline:
    description: Verify the folder without asking the Hub (weights provided by other means).
    type: bool
    default: false
  read_only:
    description: Leave the files read-only (mode 0444) once verified.
    type: bool
    default: true
  download:
    description:
      - Fetch what is missing or damaged. With V(false) the module only verifies, records what
        verified and reports in RV(fetched) what a download would fetch (a fast first pass before
        an asynchronous download).
    type: bool
    default: true
author:
  - netai lab
"""

EXAMPLES = r"""
- name: Qwen3-VL-8B-Instruct at a pinned commit
  netai.vlm_server.model_snapshot:
    repo_id: Qwen/Qwen3-VL-8B-Instruct
    revision: "{{ model_weights_revision }}"
    local_dir: /opt/netai/models/Qwen3-VL-8B-Instruct
    token: "{{ vault_hf_token }}"
  vars:
    ansible_python_interpreter: /opt/netai/hf-venv/bin/python
  no_log: true
"""

RETURN = r"""
commit:
  description: The commit the files belong to.
  returned: unless offline
  type: str
fetched:
  description: Files fetched, each with the reason (missing, size, hash).
  returned: always
  type: list
  elements: dict
bytes_fetched:
  description: Bytes of the files fetched.
  returned: always
  type: int
files:
  description: Number of files checked.
  returned: always
  type: int
bytes_total:
  description: Size of all files checked.
  returned: always
  type: int
"""

import json
import os
import shutil
import stat
import threading
import time
import traceback
from typing import Any, Dict, List

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.netai.vlm_server.plugins.module_utils import model_snapshot as ms


def write_progress(path: str, data: Dict[str, Any]) -> None:
    if not path:
        return
    with open(path + ".tmp", "w") as handle:
        json.dump(data, handle)
    os.replace(path + ".tmp", path)


def make_read_only(local_dir: str, names: List[str]) -> int:
    """Drop the write bits of the named files; return how many changed."""
    changed = 0
    for name in names:
        path = os.path.join(local_dir, name)
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o222:
            os.chmod(path, mode & ~0o222)
            changed += 1
    return changed


def run_offline(module: AnsibleModule) -> None:
    local_dir = module.params["local_dir"]
    if not os.path.isdir(local_dir):
        module.fail_json(msg="%s is not a folder" % local_dir)
    problems = ms.offline_problems(local_dir)
    if problems:
        module.fail_json(msg="%s is not a complete model copy: %s" % (local_dir, "; ".join(problems)))
    names = [n for n in os.listdir(local_dir) if os.path.isfile(os.path.join(local_dir, n))]
    module.exit_json(changed=False, fetched=[], bytes_fetched=0, files=len(names),
                     bytes_total=sum(os.path.getsize(os.path.join(local_dir, n)) for n in names))


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            repo_id=dict(type="str"),
            revision=dict(type="str", default="main"),
            local_dir=dict(type="path", required=True),
            endpoint=dict(type="str", default="https://huggingface.co"),
            token=dict(type="str", no_log=True),
            allow_patterns=dict(type="list", elements="str", default=[]),
            ignore_patterns=dict(type="list", elements="str", default=[]),
            space_margin_gb=dict(type="float", default=1.0),
            progress_file=dict(type="path"),
            offline=dict(type="bool", default=False),
            read_only=dict(type="bool", default=True),
            download=dict(type="bool", default=True),
        ),
        required_if=[("offline", False, ("repo_id",))],
        supports_check_mode=True,
    )
    params = module.params
    if params["offline"]:
        run_offline(module)
        return
    try:
        from huggingface_hub import HfApi, hf_hub_download
        from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError
    except ImportError:
        module.fail_json(msg="huggingface_hub is not importable by %s: run this module with the "
                             "virtualenv's Python (ansible_python_interpreter)" % os.sys.executable)
        return

    local_dir, repo_id = params["local_dir"], params["repo_id"]
    endpoint = params["endpoint"].rstrip("/")
    api = HfApi(endpoint=endpoint, token=params["token"] or False)
    try:
        info = api.model_info(repo_id, revision=params["revision"], files_metadata=True)
    except GatedRepoError:
        module.fail_json(msg="%s is gated on %s: give a token of an account that was granted access "
                             "(model_weights_hf_token, from the vault)%s" % (
                                 repo_id, endpoint, "; the token given was refused" if params["token"] else ""))
        return
    except RepositoryNotFoundError:
        module.fail_json(msg="%s: no such repository on %s (or it is private and needs a token)" % (repo_id, endpoint))
        return
    except RevisionNotFoundError:
        module.fail_json(msg="%s has no revision %s on %s" % (repo_id, params["revision"], endpoint))
        return
    except Exception as exc:  # network, TLS, proxy: say what was asked
        module.fail_json(msg="could not read %s at %s from %s: %s" % (repo_id, params["revision"], endpoint, exc))
        return

    remote = [{"name": s.rfilename, "size": s.size,
               "sha256": s.lfs.sha256 if s.lfs else None, "blob_id": s.blob_id} for s in info.siblings or []]
    files = ms.select_files(remote, params["allow_patterns"], params["ignore_patterns"])
    if not files:
        module.fail_json(msg="no file of %s matches allow_patterns/ignore_patterns" % repo_id)
    bytes_total = sum(int(f["size"] or 0) for f in files)
    if not module.check_mode:
        os.makedirs(local_dir, exist_ok=True)
    recorded = ms.load_manifest(local_dir)
    manifest = dict(recorded)
    todo = ms.plan(local_dir, files, manifest)
    result: Dict[str, Any] = dict(commit=info.sha, files=len(files), bytes_total=bytes_total,
                                  fetched=[{"name": t["name"], "reason": t["reason"], "size": t["size"]} for t in todo],
                                  bytes_fetched=sum(int(t["size"] or 0) for t in todo))
    if module.check_mode:
        module.exit_json(changed=bool(todo and params["download"]), **result)
        return
    # What verified is recorded (and made read-only) now, so that neither a later download
    # pass nor the next run hashes it again, whether or not anything is fetched.
    if manifest != recorded:
        ms.save_manifest(local_dir, info.sha, manifest)
    fetching = {t["name"] for t in todo}
    made_read_only = make_read_only(local_dir, [f["name"] for f in files if f["name"] not in fetching]) \
        if params["read_only"] else 0
    if not todo or not params["download"]:
        if not todo:
            write_progress(params["progress_file"], dict(bytes_done=bytes_total, bytes_total=bytes_total,
                                                          file="", finished=True))
        module.exit_json(changed=made_read_only > 0, **result)
        return

    already = ms.partial_bytes(local_dir)
    problem = ms.space_problem(shutil.disk_usage(local_dir).free, todo, already,
                               int(params["space_margin_gb"] * 2**30))
    if problem:
        module.fail_json(msg="not enough space in %s for %s: %s" % (local_dir, repo_id, problem), **result)

    done_bytes = bytes_total - result["bytes_fetched"]
    current = {"file": "", "done": done_bytes}
    stop = threading.Event()

    def reporter() -> None:
        while not stop.wait(2):
            write_progress(params["progress_file"], dict(
                bytes_done=current["done"] + ms.partial_bytes(local_dir), bytes_total=bytes_total,
                file=current["file"], finished=False))

    thread = threading.Thread(target=reporter, daemon=True)
    thread.start()
    try:
        for entry in todo:
            current["file"] = entry["name"]
            path = os.path.join(local_dir, entry["name"])
            if os.path.exists(path):
                os.unlink(path)  # damaged: the client would trust its own metadata otherwise
            hf_hub_download(repo_id, entry["name"], revision=info.sha, local_dir=local_dir,
                            endpoint=endpoint, token=params["token"] or False)
            reason = ms.check_file(local_dir, entry, manifest)
            if reason is not None:
                module.fail_json(msg="%s of %s still fails verification after download: %s" % (
                    entry["name"], repo_id, reason), **result)
            current["done"] += int(entry["size"] or 0)
    except Exception as exc:
        stop.set()
        write_progress(params["progress_file"], dict(bytes_done=current["done"], bytes_total=bytes_total,
                                                      file=current["file"], finished=True, failed=True))
        module.fail_json(msg="downloading %s of %s failed (a re-run resumes): %s" % (
            current["file"], repo_id, exc), exception=traceback.format_exc(), **result)
        return
    stop.set()
    ms.save_manifest(local_dir, info.sha, manifest)
    if params["read_only"]:
        make_read_only(local_dir, [f["name"] for f in files])
    write_progress(params["progress_file"], dict(bytes_done=bytes_total, bytes_total=bytes_total,
                                                  file="", finished=True))
    module.exit_json(changed=True, **result)


if __name__ == "__main__":
    main()
