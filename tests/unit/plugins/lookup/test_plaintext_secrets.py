"""The plaintext_secrets lookup: vault files and secret variables in plain text, never their values."""

from __future__ import annotations

import os

from ansible_collections.netai.vlm_server.plugins.filter.preflight_problems import preflight_problems
from ansible_collections.netai.vlm_server.plugins.lookup.plaintext_secrets import (
    file_findings, plaintext_secrets, variable_files)

NAMES = [r"vault_\w+", r"\w*api_key", r"\w*hf_token", r"\w*_password"]
ENCRYPTED = "$ANSIBLE_VAULT;1.1;AES256\n6231356561\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)


def test_an_encrypted_vault_is_fine_a_plain_one_is_not():
    assert file_findings("g/vault.yml", ENCRYPTED, NAMES) == []
    assert file_findings("g/vault.yml", "vault_ngc_api_key: abc\n", NAMES) == [{"path": "g/vault.yml", "variable": ""}]
    assert file_findings("g/vault/keys.yml", "x: 1\n", NAMES) == [{"path": "g/vault/keys.yml", "variable": ""}]
    assert file_findings("g/vault.yml", "\n", NAMES) == []


def test_secret_variables_by_name_and_what_counts_as_a_value():
    text = "\n".join([
        "vllm_api_key: \"{{ vault_vllm_api_key | default('') }}\"",  # a reference: fine
        "vault_hf_token: ''",                                          # empty: fine
        "via_server_ngc_api_key: !vault |",                            # inline vault: fine
        "          $ANSIBLE_VAULT;1.1;AES256",
        "vault_nvidia_api_key: nvapi-real  # the lab key",             # plain
        "vllm_instances:",
        "  - name: b",
        "    api_key: sk-instance",                                    # plain, nested in a list
        "  - api_key: sk-other",                                       # same name once
        "smtp_password: hunter2",                                      # plain
        "vllm_port: 38011",                                            # not a secret
    ])
    found = file_findings("host_vars/sv.yml", text, NAMES)
    assert [f["variable"] for f in found] == ["vault_nvidia_api_key", "api_key", "smtp_password"]
    assert "nvapi-real" not in repr(found) and "sk-instance" not in repr(found)


def test_files_next_to_each_source(tmp_path):
    inv = tmp_path / "inventory"
    write(str(inv / "hosts.yml"), "all:\n  vars:\n    vault_x: plain\n")
    write(str(inv / "group_vars" / "vlm_servers" / "vault.yml"), "vault_ngc_api_key: abc\n")
    write(str(inv / "group_vars" / "vlm_servers" / "vault.yml.example"), "vault_ngc_api_key: REPLACE-ME\n")
    write(str(tmp_path / "host_vars" / "sv4000-2.yml"), ENCRYPTED)
    files = variable_files([str(tmp_path), str(inv / "hosts.yml"), str(inv / "hosts.yml")])
    assert [os.path.relpath(f, str(tmp_path)) for f in files] == [
        "host_vars/sv4000-2.yml", "inventory/group_vars/vlm_servers/vault.yml", "inventory/hosts.yml"]
    found = plaintext_secrets([str(tmp_path), str(inv / "hosts.yml")], NAMES)
    assert [(os.path.basename(f["path"]), f["variable"]) for f in found] == [("vault.yml", ""), ("hosts.yml", "vault_x")]


def test_preflight_names_the_file_and_the_variable():
    report = preflight_problems({"hostname": "sv", "require_gpu": False}, {"plaintext_secrets": [
        {"path": "/inv/group_vars/vlm_servers/vault.yml", "variable": ""},
        {"path": "/inv/host_vars/sv.yml", "variable": "vault_hf_token"}]})
    assert report["problems"] == [
        "/inv/group_vars/vlm_servers/vault.yml: a vault file in plain text; encrypt it (ansible-vault encrypt "
        "/inv/group_vars/vlm_servers/vault.yml). Secrets leave with a copy of the inventory otherwise "
        "(preflight_plaintext_secrets_ok: true only for a throwaway test inventory)",
        "/inv/host_vars/sv.yml: vault_hf_token is given in plain text; put it in the encrypted vault (or "
        "ansible-vault encrypt_string it). Secrets leave with a copy of the inventory otherwise "
        "(preflight_plaintext_secrets_ok: true only for a throwaway test inventory)"]
