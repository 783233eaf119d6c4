# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of one VLM server: what runs where, derived once from the host's variables.

Private to the collection (the ``vlm_server_plan`` lookup is its door). Pure: it reads the
variables it is given and returns dicts and lists; it never reads the host. Every value that
more than one role, ``status.yml`` or ``teardown.yml`` needs (an instance's container name,
URLs, key, GPUs and model folder; the weights to fetch; via-server's VLM wiring; the smoke
targets; what preflight checks) is built here and nowhere else.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.filter.reach_host import reach_host
from ansible_collections.netai.vlm_server.plugins.filter.vlm_frame_budget import vlm_frame_budget
from ansible_collections.netai.vlm_server.plugins.filter.vllm_bind_problems import vllm_bind_problems
from ansible_collections.netai.vlm_server.plugins.filter.vllm_instance_problems import (
    _model_dir_ok,
    instance_gpus,
    vllm_instance_problems,
)
from ansible_collections.netai.vlm_server.plugins.module_utils.model_snapshot import MANIFEST

# The variables the plan reads, by the role that documents each (its meta/argument_specs.yml).
PLAN_VARIABLES: Dict[str, Tuple[str, ...]] = {
    "vllm": (
        "vllm_instances", "vllm_gpus", "vllm_gpu_mode", "vllm_api_key", "vllm_container_prefix",
        "vllm_models_root", "vllm_model_mount_root", "vllm_bind_host", "vllm_bridge_subnet",
        "vllm_bridge_gateway", "vllm_default_options", "vllm_known_options", "vllm_image",
    ),
    "model_weights": (
        "model_weights_source", "model_weights_repo_id", "model_weights_revision", "model_weights_name",
        "model_weights_path",
    ),
    "via_server": (
        "via_server_vlm_mode", "via_server_vllm_instance", "via_server_vlm_endpoint", "via_server_vlm_model_name",
        "via_server_vlm_api_key", "via_server_openai_api_key", "via_server_nvidia_api_key", "via_server_ngc_api_key",
        "via_server_gpus", "via_server_backend_port", "via_server_frontend_port", "via_server_network_mode",
        "via_server_frames_per_chunk", "via_server_vlm_input_size", "via_server_video_max_size",
        "via_server_vlm_reply_tokens", "via_server_vlm_text_tokens", "via_server_vlm_token_px",
        "via_server_disable_ca_rag", "via_server_disable_guardrails", "via_server_image", "via_server_registry",
        "via_server_model_path", "via_server_container_name",
    ),
    "smoke": ("smoke_via_server",),
    "images": ("images_sources", "images_ids", "images_registry", "images_cache_dir"),
}
ALL_VARIABLES: Tuple[str, ...] = tuple(name for names in PLAN_VARIABLES.values() for name in names)

MODES = ("local_vllm", "openai_compat", "nvidia_builtin", "custom")
# The images a host may run: the key in images_sources / images_ids, and the variable that pins its reference.
IMAGES: Tuple[Tuple[str, str], ...] = (("vllm", "vllm_image"), ("vss_engine", "via_server_image"))
IMAGE_SOURCES = ("upstream", "registry", "archive")
IMAGE_ID = re.compile(r"^sha256:[0-9a-f]{64}$")
REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
LOOPBACK = re.compile(r"^(127\.|localhost$|::1$|\[::1\]$)")
DOCKER_HOST = "host.docker.internal"


def _gpu_list(value: Any) -> List[int]:
    """GPU indices as ints ([] for anything that is not a list of indices)."""
    if not isinstance(value, (list, tuple)):
        return []
    try:
        return [int(g) for g in value]
    except (TypeError, ValueError):
        return []


def _merged(defaults: Mapping[str, Any], options: Any) -> Dict[str, Any]:
    """vLLM options: an instance's merged over the defaults (one level of dicts merged too)."""
    out: Dict[str, Any] = dict(defaults)
    for key, value in (options or {}).items() if isinstance(options, Mapping) else ():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def _instances(v: Mapping[str, Any], problems: List[str]) -> List[Dict[str, Any]]:
    """Each vLLM instance with everything derived from it."""
    gpu_mode = str(v["vllm_gpu_mode"])
    bind = str(v["vllm_bind_host"])
    host_side = reach_host(bind)
    from_via = reach_host(bind, DOCKER_HOST)
    root = str(v["vllm_models_root"]).rstrip("/") or "/"
    if v["vllm_instances"] and not (root.startswith("/") and _model_dir_ok(root)):
        # The model folders are mounted from under it, and teardown may remove them.
        problems.append("vllm_models_root: an absolute folder of its own (below a top-level folder, not a system "
                        "one, no '..'), got %r" % v["vllm_models_root"])
    default_repo, default_revision = str(v["model_weights_repo_id"]), str(v["model_weights_revision"])
    default_dir = str(v["model_weights_name"])
    provided = v["model_weights_source"] == "path" and str(v["model_weights_path"] or "")
    out: List[Dict[str, Any]] = []
    for index, raw in enumerate(v["vllm_instances"]):
        if not isinstance(raw, Mapping):
            continue  # vllm_instance_problems reports it
        name = str(raw.get("name"))
        repo = str(raw.get("model_repo_id") or default_repo)
        revision = str(raw.get("model_revision") or (default_revision if repo == default_repo else ""))
        where = "vllm_instances[%d] (%s)" % (index, name)
        if "model_repo_id" in raw and not REPO_ID.match(repo):
            problems.append("%s: model_repo_id must be owner/name, got %r" % (where, repo))
        if not revision:
            problems.append("%s: model_revision is required when model_repo_id (%s) differs from "
                            "model_weights_repo_id (%s): pin the commit it runs" % (where, repo, default_repo))
        model_dir = str(raw.get("model_dir") or (default_dir if repo == default_repo else posixpath.basename(repo)))
        if "model_dir" not in raw and not _model_dir_ok(model_dir):
            problems.append("%s: its model folder %r (from %s) is not a folder name" % (
                where, model_dir, "model_weights_name" if repo == default_repo else "model_repo_id"))
        if provided and repo == default_repo and "model_dir" not in raw:
            host_path = provided  # model_weights_source path: the weights are where they were put
        else:
            host_path = model_dir if model_dir.startswith("/") else "%s/%s" % (root, model_dir)
        gpus, gpus_from = instance_gpus(raw, index, v["vllm_gpus"], gpu_mode)
        # The GPUs chosen for this VLM, whatever the mode (via-server follows them): the same choice,
        # read as a list of devices.
        gpu_list = _gpu_list(instance_gpus(raw, index, v["vllm_gpus"], "devices")[0])
        key_from = "vllm_instances[%d].api_key" % index if "api_key" in raw else "vllm_api_key"
        port = raw.get("port")
        options = _merged(v["vllm_default_options"] or {}, raw.get("options"))
        out.append({
            "index": index,
            "name": name,
            "container": "%s%s" % (v["vllm_container_prefix"], name),
            "served_model_name": raw.get("served_model_name"),
            "port": port,
            "repo_id": repo,
            "revision": revision,
            "host_path": host_path,
            "mount": "%s/%s" % (str(v["vllm_model_mount_root"]).rstrip("/"), posixpath.basename(host_path)),
            "gpus": gpus,
            "gpus_from": gpus_from,
            "gpu_list": gpu_list,
            "gpu_mode": gpu_mode,
            "api_key": str(raw.get("api_key", v["vllm_api_key"]) or ""),
            "api_key_from": key_from,
            "options": options,
            "max_model_len": options.get("max_model_len"),
            "extra_args": list(raw.get("extra_args") or []),
            "env": dict(raw.get("env") or {}),
            "url": "http://%s:%s/v1" % (host_side, port),
            "health_url": "http://%s:%s/health" % (host_side, port),
            "version_url": "http://%s:%s/version" % (host_side, port),
            "via_server_url": "http://%s:%s/v1" % (from_via, port),
        })
    return out


def _weights(instances: List[Dict[str, Any]], v: Mapping[str, Any], problems: List[str]) -> List[Dict[str, Any]]:
    """One entry per distinct model folder, with the instances that mount it."""
    by_path: Dict[str, Dict[str, Any]] = {}
    for inst in instances:
        entry = by_path.setdefault(inst["host_path"], {
            "repo_id": inst["repo_id"], "revision": inst["revision"], "host_path": inst["host_path"],
            "name": posixpath.basename(inst["host_path"]), "instances": [],
            "source": v["model_weights_source"],
            # What model_snapshot writes once it verified a download: the proof the folder is ours.
            "record": posixpath.join(inst["host_path"], MANIFEST),
        })
        if (entry["repo_id"], entry["revision"]) != (inst["repo_id"], inst["revision"]):
            problems.append("vllm_instances: %s and %s share the folder %s but name different models (%s@%s, %s@%s): "
                            "give each model its own model_dir" % (
                                entry["instances"][0], inst["name"], inst["host_path"], entry["repo_id"],
                                entry["revision"], inst["repo_id"], inst["revision"]))
        entry["instances"].append(inst["name"])
    names = [w["name"] for w in by_path.values()]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append("vllm_instances: two model folders end in %s (the cache and the mount name them by it): "
                        "rename one model_dir" % name)
    return list(by_path.values())


def _via_server(v: Mapping[str, Any], instances: List[Dict[str, Any]], problems: List[str]) -> Dict[str, Any]:
    """via-server's VLM wiring: endpoint, model name, key, GPUs, the context budget of one chunk."""
    mode = v["via_server_vlm_mode"]
    chosen: Optional[Dict[str, Any]] = None
    if mode == "local_vllm":
        wanted = str(v["via_server_vllm_instance"] or "")
        names = [i["name"] for i in instances]
        if not instances:
            problems.append("vllm_instances: empty, but via_server_vlm_mode is local_vllm (define vllm_instances, "
                            "or choose openai_compat, nvidia_builtin or custom)")
        elif wanted and wanted not in names:
            problems.append("via_server_vllm_instance: %s is not one of vllm_instances (%s)" % (wanted, ", ".join(names)))
        else:
            chosen = next(i for i in instances if i["name"] == wanted) if wanted else instances[0]
        via_host = reach_host(v["vllm_bind_host"], DOCKER_HOST)
        if v["via_server_network_mode"] != "host" and LOOPBACK.match(via_host):
            problems.append(
                "vllm_bind_host: %s is a loopback address, which from the via-server container names the container "
                "itself: it would not reach vLLM; bind vLLM to its bridge (the default) or 0.0.0.0, or set "
                "via_server_network_mode: host" % via_host)
    explicit_gpus = _gpu_list(v["via_server_gpus"])
    if explicit_gpus:
        gpus, gpus_from = explicit_gpus, "via_server_gpus"
    elif chosen is not None and chosen["gpu_list"]:
        gpus, gpus_from = chosen["gpu_list"], chosen["gpus_from"]  # its VLM instance's
    else:
        gpus, gpus_from = [], "via_server_gpus ([]: all)"
    if chosen is not None:
        endpoint, model_name, key = chosen["via_server_url"], chosen["served_model_name"], chosen["api_key"]
    elif mode == "openai_compat":
        endpoint, model_name = str(v["via_server_vlm_endpoint"] or ""), str(v["via_server_vlm_model_name"] or "")
        key = str(v["via_server_vlm_api_key"] or "")
    else:
        endpoint, model_name, key = "", "", ""
    # The key via-server sends: VIA_VLM_API_KEY, else OPENAI_API_KEY ("empty" when unset, as the lab writes it).
    sent = key or str(v["via_server_openai_api_key"] or "") or "empty"
    check_url = re.sub(r"/$", "", endpoint.replace("//%s:" % DOCKER_HOST, "//127.0.0.1:")
                       .replace("//%s/" % DOCKER_HOST, "//127.0.0.1/"))
    size_set = isinstance(v["via_server_vlm_input_size"], list) and len(v["via_server_vlm_input_size"]) == 2
    size = v["via_server_vlm_input_size"] if size_set else v["via_server_video_max_size"]
    frames = int(v["via_server_frames_per_chunk"] or 0)
    budget_spec = {
        "frames": frames if frames > 0 else 10,
        "width": size[0] if isinstance(size, list) and len(size) == 2 else 0,
        "height": size[1] if isinstance(size, list) and len(size) == 2 else 0,
        "reply_tokens": v["via_server_vlm_reply_tokens"],
        "text_tokens": v["via_server_vlm_text_tokens"],
        "token_px": v["via_server_vlm_token_px"],
        "frames_from": "via_server_frames_per_chunk" if frames > 0 else "via_server_frames_per_chunk (0: upstream default)",
        "size_from": "via_server_vlm_input_size" if size_set else "via_server_video_max_size",
    }
    if chosen is not None and budget_spec["width"] and budget_spec["height"]:
        try:
            budget = vlm_frame_budget(dict(budget_spec, max_model_len=chosen["max_model_len"],
                                           context_from="vllm_instances[%d] (%s)" % (chosen["index"], chosen["name"])))
        except AnsibleFilterError as exc:
            problems.append(str(exc))
        else:
            if budget["problem"]:
                problems.append(budget["problem"])
    ports = [v["via_server_backend_port"], v["via_server_frontend_port"]]
    clash = [str(p) for p in ports if str(p) in [str(i["port"]) for i in instances]]
    if clash:
        problems.append("via_server_backend_port/via_server_frontend_port: %s is a vllm_instances port" % ", ".join(clash))
    return {
        "mode": mode,
        "instance": chosen["name"] if chosen else "",
        "endpoint": endpoint,
        "check_url": check_url,
        "model_name": model_name,
        "api_key": key,
        "sent_key": sent,
        "sent_key_from": "VIA_VLM_API_KEY" if key else "OPENAI_API_KEY",
        "gpus": gpus,
        "gpus_from": gpus_from,
        "budget_spec": budget_spec,
        "needs_login": _registry_host(str(v["via_server_image"])) == v["via_server_registry"],
        "url": "http://127.0.0.1:%s" % v["via_server_backend_port"],
        "health_url": "http://127.0.0.1:%s/health/ready" % v["via_server_backend_port"],
        "container": v["via_server_container_name"],
    }


def image_archive_path(cache_dir: str, key: str, image_id: str) -> str:
    """Where the controller's cache keeps the archive of one image: named by the image and its ID."""
    return "%s/%s-%s.tar" % (cache_dir.rstrip("/"), key, image_id.split(":", 1)[-1][:12])


def _image_path(ref: str) -> str:
    """A reference without its registry (docker.io's images keep their path: vllm/vllm-openai:tag)."""
    first = ref.split("/")[0]
    if "/" in ref and ("." in first or ":" in first or first == "localhost"):
        return ref.split("/", 1)[1]
    return ref


def _images(v: Mapping[str, Any], vllm: bool, problems: List[str]) -> List[Dict[str, Any]]:
    """The images the host runs, each with where it comes from (images_sources) and its pinned ID."""
    sources = v["images_sources"] if isinstance(v["images_sources"], Mapping) else {}
    ids = v["images_ids"] if isinstance(v["images_ids"], Mapping) else {}
    known = [image[0] for image in IMAGES]
    for name, value in (("images_sources", v["images_sources"]), ("images_ids", v["images_ids"])):
        if not isinstance(value, Mapping):
            problems.append("%s: a dict by image (%s) expected" % (name, ", ".join(known)))
            continue
        unknown = sorted(str(k) for k in value if k not in known)
        if unknown:
            problems.append("%s: %s not an image of the collection (%s)" % (name, ", ".join(unknown), ", ".join(known)))
    registry = str(v["images_registry"] or "").rstrip("/")
    cache = str(v["images_cache_dir"] or "").rstrip("/")
    out: List[Dict[str, Any]] = []
    for key, variable in IMAGES:
        if key == "vllm" and not vllm:
            continue  # a host without vLLM instances runs no vLLM image
        ref = str(v[variable])
        source = str(sources.get(key) or "upstream")
        image_id = str(ids.get(key) or "")
        if source not in IMAGE_SOURCES:
            problems.append("images_sources.%s: one of %s, got %r" % (key, ", ".join(IMAGE_SOURCES), source))
        if image_id and not IMAGE_ID.match(image_id):
            problems.append("images_ids.%s: sha256:<64 hex digits> expected (the Id docker image inspect %s prints), "
                            "got %r" % (key, ref, image_id))
        if source in ("registry", "archive") and not image_id:
            problems.append("images_ids.%s: required with images_sources.%s %s (the image is verified by its ID before "
                            "use): playbooks/harvest.yml reports it from a server that runs %s" % (key, key, source, ref))
        if source == "registry" and not registry:
            problems.append("images_registry: required by images_sources.%s registry (host[:port] of the lab registry)" % key)
        if source == "archive" and not cache.startswith("/"):
            problems.append("images_cache_dir: an absolute folder on the controller expected, got %r" % cache)
        out.append({
            "key": key,
            "variable": variable,
            "ref": ref,
            "source": source,
            "id": image_id,
            "cache_dir": cache,
            "archive": image_archive_path(cache, key, image_id) if image_id else "",
            "registry_ref": "%s/%s" % (registry, _image_path(ref)) if registry else "",
        })
    return out


def _registry_host(image: str) -> str:
    """The registry an image reference names (docker.io when it names none)."""
    return image.split("/")[0] if "/" in image else "docker.io"


def _secrets(v: Mapping[str, Any], via: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The secrets the chosen modes need: whether each is set (never its value), and why it is needed."""
    both_off = bool(v["via_server_disable_ca_rag"]) and bool(v["via_server_disable_guardrails"])
    ngc_model = via["mode"] == "nvidia_builtin" and str(v["via_server_model_path"]).startswith("ngc:")
    secrets = [
        {"variable": "via_server_nvidia_api_key", "set": bool(v["via_server_nvidia_api_key"]), "needed": not both_off,
         "why": "via-server's CA-RAG and guardrails call NVIDIA's hosted models",
         "problem": "via_server_nvidia_api_key: required unless via_server_disable_ca_rag and "
                    "via_server_disable_guardrails are both true"},
        {"variable": "via_server_ngc_api_key", "set": bool(v["via_server_ngc_api_key"]), "needed": via["needs_login"],
         "why": "the via-server image comes from NGC",
         "problem": "via_server_ngc_api_key: required to pull %s from %s" % (v["via_server_image"], v["via_server_registry"])},
        {"variable": "via_server_ngc_api_key", "set": bool(v["via_server_ngc_api_key"]), "needed": ngc_model,
         "why": "via-server fetches its model from NGC",
         "problem": "via_server_ngc_api_key: required to fetch MODEL_PATH %s" % v["via_server_model_path"]},
    ]
    if via["mode"] == "openai_compat":
        secrets.append({"variable": "via_server_vlm_api_key or via_server_openai_api_key",
                        "set": via["sent_key"] != "empty", "needed": "api.openai.com" in via["endpoint"],
                        "why": "OpenAI's API refuses a request without a key",
                        "problem": "via_server_vlm_api_key or via_server_openai_api_key: required by %s" % via["endpoint"]})
    return secrets


def _preflight(v: Mapping[str, Any], instances: List[Dict[str, Any]], via: Dict[str, Any],
               secrets: List[Dict[str, Any]]) -> Dict[str, Any]:
    """What the preflight role checks against the host: GPU claims, ports, the secrets the modes need."""
    claims: List[Dict[str, Any]] = []
    for inst in instances:
        if inst["gpu_mode"] == "devices":
            claims.append({"name": "vLLM " + inst["name"], "variable": inst["gpus_from"], "gpus": inst["gpus"],
                           "model": inst["served_model_name"], "component": inst["container"]})
    if via["gpus"]:
        claims.append({"name": "via-server", "variable": via["gpus_from"], "gpus": via["gpus"],
                       "exclusive": False, "component": "via-server"})
    ports = [{"port": i["port"], "variable": "vllm_instances[%d].port" % i["index"], "component": i["container"]}
             for i in instances]
    ports += [{"port": v["via_server_backend_port"], "variable": "via_server_backend_port", "component": "via-server"},
              {"port": v["via_server_frontend_port"], "variable": "via_server_frontend_port", "component": "via-server"}]
    # The preflight role's secret entries (its argument spec): the message stays with the plan.
    return {"gpu_claims": claims, "ports": ports,
            "secrets": [{key: value for key, value in secret.items() if key != "problem"} for secret in secrets]}


def build_plan(v: Mapping[str, Any], hostname: str = "") -> Dict[str, Any]:
    """The plan of one host from its variables (every name of ALL_VARIABLES present)."""
    missing = [name for name in ALL_VARIABLES if name not in v]
    if missing:
        raise AnsibleFilterError("vlm_server_plan: variables missing: %s" % ", ".join(missing))
    problems: List[str] = []
    mode = v["via_server_vlm_mode"]
    if mode not in MODES:
        problems.append("via_server_vlm_mode: one of %s, got %r" % (", ".join(MODES), mode))
    local = mode == "local_vllm"
    if local and isinstance(v["vllm_instances"], list) and v["vllm_instances"]:
        problems += vllm_instance_problems(v["vllm_instances"], v["vllm_default_options"], v["vllm_known_options"],
                                           v["vllm_gpus"], v["vllm_gpu_mode"])
        problems += vllm_bind_problems(v["vllm_bind_host"], v["vllm_bridge_subnet"], v["vllm_bridge_gateway"])
    elif not isinstance(v["vllm_instances"], list):
        problems.append("vllm_instances: a list expected")
    instances = _instances(v, problems) if local and isinstance(v["vllm_instances"], list) else []
    weights = _weights(instances, v, problems)
    for entry in weights:
        if entry["source"] != "path" and not REPO_ID.match(entry["repo_id"]):
            problems.append("model_weights_repo_id: owner/name expected, got %s" % entry["repo_id"])
    via = _via_server(v, instances, problems)
    images = _images(v, bool(instances), problems)
    # NGC's login only where via-server's image is pulled from NGC itself, not from the lab.
    via["needs_login"] = via["needs_login"] and all(i["source"] == "upstream" for i in images if i["key"] == "vss_engine")
    secrets = _secrets(v, via)
    return {
        "host": hostname,
        "mode": mode,
        "stages": {"model_weights": bool(weights), "vllm": bool(instances), "via_server": True, "smoke": True},
        "instances": instances,
        # The same without their keys: for loops whose items Ansible prints at -v.
        "instances_keyless": [{k: val for k, val in i.items() if k != "api_key"} for i in instances],
        "weights": weights,
        "via_server": via,
        "smoke": {
            "vllm": [{"name": i["name"], "model": i["served_model_name"], "url": i["url"], "api_key": i["api_key"]}
                     for i in instances],
            "via_server_url": via["url"] if v["smoke_via_server"] else "",
        },
        "images": images,
        "secrets": secrets,
        "preflight": _preflight(v, instances, via, secrets),
        "problems": problems,
    }
