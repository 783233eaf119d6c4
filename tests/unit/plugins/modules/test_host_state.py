"""The host_state module and its module_utils, on real folders, a real git clone and dpkg's words."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.netai.vlm_server.plugins.module_utils import host_state as hs
from ansible_collections.netai.vlm_server.plugins.modules import host_state

DPKG_OUT = (
    "git\t1:2.47.3-0+deb13u1\tinstalled\n"
    "docker-ce\t5:28.5.1-1~debian.13~trixie\tinstalled\n"
    "python3-requests\t2.32.3+dfsg-5\tconfig-files\n"
    "containerd.io\t1.7.28-1~debian.13~trixie\thalf-configured\n"
)


def run(capsys, **args):
    with patch_module_args(args), pytest.raises(SystemExit):
        host_state.main()
    return json.loads(capsys.readouterr().out)


def test_path_state_names_what_is_there(tmp_path):
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_text("x")
    os.chmod(tmp_path / "file", 0o600)
    os.symlink("dir", tmp_path / "link")
    assert hs.path_state(str(tmp_path / "nothing"))["exists"] is False
    assert hs.path_state(str(tmp_path / "file" / "below"))["exists"] is False
    assert hs.path_state(str(tmp_path / "dir"))["isdir"] is True
    state = hs.path_state(str(tmp_path / "file"))
    assert (state["isreg"], state["isdir"], state["mode"], state["size"]) == (True, False, "0600", 1)
    link = hs.path_state(str(tmp_path / "link"))
    assert (link["islnk"], link["isdir"]) == (True, True)


def test_read_text_reads_small_text_and_refuses_the_rest(tmp_path):
    (tmp_path / "key").write_text("abc\n")
    assert hs.read_text(str(tmp_path / "key")) == "abc\n"
    assert hs.read_text(str(tmp_path / "absent")) is None
    with pytest.raises(hs.HostStateError, match="not a regular file"):
        hs.read_text(str(tmp_path))
    (tmp_path / "big").write_bytes(b"x" * 11)
    with pytest.raises(hs.HostStateError, match="more than the 10"):
        hs.read_text(str(tmp_path / "big"), limit=10)
    (tmp_path / "bin").write_bytes(b"\xff\xfe")
    with pytest.raises(hs.HostStateError, match="not UTF-8"):
        hs.read_text(str(tmp_path / "bin"))


def test_dpkg_query_keeps_only_installed_packages():
    assert hs.parse_dpkg_query(DPKG_OUT + "garbage line\n") == {
        "git": "1:2.47.3-0+deb13u1",
        "docker-ce": "5:28.5.1-1~debian.13~trixie",
    }


@pytest.mark.parametrize(
    "spec, ok",
    [
        ("git", True),
        ("git=1:2.47.3-0+deb13u1", True),
        ("git=1:2.47.3", False),
        ("docker-ce=5:28.5.1*", True),
        ("docker-ce=5:28.4*", False),
        ("docker-ce>=5:28", False),
        ("python3-requests", False),
        ("containerd.io=1.7.28*", False),
        ("absent", False),
    ],
)
def test_specs_are_read_as_apt_reads_them(spec, ok):
    assert hs.satisfied(spec, hs.parse_dpkg_query(DPKG_OUT)) is ok


def test_unsatisfied_keeps_the_order_of_the_specs():
    installed = hs.parse_dpkg_query(DPKG_OUT)
    assert hs.unsatisfied(["python3-requests", "git", "docker-ce=5:29*"], installed) == [
        "python3-requests",
        "docker-ce=5:29*",
    ]


@pytest.fixture
def clone(tmp_path):
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    path = tmp_path / "clone"
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    (path / "a.txt").write_text("a\n")
    subprocess.run(["git", "-C", str(path), "add", "a.txt"], check=True)
    subprocess.run(["git", "-C", str(path), "commit", "-qm", "one"], check=True, env=env)
    subprocess.run(["git", "-C", str(path), "remote", "add", "origin", "file:///nowhere"], check=True)
    subprocess.run(["git", "-C", str(path), "config", "--local", "netai.checkout.commit", "abc"], check=True)
    return path


def test_git_state_of_a_clone(clone):
    def run_git(argv):
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        return proc.returncode, proc.stdout, proc.stderr

    head = subprocess.run(["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    (clone / "a.txt").write_text("edited\n")
    state = hs.git_state(run_git, str(clone), ["netai.checkout.commit", "netai.unset"])
    assert state == {
        "head": head,
        "remotes": ["origin"],
        "config": {"netai.checkout.commit": "abc", "netai.unset": None},
        "changes": [" M a.txt"],
    }
    assert hs.git_state(run_git, str(clone.parent), []) is None


def test_git_state_reports_gits_own_words(tmp_path):
    (tmp_path / ".git").mkdir()

    def broken(argv):
        return 128, "", "fatal: not a git repository"

    with pytest.raises(hs.HostStateError, match="fatal: not a git repository"):
        hs.git_state(broken, str(tmp_path), [])


def test_module_reads_everything_in_one_call(capsys, tmp_path, clone):
    (tmp_path / "key").write_text("k1\n")
    result = run(
        capsys,
        paths=[str(tmp_path / "key"), str(tmp_path / "none")],
        files=[str(tmp_path / "key"), str(tmp_path / "none")],
        git={"path": str(clone), "config": ["netai.checkout.commit"]},
    )
    assert result["changed"] is False
    assert result["paths"][str(tmp_path / "key")]["isreg"] is True
    assert result["paths"][str(tmp_path / "none")]["exists"] is False
    assert result["files"] == {str(tmp_path / "key"): "k1\n", str(tmp_path / "none"): None}
    assert result["git_available"] is True
    assert result["git"]["config"] == {"netai.checkout.commit": "abc"}
    assert result["packages_missing"] == []


def test_module_fails_on_a_folder_to_read(capsys, tmp_path):
    result = run(capsys, files=[str(tmp_path)])
    assert result["failed"] is True
    assert "not a regular file" in result["msg"]


@pytest.mark.skipif(not shutil.which("dpkg-query"), reason="dpkg-query is not installed")
def test_module_asks_dpkg(capsys):
    result = run(capsys, packages=["dpkg", "netai-no-such-package", "dpkg=0.0-no-such-version"])
    assert result["packages_missing"] == ["netai-no-such-package", "dpkg=0.0-no-such-version"]
    assert result["packages_installed"]["netai-no-such-package"] is None
    assert result["packages_installed"]["dpkg"]


def test_path_state_names_owner_group_and_checksum_when_asked(tmp_path):
    import grp
    import hashlib
    import pwd

    (tmp_path / "file").write_text("hello\n")
    os.symlink("file", tmp_path / "link")
    plain = hs.path_state(str(tmp_path / "file"))
    assert plain["checksum"] is None
    state = hs.path_state(str(tmp_path / "file"), checksum=True)
    assert state["checksum"] == hashlib.sha1(b"hello\n").hexdigest()
    assert state["owner"] == pwd.getpwuid(os.getuid())[0]
    assert state["group"] == grp.getgrgid(os.getgid())[0]
    # A link and a folder have no checksum (the file tasks replace a link, never follow it).
    assert hs.path_state(str(tmp_path / "link"), checksum=True)["checksum"] is None
    assert hs.path_state(str(tmp_path), checksum=True)["checksum"] is None
    assert hs.path_state(str(tmp_path / "absent"), checksum=True)["owner"] is None


def test_systemctl_show_blocks_are_read_per_unit():
    out = (
        "Id=docker.service\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n\n"
        "Id=netai-nothing.service\nLoadState=not-found\nActiveState=inactive\nUnitFileState=\n"
    )
    states = hs.parse_systemctl_show(out, ["docker.service", "netai-nothing.service", "third.service"])
    assert states["docker.service"] == {"load": "loaded", "active": "active", "enabled": "enabled"}
    assert states["netai-nothing.service"] == {"load": "not-found", "active": "inactive", "enabled": None}
    assert states["third.service"] == {"load": None, "active": None, "enabled": None}


def test_module_expands_globs_and_checksums_paths(capsys, tmp_path):
    import hashlib

    site = tmp_path / "venv" / "lib" / "python3.13" / "site-packages"
    (site / "huggingface_hub-1.1.0.dist-info").mkdir(parents=True)
    (tmp_path / "unit.conf").write_text("x=1\n")
    pattern = str(tmp_path / "venv" / "lib" / "python3*" / "site-packages" / "huggingface_hub-*.dist-info")
    result = run(capsys, paths=[str(tmp_path / "unit.conf")], checksum=True,
                 globs=[pattern, str(tmp_path / "nothing-*")])
    assert result["globs"][pattern] == [str(site / "huggingface_hub-1.1.0.dist-info")]
    assert result["globs"][str(tmp_path / "nothing-*")] == []
    assert result["paths"][str(tmp_path / "unit.conf")]["checksum"] == hashlib.sha1(b"x=1\n").hexdigest()
    assert result["services"] == {}


def test_module_runs_read_only_commands_by_name(capsys):
    result = run(capsys, commands={"said": ["echo", "hello"], "missing": ["netai-no-such-program", "--version"],
                                   "failing": ["sh", "-c", "exit 3"]})
    assert result["commands"]["said"] == {"found": True, "rc": 0, "stdout": "hello\n", "stderr": ""}
    missing = result["commands"]["missing"]
    assert missing["found"] is False and missing["rc"] == 127 and "not found" in missing["stderr"]
    assert result["commands"]["failing"]["rc"] == 3
    bad = run(capsys, commands={"shell": "echo hi"})
    assert bad["failed"] is True and "commands.shell" in bad["msg"]
