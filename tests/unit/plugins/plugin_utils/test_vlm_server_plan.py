"""The host's plan: every derived value built once, every mode deciding its stages, every problem found."""

from __future__ import annotations

import os
from typing import Any, Dict

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.plugin_utils.vlm_server_plan import (
    ALL_VARIABLES, PLAN_VARIABLES, build_plan)

ROLES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles")
QWEN = "Qwen/Qwen3-VL-8B-Instruct"
PIN = "5e1f0c1d2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f70"
OTHER_PIN = "0123456789abcdef0123456789abcdef01234567"

# The roles' defaults as Ansible renders them, with the lab's choices (group_vars, sv4000-2's GPU).
LAB: Dict[str, Any] = {
    "vllm_instances": [{"name": "qwen3-vl-8b", "served_model_name": "Qwen3-VL-8B-Instruct", "port": 38011}],
    "vllm_gpus": [2], "vllm_gpu_mode": "devices", "vllm_api_key": "vault-vllm-key", "vllm_container_prefix": "vllm-",
    "vllm_image": "vllm/vllm-openai:v0.11.0", "vllm_models_root": "/opt/netai/models", "vllm_model_mount_root": "/models", "vllm_bind_host": "172.30.38.1",
    "vllm_bridge_subnet": "172.30.38.0/24", "vllm_bridge_gateway": "172.30.38.1",
    "vllm_default_options": {"tensor_parallel_size": 1, "max_model_len": 32768},
    "vllm_known_options": ["tensor_parallel_size", "pipeline_parallel_size", "max_model_len", "dtype"],
    "model_weights_source": "huggingface", "model_weights_repo_id": QWEN, "model_weights_revision": PIN,
    "model_weights_name": "Qwen3-VL-8B-Instruct", "model_weights_path": "",
    "via_server_vlm_mode": "local_vllm", "via_server_vllm_instance": "", "via_server_vlm_endpoint": "",
    "via_server_vlm_model_name": "", "via_server_vlm_api_key": "", "via_server_openai_api_key": "",
    "via_server_nvidia_api_key": "nv", "via_server_ngc_api_key": "ngc", "via_server_gpus": [],
    "via_server_backend_port": 8100, "via_server_frontend_port": 9100, "via_server_network_mode": "",
    "via_server_frames_per_chunk": 0, "via_server_vlm_input_size": [], "via_server_video_max_size": [1920, 1080],
    "via_server_vlm_reply_tokens": 1024, "via_server_vlm_text_tokens": 512, "via_server_vlm_token_px": 32,
    "via_server_disable_ca_rag": False, "via_server_disable_guardrails": False,
    "via_server_image": "nvcr.io/nvidia/blueprint/vss-engine:2.4.1", "via_server_registry": "nvcr.io",
    "via_server_model_path": "",
    "via_server_container_name": "via-server", "smoke_via_server": True,
    "images_sources": {"vllm": "upstream", "vss_engine": "upstream"}, "images_ids": {"vllm": "", "vss_engine": ""},
    "images_registry": "", "images_cache_dir": "/var/cache/netai/images",
}
VSS_ID = "sha256:" + "ab" * 32
VLLM_ID = "sha256:" + "cd" * 32
SECOND = {"name": "lab-vlm-2b", "served_model_name": "Lab-VLM-2B", "port": 38021, "gpus": [3],
          "model_repo_id": "netai-standin/Lab-VLM-2B", "model_revision": OTHER_PIN, "api_key": "its-own-key"}


def plan(**changes: Any) -> Dict[str, Any]:
    return build_plan(dict(LAB, **changes), "sv4000-2")


def test_every_variable_the_plan_reads_is_a_default_of_the_role_that_documents_it():
    for role, names in PLAN_VARIABLES.items():
        with open(os.path.join(ROLES, role, "defaults", "main.yml")) as handle:
            defaults = yaml.safe_load(handle)
        with open(os.path.join(ROLES, role, "meta", "argument_specs.yml")) as handle:
            spec = yaml.safe_load(handle)["argument_specs"]["main"]["options"]
        for name in names:
            assert name in defaults, "%s is not in roles/%s/defaults/main.yml" % (name, role)
            assert name in spec, "%s is not in roles/%s/meta/argument_specs.yml" % (name, role)


def test_the_lab_host_runs_one_instance_whose_values_are_derived_once():
    p = plan()
    assert p["problems"] == []
    assert p["stages"] == {"model_weights": True, "vllm": True, "via_server": True, "smoke": True}
    [inst] = p["instances"]
    assert inst["container"] == "vllm-qwen3-vl-8b"
    assert inst["host_path"] == "/opt/netai/models/Qwen3-VL-8B-Instruct"
    assert inst["mount"] == "/models/Qwen3-VL-8B-Instruct"
    assert inst["url"] == "http://172.30.38.1:38011/v1"
    assert inst["health_url"] == "http://172.30.38.1:38011/health"
    assert inst["api_key"] == "vault-vllm-key" and inst["api_key_from"] == "vllm_api_key"
    assert (inst["gpus"], inst["gpus_from"]) == ([2], "vllm_gpus")
    assert (inst["repo_id"], inst["revision"]) == (QWEN, PIN)
    assert p["weights"] == [{"repo_id": QWEN, "revision": PIN, "host_path": "/opt/netai/models/Qwen3-VL-8B-Instruct",
                             "name": "Qwen3-VL-8B-Instruct", "instances": ["qwen3-vl-8b"], "source": "huggingface",
                             "record": "/opt/netai/models/Qwen3-VL-8B-Instruct/.netai-verified.json"}]
    # The loops Ansible prints at -v go over the instances without their key.
    assert p["instances_keyless"] == [{k: v for k, v in inst.items() if k != "api_key"}]
    assert "vault-vllm-key" not in str(p["instances_keyless"])
    via = p["via_server"]
    assert (via["endpoint"], via["model_name"], via["api_key"]) == (
        "http://172.30.38.1:38011/v1", "Qwen3-VL-8B-Instruct", "vault-vllm-key")
    assert via["gpus"] == [2] and via["gpus_from"].startswith("vllm_gpus")
    assert p["smoke"] == {"vllm": [{"name": "qwen3-vl-8b", "model": "Qwen3-VL-8B-Instruct",
                                    "url": "http://172.30.38.1:38011/v1", "api_key": "vault-vllm-key"}],
                          "via_server_url": "http://127.0.0.1:8100"}


def test_the_container_prefix_names_every_container():
    p = plan(vllm_container_prefix="lab-")
    assert p["instances"][0]["container"] == "lab-qwen3-vl-8b"
    assert p["preflight"]["gpu_claims"][0]["component"] == "lab-qwen3-vl-8b"
    assert p["preflight"]["ports"][0]["component"] == "lab-qwen3-vl-8b"


def test_vllm_on_every_address_is_reached_on_loopback_from_the_host_and_through_docker_from_via_server():
    p = plan(vllm_bind_host="0.0.0.0")
    assert p["instances"][0]["url"] == "http://127.0.0.1:38011/v1"
    assert p["via_server"]["endpoint"] == "http://host.docker.internal:38011/v1"
    assert p["via_server"]["check_url"] == "http://127.0.0.1:38011/v1"


def test_a_second_model_on_another_gpu_is_fetched_once_and_mounted_into_its_instance():
    p = plan(vllm_instances=LAB["vllm_instances"] + [SECOND])
    assert p["problems"] == []
    assert [w["repo_id"] for w in p["weights"]] == [QWEN, "netai-standin/Lab-VLM-2B"]
    second = p["instances"][1]
    assert second["host_path"] == "/opt/netai/models/Lab-VLM-2B" and second["mount"] == "/models/Lab-VLM-2B"
    assert (second["revision"], second["gpus"], second["gpus_from"]) == (OTHER_PIN, [3], "vllm_instances[1].gpus")
    assert (second["api_key"], second["api_key_from"]) == ("its-own-key", "vllm_instances[1].api_key")
    claims = p["preflight"]["gpu_claims"]
    assert [(c["name"], c["gpus"]) for c in claims] == [("vLLM qwen3-vl-8b", [2]), ("vLLM lab-vlm-2b", [3]),
                                                        ("via-server", [2])]
    assert [port["port"] for port in p["preflight"]["ports"]] == [38011, 38021, 8100, 9100]


def test_via_server_follows_the_instance_it_is_told_to_use():
    p = plan(vllm_instances=LAB["vllm_instances"] + [SECOND], via_server_vllm_instance="lab-vlm-2b")
    via = p["via_server"]
    assert (via["instance"], via["model_name"], via["api_key"], via["gpus"]) == (
        "lab-vlm-2b", "Lab-VLM-2B", "its-own-key", [3])
    assert via["endpoint"] == "http://172.30.38.1:38021/v1"


def test_two_instances_of_one_model_share_one_download():
    twin = {"name": "qwen-b", "served_model_name": "Qwen-B", "port": 38012, "gpus": [3]}
    p = plan(vllm_instances=LAB["vllm_instances"] + [twin])
    assert p["problems"] == []
    assert len(p["weights"]) == 1 and p["weights"][0]["instances"] == ["qwen3-vl-8b", "qwen-b"]


def test_an_instance_key_of_empty_means_no_key_and_via_server_then_sends_the_openai_key_or_empty():
    keyless = dict(LAB["vllm_instances"][0], api_key="")
    assert plan(vllm_instances=[keyless])["via_server"]["sent_key"] == "empty"
    p = plan(vllm_instances=[keyless], via_server_openai_api_key="sk-x")
    assert (p["via_server"]["api_key"], p["via_server"]["sent_key"], p["via_server"]["sent_key_from"]) == (
        "", "sk-x", "OPENAI_API_KEY")


def test_a_gpt4o_host_downloads_nothing_and_starts_no_vllm():
    p = plan(via_server_vlm_mode="openai_compat", via_server_vlm_endpoint="https://api.openai.com/v1",
             via_server_vlm_model_name="gpt-4o", via_server_openai_api_key="sk-x")
    assert p["problems"] == []
    assert p["stages"] == {"model_weights": False, "vllm": False, "via_server": True, "smoke": True}
    assert p["instances"] == [] and p["weights"] == [] and p["smoke"]["vllm"] == []
    via = p["via_server"]
    assert (via["endpoint"], via["model_name"], via["sent_key"], via["gpus"]) == (
        "https://api.openai.com/v1", "gpt-4o", "sk-x", [])
    assert [c["name"] for c in p["preflight"]["gpu_claims"]] == []
    assert [port["variable"] for port in p["preflight"]["ports"]] == ["via_server_backend_port", "via_server_frontend_port"]
    [openai] = [s for s in p["preflight"]["secrets"] if "openai" in s["variable"]]
    assert openai["needed"] and openai["set"]
    assert not [s for s in plan(via_server_vlm_mode="openai_compat", via_server_vlm_endpoint="https://api.openai.com/v1",
                                via_server_vlm_model_name="gpt-4o")["preflight"]["secrets"]
                if "openai" in s["variable"] and s["set"]]


def test_a_builtin_host_lets_via_server_fetch_its_model():
    p = plan(via_server_vlm_mode="nvidia_builtin", via_server_model_path="ngc:nim/nvidia/cosmos-reason1-7b:1.1-fp8")
    assert p["stages"]["model_weights"] is False and p["stages"]["vllm"] is False
    assert p["via_server"]["endpoint"] == "" and p["via_server"]["gpus"] == []


def test_via_server_follows_the_gpus_chosen_for_its_vlm_in_every_gpu_mode():
    # gpu_mode none (CPU test hosts) gives vLLM no GPU; via-server still gets the host's choice
    assert plan(vllm_gpu_mode="none")["via_server"]["gpus"] == [2]
    assert plan(vllm_gpu_mode="count", vllm_gpus=[])["via_server"]["gpus"] == []


def test_explicit_via_server_gpus_win():
    assert plan(via_server_gpus=[0, 1])["via_server"]["gpus"] == [0, 1]


def test_provided_weights_are_mounted_where_they_are():
    p = plan(model_weights_source="path", model_weights_path="/srv/nfs/models/qwen")
    assert p["instances"][0]["host_path"] == "/srv/nfs/models/qwen"
    assert p["weights"][0]["host_path"] == "/srv/nfs/models/qwen" and p["weights"][0]["source"] == "path"


@pytest.mark.parametrize("changes, expected", [
    ({"vllm_instances": [dict(SECOND, model_revision="")]}, "model_revision is required"),
    ({"vllm_instances": [dict(SECOND, model_repo_id="no-owner")]}, "model_repo_id must be owner/name"),
    ({"vllm_instances": LAB["vllm_instances"] + [dict(SECOND, model_dir="Qwen3-VL-8B-Instruct")]},
     "share the folder /opt/netai/models/Qwen3-VL-8B-Instruct but name different models"),
    ({"vllm_instances": LAB["vllm_instances"] + [dict(SECOND, model_dir="/srv/other/Qwen3-VL-8B-Instruct")]},
     "two model folders end in Qwen3-VL-8B-Instruct"),
    ({"via_server_vllm_instance": "nope"}, "via_server_vllm_instance: nope is not one of vllm_instances"),
    ({"vllm_instances": []}, "vllm_instances: empty, but via_server_vlm_mode is local_vllm"),
    ({"vllm_bind_host": "127.0.0.1"}, "vllm_bind_host: 127.0.0.1 is a loopback address"),
    ({"via_server_backend_port": 38011}, "38011 is a vllm_instances port"),
    ({"vllm_default_options": {"tensor_parallel_size": 1, "max_model_len": 8192}}, "more than max_model_len 8192"),
    ({"via_server_vlm_mode": "gpt"}, "via_server_vlm_mode: one of local_vllm"),
    ({"vllm_instances": [dict(LAB["vllm_instances"][0], gpus=[0, 1])]}, "tensor_parallel_size 1 x"),
    ({"model_weights_name": ".."}, "its model folder '..' (from model_weights_name) is not a folder name"),
])
def test_each_problem_names_its_variable(changes, expected):
    problems = plan(**changes)["problems"]
    assert any(expected in p for p in problems), problems


def test_a_loopback_vllm_is_fine_when_via_server_shares_the_host_network():
    assert plan(vllm_bind_host="127.0.0.1", via_server_network_mode="host")["problems"] == []


def test_every_problem_of_a_host_is_reported_together():
    problems = plan(via_server_backend_port=38021, via_server_vllm_instance="nope",
                    vllm_instances=[dict(SECOND, model_revision="")])["problems"]
    assert len(problems) == 3, problems


@pytest.mark.parametrize("changes, expected", [
    ({"via_server_nvidia_api_key": ""}, "via_server_nvidia_api_key: required unless via_server_disable_ca_rag"),
    ({"via_server_ngc_api_key": ""},
     "via_server_ngc_api_key: required to pull nvcr.io/nvidia/blueprint/vss-engine:2.4.1 from nvcr.io"),
    ({"via_server_ngc_api_key": "", "via_server_image": "netai/via:1", "via_server_vlm_mode": "nvidia_builtin",
      "via_server_model_path": "ngc:nim/x:1"}, "via_server_ngc_api_key: required to fetch MODEL_PATH ngc:nim/x:1"),
])
def test_a_secret_the_mode_needs_is_named_once_for_via_server_and_preflight(changes, expected):
    p = plan(**changes)
    missing = [s for s in p["secrets"] if s["needed"] and not s["set"]]
    assert len(missing) == 1 and missing[0]["problem"].startswith(expected), missing
    assert [s for s in p["preflight"]["secrets"] if s["needed"] and not s["set"]] == [
        {k: v for k, v in s.items() if k != "problem"} for s in missing]


def test_no_secret_is_needed_when_its_feature_is_off_or_the_image_is_not_from_ngc():
    p = plan(via_server_nvidia_api_key="", via_server_ngc_api_key="", via_server_image="netai/via:1",
             via_server_disable_ca_rag=True, via_server_disable_guardrails=True)
    assert [s for s in p["secrets"] if s["needed"] and not s["set"]] == []


def test_a_missing_variable_is_named():
    variables = dict(LAB)
    del variables["vllm_bind_host"]
    with pytest.raises(AnsibleFilterError, match="vllm_bind_host"):
        build_plan(variables)
    assert "vllm_bind_host" in ALL_VARIABLES


def test_the_images_come_from_upstream_by_default_and_a_gpt4o_host_runs_no_vllm_image():
    assert [(i["key"], i["ref"], i["source"]) for i in plan()["images"]] == [
        ("vllm", "vllm/vllm-openai:v0.11.0", "upstream"),
        ("vss_engine", "nvcr.io/nvidia/blueprint/vss-engine:2.4.1", "upstream")]
    remote = plan(via_server_vlm_mode="openai_compat", via_server_vlm_endpoint="https://api.openai.com/v1",
                  via_server_vlm_model_name="gpt-4o", via_server_openai_api_key="k")
    assert [i["key"] for i in remote["images"]] == ["vss_engine"]


def test_an_image_from_the_lab_names_its_archive_by_id_and_its_lab_registry_reference():
    p = plan(images_sources={"vllm": "archive", "vss_engine": "registry"}, images_ids={"vllm": VLLM_ID, "vss_engine": VSS_ID},
             images_registry="registry.lab:5000", via_server_ngc_api_key="")
    vllm, vss = p["images"]
    assert vllm["archive"] == "/var/cache/netai/images/vllm-cdcdcdcdcdcd.tar" and vllm["id"] == VLLM_ID
    assert vllm["registry_ref"] == "registry.lab:5000/vllm/vllm-openai:v0.11.0"
    assert vss["registry_ref"] == "registry.lab:5000/nvidia/blueprint/vss-engine:2.4.1"
    # via-server's image no longer comes from NGC: no NGC login, no NGC key needed for it.
    assert p["via_server"]["needs_login"] is False and p["problems"] == []


@pytest.mark.parametrize("changes, expected", [
    ({"images_sources": {"vllm": "ftp"}}, "images_sources.vllm: one of upstream, registry, archive, got 'ftp'"),
    ({"images_sources": {"vss": "archive"}}, "images_sources: vss not an image of the collection"),
    ({"images_sources": {"vllm": "archive"}}, "images_ids.vllm: required with images_sources.vllm archive"),
    ({"images_ids": {"vllm": "abc"}}, "images_ids.vllm: sha256:<64 hex digits> expected"),
    ({"images_sources": {"vss_engine": "registry"}, "images_ids": {"vss_engine": VSS_ID}},
     "images_registry: required by images_sources.vss_engine registry"),
    ({"images_sources": {"vllm": "archive"}, "images_ids": {"vllm": VLLM_ID}, "images_cache_dir": "cache"},
     "images_cache_dir: an absolute folder on the controller expected"),
    ({"images_ids": ["x"]}, "images_ids: a dict by image"),
])
def test_each_image_problem_names_its_variable(changes, expected):
    problems = plan(**changes)["problems"]
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("root", ["/", "/etc", "models", "/opt/../etc", "/usr/models"])
def test_a_models_root_that_is_not_a_folder_of_its_own_is_refused(root: str) -> None:
    problems = plan(vllm_models_root=root)["problems"]
    assert any(p.startswith("vllm_models_root: an absolute folder of its own") and repr(root) in p for p in problems)


def test_the_default_models_root_and_one_of_the_labs_own_are_accepted() -> None:
    for root in ("/opt/netai/models", "/srv/models/", "/data/vlm"):
        assert not [p for p in plan(vllm_models_root=root)["problems"] if p.startswith("vllm_models_root")]
