"""Verify the docker_ce path against the stand-in signed apt repository."""

import json


def test_repository_file_is_deb822_with_signed_by(host):
    sources = host.file("/etc/apt/sources.list.d/docker.sources")
    assert sources.exists
    text = sources.content_string
    assert "URIs: http://127.0.0.1:8081/repo" in text
    assert "Suites: trixie" in text
    assert "Components: stable" in text
    assert "Signed-By: /etc/apt/keyrings/docker.asc" in text


def test_keyring_is_the_repository_key(host):
    keyring = host.file("/etc/apt/keyrings/docker.asc")
    assert keyring.exists
    assert "BEGIN PGP PUBLIC KEY BLOCK" in keyring.content_string
    served = host.check_output("curl -fsS http://127.0.0.1:8081/repo/standin-archive-key.asc")
    assert keyring.content_string.strip() == served.strip()


def test_signature_is_checked_by_apt(host):
    # apt accepts the repository only through its signed-by key.
    out = host.check_output("apt-get update -o Debug::Acquire::gpgv=0 2>&1")
    assert "127.0.0.1:8081" in out
    assert "NO_PUBKEY" not in out and "not signed" not in out


def test_pinned_versions_installed_not_the_newest(host):
    assert host.package("docker-ce-standin").version == "5:27.5.1-1~standin"
    assert host.package("docker-ce-cli-standin").version == "5:27.5.1-1~standin"
    assert host.package("containerd.io-standin").version == "1.7.25-1~standin"
    assert host.package("docker-compose-plugin-standin").version == "2.32.4-1~standin"
    candidate = host.check_output("apt-cache policy docker-ce-standin")
    assert "5:28.0.0-1~standin" in candidate  # the newer one was on offer


def test_engine_and_compose_work(host):
    assert host.service("docker").is_running
    assert host.run("docker compose version").rc == 0


def test_proxy_drop_in(host):
    drop_in = host.file("/etc/systemd/system/docker.service.d/netai-vlm-server-proxy.conf")
    assert drop_in.mode == 0o600
    assert 'Environment="HTTP_PROXY=http://proxy.lab.invalid:3128"' in drop_in.content_string
    assert 'Environment="NO_PROXY=localhost,127.0.0.1"' in drop_in.content_string
    assert "HTTPS_PROXY" not in drop_in.content_string
    env = host.check_output("systemctl show docker --property=Environment")
    assert "HTTP_PROXY=http://proxy.lab.invalid:3128" in env


def test_registry_mirror_in_daemon(host):
    data = json.loads(host.file("/etc/docker/daemon.json").content_string)
    assert data["registry-mirrors"] == ["http://127.0.0.1:5000"]
    mirrors = json.loads(host.check_output("docker info --format '{{json .RegistryConfig.Mirrors}}'"))
    assert mirrors == ["http://127.0.0.1:5000/"]
