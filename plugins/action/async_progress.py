# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action async_progress: wait for a background job in a loop, one progress line per interval.

Documented in plugins/modules/async_progress.py. A plain loop on the controller: every poll
runs three short modules on the host (wait_for on the progress file, async_status, slurp) and
prints one line; nothing recurses, so a 4-hour job at 15 s (960 polls) is as cheap as a short one.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any, Callable, Dict, Optional

from ansible.plugins.action import ActionBase
from ansible_collections.netai.vlm_server.plugins.module_utils.async_progress import ARGUMENT_SPEC
from ansible.utils.display import Display

display = Display()

GiB = float(2 ** 30)
MiB = float(2 ** 20)


def progress_line(label: str, progress: Dict[str, Any], rate: Optional[float]) -> str:
    """'label: 1.23 of 16.33 GiB (7.5%), 45.2 MB/s, about 5 min left, file' from a progress dict
    (MiB when the whole is under a GiB)."""
    done = int(progress.get("bytes_done") or 0)
    total = int(progress.get("bytes_total") or 0)
    unit, size = ("GiB", GiB) if total >= GiB else ("MiB", MiB)
    parts = ["%s: %.2f of %.2f %s (%.1f%%)" % (label, done / size, total / size, unit, 100.0 * done / max(total, 1))]
    if rate is not None and rate > 0:
        parts.append("%.1f MB/s" % (rate / 1e6))
        left = (total - done) / rate
        parts.append("about %d min left" % max(1, round(left / 60)) if left >= 60 else "under a minute left")
    if progress.get("file"):
        parts.append(str(progress["file"]))
    return ", ".join(parts)


class ActionModule(ActionBase):
    """Wait for an async job; print its progress file at every interval; return the job's result."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def _async_dir(self) -> str:
        return self._remote_expand_user(self.get_shell_option("async_dir", default="~/.ansible_async"))

    def run(self, tmp: Any = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        result = super().run(tmp, task_vars)
        _valid, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        if args["interval"] < 1:
            return dict(result, failed=True, msg="interval must be at least 1 second")
        host = (task_vars or {}).get("inventory_hostname", "")
        execute: Callable[[str, Dict[str, Any]], Dict[str, Any]] = \
            lambda name, module_args: self._execute_module(module_name=name, module_args=module_args,
                                                           task_vars=task_vars)
        return dict(result, **wait_for_job(execute, args, self._async_dir(), host, display.display))


def wait_for_job(execute: Callable[[str, Dict[str, Any]], Dict[str, Any]], args: Dict[str, Any], async_dir: str,
                 host: str, show: Callable[[str], Any], clock: Callable[[], float] = time.monotonic,
                 pause: Callable[[float], Any] = time.sleep) -> Dict[str, Any]:
    """The loop itself, apart from Ansible's plumbing (the unit tests drive it with fakes)."""
    jid, path, interval = args["jid"], args["progress_file"], args["interval"]
    began = clock()
    give_up = began + args["timeout"] + 2 * interval + 60
    polls = 0
    first: Optional[tuple] = None  # (time, bytes_done) of the first line: the rate is the average since
    due = began + interval  # when the next line is due: the calls' own time counts in the interval
    while True:
        polls += 1
        waited = execute("ansible.legacy.wait_for", {"path": path, "search_regex": '"finished": true',
                                                     "timeout": max(1, int(round(due - clock())))})
        status = execute("ansible.legacy.async_status", {"jid": jid, "mode": "status", "_async_dir": async_dir})
        if status.get("finished"):
            execute("ansible.legacy.async_status", {"jid": jid, "mode": "cleanup", "_async_dir": async_dir})
            outcome = {k: v for k, v in status.items()
                       if k not in ("started", "finished", "results_file", "ansible_job_id", "_ansible_parsed")}
            outcome.update(polls=polls, finished=True)
            return outcome
        if status.get("failed"):  # no such job: the wrapper never started it, or its file is gone
            return {"failed": True, "finished": False, "polls": polls,
                    "msg": "the background job %s is not known on %s: %s" % (jid, host, status.get("msg", ""))}
        slurped = execute("ansible.legacy.slurp", {"src": path})
        progress: Dict[str, Any] = {}
        if not slurped.get("failed") and slurped.get("content"):
            try:
                progress = json.loads(base64.b64decode(slurped["content"]))
            except ValueError:
                progress = {}
        now = clock()
        due = max(due + interval, now + 1)
        done = int(progress.get("bytes_done") or 0)
        rate = (done - first[1]) / (now - first[0]) if first is not None and now > first[0] else None
        if first is None and progress:
            first = (now, done)
        show("%s | %s" % (host, progress_line(args["label"], progress, rate)) if progress
             else "%s | %s: starting" % (host, args["label"]))
        if now >= give_up:
            return {"failed": True, "finished": False, "polls": polls,
                    "msg": "%s did not end within %d s (%d polls); its last progress: %s" % (
                        args["label"], args["timeout"], polls,
                        progress_line(args["label"], progress, None) if progress else "none")}
        if waited.get("failed") is not True and progress.get("finished"):
            pause(1)  # the job wrote "finished" and is exiting: give it a moment
