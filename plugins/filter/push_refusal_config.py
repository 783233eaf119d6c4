# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``push_refusal_config``: the local git settings that send every push of a clone nowhere."""

from __future__ import annotations

DOCUMENTATION = r"""
name: push_refusal_config
short_description: Git settings that turn every push from a clone into a refusal
version_added: "0.3.0"
description:
  - Returns the local C(git config) entries (name to value) that make a clone of O(_input) push-proof
    against what a user can type, without a hook that C(--no-verify) or C(-c core.hooksPath=...) skips.
  - C(remote.origin.pushurl) is the refusal, so a plain C(git push) goes nowhere.
  - For every spelling of the upstream (https, http, ssh, scp-like, git; C(file://) and the plain path
    for a local one), with and without C(.git), one C(url.<refusal>/<n>.insteadOf) and
    C(.pushInsteadOf) rule. A push to the upstream typed as a URL, through a new remote, or through a
    C(git remote set-url --push) is rewritten to the refusal (C(insteadOf) also rewrites explicit push
    URLs, which C(pushInsteadOf) does not).
  - Fetching the upstream from the clone is refused by the same rules; whoever fetches on purpose (the
    vss_checkout role) adds C(url.<_input>.insteadOf=<_input>) for that command only (a longer prefix wins).
    So the prefix that equals O(_input) itself is kept one character shorter.
  - The refusal is a path under C(/dev/null), where nothing can ever be created; git's error names it.
positional: refusal
options:
  _input:
    description: The upstream URL the clone was made from (https, http, ssh, git, scp-like, file or a path).
    type: str
    required: true
  refusal:
    description: An absolute path under C(/dev/null) whose name says why pushing is refused.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Push-proof settings
  community.general.git_config:
    repo: /opt/netai/vss/video-search-and-summarization
    scope: local
    name: "{{ item.key }}"
    value: "{{ item.value }}"
  loop: >-
    {{ vss_checkout_repo_url | netai.vlm_server.push_refusal_config('/dev/null/licence-forbids-pushing')
       | dict2items }}
"""

RETURN = r"""
_value:
  description: Git config names (as C(git config) takes them) and their values.
  type: dict
"""

import re
from typing import Any, Dict, List

from ansible.errors import AnsibleFilterError

_HOSTED = re.compile(r"^(?P<scheme>https?|ssh|git|git\+ssh|ssh\+git)://(?:(?P<user>[^@/]+)@)?(?P<host>[^/:]+)(?::\d+)?/(?P<path>.+)$")
_SCP = re.compile(r"^(?:(?P<user>[^@/]+)@)?(?P<host>[^/:]+):(?P<path>[^/].*)$")
_FILE = re.compile(r"^file://(?:localhost)?(?P<path>/.+)$")


def _strip(path: str) -> str:
    path = path.rstrip("/")
    return path[:-4] if path.endswith(".git") else path


def _spellings(url: str) -> List[str]:
    """Every prefix that names the upstream of ``url``, without ``.git``."""
    match = _FILE.match(url)
    if match or url.startswith("/"):
        path = _strip(match.group("path") if match else url)
        return [path, "file://" + path]
    match = _HOSTED.match(url) or _SCP.match(url)
    if not match:
        raise AnsibleFilterError("push_refusal_config: %r is not a git URL (https, ssh, git, file, scp-like or a path)" % url)
    host, path = match.group("host"), _strip(match.group("path").lstrip("/"))
    users = ["git"] + ([match.group("user")] if match.group("user") not in (None, "git") else [])
    forms = ["https://%s/%s" % (host, path), "http://%s/%s" % (host, path), "git://%s/%s" % (host, path),
             "ssh://%s/%s" % (host, path), "%s:%s" % (host, path)]
    for user in users:
        forms += ["ssh://%s@%s/%s" % (user, host, path), "%s@%s:%s" % (user, host, path)]
    return forms


def push_refusal_config(url: Any, refusal: Any) -> Dict[str, str]:
    """See DOCUMENTATION."""
    if not isinstance(url, str) or not url.strip():
        raise AnsibleFilterError("push_refusal_config expects the upstream URL, got %r" % (url,))
    if not isinstance(refusal, str) or not refusal.startswith("/dev/null/"):
        raise AnsibleFilterError("push_refusal_config: the refusal must be a path under /dev/null/, got %r" % (refusal,))
    url = url.strip()
    config: Dict[str, str] = {"remote.origin.pushurl": refusal}
    for index, form in enumerate(_spellings(url)):
        # The role's own fetch rule (url.<url>.insteadOf=<url>) must stay the longest match.
        prefix = form[:-1] if form == url else form
        config["url.%s/%d.insteadOf" % (refusal, index)] = prefix
        config["url.%s/%d.pushInsteadOf" % (refusal, index)] = prefix
    return config


class FilterModule:
    """push_refusal_config filter."""

    def filters(self) -> Dict[str, Any]:
        return {"push_refusal_config": push_refusal_config}
