# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lookup ``image_archive``: what an image archive on the controller holds (its image ID and tags)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: image_archive
short_description: The image ID and tags an image archive on the controller holds
version_added: "0.5.0"
description:
  - Reads the C(manifest.json) of an image archive (what C(docker save) or
    C(community.docker.docker_image_export) writes) on the controller, without loading it, and says
    which image it holds (its ID) under which tags.
  - The C(images) role reads it before it sends an archive to a host (a wrong or missing archive is
    refused before any change) and C(playbooks/harvest.yml) after it fetched one.
  - Never fails for an archive that is missing or unreadable; the answer says why in C(problem).
requirements:
  - community.docker (its C(image_archive) module utilities read the archive)
options:
  _terms:
    description: Paths of image archives on the controller.
    type: list
    elements: path
    required: true
notes:
  - An archive holds the images it was saved with; this reads the first and says how many there are.
"""

EXAMPLES = r"""
- name: What the cached vLLM image archive holds
  ansible.builtin.debug:
    msg: "{{ lookup('netai.vlm_server.image_archive', '/var/cache/netai/images/vllm-0123456789ab.tar') }}"
"""

RETURN = r"""
_raw:
  description: One dict per path.
  type: list
  elements: dict
  contains:
    path:
      description: The path read.
      type: str
    exists:
      description: Whether the path is a file.
      type: bool
    id:
      description: The image ID (C(sha256:...)) of the first image of the archive, C("") when unreadable.
      type: str
    tags:
      description: The repository tags the first image was saved with.
      type: list
      elements: str
    images:
      description: How many images the archive holds.
      type: int
    size:
      description: The archive's size in bytes (0 when missing).
      type: int
    problem:
      description: Why the archive cannot be used (missing, unreadable, empty), C("") when it can.
      type: str
"""

from typing import Any, Dict, List, Optional

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.netai.vlm_server.plugins.plugin_utils.image_archive import HAS_COMMUNITY_DOCKER, read_archive


class LookupModule(LookupBase):
    """image_archive lookup."""

    def run(self, terms: List[Any], variables: Optional[Dict[str, Any]] = None, **kwargs: Any) -> List[Dict[str, Any]]:
        if not HAS_COMMUNITY_DOCKER:
            raise AnsibleLookupError("image_archive needs the community.docker collection "
                                     "(ansible-galaxy collection install community.docker)")
        return [read_archive(str(term)) for term in terms]
