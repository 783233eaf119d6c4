"""The async_progress action's loop: many polls without recursion, lines, rate, the job's result."""

from __future__ import annotations

import base64
import json
import sys
from typing import Any, Dict, List

import pytest

from ansible_collections.netai.vlm_server.plugins.action.async_progress import progress_line, wait_for_job

GiB = 2 ** 30


class FakeHost:
    """A host whose background job reports progress for `polls` intervals, then ends."""

    def __init__(self, polls: int, total: int = 16 * GiB, job_result: Dict[str, Any] = None) -> None:
        self.polls, self.total, self.now, self.calls = polls, total, 0.0, []
        self.job_result = job_result or {"changed": True, "commit": "abc"}

    def clock(self) -> float:
        return self.now

    def execute(self, name: str, args: Dict[str, Any]) -> Dict[str, Any]:
        self.calls.append(name)
        polled = self.calls.count("ansible.legacy.wait_for")
        if name == "ansible.legacy.wait_for":
            self.now += args["timeout"]  # the host waited one interval
            return {"failed": True, "msg": "Timeout when waiting for search string"}
        if name == "ansible.legacy.async_status":
            if args["mode"] == "cleanup":
                return {"erased": "/root/.ansible_async/" + args["jid"]}
            if polled > self.polls:
                return dict(self.job_result, finished=True, started=True, ansible_job_id=args["jid"])
            return {"finished": False, "started": True, "ansible_job_id": args["jid"]}
        if name == "ansible.legacy.slurp":
            done = min(self.total, polled * self.total // self.polls)
            data = {"bytes_done": done, "bytes_total": self.total, "file": "model-00001.safetensors",
                    "finished": False}
            return {"content": base64.b64encode(json.dumps(data).encode()).decode()}
        raise AssertionError(name)


def run(host: FakeHost, lines: List[str], **args: Any) -> Dict[str, Any]:
    full = {"jid": "j1", "progress_file": "/p.json", "label": "Qwen3-VL-8B-Instruct", "interval": 15,
            "timeout": 14400}
    full.update(args)
    return wait_for_job(host.execute, full, "/root/.ansible_async", "sv4000-2", lines.append, host.clock,
                        lambda _s: None)


def test_a_thousand_polls_in_a_loop_with_a_small_stack():
    """1000 polls (over 4 hours at 15 s) run as a loop: the recursion limit is no limit here."""
    host, lines = FakeHost(polls=1000), []
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # a self-including task file needed a frame per poll
    try:
        result = run(host, lines, timeout=1000 * 15)
    finally:
        sys.setrecursionlimit(limit)
    assert result["finished"] is True and result["polls"] == 1001
    assert result["changed"] is True and result["commit"] == "abc"
    assert len(lines) == 1000
    assert lines[0].startswith("sv4000-2 | Qwen3-VL-8B-Instruct: 0.02 of 16.00 GiB (0.1%)")
    assert "MB/s" in lines[1] and "min left" in lines[1]
    # the rate is the average since the first line: 16 GiB over 1000 x 15 s, and the time left follows
    assert "1.1 MB/s, about 125 min left" in lines[500]
    assert lines[-1].startswith("sv4000-2 | Qwen3-VL-8B-Instruct: 16.00 of 16.00 GiB (100.0%)")
    assert host.calls[-1] == "ansible.legacy.async_status"  # cleanup of the job file


def test_lines_keep_to_the_interval_when_the_calls_take_time():
    """Each poll's own calls (about 1.5 s on a host) count in the interval: the wait is shortened."""
    host, lines = FakeHost(polls=8), []
    waits: List[int] = []
    original = host.execute

    def slow(name: str, args: Dict[str, Any]) -> Dict[str, Any]:
        if name == "ansible.legacy.wait_for":
            waits.append(args["timeout"])
        else:
            host.now += 0.75  # async_status and slurp take time too
        return original(name, args)

    host.execute = slow
    run(host, lines, interval=15)
    assert waits[0] == 15 and set(waits[1:]) <= {13, 14}  # shortened by the 1.5 s the calls took
    assert abs(host.now - 15 * (len(lines) + 1)) <= 2  # 15 s per poll (the last ends the wait), not 16.5


def test_a_4_hour_download_at_15_seconds():
    host, lines = FakeHost(polls=960), []
    result = run(host, lines)
    assert result["finished"] and len(lines) == 960


def test_the_jobs_failure_is_the_tasks_failure():
    host, lines = FakeHost(polls=3, job_result={"failed": True, "msg": "downloading x failed (a re-run resumes)"}), []
    result = run(host, lines)
    assert result["failed"] is True and result["msg"].startswith("downloading x failed")
    assert len(lines) == 3


def test_gives_up_after_the_timeout_and_says_where_it_was():
    host, lines = FakeHost(polls=10 ** 6), []
    result = run(host, lines, interval=15, timeout=600)
    assert result["failed"] is True and result["finished"] is False
    assert "did not end within 600 s" in result["msg"] and "GiB" in result["msg"]
    assert result["polls"] == len(lines) < 60


def test_an_unknown_job_fails_at_once():
    def execute(name: str, args: Dict[str, Any]) -> Dict[str, Any]:
        if name == "ansible.legacy.async_status":
            return {"failed": True, "msg": "could not find job", "finished": False}
        return {}

    result = wait_for_job(execute, {"jid": "j9", "progress_file": "/p", "label": "x", "interval": 1, "timeout": 10},
                          "/a", "h", lambda _l: None, lambda: 0.0, lambda _s: None)
    assert result["failed"] and "j9 is not known on h" in result["msg"]


@pytest.mark.parametrize("progress, rate, expected", [
    ({"bytes_done": GiB, "bytes_total": 4 * GiB, "file": "a"}, None, "m: 1.00 of 4.00 GiB (25.0%), a"),
    ({"bytes_done": 0, "bytes_total": 0}, None, "m: 0.00 of 0.00 MiB (0.0%)"),
    ({"bytes_done": 3 * 2 ** 20, "bytes_total": 8 * 2 ** 20, "file": "w"}, None, "m: 3.00 of 8.00 MiB (37.5%), w"),
    ({"bytes_done": GiB, "bytes_total": 2 * GiB}, 50e6, "m: 1.00 of 2.00 GiB (50.0%), 50.0 MB/s, under a minute left"),
])
def test_progress_line(progress, rate, expected):
    assert progress_line("m", progress, rate) == expected
