# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``image_holdings``: the plan's images against the images a host holds."""

from __future__ import annotations

DOCUMENTATION = r"""
name: image_holdings
short_description: The plan's images against the images a Docker host holds
version_added: "0.5.0"
description:
  - Takes the C(images) of the host's plan (lookup C(netai.vlm_server.vlm_server_plan)) and the images the
    host's Docker engine holds (the C(images) that C(community.docker.docker_image_info) or
    C(community.docker.docker_host_info) return) and says, for each image of the plan, which image ID
    the host holds under its pinned reference, whether that is the pinned ID, and which other tags of
    the same repository it holds.
  - The one place where "the host has the pinned image" is decided, for the C(images) role, its
    harvest and C(playbooks/status.yml).
  - The filter C(netai.vlm_server.image_problems) turns its answer into the problems that stop a run.
options:
  _input:
    description: The plan's images (each with C(key), C(ref), C(id), C(cache_dir)).
    type: list
    elements: dict
    required: true
  held:
    description: The host's images, each with C(Id) and C(RepoTags).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: The images the host still lacks
  ansible.builtin.debug:
    msg: "{{ vlm_server_plan.images | netai.vlm_server.image_holdings(info.images) | rejectattr('ready') | list }}"
"""

RETURN = r"""
_value:
  description: The plan's images, each with these keys added.
  type: list
  elements: dict
  contains:
    held:
      description: The image ID the host holds under C(ref), C("") when none.
      type: str
    ready:
      description: The host holds C(ref), as the pinned ID when one is pinned.
      type: bool
    wrong:
      description: The host holds C(ref) as another ID than the pinned one.
      type: bool
    held_archive:
      description: Where the controller's cache keeps the archive of the held image (C("") when none is held).
      type: str
    others:
      description: Other tags of the same repository the host holds, each C(repo:tag (sha256:12 hex digits)).
      type: list
      elements: str
"""

from typing import Any, Dict, List, Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.plugin_utils.vlm_server_plan import image_archive_path


def _repository(ref: str) -> str:
    """The repository of a reference (its tag or digest cut off)."""
    ref = ref.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    return ref[: len(ref) - len(last)] + last.split(":", 1)[0]


def image_holdings(images: List[Mapping[str, Any]], held: List[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """Each plan image with the ID the host holds under its reference, and other tags of its repository."""
    if not isinstance(images, list) or not isinstance(held, list):
        raise AnsibleFilterError("image_holdings: a list of plan images and a list of held images expected")
    by_tag: Dict[str, str] = {}
    for image in held:
        for tag in (image or {}).get("RepoTags") or []:
            by_tag[str(tag)] = str(image.get("Id", ""))
    out: List[Dict[str, Any]] = []
    for entry in images:
        ref, pin = str(entry["ref"]), str(entry.get("id") or "")
        found = by_tag.get(ref, "")
        repo = _repository(ref)
        others = sorted("%s (%s)" % (tag, image_id[:19]) for tag, image_id in by_tag.items()
                        if tag != ref and _repository(tag) == repo)
        out.append(dict(entry, held=found, ready=bool(found) and (not pin or found == pin),
                        wrong=bool(found and pin and found != pin),
                        held_archive=image_archive_path(str(entry.get("cache_dir", "")), str(entry["key"]), found)
                        if found else "", others=others))
    return out


class FilterModule:
    """image_holdings filter."""

    def filters(self) -> Dict[str, Any]:
        return {"image_holdings": image_holdings}
