# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``preflight_problems``: every problem of a deployment plan, found at once."""

from __future__ import annotations

DOCUMENTATION = r"""
name: preflight_problems
short_description: Check a deployment plan against a host's facts and list every problem at once
version_added: "0.1.0"
description:
  - Takes the plan (the GPUs, ports, disk space, secrets and pins that the deployment will use)
    and the facts the C(preflight) role gathered (GPUs from C(nvidia_gpu_info), listening ports,
    mounts, the components of ours already running), and returns C(problems) and C(warnings).
  - Every problem names the variable at fault. The C(preflight) role fails when C(problems) is
    not empty and prints the warnings.
  - Pure, it reads its inputs only and changes nothing.
positional: facts
options:
  _input:
    description:
      - The plan, a dict with C(hostname), C(require_gpu), C(driver_min_version), C(gpu_claims),
        C(model_memory_mib), C(ports), C(disks), C(secrets), C(pins) (see the C(preflight) role's README).
      - A secret entry gives C(set) (a boolean) or C(value); only its C(variable) name ever appears in
        the result.
    type: dict
    required: true
  facts:
    description:
      - The facts, a dict with C(gpu) (C(ok), C(msg), C(gpus), C(driver_version)),
        C(listening_ports) (list of int), C(running_components) (list of str),
        C(foreign_containers) (names of the host's containers, running or not, without the
        collection's component label), C(docker_ps_lines) (lines of
        C(docker ps --all --format '{{.Names}}\t{{.State}}\t{{.Label "<component label>"}}'),
        read into the two lists before), C(df_lines)
        (pairs of a path and the last line of C(df -P -B1) for it), C(disk_free) (list of C(path),
        C(available_bytes), C(mount)), C(mounts) (Ansible's mount facts, the fallback for a path
        that neither lists) and C(plaintext_secrets) (what the C(plaintext_secrets) lookup found in the
        inventory, each with C(path) and C(variable), empty for a whole vault file).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Find every problem of the plan
  ansible.builtin.set_fact:
    preflight_report: "{{ plan | netai.vlm_server.preflight_problems(facts) }}"
"""

RETURN = r"""
_value:
  description: C(problems) and C(warnings), lists of strings.
  type: dict
"""

import re
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

GIB = 1024 ** 3
SHA1 = re.compile(r"^[0-9a-f]{40}$")
VERSION_TAG = re.compile(r"^v?\d+(\.\d+)+([.-][0-9A-Za-z.-]+)?$")
BRANCH_NAMES = {"main", "master", "develop", "dev", "head", "trunk", "latest", "nightly"}


def version_tuple(version: str) -> Tuple[int, ...]:
    """'580.65.06' -> (580, 65, 6); non-numeric parts are ignored."""
    return tuple(int(part) for part in re.findall(r"\d+", str(version)))


def _mount_for(path: str, mounts: Iterable[Mapping[str, Any]]) -> Optional[Mapping[str, Any]]:
    """The mount that holds ``path`` (the longest mount point that is a prefix of it)."""
    best: Optional[Mapping[str, Any]] = None
    for mount in mounts:
        point = str(mount.get("mount", ""))
        if path == point or path.startswith(point.rstrip("/") + "/") or point == "/":
            if best is None or len(point) > len(str(best.get("mount", ""))):
                best = mount
    return best


def _with_estimate(claim: Mapping[str, Any], estimates: Mapping[str, Any]) -> Dict[str, Any]:
    """The claim with ``memory_mib`` from the per-model estimates when it gives none itself."""
    result = dict(claim)
    model = claim.get("model")
    if not claim.get("memory_mib") and model and model in estimates:
        result["memory_mib"] = int(estimates[model])
        result.setdefault("memory_variable", "preflight_model_memory_mib['%s']" % model)
    return result


def _gpu_problems(plan: Mapping[str, Any], facts: Mapping[str, Any], problems: List[str], warnings: List[str]) -> None:
    host = plan.get("hostname", "this host")
    gpu = facts.get("gpu") or {}
    claims: List[Mapping[str, Any]] = list(plan.get("gpu_claims") or [])
    claimed = any(claim.get("gpus") for claim in claims)
    if not gpu.get("ok"):
        if plan.get("require_gpu", True) or claimed:
            problems.append(
                "preflight_require_gpu: %s has no working NVIDIA driver: %s (a host without GPUs sets "
                "preflight_require_gpu: false and claims no GPU)" % (host, gpu.get("msg") or "nvidia-smi did not answer")
            )
        return
    gpus = {int(g["index"]): g for g in gpu.get("gpus") or []}
    if plan.get("require_gpu", True) and not gpus:
        problems.append("preflight_require_gpu: the NVIDIA driver on %s sees no GPU" % host)
    minimum = plan.get("driver_min_version")
    found = gpu.get("driver_version")
    if minimum and found and version_tuple(found) < version_tuple(minimum):
        problems.append(
            "preflight_driver_min_version: the NVIDIA driver on %s is %s, older than %s" % (host, found, minimum)
        )

    running = set(facts.get("running_components") or [])
    estimates: Mapping[str, Any] = plan.get("model_memory_mib") or {}
    claims = [_with_estimate(claim, estimates) for claim in claims]
    users: Dict[int, List[Mapping[str, Any]]] = {}
    for claim in claims:
        for index in claim.get("gpus") or []:
            index = int(index)
            if index not in gpus:
                problems.append(
                    "%s: GPU %d does not exist on %s (it has GPU%s %s)"
                    % (claim["variable"], index, host, "" if len(gpus) == 1 else "s",
                       ", ".join(str(i) for i in sorted(gpus)) or "none")
                )
                continue
            users.setdefault(index, []).append(claim)
            if gpus[index].get("mig_enabled"):
                warnings.append(
                    "%s: GPU %d on %s has MIG enabled; a whole-GPU claim will not see all of its memory"
                    % (claim["variable"], index, host)
                )

    for index, on_gpu in sorted(users.items()):
        alone = [claim for claim in on_gpu if claim.get("exclusive", True)]
        if len(alone) > 1:
            problems.append(
                "GPU %d on %s is given to %s; each of them needs it for itself"
                % (index, host, " and ".join("%s (%s)" % (c["name"], c["variable"]) for c in alone))
            )
        waiting = [c for c in on_gpu if c.get("memory_mib") and c.get("component") not in running]
        need = sum(int(c["memory_mib"]) for c in waiting)
        free = gpus[index].get("memory_free_mib")
        if waiting and free is not None and need > free:
            detail = "; ".join(
                "%s: %d MiB, %s" % (c["name"], int(c["memory_mib"]),
                                    "estimate from " + c["memory_variable"] if c.get("memory_variable")
                                    else "memory_mib of its claim")
                for c in waiting)
            problems.append(
                "%s: GPU %d on %s has %d MiB free, %s need%s about %d MiB (%s)"
                % (" and ".join(c["variable"] for c in waiting), index, host, free,
                   " and ".join(c["name"] for c in waiting), "s" if len(waiting) == 1 else "", need, detail)
            )


def _port_problems(plan: Mapping[str, Any], facts: Mapping[str, Any], problems: List[str]) -> None:
    host = plan.get("hostname", "this host")
    listening = {int(p) for p in facts.get("listening_ports") or []}
    running = set(facts.get("running_components") or [])
    seen: Dict[int, Mapping[str, Any]] = {}
    for entry in plan.get("ports") or []:
        port = int(entry["port"])
        if not 1 <= port <= 65535:
            problems.append("%s: %d is not a TCP port" % (entry["variable"], port))
            continue
        if port in seen:
            problems.append(
                "%s and %s both use port %d on %s" % (seen[port]["variable"], entry["variable"], port, host)
            )
            continue
        seen[port] = entry
        if port in listening and entry.get("component") not in running:
            problems.append(
                "%s: port %d is already in use on %s by something that is not ours" % (entry["variable"], port, host)
            )


def parse_docker_ps(lines: Iterable[str]) -> Tuple[List[str], List[str]]:
    """Lines "name<TAB>state<TAB>component label": the components of ours that run, and the names
    of the containers that are not ours (no label), running or not."""
    running: List[str] = []
    foreign: List[str] = []
    for line in lines:
        fields = line.split("\t")
        if not fields[0].strip():
            continue
        state = fields[1].strip() if len(fields) > 1 else ""
        component = fields[2].strip() if len(fields) > 2 else ""
        if not component:
            foreign.append(fields[0].strip())
        elif state == "running":
            running.append(component)
    return running, foreign


def _with_docker_ps(facts: Mapping[str, Any]) -> Dict[str, Any]:
    """The facts with running_components and foreign_containers extended from docker_ps_lines."""
    running, foreign = parse_docker_ps(facts.get("docker_ps_lines") or [])
    merged = dict(facts)
    merged["running_components"] = list(facts.get("running_components") or []) + running
    merged["foreign_containers"] = list(facts.get("foreign_containers") or []) + foreign
    return merged


def _container_problems(plan: Mapping[str, Any], facts: Mapping[str, Any], problems: List[str]) -> None:
    """A container the plan would create under a name that someone else's container holds."""
    host = plan.get("hostname", "this host")
    foreign = set(facts.get("foreign_containers") or [])
    named: Dict[str, str] = {}
    for entry in list(plan.get("ports") or []) + list(plan.get("gpu_claims") or []):
        component = entry.get("component")
        if component and component not in named:
            named[component] = entry["variable"]
    for component, variable in named.items():
        if component in foreign:
            problems.append(
                "%s: a container named %s already exists on %s and is not the collection's (no component label); "
                "the collection would replace it: remove or rename it first (docker rm %s), after keeping what it holds"
                % (variable, component, host, component)
            )


def parse_df_line(line: str) -> Optional[Dict[str, Any]]:
    """The last line of ``df -P -B1 PATH``: filesystem, size, used, available, capacity, mount."""
    fields = line.split()
    if len(fields) < 6 or not fields[3].isdigit():
        return None
    return {"available_bytes": int(fields[3]), "mount": " ".join(fields[5:])}


def _disk_problems(
    plan: Mapping[str, Any], facts: Mapping[str, Any], problems: List[str], warnings: List[str]
) -> None:
    host = plan.get("hostname", "this host")
    measured = {str(d["path"]): d for d in facts.get("disk_free") or []}
    for path, line in facts.get("df_lines") or []:
        parsed = parse_df_line(str(line))
        if parsed:
            measured[str(path)] = parsed
    mounts = facts.get("mounts") or []
    for entry in plan.get("disks") or []:
        required = int(entry.get("required_bytes") or 0)
        if not required:
            continue
        path = str(entry["path"])
        if path in measured:
            free, where = int(measured[path]["available_bytes"]), measured[path].get("mount", "?")
        else:
            mount = _mount_for(path, mounts)
            if mount is None:
                warnings.append("%s: free space at %s on %s is unknown; not checked" % (entry["variable"], path, host))
                continue
            free, where = int(mount.get("size_available") or 0), mount.get("mount")
        if free < required:
            problems.append(
                "%s: %s (on %s) has %.1f GiB free on %s, %.1f GiB are needed"
                % (entry["variable"], path, where, free / GIB, host, required / GIB)
            )


def _secret_problems(plan: Mapping[str, Any], problems: List[str]) -> None:
    for entry in plan.get("secrets") or []:
        is_set = entry["set"] if "set" in entry else bool(entry.get("value"))
        if entry.get("needed", True) and not is_set:
            problems.append(
                "%s is not set; it is needed because %s (put it in the vault, group_vars/vlm_servers/vault.yml)"
                % (entry["variable"], entry.get("why", "the chosen mode uses it"))
            )


def _plaintext_problems(facts: Mapping[str, Any], problems: List[str]) -> None:
    for entry in facts.get("plaintext_secrets") or []:
        if entry.get("variable"):
            what = "%s is given in plain text; put it in the encrypted vault (or ansible-vault encrypt_string it)" % (
                entry["variable"])
        else:
            what = "a vault file in plain text; encrypt it (ansible-vault encrypt %s)" % entry["path"]
        problems.append(
            "%s: %s. Secrets leave with a copy of the inventory otherwise (preflight_plaintext_secrets_ok: "
            "true only for a throwaway test inventory)" % (entry["path"], what))


def pin_warning(variable: str, value: str, kind: str) -> Optional[str]:
    """A warning when an image tag, git ref or Hub revision is not pinned, else None."""
    value = str(value or "")
    if kind == "image":
        if "@sha256:" in value:
            return None
        last = value.rsplit("/", maxsplit=1)[-1]
        tag = last.split(":", 1)[1] if ":" in last else ""
        if not tag or tag == "latest":
            return "%s: image %s is not pinned (give a version tag or a digest)" % (variable, value)
        return None
    if kind in ("git_ref", "hf_revision"):
        if SHA1.match(value):
            return None
        if kind == "git_ref" and VERSION_TAG.match(value) and value.lower() not in BRANCH_NAMES:
            return None
        return "%s: %s looks like a branch, not a pinned %s" % (
            variable, value or "(empty)", "commit" if kind == "hf_revision" else "tag or commit")
    return None


def preflight_problems(plan: Mapping[str, Any], facts: Mapping[str, Any]) -> Dict[str, List[str]]:
    """Every problem (and warning) of ``plan`` on the host described by ``facts``."""
    problems: List[str] = []
    warnings: List[str] = []
    facts = _with_docker_ps(facts)
    _gpu_problems(plan, facts, problems, warnings)
    _port_problems(plan, facts, problems)
    _container_problems(plan, facts, problems)
    _disk_problems(plan, facts, problems, warnings)
    _secret_problems(plan, problems)
    _plaintext_problems(facts, problems)
    for entry in plan.get("pins") or []:
        warning = pin_warning(entry["variable"], entry.get("value", ""), entry.get("kind", "image"))
        if warning:
            warnings.append(warning)
    return {"problems": problems, "warnings": warnings}


class FilterModule:
    """Ansible filters of netai.vlm_server."""

    def filters(self) -> Dict[str, Any]:
        return {"preflight_problems": preflight_problems}
