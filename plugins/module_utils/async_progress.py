# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of the async_progress action, in one place.

Read by the action plugin (plugins/action/async_progress.py), which validates its arguments
with it, and by the module of the same name, which only documents the action: the argument
spec that ``ansible-test sanity`` compares with the documentation is the one the action uses.
"""

from __future__ import annotations

from typing import Any, Dict

ARGUMENT_SPEC: Dict[str, Dict[str, Any]] = {
    "jid": {"type": "str", "required": True},
    "progress_file": {"type": "path", "required": True},
    "label": {"type": "str", "default": "job"},
    "interval": {"type": "int", "default": 15},
    "timeout": {"type": "int", "default": 14400},
}
