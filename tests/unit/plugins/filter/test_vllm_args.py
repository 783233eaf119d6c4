"""vllm_args: an instance's options rendered to vLLM 0.11.0's command line (checked against the recorded parser)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.filter.vllm_args import NO_NEGATIVE_FORM, vllm_args

LAB_OPTIONS = {
    "tensor_parallel_size": 1,
    "max_model_len": 8192,
    "max_num_seqs": 256,
    "max_num_batched_tokens": 8192,
    "media_io_kwargs": {"video": {"num_frames": -1}},
}


def test_lab_run_script_as_flags():
    assert vllm_args(LAB_OPTIONS) == [
        "--tensor-parallel-size", "1", "--max-model-len", "8192", "--max-num-seqs", "256",
        "--max-num-batched-tokens", "8192", "--media-io-kwargs", '{"video": {"num_frames": -1}}',
    ]


def test_booleans_and_none():
    assert vllm_args({"trust_remote_code": True, "enforce_eager": False, "dtype": None}) == [
        "--trust-remote-code", "--no-enforce-eager"]


def test_false_turns_prefix_caching_off():
    """vLLM 0.11 turns prefix caching on unless --no-enable-prefix-caching is given."""
    assert vllm_args({"enable_prefix_caching": False}) == ["--no-enable-prefix-caching"]
    assert vllm_args({"enable_prefix_caching": True}) == ["--enable-prefix-caching"]


CONTRACT = json.loads((Path(__file__).resolve().parents[3] / "fixtures/standin_vllm/vllm-0.11.0-cli.json").read_text())
SWITCHES = [o for o in CONTRACT["options"] if o["kind"] == "flag"]


@pytest.mark.parametrize("option", SWITCHES, ids=[o["dest"] for o in SWITCHES])
def test_every_switch_renders_to_a_form_the_real_parser_has(option):
    """Each of vLLM 0.11.0's switches, true and false, renders to forms in the recorded contract."""
    assert vllm_args({option["dest"]: True}) == [option["options"][0]]
    rendered = vllm_args({option["dest"]: False})
    assert rendered == [] if not any(f.startswith("--no-") for f in option["options"]) else rendered[0] in option["options"]


def test_the_switches_without_a_no_form_are_the_contracts():
    assert NO_NEGATIVE_FORM == {o["dest"] for o in SWITCHES if not any(f.startswith("--no-") for f in o["options"])}


def test_known_options_are_real_ones_and_flags_exist():
    """vllm_known_options names only options of vLLM 0.11.0, and each renders to a real flag."""
    known = yaml.safe_load((Path(__file__).resolve().parents[4] / "roles/vllm/defaults/main.yml").read_text())[
        "vllm_known_options"]
    forms = {f: o for o in CONTRACT["options"] for f in o["options"]}
    dests = {o["dest"] for o in CONTRACT["options"]}
    assert set(known) <= dests, set(known) - dests
    for name in known:
        option = next(o for o in CONTRACT["options"] if o["dest"] == name)
        value = True if option["kind"] == "flag" else "1"
        assert vllm_args({name: value})[0] in forms


def test_dashes_accepted_and_floats_kept():
    assert vllm_args({"gpu-memory-utilization": 0.85}) == ["--gpu-memory-utilization", "0.85"]


def test_unknown_option_is_named():
    with pytest.raises(AnsibleFilterError, match="'max_model_lenght' is not a vLLM option"):
        vllm_args({"max_model_lenght": 8192}, ["max_model_len"])


def test_known_list_accepts_listed():
    assert vllm_args({"max-model-len": 1}, ["max_model_len"]) == ["--max-model-len", "1"]


@pytest.mark.parametrize("key", ["port", "served_model_name", "api-key", "model", "host"])
def test_role_owned_options_are_refused(key):
    with pytest.raises(AnsibleFilterError, match="set by the role"):
        vllm_args({key: "x"})


def test_options_must_be_a_dict():
    with pytest.raises(AnsibleFilterError, match="must be a dict"):
        vllm_args(["--max-model-len", "1"])
