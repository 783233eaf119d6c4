"""After the refusals the host holds nothing the toolkit role would have written."""


def test_no_repository_or_keyring(host):
    assert not host.file("/etc/apt/sources.list.d/nvidia-container-toolkit.sources").exists
    assert not host.file("/etc/apt/keyrings/nvidia-container-toolkit.asc").exists


def test_no_packages(host):
    assert not host.package("nvidia-container-toolkit").is_installed
    assert not host.package("python3-debian").is_installed


def test_no_daemon_json(host):
    assert not host.file("/etc/docker/daemon.json").exists


def test_foreign_default_runtime_untouched(host):
    assert host.file("/etc/docker-foreign/daemon.json").content_string == '{"default-runtime": "kata"}'
    assert not host.file("/etc/docker-foreign/.netai-vlm-server-default-runtime").exists
