"""The vllm_instance_problems filter: every problem of a host's instances, each naming its variable."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.filter.vllm_instance_problems import instance_gpus, vllm_instance_problems

LAB = {"tensor_parallel_size": 1, "max_model_len": 32768, "media_io_kwargs": {"video": {"num_frames": -1}}}
KNOWN = ["tensor_parallel_size", "pipeline_parallel_size", "max_model_len", "media_io_kwargs", "enable_prefix_caching"]
QWEN = {"name": "qwen3-vl-8b", "served_model_name": "Qwen3-VL-8B-Instruct", "model_dir": "Qwen3-VL-8B-Instruct",
        "port": 38011}


def test_the_lab_instance_on_one_gpu_has_no_problem():
    assert vllm_instance_problems([QWEN], LAB, KNOWN, [2], "devices") == []


def test_tensor_parallel_size_must_match_the_gpus():
    problems = vllm_instance_problems([QWEN], LAB, KNOWN, [2, 3], "devices")
    assert len(problems) == 1
    assert problems[0].startswith("vllm_instances[0] (qwen3-vl-8b): tensor_parallel_size 1 x pipeline_parallel_size 1 = 1, "
                                  "but it gets 2 GPU(s) (vllm_gpus: [2, 3])")
    two = dict(QWEN, options={"tensor_parallel_size": 2})
    assert vllm_instance_problems([two], LAB, KNOWN, [2, 3], "devices") == []
    own = dict(QWEN, gpus=[0, 1, 2, 3], options={"tensor_parallel_size": 2, "pipeline_parallel_size": 2})
    assert vllm_instance_problems([own], LAB, KNOWN, [2], "devices") == []
    wrong_count = vllm_instance_problems([dict(QWEN, gpus=4)], LAB, KNOWN, [], "count")
    assert "gets 4 GPU(s) (vllm_instances[0].gpus: 4)" in wrong_count[0]
    assert vllm_instance_problems([QWEN], LAB, KNOWN, [], "none") == []
    assert vllm_instance_problems([dict(QWEN, gpus=-1)], LAB, KNOWN, [], "count") == []


def test_every_problem_of_every_instance_at_once():
    bad = [dict(QWEN, name="Qwen", options={"max_model_lenght": 1}),
           dict(QWEN, name="Qwen", port=38011, gpus=["x"])]
    problems = vllm_instance_problems(bad, LAB, KNOWN, [2], "devices")
    text = " | ".join(problems)
    assert "vllm_instances: names repeat (Qwen, Qwen)" in text
    assert "vllm_instances: ports repeat (38011, 38011)" in text
    assert "vllm_instances[0] (Qwen): name must be lowercase" in text
    assert "'max_model_lenght' is not a vLLM option this collection knows (vllm_known_options)" in text
    assert "vllm_instances[1] (Qwen): vllm_instances[1].gpus: GPU index 'x' is not a number" in text


def test_empty_and_wrong_type():
    assert vllm_instance_problems([], LAB, KNOWN, [2]) == ["vllm_instances: is empty (a host runs at least one vLLM instance)"]
    with pytest.raises(AnsibleFilterError):
        vllm_instance_problems({"name": "x"}, LAB, KNOWN, [2])


def test_options_merge_one_level_deep():
    inst = dict(QWEN, options={"media_io_kwargs": {"image": {"x": 1}}, "enable_prefix_caching": False})
    assert vllm_instance_problems([inst], LAB, KNOWN, [2], "devices") == []


@pytest.mark.parametrize("model_dir", ["../../etc", "Qwen/../../etc", "./Qwen", "", "/etc", "/etc/ssl", "/opt/../etc/x",
                                       "/models", "Qwen//x", "/usr/share/models", None])
def test_a_model_dir_that_leaves_its_root_or_names_a_system_folder_is_refused(model_dir):
    instance = {"name": "vlm", "served_model_name": "Q", "model_dir": model_dir, "port": 38011}
    problems = vllm_instance_problems([instance], gpus=[0])
    assert len(problems) == 1 and problems[0].startswith("vllm_instances[0] (vlm): model_dir must be a folder under")


@pytest.mark.parametrize("model_dir", ["Qwen3-VL-8B-Instruct", "org/Qwen3-VL", "/srv/shared/models/Qwen3", "/data/qwen"])
def test_a_model_dir_below_the_root_or_an_absolute_folder_of_its_own_is_fine(model_dir):
    instance = {"name": "vlm", "served_model_name": "Q", "model_dir": model_dir, "port": 38011}
    assert vllm_instance_problems([instance], gpus=[0]) == []


@pytest.mark.parametrize("served", ["", "  ", " Q", None])
def test_an_empty_served_model_name_is_refused(served):
    instance = {"name": "vlm", "served_model_name": served, "model_dir": "Q", "port": 38011}
    assert vllm_instance_problems([instance], gpus=[0]) == [
        "vllm_instances[0] (vlm): served_model_name must be a non-empty name without surrounding spaces (clients "
        "and via-server ask for it), got %r" % (served,)]


@pytest.mark.parametrize(
    "instance, mode, expected",
    [
        ({"gpus": [1]}, "devices", ([1], "vllm_instances[2].gpus")),
        ({}, "devices", ([0, 3], "vllm_gpus")),
        ({}, "count", (-1, "vllm_gpus")),
        ({"gpus": 2}, "count", (2, "vllm_instances[2].gpus")),
    ],
)
def test_instance_gpus_its_own_else_the_hosts(instance, mode, expected):
    assert instance_gpus(instance, 2, [0, 3], mode) == expected
