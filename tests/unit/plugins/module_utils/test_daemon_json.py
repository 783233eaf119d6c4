"""Unit tests for the daemon.json merge (plugins/module_utils/daemon_json.py)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.netai.vlm_server.plugins.module_utils.daemon_json import (
    DaemonJsonError,
    deep_merge,
    parse,
    plan,
    remove_paths,
    render,
)

NVIDIA_WRITTEN = json.dumps(
    {"runtimes": {"nvidia": {"path": "nvidia-container-runtime", "args": []}}, "default-runtime": "nvidia"}
)


def test_merge_keeps_foreign_keys_and_adds_ours():
    changed, before, after = plan(NVIDIA_WRITTEN, {"live-restore": True, "log-driver": "json-file"})
    assert changed
    assert after["runtimes"] == before["runtimes"]
    assert after["default-runtime"] == "nvidia"
    assert after["live-restore"] is True


def test_nested_objects_merge_key_by_key():
    base = {"runtimes": {"nvidia": {"path": "nvidia-container-runtime"}}, "log-opts": {"max-size": "10m"}}
    merged = deep_merge(base, {"runtimes": {"runc-x": {"path": "runc"}}, "log-opts": {"max-file": "3"}})
    assert merged["runtimes"] == {"nvidia": {"path": "nvidia-container-runtime"}, "runc-x": {"path": "runc"}}
    assert merged["log-opts"] == {"max-size": "10m", "max-file": "3"}


def test_lists_and_scalars_replace():
    merged = deep_merge({"registry-mirrors": ["http://a"], "debug": True}, {"registry-mirrors": ["http://b"], "debug": False})
    assert merged == {"registry-mirrors": ["http://b"], "debug": False}


def test_merge_does_not_mutate_inputs():
    base = {"a": {"b": 1}}
    override = {"a": {"c": 2}}
    deep_merge(base, override)
    assert base == {"a": {"b": 1}} and override == {"a": {"c": 2}}


def test_same_content_other_formatting_is_unchanged():
    text = '{"live-restore":true,\n   "log-driver": "json-file"}'
    changed, _before, _after = plan(text, {"log-driver": "json-file", "live-restore": True})
    assert not changed


def test_absent_or_blank_file_is_empty_object():
    assert parse(None) == {}
    assert parse("  \n") == {}
    changed, before, after = plan(None, {"live-restore": True})
    assert changed and before == {} and after == {"live-restore": True}


def test_empty_config_on_absent_file_changes_nothing():
    changed, _before, after = plan(None, {})
    assert not changed and after == {}


def test_invalid_json_is_an_error_naming_the_file():
    with pytest.raises(DaemonJsonError, match=r"/etc/docker/daemon.json is not valid JSON"):
        plan('{"live-restore": true,', {}, source="/etc/docker/daemon.json")


def test_top_level_must_be_an_object():
    with pytest.raises(DaemonJsonError, match="JSON object at the top level, found list"):
        parse("[1, 2]")


def test_remove_paths_and_prune_empty_parents():
    data = {"runtimes": {"nvidia": {"path": "x"}}, "default-runtime": "nvidia", "keep": 1}
    assert remove_paths(data, ["runtimes.nvidia", "default-runtime"]) == {"keep": 1}


def test_remove_keeps_siblings_and_ignores_missing():
    data = {"runtimes": {"nvidia": {"path": "x"}, "other": {"path": "y"}}}
    assert remove_paths(data, ["runtimes.nvidia", "nope", "runtimes.absent.deeper"]) == {
        "runtimes": {"other": {"path": "y"}}
    }


def test_remove_is_applied_after_merge():
    changed, _before, after = plan(NVIDIA_WRITTEN, {"live-restore": True}, remove=["default-runtime"])
    assert changed and "default-runtime" not in after and "nvidia" in after["runtimes"]


@pytest.mark.parametrize("bad", ["", ".a", "a..b", "a."])
def test_invalid_remove_path(bad):
    with pytest.raises(DaemonJsonError, match="invalid key path"):
        remove_paths({}, [bad])


def test_render_is_stable_json_with_newline():
    text = render({"b": 1, "a": {"d": 2, "c": 3}})
    assert text.endswith("\n")
    assert json.loads(text) == {"b": 1, "a": {"d": 2, "c": 3}}
    assert text == render(json.loads(text))
