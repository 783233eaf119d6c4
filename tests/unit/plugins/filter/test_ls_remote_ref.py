"""The ls_remote_ref filter: tags (annotated and light), branches, none."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.filter.ls_remote_ref import ls_remote_ref

A, B, C = "a" * 40, "b" * 40, "c" * 40


def test_annotated_tag_gives_the_peeled_commit():
    out = "%s\trefs/tags/v2.4.1\n%s\trefs/tags/v2.4.1^{}\n" % (A, B)
    assert ls_remote_ref(out, "v2.4.1") == {"kind": "tag", "commit": B}


def test_lightweight_tag_and_branch():
    assert ls_remote_ref("%s\trefs/tags/v2.4.0\n" % A, "v2.4.0") == {"kind": "tag", "commit": A}
    assert ls_remote_ref("%s\trefs/heads/main\n" % C, "main") == {"kind": "branch", "commit": C}


def test_a_tag_wins_over_a_branch_and_dots_are_literal():
    out = "%s\trefs/heads/v2.4.1\n%s\trefs/tags/v2.4.1\n%s\trefs/tags/v2x4x1\n" % (A, B, C)
    assert ls_remote_ref(out, "v2.4.1") == {"kind": "tag", "commit": B}
    assert ls_remote_ref("%s\trefs/tags/v2x4x1\n" % C, "v2.4.1") == {"kind": "", "commit": ""}


def test_nothing_and_bad_input():
    assert ls_remote_ref("", "v9") == {"kind": "", "commit": ""}
    with pytest.raises(AnsibleFilterError):
        ls_remote_ref(None, "v9")
