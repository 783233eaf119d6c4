"""The execution environment: its definition is valid for ansible-builder, and it declares
everything the collection runs on the controller.

- ee/execution-environment.yml passes `ansible-builder create` (the image itself is not built
  here: its base image cannot be pulled);
- the collection's meta/execution-environment.yml is what ansible-builder finds in the installed
  artifact (`ansible-builder introspect`);
- every third-party import of the code that runs on the controller (action, filter and lookup
  plugins, the module_utils they import, and the modules the roles run on the controller) comes
  from a declared Python package or one of its dependencies, and every program the roles make the
  controller run is a declared system package;
- the pins agree with the rest of the repository (requirements.txt, the role defaults, galaxy.yml).
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterable, List, Set

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
META = yaml.safe_load((REPO / "meta/execution-environment.yml").read_text())
EE = yaml.safe_load((REPO / "ee/execution-environment.yml").read_text())

# Modules the roles run on the controller (or on a cache host standing in for it), and why.
CONTROLLER_MODULES = {
    # roles/model_weights/tasks/source_cache.yml: fetch.yml runs with _model_weights_on =
    # model_weights_cache_host, "localhost" by default, with the controller's Python.
    "model_snapshot": "roles/model_weights/tasks/fetch.yml",
}
# Programs that a module of a task runs on the controller, by module.
CONTROLLER_PROGRAMS = {
    "ansible.posix.synchronize": {"rsync": "rsync", "ssh": "openssh-client"},
}
# bindep names per platform for the packages above.
RPM_NAMES = {"rsync": "rsync", "openssh-client": "openssh-clients"}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(lines: Iterable[str]) -> Dict[str, str]:
    """name -> the whole requirement line, of a pip requirements file."""
    names = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            names[normalize(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0])] = line
    return names


def declared_python() -> Dict[str, str]:
    return requirement_names((REPO / META["dependencies"]["python"]).read_text().splitlines())


def declared_system() -> List[str]:
    return [line.split("#", 1)[0].strip() for line in (REPO / META["dependencies"]["system"]).read_text().splitlines()
            if line.split("#", 1)[0].strip()]


def with_dependencies(names: Iterable[str]) -> Set[str]:
    """The declared distributions and everything they require (as installed here), transitively."""
    seen: Set[str] = set()
    todo = list(names)
    while todo:
        name = normalize(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for requirement in requires:
            if "extra ==" in requirement:
                continue
            todo.append(re.split(r"[<>=!~;\[ (]", requirement, maxsplit=1)[0])
    return seen


def controller_files() -> List[Path]:
    """The Python files that run on the controller, and the collection's module_utils they import."""
    files = [p for kind in ("action", "filter", "lookup", "plugin_utils") for p in sorted((REPO / "plugins" / kind).glob("*.py"))]
    files += [REPO / "plugins" / "modules" / ("%s.py" % name) for name in CONTROLLER_MODULES]
    result: List[Path] = []
    while files:
        path = files.pop(0)
        if path in result:
            continue
        result.append(path)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ansible_collections.netai.vlm_server.plugins.module_utils"):
                names = [node.module.rsplit(".", 1)[-1]] if node.module.count(".") > 4 else [a.name for a in node.names]
                files += [p for p in (REPO / "plugins" / "module_utils" / ("%s.py" % n) for n in names) if p.exists()]
    return result


def third_party_imports(path: Path) -> Set[str]:
    names: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("__future__", "ansible", "ansible_collections")}


def test_controller_modules_are_those_the_roles_run_on_the_controller():
    for module, where in CONTROLLER_MODULES.items():
        text = (REPO / where).read_text()
        assert "netai.vlm_server.%s:" % module in text and "delegate_to: \"{{ _model_weights_on }}\"" in text
    assert "model_weights_cache_host: localhost" in (REPO / "roles/model_weights/defaults/main.yml").read_text()


def test_every_controller_import_is_declared():
    distributions = importlib.metadata.packages_distributions()
    covered = with_dependencies(declared_python())
    missing = {}
    for path in controller_files():
        for name in third_party_imports(path):
            owners = [normalize(d) for d in distributions.get(name, [name])]
            if not any(owner in covered for owner in owners):
                missing[name] = str(path.relative_to(REPO))
    assert missing == {}, "imported on the controller, not declared in %s: %s" % (META["dependencies"]["python"], missing)
    # The scan sees what it must: model_snapshot's huggingface_hub and tqdm.
    assert {"huggingface_hub", "tqdm"} <= third_party_imports(REPO / "plugins/modules/model_snapshot.py")


def test_every_controller_program_is_declared():
    used = set()
    for path in list(REPO.glob("roles/*/tasks/*.yml")) + list(REPO.glob("playbooks/*.yml")) + [REPO / "deploy.yml"]:
        for module, programs in CONTROLLER_PROGRAMS.items():
            if re.search(r"^\s*-?\s*%s:" % re.escape(module), path.read_text(), re.M):
                used.update(programs.values())
    assert used, "the scan found no module that runs a program on the controller (the table is stale?)"
    system = declared_system()
    for package in sorted(used):
        assert any(re.match(r"%s\s.*platform:dpkg" % re.escape(package), line) for line in system), (package, system)
        rpm = RPM_NAMES[package]
        assert any(re.match(r"%s\s.*platform:rpm" % re.escape(rpm), line) for line in system), (rpm, system)


def test_pins_agree_with_the_repository():
    requirements = requirement_names((REPO / "requirements.txt").read_text().splitlines())
    for name, line in declared_python().items():
        assert requirements.get(name) == line, "%s: %s in the EE, %s in requirements.txt" % (name, line, requirements.get(name))
    defaults = yaml.safe_load((REPO / "roles/model_weights/defaults/main.yml").read_text())
    assert declared_python()["huggingface-hub"] == "huggingface_hub==%s" % defaults["model_weights_hf_hub_version"]
    assert EE["dependencies"]["ansible_core"]["package_pip"] == requirements["ansible-core"]
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    for_galaxy_users = yaml.safe_load((REPO / "requirements.yml").read_text())["collections"]
    assert {c["name"]: c["version"] for c in for_galaxy_users} == galaxy["dependencies"]
    wanted = yaml.safe_load((REPO / "ee" / EE["dependencies"]["galaxy"]).read_text())["collections"]
    assert {"name": "%s.%s" % (galaxy["namespace"], galaxy["name"]), "version": galaxy["version"]} in wanted


def test_ansible_builder_create(tmp_path):
    context = tmp_path / "context"
    run = subprocess.run([str(BIN / "ansible-builder"), "create", "-f", str(REPO / "ee/execution-environment.yml"),
                          "-c", str(context), "--output-filename", "Containerfile"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    containerfile = (context / "Containerfile").read_text()
    assert "quay.io/fedora/fedora:42" in containerfile
    assert EE["dependencies"]["ansible_core"]["package_pip"] in containerfile
    assert (context / "_build" / "requirements.yml").exists()


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The collection as its artifact installs it (what an EE build gets from Galaxy)."""
    work = tmp_path_factory.mktemp("artifact")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(work / "installed"))
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(work), str(REPO)],
                   check=True, capture_output=True, env=env)
    artifact = next(work.glob("netai-vlm_server-*.tar.gz"))
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--no-deps", "-p", str(work / "installed"),
                    str(artifact)], check=True, capture_output=True, env=env, cwd=str(work))
    return work / "installed"


def test_ansible_builder_finds_the_declared_requirements_in_the_artifact(installed, tmp_path):
    pip, bindep = tmp_path / "pip.txt", tmp_path / "bindep.txt"
    run = subprocess.run([str(BIN / "ansible-builder"), "introspect", str(installed), "--write-pip", str(pip),
                          "--write-bindep", str(bindep)], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "huggingface_hub==%s" % declared_python()["huggingface-hub"].split("==")[1] in pip.read_text()
    for line in declared_system():
        assert line.split()[0] in bindep.read_text()
    assert shutil.which("ansible-builder", path=str(BIN))
