"""Runs the docker_daemon_config module's main() on real files in a temp directory."""

from __future__ import annotations

import json
import os
import stat

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.netai.vlm_server.plugins.modules import docker_daemon_config


def run(capsys, **args):
    """Run the module with args; return its JSON result (it always exits)."""
    with patch_module_args(args), pytest.raises(SystemExit):
        docker_daemon_config.main()
    return json.loads(capsys.readouterr().out)


def test_creates_file_and_parent_dir(tmp_path, capsys):
    path = tmp_path / "docker" / "daemon.json"
    result = run(capsys, path=str(path), config={"live-restore": True})
    assert result["changed"] is True
    assert json.loads(path.read_text()) == {"live-restore": True}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644


def test_keeps_foreign_keys_and_is_idempotent(tmp_path, capsys):
    path = tmp_path / "daemon.json"
    path.write_text('{"runtimes": {"nvidia": {"path": "nvidia-container-runtime"}}}')
    os.chmod(path, 0o644)
    first = run(capsys, path=str(path), config={"log-driver": "json-file"})
    assert first["changed"] is True
    assert first["config"]["runtimes"]["nvidia"]["path"] == "nvidia-container-runtime"
    text = path.read_text()
    second = run(capsys, path=str(path), config={"log-driver": "json-file"})
    assert second["changed"] is False
    assert path.read_text() == text


def test_check_mode_reports_without_writing(tmp_path, capsys):
    path = tmp_path / "daemon.json"
    path.write_text('{"debug": true}')
    result = run(capsys, path=str(path), config={"debug": False}, _ansible_check_mode=True, _ansible_diff=True)
    assert result["changed"] is True
    assert json.loads(result["diff"]["after"]) == {"debug": False}
    assert path.read_text() == '{"debug": true}'


def test_invalid_file_fails_and_is_left_alone(tmp_path, capsys):
    path = tmp_path / "daemon.json"
    path.write_text("{not json")
    result = run(capsys, path=str(path), config={"debug": True})
    assert result["failed"] is True
    assert "is not valid JSON" in result["msg"]
    assert path.read_text() == "{not json"


def test_backup_keeps_previous_content(tmp_path, capsys):
    path = tmp_path / "daemon.json"
    path.write_text('{"debug": true}')
    result = run(capsys, path=str(path), config={"debug": False}, backup=True)
    with open(result["backup_file"], encoding="utf-8") as handle:
        assert json.loads(handle.read()) == {"debug": True}


def test_validate_failure_keeps_old_file(tmp_path, capsys):
    path = tmp_path / "daemon.json"
    path.write_text('{"debug": true}')
    result = run(capsys, path=str(path), config={"debug": False}, validate="false %s")
    assert result["failed"] is True
    assert "failed validation" in result["msg"]
    assert path.read_text() == '{"debug": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["daemon.json"]


def test_validate_success_writes(tmp_path, capsys):
    path = tmp_path / "daemon.json"
    result = run(capsys, path=str(path), config={"debug": False}, validate="test -s %s")
    assert result["changed"] is True
    assert json.loads(path.read_text()) == {"debug": False}


def test_validate_without_placeholder_is_an_error(tmp_path, capsys):
    result = run(capsys, path=str(tmp_path / "daemon.json"), config={"a": 1}, validate="true")
    assert result["failed"] is True and "must contain %s" in result["msg"]
