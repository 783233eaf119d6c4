"""Verify the docker role with Debian 13's packages on a systemd test host."""

import json
import re
import time

import pytest

IMAGE = "netai-standin-busybox:test"
# Nested containers use host networking: bridge networks fail inside these test hosts
# (IPv6 cannot be configured on the veth); the lab runs vLLM with --network host too.


def version_tuple(text):
    return tuple(int(x) for x in re.search(r"(\d+)\.(\d+)\.(\d+)", text).groups())


def test_engine_runs_and_is_enabled(host):
    service = host.service("docker")
    assert service.is_running
    assert service.is_enabled
    assert host.run("docker info --format '{{.ServerVersion}}'").rc == 0


def test_compose_v2_is_new_enough(host):
    out = host.check_output("docker compose version --short")
    assert version_tuple(out) >= (2, 24, 0), out


def test_daemon_json_has_role_keys_and_foreign_key(host):
    data = json.loads(host.file("/etc/docker/daemon.json").content_string)
    assert data["live-restore"] is True
    assert data["log-driver"] == "json-file"
    assert data["log-opts"] == {"max-size": "50m", "max-file": "3"}
    assert data["runtimes"] == {"standin-runtime": {"path": "runc"}}


def test_daemon_applied_the_merged_file(host):
    runtimes = json.loads(host.check_output("docker info --format '{{json .Runtimes}}'"))
    assert "standin-runtime" in runtimes
    assert host.check_output("docker info --format '{{.LiveRestoreEnabled}}'") == "true"


def test_no_proxy_drop_in_of_ours_and_the_admins_kept(host):
    assert not host.file("/etc/systemd/system/docker.service.d/netai-vlm-server-proxy.conf").exists
    # the admin's own drop-in (prepare) is still there and in effect
    admin = host.file("/etc/systemd/system/docker.service.d/http-proxy.conf")
    assert admin.exists and "admin-proxy.lab.invalid" in admin.content_string
    assert "admin-proxy.lab.invalid" in host.check_output("systemctl show docker --property=Environment")


def test_user_in_docker_group(host):
    assert "docker" in host.user("labuser").groups


@pytest.fixture(scope="module")
def busybox_image(host):
    host.check_output(
        "set -e; d=$(mktemp -d); mkdir -p $d/bin; cp /bin/busybox $d/bin/busybox; "
        "ln -s busybox $d/bin/sh; ln -s busybox $d/bin/sleep; "
        "tar -C $d -c . | docker import - %s; rm -rf $d" % IMAGE
    )
    return IMAGE


def test_container_runs_inside_the_test_host(host, busybox_image):
    out = host.check_output("docker run --rm --network host %s /bin/sh -c 'echo hello-from-nested'" % busybox_image)
    assert out == "hello-from-nested"


def test_a_container_running_before_the_first_converge_still_runs(host):
    """prepare started it on Docker without live-restore; the role's restart came after it."""
    started = host.check_output("docker inspect -f '{{.State.StartedAt}}' running-before-the-role")
    assert host.check_output("docker inspect -f '{{.State.Running}}' running-before-the-role") == "true"
    daemon_since = host.check_output("systemctl show docker -p ActiveEnterTimestampMonotonic --value")
    container_pid = host.check_output("docker inspect -f '{{.State.Pid}}' running-before-the-role")
    # The container's process is older than the daemon that runs now: it went through the restart.
    proc_start = host.check_output("cut -d' ' -f22 /proc/%s/stat" % container_pid)
    ticks = int(host.check_output("getconf CLK_TCK"))
    assert int(proc_start) * 1000000 // ticks < int(daemon_since), (started, daemon_since)
    assert json.loads(host.file("/etc/docker/daemon.json").content_string)["live-restore"] is True


def test_running_container_survives_daemon_restart(host, busybox_image):
    host.run("docker rm -f live-restore-probe")
    host.check_output("docker run -d --network host --name live-restore-probe %s /bin/sleep 600" % busybox_image)
    before = host.check_output("docker inspect -f '{{.State.Pid}} {{.State.StartedAt}}' live-restore-probe")
    host.check_output("systemctl restart docker")
    for _attempt in range(30):
        if host.run("docker info").rc == 0:
            break
        time.sleep(1)
    after = host.check_output("docker inspect -f '{{.State.Pid}} {{.State.StartedAt}}' live-restore-probe")
    assert host.check_output("docker inspect -f '{{.State.Running}}' live-restore-probe") == "true"
    assert before == after, "the container was restarted with the daemon: live-restore is not working"
    host.run("docker rm -f live-restore-probe")
