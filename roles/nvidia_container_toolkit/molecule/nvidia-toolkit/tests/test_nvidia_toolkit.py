"""Verify the NVIDIA container toolkit role against the stand-in flat repository."""

import json


def test_repository_file_is_flat_deb822_with_signed_by(host):
    text = host.file("/etc/apt/sources.list.d/nvidia-container-toolkit.sources").content_string
    assert "URIs: http://127.0.0.1:8082/repo" in text
    assert "Suites: /" in text
    assert "Components" not in text
    assert "Signed-By: /etc/apt/keyrings/nvidia-container-toolkit.asc" in text


def test_keyring_is_the_served_key(host):
    keyring = host.file("/etc/apt/keyrings/nvidia-container-toolkit.asc").content_string
    served = host.check_output("curl -fsS http://127.0.0.1:8082/repo/standin-archive-key.asc")
    assert keyring.strip() == served.strip()


def test_pinned_version_not_the_newest(host):
    for name in ("nvidia-container-toolkit", "nvidia-container-toolkit-base",
                 "libnvidia-container-tools", "libnvidia-container1"):
        assert host.package(name).version == "1.17.8-1~standin", name
    assert "1.18.0-1~standin" in host.check_output("apt-cache policy nvidia-container-toolkit")


def test_daemon_json_merged_not_clobbered(host):
    data = json.loads(host.file("/etc/docker/daemon.json").content_string)
    assert data["runtimes"]["nvidia"] == {"path": "nvidia-container-runtime", "args": []}
    # set by hand after the role's own was removed (side_effect.yml): someone else's, kept
    assert data["default-runtime"] == "nvidia"
    assert not host.file("/etc/docker/.netai-vlm-server-default-runtime").exists
    # keys of the docker role and of prepare survived
    assert data["live-restore"] is True
    assert data["log-driver"] == "json-file"
    assert data["default-shm-size"] == "64M"


def test_docker_lists_and_uses_the_nvidia_runtime(host):
    runtimes = json.loads(host.check_output("docker info --format '{{json .Runtimes}}'"))
    assert "nvidia" in runtimes
    assert host.check_output("docker info --format '{{.DefaultRuntime}}'") == "nvidia"


def test_cdi_spec_generated(host):
    spec = host.file("/etc/cdi/nvidia.yaml")
    assert spec.exists and "kind: nvidia.com/gpu" in spec.content_string


def test_no_systemd_daemon_reload_drop_in(host):
    # the role restarts docker without daemon-reload and writes no unit files
    assert not host.file("/etc/systemd/system/docker.service.d").exists


def test_container_runs_through_the_nvidia_runtime(host):
    host.check_output(
        "set -e; d=$(mktemp -d); mkdir -p $d/bin; cp /bin/busybox $d/bin/busybox; "
        "ln -s busybox $d/bin/sh; tar -C $d -c . | docker import - netai-standin-busybox:test; rm -rf $d"
    )
    out = host.check_output(
        "docker run --rm --network host --runtime nvidia netai-standin-busybox:test /bin/sh -c 'echo via-nvidia'"
    )
    assert out == "via-nvidia"
