#!/usr/bin/env bash
# ansible-test on this checkout: `scripts/ansible-test.sh sanity` or `scripts/ansible-test.sh units`.
# ansible-test wants to run inside .../ansible_collections/netai/vlm_server (a real path, not a
# link), so the checkout's files (tracked, and new ones git does not ignore) are copied into a
# temporary tree of that shape, and ansible-test runs there with --local: the project's
# virtualenv Python for units, and for sanity the per-test virtual environments ansible-test
# builds from PyPI (the first run builds them; `make setup` does it once ahead).
# ARTIFACT=1: the tree is the built collection artifact, installed, instead (what Galaxy's import
# tests: no links, no tests/sanity ignore file).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
VENV=${VENV:-.venv}
command=${1:?usage: scripts/ansible-test.sh sanity|units [ansible-test options]}
shift
python=$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree="$work/ansible_collections/netai/vlm_server"
mkdir -p "$tree"
if [ "${ARTIFACT:-0}" = 1 ]; then
  "$REPO/$VENV/bin/ansible-galaxy" collection build --force --output-path "$work" . >/dev/null
  (cd "$work" && ANSIBLE_COLLECTIONS_PATH="$work" "$REPO/$VENV/bin/ansible-galaxy" collection install --no-deps --force \
     -p "$work" "$work"/netai-vlm_server-*.tar.gz >/dev/null)
else
  git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' path; do [ -e "$path" ] || [ -L "$path" ] && printf '%s\0' "$path"; done \
    | tar --null -T - -cf - | tar -xf - -C "$tree"
fi
# A git work tree of its own, so ansible-test lists exactly these files (and not its tests/output).
git -C "$tree" init -q && git -C "$tree" add -A

cd "$tree"
# Sanity environments are built without pip; ansible-test bootstraps pip with a script it
# downloads from ci-files.testing.ansible.com, or takes from its cache (see make setup).
"$REPO/$VENV/bin/ansible-test" "$command" --local --python "$python" --color no "$@"
