# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``image_problems``: what stops a run, from the answer of ``image_holdings``."""

from __future__ import annotations

DOCUMENTATION = r"""
name: image_problems
short_description: The problems of a host's images that stop a run, each saying what to do
version_added: "0.5.0"
description:
  - Takes the answer of the filter C(netai.vlm_server.image_holdings) and returns the problems that stop
    a run, each naming its variable and saying what to do.
  - An image from C(upstream) that the host holds under its reference as another ID than the pin (the
    roles pull only a missing image, so that other image would run). An image from the lab held as
    another ID is not a problem, it is brought again as the new pin.
  - For an image from an C(archive) that the host lacks, an archive missing from the controller's cache,
    unreadable, or holding another image than the pin (its C(manifest.json) is read on the controller;
    nothing is loaded or sent).
options:
  _input:
    description: The answer of C(netai.vlm_server.image_holdings).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: The images are what the lab says
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join(' | ') }}"
  vars:
    problems: "{{ vlm_server_plan.images | netai.vlm_server.image_holdings(info.images) | netai.vlm_server.image_problems }}"
"""

RETURN = r"""
_value:
  description: One message per problem (none when the images are fine).
  type: list
  elements: str
"""

from typing import Any, Dict, List, Mapping

from ansible_collections.netai.vlm_server.plugins.plugin_utils.image_archive import read_archive


def image_problems(holdings: List[Mapping[str, Any]]) -> List[str]:
    """What stops a run, each naming its variable and saying what to do (from image_holdings' answer)."""
    problems: List[str] = []
    for entry in holdings:
        key, ref = entry["key"], entry["ref"]
        if entry.get("wrong") and entry.get("source", "upstream") == "upstream":
            # From upstream, the roles pull only a missing image: another one under the reference would run.
            problems.append("images_ids.%s: this host holds %s as %s, not the pinned %s: the pin or the image is "
                            "wrong (playbooks/harvest.yml on this host reports what it runs)" % (
                                key, ref, entry["held"], entry["id"]))
        elif entry.get("source") == "archive" and not entry.get("ready") and entry.get("archive"):
            archive = read_archive(str(entry["archive"]))
            if archive["problem"]:
                problems.append("images_sources.%s archive: %s: run playbooks/harvest.yml -l <a server that runs %s> "
                                "to fill images_cache_dir" % (key, archive["problem"], ref))
            elif archive["id"] != entry["id"]:
                problems.append("images_sources.%s archive: %s holds %s (%s), not the pinned %s: harvest the pinned "
                                "image again, or correct images_ids.%s" % (
                                    key, archive["path"], archive["id"], ", ".join(archive["tags"]) or "untagged",
                                    entry["id"], key))
    return problems


class FilterModule:
    """image_problems filter."""

    def filters(self) -> Dict[str, Any]:
        return {"image_problems": image_problems}
