# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an image archive on the controller holds, read without loading it (private to the collection)."""

from __future__ import annotations

import os
from typing import Any, Dict

try:
    from ansible_collections.community.docker.plugins.module_utils.image_archive import (  # type: ignore[import-untyped]
        ImageArchiveInvalidException,
        api_image_id,
        load_archived_image_manifest,
    )
    HAS_COMMUNITY_DOCKER = True
except ImportError:  # pragma: no cover - reported when the lookup runs
    HAS_COMMUNITY_DOCKER = False


def read_archive(path: str) -> Dict[str, Any]:
    """What the archive at path holds, or why it cannot be used."""
    answer: Dict[str, Any] = {"path": path, "exists": os.path.isfile(path), "id": "", "tags": [], "images": 0,
                              "size": 0, "problem": ""}
    if not answer["exists"]:
        answer["problem"] = "%s: no such archive on the controller" % path
        return answer
    answer["size"] = os.path.getsize(path)
    try:
        images = load_archived_image_manifest(path)
    except ImageArchiveInvalidException as exc:
        answer["problem"] = "%s: not an image archive (%s)" % (path, exc)
        return answer
    if not images:
        answer["problem"] = "%s: the archive holds no image" % path
        return answer
    answer.update(id=api_image_id(images[0].image_id), tags=list(images[0].repo_tags or []), images=len(images))
    return answer
