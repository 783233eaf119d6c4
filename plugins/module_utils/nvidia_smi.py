# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parse ``nvidia-smi --query-*`` CSV output into structured GPU facts.

Pure functions (no Ansible import), unit-tested on recorded and documented outputs.
The queries are run with ``--format=csv,noheader,nounits``: one line per GPU, values in
the order of the query fields, memory in MiB, ``[N/A]`` or ``[Not Supported]`` where a
value does not apply.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Dict, List, Optional, Sequence, Tuple

# The fields asked of nvidia-smi, in order, and how each is converted.
GPU_FIELDS: Tuple[Tuple[str, str, str], ...] = (
    # (query field, result key, type)
    ("index", "index", "int"),
    ("uuid", "uuid", "str"),
    ("name", "name", "str"),
    ("pci.bus_id", "pci_bus_id", "str"),
    ("driver_version", "driver_version", "str"),
    ("memory.total", "memory_total_mib", "int"),
    ("memory.used", "memory_used_mib", "int"),
    ("memory.free", "memory_free_mib", "int"),
    ("mig.mode.current", "mig_mode", "str"),
)
APP_FIELDS: Tuple[Tuple[str, str, str], ...] = (
    ("gpu_uuid", "gpu_uuid", "str"),
    ("pid", "pid", "int"),
    ("process_name", "process_name", "str"),
    ("used_memory", "used_memory_mib", "int"),
)

GPU_QUERY = ",".join(spec[0] for spec in GPU_FIELDS)
APP_QUERY = ",".join(spec[0] for spec in APP_FIELDS)
CSV_FORMAT = "--format=csv,noheader,nounits"

NOT_AVAILABLE = ("[N/A]", "[Not Supported]", "N/A", "")
NO_DEVICES = "No devices were found"


class NvidiaSmiError(Exception):
    """nvidia-smi could not report the GPUs (absent, no driver, unparseable output)."""


def _convert(value: str, kind: str, field: str) -> Any:
    value = value.strip()
    if value in NOT_AVAILABLE:
        return None
    if kind == "int":
        try:
            return int(float(value))
        except ValueError as exc:
            raise NvidiaSmiError("nvidia-smi gave %r for %s, expected a number" % (value, field)) from exc
    return value


def _rows(text: str, fields: Sequence[Tuple[str, str, str]]) -> List[Dict[str, Any]]:
    rows: List[Dict[str, Any]] = []
    for line_no, row in enumerate(csv.reader(io.StringIO(text), skipinitialspace=True), start=1):
        if not row or not "".join(row).strip():
            continue
        if len(row) != len(fields):
            raise NvidiaSmiError(
                "nvidia-smi line %d has %d values, expected %d (%s): %r"
                % (line_no, len(row), len(fields), ",".join(spec[0] for spec in fields), ",".join(row))
            )
        rows.append({key: _convert(value, kind, field) for (field, key, kind), value in zip(fields, row)})
    return rows


def parse_gpus(text: str) -> List[Dict[str, Any]]:
    """Parse the GPU query's output. ``No devices were found`` is an empty list."""
    if text.strip().startswith(NO_DEVICES):
        return []
    gpus = _rows(text, GPU_FIELDS)
    for gpu in gpus:
        mig = gpu.get("mig_mode")
        gpu["mig_enabled"] = isinstance(mig, str) and mig.lower() == "enabled"
    return gpus


def parse_compute_apps(text: str) -> List[Dict[str, Any]]:
    """Parse the compute-apps query's output (no process: empty output or ``No running processes``)."""
    if "No running processes" in text:
        return []
    return _rows(text, APP_FIELDS)


def attach_processes(gpus: List[Dict[str, Any]], apps: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Put each compute process under the GPU whose uuid it names."""
    by_uuid = {gpu["uuid"]: gpu for gpu in gpus}
    for gpu in gpus:
        gpu["processes"] = []
    for app in apps:
        owner = by_uuid.get(app["gpu_uuid"])
        if owner is not None:
            owner["processes"].append({k: v for k, v in app.items() if k != "gpu_uuid"})
    return gpus


def explain_failure(rc: int, stdout: str, stderr: str, command: str) -> str:
    """A clear message for a failed nvidia-smi run (the driver's own words included)."""
    said = " ".join(part.strip() for part in (stdout, stderr) if part and part.strip())
    if "couldn't communicate with the NVIDIA driver" in said or "could not communicate" in said.lower():
        return (
            "%s cannot talk to the NVIDIA driver (rc %d): %s The driver is not loaded or does not match "
            "the kernel; install or reload it (a reboot after a driver upgrade), then run again." % (command, rc, said)
        )
    return "%s failed (rc %d): %s" % (command, rc, said or "no output")


def driver_version(gpus: List[Dict[str, Any]]) -> Optional[str]:
    """The driver version (the same on every GPU of a host), or None without GPUs."""
    versions = sorted({gpu["driver_version"] for gpu in gpus if gpu.get("driver_version")})
    return versions[0] if versions else None


def not_found(command: str) -> str:
    """The message for an nvidia-smi that is not installed."""
    return "%s not found: no NVIDIA driver is installed on this host (or it is not on the PATH)" % command


def gpu_report(command: str, gpus_answer: Dict[str, Any], apps_answer: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """What nvidia-smi's answers say: ``{gpus, gpu_count, driver_version}``, or ``{msg, gpus}`` when
    they say something is wrong (``gpu_count`` then absent).

    Each answer is ``{found, rc, stdout, stderr}`` (the run of ``--query-gpu=GPU_QUERY`` and of
    ``--query-compute-apps=APP_QUERY``, both with CSV_FORMAT; ``found`` false when the program is not
    installed). The apps answer is read only when there are GPUs; None skips the processes.
    """
    if not gpus_answer.get("found", True):
        return {"msg": not_found(command), "gpus": []}
    rc, out, err = int(gpus_answer.get("rc", 1)), gpus_answer.get("stdout", "") or "", gpus_answer.get("stderr", "") or ""
    if rc != 0 and NO_DEVICES not in out:
        return {"msg": explain_failure(rc, out, err, command), "gpus": []}
    try:
        gpus = parse_gpus(out)
        apps: List[Dict[str, Any]] = []
        if apps_answer is not None and gpus:
            if int(apps_answer.get("rc", 1)) != 0:
                return {"msg": explain_failure(int(apps_answer.get("rc", 1)), apps_answer.get("stdout", "") or "",
                                               apps_answer.get("stderr", "") or "", command + " --query-compute-apps"),
                        "gpus": gpus}
            apps = parse_compute_apps(apps_answer.get("stdout", "") or "")
        attach_processes(gpus, apps)
    except NvidiaSmiError as exc:
        return {"msg": str(exc), "gpus": []}
    return {"gpus": gpus, "gpu_count": len(gpus), "driver_version": driver_version(gpus)}
