# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``vllm_args``: vLLM options as data, rendered to command-line flags."""

from __future__ import annotations

DOCUMENTATION = r"""
name: vllm_args
short_description: Render vLLM options (a dict) to vLLM's command-line flags
version_added: "0.1.0"
description:
  - "Turns C({max_model_len: 8192, max_num_seqs: 256}) into
    C([--max-model-len, 8192, --max-num-seqs, 256]); a dict value such as C(media_io_kwargs) becomes JSON."
  - Keys use underscores (or dashes). C(true) gives the bare switch (C(--enforce-eager)) and C(false) its
    C(--no-) form (C(--no-enable-prefix-caching)), because vLLM 0.11 switches such as C(enable_prefix_caching)
    are on by default, so leaving the flag out would not turn them off. The few switches vLLM has without a
    C(--no-) form (they default to off) are left out for C(false). C(null) leaves the option out; dicts and
    lists become JSON, anything else its text. The order of the dict is kept.
  - With O(known), a key that is not in the list is an error naming it (typos fail before any change).
  - Keys that the role sets itself (model, served_model_name, host, port, api_key) are errors here.
positional: known
options:
  _input:
    description: The options.
    type: dict
    required: true
  known:
    description: The option names accepted (underscores); empty accepts any.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Flags for one instance
  ansible.builtin.debug:
    msg: "{{ {'max_model_len': 8192, 'trust_remote_code': true} | netai.vlm_server.vllm_args }}"
"""

RETURN = r"""
_value:
  description: The flags, a list of strings.
  type: list
  elements: str
"""

import json
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ansible.errors import AnsibleFilterError

RESERVED = ("model", "served_model_name", "host", "port", "api_key")
# vLLM 0.11.0's switches that have no --no- form (all default to off): false leaves them out.
# tests/unit/plugins/filter/test_vllm_args.py checks this set against the recorded contract of the real parser.
NO_NEGATIVE_FORM = frozenset(
    ("headless", "enable_multimodal_encoder_data_parallel", "disable_mm_preprocessor_cache", "disable_log_stats")
)


def vllm_args(options: Mapping[str, Any], known: Optional[Sequence[str]] = None) -> List[str]:
    """The flags for ``options``; see DOCUMENTATION."""
    if not isinstance(options, Mapping):
        raise AnsibleFilterError("vllm options must be a dict, got %s" % type(options).__name__)
    accepted = {name.replace("-", "_") for name in (known or [])}
    flags: List[str] = []
    for key, value in options.items():
        name = str(key).replace("-", "_")
        if name in RESERVED:
            raise AnsibleFilterError(
                "vLLM option '%s' is set by the role from the instance (model, served_model_name, "
                "host, port, api_key): remove it from the options" % key
            )
        if accepted and name not in accepted:
            raise AnsibleFilterError(
                "'%s' is not a vLLM option this collection knows (vllm_known_options); fix the name, "
                "or pass it through the instance's extra_args" % key
            )
        if value is None:
            continue
        flag = "--" + name.replace("_", "-")
        if value is True:
            flags.append(flag)
        elif value is False:
            if name not in NO_NEGATIVE_FORM:
                flags.append("--no-" + flag[2:])
        elif isinstance(value, (Mapping, list)):
            flags.extend([flag, json.dumps(value)])
        else:
            flags.extend([flag, str(value)])
    return flags


class FilterModule:
    """vllm_args filter."""

    def filters(self) -> Dict[str, Any]:
        return {"vllm_args": vllm_args}
