# -*- coding: utf-8 -*-
# Copyright: netai lab
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a role needs to know about a host before it changes anything, read in one round trip.

Pure functions (no Ansible): the C(host_state) module and the unit tests use them.

- ``path_state``: what is at a path (never follows the last link), with its owner and group, and
  the SHA-1 of a regular file's content when asked (``file_current`` compares it on the controller).
- ``read_text``: a small text file's content, or None when there is no file.
- ``parse_dpkg_query`` and ``unsatisfied``: which apt-style package specs (``name``,
  ``name=version``, ``name=version*``) the installed packages do not satisfy, so that an
  ``ansible.builtin.apt`` task runs only when it has something to do.
- ``parse_systemctl_show``: each unit's active and enabled state, from one ``systemctl show``.
"""

from __future__ import annotations

import fnmatch
import grp
import hashlib
import os
import pwd
import stat
from typing import Dict, Iterable, List, Optional

# dpkg-query's output, one line per package it knows (installed or not).
DPKG_QUERY_FORMAT = "${Package}\\t${Version}\\t${db:Status-Status}\\n"

# A file read whole is meant to be a key or a marker, never a payload.
READ_LIMIT = 64 * 1024


class HostStateError(Exception):
    """A path that cannot be read as asked."""


def _name(lookup, ident: int) -> str:
    """The name of a user or group id, or the id itself when no name is known."""
    try:
        return str(lookup(ident)[0])
    except KeyError:
        return str(ident)


def sha1_of(path: str) -> str:
    """The SHA-1 of a file's content, as ``ansible.builtin.stat`` (checksum) and ``copy`` compute it."""
    digest = hashlib.sha1()  # nosec - a content fingerprint, as Ansible's own, not a security check
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def path_state(path: str, checksum: bool = False) -> Dict[str, object]:
    """Describe what is at ``path``: exists, isdir, isreg, islnk, size, mode (octal string),
    owner and group (names, or ids without a name), and with ``checksum`` the SHA-1 of a regular
    file that is not a link (None otherwise).

    A symlink is described as a link (``islnk``), together with what it points to
    (``isdir``/``isreg`` of the target), as ``ansible.builtin.stat`` with follow=false reports the
    link itself and ``os.path.isdir`` the target.
    """
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return {"exists": False, "isdir": False, "isreg": False, "islnk": False, "size": None, "mode": None,
                "owner": None, "group": None, "checksum": None}
    regular = stat.S_ISREG(st.st_mode)
    return {
        "exists": True,
        "isdir": os.path.isdir(path),
        "isreg": os.path.isfile(path),
        "islnk": stat.S_ISLNK(st.st_mode),
        "size": st.st_size,
        "mode": "%04o" % stat.S_IMODE(st.st_mode),
        "owner": _name(pwd.getpwuid, st.st_uid),
        "group": _name(grp.getgrgid, st.st_gid),
        "checksum": sha1_of(path) if checksum and regular else None,
    }


def read_text(path: str, limit: int = READ_LIMIT) -> Optional[str]:
    """Return the text in the regular file at ``path``, or None when nothing is there.

    A folder, a file larger than ``limit`` bytes or one that is not UTF-8 is an error: the caller
    asked for a small text file.
    """
    if not os.path.lexists(path):
        return None
    if not os.path.isfile(path):
        raise HostStateError("%s is not a regular file" % path)
    size = os.path.getsize(path)
    if size > limit:
        raise HostStateError("%s holds %d bytes, more than the %d this module reads" % (path, size, limit))
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HostStateError("%s is not UTF-8 text (%s)" % (path, exc)) from None


def spec_name(spec: str) -> str:
    """The package name of an apt-style spec (``docker-ce=5:28.5.1*`` -> ``docker-ce``)."""
    for operator in (">=", "<=", "="):
        if operator in spec:
            return spec.split(operator, 1)[0].strip()
    return spec.strip()


def parse_dpkg_query(out: str) -> Dict[str, str]:
    """The installed packages in dpkg-query's output (DPKG_QUERY_FORMAT): name -> version.

    A package dpkg knows but has not fully installed (removed with its configuration kept,
    half-configured, ...) is left out: apt has work to do for it.
    """
    installed: Dict[str, str] = {}
    for line in out.splitlines():
        fields = line.split("\t")
        if len(fields) != 3:
            continue
        name, version, status = (field.strip() for field in fields)
        if name and status == "installed":
            installed[name] = version
    return installed


def satisfied(spec: str, installed: Dict[str, str]) -> bool:
    """Whether ``spec`` holds for the installed packages, as apt reads it.

    ``name``: installed at any version. ``name=version``: at exactly that version.
    ``name=version*``: at a version that matches the glob (apt's own pin syntax). Any other
    operator is not judged here: the spec counts as unsatisfied and apt decides.
    """
    name = spec_name(spec)
    if name not in installed:
        return False
    if spec.strip() == name:
        return True
    if ">=" in spec or "<=" in spec:
        return False
    wanted = spec.split("=", 1)[1].strip()
    version = installed[name]
    if "*" in wanted or "?" in wanted:
        return fnmatch.fnmatchcase(version, wanted)
    return version == wanted


def unsatisfied(specs: Iterable[str], installed: Dict[str, str]) -> List[str]:
    """The specs, in their order, that the installed packages do not satisfy."""
    return [spec for spec in specs if not satisfied(spec, installed)]


def git_state(run, path: str, config_keys: Iterable[str], status: bool = True) -> Optional[Dict[str, object]]:
    """What a git clone at ``path`` holds: HEAD, remotes, local config values and hand edits.

    ``run(argv)`` runs a command and returns (rc, stdout, stderr) (the module's run_command).
    None when ``path`` holds no ``.git``. A git that fails where it should answer raises
    HostStateError with git's own words.
    """
    if not os.path.lexists(os.path.join(path, ".git")):
        return None

    def git(*args: str, allowed: Iterable[int] = (0,)) -> Optional[str]:
        rc, out, err = run(["git", "-C", path] + list(args))
        if rc not in tuple(allowed):
            raise HostStateError("git %s in %s failed (rc %d): %s" % (" ".join(args), path, rc, (err or out).strip()))
        return out if rc == 0 else None

    head = git("rev-parse", "--verify", "--quiet", "HEAD", allowed=(0, 1))
    remotes = git("remote") or ""
    config: Dict[str, Optional[str]] = {}
    for key in config_keys:
        value = git("config", "--local", "--get", key, allowed=(0, 1))
        config[key] = value.strip() if value is not None else None
    changes: List[str] = []
    if status:
        changes = [line for line in (git("status", "--porcelain", "--untracked-files=normal") or "").splitlines() if line.strip()]
    return {
        "head": head.strip() if head else None,
        "remotes": [line.strip() for line in remotes.splitlines() if line.strip()],
        "config": config,
        "changes": changes,
    }


# systemctl show, one block per unit in the order asked, blank lines between blocks.
SYSTEMCTL_PROPERTIES = "Id,LoadState,ActiveState,UnitFileState"


def parse_systemctl_show(out: str, units: List[str]) -> Dict[str, Dict[str, Optional[str]]]:
    """Each unit's ``load``, ``active`` and ``enabled`` state from ``systemctl show
    --property=SYSTEMCTL_PROPERTIES unit...`` (blocks in the order of ``units``).

    A unit systemd does not know is ``load: not-found``; a missing property is None.
    """
    blocks: List[Dict[str, str]] = []
    current: Dict[str, str] = {}
    for line in out.splitlines() + [""]:
        if not line.strip():
            if current:
                blocks.append(current)
                current = {}
            continue
        key, _sep, value = line.partition("=")
        current[key.strip()] = value.strip()
    states: Dict[str, Dict[str, Optional[str]]] = {}
    for unit, block in zip(units, blocks):
        states[unit] = {
            "load": block.get("LoadState"),
            "active": block.get("ActiveState"),
            "enabled": block.get("UnitFileState") or None,
        }
    for unit in units[len(blocks):]:
        states[unit] = {"load": None, "active": None, "enabled": None}
    return states
