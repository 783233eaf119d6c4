#!/usr/bin/env bash
# One setup command for deploy and tests (`make setup`). Idempotent: every step
# checks first and does nothing when its result is already there.
#   1. a virtualenv (.venv) with the pinned Python packages (requirements.txt);
#   2. a running Docker engine (Debian's docker.io; dockerd started if silent), and the media
#      tools the stand-in via-server's tests use (Debian's ffmpeg and mediainfo);
#   3. locally built systemd test-host images for Debian 12 and 13 (Molecule), and the
#      stand-in vLLM and via-server images built on them;
#   4. ansible-test's sanity environments, built from PyPI (its test of shell scripts runs
#      Debian's shellcheck, installed in step 2).
# Steps 2-4 are for the tests only: SETUP_SKIP_TEST_HOSTS=1 skips them.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- 1. Python virtualenv ------------------------------------------------------
VENV=${VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtualenv $VENV"
  python3 -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha256"
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing pinned Python packages"
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet -r requirements.txt
  echo "$want" >"$stamp"
else
  log "Python packages up to date"
fi

[ "${SETUP_SKIP_TEST_HOSTS:-0}" = 1 ] && exit 0

# --- 2. Docker engine ------------------------------------------------------------
need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need_pkgs+=(debootstrap)
command -v rsync >/dev/null 2>&1 || need_pkgs+=(rsync)   # model_weights source cache (synchronize)
# The STAND-IN via-server's media tools, for its tests on the controller (tests/standins) and the
# smoke clip's check: the same Debian packages as in its image.
command -v ffmpeg >/dev/null 2>&1 || need_pkgs+=(ffmpeg)
command -v mediainfo >/dev/null 2>&1 || need_pkgs+=(mediainfo)
command -v shellcheck >/dev/null 2>&1 || need_pkgs+=(shellcheck)   # ansible-test sanity's shellcheck test
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]} from the distribution"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  as_root setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not answer; see /var/log/dockerd.log" >&2; exit 1; }
fi
log "Docker engine answers ($(docker info --format '{{.ServerVersion}} {{.Driver}}'))"

# --- 3. systemd test-host images ---------------------------------------------------
scripts/build-test-images.sh

# --- 4. ansible-test's sanity environments -------------------------------------------
# ansible-test builds one virtual environment per sanity test, without pip, and bootstraps pip
# with a script it downloads from ci-files.testing.ansible.com (unreachable here) unless its cache
# holds one. scripts/ansible-test-get-pip.py does the same job from Python's ensurepip and PyPI;
# it goes into the cache only where no bootstrap script is cached already.
pip_version=$("$VENV/bin/python" - <<'PY'
from ansible_test._internal.python_requirements import get_venv_packages
from ansible_test._internal.host_configs import NativePythonConfig
import sys
print(get_venv_packages(NativePythonConfig(version="%d.%d" % sys.version_info[:2], path=sys.executable))["pip"])
PY
)
bootstrap="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
if [ ! -f "$bootstrap" ]; then
  log "ansible-test's pip bootstrap (pip $pip_version): from ensurepip and PyPI"
  mkdir -p "$(dirname "$bootstrap")"
  cp scripts/ansible-test-get-pip.py "$bootstrap"
fi
log "ansible-test's sanity environments"
scripts/ansible-test.sh sanity --prime-venvs >/dev/null
log "setup complete"
