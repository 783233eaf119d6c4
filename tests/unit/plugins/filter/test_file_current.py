"""file_current: a file task is skipped only where it would change nothing."""

from __future__ import annotations

import hashlib

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.filter.file_current import file_current


def entry(content=None, **overrides):
    state = {"exists": True, "isdir": False, "isreg": True, "islnk": False, "mode": "0644",
             "owner": "root", "group": "root",
             "checksum": hashlib.sha1(content.encode()).hexdigest() if content is not None else None}
    state.update(overrides)
    return state


def test_a_file_with_the_content_and_attributes_is_current():
    assert file_current(entry("a=1\n"), "a=1\n", mode="0644")
    assert file_current(entry("a=1\n"), "a=1\n", mode="644")


@pytest.mark.parametrize("state, kwargs", [
    (entry("a=1\n"), {"content": "a=2\n", "mode": "0644"}),
    (entry("a=1\n", mode="0600"), {"content": "a=1\n", "mode": "0644"}),
    (entry("a=1\n", owner="nobody"), {"content": "a=1\n", "mode": "0644"}),
    (entry("a=1\n", group="staff"), {"content": "a=1\n", "mode": "0644"}),
    (entry("a=1\n", islnk=True), {"content": "a=1\n"}),
    (entry("a=1\n", isreg=False, isdir=True), {"content": "a=1\n"}),
    ({"exists": False}, {"content": "a=1\n"}),
    (None, {"content": "a=1\n"}),
])
def test_anything_else_is_not(state, kwargs):
    assert not file_current(state, **kwargs)


def test_folders_and_checksums():
    folder = entry(isreg=False, isdir=True, mode="0750")
    assert file_current(folder, mode="0750", kind="directory")
    assert not file_current(folder, mode="0755", kind="directory")
    assert not file_current(entry("x"), kind="directory")
    assert file_current(entry("x"), checksum=hashlib.sha1(b"x").hexdigest(), mode="0644")
    assert not file_current(entry("x"), checksum="0" * 40)
    # owner/group None: whoever owns it (a file inside a clone).
    assert file_current(entry("x", owner="1000", group="1000"), "x", owner=None, group=None)


def test_misuse_is_an_error():
    with pytest.raises(AnsibleFilterError, match="no checksum"):
        file_current(entry(None), "x")
    with pytest.raises(AnsibleFilterError, match="kind"):
        file_current(entry("x"), kind="link")
    with pytest.raises(AnsibleFilterError, match="octal"):
        file_current(entry("x"), mode="rw-")
