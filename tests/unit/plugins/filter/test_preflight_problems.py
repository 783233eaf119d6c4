"""Unit tests for the preflight_problems filter (plugins/filter/preflight_problems.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.netai.vlm_server.plugins.filter.preflight_problems import (
    FilterModule,
    parse_df_line,
    parse_docker_ps,
    pin_warning,
    preflight_problems,
    version_tuple,
)
from ansible_collections.netai.vlm_server.plugins.module_utils.nvidia_smi import attach_processes, parse_gpus

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "nvidia_smi"
GIB = 1024 ** 3


def gpu_facts(profile: str = "sv4000_4gpu") -> dict:
    gpus = attach_processes(parse_gpus((FIXTURES / f"{profile}.gpus.csv").read_text()), [])
    return {"ok": True, "gpus": gpus, "driver_version": gpus[0]["driver_version"] if gpus else None}


def facts(**extra) -> dict:
    base = {
        "gpu": gpu_facts(),
        "listening_ports": [22, 8080],
        "running_components": [],
        "mounts": [{"mount": "/", "size_available": 50 * GIB}, {"mount": "/srv", "size_available": 5 * GIB}],
    }
    base.update(extra)
    return base


def vllm_claim(gpus, **extra) -> dict:
    claim = {"name": "vllm Qwen3-VL-8B-Instruct", "variable": "vllm_instances[0].gpus", "gpus": gpus,
             "exclusive": True, "memory_mib": 24576, "component": "vllm-qwen3-vl-8b"}
    claim.update(extra)
    return claim


def plan(**extra) -> dict:
    base = {"hostname": "sv4000-2", "require_gpu": True, "driver_min_version": "580.65.06",
            "gpu_claims": [], "ports": [], "disks": [], "secrets": [], "pins": []}
    base.update(extra)
    return base


def test_good_plan_has_no_problem():
    report = preflight_problems(
        plan(gpu_claims=[vllm_claim([3]), {"name": "via-server", "variable": "via_server_gpus", "gpus": [3],
                                           "exclusive": False}],
             ports=[{"port": 38011, "variable": "vllm_instances[0].port"}],
             disks=[{"path": "/data/models", "required_bytes": 17 * GIB, "variable": "model_weights_root"}],
             secrets=[{"variable": "via_server_ngc_api_key", "set": True, "needed": True}],
             pins=[{"variable": "vllm_image", "value": "vllm/vllm-openai:v0.11.0", "kind": "image"}]),
        facts(),
    )
    assert report == {"problems": [], "warnings": []}


def test_gpu_that_does_not_exist_names_the_variable():
    report = preflight_problems(plan(gpu_claims=[vllm_claim([7])]), facts())
    assert report["problems"] == ["vllm_instances[0].gpus: GPU 7 does not exist on sv4000-2 (it has GPUs 0, 1, 2, 3)"]


def test_two_exclusive_claims_on_one_gpu():
    second = vllm_claim([3], name="vllm other", variable="vllm_instances[1].gpus", memory_mib=1)
    report = preflight_problems(plan(gpu_claims=[vllm_claim([3]), second]), facts())
    assert report["problems"] == [
        "GPU 3 on sv4000-2 is given to vllm Qwen3-VL-8B-Instruct (vllm_instances[0].gpus) and "
        "vllm other (vllm_instances[1].gpus); each of them needs it for itself"
    ]


def test_shared_gpu_is_fine_when_one_side_shares():
    via = {"name": "via-server", "variable": "via_server_gpus", "gpus": [3], "exclusive": False}
    assert preflight_problems(plan(gpu_claims=[vllm_claim([3]), via]), facts())["problems"] == []


def test_free_memory_too_low():
    report = preflight_problems(plan(gpu_claims=[vllm_claim([2])]), facts())
    assert len(report["problems"]) == 1
    assert report["problems"][0].startswith("vllm_instances[0].gpus: GPU 2 on sv4000-2 has 3545 MiB free")
    assert "about 24576 MiB" in report["problems"][0]


def test_memory_of_our_running_container_is_not_counted_against_it():
    report = preflight_problems(plan(gpu_claims=[vllm_claim([2])]), facts(running_components=["vllm-qwen3-vl-8b"]))
    assert report["problems"] == []


def test_old_driver():
    report = preflight_problems(plan(), facts(gpu=gpu_facts("h100_1gpu")))
    assert report["problems"] == [
        "preflight_driver_min_version: the NVIDIA driver on sv4000-2 is 570.133.20, older than 580.65.06"
    ]


def test_no_driver_is_one_clear_problem():
    report = preflight_problems(plan(gpu_claims=[vllm_claim([2])]),
                                facts(gpu={"ok": False, "msg": "nvidia-smi not found"}))
    assert report["problems"] == [
        "preflight_require_gpu: sv4000-2 has no working NVIDIA driver: nvidia-smi not found (a host without "
        "GPUs sets preflight_require_gpu: false and claims no GPU)"
    ]


def test_gpu_less_host_without_claims_passes():
    report = preflight_problems(plan(require_gpu=False), facts(gpu={"ok": False, "msg": "not found"}))
    assert report["problems"] == []


def test_driver_with_no_gpu():
    report = preflight_problems(plan(), facts(gpu={"ok": True, "gpus": [], "driver_version": None}))
    assert report["problems"] == ["preflight_require_gpu: the NVIDIA driver on sv4000-2 sees no GPU"]


def test_mig_gpu_is_a_warning():
    report = preflight_problems(plan(gpu_claims=[vllm_claim([0], memory_mib=None)]), facts(gpu=gpu_facts("a100_mig")))
    assert report["problems"] == []
    assert "MIG enabled" in report["warnings"][0]


def test_port_taken_by_something_else_but_not_by_us():
    ports = [{"port": 8080, "variable": "via_server_backend_port", "component": "via-server"}]
    assert preflight_problems(plan(ports=ports), facts())["problems"] == [
        "via_server_backend_port: port 8080 is already in use on sv4000-2 by something that is not ours"
    ]
    assert preflight_problems(plan(ports=ports), facts(running_components=["via-server"]))["problems"] == []


def test_same_port_twice_in_the_plan():
    ports = [{"port": 38011, "variable": "vllm_instances[0].port"}, {"port": 38011, "variable": "vllm_instances[1].port"}]
    assert preflight_problems(plan(ports=ports), facts())["problems"] == [
        "vllm_instances[0].port and vllm_instances[1].port both use port 38011 on sv4000-2"
    ]


def test_port_out_of_range():
    ports = [{"port": 70000, "variable": "via_server_frontend_port"}]
    assert preflight_problems(plan(ports=ports), facts())["problems"] == ["via_server_frontend_port: 70000 is not a TCP port"]


def test_disk_uses_the_mount_that_holds_the_path():
    disks = [{"path": "/srv/models", "required_bytes": 17 * GIB, "variable": "model_weights_root"}]
    assert preflight_problems(plan(disks=disks), facts())["problems"] == [
        "model_weights_root: /srv/models (on /srv) has 5.0 GiB free on sv4000-2, 17.0 GiB are needed"
    ]
    disks[0]["path"] = "/srvdata/models"  # not under /srv: the root mount holds it
    assert preflight_problems(plan(disks=disks), facts())["problems"] == []


def test_measured_free_space_wins_over_mount_facts():
    disks = [{"path": "/data/models", "required_bytes": 17 * GIB, "variable": "model_weights_root"}]
    measured = [{"path": "/data/models", "available_bytes": 2 * GIB, "mount": "/data"}]
    assert preflight_problems(plan(disks=disks), facts(disk_free=measured))["problems"] == [
        "model_weights_root: /data/models (on /data) has 2.0 GiB free on sv4000-2, 17.0 GiB are needed"
    ]


def test_df_lines_are_parsed():
    disks = [{"path": "/srv/models/q", "required_bytes": 17 * GIB, "variable": "model_weights_root"}]
    df = [["/srv/models/q", "overlay 262144000000 200000000000 1073741824 17% /"]]
    assert preflight_problems(plan(disks=disks), facts(df_lines=df))["problems"] == [
        "model_weights_root: /srv/models/q (on /) has 1.0 GiB free on sv4000-2, 17.0 GiB are needed"
    ]
    assert parse_df_line("garbage") is None


def test_unknown_free_space_is_a_warning_not_silence():
    disks = [{"path": "/data/models", "required_bytes": 1, "variable": "model_weights_root"}]
    report = preflight_problems(plan(disks=disks), facts(mounts=[]))
    assert report["problems"] == []
    assert report["warnings"] == ["model_weights_root: free space at /data/models on sv4000-2 is unknown; not checked"]


def test_missing_secret_names_the_variable_not_the_value():
    secrets = [{"variable": "via_server_ngc_api_key", "set": False, "needed": True, "why": "the image is on nvcr.io"},
               {"variable": "vllm_api_key", "set": False, "needed": False}]
    assert preflight_problems(plan(secrets=secrets), facts())["problems"] == [
        "via_server_ngc_api_key is not set; it is needed because the image is on nvcr.io "
        "(put it in the vault, group_vars/vlm_servers/vault.yml)"
    ]


@pytest.mark.parametrize(
    "value, kind, warns",
    [
        ("vllm/vllm-openai:latest", "image", True),
        ("vllm/vllm-openai", "image", True),
        ("registry.lab:5000/vllm/vllm-openai", "image", True),
        ("registry.lab:5000/vllm/vllm-openai:v0.11.0", "image", False),
        ("nvcr.io/nvidia/blueprint/vss-engine@sha256:" + "a" * 64, "image", False),
        ("main", "git_ref", True),
        ("v2.4.0", "git_ref", False),
        ("2.4.1", "git_ref", False),
        ("0123456789abcdef0123456789abcdef01234567", "git_ref", False),
        ("main", "hf_revision", True),
        ("0123456789abcdef0123456789abcdef01234567", "hf_revision", False),
    ],
)
def test_pins(value, kind, warns):
    assert (pin_warning("var", value, kind) is not None) is warns


def test_all_problems_are_reported_at_once():
    report = preflight_problems(
        plan(gpu_claims=[vllm_claim([7]), vllm_claim([2], variable="vllm_instances[1].gpus")],
             ports=[{"port": 8080, "variable": "p"}],
             disks=[{"path": "/srv/x", "required_bytes": 100 * GIB, "variable": "d"}],
             secrets=[{"variable": "s", "set": False}],
             pins=[{"variable": "i", "value": "x:latest", "kind": "image"}]),
        facts(gpu=gpu_facts("h100_1gpu") | {"driver_version": "535.1"}),
    )
    assert len(report["problems"]) == 6, report["problems"]
    assert len(report["warnings"]) == 1


def test_version_tuple():
    assert version_tuple("580.65.06") > version_tuple("580.9.99")
    assert version_tuple("1.17.8-1") == (1, 17, 8, 1)


def test_filter_is_registered():
    assert FilterModule().filters()["preflight_problems"] is preflight_problems


def test_memory_estimate_comes_from_the_model_table():
    claim = vllm_claim([2], memory_mib=None, model="Qwen3-VL-8B-Instruct")
    report = preflight_problems(plan(gpu_claims=[claim], model_memory_mib={"Qwen3-VL-8B-Instruct": 20000}), facts())
    assert "about 20000 MiB (vllm Qwen3-VL-8B-Instruct: 20000 MiB, estimate from " \
        "preflight_model_memory_mib['Qwen3-VL-8B-Instruct'])" in report["problems"][0]
    claim["model"] = "unknown-model"  # no estimate: no memory check
    assert preflight_problems(plan(gpu_claims=[claim], model_memory_mib={}), facts())["problems"] == []


def test_secret_value_is_never_in_the_report():
    secrets = [{"variable": "hf_token", "value": "hf_SENTINEL", "needed": True},
               {"variable": "ngc_key", "value": "", "needed": True}]
    report = preflight_problems(plan(secrets=secrets), facts())
    assert len(report["problems"]) == 1 and report["problems"][0].startswith("ngc_key is not set")
    assert "SENTINEL" not in repr(report)


def test_a_container_of_someone_else_under_a_planned_name():
    ports = [{"port": 38011, "variable": "vllm_instances[0].port", "component": "vllm-qwen3-vl-8b"},
             {"port": 8100, "variable": "via_server_backend_port", "component": "via-server"},
             {"port": 9100, "variable": "via_server_frontend_port", "component": "via-server"}]
    report = preflight_problems(plan(ports=ports), facts(foreign_containers=["via-server", "qwen3-vl-8b"]))
    assert report["problems"] == [
        "via_server_backend_port: a container named via-server already exists on sv4000-2 and is not the "
        "collection's (no component label); the collection would replace it: remove or rename it first "
        "(docker rm via-server), after keeping what it holds"
    ]
    assert preflight_problems(plan(ports=ports), facts(foreign_containers=["qwen3-vl-8b"]))["problems"] == []


def test_docker_ps_lines_give_ours_running_and_the_others_names():
    lines = ["vllm-qwen3-vl-8b\trunning\tvllm-qwen3-vl-8b", "via-server\texited\tvia-server",
             "via-server-hand\trunning\t", "qwen3-vl-8b\texited\t", ""]
    assert parse_docker_ps(lines) == (["vllm-qwen3-vl-8b"], ["via-server-hand", "qwen3-vl-8b"])
    ports = [{"port": 8080, "variable": "via_server_backend_port", "component": "via-server"},
             {"port": 22, "variable": "vllm_instances[0].port", "component": "vllm-qwen3-vl-8b"}]
    report = preflight_problems(plan(ports=ports), facts(docker_ps_lines=lines))
    # our stopped via-server holds no port: 8080 is someone else's; our running vLLM holds 22
    assert report["problems"] == [
        "via_server_backend_port: port 8080 is already in use on sv4000-2 by something that is not ours"
    ]
