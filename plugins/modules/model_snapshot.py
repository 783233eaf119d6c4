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
    hashes (sha256 of LFS files, git blob id of the others), and keeps a verified copy of them in
    O(local_dir), with the official client C(huggingface_hub) doing what it does itself.
  - The library selects the files (O(allow_patterns), O(ignore_patterns), as its
    C(snapshot_download) applies them, from its dry run), verifies a local copy
    (C(HfApi.verify_repo_checksums)) and downloads what is missing or damaged in parallel
    (C(snapshot_download), O(max_workers) at a time).
  - What the library does not do is done here. A manifest, C(.netai-verified.json), records every
    file that verified with its size and time, so a file unchanged since then is not hashed again
    (a complete 17 GB copy is not re-read on every run); free space is checked before a download;
    the progress (bytes done and total) goes to O(progress_file) every few seconds, from the
    library's own progress bars (its C(tqdm_class) hook), for a role that runs the module
    asynchronously; a damaged file is removed before the download (the library would trust its
    record of the earlier download).
  - huggingface_hub 2.x restarts an interrupted file from its beginning (files that finished are
    kept); the partial file of a killed run stays in C(.cache/huggingface/download).
  - A complete, verified copy gives C(changed=false) and downloads nothing.
  - With O(offline=true) it asks no Hub and only checks the folder (config.json, the shards named
    by the safetensors index, hashes recorded by an earlier verified download), and returns the
    commit that record names (a cache filled at a pinned commit needs no Hub again).
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
  max_workers:
    description: Files downloaded at the same time (C(snapshot_download)'s own option).
    type: int
    default: 8
  space_margin_gb:
    description: Free space to keep beyond the files, in GiB.
    type: float
    default: 1.0
  progress_file:
    description:
      - Where to write progress as JSON (C(bytes_done), C(bytes_total), C(finished); C(file) stays empty, as files
        download in parallel).
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
  - huggingface_hub 2.x (the version of C(model_weights_hf_hub_version)) in the Python that runs the module
    (set C(ansible_python_interpreter) on the task to a virtualenv's), except with O(offline=true)
author:
  - netai lab (!UNKNOWN)
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
  description: >-
    The commit the files belong to; with O(offline=true), the commit recorded by the download that
    verified them (empty when the folder has no such record, e.g. weights copied by hand).
  returned: always
  type: str
fetched:
  description: Files fetched, each with the reason (missing, size, hash).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The file's path in the repository.
      type: str
    reason:
      description: Why it is fetched (C(missing), or the size or hash found against the one expected).
      type: str
    size:
      description: The file's size on the Hub, in bytes.
      type: int
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
at_revision:
  description: With O(offline=true), whether the recorded commit is O(revision) (a pinned commit; a branch never is).
  returned: when O(offline=true)
  type: bool
writable:
  description:
    - With O(offline=true), the files of the folder that are not read-only (a verified copy is);
      a role runs the online check, which makes them read-only again.
  returned: when O(offline=true)
  type: list
  elements: str
"""

import io
import json
import os
import shutil
import stat
import sys
import tempfile
import threading
import traceback
from typing import Any, Dict, List

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.netai.vlm_server.plugins.module_utils import model_snapshot as ms

try:
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError
    from huggingface_hub.utils import enable_progress_bars
    from tqdm.auto import tqdm
    HF_HUB_IMPORT_ERROR = None
except ImportError:
    HF_HUB_IMPORT_ERROR = traceback.format_exc()
    tqdm = object  # pylint: disable=invalid-name


def write_progress(path: str, done: int, total: int, finished: bool, failed: bool = False) -> None:
    """Write the progress file atomically (nothing when no file was asked for). ``file`` stays
    empty: the library downloads several files at once."""
    if not path:
        return
    data: Dict[str, Any] = dict(bytes_done=done, bytes_total=total, file="", finished=finished)
    if failed:
        data["failed"] = True
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
    """Check a folder with no Hub to ask."""
    local_dir = module.params["local_dir"]
    if not os.path.isdir(local_dir):
        module.fail_json(msg="%s is not a folder" % local_dir)
    problems = ms.offline_problems(local_dir)
    if problems:
        module.fail_json(msg="%s is not a complete model copy: %s" % (local_dir, "; ".join(problems)))
    names = [n for n in os.listdir(local_dir) if os.path.isfile(os.path.join(local_dir, n))]
    writable = sorted(n for n in names if n != ms.MANIFEST and stat.S_IMODE(os.stat(os.path.join(local_dir, n)).st_mode) & 0o222)
    commit = ms.recorded_commit(local_dir)
    module.exit_json(changed=False, commit=commit, fetched=[], bytes_fetched=0, files=len(names),
                     bytes_total=sum(os.path.getsize(os.path.join(local_dir, n)) for n in names), writable=writable,
                     at_revision=bool(commit) and commit == module.params["revision"])


def progress_bars(tally: ms.ByteProgress) -> type:
    """A tqdm class for huggingface_hub that writes nowhere and reports each bar to ``tally``."""

    class Bar(tqdm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["file"] = io.StringIO()
            kwargs["disable"] = False
            super().__init__(*args, **kwargs)
            tally.add(self)

    return Bar


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
            max_workers=dict(type="int", default=8),
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
    if HF_HUB_IMPORT_ERROR:
        where = " (this module ran with %s: give it the virtualenv's Python, ansible_python_interpreter)" % sys.executable
        module.fail_json(msg=missing_required_lib("huggingface_hub") + where, exception=HF_HUB_IMPORT_ERROR)
        return
    if params["max_workers"] < 1:
        module.fail_json(msg="max_workers must be at least 1, got %d" % params["max_workers"])

    local_dir, repo_id = params["local_dir"], params["repo_id"]
    endpoint = params["endpoint"].rstrip("/")
    token = params["token"] or False
    api = HfApi(endpoint=endpoint, token=token)
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
    commit = str(info.sha)
    expected = ms.expected_files(info.siblings or [])
    # The library's own selection (allow/ignore patterns, as snapshot_download applies them), from
    # its dry run at the commit just read. The dry run creates its folder and lock files: it runs in
    # a scratch folder, so that check mode and the verification pass write nothing in local_dir.
    choose = dict(repo_id=repo_id, revision=commit, endpoint=endpoint, token=token,
                  allow_patterns=params["allow_patterns"] or None, ignore_patterns=params["ignore_patterns"] or None)
    try:
        with tempfile.TemporaryDirectory(prefix="netai-model-snapshot-") as scratch:
            planned = snapshot_download(dry_run=True, local_dir=scratch, tqdm_class=progress_bars(ms.ByteProgress()),
                                        **choose)
        selected = sorted(f.filename for f in planned)
    except Exception as exc:
        module.fail_json(msg="huggingface_hub's dry run of %s at %s on %s failed: %s" % (repo_id, commit, endpoint, exc))
        return
    if not selected:
        module.fail_json(msg="no file of %s matches allow_patterns/ignore_patterns" % repo_id)
    bytes_total = sum(int(expected[name]["size"] or 0) for name in selected)

    # Files the manifest vouches for (unchanged since they verified) are not hashed again; the
    # others, where any is on disk, go through the library's own verification.
    recorded = ms.load_manifest(local_dir)
    manifest = dict(recorded)
    unvouched = [name for name in selected if not ms.vouched(local_dir, name, expected[name], manifest)]
    problems: Dict[str, str] = {}
    if any(os.path.lexists(os.path.join(local_dir, name)) for name in unvouched):
        problems = ms.verification_problems(
            api.verify_repo_checksums(repo_id, revision=commit, local_dir=local_dir), selected)
        ms.record(local_dir, [n for n in unvouched if n not in problems and os.path.isfile(os.path.join(local_dir, n))],
                  expected, manifest)
    for name in unvouched:
        if name not in problems and not os.path.isfile(os.path.join(local_dir, name)):
            problems[name] = "missing"
    todo = [name for name in selected if name in problems]
    result: Dict[str, Any] = dict(
        commit=commit, files=len(selected), bytes_total=bytes_total,
        fetched=[{"name": n, "reason": problems[n], "size": expected[n]["size"]} for n in todo],
        bytes_fetched=sum(int(expected[n]["size"] or 0) for n in todo))
    if module.check_mode:
        module.exit_json(changed=bool(todo and params["download"]), **result)
        return
    # What verified is recorded (and made read-only) now, so that neither a later download
    # pass nor the next run hashes it again, whether or not anything is fetched.
    if manifest != recorded:
        ms.save_manifest(local_dir, commit, manifest)
    made_read_only = make_read_only(local_dir, [n for n in selected if n not in problems]) if params["read_only"] else 0
    if not todo or not params["download"]:
        if not todo:
            write_progress(params["progress_file"], bytes_total, bytes_total, finished=True)
        module.exit_json(changed=made_read_only > 0, **result)
        return

    os.makedirs(local_dir, exist_ok=True)
    problem = ms.space_problem(shutil.disk_usage(local_dir).free, result["bytes_fetched"],
                               int(params["space_margin_gb"] * 2**30))
    if problem:
        module.fail_json(msg="not enough space in %s for %s: %s" % (local_dir, repo_id, problem), **result)
    for name in todo:
        path = os.path.join(local_dir, name)
        if os.path.lexists(path):
            os.unlink(path)  # damaged: the library would trust its own record of the download otherwise

    present = bytes_total - result["bytes_fetched"]
    tally = ms.ByteProgress()
    stop = threading.Event()

    def reporter() -> None:
        while not stop.wait(2):
            write_progress(params["progress_file"], present + tally.bytes_done(), bytes_total, finished=False)

    thread = threading.Thread(target=reporter, daemon=True)
    thread.start()
    try:
        enable_progress_bars()  # the bars are our progress count (they print nowhere)
        snapshot_download(local_dir=local_dir, max_workers=params["max_workers"], tqdm_class=progress_bars(tally),
                          **choose)
        problems = ms.verification_problems(
            api.verify_repo_checksums(repo_id, revision=commit, local_dir=local_dir), selected)
    except Exception as exc:
        stop.set()
        write_progress(params["progress_file"], present + tally.bytes_done(), bytes_total, finished=True, failed=True)
        module.fail_json(msg="downloading %s at %s failed (a re-run fetches what is still missing): %s" % (
            repo_id, commit, exc), exception=traceback.format_exc(), **result)
        return
    stop.set()
    if problems:
        write_progress(params["progress_file"], bytes_total, bytes_total, finished=True, failed=True)
        module.fail_json(msg="%s at %s still fails verification after download: %s" % (
            repo_id, commit, "; ".join("%s: %s" % item for item in sorted(problems.items()))), **result)
    ms.record(local_dir, selected, expected, manifest)
    ms.save_manifest(local_dir, commit, manifest)
    if params["read_only"]:
        make_read_only(local_dir, selected)
    write_progress(params["progress_file"], bytes_total, bytes_total, finished=True)
    module.exit_json(changed=True, **result)


if __name__ == "__main__":
    main()
