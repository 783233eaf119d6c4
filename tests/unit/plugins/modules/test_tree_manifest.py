"""The tree manifest (module_utils) and the tree_manifest module, on real folders."""

from __future__ import annotations

import json
import os

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.netai.vlm_server.plugins.module_utils import tree_manifest as tm
from ansible_collections.netai.vlm_server.plugins.modules import tree_manifest

SOURCE = {"repo": "file:///srv/standin-vss.git", "ref": "v2.4.1", "commit": "a" * 40}


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "export"
    (root / "deploy" / "docker").mkdir(parents=True)
    (root / "deploy" / "docker" / "compose.yaml").write_text("services: {}\n")
    (root / "run.sh").write_text("#!/bin/sh\n")
    os.chmod(root / "run.sh", 0o755)
    (root / "empty").mkdir()
    os.symlink("deploy/docker", root / "docker")
    return root


def run(capsys, **args):
    with patch_module_args(args), pytest.raises(SystemExit):
        tree_manifest.main()
    return json.loads(capsys.readouterr().out)


def test_scan_records_files_links_dirs_and_the_executable_bit(tree):
    data = tm.scan(str(tree))
    assert set(data["files"]) == {"deploy/docker/compose.yaml", "run.sh"}
    assert data["executables"] == ["run.sh"]
    assert data["links"] == {"docker": "deploy/docker"}
    assert data["dirs"] == ["deploy", "deploy/docker", "empty"]


def test_compare_names_each_kind_of_change(tree):
    recorded = tm.build(str(tree), SOURCE)
    (tree / "deploy" / "docker" / "compose.yaml").write_text("services: {x: {}}\n")
    os.chmod(tree / "run.sh", 0o644)
    (tree / "empty").rmdir()
    (tree / "new.txt").write_text("hand edit\n")
    os.unlink(tree / "docker")
    os.symlink("elsewhere", tree / "docker")
    diff = tm.compare(recorded, tm.scan(str(tree)))
    assert diff == {"modified": ["deploy/docker/compose.yaml", "docker", "run.sh"],
                    "missing": ["empty"], "extra": ["new.txt"]}


def test_parse_refuses_what_is_not_a_manifest():
    with pytest.raises(tm.ManifestError, match="not JSON"):
        tm.parse("{", "m.json")
    with pytest.raises(tm.ManifestError, match="not a tree manifest of format 1"):
        tm.parse('{"format": 2, "files": {}}', "m.json")


def test_scan_refuses_a_special_file(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(tm.ManifestError, match="neither a file"):
        tm.scan(str(tmp_path))


def test_module_writes_once_then_reports_pristine(tree, capsys):
    manifest = tree / ".netai-vss-manifest.json"
    first = run(capsys, path=str(tree), manifest=str(manifest), state="present", source=SOURCE)
    assert first["changed"] is True and first["source"] == SOURCE
    assert json.loads(manifest.read_text())["source"] == SOURCE
    assert ".netai-vss-manifest.json" not in json.loads(manifest.read_text())["files"]
    again = run(capsys, path=str(tree), manifest=str(manifest), state="present", source=SOURCE)
    assert again["changed"] is False
    checked = run(capsys, path=str(tree), manifest=str(manifest))
    assert checked["pristine"] is True and checked["source"] == SOURCE and checked["files"] == 2


def test_module_check_reports_a_hand_edit_and_writes_nothing(tree, capsys):
    manifest = tree / ".netai-vss-manifest.json"
    run(capsys, path=str(tree), manifest=str(manifest), state="present", source=SOURCE)
    text = manifest.read_text()
    (tree / "run.sh").write_text("#!/bin/sh\necho edited\n")
    checked = run(capsys, path=str(tree), manifest=str(manifest))
    assert checked["changed"] is False and checked["pristine"] is False
    assert checked["modified"] == ["run.sh"]
    assert manifest.read_text() == text


def test_module_check_mode_writes_nothing(tree, capsys):
    manifest = tree / ".netai-vss-manifest.json"
    result = run(capsys, path=str(tree), manifest=str(manifest), state="present", source=SOURCE,
                 _ansible_check_mode=True)
    assert result["changed"] is True and not manifest.exists()


def test_module_without_manifest_is_not_pristine(tree, capsys):
    result = run(capsys, path=str(tree), manifest=str(tree / "none.json"))
    assert result["exists"] is False and result["pristine"] is False
    assert result["extra"] == ["deploy/docker/compose.yaml", "run.sh"]


def test_module_fails_on_a_broken_manifest(tree, capsys):
    (tree / "m.json").write_text("not json")
    result = run(capsys, path=str(tree), manifest=str(tree / "m.json"))
    assert result["failed"] is True and "is not JSON" in result["msg"]
