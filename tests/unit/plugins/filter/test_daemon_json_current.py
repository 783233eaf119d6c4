"""daemon_json_current: a daemon.json merge is skipped only where it would change nothing."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.filter.daemon_json_current import daemon_json_current


def test_daemon_json_is_current_when_the_merge_changes_nothing():
    text = json.dumps({"live-restore": True, "runtimes": {"nvidia": {"path": "nvidia-container-runtime", "args": []}},
                       "debug": True})
    assert daemon_json_current(text, {"live-restore": True})
    assert daemon_json_current(text, {"runtimes": {"nvidia": {"path": "nvidia-container-runtime", "args": []}}})
    assert not daemon_json_current(text, {"live-restore": False})
    assert not daemon_json_current(text, {"live-restore": True}, ["debug"])
    assert daemon_json_current(text, {}, ["not-there"])
    assert daemon_json_current(None, {})
    assert not daemon_json_current(None, {"live-restore": True})
    assert not daemon_json_current("{not json", {"live-restore": True})
    with pytest.raises(AnsibleFilterError, match="dict"):
        daemon_json_current(text, ["live-restore"])
