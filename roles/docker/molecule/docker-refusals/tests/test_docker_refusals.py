"""After the refusals, the host holds nothing the role would have configured."""


def test_no_repository_or_keyring_written(host):
    assert not host.file("/etc/apt/sources.list.d/docker.sources").exists
    assert not host.file("/etc/apt/keyrings/docker.asc").exists


def test_daemon_json_not_written(host):
    assert not host.file("/etc/docker/daemon.json").exists


def test_no_proxy_drop_in(host):
    assert not host.file("/etc/systemd/system/docker.service.d").exists


def test_only_the_last_case_installed_packages(host):
    # The up-front refusals installed nothing; the Compose case installed docker.io
    # and stopped there: no Compose v2 plugin on the host.
    assert host.package("docker.io").is_installed
    assert not host.package("docker-ce").is_installed
    assert host.run("docker compose version").rc != 0
